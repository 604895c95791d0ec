"""Self-healing ingestion: is the webhook valid and the brand subscribed, and is activity still arriving?"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger

from carebird.domain.calendar import OpeningHours
from carebird.domain.timeparse import to_iso
from carebird.ports import Alerts, CaseReader, Cursors, HealthLog
from carebird.x import subscriptions as xsubscriptions

if TYPE_CHECKING:
    from carebird.settings import HealthSettings


@dataclass
class HealthReport:
    checked_at: str
    webhook_id: str | None = None
    webhook_valid: bool | None = None
    revalidated: bool = False
    subscribed: bool | None = None
    feed: str = "xaa"
    missing_subscriptions: list[str] | None = None
    last_event_at: str | None = None
    x_recent_mentions: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems

    def as_item(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None} | {"healthy": self.healthy}


def check_ingestion(
    admin: Any,
    *,
    last_event_at: datetime | None,
    recent_mentions: int | None,
    hours: OpeningHours,
    now: datetime,
    silence: timedelta,
    feed: str = "xaa",
    brand_user_id: str = "",
) -> HealthReport:
    """Check X's side (webhook validity, subscription), repair what can be repaired, and judge the silence."""
    report = HealthReport(
        checked_at=to_iso(now),
        feed=feed,
        last_event_at=to_iso(last_event_at) if last_event_at else None,
        x_recent_mentions=recent_mentions,
    )
    hooks = admin.webhooks()
    if not hooks:
        report.problems.append("no webhook registered with X: run carebird x register <WebhookUrl>")
        return report
    hook = hooks[0]
    report.webhook_id, report.webhook_valid = str(hook.get("id")), bool(hook.get("valid"))
    if not report.webhook_valid:
        admin.revalidate(report.webhook_id)
        report.revalidated = True
        report.webhook_valid = bool(
            next((h.get("valid") for h in admin.webhooks() if str(h.get("id")) == report.webhook_id), False)
        )
        if not report.webhook_valid:
            report.problems.append(f"webhook {report.webhook_id} is invalid and the CRC re-check did not fix it")
    if feed == "xaa":
        wants = xsubscriptions.wanted(brand_user_id, report.webhook_id)
        report.missing_subscriptions = xsubscriptions.missing(admin.activity_subscriptions(), wants)
        report.subscribed = not report.missing_subscriptions
        if report.missing_subscriptions:
            report.problems.append(
                f"X Activity API subscriptions missing on webhook {report.webhook_id}: "
                f"{', '.join(report.missing_subscriptions)}: run carebird x subscribe"
            )
    else:
        report.subscribed = admin.subscribed(report.webhook_id)
        if not report.subscribed:
            report.problems.append("the brand account is not subscribed: run carebird x subscribe --feed aaa")
    quiet_since = now - silence
    silent = last_event_at is None or last_event_at < quiet_since
    team_open_long_enough = (
        hours.is_open(now) and hours.open_minutes_between(quiet_since, now) >= silence.total_seconds() / 60 / 2
    )
    if silent and team_open_long_enough and recent_mentions:
        report.problems.append(
            f"ingestion looks dead: no event since {report.last_event_at or 'ever'} while X shows "
            f"{recent_mentions} mention(s) of the brand in the last {int(silence.total_seconds() // 60)} minutes"
        )
    return report


def alert_text(report: HealthReport, brand_handle: str) -> tuple[str, str]:
    subject = f"[carebird] ingestion problem for @{brand_handle}"[:99]
    body = "\n".join(
        [
            f"carebird's health check at {report.checked_at} found:",
            "",
            *(f"  - {p}" for p in report.problems),
            "",
            f"webhook {report.webhook_id} valid={report.webhook_valid} (re-checked: {report.revalidated}), "
            f"brand subscribed={report.subscribed}, last event {report.last_event_at or 'never'}.",
            "Missed activity can be replayed: carebird x replay --since 24h",
        ]
    )
    return subject, body


logger = Logger(child=True)  # the function's logger (powertools), its service and context
MENTIONS_READ = 10  # posts read from X when the silence could be an outage (X bills each one)


def run_health_check(
    check: HealthSettings,
    cases: CaseReader,
    reads: Cursors,
    reader: Any,
    admin: Any,
    log: HealthLog,
    alerts: Alerts,
    now: datetime,
) -> HealthReport:
    """One run: X's side checked and repaired, the silence judged (reading X's recent mentions only when it could
    be an outage worth an alert, within the day's read budget), the report recorded, the team alerted."""
    from carebird.x.client import XReadError

    latest = cases.latest_case(now)  # one small Query, not the day's cases: 50,000 a day cost the same
    last_event = latest.last_activity_at if latest else None
    mentions = None
    # X bills every post read: ask for recent mentions only when the silence could be an outage worth an alert.
    silent = last_event is None or now - last_event >= check.silence
    if silent and check.hours.is_open(now) and reads.reserve_reads(now.date(), MENTIONS_READ, check.daily_read_cap):
        try:
            page = reader.mentions(check.brand_user_id, None, None, MENTIONS_READ)  # an owned read: $0.001
            since = (now - check.silence).strftime("%Y-%m-%dT%H:%M:%S")
            mentions = sum(1 for post in page.get("data") or [] if post.get("created_at", "") >= since)
        except XReadError as exc:
            logger.warning("could not read recent mentions", extra={"reason": str(exc)})
    report = check_ingestion(
        admin,
        last_event_at=last_event,
        recent_mentions=mentions,
        hours=check.hours,
        now=now,
        silence=check.silence,
        feed=check.feed,
        brand_user_id=check.brand_user_id,
    )
    log.record(report.as_item())
    if not report.healthy:
        alerts.alert(*alert_text(report, check.brand_handle))
    return report
