"""The settings views of the functions that do not ingest X's events (the dispatcher, the announcer, the
acknowledger, the digest, the escalator, the health check, the inbox and the compliance job), read from the
settings declared in carebird.settings.

They live apart from carebird.settings so that the webhook's cold start does not build eight dataclasses it
never uses (Python compiles each one's generated methods at import: about 5 ms of the webhook's first event on
python3.13). carebird.settings forwards their names, so a function reads `configuration.dispatcher()` as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from carebird.settings import (
    ALERT_TOPIC_ARN,
    ANNOUNCEMENT_DEAD_LETTER_ARN,
    ANNOUNCEMENT_ROLE_ARN,
    ANNOUNCEMENT_SCHEDULE_GROUP,
    BRAND_HANDLE,
    BRAND_USER_ID,
    CASES_TABLE,
    DELETION_CHECK_DAYS,
    DIGEST_PERIOD_HOURS,
    DIGEST_TOPIC_ARN,
    INBOX_AUTH_URL,
    INBOX_CLIENT_ID,
    MANAGER_TOPIC_ARN,
    SCHEDULE_DEAD_LETTER_ARN,
    SCHEDULE_GROUP,
    SCHEDULER_ROLE_ARN,
    SILENCE_MINUTES,
    STATE_MACHINE_ARN,
    TEAM_TOPIC_ARN,
    WATCH_DAILY_READ_CAP,
    X_ALERT_TOPIC_ARN,
    X_FEED,
    X_SECRET_ARN,
    Environment,
    _environment,
    automation,
    brand,
    ingestion,
    opening_hours,
    sla_policy,
    x_prices,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from carebird.app.automation import AutomationSettings
    from carebird.app.ingest import IngestSettings
    from carebird.domain.calendar import OpeningHours
    from carebird.domain.sla import SlaPolicy
    from carebird.domain.xbill import XPrices
    from carebird.x.normalise import Brand


@dataclass(frozen=True)
class DispatcherSettings:
    """The dispatcher's view: the table, the SLA policy and where its timers go."""

    cases_table: str
    policy: SlaPolicy
    state_machine_arn: str
    schedule_group: str  # '' in the local runtime: no scheduler there
    scheduler_role_arn: str
    dead_letter_arn: str


def dispatcher(env: Mapping[str, str] | Environment | None = None) -> DispatcherSettings:
    read = _environment(env)
    return DispatcherSettings(
        cases_table=read(CASES_TABLE),
        policy=sla_policy(read),
        state_machine_arn=read(STATE_MACHINE_ARN),
        schedule_group=read(SCHEDULE_GROUP),
        scheduler_role_arn=read(SCHEDULER_ROLE_ARN),
        dead_letter_arn=read(SCHEDULE_DEAD_LETTER_ARN),
    )


@dataclass(frozen=True)
class AnnouncerSettings:
    """The announcer's view: the desk's calendar and texts, the X secret and the day's schedules."""

    cases_table: str
    automation: AutomationSettings
    secret_arn: str
    schedule_group: str  # '' in the local runtime: the runtime fires the planned announcements itself
    role_arn: str
    dead_letter_arn: str  # '': an announcement Scheduler cannot deliver is dropped (the local runtime has none)
    alert_topic_arn: str = X_ALERT_TOPIC_ARN.default


def announcer(env: Mapping[str, str] | Environment | None = None) -> AnnouncerSettings:
    read = _environment(env)
    return AnnouncerSettings(
        cases_table=read(CASES_TABLE),
        automation=automation(read),
        secret_arn=read(X_SECRET_ARN),
        schedule_group=read(ANNOUNCEMENT_SCHEDULE_GROUP),
        role_arn=read(ANNOUNCEMENT_ROLE_ARN),
        dead_letter_arn=read(ANNOUNCEMENT_DEAD_LETTER_ARN),
        alert_topic_arn=read(X_ALERT_TOPIC_ARN),
    )


@dataclass(frozen=True)
class AcknowledgerSettings:
    """The acknowledger's view: the desk's calendar and texts and the X secret."""

    cases_table: str
    automation: AutomationSettings
    secret_arn: str
    alert_topic_arn: str = X_ALERT_TOPIC_ARN.default


def acknowledger(env: Mapping[str, str] | Environment | None = None) -> AcknowledgerSettings:
    read = _environment(env)
    return AcknowledgerSettings(read(CASES_TABLE), automation(read), read(X_SECRET_ARN), read(X_ALERT_TOPIC_ARN))


@dataclass(frozen=True)
class DigestSettings:
    """The digest's view: what a digest covers and where it is sent."""

    cases_table: str
    topic_arn: str
    period: timedelta
    brand_handle: str
    policy: SlaPolicy
    prices: XPrices | None = None


def digest(env: Mapping[str, str] | Environment | None = None) -> DigestSettings:
    read = _environment(env)
    return DigestSettings(
        cases_table=read(CASES_TABLE),
        topic_arn=read(DIGEST_TOPIC_ARN),
        period=timedelta(hours=read(DIGEST_PERIOD_HOURS)),
        brand_handle=read(BRAND_HANDLE),
        policy=sla_policy(read),
        prices=x_prices(read),
    )


@dataclass(frozen=True)
class EscalatorSettings:
    """The escalator's view: the SNS topic of each audience."""

    cases_table: str
    topics: dict[str, str]  # audience ("1": the team, "2": the manager) → SNS topic


def escalator(env: Mapping[str, str] | Environment | None = None) -> EscalatorSettings:
    read = _environment(env)
    return EscalatorSettings(read(CASES_TABLE), {"1": read(TEAM_TOPIC_ARN), "2": read(MANAGER_TOPIC_ARN)})


@dataclass(frozen=True)
class HealthSettings:
    """The health check's view: the calendar, the silence that makes it look, and X's read cap."""

    cases_table: str
    secret_arn: str
    alert_topic_arn: str
    brand_handle: str
    hours: OpeningHours
    silence: timedelta
    daily_read_cap: int
    brand_user_id: str = ""  # the health check reads the brand's mentions: an owned read when the app is the brand's
    feed: str = X_FEED.default


def health(env: Mapping[str, str] | Environment | None = None) -> HealthSettings:
    read = _environment(env)
    return HealthSettings(
        cases_table=read(CASES_TABLE),
        secret_arn=read(X_SECRET_ARN),
        alert_topic_arn=read(ALERT_TOPIC_ARN),
        brand_handle=read(BRAND_HANDLE),
        hours=opening_hours(read),
        silence=timedelta(minutes=read(SILENCE_MINUTES)),
        daily_read_cap=read(WATCH_DAILY_READ_CAP),
        brand_user_id=read(BRAND_USER_ID),
        feed=read(X_FEED),
    )


@dataclass(frozen=True)
class InboxSettings:
    """The inbox's view: the desk's rules, the brand, the X secret and the team's sign-in."""

    cases_table: str
    secret_arn: str
    brand: Brand
    automation: AutomationSettings
    policy: SlaPolicy
    ingest: IngestSettings
    auth_url: str
    client_id: str
    alert_topic_arn: str = X_ALERT_TOPIC_ARN.default
    prices: XPrices | None = None


def inbox(env: Mapping[str, str] | Environment | None = None) -> InboxSettings:
    read = _environment(env)
    return InboxSettings(
        cases_table=read(CASES_TABLE),
        secret_arn=read(X_SECRET_ARN),
        brand=brand(read),
        automation=automation(read),
        policy=sla_policy(read),
        ingest=ingestion(read),
        auth_url=read(INBOX_AUTH_URL).rstrip("/"),
        client_id=read(INBOX_CLIENT_ID),
        alert_topic_arn=read(X_ALERT_TOPIC_ARN),
        prices=x_prices(read),
    )


@dataclass(frozen=True)
class ComplianceSettings:
    """The compliance job's view: the window of customers' posts checked for deletion on X."""

    cases_table: str
    secret_arn: str
    window: timedelta
    ingest: IngestSettings


def compliance(env: Mapping[str, str] | Environment | None = None) -> ComplianceSettings:
    read = _environment(env)
    return ComplianceSettings(
        cases_table=read(CASES_TABLE),
        secret_arn=read(X_SECRET_ARN),
        window=timedelta(days=read(DELETION_CHECK_DAYS)),
        ingest=ingestion(read),
    )
