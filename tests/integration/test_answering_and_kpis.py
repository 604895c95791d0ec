"""Answering and KPIs end to end on moto: reply/close from the CLI (X answered by responses), metrics, digest,
dashboard."""

import json
from datetime import UTC, datetime

import boto3
import pytest
import responses
from carebird_local import local
from carebird_local.cli import main
from click.testing import CliRunner

from carebird import clock
from carebird.app.ingest import IngestSettings, apply_event
from carebird.x.normalise import parse_delivery
from tests.helpers import BRAND, fixture
from tests.integration.conftest import create_deployed_stack

pytestmark = pytest.mark.integration


@pytest.fixture
def stack(embedded):
    create_deployed_stack()
    # Claire's DM comes first, so it is a DM case of its own (a DM after her mention would join that case)
    for name in ("aaa-dm-incoming.json", "aaa-mention.json", "aaa-mention-influencer.json"):
        for event in parse_delivery(fixture(name), BRAND).events:
            apply_event(embedded.store, event, IngestSettings())
    return embedded


@responses.activate
def test_reply_shows_the_coach_posts_in_thread_and_answers_the_case(stack):
    responses.post("https://api.x.com/2/tweets", json={"data": {"id": "1860000000000000999"}}, status=201)

    result = CliRunner().invoke(
        main, ["reply", "public-1860000000000000102", "--template", "fixed", "--stack", "carebird", "--yes"]
    )

    assert result.exit_code == 0, result.output
    assert "engagement cues:" in result.output and "✓ smiley" in result.output
    sent = json.loads(responses.calls[0].request.body)
    assert sent["reply"] == {"in_reply_to_tweet_id": "1860000000000000102"} and sent["text"].startswith("Hi Max")
    case = stack.store.get_case("public-1860000000000000102")
    assert case.status == "answered" and case.first_response_at is not None

    echo = fixture("aaa-brand-reply.json")
    echo["tweet_create_events"][0]["id_str"] = "1860000000000000999"
    stack.deliver(echo)
    assert stack.ingested()["outcomes"] == {"duplicate": 1}  # X's echo answers nothing twice


@responses.activate
def test_a_refused_reply_is_sent_by_dm_and_still_answers_the_public_case(stack):
    responses.post(
        "https://api.x.com/2/tweets",
        status=403,
        json={
            "detail": "Reply to this conversation is not allowed because you have not been mentioned or otherwise "
            "engaged by the author of the post you are replying to."
        },
    )
    responses.post(
        "https://api.x.com/2/dm_conversations/with/1600000000000000002/messages",
        status=201,
        json={"data": {"dm_conversation_id": "x", "dm_event_id": "4242"}},
    )

    result = CliRunner().invoke(
        main,
        ["reply", "public-1860000000000000101", "Bonjour Claire, c'est réparé ? 🙂", "--stack", "carebird", "--yes"],
    )

    assert result.exit_code == 0, result.output
    assert "sent by dm" in result.output
    assert stack.store.get_case("public-1860000000000000101").status == "answered"


@responses.activate
def test_a_reply_x_refuses_leaves_the_case_open_and_says_why(stack):
    responses.post(
        "https://api.x.com/2/dm_conversations/with/1600000000000000002/messages",
        status=403,
        json={"detail": "You cannot send messages to this user."},
    )

    result = CliRunner().invoke(
        main, ["reply", "dm-1860000000000000201", "Bonjour Claire !", "--stack", "carebird", "--yes"]
    )

    assert result.exit_code == 1 and "not sent (failed)" in result.output
    assert stack.store.get_case("dm-1860000000000000201").status == "open"


def test_close_takes_the_case_out_of_the_queue(stack):
    result = CliRunner().invoke(main, ["close", "public-1860000000000000101", "--stack", "carebird"])

    assert result.exit_code == 0 and "closed" in result.output
    assert "public-1860000000000000101" not in [c.case_id for c in stack.store.open_queue()]
    again = CliRunner().invoke(main, ["close", "public-1860000000000000101", "--stack", "carebird"])
    assert "already closed" in again.output


def test_kpi_prints_the_figures_and_a_chart(stack):
    result = CliRunner().invoke(main, ["kpi", "--since", "2025-11-24T00:00:00Z", "--stack", "carebird"])

    assert result.exit_code == 0, result.output
    assert "Cases opened: 3" in result.output and "Cases per day" in result.output and "█" in result.output


def test_the_digest_function_emails_the_last_24_hours(stack, monkeypatch):
    topic, inbox = local.create_inbox(boto3.client("sns"), stack.sqs, "digest")
    stack.dispatch()  # the stream consumers keep the hourly KPI counters the digest reads
    monkeypatch.setenv("DIGEST_TOPIC_ARN", topic)
    digest = local.load_function("digest")
    clock.travel_to(datetime(2025, 11, 25, 17, 0, tzinfo=UTC))

    result = digest.lambda_handler({}, stack.context)

    emails = local.read_inbox(stack.sqs, inbox)
    assert result["cases"] == 3 and len(emails) == 1
    assert emails[0]["subject"].startswith("[carebird] @LumiereAide digest Tue 25 Nov: 3 cases")
    assert "Still waiting for an answer:" in emails[0]["message"]


@responses.activate
def test_the_digest_shows_x_spend_this_week_from_the_events_seen_and_the_calls_made(stack, monkeypatch):
    responses.post("https://api.x.com/2/tweets", json={"data": {"id": "1860000000000000999"}}, status=201)
    clock.travel_to(datetime(2025, 11, 25, 16, 0, tzinfo=UTC))
    answered = CliRunner().invoke(
        main, ["reply", "public-1860000000000000102", "--template", "fixed", "--stack", "carebird", "--yes"]
    )
    assert answered.exit_code == 0, answered.output
    stack.dispatch()  # the stream consumers keep the hourly KPI counters the digest reads
    topic, inbox = local.create_inbox(boto3.client("sns"), stack.sqs, "digest")
    monkeypatch.setenv("DIGEST_TOPIC_ARN", topic)
    digest = local.load_function("digest")
    clock.travel_to(datetime(2025, 11, 25, 17, 0, tzinfo=UTC))

    result = digest.lambda_handler({}, stack.context)
    again = digest.lambda_handler({}, stack.context)  # a retried digest counts the day's deliveries once

    # 2 mentions and the brand's public answer delivered as posts, 1 DM received, 1 summoned reply sent
    expected = "X spend this week: $0.035 (dm_event 1, post_event 3, reply 1; 7 days)"
    assert result["x_spend"] == again["x_spend"] == expected
    assert expected in local.read_inbox(stack.sqs, inbox)[0]["message"]


def test_the_webhook_emits_volume_metrics_as_emf(stack, monkeypatch, capsys):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    capsys.readouterr()

    stack.deliver(fixture("aaa-reply-to-brand-post.json"))

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    names = {m["Name"]: line for line in lines for m in line["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert names["CasesOpened"]["channel"] == "reply" and names["CasesOpened"]["topic"] == "commercial"
    assert names["MessagesReceived"]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "carebird"
    # details are properties of the line, not dimensions: one paid series per metric name, whatever the traffic
    assert all(line["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [[]] for line in lines)


def test_the_dashboard_shows_every_kpi_metric():
    template = local.load_template()
    dashboard = template["Resources"]["CareDashboard"]
    body = dashboard["Properties"]["DashboardBody"]["Fn::Sub"]

    assert dashboard["Type"] == "AWS::CloudWatch::Dashboard"
    for metric in (
        "CasesOpened",
        "FirstResponseTime",
        "SlaBreaches",
        "Escalations",
        "MessagesReceived",
        "acknowledged_via",  # out-of-hours acknowledgements: counted from the acknowledger's log lines
    ):
        assert metric in body
    assert template["Resources"]["DigestFunction"]["Properties"]["Events"]["Daily"]["Type"] == "ScheduleV2"
