"""Going live on the X Activity API with OAuth 2.0: authorize, subscribe, deliveries, answers, refresh, revoke.

AWS on moto; X answered at the transport by tests/integration/x_fake.py, which checks every request carebird
sends against X's OpenAPI spec (subscriptions) and the documented token requests, and spends refresh tokens once.
"""

from __future__ import annotations

import json
import socket
import threading
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import boto3
import pytest
import requests
import responses
from carebird_local import local
from carebird_local.cli import main
from click.testing import CliRunner

from carebird import clock
from carebird import settings as configuration
from carebird.app.answering import answer_case
from carebird.app.automation import Acknowledged, AutomationSettings, acknowledge
from carebird.aws.case_store import DynamoCaseStore
from carebird.aws.outbox import DynamoOutbox
from carebird.aws.pause import DynamoAutomationState
from carebird.domain.model import XOutcome
from carebird.x.factory import x_client
from carebird.x.oauth2 import BrandToken, BrandTokens, RefreshClaims, SecretVault
from tests.helpers import EVENING_CASE_ITEM
from tests.integration.conftest import SECRET, TABLE, create_deployed_stack
from tests.integration.x_fake import APP_BEARER, DOCS, WEBHOOK_ID, FakeX

pytestmark = pytest.mark.integration

BRAND_ID, HANDLE = "1111111111111111111", "ExampleUser"  # the subscribed account of X's event-payloads page
MONDAY = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # 11:00 in Paris: open
MENTION_CASE = "public-2080765813578191303"  # OtherUser's mention in X's post.mention.create example


def docs_event(name: str) -> dict:
    return json.loads((DOCS / name).read_text(encoding="utf-8"))


def revocation_now() -> dict:
    """X's oauth.revoke example, dated now (the example's own date precedes the test's authorization)."""
    event = docs_event("oauth.revoke.json")
    event["data"]["payload"]["date_time"] = clock.now().isoformat()
    return event


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def live(aws, monkeypatch):
    """A deployed stack for @ExampleUser (table, secret with the app's keys, team topic) and a fake X."""
    dynamodb, sqs = boto3.client("dynamodb"), boto3.client("sqs")
    local.create_cases_table(dynamodb, TABLE)
    secret_arn = create_deployed_stack(outputs={"BrandUserId": BRAND_ID, "BrandHandle": HANDLE})
    topic, inbox = local.create_inbox(boto3.client("sns"), sqs, "team")
    for name, value in {
        "CASES_TABLE": TABLE,
        "X_SECRET_ARN": secret_arn,
        "BRAND_USER_ID": BRAND_ID,
        "BRAND_HANDLE": HANDLE,
        "X_ALERT_TOPIC_ARN": topic,
        "INGESTER_FUNCTION": "carebird-ingester",
    }.items():
        monkeypatch.setenv(name, value)
    clock.travel_to(MONDAY)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_passthru("http://127.0.0.1")  # the loopback redirect is served for real
        fake = FakeX(BRAND_ID, HANDLE).install(mock)
        webhook, queue = local.connected_webhook()

        def deliver(payload: dict) -> dict:
            status, answer = local.post_delivery(webhook, queue, local.signed_delivery(payload, SECRET))
            assert status == 200
            return answer["outcomes"]

        yield SimpleNamespace(
            fake=fake,
            secret_arn=secret_arn,
            topic=topic,
            deliver=deliver,
            emails=lambda: local.read_inbox(sqs, inbox),
            store=DynamoCaseStore(TABLE, dynamodb),
            state=DynamoAutomationState(TABLE, dynamodb),
            secret=lambda: SecretVault(secret_arn).read(),
            container=lambda: x_client(secret_arn, False, TABLE, topic, HANDLE),
        )


def authorize_in_browser(live, monkeypatch) -> object:
    """`carebird x authorize`: the brand approves in its browser, X redirects it to carebird's loopback address."""

    def browser(url: str) -> bool:
        redirect = live.fake.approve(url)
        threading.Thread(target=lambda: requests.get(redirect, timeout=10), daemon=True).start()
        return True

    monkeypatch.setattr("webbrowser.open", browser)
    port = free_port()
    return CliRunner().invoke(
        main, ["x", "--stack", "carebird", "authorize", "--client-id", "cid", "--port", str(port)]
    )


def cli(*args: str) -> object:
    return CliRunner().invoke(main, ["x", "--stack", "carebird", *args])


def test_a_brand_goes_live_on_the_x_activity_api_and_stays_live_past_its_two_hour_token(live, monkeypatch):
    # authorize: the tokens go to the secret, nowhere else
    authorized = authorize_in_browser(live, monkeypatch)
    assert authorized.exit_code == 0, authorized.output
    stored = live.secret()["oauth2"]
    assert stored["user_id"] == BRAND_ID and live.secret()["client_id"] == "cid"
    assert stored["access_token"] not in authorized.output and stored["refresh_token"] not in authorized.output
    assert "offline.access" in stored["scope"] and "next: carebird x subscribe" in authorized.output

    # subscribe: every event type carebird needs, on the webhook, for the brand
    subscribed = cli("subscribe")
    assert subscribed.exit_code == 0, subscribed.output
    assert "8 created, 0 removed, 0 unchanged" in subscribed.output
    assert {(s["event_type"], s["filter"]["user_id"], s["webhook_id"]) for s in live.fake.subscriptions} == {
        (event, BRAND_ID, WEBHOOK_ID)
        for event in (
            "post.mention.create", "post.reply.create", "post.quote.create", "post.create", "post.delete",
            "dm.received", "dm.sent", "chat.received",
        )
    }  # fmt: skip
    status = cli("status")
    assert status.exit_code == 0 and status.output.count(" active (") == 8 and "missing" not in status.output

    # deliveries: the customer's mention opens a case; the agent answers with the brand's access token
    assert live.deliver(docs_event("post.mention.create.json")) == {"created": 1}
    container = live.container()
    answered = answer_case(
        live.store, live.store.get_case(MENTION_CASE), "Bonjour, on regarde.", container, clock.now(), BRAND_ID
    )
    assert answered.answered and live.fake.posts[-1]["bearer"] == stored["access_token"]

    # two hours later the same container refreshes first, and stores the new refresh token before posting
    seen_at_post = []
    live.fake.on_post = lambda bearer: seen_at_post.append((bearer, live.secret()["oauth2"]))
    clock.travel_to(MONDAY + timedelta(hours=2))
    assert container.reply("Nous revenons vers vous.", "2080765813578191303").outcome is XOutcome.SENT
    (bearer, secret_then) = seen_at_post[-1]
    assert live.fake.spent == [stored["refresh_token"]]
    assert bearer == secret_then["access_token"] != stored["access_token"]
    assert secret_then["refresh_token"] != stored["refresh_token"]

    # the brand withdraws carebird's access: automation pauses, the team hears it once, messages still land
    revocation = revocation_now()
    assert live.deliver(revocation) == {"ignored": 1}
    assert live.deliver(revocation) == {"ignored": 1}  # X redelivers: no second alert
    emails = live.emails()
    assert len(emails) == 1 and "withdrew carebird's access" in emails[0]["message"]
    assert live.state.paused().kind == "revoked"
    assert live.deliver(docs_event("dm.received.json")) == {"appended": 1}
    assert live.fake.violations == []


def test_subscribe_again_changes_nothing_removes_carebirds_stale_subscriptions_and_leaves_others_alone(
    live, monkeypatch
):
    assert authorize_in_browser(live, monkeypatch).exit_code == 0
    stale = {"subscription_id": "1900000000000000001", "event_type": "dm.received", "tag": "carebird",
             "filter": {"user_id": BRAND_ID}, "webhook_id": "1800000000000000001"}  # fmt: skip
    foreign = {"subscription_id": "1900000000000000002", "event_type": "profile.update.bio", "tag": "crm",
               "filter": {"user_id": BRAND_ID}, "webhook_id": WEBHOOK_ID}  # fmt: skip
    live.fake.subscriptions += [stale, foreign]

    first, second = cli("subscribe"), cli("subscribe")

    assert "removed dm.received (1900000000000000001)" in first.output
    assert "8 created, 1 removed, 0 unchanged" in first.output
    assert "0 created, 0 removed, 8 unchanged" in second.output
    assert foreign in live.fake.subscriptions and stale not in live.fake.subscriptions
    assert live.fake.violations == []


def test_two_containers_refreshing_at_once_spend_the_refresh_token_once_and_share_its_successor(live, monkeypatch):
    assert authorize_in_browser(live, monkeypatch).exit_code == 0
    first = live.secret()["oauth2"]
    clock.travel_to(MONDAY + timedelta(hours=2))
    live.fake.refresh_delay = 0.3  # X takes its time: the other container arrives while the token is being spent
    pause = threading.Event()
    containers = [
        BrandTokens(SecretVault(live.secret_arn), RefreshClaims(TABLE), clock.now, sleep=lambda s: pause.wait(0.05))
        for _ in range(2)
    ]
    start, got = threading.Barrier(2), {}

    def use(index: int) -> None:
        start.wait()
        got[index] = containers[index].access_token()

    threads = [threading.Thread(target=use, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert live.fake.spent == [first["refresh_token"]] and live.fake.refused == []
    assert got[0] == got[1] == live.secret()["oauth2"]["access_token"] != first["access_token"]
    assert live.state.paused() is None and live.fake.violations == []


def test_a_refresh_x_refuses_pauses_automation_and_alerts_the_team_once(live, monkeypatch):
    assert authorize_in_browser(live, monkeypatch).exit_code == 0
    clock.travel_to(MONDAY + timedelta(hours=2, minutes=1))
    live.fake.refuse_refresh = True

    first, second = live.container(), live.container()
    results = [first.reply("Merci !", "2080765813578191303"), second.reply("Merci !", "2080765813578191303")]

    assert [r.outcome for r in results] == [XOutcome.BLOCKED, XOutcome.BLOCKED]
    assert len(live.fake.refused) == 1  # the second container read the refusal from the claim: X asked once
    emails = live.emails()
    assert len(emails) == 1 and "carebird x authorize" in emails[0]["message"]
    assert live.state.paused().kind == "refresh_refused" and live.fake.posts == []
    evening = datetime(2025, 11, 25, 20, 31, tzinfo=UTC)
    automation = AutomationSettings(hours=configuration.opening_hours({}), brand_handle=HANDLE)
    outbox = DynamoOutbox(TABLE)
    paused = acknowledge(EVENING_CASE_ITEM, evening, automation, outbox, first, outbox, live.state)
    assert paused.status is Acknowledged.PAUSED and live.fake.posts == []

    assert authorize_in_browser(live, monkeypatch).exit_code == 0  # re-authorizing lifts the pause
    assert live.state.paused() is None


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (402, {"title": "Payment Required", "type": "https://api.x.com/2/problems/credits-depleted",
               "detail": "Your enrolled account does not have any credits to fulfill this request."},
         "credits_depleted"),
        (429, {"title": "UsageCapExceeded", "type": "https://api.x.com/2/problems/usage-capped",
               "detail": "Usage cap exceeded: Monthly product cap", "period": "Monthly", "scope": "Product"},
         "usage_cap"),
    ],
)  # fmt: skip
def test_credits_depleted_or_a_usage_cap_pauses_automation_alerts_once_and_resume_lifts_it(
    live, monkeypatch, status, body, kind
):
    assert authorize_in_browser(live, monkeypatch).exit_code == 0
    live.fake.post_answer = (status, body)

    results = [live.container().reply("Merci !", "2080765813578191303") for _ in range(2)]

    assert [r.outcome for r in results] == [XOutcome.BLOCKED, XOutcome.BLOCKED]
    assert live.state.paused().kind == kind and len(live.emails()) == 1
    assert "PAUSED" in cli("status").output
    resumed = cli("resume")
    assert resumed.exit_code == 0 and "resumed" in resumed.output and live.state.paused() is None


def test_a_functions_client_answers_with_the_brands_token_and_bills_only_what_x_carried_out(live, monkeypatch):
    from carebird.aws.usage import DynamoUsage
    from carebird.domain.xbill import week_usage

    assert authorize_in_browser(live, monkeypatch).exit_code == 0
    container = live.container()

    sent = container.reply("Merci !", "2080765813578191303")
    live.fake.post_answer = (
        402,
        {"title": "Payment Required", "type": "https://api.x.com/2/problems/credits-depleted"},
    )
    blocked = container.reply("Merci encore !", "2080765813578191303")

    assert (sent.outcome, blocked.outcome) == (XOutcome.SENT, XOutcome.BLOCKED)
    assert live.fake.posts[-1]["bearer"] == live.secret()["oauth2"]["access_token"]
    assert week_usage(DynamoUsage(TABLE).days(clock.now().date(), 1)) == {"reply": 1}
    assert live.state.paused().kind == "credits_depleted"


def test_a_rate_limit_429_is_retried_later_without_pausing_anything(live, monkeypatch):
    assert authorize_in_browser(live, monkeypatch).exit_code == 0
    live.fake.post_answer = (429, {"title": "Too Many Requests", "detail": "Too Many Requests", "status": 429})

    result = live.container().reply("Merci !", "2080765813578191303")

    assert result.outcome is XOutcome.RETRY_LATER and live.state.paused() is None and live.emails() == []


def test_a_headless_operator_authorizes_by_pasting_the_redirect_and_a_wrong_account_stores_nothing(live):
    from carebird_local import xlive
    from carebird_local.target import open_stack

    from carebird.x.admin import XAdmin

    stack = open_stack("carebird", False)
    token, user = xlive.authorize(stack, XAdmin, "cid", "", 8765, lambda attempt: live.fake.approve(attempt.url))
    assert user["id"] == BRAND_ID and BrandToken.from_secret(live.secret()).access_token == token.access_token

    live.fake.brand = {"id": "2244994945", "username": "XDevelopers", "name": "Developers"}
    with pytest.raises(xlive.GoLiveError, match="serves account 1111111111111111111"):
        xlive.authorize(stack, XAdmin, "cid", "", 8765, lambda attempt: live.fake.approve(attempt.url))
    assert BrandToken.from_secret(live.secret()).access_token == token.access_token
    assert live.fake.violations == []


def test_a_confidential_app_authenticates_its_token_requests_with_basic_auth(live):
    from carebird_local import xlive
    from carebird_local.target import open_stack

    from carebird.x.admin import XAdmin

    live.fake.client_secret = "app-secret"
    xlive.authorize(
        open_stack("carebird", False), XAdmin, "cid", "app-secret", 8765, lambda a: live.fake.approve(a.url)
    )
    clock.travel_to(MONDAY + timedelta(hours=3))

    assert live.container().reply("Merci !", "2080765813578191303").outcome is XOutcome.SENT
    assert len(live.fake.spent) == 1 and live.fake.violations == []
    assert live.secret()["client_secret"] == "app-secret"


def test_the_account_activity_revoke_event_pauses_automation_too(live):
    event = docs_event("aaa.user_event.json")
    event["user_event"]["revoke"]["source"]["user_id"] = BRAND_ID

    live.deliver(event)

    assert live.state.paused().kind == "revoked" and len(live.emails()) == 1


def test_another_accounts_revocation_changes_nothing(live):
    event = docs_event("oauth.revoke.json")
    event["data"]["payload"]["user_id"] = "2244994945"

    live.deliver(event)

    assert live.state.paused() is None and live.emails() == []


def test_health_names_the_x_activity_subscriptions_that_are_missing(live, monkeypatch):
    from carebird.app.health import check_ingestion
    from carebird.x.admin import XAdmin

    live.fake.subscriptions.append(
        {"subscription_id": "1900000000000000003", "event_type": "post.mention.create", "tag": "carebird",
         "filter": {"user_id": BRAND_ID}, "webhook_id": WEBHOOK_ID}
    )  # fmt: skip
    report = check_ingestion(
        XAdmin({"bearer_token": APP_BEARER}),
        last_event_at=MONDAY,
        recent_mentions=None,
        hours=configuration.opening_hours({}),
        now=MONDAY,
        silence=timedelta(hours=2),
        feed="xaa",
        brand_user_id=BRAND_ID,
    )

    assert report.webhook_valid is True and report.subscribed is False
    assert report.missing_subscriptions == [
        "post.reply.create", "post.quote.create", "post.create", "post.delete", "dm.received", "dm.sent",
        "chat.received",
    ]  # fmt: skip
    assert "run carebird x subscribe" in report.problems[0] and live.fake.violations == []


def test_the_inbox_api_gives_the_banner_flag_while_automation_is_paused(live):
    from carebird.aws.teamstore import DynamoTeam

    DynamoTeam(live.store).add("alice@example.com")  # the inbox answers only the team's roster
    inbox = local.load_function("inbox")
    context = local.LambdaContext(function_name="carebird-inbox")

    def banner() -> dict:
        event = local.http_api_event("GET", "/inbox/api/automation")
        event["requestContext"]["authorizer"] = {"jwt": {"claims": {"email": "alice@example.com"}}}
        response = inbox.lambda_handler(event, context)
        assert response["statusCode"] == 200
        return json.loads(response["body"])

    before = banner()
    live.deliver(docs_event("oauth.revoke.json"))
    after = banner()

    assert before == {"paused": False, "banner": None}
    assert after["paused"] is True and after["banner"]["kind"] == "revoked"
    assert "carebird x authorize" in after["banner"]["reason"]


def test_a_usage_cap_told_only_by_the_problem_type_is_still_a_usage_cap(live, monkeypatch):
    assert authorize_in_browser(live, monkeypatch).exit_code == 0
    live.fake.post_answer = (429, {"title": "Too Many Requests", "type": "https://api.x.com/2/problems/usage-capped"})

    assert live.container().reply("Merci !", "2080765813578191303").outcome is XOutcome.BLOCKED
    assert live.state.paused().kind == "usage_cap"


def test_a_consent_x_refuses_to_exchange_is_one_clear_line_and_stores_nothing(live):
    from carebird_local import xlive
    from carebird_local.target import open_stack

    from carebird.x.admin import XAdmin

    def stale_code(attempt) -> str:
        redirect = live.fake.approve(attempt.url)
        live.fake.codes.clear()  # more than X's 30 seconds went by
        return redirect

    with pytest.raises(xlive.GoLiveError, match=r"X refused the token request \(400.*nothing was stored"):
        xlive.authorize(open_stack("carebird", False), XAdmin, "cid", "", 8765, stale_code)
    assert "oauth2" not in live.secret()


def test_a_container_whose_access_token_another_refresh_ended_reads_the_new_one_and_posts(live, monkeypatch):
    assert authorize_in_browser(live, monkeypatch).exit_code == 0
    clock.travel_to(MONDAY + timedelta(minutes=10))
    early = live.container()  # holds the first access token, fresh for another hour and a half
    live.fake.invalidate_on_refresh = True
    later = BrandTokens(SecretVault(live.secret_arn), RefreshClaims(TABLE), lambda: MONDAY + timedelta(hours=2))
    renewed = later.access_token()  # another container, nearer the expiry, refreshed

    assert early.reply("Merci !", "2080765813578191303").outcome is XOutcome.SENT
    assert live.fake.posts[-1]["bearer"] == renewed and len(live.fake.spent) == 1


def test_a_revocation_x_redelivers_or_replays_after_the_brand_authorized_again_pauses_nothing(live, monkeypatch):
    revocation = revocation_now()
    live.deliver(revocation)
    assert live.state.paused().kind == "revoked" and len(live.emails()) == 1

    clock.travel_to(MONDAY + timedelta(minutes=20))
    authorized = authorize_in_browser(live, monkeypatch)  # the team fixes it: the pause is lifted
    assert authorized.exit_code == 0, authorized.output and live.state.paused() is None
    live.deliver(revocation)  # X's retry of the old delivery, or `carebird x replay` over that hour

    assert live.state.paused() is None and live.emails() == []
    clock.travel_to(MONDAY + timedelta(minutes=40))
    live.deliver(revocation_now())  # a new withdrawal still pauses
    assert live.state.paused().kind == "revoked" and len(live.emails()) == 1
