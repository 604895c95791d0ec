"""The inbox's desk through the local server: answers posted once per nonce, a confirmation before answering an
answered case, the roster (a removed agent is refused at the next call, assignment only to members, a lead's
take-over), pending cases, tags, bulk actions, free-text search, honest due times, templates that fit, an
unchanged queue answered 304, and the CLI taking the same path (claims, activity, the thread's author)."""

import re
import threading
from datetime import UTC, datetime

import pytest
from carebird_local.cli import main
from carebird_local.server import build_server
from click.testing import CliRunner

from carebird import clock
from carebird.aws.teamstore import DynamoTeam
from tests.helpers import fixture
from tests.integration import test_inbox
from tests.integration.conftest import create_deployed_stack
from tests.integration.test_inbox import Client

pytestmark = pytest.mark.integration
inbox = test_inbox.inbox  # the same inbox over the local server, three cases delivered and dispatched
CLAIRE, MAX, SAM = "public-1860000000000000101", "public-1860000000000000102", "public-1860000000000000103"


def test_a_double_submitted_answer_is_posted_once(inbox):
    client, stack = inbox
    answer = {"text": "Bonjour Claire, on regarde tout de suite !", "nonce": "n-1"}

    first = client.post(f"cases/{CLAIRE}/reply", answer)
    second = client.post(f"cases/{CLAIRE}/reply", answer)

    assert first.status_code == 200 and first.json()["sent"] and not first.json()["repeated"]
    assert second.status_code == 200 and second.json()["repeated"] and "already sent" in second.json()["message"]
    assert len(stack.x_calls()) == 1


def test_an_answered_case_needs_an_explicit_confirmation_before_a_second_answer(inbox):
    client, stack = inbox
    assert client.post(f"cases/{CLAIRE}/reply", {"text": "Bonjour Claire !", "nonce": "a"}).status_code == 200

    unconfirmed = client.post(f"cases/{CLAIRE}/reply", {"text": "Et aussi…", "nonce": "b"})
    confirmed = client.post(f"cases/{CLAIRE}/reply", {"text": "Et aussi…", "nonce": "b", "confirm": True})

    assert (
        unconfirmed.status_code == 409 and unconfirmed.json()["confirm"] and unconfirmed.json()["status"] == "answered"
    )
    assert confirmed.status_code == 200 and len(stack.x_calls()) == 2  # the refused nonce was given back


def test_a_removed_agent_is_refused_at_the_next_call(inbox):
    client, stack = inbox
    assert client.get("queue", agent="bob").status_code == 200

    DynamoTeam(stack.store).remove("bob")

    refused = client.get("queue", agent="bob")
    assert refused.status_code == 403 and "roster" in refused.json()["error"]
    assert client.post(f"cases/{CLAIRE}/reply", {"text": "Bonjour"}, agent="bob").status_code == 403
    assert stack.x_calls() == []


def test_a_case_is_assigned_only_to_a_member_picked_from_the_roster(inbox):
    client, _stack = inbox
    client.sign_in("bob")

    stranger = client.post(f"cases/{CLAIRE}/assign", {"agent": "bobb"})
    team = client.get("team").json()
    handed = client.post(f"cases/{CLAIRE}/assign", {"agent": "BOB"})

    assert stranger.status_code == 400 and "not on the team" in stranger.json()["error"]
    assert [m["agent"] for m in team["members"]] == ["alice", "bob"] and team["me"]["role"] == "agent"
    assert handed.json()["claimed_by"] == "bob"


def test_a_lead_takes_a_case_back_and_it_is_recorded(inbox):
    client, _stack = inbox
    client.post(f"cases/{CLAIRE}/claim", agent="bob")
    lead = Client(client.base)
    import requests

    token = requests.post(f"{client.base}/inbox/dev/sign-in", json={"name": "lea", "lead": True}, timeout=10).json()
    lead.tokens["lea"] = token["token"]

    refused = client.post(f"cases/{CLAIRE}/take-over", agent="alice")
    taken = lead.post(f"cases/{CLAIRE}/take-over", agent="lea")

    assert refused.status_code == 400 and taken.json()["claimed_by"] == "lea"
    activity = lead.get(f"cases/{CLAIRE}", agent="lea").json()["activity"]
    assert [(a["agent"], a["action"], a["detail"]) for a in activity][-1] == ("lea", "take over", "from bob")


def test_a_pending_case_stops_waiting_and_returns_to_the_queue_when_the_customer_writes(inbox):
    client, stack = inbox
    assert client.post(f"cases/{CLAIRE}/pending").json()["status"] == "pending"
    assert CLAIRE not in [r["id"] for r in client.get("queue").json()["cases"]]
    assert [r["id"] for r in client.get("queue", view="pending").json()["cases"]] == [CLAIRE]

    clock.travel_to(datetime(2025, 11, 25, 11, 0, tzinfo=UTC))
    follow_up = fixture("aaa-mention.json")
    follow_up["tweet_create_events"][0].update(
        id_str="1860000000000000901", text="@LumiereAide voici mon n° client 1234", timestamp_ms="1764068400000"
    )
    assert stack.deliver(follow_up)["statusCode"] == 200
    stack.dispatch()

    row = next(r for r in client.get("queue").json()["cases"] if r["id"] == CLAIRE)
    assert row["status"] == "open" and row["waiting_minutes"] == 0


def test_bulk_noise_marks_each_case_with_its_own_activity_entry(inbox):
    client, _ = inbox
    client.post(f"cases/{SAM}/claim", agent="bob")

    done = client.post("bulk", {"action": "noise", "cases": [CLAIRE, MAX, SAM, "public-404"]}).json()

    assert done["done"] == [CLAIRE, MAX]
    assert {r["case"]: r["error"] for r in done["refused"]} == {
        SAM: "bob is working on this case",
        "public-404": "no case public-404",
    }
    assert [r["id"] for r in client.get("queue").json()["cases"]] == [SAM]
    for case_id in (CLAIRE, MAX):
        assert [(a["agent"], a["action"]) for a in client.get(f"cases/{case_id}").json()["activity"]] == [
            ("alice", "noise")
        ]


def test_free_text_search_reads_customer_words_notes_and_tags_and_says_when_nothing_matches(inbox):
    client, _ = inbox
    client.post(f"cases/{CLAIRE}/notes", {"text": "client fidèle, rappelé hier"})
    client.post(f"cases/{MAX}/tag", {"add": ["outage"]})

    assert [r["id"] for r in client.get("search", q="Fibre").json()["cases"]] == [SAM]
    assert [r["id"] for r in client.get("search", q="fidele rappele").json()["cases"]] == [CLAIRE]
    assert [r["id"] for r in client.get("search", q="outage").json()["cases"]] == [MAX]
    nothing = client.get("search", q="remboursement")
    assert nothing.status_code == 200 and nothing.json()["cases"] == [] and nothing.json()["read"] == 3


def test_an_unchanged_queue_answers_304_with_no_body(inbox):
    client, _ = inbox
    first = client.get("queue")
    import requests

    again = requests.get(
        f"{client.base}/inbox/api/queue",
        headers={**client._auth("alice"), "If-None-Match": first.headers["ETag"]},
        timeout=10,
    )
    assert first.status_code == 200 and first.json()["counts"]["waiting"] == 3
    assert again.status_code == 304 and again.content == b""
    client.post(f"cases/{CLAIRE}/claim")
    changed = requests.get(
        f"{client.base}/inbox/api/queue",
        headers={**client._auth("alice"), "If-None-Match": first.headers["ETag"]},
        timeout=10,
    )
    assert changed.status_code == 200 and changed.json()["counts"]["mine"] == 1


def test_a_case_opened_on_sunday_says_it_is_due_monday_in_opening_minutes(embedded):
    clock.travel_to(datetime(2025, 11, 30, 14, 0, tzinfo=UTC))  # Sunday 15:00 in Paris, closed
    sunday = fixture("aaa-mention.json")
    sunday["tweet_create_events"][0].update(created_at="Sun Nov 30 14:00:00 +0000 2025", timestamp_ms="1764511200000")
    assert embedded.deliver(sunday)["statusCode"] == 200
    http = build_server(embedded, "127.0.0.1", 0, report=lambda _line: None)
    threading.Thread(target=http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    client = Client(f"http://127.0.0.1:{http.server_port}")

    (row,) = client.get("queue").json()["cases"]
    http.shutdown()

    assert re.fullmatch(r"due Mon \d\d:\d\d \(\d+ opening min\)", row["due_text"]), row["due_text"]
    assert row["waiting_calendar_minutes"] == 0 and row["due_at"].startswith("2025-12-01T")


def test_templates_fit_the_hour_no_closed_until_while_open_and_a_greeting_by_the_clock(inbox):
    client, _ = inbox
    open_names = [t["name"] for t in client.get(f"cases/{CLAIRE}").json()["templates"]]
    clock.travel_to(datetime(2025, 11, 25, 19, 30, tzinfo=UTC))  # 20:30 in Paris, closed
    evening = {t["name"]: t["text"] for t in client.get(f"cases/{CLAIRE}").json()["templates"]}

    assert "closed_until" not in open_names and "fixed" in open_names
    assert evening["closed_until"].startswith("Bonsoir Claire") and "demain à 9h00" in evening["closed_until"]


def test_the_cli_refuses_a_case_a_colleague_holds_and_a_forced_reply_shows_in_the_thread_with_its_author(inbox):
    client, _stack = inbox
    create_deployed_stack()
    client.post(f"cases/{CLAIRE}/claim", agent="bob")
    run = CliRunner().invoke

    refused = run(
        main, ["reply", CLAIRE, "Bonjour Claire !", "--stack", "carebird", "--dry-run", "--yes", "--agent", "carol"]
    )
    forced = run(
        main,
        [
            "reply",
            CLAIRE,
            "Bonjour Claire !",
            "--stack",
            "carebird",
            "--dry-run",
            "--yes",
            "--agent",
            "carol",
            "--force",
        ],
    )
    closed = run(main, ["close", MAX, "--stack", "carebird", "--agent", "carol"])

    assert refused.exit_code == 1 and "bob is working on CB-" in refused.output and "--force" in refused.output
    assert forced.exit_code == 0, forced.output
    assert closed.exit_code == 0 and "closed" in closed.output
    case = client.get(f"cases/{CLAIRE}").json()
    answer = next(e for e in case["thread"] if e["kind"] == "message" and e["direction"] == "out")
    assert (answer["author"], answer["sent_by"], answer["text"]) == ("LumiereAide", "carol", "Bonjour Claire !")
    assert [
        (a["agent"], a["action"], a["detail"], a.get("source")) for a in case["thread"] if a["kind"] == "activity"
    ] == [
        ("bob", "claim", "", "inbox"),
        ("carol", "take over", "from bob; forced from the cli", "cli"),
    ]
    assert [(a["agent"], a["action"]) for a in client.get(f"cases/{MAX}").json()["activity"]] == [("carol", "close")]
