"""SLA escalation end to end on moto: webhook → stream → dispatcher → real ASL → SNS."""

import json
from datetime import datetime, timedelta

import pytest
from carebird_local import local

from carebird import clock
from carebird.domain.sla import SlaPolicy, timers_for
from tests.helpers import fixture, stamped
from tests.integration.conftest import SECRET, TABLE

pytestmark = pytest.mark.integration


@pytest.fixture
def stack(aws):
    """Webhook, dispatcher, state machine and mailboxes, always open so deadlines are near."""
    return Stack()


class Stack(local.EmbeddedStack):
    """The embedded stack with test conveniences (fixtures by name, items as plain values)."""

    def __init__(self):
        super().__init__(
            SECRET,
            "1500000000000000001",
            "LumiereAide",
            TABLE,
            settings={"SLA_MINUTES": "1", "OPENING_HOURS": "mon-sun 00:00-24:00", "TIME_ZONE": "Europe/Paris"},
        )

    def load_dispatcher(self, second_level_minutes: int):
        self.reload("dispatcher", SECOND_LEVEL_MINUTES=str(second_level_minutes))

    def deliver(self, name: str, at: datetime | None = None) -> dict:
        payload = stamped(fixture(name), at) if at else fixture(name)
        response = super().deliver(payload)
        assert response["statusCode"] == 200, response
        return json.loads(response["body"])

    def deliver_payload(self, payload: dict) -> dict:
        return super().deliver(payload)

    def case(self, case_id: str) -> dict:
        return {k: str(v) if not isinstance(v, (str, list, set)) else v for k, v in self.case_item(case_id).items()}


def now() -> datetime:
    """The product clock (the fixtures' receipt time): messages stamped with it are kept at their own time."""
    return clock.now().replace(microsecond=0)


def test_an_unanswered_case_gets_exactly_one_escalation_email_and_ends_escalated(stack):
    stack.deliver("aaa-mention-influencer.json")  # posted in 2025: long past its deadline
    stack.dispatch()

    executions = stack.wait_for_executions()

    assert [e["status"] for e in executions] == ["SUCCEEDED"]
    emails = stack.team_emails()
    assert len(emails) == 1
    subject, body = emails[0]["subject"], emails[0]["message"]
    assert "P85" in subject and "@maxtech" in subject and len(subject) < 100
    assert "@maxtech (Max | Tech reviews), 185000 followers" in body
    assert "third outage this week" in body
    assert "Channel: mention" in body and "Topic: technical" in body
    assert "influence: 185k followers (+20)" in body
    assert "https://x.com/maxtech/status/1860000000000000102" in body
    assert "has been waiting for a reply for 1 min (1 opening minutes" in body
    case = stack.case("public-1860000000000000102")
    assert case["status"] == "escalated" and case["escalation_level"] == "1" and "escalated_at" in case
    assert case["queue"] == "OPEN"  # escalated is still awaiting a reply
    assert stack.manager_emails() == []


def test_a_case_answered_before_the_deadline_sends_nothing(stack):
    stack.deliver("aaa-mention.json")
    stack.deliver("aaa-brand-reply.json")
    stack.dispatch()

    assert [e["status"] for e in stack.wait_for_executions()] == ["SUCCEEDED"]
    assert stack.team_emails() == []
    assert stack.case("public-1860000000000000101")["status"] == "answered"


def test_a_case_answered_before_its_deadline_sends_nothing_when_the_deadline_fires(stack):
    due_in_a_minute = now()
    stack.deliver("aaa-mention.json", at=due_in_a_minute)
    stack.dispatch()
    assert stack.executions() == []  # nothing waits in the workflow: the deadline and its backstop are timers
    assert [t.name for t in stack.timers.pending] == [
        "public-1860000000000000101-r0-l1",
        "public-1860000000000000101-r0-l1-b",
    ]

    stack.deliver("aaa-brand-reply.json", at=now())
    assert stack.timers.fire_due(now() + timedelta(minutes=2)) == 1  # the schedule fires

    assert [e["status"] for e in stack.wait_for_executions()] == ["SUCCEEDED"]
    assert stack.team_emails() == []
    assert stack.case("public-1860000000000000101")["status"] == "answered"


def test_a_case_answered_before_its_deadline_has_its_deadline_and_backstop_cancelled_and_nothing_runs(stack):
    stack.deliver("aaa-mention.json", at=now())
    stack.dispatch()
    assert len(stack.timers.pending) == 2

    stack.deliver("aaa-brand-reply.json", at=now())
    stack.dispatch()  # the answer's stream record: the case no longer waits

    assert stack.timers.pending == []
    assert stack.timers.fire_due(now() + timedelta(hours=2)) == 0 and stack.executions() == []
    assert stack.team_emails() == []


def test_a_duplicated_stream_record_starts_one_execution(stack):
    stack.deliver("aaa-mention.json")
    event = stack.stream.next_event()

    first = stack.dispatch(event)
    again = stack.dispatch(event)

    assert first["batchItemFailures"] == [] and again["batchItemFailures"] == []
    assert len(stack.executions()) == 1
    stack.wait_for_executions()
    assert len(stack.team_emails()) == 1


def test_follow_ups_and_answers_start_no_new_timer_but_a_reopened_case_does(stack):
    stack.deliver("aaa-mention.json")
    stack.deliver("aaa-brand-reply.json")
    stack.deliver("aaa-extended-tweet.json")  # Claire writes again after the answer: reopened
    stack.dispatch()

    names = sorted(e["name"] for e in stack.executions())

    assert names == ["public-1860000000000000101-r0-l1", "public-1860000000000000101-r1-l1"]
    stack.wait_for_executions()
    emails = stack.team_emails()
    assert len(emails) == 1 and "ma facture a augmenté" in emails[0]["message"]


def test_second_level_escalation_emails_the_manager_when_configured(stack):
    stack.load_dispatcher(second_level_minutes=1)
    stack.deliver("aaa-mention-influencer.json")
    stack.dispatch()

    stack.wait_for_executions()

    assert len(stack.team_emails()) == 1
    manager = stack.manager_emails()
    assert len(manager) == 1 and manager[0]["subject"].startswith("[carebird] Second escalation P85 @maxtech")
    assert "(2 opening minutes" in manager[0]["message"]
    assert stack.case("public-1860000000000000102")["escalation_level"] == "2"


def test_no_second_level_when_the_case_is_answered_between_the_levels(stack):
    stack.deliver("aaa-mention-influencer.json")
    timers = timers_for(
        stack.store.get_case("public-1860000000000000102"), SlaPolicy(minutes=90, second_level_minutes=60)
    )
    first, second = (t for t in timers if not t.name.endswith("-b"))
    stack.sfn.start_execution(stateMachineArn=stack.state_machine, name=first.name, input=json.dumps(first.input))
    stack.wait_for_executions()
    assert len(stack.team_emails()) == 1

    reply = fixture("aaa-brand-reply.json")
    reply["tweet_create_events"][0].update(
        in_reply_to_status_id_str="1860000000000000102", in_reply_to_user_id_str="1600000000000000003"
    )
    stack.webhook.lambda_handler(local.signed_delivery(stamped(reply, now()), SECRET), stack.context)
    stack.run_ingester()
    stack.sfn.start_execution(stateMachineArn=stack.state_machine, name=second.name, input=json.dumps(second.input))

    assert [e["status"] for e in stack.wait_for_executions()] == ["SUCCEEDED", "SUCCEEDED"]
    assert stack.manager_emails() == []
    assert stack.case("public-1860000000000000102")["status"] == "answered"


def test_a_step_functions_failure_is_reported_as_a_partial_batch_failure(stack, monkeypatch):
    stack.deliver("aaa-mention.json")
    event = stack.stream.next_event()
    monkeypatch.setattr(stack.timers, "state_machine_arn", stack.state_machine + "-missing")

    response = stack.dispatch(event)

    case_records = [r for r in event["Records"] if r["dynamodb"]["Keys"]["sk"]["S"] == "CASE"]
    sequence = case_records[0]["dynamodb"]["SequenceNumber"]
    assert response["batchItemFailures"] == [{"itemIdentifier": sequence}]
    assert stack.executions() == []


def test_a_deletion_scheduler_refuses_fails_the_answers_record_and_its_retry_deletes_the_schedules(stack, monkeypatch):
    stack.deliver("aaa-mention.json", at=now())
    stack.dispatch()
    stack.deliver("aaa-brand-reply.json", at=now())
    event = stack.stream.next_event()
    working = stack.timers.cancel

    def unavailable(names):
        raise RuntimeError("Scheduler unavailable")

    monkeypatch.setattr(stack.timers, "cancel", unavailable)
    failed = stack.dispatch(event)
    monkeypatch.setattr(stack.timers, "cancel", working)
    retried = stack.dispatch(event)

    assert len(failed["batchItemFailures"]) == 1 and retried["batchItemFailures"] == []
    assert stack.timers.pending == [] and stack.executions() == []


def test_a_case_an_agent_marks_urgent_while_it_waits_is_escalated_at_the_urgent_sla(stack):
    from carebird.domain.cases import mark_urgent
    from carebird.domain.triage import TriageRules

    stack.reload("dispatcher", SLA_MINUTES="90", URGENT_SLA_MINUTES="30", SECOND_LEVEL_MINUTES="0")
    stack.deliver("aaa-mention.json", at=now())
    stack.dispatch()
    case = stack.store.get_case("public-1860000000000000101")
    stack.store.save_case(mark_urgent(case, True, TriageRules(), now()), case.version)
    stack.dispatch()  # the agent's change: the case waits on, now in the urgent band

    assert stack.timers.fire_due(now() + timedelta(minutes=31)) == 1  # the urgent deadline (its backstop later)
    stack.wait_for_executions()
    emails = stack.team_emails()
    assert len(emails) == 1 and "(30 opening minutes" in emails[0]["message"]
    assert stack.timers.fire_due(now() + timedelta(hours=3)) == 3  # the request's pair and the urgent backstop
    stack.wait_for_executions()
    assert stack.team_emails() == []  # they find the case escalated: one email per opening and level


def test_an_answer_whose_deletion_is_refused_and_retried_counts_its_first_response_once(stack, monkeypatch, capsys):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    stack.deliver("aaa-mention.json", at=now())
    stack.dispatch()
    stack.deliver("aaa-brand-reply.json", at=now())
    event = stack.stream.next_event()
    working = stack.timers.cancel

    def throttled(names):
        raise RuntimeError("ThrottlingException: Rate exceeded")

    capsys.readouterr()
    monkeypatch.setattr(stack.timers, "cancel", throttled)
    assert len(stack.dispatch(event)["batchItemFailures"]) == 1
    monkeypatch.setattr(stack.timers, "cancel", working)
    assert stack.dispatch(event)["batchItemFailures"] == []  # Lambda's retry of the record

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    first_responses = [line for line in lines if "FirstResponseTime" in line]
    assert len(first_responses) == 1  # the KPI metric is written by the attempt that succeeds, once
