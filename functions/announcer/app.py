"""Announcer Lambda: plans the day's opening and closing announcements from the calendar, then posts each
(carebird.app.announcing)."""

from __future__ import annotations

from typing import Any

from carebird import clock
from carebird import settings as configuration
from carebird.app.announcing import run_announcer
from carebird.aws.outbox import DynamoOutbox
from carebird.aws.pause import DynamoAutomationState
from carebird.aws.timers import AnnouncementSchedules
from carebird.observability import Observability
from carebird.x.factory import x_client

observe = Observability(configuration.tracing())
settings = configuration.announcer()
TABLE, BRAND = settings.cases_table, settings.automation.brand_handle
claims, state = DynamoOutbox(TABLE), DynamoAutomationState(TABLE)
x = x_client(settings.secret_arn, settings.automation.dry_run, TABLE, settings.alert_topic_arn, BRAND)
schedules = None  # the local runtime fires the planned announcements itself
if settings.schedule_group:
    schedules = AnnouncementSchedules(settings.schedule_group, settings.role_arn, settings.dead_letter_arn)


@observe.handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    arn, now = context.invoked_function_arn, clock.now()
    return run_announcer(event, arn, settings.automation, claims, x, state, schedules, now)
