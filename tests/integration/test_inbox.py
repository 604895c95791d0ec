"""The inbox's API through the local server (the development sign-in standing in for Cognito's JWT
authorizer): the queue, a case in full, claims between two agents, answers, notes, search, KPIs, and the
request checks that make it safe by construction."""

import threading
from datetime import UTC, datetime

import pytest
import requests
from carebird_local.server import build_server

from carebird import clock
from tests.helpers import fixture

pytestmark = pytest.mark.integration
AT = datetime(2025, 11, 25, 10, 30, tzinfo=UTC)  # Tuesday 11:30 in Paris, open


@pytest.fixture
def inbox(embedded):
    clock.travel_to(AT)
    for name in ("aaa-mention.json", "aaa-mention-influencer.json", "aaa-reply-to-brand-post.json"):
        assert embedded.deliver(fixture(name))["statusCode"] == 200
    embedded.dispatch()
    http = build_server(embedded, "127.0.0.1", 0, report=lambda _line: None)
    threading.Thread(target=http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield Client(f"http://127.0.0.1:{http.server_port}"), embedded
    http.shutdown()


class Client:
    def __init__(self, base):
        self.base, self.tokens = base, {}

    def sign_in(self, name):
        response = requests.post(f"{self.base}/inbox/dev/sign-in", json={"name": name}, timeout=10)
        assert response.status_code == 200
        self.tokens[name] = response.json()["token"]

    def get(self, path, agent="alice", **params):
        return requests.get(f"{self.base}/inbox/api/{path}", params=params, timeout=30, headers=self._auth(agent))

    def post(self, path, payload=None, agent="alice", **headers):
        return requests.post(
            f"{self.base}/inbox/api/{path}", json=payload or {}, timeout=30, headers={**self._auth(agent), **headers}
        )

    def _auth(self, agent):
        if agent not in self.tokens:
            self.sign_in(agent)
        return {"Authorization": f"Bearer {self.tokens[agent]}"}


def test_the_page_is_served_with_a_strict_content_security_policy_and_no_secret(inbox):
    client, _ = inbox
    page = requests.get(f"{client.base}/inbox", timeout=10)

    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "<script>" not in page.text
    assert "secret" not in page.text.lower() and page.headers["X-Content-Type-Options"] == "nosniff"
    assert requests.get(f"{client.base}/inbox/static/inbox.js", timeout=10).status_code == 200


def test_the_api_needs_a_signed_in_agent(inbox):
    client, _ = inbox

    assert requests.get(f"{client.base}/inbox/api/queue", timeout=10).status_code == 401
    forged = {"Authorization": "Bearer dev.YWxpY2U.0000"}
    assert requests.get(f"{client.base}/inbox/api/queue", headers=forged, timeout=10).status_code == 401


def test_the_queue_is_in_priority_order_with_reasons_waiting_time_and_sla_countdown(inbox):
    client, _ = inbox
    clock.travel_to(datetime(2025, 11, 25, 11, 0, tzinfo=UTC))

    rows = client.get("queue").json()["cases"]

    assert sorted(r["author"] for r in rows) == ["claire_dupont", "maxtech", "sam_b"]
    assert [r["effective"] for r in rows] == sorted((r["effective"] for r in rows), reverse=True)
    maxtech = next(r for r in rows if r["author"] == "maxtech")  # wrote at 09:15 UTC, 10:15 in Paris
    assert maxtech["reasons"] and maxtech["ref"].startswith("CB-") and maxtech["channel"] == "mention"
    assert maxtech["waiting_minutes"] == 105 and maxtech["due_in_minutes"] == maxtech["sla_minutes"] - 105
    assert maxtech["effective"] > maxtech["priority"]  # aged by the opening minutes it waited
    assert client.get("queue", status="answered").json()["cases"] == []
    assert [r["author"] for r in client.get("queue", channel="reply").json()["cases"]] == ["sam_b"]
    assert client.get("queue", status="everything").status_code == 400


def test_a_claimed_case_shows_who_has_it_and_a_second_agent_can_neither_claim_nor_answer_it(inbox):
    client, stack = inbox
    case_id = client.get("queue").json()["cases"][0]["id"]

    assert client.post(f"cases/{case_id}/claim").json()["claimed_by"] == "alice"
    taken = client.post(f"cases/{case_id}/claim", agent="bob")
    answered = client.post(f"cases/{case_id}/reply", {"text": "Bonjour, on regarde !"}, agent="bob")

    assert taken.status_code == 409 and taken.json()["claimed_by"] == "alice"
    assert answered.status_code == 409 and stack.x_calls() == []
    assert client.get(f"cases/{case_id}", agent="bob").json()["claimed_by"] == "alice"
    assert client.get("queue", agent="bob").json()["cases"][0]["claimed_by"] == "alice"
    assert client.post(f"cases/{case_id}/assign", {"agent": "carol"}, agent="bob").status_code == 409
    assert client.post(f"cases/{case_id}/assign", {"agent": "bob"}).json()["claimed_by"] == "bob"
    assert client.post(f"cases/{case_id}/claim").status_code == 409  # now bob's: alice handed it over
    activity = client.get(f"cases/{case_id}", agent="bob").json()["activity"]
    assert [(a["agent"], a["action"], a["detail"]) for a in activity] == [
        ("alice", "claim", ""),
        ("alice", "assign", "bob"),
    ]


def test_answering_with_a_template_posts_in_the_thread_answers_the_case_and_records_who(inbox):
    client, stack = inbox
    case = client.get("cases/public-1860000000000000102").json()
    template = next(t for t in case["templates"] if t["name"] == "investigating")
    assert "Max" in template["text"] or "@maxtech" in template["text"]

    sent = client.post("cases/public-1860000000000000102/reply", {"text": template["text"]})

    assert sent.status_code == 200 and sent.json()["via"] == "reply"
    (post,) = stack.x_calls()
    assert post.action == "reply" and post.target == "1860000000000000102" and post.text == template["text"]
    after = client.get("cases/public-1860000000000000102").json()
    assert after["status"] == "answered" and after["conversation"][-1]["direction"] == "out"
    assert [(a["agent"], a["action"]) for a in after["activity"]] == [("alice", "claim"), ("alice", "reply")]
    assert "public-1860000000000000102" not in [r["id"] for r in client.get("queue").json()["cases"]]


def test_notes_close_and_noise_are_recorded_with_the_agent(inbox):
    client, _ = inbox
    case_id = "public-1860000000000000101"

    assert client.post(f"cases/{case_id}/notes", {"text": "VIP: called yesterday"}).status_code == 201
    assert client.post(f"cases/{case_id}/notes", {"text": "   "}).status_code == 400
    assert client.post(f"cases/{case_id}/noise", {"noise": True}).json()["status"] == "noise"
    assert client.post(f"cases/{case_id}/noise", {"noise": False}).json()["status"] == "open"
    assert client.post(f"cases/{case_id}/close").json()["status"] == "closed"

    detail = client.get(f"cases/{case_id}").json()
    assert detail["notes"] == [{"agent": "alice", "text": "VIP: called yesterday", "at": detail["notes"][0]["at"]}]
    assert [a["action"] for a in detail["activity"]] == ["note", "noise", "not noise", "close"]


def test_an_agent_moves_a_case_to_the_urgent_band_and_back_and_the_queue_follows(inbox):
    client, _ = inbox
    case_id = "public-1860000000000000102"

    assert client.post(f"cases/{case_id}/urgent", {"urgent": True}).json()["band"] == "urgent"
    first = client.get("queue").json()["cases"][0]
    assert first["id"] == case_id and first["reasons"][0].startswith("urgent band (an agent said so)")
    assert client.post(f"cases/{case_id}/urgent", {"urgent": False}).json()["band"] == "normal"
    assert [a["action"] for a in client.get(f"cases/{case_id}").json()["activity"]] == ["urgent", "not urgent"]


def test_the_coach_advises_as_you_type_with_xs_weighted_length(inbox):
    client, _ = inbox

    report = client.post("coach", {"text": "ok", "case_id": "public-1860000000000000102"}).json()
    long = client.post("coach", {"text": "é" * 300, "case_id": "public-1860000000000000102"}).json()

    assert report["weighted_length"] == 2 and report["limit"] == 280 and not report["too_long"]
    assert any(not a["applied"] and a["rule"] == "personal touch" for a in report["advice"])
    assert long["too_long"] and long["weighted_length"] == 300


def test_search_finds_past_cases_by_reference_or_handle_and_the_kpis_count_the_day(inbox):
    client, _ = inbox
    ref = client.get("cases/public-1860000000000000101").json()["ref"]

    assert [c["author"] for c in client.get("search", q=ref).json()["cases"]] == ["claire_dupont"]
    assert [c["ref"] for c in client.get("search", q="@Claire_Dupont").json()["cases"]] == [ref]
    kpi = client.get("kpi", days=7).json()
    assert kpi["cases"] == 3 and sum(d["total"] for d in kpi["by_day"]) == 3 and len(kpi["by_day"]) == 7


def test_state_changing_requests_must_be_json_from_this_page(inbox):
    """No cookies are used (a token travels in a header), and a form or a foreign page is refused anyway."""
    client, _ = inbox
    url = f"{client.base}/inbox/api/cases/public-1860000000000000101/close"
    auth = client._auth("alice")

    as_form = requests.post(url, data={"x": "1"}, headers=auth, timeout=10)
    foreign = requests.post(url, json={}, headers={**auth, "Origin": "https://evil.example"}, timeout=10)

    assert as_form.status_code == 400 and foreign.status_code == 401
    assert client.get("cases/public-1860000000000000101").json()["status"] != "closed"


def test_a_watch_case_cannot_be_answered_through_the_api(inbox):
    client, stack = inbox
    from carebird.app.ingest import IngestSettings, apply_event
    from carebird.domain.model import Channel
    from carebird.x.normalise import parse_delivery
    from tests.helpers import BRAND

    (event,) = parse_delivery(fixture("aaa-mention.json"), BRAND).events
    from dataclasses import replace

    citation = replace(event, id="1870000000000000999", channel=Channel.CITATION)
    apply_event(
        stack.store, replace(citation, author=replace(event.author, id="999", handle="someone")), IngestSettings()
    )

    refused = client.post("cases/public-1870000000000000999/reply", {"text": "Bonjour !"})

    assert (refused.status_code == 400 and "X app" in refused.json()["error"]) or "answer from" in refused.json()[
        "error"
    ]
    assert stack.x_calls() == []


def test_the_inbox_uses_only_the_table_actions_its_role_allows(inbox):
    from tests.integration.test_template import RESOURCES, _dynamodb_actions

    client, stack = inbox
    used: set[str] = set()

    def record(params, model, **_):
        if model.name == "TransactWriteItems":
            used.update({"Put": "PutItem", "Update": "UpdateItem"}[next(iter(i))] for i in params["TransactItems"])
        else:
            used.add(model.name)

    stack.inbox.desk.store.client.meta.events.register("before-parameter-build.dynamodb.*", record)
    case_id = client.get("queue").json()["cases"][0]["id"]
    client.get(f"cases/{case_id}")
    client.post(f"cases/{case_id}/notes", {"text": "checking"})
    client.post(f"cases/{case_id}/reply", {"text": "Bonjour, c'est réglé !", "nonce": "n-1"})
    client.post(f"cases/{case_id}/reply", {"text": "Bonjour, c'est réglé !", "nonce": "n-2"})  # given back
    client.post(f"cases/{case_id}/tag", {"add": ["box"]})
    client.post("bulk", {"action": "pending", "cases": [case_id]})
    client.get("team")
    client.get("counts")
    client.get("search", q="box rouge")
    client.post(f"cases/{case_id}/close")
    client.get("search", q="@maxtech")
    client.get("search", q="CB-000102")
    client.get("kpi")
    client.get("queue", status="closed")

    allowed = {a.split(":")[1] for a in _dynamodb_actions(RESOURCES["InboxFunction"])}
    assert used and used <= allowed, used - allowed


def test_a_customer_who_wrote_stop_is_shown_opted_out_of_automation_on_their_case(inbox):
    client, stack = inbox
    case_id = "public-1860000000000000101"
    assert client.get(f"cases/{case_id}").json()["automation"]["opted_out_at"] is None
    stop = fixture("aaa-dm-incoming.json")
    stop["direct_message_events"][0]["message_create"]["message_data"]["text"] = "STOP"

    assert stack.deliver(stop)["statusCode"] == 200

    automation = client.get(f"cases/{case_id}").json()["automation"]
    assert automation["opted_out_at"] is not None and automation["acknowledgement"] is None


def test_the_kpis_show_what_x_bills_for_the_period(inbox):
    client, _ = inbox

    spend = client.get("kpi", days=7).json()["x_spend"]

    # three customer posts delivered by X; the local stack posts in dry run, which X never bills
    assert spend == {"usd": 0.015, "usage": {"post_event": 3, "dm_event": 0}, "days": 7}


def test_an_unchanged_queue_refresh_reads_only_the_queue_version_and_a_change_shows_on_the_next_refresh(inbox):
    from carebird.aws.schema import QUEUE_VERSION_KEY, agent_key, to_dynamo

    client, stack = inbox
    first = client.get("queue")
    held = {"If-None-Match": first.headers["ETag"]}
    read: list[tuple[str, object]] = []

    def record(params, model, **_):
        read.append((model.name, params.get("Key")))

    stack.inbox.desk.store.client.meta.events.register("before-parameter-build.dynamodb.*", record)
    again = requests.get(f"{client.base}/inbox/api/queue", timeout=30, headers={**client._auth("alice"), **held})

    assert again.status_code == 304 and again.text == ""
    assert read == [("GetItem", to_dynamo(agent_key("alice"))), ("GetItem", to_dynamo(QUEUE_VERSION_KEY))]
    case_id = first.json()["cases"][0]["id"]
    assert client.post(f"cases/{case_id}/claim").status_code == 200  # the stream's dispatcher runs after it
    changed = requests.get(f"{client.base}/inbox/api/queue", timeout=30, headers={**client._auth("alice"), **held})
    assert changed.status_code == 200 and changed.headers["ETag"] != held["If-None-Match"]
    assert next(r for r in changed.json()["cases"] if r["id"] == case_id)["claimed_by"] == "alice"


def test_a_customer_message_from_x_changes_the_queue_version_and_the_page_redraws(inbox):
    client, stack = inbox
    held = {"If-None-Match": client.get("queue").headers["ETag"]}
    assert stack.deliver(fixture("aaa-dm-incoming.json"))["statusCode"] == 200

    headers = {**client._auth("alice"), **held}
    before_dispatch = requests.get(f"{client.base}/inbox/api/queue", timeout=30, headers=headers)
    stack.dispatch()
    after = requests.get(f"{client.base}/inbox/api/queue", timeout=30, headers=headers)

    assert before_dispatch.status_code == 304  # the case is written; its stream record not handled yet
    assert after.status_code == 200 and after.headers["ETag"] != held["If-None-Match"]
