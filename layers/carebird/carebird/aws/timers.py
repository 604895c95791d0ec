"""Timer adapters: a case's deadline starts the SLA escalation workflow (Express Step Functions).

In AWS the deadline is an EventBridge Scheduler one-time schedule (`at(...)` in UTC, deleted after it fires)
whose target starts the workflow: nothing waits per case, so a storm of cases costs no open executions.
Locally the embedded runtime starts the workflow itself when the deadline has passed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from carebird.domain.announcements import PlannedAnnouncement
from carebird.domain.sla import TimerStart

if TYPE_CHECKING:
    from carebird.settings import DispatcherSettings

EARLIEST_LEAD = timedelta(minutes=1)  # a deadline already past (a late stream record) fires a minute from now


class SchedulerTimers:
    """One-time schedules in a schedule group; a schedule that already exists counts as scheduled."""

    def __init__(
        self,
        group: str,
        state_machine_arn: str,
        role_arn: str,
        dead_letter_arn: str | None = None,
        client: Any = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if client is None:
            import boto3
            from botocore.config import Config

            client = boto3.client("scheduler", config=Config(retries={"mode": "standard", "max_attempts": 5}))
        self.group, self.state_machine_arn, self.role_arn = group, state_machine_arn, role_arn
        self.dead_letter_arn, self.client, self.now = dead_letter_arn, client, now

    def start(self, timer: TimerStart) -> bool:
        """True when this call created the schedule, False when it was already there."""
        fire_at = max(timer.fire_at, self.now() + EARLIEST_LEAD + timer.after_earliest)
        return create_one_time_schedule(
            self.client,
            self.group,
            timer.name,
            fire_at,
            {"Arn": self.state_machine_arn, "RoleArn": self.role_arn, "Input": json.dumps(timer.input)},
            self.dead_letter_arn,
        )

    def cancel(self, names: Iterable[str]) -> int:
        """Deletes these schedules before they fire; one already gone (fired and deleted, or cancelled by an
        earlier delivery of the same stream record) is no error. How many this call deleted."""
        deleted = 0
        for name in names:
            try:
                self.client.delete_schedule(Name=name, GroupName=self.group)
            except self.client.exceptions.ResourceNotFoundException:
                continue
            deleted += 1
        return deleted


def create_one_time_schedule(
    client: Any, group: str, name: str, at: datetime, target: dict[str, Any], dead_letter_arn: str | None = None
) -> bool:
    """An `at(...)` schedule in UTC, deleted once it has fired; False when one of that name already exists."""
    target = {"RetryPolicy": {"MaximumRetryAttempts": 10, "MaximumEventAgeInSeconds": 3600}, **target}
    if dead_letter_arn:
        target["DeadLetterConfig"] = {"Arn": dead_letter_arn}
    try:
        client.create_schedule(
            Name=name,
            GroupName=group,
            ScheduleExpression=f"at({at.astimezone(UTC):%Y-%m-%dT%H:%M:%S})",
            ScheduleExpressionTimezone="UTC",
            FlexibleTimeWindow={"Mode": "OFF"},
            ActionAfterCompletion="DELETE",
            Target=target,
        )
    except client.exceptions.ConflictException:
        return False
    return True


class AnnouncementSchedules:
    """The day's announcements as one-time schedules that invoke the announcer at each opening and closing; one
    that Scheduler cannot deliver after its retries goes to the dead-letter queue (alarmed) when one is given."""

    def __init__(self, group: str, role_arn: str, dead_letter_arn: str | None = None, client: Any = None) -> None:
        if client is None:
            import boto3

            client = boto3.client("scheduler")
        self.group, self.role_arn, self.dead_letter_arn, self.client = group, role_arn, dead_letter_arn, client

    def schedule(self, announcement: PlannedAnnouncement, announcer_arn: str) -> bool:
        """True when this call planned it, False when an earlier planning run already had."""
        target = {"Arn": announcer_arn, "RoleArn": self.role_arn, "Input": json.dumps(announcement.event())}
        return create_one_time_schedule(
            self.client, self.group, announcement.name, announcement.at, target, self.dead_letter_arn
        )


class ImmediateTimers:
    """The local runtime's timers: a deadline already past starts the workflow at once; later ones are kept
    in `pending` for whoever drives the clock (the demo fires them at their time)."""

    def __init__(self, state_machine_arn: str, client: Any = None, now: Callable[[], datetime] | None = None) -> None:
        if client is None:
            import boto3

            client = boto3.client("stepfunctions")
        self.state_machine_arn, self.client = state_machine_arn, client
        self.now = now or (lambda: datetime.now(UTC))
        self.names: set[str] = set()
        self.pending: list[TimerStart] = []

    def start(self, timer: TimerStart) -> bool:
        if timer.name in self.names:
            return False
        if timer.after_earliest:  # a backstop keeps its distance from a deadline that fires late, as in AWS
            timer = replace(timer, fire_at=max(timer.fire_at, self.now() + timer.after_earliest))
        if timer.fire_at <= self.now():
            try:
                self.fire(timer)  # raises when the workflow cannot start: the stream record is retried
            except self.client.exceptions.ExecutionAlreadyExists:
                self.names.add(timer.name)
                return False
        else:
            self.pending.append(timer)
        self.names.add(timer.name)
        return True

    def cancel(self, names: Iterable[str]) -> int:
        """Forgets these timers if they wait still (a deadline already past started its workflow at once)."""
        cancelled = set(names)
        kept = [t for t in self.pending if t.name not in cancelled]
        count, self.pending = len(self.pending) - len(kept), kept
        self.names -= cancelled
        return count

    def fire(self, timer: TimerStart, settle_seconds: float = 10.0) -> str:
        """Start the workflow as the schedule's target would, and let it finish (seconds, locally) so that
        deadlines past together run in their order, as minutes apart in AWS; its execution ARN."""
        import time

        arn = self.client.start_execution(
            stateMachineArn=self.state_machine_arn, name=timer.name, input=json.dumps(timer.input)
        )["executionArn"]
        deadline = time.monotonic() + settle_seconds
        while self.client.describe_execution(executionArn=arn)["status"] == "RUNNING" and time.monotonic() < deadline:
            time.sleep(0.01)
        return arn

    def fire_due(self, now: datetime | None = None) -> int:
        """Fire every pending timer due at `now`, earliest first; how many fired."""
        moment = now or self.now()
        due = sorted((t for t in self.pending if t.fire_at <= moment), key=lambda t: t.fire_at)
        self.pending = [t for t in self.pending if t.fire_at > moment]
        for timer in due:
            self.fire(timer)
        return len(due)


def timers_for_dispatcher(
    settings: DispatcherSettings, now: Callable[[], datetime]
) -> SchedulerTimers | ImmediateTimers:
    """Deployed: one-time schedules start the workflow at each deadline. The embedded local runtime has no
    scheduler (no schedule group): past deadlines start at once, later ones wait to be fired."""
    if settings.schedule_group:
        return SchedulerTimers(
            settings.schedule_group,
            settings.state_machine_arn,
            settings.scheduler_role_arn,
            settings.dead_letter_arn or None,
        )
    return ImmediateTimers(settings.state_machine_arn, now=now)
