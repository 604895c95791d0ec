"""carebird's own messages, sent at most once: announcements and out-of-hours acknowledgements."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from carebird.announcements import plan_acknowledgement, plan_announcement
from carebird.calendar import OpeningHours
from carebird.xclient import XOutcome, XResult


class RetryLater(Exception):
    """X asked us to come back later (rate limit, outage): the caller's retry mechanism takes over."""

    def __init__(self, result: XResult) -> None:
        super().__init__(f"{result.detail}; retry after {result.retry_at}")
        self.result = result


class Claims(Protocol):
    """At-most-once guard for automatic messages (DynamoDB conditional writes in production)."""

    def claim(self, key: str, now: datetime) -> bool: ...
    def complete(self, key: str, result: XResult, text: str) -> None: ...
    def release(self, key: str) -> None: ...


class Poster(Protocol):
    def post(self, text: str) -> XResult: ...
    def reply(self, text: str, in_reply_to_id: str) -> XResult: ...
    def send_dm(self, participant_id: str, text: str) -> XResult: ...


class AcknowledgementLog(Protocol):
    def expect_automated(self, customer_id: str, text: str, at: datetime) -> None: ...
    def record_acknowledgement(self, case_id: str, via: str, result: XResult, text: str, at: datetime) -> None: ...


@dataclass(frozen=True)
class AutomationSettings:
    hours: OpeningHours
    brand_handle: str
    language: str = "fr"
    acknowledgements: bool = True
    holiday_message: bool = True
    dry_run: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> AutomationSettings:
        def flag(name: str, default: bool) -> bool:
            return (env.get(name) or str(default)).strip().lower() in ("1", "true", "yes", "on")

        return cls(
            hours=OpeningHours.from_env(env),
            brand_handle=env.get("BRAND_HANDLE", ""),
            language=(env.get("ANNOUNCE_LANGUAGE") or "fr").lower(),
            acknowledgements=flag("ACK_ENABLED", True),
            holiday_message=flag("HOLIDAY_MESSAGE", True),
            dry_run=flag("X_DRY_RUN", False),
        )


def announce(kind: str, moment: datetime, settings: AutomationSettings, claims: Claims, x: Poster) -> str:
    """Post the scheduled announcement once for its occurrence, whatever the retries."""
    plan = plan_announcement(
        kind, moment, settings.hours, settings.language, settings.brand_handle, settings.holiday_message
    )
    if plan is None:
        return "nothing to announce"
    if not claims.claim(plan.occurrence, moment):
        return "already posted"
    result = x.post(plan.text)
    if result.outcome is XOutcome.RETRY_LATER:
        claims.release(plan.occurrence)
        raise RetryLater(result)
    claims.complete(plan.occurrence, result, plan.text)
    return result.outcome.value


def acknowledge(
    case: Mapping[str, Any],
    now: datetime,
    settings: AutomationSettings,
    claims: Claims,
    x: Poster,
    log: AcknowledgementLog,
) -> str:
    """One courteous out-of-hours answer per customer per closed period: by reply, else by DM."""
    if not settings.acknowledgements:
        return "acknowledgements off"
    plan = plan_acknowledgement(dict(case), settings.hours, now, settings.language)
    if plan is None:
        return "not needed"
    if not claims.claim(plan.claim_key, now):
        return "already acknowledged in this closed period"
    log.expect_automated(plan.customer_id, plan.text, now)  # before posting: X may echo it back at once
    via, result = "dm", None
    if plan.reply_to_id:
        via, result = "reply", x.reply(plan.text, plan.reply_to_id)
    if result is None or result.outcome is XOutcome.REPLY_NOT_ALLOWED:
        via, result = "dm", x.send_dm(plan.customer_id, plan.text)
    if result.outcome is XOutcome.RETRY_LATER:
        claims.release(plan.claim_key)
        raise RetryLater(result)
    claims.complete(plan.claim_key, result, plan.text)
    log.record_acknowledgement(case["case_id"], via if result.done else "left to a person", result, plan.text, now)
    return f"{via}: {result.outcome.value}" if result.done else f"left to a person: {result.detail}"
