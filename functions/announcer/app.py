"""Announcer Lambda: EventBridge Scheduler posts the opening and closing announcements in the brand's time zone."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger

from carebird import clock
from carebird.automation import AutomationSettings, announce
from carebird.outbox import DynamoOutbox
from carebird.timeparse import from_iso
from carebird.xfactory import x_client_from_env

logger = Logger(service="carebird-announcer")
settings = AutomationSettings.from_env()
claims = DynamoOutbox(os.environ["CASES_TABLE"])
x = x_client_from_env(dry_run=settings.dry_run)


def scheduled_moment(event: dict[str, Any]) -> datetime:
    """The occurrence the scheduler fired for (so a retry names the same one), else now."""
    value = str(event.get("scheduled_time") or "")
    return from_iso(value) if value[:1].isdigit() else clock.now()


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, str]:
    kind = str(event.get("kind", ""))
    outcome = announce(kind, scheduled_moment(event), settings, claims, x)
    logger.info("announcement", extra={"kind": kind, "outcome": outcome, "dry_run": settings.dry_run})
    return {"kind": kind, "outcome": outcome}
