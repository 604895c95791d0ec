"""Use case: the daily digest, the care KPIs of the last period emailed to the team (the digest function).

The KPIs come from the hourly counters and the waiting cases (carebird.app.kpi_counting), X's spend from the days'
recorded usage (carebird.domain.xbill); the day's delivered events are recorded first, so a retried digest counts them
once.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from carebird.app.kpi_counting import CounterReader, kpi_report
from carebird.domain.kpi import render_digest
from carebird.domain.xbill import delivered_events, spend_line, week_usage
from carebird.ports import CaseReader

if TYPE_CHECKING:
    from carebird.settings import DigestSettings


class Usage(Protocol):
    """X's recorded usage by UTC day (carebird.aws.usage.DynamoUsage)."""

    def set_delivered(self, day: date, events: dict[str, int]) -> None: ...
    def days(self, until: date, days: int = 7) -> list[dict[str, Any]]: ...


class Mailer(Protocol):
    """The digest's topic (carebird.aws.pause.SnsAlerts.send): the team's subscribed emails."""

    def send(self, subject: str, body: str) -> None: ...


def send_digest(
    settings: DigestSettings, counters: CounterReader, cases: CaseReader, usage: Usage, mail: Mailer, now: datetime
) -> dict[str, Any]:
    """The period ending now, summarised and sent; what was sent (cases, subject, X's spend line) returned."""
    since, policy = now - settings.period, settings.policy
    report, _ = kpi_report(counters, cases, policy, since, now)  # hourly counters + waiting cases
    usage.set_delivered(now.date(), delivered_events(report.messages_in, report.brand_posts))
    x_spend = spend_line(week_usage(usage.days(now.date(), 7)), settings.prices)
    subject, body = render_digest(report, policy.hours, policy.minutes, settings.brand_handle, x_spend)
    mail.send(subject, body)
    return {"cases": report.cases, "breaches": report.breaches, "subject": subject, "x_spend": x_spend}
