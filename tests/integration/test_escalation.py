"""The escalation path as a guarantee, on the embedded stack with Express's 300 s enforced (local.ExpressCap):
an SNS outage delays an escalation but never loses it or marks it sent, and a weekend's herd of deadlines reaches
the team as a few emails listing every case, each case escalated exactly once."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from carebird_local import local

from carebird import clock
from tests.helpers import fixture, stamped
from tests.integration.conftest import SECRET, TABLE

pytestmark = pytest.mark.integration

TEMPLATE = local.load_template()
QUEUE = TEMPLATE["Resources"]["EscalationQueue"]["Properties"]
NEXT_ATTEMPT = timedelta(seconds=QUEUE["VisibilityTimeout"])  # a batch handed back is retried this much later
CASE = "public-1860000000000000102"


def emails_of(stack) -> list[dict[str, str]]:
    return local.read_inbox(stack.sqs, stack.team_inbox)


def escalated(stack, case_id: str) -> bool:
    item = stack.case_item(case_id)
    return item["status"] == "escalated" or int(item["escalation_level"]) > 0


@pytest.fixture
def always_open(aws):
    return local.EmbeddedStack(
        SECRET,
        "1500000000000000001",
        "LumiereAide",
        TABLE,
        settings={"SLA_MINUTES": "1", "OPENING_HOURS": "mon-sun 00:00-24:00", "TIME_ZONE": "Europe/Paris"},
    )


def test_an_sns_outage_of_six_minutes_leaves_the_case_not_escalated_then_the_next_attempt_emails_it_once(
    always_open,
):
    stack = always_open
    start = clock.now().replace(microsecond=0)
    back = start + timedelta(minutes=6)
    with local.ExpressCap() as cap, local.SnsOutage(until=back) as outage:
        # Given a case past its deadline while SNS refuses every publish
        assert (
            stack.deliver(stamped(fixture("aaa-mention-influencer.json"), start - timedelta(minutes=2)))["statusCode"]
            == 200
        )
        stack.dispatch()

        # When its timer fires, and the escalation is retried at every next attempt through the outage
        executions = stack.wait_for_executions()
        during = []
        while clock.now() < back:
            during.append((clock.now(), escalated(stack, CASE), len(emails_of(stack))))
            clock.travel_to(clock.now() + NEXT_ATTEMPT)
            stack.escalate()

    # Then the workflow finished inside Express's cap, and the case stayed "not yet escalated" while SNS failed
    assert [e["status"] for e in executions] == ["SUCCEEDED"] and cap.timed_out == 0
    assert outage.refused >= 2 and len(during) >= 2
    assert [(was_escalated, sent) for _, was_escalated, sent in during] == [(False, 0)] * len(during)
    # and the first attempt after SNS came back sent exactly one email and marked the case
    assert clock.now() - back < NEXT_ATTEMPT
    emails = emails_of(stack)
    assert len(emails) == 1 and "@maxtech" in emails[0]["subject"] and "third outage this week" in emails[0]["message"]
    assert stack.case_item(CASE)["status"] == "escalated" and stack.case_item(CASE)["escalation_level"] == 1
    # and nothing more goes out: not at the backstop timer, not at a redelivered deadline
    clock.travel_to(clock.now() + timedelta(minutes=31))
    assert stack.timers.fire_due(clock.now()) == 1  # the backstop finds the case escalated: it queues nothing
    assert stack.sqs.receive_message(QueueUrl=stack.escalation_queue).get("Messages", []) == []
    stack.wait_for_executions()
    stack.sqs.send_message(
        QueueUrl=stack.escalation_queue, MessageBody=json.dumps({"case_id": CASE, "level": "1", "reopened": "0"})
    )
    stack.escalate()
    assert emails_of(stack) == [] and stack.case_item(CASE)["escalation_level"] == 1


def test_an_express_execution_whose_retries_pass_300_seconds_is_stopped_by_the_local_cap(always_open):
    """The cap the tests rely on is real: a workflow that retries too long is stopped, as AWS stops it."""
    stack = always_open
    definition = {
        "StartAt": "Publish",
        "States": {
            "Publish": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {"TopicArn": "arn:aws:sns:eu-west-3:123456789012:missing", "Message": "x"},
                "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 5, "MaxAttempts": 8, "BackoffRate": 2}],
                "End": True,
            }
        },
    }
    machine = stack.sfn.create_state_machine(
        name="too-long", definition=json.dumps(definition), roleArn="arn:aws:iam::123456789012:role/x", type="EXPRESS"
    )["stateMachineArn"]

    with local.ExpressCap() as cap:
        arn = stack.sfn.start_execution(stateMachineArn=machine)["executionArn"]
        status = wait_for(stack, arn)

    assert cap.timed_out == 1 and status != "SUCCEEDED"


def wait_for(stack, arn: str, timeout: float = 20) -> str:
    import time

    deadline = time.monotonic() + timeout
    while (status := stack.sfn.describe_execution(executionArn=arn)["status"]) == "RUNNING":
        assert time.monotonic() < deadline, "execution still running"
        time.sleep(0.02)
    return status


WEEKEND_CASES = 200
MONDAY_DUE = datetime(2025, 11, 24, 8, 30, tzinfo=UTC)  # Monday 09:30 in Paris: opening at 09:00 + 30 minutes
ESCALATOR = TEMPLATE["Resources"]["EscalatorFunction"]["Properties"]
EVENT_SOURCE = ESCALATOR["Events"]["Deadlines"]["Properties"]
BATCH_WINDOW = timedelta(seconds=EVENT_SOURCE["MaximumBatchingWindowInSeconds"])


@pytest.fixture
def weekday_desk(aws):
    """The template's opening hours (mon-fri 09:00-18:00, Paris), a 30-minute SLA, acknowledgements off."""
    return local.EmbeddedStack(
        SECRET, "1500000000000000001", "LumiereAide", TABLE, settings={"SLA_MINUTES": "30", "ACK_ENABLED": "false"}
    )


def weekend_of_waiting_customers(stack) -> list[str]:
    """200 customers write between Friday 19:30 and Sunday 22:12 (Paris); nobody answers. The first case is
    stored by the webhook; the others are its copies under their own ids, customers and times (storing 200
    through moto's transactions would take minutes; the escalation path only reads the case item)."""
    from carebird.aws.schema import to_dynamo

    friday_evening = datetime(2025, 11, 21, 18, 30, tzinfo=UTC)
    step = (datetime(2025, 11, 23, 21, 12, tzinfo=UTC) - friday_evening) / (WEEKEND_CASES - 1)
    first = stamped(fixture("aaa-mention-influencer.json"), friday_evening)
    assert stack.deliver(first)["statusCode"] == 200
    model = stack.case_item(CASE)
    case_ids = [CASE]
    for n in range(1, WEEKEND_CASES):
        at = (friday_evening + n * step).strftime("%Y-%m-%dT%H:%M:%SZ")
        case_id = f"public-{1870000000000000000 + n}"
        copy = model | {
            "pk": f"CASE#{case_id}",
            "case_id": case_id,
            "customer_id": f"17{n:017d}",
            "customer_handle": f"client{n}",
            "handle_key": f"client{n}",
            "reference": f"CB-W{n:05d}",
            "opened_at": at,
            "waiting_since": at,
            "link": f"https://x.com/client{n}/status/{1870000000000000000 + n}",
        }
        stack.dynamodb.put_item(TableName=stack.table_name, Item=to_dynamo(copy))
        case_ids.append(case_id)
    return case_ids


def count_case_writes(stack) -> list[str]:
    """Case ids of every case-item write the escalator makes (its DynamoDB client, observed)."""
    written: list[str] = []

    def record(params, **_):
        if params.get("Key", {}).get("sk", {}).get("S") == "CASE":
            written.append(params["Key"]["pk"]["S"].removeprefix("CASE#"))

    stack.escalator.ledger.client.meta.events.register("before-parameter-build.dynamodb.UpdateItem", record)
    return written


def test_a_weekend_of_200_waiting_cases_reaches_monday_as_a_few_emails_listing_every_case_once(weekday_desk):
    stack = weekday_desk
    clock.travel_to(datetime(2025, 11, 23, 23, 0, tzinfo=UTC))  # Sunday night: every deadline still ahead
    case_ids = weekend_of_waiting_customers(stack)
    stack.dispatch()
    deadlines = [t for t in stack.timers.pending if not t.name.endswith("-b")]
    case_writes = count_case_writes(stack)
    passes = []

    # Monday: the deadlines fire on the simulation clock; the escalator's event source polls at its batching window
    moment = MONDAY_DUE - BATCH_WINDOW
    while moment < MONDAY_DUE + timedelta(minutes=15):
        moment += BATCH_WINDOW
        clock.travel_to(moment)
        stack.timers.fire_due(moment)
        written_before = len(case_writes)
        handled = stack.escalate()
        passes.append((handled, len(case_writes) - written_before))

    # Then every case shared one deadline, but the timers fired spread over five minutes, a few per second at most
    assert len(deadlines) == WEEKEND_CASES and {t.input["due_at"] for t in deadlines} == {"2025-11-24T08:30:00Z"}
    fire_seconds = sorted((t.fire_at - MONDAY_DUE).total_seconds() for t in deadlines)
    assert fire_seconds[0] >= 0 and 240 <= fire_seconds[-1] - fire_seconds[0] < 300
    assert max(sum(1 for s in fire_seconds if int(s) == second) for second in range(300)) <= 6
    # every case is escalated exactly once: one mark each (one write to the OPEN index), nothing left queued
    cases = [stack.case_item(case_id) for case_id in case_ids]
    assert all(c["status"] == "escalated" and c["escalation_level"] == 1 for c in cases)
    assert sorted(case_writes) == sorted(case_ids) == sorted(t.input["case_id"] for t in deadlines)
    assert max(writes for _, writes in passes) <= EVENT_SOURCE["BatchSize"]
    assert stack.sqs.receive_message(QueueUrl=stack.escalation_queue).get("Messages", []) == []
    # a few emails, each listing its cases; every case reference appears in exactly one of them
    emails = emails_of(stack)
    assert 1 < len(emails) <= 6  # one per batching window of the five-minute spread, not one per case
    listed = [ref for e in emails for ref in re_references(e["message"])]
    assert sorted(listed) == sorted(c["reference"] for c in cases)
    assert all(e["subject"].startswith("[carebird] SLA breach") and len(e["subject"]) < 100 for e in emails)
    assert max(len(re_references(e["message"])) for e in emails) >= WEEKEND_CASES // 3
    # and never more than a couple of emails in any second to the subscription (SNS suspends email above 10/s)
    sent_at = [at for at, _, _ in stack.pace.sent]
    print("herd:", [len(re_references(e["message"])) for e in emails], "cases per email")
    assert len(sent_at) == len(emails)
    assert max(sum(1 for t in sent_at if start <= t < start + 1) for start in sent_at) <= 2


def re_references(body: str) -> list[str]:
    import re

    return re.findall(r"Case: (\S+)", body)


def test_the_escalators_deployed_rate_to_one_subscription_is_a_few_emails_per_second_at_most():
    """Containers x emails per container per second, from the template and the adapter's pacing."""
    from carebird.aws.escalation_ledger import MIN_PUBLISH_INTERVAL

    containers = EVENT_SOURCE["ScalingConfig"]["MaximumConcurrency"]

    assert containers / MIN_PUBLISH_INTERVAL <= 2  # SNS suspends an email subscription above 10 messages/s
    assert EVENT_SOURCE["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert QUEUE["VisibilityTimeout"] >= 6 * ESCALATOR["Timeout"]  # AWS's advice for SQS event sources


def test_every_way_an_escalation_can_stall_raises_an_alarm_to_the_operations_topic():
    resources = TEMPLATE["Resources"]
    watched = {
        (p["Namespace"], p["MetricName"], json.dumps(p.get("Dimensions", []), sort_keys=True))
        for r in resources.values()
        if r["Type"] == "AWS::CloudWatch::Alarm" and (p := r["Properties"])["AlarmActions"] == [{"Ref": "AlertsTopic"}]
    }

    def dims(name, value):
        return json.dumps([{"Name": name, "Value": value}], sort_keys=True)

    machine = dims("StateMachineArn", {"Ref": "SlaStateMachine"})
    expected = {
        ("AWS/States", "ExecutionsFailed", machine),
        ("AWS/States", "ExecutionsTimedOut", machine),
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible",  # timers Scheduler could not start: their DLQ
         dims("QueueName", {"Fn::GetAtt": ["FailuresQueue", "QueueName"]})),
        ("AWS/SQS", "ApproximateAgeOfOldestMessage",
         dims("QueueName", {"Fn::GetAtt": ["EscalationQueue", "QueueName"]})),
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible",
         dims("QueueName", {"Fn::GetAtt": ["EscalationDeadLetterQueue", "QueueName"]})),
        ("AWS/SNS", "NumberOfNotificationsFailed", dims("TopicName", {"Fn::GetAtt": ["TeamTopic", "TopicName"]})),
        ("AWS/SNS", "NumberOfNotificationsFailed", dims("TopicName", {"Fn::GetAtt": ["ManagerTopic", "TopicName"]})),
    }  # fmt: skip
    assert expected <= watched
    dispatcher = resources["DispatcherFunction"]["Properties"]["Environment"]["Variables"]
    assert dispatcher["SCHEDULE_DEAD_LETTER_ARN"] == {"Fn::GetAtt": ["FailuresQueue", "Arn"]}
    scheduler_may = resources["SlaSchedulerRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": {"Fn::GetAtt": ["FailuresQueue", "Arn"]}} in (
        scheduler_may
    )
    redrive = QUEUE["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": ["EscalationDeadLetterQueue", "Arn"]}
    assert redrive["maxReceiveCount"] * QUEUE["VisibilityTimeout"] >= 4 * 3600  # hours of outage before the DLQ


def test_an_escalation_that_sns_keeps_refusing_ages_past_the_alarm_before_sqs_stops_counting_its_age():
    # SQS leaves a message out of ApproximateAgeOfOldestMessage once it has been received three times (a poison
    # pill: "the metric points at the second-oldest message that hasn't been received more than three times",
    # SQS's CloudWatch metrics). A batch SNS refuses is received again every visibility timeout, so the alarm must
    # fire before the third receive (2 visibility timeouts after the first, at the earliest) or never during an
    # outage; and after the batching window and a run of the escalator, so that a healthy queue never raises it.
    alarm = TEMPLATE["Resources"]["EscalationQueueAgeAlarm"]["Properties"]
    deadlines = TEMPLATE["Resources"]["EscalatorFunction"]["Properties"]["Events"]["Deadlines"]["Properties"]
    escalator_timeout = TEMPLATE["Resources"]["EscalatorFunction"]["Properties"]["Timeout"]
    third_receive_at_the_earliest = 2 * QUEUE["VisibilityTimeout"]
    healthy_at_most = deadlines["MaximumBatchingWindowInSeconds"] + escalator_timeout

    assert alarm["Statistic"] == "Maximum" and alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert healthy_at_most < alarm["Threshold"] < third_receive_at_the_earliest - 60  # a minute's sample inside
