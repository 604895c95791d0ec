"""Brand watch and the polling fallback on moto + responses: the read cap holds and ingestion heals itself."""

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import responses
from carebird_local import local
from carebird_local.cli import main
from click.testing import CliRunner

from carebird import clock
from carebird.app.inbox import WATCH_CHANNELS
from carebird.app.ingest import IngestSettings
from carebird.app.polling import run_poll, run_watch
from carebird.app.watch import WatchQuery, WatchSettings, search_query
from carebird.aws.cursors import DynamoCursors
from carebird.domain.model import Channel
from carebird.domain.sla import SlaPolicy, on_case_change
from carebird.x.client import XReader
from carebird.x.normalise import Brand
from tests.helpers import fixture, waiting_case
from tests.integration.conftest import TABLE, X_CREDENTIALS

pytestmark = pytest.mark.integration
BRAND = Brand("1500000000000000001", "LumiereAide")
SEARCH = "https://api.x.com/2/tweets/search/recent"
MENTIONS = "https://api.x.com/2/users/1500000000000000001/mentions"
DMS = "https://api.x.com/2/dm_events"
CREDENTIALS = X_CREDENTIALS


@pytest.fixture
def stack(embedded):
    return embedded


def post(post_id, author, text, at="2025-11-25T10:00:00.000Z", **extra):
    return {"id": post_id, "text": text, "author_id": author, "created_at": at, "lang": "fr", **extra}


USERS = {
    "users": [
        {
            "id": "1600000000000000009",
            "name": "Paul R",
            "username": "paul_r",
            "public_metrics": {"followers_count": 5200},
        },
        {
            "id": "1600000000000000002",
            "name": "Claire Dupont",
            "username": "claire_dupont",
            "public_metrics": {"followers_count": 312},
        },
    ]
}
WATCH = WatchSettings(
    queries=(WatchQuery("brand", ("Lumière Télécom", "lumieretelecom")),), max_results=10, daily_read_cap=500
)


def test_the_search_query_names_the_brand_without_its_handle_retweets_or_own_posts():
    assert search_query(WATCH.queries[0], BRAND) == (
        '("Lumière Télécom" OR lumieretelecom) -is:retweet -from:LumiereAide -@LumiereAide'
    )


@responses.activate
def test_watch_pages_through_results_keeps_since_id_and_opens_citation_cases(stack):
    store, cursors = stack.store, DynamoCursors(TABLE, stack.dynamodb)
    responses.get(
        SEARCH,
        json={
            "data": [
                post(
                    "1870000000000000902",
                    "1600000000000000009",
                    "Chez Lumière Télécom la fibre est en panne depuis hier, nul",
                )
            ],
            "includes": USERS,
            "meta": {"newest_id": "1870000000000000902", "next_token": "page2", "result_count": 1},
        },
    )
    responses.get(
        SEARCH,
        json={
            "data": [
                post("1870000000000000901", "1600000000000000002", "quelqu'un a un bon plan chez lumieretelecom ?")
            ],
            "includes": USERS,
            "meta": {"newest_id": "1870000000000000901", "result_count": 1},
        },
    )
    responses.get(SEARCH, json={"meta": {"result_count": 0}})
    reader = XReader(credentials=CREDENTIALS)

    first = run_watch(WATCH, BRAND, reader, cursors, store, IngestSettings(), datetime(2025, 11, 25).date())
    second = run_watch(WATCH, BRAND, reader, cursors, store, IngestSettings(), datetime(2025, 11, 25).date())

    assert first["created"] == 2 and second.get("created", 0) == 0
    queries = [parse_qs(urlsplit(call.request.url).query) for call in responses.calls]
    assert "since_id" not in queries[0] and queries[1]["next_token"] == ["page2"]
    assert queries[2]["since_id"] == ["1870000000000000902"]
    case = store.get_case("public-1870000000000000902")
    assert case.channel is Channel.CITATION and case.topic == "technical"
    assert any("brand named without @" in reason for reason in case.reasons)
    assert case.channel.value in WATCH_CHANNELS  # answered from the X app: the inbox says so (carebird.app.inbox)


def test_watch_cases_get_their_own_sla_or_none(stack):
    started = []

    class Timers:
        def start(self, timer):
            started.append(timer)
            return True

    citation = waiting_case("public-1", "2025-11-25T09:00:00Z", channel="citation")
    topic = waiting_case("public-2", "2025-11-25T09:00:00Z", channel="topic")

    assert on_case_change(None, citation, SlaPolicy(), Timers()) == "started"
    assert on_case_change(None, topic, SlaPolicy(), Timers()) == "no SLA for this channel"
    assert started[0].input["waited_open_minutes"] == "240"


@responses.activate
def test_the_daily_read_cap_stops_the_watch_and_the_count_is_kept(stack):
    store, cursors = stack.store, DynamoCursors(TABLE, stack.dynamodb)
    page = {
        "data": [post(f"18700000000000010{i:02d}", "1600000000000000009", f"Lumière Télécom {i}") for i in range(10)],
        "includes": USERS,
        "meta": {"newest_id": "1870000000000001009", "next_token": "more", "result_count": 10},
    }
    responses.get(SEARCH, json=page)
    capped = WatchSettings(queries=WATCH.queries, max_results=10, daily_read_cap=25)
    day = datetime(2025, 11, 25).date()

    report = run_watch(capped, BRAND, XReader(credentials=CREDENTIALS), cursors, store, IngestSettings(), day)

    assert report["read cap reached"] == 1 and len(responses.calls) == 2
    assert cursors.reads_on(day) == 20
    assert cursors.since("watch#brand") == "1870000000000001009"


@responses.activate
def test_webhook_poller_and_watch_feed_the_same_cases_without_duplicates(stack):
    store, cursors = stack.store, DynamoCursors(TABLE, stack.dynamodb)
    stack.deliver(fixture("aaa-mention.json"))  # Claire's mention arrives by webhook first
    mention = post(
        "1860000000000000101",
        "1600000000000000002",
        "@LumiereAide bonjour, ma box internet ne marche plus depuis ce matin, voyant rouge. Vous pouvez m'aider ?",
        at="2025-11-25T09:00:00.000Z",
        entities={"mentions": [{"username": "LumiereAide", "id": BRAND.user_id}]},
    )
    new = post(
        "1870000000000000950",
        "1600000000000000009",
        "@LumiereAide et chez moi aussi, panne !",
        at="2025-11-25T10:30:00.000Z",
        entities={"mentions": [{"username": "LumiereAide"}]},
    )
    responses.get(
        MENTIONS,
        json={
            "data": [new, mention],
            "includes": USERS,
            "meta": {"newest_id": "1870000000000000950", "result_count": 2},
        },
    )
    responses.get(
        DMS,
        json={
            "data": [
                {
                    "id": "1860000000000000201",
                    "event_type": "MessageCreate",
                    "text": "Voici mon numéro client",
                    "sender_id": "1600000000000000002",
                    "dm_conversation_id": "1500000000000000001-1600000000000000002",
                    "created_at": "2025-11-25T10:03:20.000Z",
                }
            ],
            "includes": USERS,
        },
    )
    responses.get(SEARCH, json={"data": [mention], "includes": USERS, "meta": {"newest_id": mention["id"]}})
    reader = XReader(credentials=CREDENTIALS)
    day = datetime(2025, 11, 25).date()

    polled = run_poll(WATCH, BRAND, reader, cursors, store, IngestSettings(), day)
    stack.deliver(fixture("aaa-dm-incoming.json"))  # the webhook delivers the DM the poller already stored
    watched = run_watch(WATCH, BRAND, reader, cursors, store, IngestSettings(), day)

    # the new mention opens a case; Claire's DM continues her public case; her mention is a duplicate
    assert polled == polled | {"duplicate": 1, "created": 1, "appended": 1}
    assert watched.get("created", 0) == 0 and watched["duplicate"] == 1
    assert store.get_case("public-1860000000000000101").inbound_count == 2  # the mention and the DM, each once
    assert store.get_case("dm-1860000000000000201") is None
    assert store.get_case("public-1870000000000000950").channel is Channel.MENTION


@pytest.fixture
def health(stack, monkeypatch):
    topic, inbox = local.create_inbox(boto3.client("sns"), stack.sqs, "alerts")
    secret = boto3.client("secretsmanager").create_secret(Name="x-creds", SecretString=json.dumps(CREDENTIALS))
    monkeypatch.setenv("ALERT_TOPIC_ARN", topic)
    monkeypatch.setenv("X_SECRET_ARN", secret["ARN"])
    monkeypatch.setenv("X_FEED", "aaa")  # these checks concern the Account Activity subscription
    template = {
        "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
        "Outputs": {"CasesTableName": {"Value": TABLE}, "XSecretArn": {"Value": secret["ARN"]}},
    }
    boto3.client("cloudformation").create_stack(StackName="carebird", TemplateBody=json.dumps(template))
    return local.load_function("health"), inbox


@responses.activate
def test_health_repairs_an_invalid_webhook_and_stays_quiet_when_all_is_well(stack, health):
    function, inbox = health
    clock.travel_to(datetime(2025, 11, 25, 10, 0, tzinfo=UTC))
    stack.deliver(fixture("aaa-mention.json"))
    responses.get("https://api.x.com/2/webhooks", json={"data": [{"id": "7", "valid": False}]})
    responses.put("https://api.x.com/2/webhooks/7", json={"data": {"valid": True}})
    responses.get("https://api.x.com/2/webhooks", json={"data": [{"id": "7", "valid": True}]})
    responses.get(
        "https://api.x.com/2/account_activity/webhooks/7/subscriptions/all", json={"data": {"subscribed": True}}
    )
    responses.get(SEARCH, json={"data": [post("1", "2", "@LumiereAide hello", at="2025-11-25T09:50:00.000Z")]})

    report = function.lambda_handler({}, stack.context)

    assert report["revalidated"] is True and report["webhook_valid"] is True and report["healthy"] is True
    assert local.read_inbox(stack.sqs, inbox) == []


@responses.activate
def test_health_alerts_when_ingestion_is_dead_and_x_status_shows_it(stack, health):
    function, inbox = health
    clock.travel_to(datetime(2025, 11, 25, 14, 0, tzinfo=UTC))  # 15:00 in Paris: open for hours, nothing arrived
    responses.get("https://api.x.com/2/webhooks", json={"data": [{"id": "7", "valid": True}]})
    responses.get(
        "https://api.x.com/2/account_activity/webhooks/7/subscriptions/all", json={"data": {"subscribed": False}}
    )
    responses.get(
        MENTIONS,  # the brand's own mentions: an owned read, not a search
        json={
            "data": [
                post("1", "2", "@LumiereAide allô ?", at="2025-11-25T13:30:00.000Z"),
                post("3", "4", "@LumiereAide ??", at="2025-11-25T13:40:00.000Z"),
            ]
        },
    )

    report = function.lambda_handler({}, stack.context)

    assert report["healthy"] is False
    emails = local.read_inbox(stack.sqs, inbox)
    assert len(emails) == 1 and emails[0]["subject"] == "[carebird] ingestion problem for @LumiereAide"
    assert "not subscribed" in emails[0]["message"] and "ingestion looks dead" in emails[0]["message"]
    assert "2 mention(s)" in emails[0]["message"]

    status = CliRunner().invoke(main, ["x", "--stack", "carebird", "status", "--feed", "aaa"])
    assert "PROBLEMS: " in status.output and "not subscribed" in status.output
