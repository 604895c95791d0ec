"""Announcer Lambda: plans the day's opening and closing announcements from the calendar, then posts each.

A daily schedule asks for a plan (`{"kind": "plan"}`): the announcements of today and tomorrow become one-time
EventBridge Scheduler schedules at the calendar's own opening and closing instants (DST and holidays come
with it), each invoking this function with `{"kind": "opening" | "closing", "scheduled_time": ...}`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger

from carebird import clock
from carebird import settings as configuration
from carebird.announcements import plan_days
from carebird.automation import announce
from carebird.outbox import DynamoOutbox
from carebird.timeparse import from_iso
from carebird.timers import AnnouncementSchedules
from carebird.tracing import tracer_for
from carebird.xfactory import x_client

logger = Logger()  # service: POWERTOOLS_SERVICE_NAME, set by the template
tracer = tracer_for(configuration.tracing())
settings = configuration.announcer()
claims = DynamoOutbox(settings.cases_table)
x = x_client(settings.secret_arn, settings.automation.dry_run, usage_table=settings.cases_table)
schedules = AnnouncementSchedules(settings.schedule_group, settings.role_arn) if settings.schedule_group else None


def scheduled_moment(event: dict[str, Any]) -> datetime:
    """The occurrence the scheduler fired for (so a retry names the same one), else now."""
    value = str(event.get("scheduled_time") or "")
    return from_iso(value) if value[:1].isdigit() else clock.now()


def plan(announcer_arn: str) -> dict[str, Any]:
    """Schedule what the calendar announces in the next two local days; a schedule already there is kept."""
    automation = settings.automation
    planned = plan_days(automation.hours, clock.now(), holiday_message=automation.holiday_message)
    created = sum(1 for p in planned if schedules and schedules.schedule(p, announcer_arn))
    logger.info("announcements planned", extra={"planned": [p.name for p in planned], "schedules_created": created})
    return {"kind": "plan", "planned": [{"name": p.name, **p.event()} for p in planned], "created": created}


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    kind = str(event.get("kind", ""))
    if kind == "plan":
        return plan(context.invoked_function_arn)
    result = announce(kind, scheduled_moment(event), settings.automation, claims, x)
    logger.info("announcement", extra={"kind": kind, "outcome": str(result), "dry_run": settings.automation.dry_run})
    return {"kind": kind, "outcome": result.status.value, "x": result.x.outcome.value if result.x else None}
