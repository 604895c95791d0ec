"""carebird's own messages, sent at most once: announcements and out-of-hours acknowledgements."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from carebird import settings
from carebird.announcements import plan_acknowledgement, plan_announcement
from carebird.answering import reply_else_dm
from carebird.calendar import OpeningHours
from carebird.model import Family, Via, XOutcome, XResult
from carebird.ports import AcknowledgementLog, AutomationState, Claims, Poster


class RetryLater(Exception):
    """X asked us to come back later (rate limit, outage): the caller's retry mechanism takes over."""

    def __init__(self, result: XResult) -> None:
        super().__init__(f"{result.detail}; retry after {result.retry_at}")
        self.result = result


@dataclass(frozen=True)
class AutomationSettings:
    hours: OpeningHours
    brand_handle: str
    language: str = settings.ANNOUNCE_LANGUAGE.default
    acknowledgements: bool = settings.ACK_ENABLED.default
    holiday_message: bool = settings.HOLIDAY_MESSAGE.default
    dry_run: bool = settings.X_DRY_RUN.default


class Announced(StrEnum):
    NOTHING = "nothing to announce"  # the calendar says no announcement is due at this moment
    ALREADY = "already posted"
    POSTED = "posted"
    NOT_POSTED = "not posted"  # X refused for good (a person should look)
    PAUSED = "paused"  # X stopped carebird (authorization, credits, usage cap): nothing posted until fixed


@dataclass(frozen=True)
class AnnouncementResult:
    status: Announced
    x: XResult | None = None

    def __str__(self) -> str:
        return f"{self.status.value}: {self.x.outcome.value}" if self.x else self.status.value


def announce(
    kind: str,
    moment: datetime,
    settings: AutomationSettings,
    claims: Claims,
    x: Poster,
    state: AutomationState | None = None,
) -> AnnouncementResult:
    """Post the scheduled announcement once for its occurrence, whatever the retries."""
    plan = plan_announcement(
        kind, moment, settings.hours, settings.language, settings.brand_handle, settings.holiday_message
    )
    if plan is None:
        return AnnouncementResult(Announced.NOTHING)
    if state is not None and state.paused():
        return AnnouncementResult(Announced.PAUSED)
    if not claims.claim(plan.occurrence, moment):
        return AnnouncementResult(Announced.ALREADY)
    result = x.post(plan.text)
    if result.outcome is XOutcome.RETRY_LATER:
        claims.release(plan.occurrence)
        raise RetryLater(result)
    if result.outcome is XOutcome.BLOCKED:
        claims.release(plan.occurrence)
        return AnnouncementResult(Announced.PAUSED, result)
    claims.complete(plan.occurrence, result, plan.text)
    return AnnouncementResult(Announced.POSTED if result.done else Announced.NOT_POSTED, result)


class Acknowledged(StrEnum):
    OFF = "acknowledgements off"
    NOT_NEEDED = "not needed"
    ALREADY = "already acknowledged in this closed period"
    SENT = "sent"
    LEFT_TO_A_PERSON = "left to a person"  # X refused both the reply and the DM
    PAUSED = "paused"  # X stopped carebird (authorization, credits, usage cap): the case waits for a person


@dataclass(frozen=True)
class AcknowledgementResult:
    status: Acknowledged
    via: Via | None = None
    x: XResult | None = None

    def __str__(self) -> str:
        if self.status is Acknowledged.SENT and self.via and self.x:
            return f"{self.via.value}: {self.x.outcome.value}"
        if self.status is Acknowledged.LEFT_TO_A_PERSON and self.x:
            return f"left to a person: {self.x.detail}"
        return self.status.value


def acknowledge(
    case: Mapping[str, Any],
    now: datetime,
    settings: AutomationSettings,
    claims: Claims,
    x: Poster,
    log: AcknowledgementLog,
    state: AutomationState | None = None,
) -> AcknowledgementResult:
    """One courteous out-of-hours answer per customer per closed period: by reply, else by DM."""
    if not settings.acknowledgements:
        return AcknowledgementResult(Acknowledged.OFF)
    plan = plan_acknowledgement(dict(case), settings.hours, now, settings.language)
    if plan is None:
        return AcknowledgementResult(Acknowledged.NOT_NEEDED)
    if state is not None and state.paused():
        return AcknowledgementResult(Acknowledged.PAUSED)
    if not claims.claim(plan.claim_key, now):
        return AcknowledgementResult(Acknowledged.ALREADY)
    log.expect_automated(plan.customer_id, plan.text, now)  # before posting: X may echo it back at once
    family = Family.PUBLIC if plan.reply_to_id else Family.DM
    via, result = reply_else_dm(x, plan.text, family, plan.reply_to_id, plan.customer_id)
    if result.outcome is XOutcome.RETRY_LATER:
        claims.release(plan.claim_key)
        raise RetryLater(result)
    if result.outcome is XOutcome.BLOCKED:
        claims.release(plan.claim_key)
        return AcknowledgementResult(Acknowledged.PAUSED, via, result)
    claims.complete(plan.claim_key, result, plan.text)
    log.record_acknowledgement(
        case["case_id"], via.value if result.done else "left to a person", result, plan.text, now
    )
    if result.done:
        return AcknowledgementResult(Acknowledged.SENT, via, result)
    return AcknowledgementResult(Acknowledged.LEFT_TO_A_PERSON, via, result)
