"""What can be configured: every setting once, with its default, its template parameter and its meaning.

The functions read their settings from the environment once, at cold start, through the views at the end of
this file (one per function); the template passes each variable from its parameter of the same meaning.
Tests hold the three together: every variable a function's view reads is passed to that function by the
template, and every parameter's default is the default written here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from carebird.errors import ConfigurationError

if TYPE_CHECKING:
    from carebird.app.automation import AutomationSettings
    from carebird.app.ingest import IngestSettings
    from carebird.app.watch import WatchSettings
    from carebird.domain.calendar import OpeningHours
    from carebird.domain.outages import OutageRules
    from carebird.domain.sla import SlaPolicy
    from carebird.domain.triage import TriageRules
    from carebird.domain.xbill import XPrices
    from carebird.settings_views import AcknowledgerSettings as AcknowledgerSettings
    from carebird.settings_views import AnnouncerSettings as AnnouncerSettings
    from carebird.settings_views import ComplianceSettings as ComplianceSettings
    from carebird.settings_views import DigestSettings as DigestSettings
    from carebird.settings_views import DispatcherSettings as DispatcherSettings
    from carebird.settings_views import EscalatorSettings as EscalatorSettings
    from carebird.settings_views import HealthSettings as HealthSettings
    from carebird.settings_views import InboxSettings as InboxSettings
    from carebird.settings_views import acknowledger as acknowledger
    from carebird.settings_views import announcer as announcer
    from carebird.settings_views import compliance as compliance
    from carebird.settings_views import digest as digest
    from carebird.settings_views import dispatcher as dispatcher
    from carebird.settings_views import escalator as escalator
    from carebird.settings_views import health as health
    from carebird.settings_views import inbox as inbox
    from carebird.x.normalise import Brand

T = TypeVar("T")
REQUIRED: Any = None  # a setting with no default: the deployment must give it


def _flag(text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError("must be true or false")


def _whole(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text)
        if value < minimum:
            raise ValueError(f"must be at least {minimum}")
        if maximum is not None and value > maximum:
            raise ValueError(f"must be at most {maximum}")
        return value

    return parse


def _positive_number(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise ValueError("must be positive")
    return value


def _json_list(text: str) -> list[Any]:
    value = json.loads(text)
    if not isinstance(value, list):
        raise ValueError("must be a JSON list")
    return value


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One environment variable: its parser, its default (REQUIRED: none), and the parameter that sets it."""

    name: str
    default: T
    parse: Callable[[str], T]
    parameter: str | None
    help: str

    def template_default(self) -> str | None:
        """The default as a template parameter writes it."""
        if self.default is REQUIRED:
            return None
        if isinstance(self.default, bool):
            return "true" if self.default else "false"
        return str(self.default)


def _text(text: str) -> str:
    return text.strip()


def _one_of(text: str, choices: tuple[str, ...]) -> str:
    value = text.strip().lower()
    if value not in choices:
        raise ValueError(f"must be one of {', '.join(choices)}")
    return value


# --- the deployment: resources and identity ------------------------------------------------------------------
CASES_TABLE = Setting("CASES_TABLE", REQUIRED, _text, None, "The DynamoDB table (cases, messages, claims).")
X_SECRET_ARN = Setting("X_SECRET_ARN", REQUIRED, _text, None, "Secrets Manager secret with the X app's keys.")
BRAND_USER_ID = Setting("BRAND_USER_ID", REQUIRED, _text, "BrandUserId", "The brand account's numeric X user id.")
BRAND_HANDLE = Setting("BRAND_HANDLE", REQUIRED, _text, "BrandHandle", "The brand account's handle, without @.")
X_DRY_RUN = Setting(
    "X_DRY_RUN", True, _flag, "DryRun", "true (the first deployment's default): log what would be posted, post nothing."
)

# --- the calendar ----------------------------------------------------------------------------------------------
TIME_ZONE = Setting("TIME_ZONE", "Europe/Paris", _text, "TimeZone", "IANA time zone of the opening hours.")
OPENING_HOURS = Setting(
    "OPENING_HOURS", "mon-fri 09:00-18:00", _text, "OpeningHours", "Weekly hours, e.g. 'mon-fri 09:00-18:00'."
)
HOLIDAYS = Setting("HOLIDAYS", "", _text, "Holidays", "Closed dates, comma-separated YYYY-MM-DD.")

# --- triage and cases ------------------------------------------------------------------------------------------
TRIAGE_RULES = Setting("TRIAGE_RULES", "", _text, "TriageRules", "JSON overrides of the triage rules.")
CASE_IDLE_HOURS = Setting(
    "CASE_IDLE_HOURS", 72, _whole(1), "CaseIdleHours", "Hours of silence after which a new message opens a new case."
)
OUTAGE_CUSTOMERS = Setting(
    "OUTAGE_CUSTOMERS", 4, _whole(2), "OutageCustomers", "Distinct customers reporting one failure that make an outage."
)
OUTAGE_WINDOW_MINUTES = Setting(
    "OUTAGE_WINDOW_MINUTES", 30, _whole(1), "OutageWindowMinutes", "Minutes within which those reports count."
)
OUTAGE_TOPIC_ARN = Setting("OUTAGE_TOPIC_ARN", "", _text, None, "SNS topic told once per outage ('': log only).")

# --- the SLA ---------------------------------------------------------------------------------------------------
SLA_MINUTES = Setting("SLA_MINUTES", 90, _whole(1), "SlaMinutes", "Opening minutes before a waiting case escalates.")
URGENT_SLA_MINUTES = Setting(
    "URGENT_SLA_MINUTES", 30, _whole(1), "UrgentSlaMinutes", "Shorter SLA for urgent cases (risk, outages)."
)
SECOND_LEVEL_MINUTES = Setting(
    "SECOND_LEVEL_MINUTES", 60, _whole(0), "SecondLevelMinutes", "Further minutes before the manager (0: never)."
)
CITATION_SLA_MINUTES = Setting(
    "CITATION_SLA_MINUTES", 240, _whole(0), "CitationSlaMinutes", "SLA of citations found by the watch (0: none)."
)
TOPIC_SLA_MINUTES = Setting(
    "TOPIC_SLA_MINUTES", 0, _whole(0), "TopicSlaMinutes", "SLA of topic-watch cases (0: none, they never page)."
)

# --- what carebird says on its own ----------------------------------------------------------------------------
ANNOUNCE_LANGUAGE = Setting(
    "ANNOUNCE_LANGUAGE", "fr", lambda t: t.strip().lower(), "AnnounceLanguage", "fr or en: announcements' language."
)
ACK_ENABLED = Setting(
    "ACK_ENABLED", True, _flag, "AcknowledgeOutOfHours", "One courteous acknowledgement per out-of-hours contact."
)
HOLIDAY_MESSAGE = Setting("HOLIDAY_MESSAGE", True, _flag, "HolidayMessage", "Post a message on closed holidays.")
PRIVACY_POLICY_URL = Setting(
    "PRIVACY_POLICY_URL", "", _text, "PrivacyPolicyUrl", "https link to the privacy policy ('': no automated DM)."
)
OPT_OUT_WORDS = Setting(
    "OPT_OUT_WORDS", "", _text, "OptOutWords", "Words (comma-separated) that also opt a customer out of automation."
)
ANNOUNCEMENT_SCHEDULE_GROUP = Setting(
    "ANNOUNCEMENT_SCHEDULE_GROUP", "", _text, None, "Scheduler group of the day's announcements ('': not planned)."
)
ANNOUNCEMENT_ROLE_ARN = Setting(
    "ANNOUNCEMENT_ROLE_ARN", "", _text, None, "Role EventBridge Scheduler uses to invoke the announcer."
)
ANNOUNCEMENT_DEAD_LETTER_ARN = Setting(
    "ANNOUNCEMENT_DEAD_LETTER_ARN", "", _text, None, "Queue for announcements Scheduler cannot deliver ('': none)."
)

# --- the X bill -------------------------------------------------------------------------------------------------
X_PRICES = Setting(
    "X_PRICES", "", _text, "XPrices", 'JSON overrides of X\'s prices in dollars (xbill.XPrices): {"reply": 0.015}.'
)

# --- customers' deletions -------------------------------------------------------------------------------------
DELETION_CHECK_DAYS = Setting(
    "DELETION_CHECK_DAYS", 30, _whole(1), "DeletionCheckDays", "Days of customers' posts checked for deletion on X."
)

# --- watch and polling -----------------------------------------------------------------------------------------
WATCH_QUERIES = Setting("WATCH_QUERIES", "[]", _text, "WatchQueries", "JSON list of saved searches.")
WATCH_DAILY_READ_CAP = Setting(
    "WATCH_DAILY_READ_CAP", 500, _whole(0), "WatchDailyReadCap", "Posts read from X per day at most (billed)."
)

# --- ingestion limits ------------------------------------------------------------------------------------------
# At most what one asynchronous invocation carries to the ingester as base64 with room for Lambda's on-failure record
# in the failures queue (carebird.app.handoff.largest_body: 773,994 bytes).
MAX_BODY_BYTES = Setting("MAX_BODY_BYTES", 524288, _whole(1024, 773_994), None, "Largest webhook delivery accepted.")
INGESTER_FUNCTION = Setting(
    "INGESTER_FUNCTION", REQUIRED, _text, None, "The function the webhook hands each verified delivery to."
)
WEBHOOK_PARALLELISM = Setting(
    "WEBHOOK_PARALLELISM", 16, _whole(1), None, "Conversations of one delivery stored at once."
)

# --- observability ---------------------------------------------------------------------------------------------
# powertools' own variable; the template sets it from the Tracing parameter (Active: false, PassThrough: true).
TRACE_DISABLED = Setting(
    "POWERTOOLS_TRACE_DISABLED", True, _flag, None, "false: X-Ray traces with powertools' Tracer (Tracing=Active)."
)

# --- the team's inbox ------------------------------------------------------------------------------------------
INBOX_AUTH_URL = Setting(
    "INBOX_AUTH_URL", "", _text, None, "Cognito sign-in domain of the inbox ('': development sign-in, local only)."
)
INBOX_CLIENT_ID = Setting("INBOX_CLIENT_ID", "", _text, None, "Cognito app client of the inbox page (public, PKCE).")

# --- escalation, digest and health -----------------------------------------------------------------------------
STATE_MACHINE_ARN = Setting("STATE_MACHINE_ARN", REQUIRED, _text, None, "The SLA escalation workflow.")
SCHEDULE_GROUP = Setting("SCHEDULE_GROUP", "", _text, None, "Scheduler group of SLA timers ('': local runtime).")
SCHEDULER_ROLE_ARN = Setting("SCHEDULER_ROLE_ARN", "", _text, None, "Role the SLA timers start the workflow with.")
SCHEDULE_DEAD_LETTER_ARN = Setting("SCHEDULE_DEAD_LETTER_ARN", "", _text, None, "Queue for timers that cannot fire.")
DIGEST_TOPIC_ARN = Setting("DIGEST_TOPIC_ARN", REQUIRED, _text, None, "SNS topic the daily digest is sent to.")
DIGEST_PERIOD_HOURS = Setting("DIGEST_PERIOD_HOURS", 24.0, _positive_number, None, "Hours a digest covers.")
ALERT_TOPIC_ARN = Setting("ALERT_TOPIC_ARN", REQUIRED, _text, None, "SNS topic of operational alerts.")
TEAM_TOPIC_ARN = Setting("TEAM_TOPIC_ARN", REQUIRED, _text, None, "SNS topic of the team's escalation emails.")
MANAGER_TOPIC_ARN = Setting("MANAGER_TOPIC_ARN", REQUIRED, _text, None, "SNS topic of second-level escalations.")
SILENCE_MINUTES = Setting(
    "SILENCE_MINUTES", 120, _whole(1), "SilenceMinutes", "Open minutes without events before the health check looks."
)

# --- X: which feed, and who hears when X stops carebird ----------------------------------------------------------
X_FEED = Setting(
    "X_FEED",
    "xaa",
    lambda t: _one_of(t, ("xaa", "aaa")),
    "XFeed",
    "xaa: X Activity API subscriptions (default); aaa: the deprecated Account Activity API.",
)
X_ALERT_TOPIC_ARN = Setting(
    "X_ALERT_TOPIC_ARN", "", _text, None, "SNS topic told once when X stops automatic posting ('': logged only)."
)

SETTINGS: tuple[Setting[Any], ...] = tuple(v for v in list(globals().values()) if isinstance(v, Setting))


class Environment:
    """Typed reads of settings from a mapping (os.environ in Lambda); remembers which it was asked for."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.env = os.environ if env is None else env
        self.read: set[str] = set()

    def __call__(self, setting: Setting[T]) -> T:
        self.read.add(setting.name)
        raw = self.env.get(setting.name)
        if raw is None or not raw.strip():
            if setting.default is REQUIRED:
                raise ConfigurationError(f"setting {setting.name} is required")
            return setting.default
        try:
            return setting.parse(raw)
        except ValueError as exc:
            raise ConfigurationError(f"setting {setting.name}={raw[:80]!r} is invalid: {exc}") from exc


def _environment(env: Mapping[str, str] | Environment | None) -> Environment:
    return env if isinstance(env, Environment) else Environment(env)


# --- views: what each function reads --------------------------------------------------------------------------
def opening_hours(env: Mapping[str, str] | Environment | None = None) -> OpeningHours:
    from carebird.domain.calendar import OpeningHours

    read = _environment(env)
    return OpeningHours.from_settings(read(OPENING_HOURS), read(TIME_ZONE), read(HOLIDAYS))


def brand(env: Mapping[str, str] | Environment | None = None) -> Brand:
    from carebird.x.normalise import Brand

    read = _environment(env)
    return Brand(user_id=read(BRAND_USER_ID), handle=read(BRAND_HANDLE))


def triage_rules(env: Mapping[str, str] | Environment | None = None) -> TriageRules:
    from carebird.domain.triage import TriageRules

    read = _environment(env)
    hours = opening_hours(read)
    try:
        return TriageRules.from_json(read(TRIAGE_RULES), hours)
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(f"setting TRIAGE_RULES is invalid: {exc}") from exc


def ingestion(env: Mapping[str, str] | Environment | None = None) -> IngestSettings:
    from carebird.app.ingest import IngestSettings

    read = _environment(env)
    from carebird.domain.xrules import opt_out_words

    return IngestSettings(
        rules=triage_rules(read),
        idle_before_new_case=timedelta(hours=read(CASE_IDLE_HOURS)),
        opt_out_words=opt_out_words(read(OPT_OUT_WORDS)),
    )


def sla_policy(env: Mapping[str, str] | Environment | None = None) -> SlaPolicy:
    from carebird.domain.sla import SlaPolicy

    read = _environment(env)
    return SlaPolicy(
        minutes=read(SLA_MINUTES),
        second_level_minutes=read(SECOND_LEVEL_MINUTES),
        hours=opening_hours(read),
        channel_minutes={"citation": read(CITATION_SLA_MINUTES), "topic": read(TOPIC_SLA_MINUTES)},
        urgent_minutes=read(URGENT_SLA_MINUTES),
    )


def automation(env: Mapping[str, str] | Environment | None = None) -> AutomationSettings:
    from carebird.app.automation import AutomationSettings

    read = _environment(env)
    return AutomationSettings(
        hours=opening_hours(read),
        brand_handle=read(BRAND_HANDLE),
        language=read(ANNOUNCE_LANGUAGE),
        acknowledgements=read(ACK_ENABLED),
        holiday_message=read(HOLIDAY_MESSAGE),
        dry_run=read(X_DRY_RUN),
        privacy_policy_url=read(PRIVACY_POLICY_URL),
    )


def x_prices(env: Mapping[str, str] | Environment | None = None) -> XPrices:
    from carebird.domain.xbill import XPrices

    try:
        return XPrices.from_json(_environment(env)(X_PRICES))
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(f"setting X_PRICES is invalid: {exc}") from exc


def watch(env: Mapping[str, str] | Environment | None = None) -> WatchSettings:
    from carebird.app.watch import WatchQuery, WatchSettings
    from carebird.domain.model import Channel

    read = _environment(env)
    try:
        queries = tuple(
            WatchQuery(str(q["name"]), tuple(str(t) for t in q["terms"]), Channel(q.get("channel", "citation")))
            for q in _json_list(read(WATCH_QUERIES))
        )
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ConfigurationError(f"setting WATCH_QUERIES is invalid: {exc!r}") from exc
    return WatchSettings(queries=queries, daily_read_cap=read(WATCH_DAILY_READ_CAP))


@dataclass(frozen=True)
class WebhookSettings:
    """The webhook's view: what it verifies with, how much it accepts, where it hands deliveries over."""

    secret_arn: str
    ingester_function: str
    max_body_bytes: int = MAX_BODY_BYTES.default


def webhook(env: Mapping[str, str] | Environment | None = None) -> WebhookSettings:
    read = _environment(env)
    return WebhookSettings(
        secret_arn=read(X_SECRET_ARN), ingester_function=read(INGESTER_FUNCTION), max_body_bytes=read(MAX_BODY_BYTES)
    )


@dataclass(frozen=True)
class IngesterSettings:
    """The ingester's view (also the watcher's and the poller's: they ingest the same way)."""

    cases_table: str
    brand: Brand
    ingest: IngestSettings = field(default_factory=lambda: ingestion({}))
    parallelism: int = WEBHOOK_PARALLELISM.default
    alert_topic_arn: str = X_ALERT_TOPIC_ARN.default
    outages: OutageRules = field(default_factory=lambda: outage_rules({}))


def ingester(env: Mapping[str, str] | Environment | None = None) -> IngesterSettings:
    read = _environment(env)
    return IngesterSettings(
        cases_table=read(CASES_TABLE),
        brand=brand(read),
        ingest=ingestion(read),
        parallelism=read(WEBHOOK_PARALLELISM),
        alert_topic_arn=read(X_ALERT_TOPIC_ARN),
        outages=outage_rules(read),
    )


def x_secret(env: Mapping[str, str] | Environment | None = None) -> str:
    """The X app's secret (the watcher's and the poller's X calls; the webhook's view has its own)."""
    return _environment(env)(X_SECRET_ARN)


def outage_topic(env: Mapping[str, str] | Environment | None = None) -> str:
    """The ingester's alert topic for outages (the watcher and the poller count no outage)."""
    return _environment(env)(OUTAGE_TOPIC_ARN)


def outage_rules(env: Mapping[str, str] | Environment | None = None) -> OutageRules:
    from carebird.domain.outages import OutageRules

    read = _environment(env)
    return OutageRules(customers=read(OUTAGE_CUSTOMERS), window=timedelta(minutes=read(OUTAGE_WINDOW_MINUTES)))


# The other functions' views (carebird.settings_views), imported on first use: the webhook never builds them.
OTHER_VIEWS = frozenset(
    {
        "DispatcherSettings", "dispatcher", "AnnouncerSettings", "announcer", "AcknowledgerSettings", "acknowledger",
        "DigestSettings", "digest", "EscalatorSettings", "escalator", "HealthSettings", "health",
        "InboxSettings", "inbox", "ComplianceSettings", "compliance",
    }
)  # fmt: skip


def _other_view(name: str) -> Any:
    """`settings.dispatcher`, `settings.InboxSettings`...: the views kept in carebird.settings_views."""
    if name in OTHER_VIEWS:
        from carebird import settings_views

        return getattr(settings_views, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if not TYPE_CHECKING:  # a module __getattr__ would make every name Any to mypy: it reads the TYPE_CHECKING imports
    __getattr__ = _other_view  # above instead, so a misspelt setting or view stays a type error


def tracing(env: Mapping[str, str] | Environment | None = None) -> bool:
    """Whether the function traces with X-Ray (every function reads this besides its own view)."""
    return not _environment(env)(TRACE_DISABLED)


def log_level_under_lambdas(env: Mapping[str, str] | Environment | None = None) -> str | None:
    """The template's LogLevel (POWERTOOLS_LOG_LEVEL) when Lambda's JSON log format sets its own application level
    (AWS_LAMBDA_LOG_LEVEL), which powertools then takes instead: carebird.observability keeps the stricter. None
    without it (powertools reads POWERTOOLS_LOG_LEVEL itself)."""
    variables = _environment(env).env
    if not variables.get("AWS_LAMBDA_LOG_LEVEL"):
        return None
    return variables.get("POWERTOOLS_LOG_LEVEL", "INFO").upper()


# Each function's view, by the function's folder under functions/ (the settings test reads this).
VIEWS: dict[str, Callable[[Environment], Any]] = {
    "webhook": lambda read: (webhook(read), tracing(read)),
    "ingester": lambda read: (ingester(read), outage_topic(read), tracing(read)),
    "watcher": lambda read: (ingester(read), x_secret(read), watch(read), tracing(read)),
    "poller": lambda read: (ingester(read), x_secret(read), watch(read), tracing(read)),
    "dispatcher": lambda read: (_other_view("dispatcher")(read), tracing(read)),
    "announcer": lambda read: (_other_view("announcer")(read), tracing(read)),
    "acknowledger": lambda read: (_other_view("acknowledger")(read), tracing(read)),
    "digest": lambda read: (_other_view("digest")(read), tracing(read)),
    "health": lambda read: (_other_view("health")(read), tracing(read)),
    "escalator": lambda read: (_other_view("escalator")(read), tracing(read)),
    "inbox": lambda read: (_other_view("inbox")(read), tracing(read)),
    "compliance": lambda read: (_other_view("compliance")(read), tracing(read)),
}
