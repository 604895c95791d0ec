"""carebird's own messages, sent at most once: announcements and out-of-hours acknowledgements."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from carebird import settings
from carebird.domain.announcements import plan_acknowledgement, plan_announcement, with_privacy_line
from carebird.domain.calendar import OpeningHours
from carebird.domain.model import Family, Via, XOutcome, XResult
from carebird.domain.xrules import privacy_line, valid_privacy_url
from carebird.errors import CarebirdError
from carebird.ports import AcknowledgementLog, AutomationState, Claims, Poster


class RetryLater(CarebirdError):
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
    privacy_policy_url: str = settings.PRIVACY_POLICY_URL.default  # required before any automated DM


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
    OPTED_OUT = "the customer opted out of automated messages"
    NO_PRIVACY_POLICY = "no automated DM without the brand's privacy-policy link (PrivacyPolicyUrl)"
    SENT = "sent"
    LEFT_TO_A_PERSON = "left to a person"  # X refused the reply (never turned into a DM), or the DM
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
    """One courteous out-of-hours answer per customer per closed period, within X's automation rules.

    A public message is answered in its thread only: when X refuses the reply, the refusal is recorded on the case
    and a person answers (an automated DM goes only to customers who DMed the brand first). A DM is answered by DM
    with the brand's privacy-policy link, never without one. A customer who opted out gets nothing automated.
    """
    if not settings.acknowledgements:
        return AcknowledgementResult(Acknowledged.OFF)
    plan = plan_acknowledgement(dict(case), settings.hours, now, settings.language)
    if plan is None or (case.get("family") != Family.DM.value and not plan.reply_to_id):
        return AcknowledgementResult(Acknowledged.NOT_NEEDED)
    if state is not None and state.paused():
        return AcknowledgementResult(Acknowledged.PAUSED)
    by_dm = plan.reply_to_id is None
    if by_dm and not valid_privacy_url(settings.privacy_policy_url):
        return AcknowledgementResult(Acknowledged.NO_PRIVACY_POLICY)
    if log.opted_out(plan.customer_id):
        return AcknowledgementResult(Acknowledged.OPTED_OUT)
    if not claims.claim(plan.claim_key, now):
        return AcknowledgementResult(Acknowledged.ALREADY)
    text = (
        with_privacy_line(plan.text, privacy_line(settings.privacy_policy_url, plan.language)) if by_dm else plan.text
    )
    log.expect_automated(plan.customer_id, text, now)  # before posting: X may echo it back at once
    via = Via.DM if by_dm else Via.REPLY
    result = x.send_dm(plan.customer_id, text) if by_dm else x.reply(text, str(plan.reply_to_id))
    if result.outcome is XOutcome.RETRY_LATER:
        claims.release(plan.claim_key)
        raise RetryLater(result)
    if result.outcome is XOutcome.BLOCKED:
        claims.release(plan.claim_key)
        return AcknowledgementResult(Acknowledged.PAUSED, via, result)
    claims.complete(plan.claim_key, result, text)
    if result.done:
        log.record_acknowledgement(case["case_id"], via.value, result, text, now)
        return AcknowledgementResult(Acknowledged.SENT, via, result)
    refused = "reply refused by X" if result.outcome is XOutcome.REPLY_NOT_ALLOWED else "refused by X"
    log.record_acknowledgement(case["case_id"], f"{refused}: left to a person", result, text, now)
    return AcknowledgementResult(Acknowledged.LEFT_TO_A_PERSON, via, result)
