"""The announcer's use case: plan the calendar's announcements as one-time schedules, or post the one due.

A daily schedule asks for a plan (`{"kind": "plan"}`): the announcements of today and tomorrow become one-time
EventBridge Scheduler schedules at the calendar's own opening and closing instants (DST and holidays come
with it), each invoking the announcer with `{"kind": "opening" | "closing", "scheduled_time": ...}`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from aws_lambda_powertools import Logger

from carebird.app.automation import AutomationSettings, announce
from carebird.domain.announcements import PlannedAnnouncement, plan_days
from carebird.domain.timeparse import from_iso
from carebird.ports import AutomationState, Claims, Poster

logger = Logger(child=True)  # the function's logger (powertools), its service and context


class Schedules(Protocol):
    def schedule(self, announcement: PlannedAnnouncement, announcer_arn: str) -> bool: ...


def scheduled_moment(event: dict[str, Any], now: datetime) -> datetime:
    """The occurrence the scheduler fired for (so a retry names the same one), else now."""
    value = str(event.get("scheduled_time") or "")
    return from_iso(value) if value[:1].isdigit() else now


def plan(automation: AutomationSettings, schedules: Schedules | None, announcer_arn: str, now: datetime) -> dict:
    """Schedule what the calendar announces in the next two local days; a schedule already there is kept."""
    planned = plan_days(automation.hours, now, holiday_message=automation.holiday_message)
    created = sum(1 for p in planned if schedules and schedules.schedule(p, announcer_arn))
    logger.info("announcements planned", extra={"planned": [p.name for p in planned], "schedules_created": created})
    return {"kind": "plan", "planned": [{"name": p.name, **p.event()} for p in planned], "created": created}


def run_announcer(
    event: dict[str, Any],
    announcer_arn: str,
    automation: AutomationSettings,
    claims: Claims,
    x: Poster,
    state: AutomationState,
    schedules: Schedules | None,
    now: datetime,
) -> dict[str, Any]:
    """A plan request plans; an opening or closing posts its announcement at most once."""
    kind = str(event.get("kind", ""))
    if kind == "plan":
        return plan(automation, schedules, announcer_arn, now)
    result = announce(kind, scheduled_moment(event, now), automation, claims, x, state)
    logger.info("announcement", extra={"kind": kind, "outcome": str(result), "dry_run": automation.dry_run})
    return {"kind": kind, "outcome": result.status.value, "x": result.x.outcome.value if result.x else None}
