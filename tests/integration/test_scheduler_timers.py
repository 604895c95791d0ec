"""The SLA deadline and the day's announcements as EventBridge Scheduler one-time schedules (moto): idempotent, in
UTC, deleted after use, and kept in the alarmed dead-letter queue when Scheduler cannot deliver them."""

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from carebird.aws.timers import AnnouncementSchedules, SchedulerTimers
from carebird.domain.announcements import PlannedAnnouncement
from carebird.domain.sla import SlaPolicy, timers_for
from tests.helpers import waiting_case
from tests.integration.conftest import TABLE  # noqa: F401  (the aws fixture comes from conftest)

pytestmark = pytest.mark.integration
NOW = datetime(2025, 11, 21, 16, 0, tzinfo=UTC)
CASE = waiting_case("public-1860000000000000102", "2025-11-21T16:30:00Z", channel="mention")
MACHINE = "arn:aws:states:eu-west-3:123456789012:stateMachine:carebird-sla"
ROLE = "arn:aws:iam::123456789012:role/carebird-sla-scheduler"
FAILURES = "arn:aws:sqs:eu-west-3:123456789012:carebird-failures"
ANNOUNCER = "arn:aws:lambda:eu-west-3:123456789012:function:carebird-announcer"
ANNOUNCEMENT_ROLE = "arn:aws:iam::123456789012:role/carebird-announcements"


@pytest.fixture
def scheduler(aws):
    client = boto3.client("scheduler")
    client.create_schedule_group(Name="carebird-sla")
    return client


def test_each_deadline_is_a_one_time_utc_schedule_that_starts_the_workflow_and_deletes_itself(scheduler):
    timers = SchedulerTimers("carebird-sla", MACHINE, ROLE, "arn:aws:sqs:eu-west-3:123456789012:dlq", scheduler,
                             now=lambda: NOW)  # fmt: skip
    first, first_backstop, second, second_backstop = timers_for(CASE, SlaPolicy(second_level_minutes=60))

    assert all(timers.start(t) for t in (first, first_backstop, second, second_backstop))

    schedule = scheduler.get_schedule(Name=first.name, GroupName="carebird-sla")
    assert schedule["ScheduleExpression"] == "at(2025-11-24T09:00:00)"  # Friday 17:30 Paris + 90 opening minutes
    assert schedule["ScheduleExpressionTimezone"] == "UTC" and schedule["ActionAfterCompletion"] == "DELETE"
    assert schedule["Target"]["Arn"] == MACHINE and schedule["Target"]["RoleArn"] == ROLE
    # a timer Scheduler cannot start (Step Functions throttled) is retried for an hour, then kept in the alarmed queue
    assert schedule["Target"]["DeadLetterConfig"] == {"Arn": "arn:aws:sqs:eu-west-3:123456789012:dlq"}
    assert schedule["Target"]["RetryPolicy"] == {"MaximumRetryAttempts": 10, "MaximumEventAgeInSeconds": 3600}
    assert json.loads(schedule["Target"]["Input"])["level"] == "1"
    assert scheduler.get_schedule(Name=second.name, GroupName="carebird-sla")["ScheduleExpression"] == (
        "at(2025-11-24T10:00:00)"
    )
    backstop = scheduler.get_schedule(Name=first_backstop.name, GroupName="carebird-sla")
    assert backstop["ScheduleExpression"] == "at(2025-11-24T09:30:00)" and backstop["Target"] == schedule["Target"]


def test_a_redelivered_stream_record_schedules_nothing_twice(scheduler):
    timers = SchedulerTimers("carebird-sla", MACHINE, ROLE, client=scheduler, now=lambda: NOW)
    timer, backstop = timers_for(CASE, SlaPolicy(second_level_minutes=0))

    assert timers.start(timer) is True and timers.start(backstop) is True
    assert timers.start(timer) is False and timers.start(backstop) is False
    assert len(scheduler.list_schedules(GroupName="carebird-sla")["Schedules"]) == 2


def test_a_deadline_nobody_waits_for_is_deleted_and_deleting_it_again_is_no_error(scheduler):
    timers = SchedulerTimers("carebird-sla", MACHINE, ROLE, client=scheduler, now=lambda: NOW)
    timer, backstop = timers_for(CASE, SlaPolicy(second_level_minutes=0))
    other, _ = timers_for(replace(CASE, case_id="public-1860000000000000999"), SlaPolicy(second_level_minutes=0))
    assert all(timers.start(t) for t in (timer, backstop, other))

    assert timers.cancel([timer.name, backstop.name]) == 2
    assert timers.cancel([timer.name, backstop.name]) == 0  # a redelivered stream record: already gone
    assert [s["Name"] for s in scheduler.list_schedules(GroupName="carebird-sla")["Schedules"]] == [other.name]
    assert timers.start(timer) is True  # a name deleted is free again, as after a schedule fired


def test_a_deadline_already_past_fires_a_minute_from_now_and_its_backstop_still_half_an_hour_later(scheduler):
    late = NOW + timedelta(days=10)
    timers = SchedulerTimers("carebird-sla", MACHINE, ROLE, client=scheduler, now=lambda: late)
    timer, backstop = timers_for(CASE, SlaPolicy(second_level_minutes=0))

    timers.start(timer)
    timers.start(backstop)

    expression = scheduler.get_schedule(Name=timer.name, GroupName="carebird-sla")["ScheduleExpression"]
    assert expression == f"at({late + timedelta(minutes=1):%Y-%m-%dT%H:%M:%S})"
    expression = scheduler.get_schedule(Name=backstop.name, GroupName="carebird-sla")["ScheduleExpression"]
    assert expression == f"at({late + timedelta(minutes=31):%Y-%m-%dT%H:%M:%S})"


def test_an_announcement_scheduler_cannot_deliver_after_its_retries_is_kept_in_the_alarmed_queue(aws):
    scheduler = boto3.client("scheduler")
    scheduler.create_schedule_group(Name="carebird-announcements")
    schedules = AnnouncementSchedules("carebird-announcements", ANNOUNCEMENT_ROLE, FAILURES, scheduler)
    opening = PlannedAnnouncement("opening", datetime(2025, 11, 24, 8, 0, tzinfo=UTC))

    assert schedules.schedule(opening, ANNOUNCER) is True
    assert schedules.schedule(opening, ANNOUNCER) is False  # the next planning run plans nothing twice

    target = scheduler.get_schedule(Name=opening.name, GroupName="carebird-announcements")["Target"]
    assert target["Arn"] == ANNOUNCER and target["RoleArn"] == ANNOUNCEMENT_ROLE
    assert target["DeadLetterConfig"] == {"Arn": FAILURES}
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 10, "MaximumEventAgeInSeconds": 3600}
    assert json.loads(target["Input"]) == {"kind": "opening", "scheduled_time": "2025-11-24T08:00:00Z"}
