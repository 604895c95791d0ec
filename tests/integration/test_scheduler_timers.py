"""The SLA deadline as an EventBridge Scheduler one-time schedule (moto): idempotent, in UTC, deleted after use."""

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from carebird.sla import SlaPolicy, timers_for
from carebird.timers import SchedulerTimers
from tests.integration.conftest import TABLE  # noqa: F401  (the aws fixture comes from conftest)

pytestmark = pytest.mark.integration
NOW = datetime(2025, 11, 21, 16, 0, tzinfo=UTC)
CASE = {
    "sk": "CASE", "case_id": "public-1860000000000000102", "channel": "mention", "status": "open", "reopened": 0,
    "waiting_since": "2025-11-21T16:30:00Z",
}  # fmt: skip
MACHINE = "arn:aws:states:eu-west-3:123456789012:stateMachine:carebird-sla"
ROLE = "arn:aws:iam::123456789012:role/carebird-sla-scheduler"


@pytest.fixture
def scheduler(aws):
    client = boto3.client("scheduler")
    client.create_schedule_group(Name="carebird-sla")
    return client


def test_each_deadline_is_a_one_time_utc_schedule_that_starts_the_workflow_and_deletes_itself(scheduler):
    timers = SchedulerTimers("carebird-sla", MACHINE, ROLE, "arn:aws:sqs:eu-west-3:123456789012:dlq", scheduler,
                             now=lambda: NOW)  # fmt: skip
    first, second = timers_for(CASE, SlaPolicy(second_level_minutes=60))

    assert timers.start(first) and timers.start(second)

    schedule = scheduler.get_schedule(Name=first.name, GroupName="carebird-sla")
    assert schedule["ScheduleExpression"] == "at(2025-11-24T09:00:00)"  # Friday 17:30 Paris + 90 opening minutes
    assert schedule["ScheduleExpressionTimezone"] == "UTC" and schedule["ActionAfterCompletion"] == "DELETE"
    assert schedule["Target"]["Arn"] == MACHINE and schedule["Target"]["RoleArn"] == ROLE
    assert json.loads(schedule["Target"]["Input"])["level"] == "1"
    assert scheduler.get_schedule(Name=second.name, GroupName="carebird-sla")["ScheduleExpression"] == (
        "at(2025-11-24T10:00:00)"
    )


def test_a_redelivered_stream_record_schedules_nothing_twice(scheduler):
    timers = SchedulerTimers("carebird-sla", MACHINE, ROLE, client=scheduler, now=lambda: NOW)
    (timer,) = timers_for(CASE, SlaPolicy(second_level_minutes=0))

    assert timers.start(timer) is True
    assert timers.start(timer) is False
    assert len(scheduler.list_schedules(GroupName="carebird-sla")["Schedules"]) == 1


def test_a_deadline_already_past_fires_a_minute_from_now(scheduler):
    late = NOW + timedelta(days=10)
    timers = SchedulerTimers("carebird-sla", MACHINE, ROLE, client=scheduler, now=lambda: late)
    (timer,) = timers_for(CASE, SlaPolicy(second_level_minutes=0))

    timers.start(timer)

    expression = scheduler.get_schedule(Name=timer.name, GroupName="carebird-sla")["ScheduleExpression"]
    assert expression == f"at({late + timedelta(minutes=1):%Y-%m-%dT%H:%M:%S})"
