"""The KPI page: the team's figures in opening and calendar minutes, per agent, and cases by day and channel, from
the KPI counters the dispatcher keeps (carebird.app.kpi_counting.kpi_page): a few Queries for any window."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.exceptions import BadRequestError
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from carebird import clock
from carebird.app import inbox
from carebird.app.inboxweb.web import current, member, query, reply
from carebird.app.kpi_counting import kpi_page
from carebird.domain.kpi import KpiReport
from carebird.domain.xbill import period_usage, week_usage, x_cost

router = APIGatewayHttpRouter()


@router.get("/api/kpi")
def kpis() -> Response:
    event = router.current_event
    member(event)
    try:
        days = max(1, min(31, int(query(event, "days") or 7)))
    except ValueError as exc:
        raise BadRequestError("days must be a whole number") from exc
    policy = current().settings.policy
    until = clock.now()
    since = local_midnight(until, policy.hours.zone, days - 1)
    desk = current()
    report, by_day, first = kpi_page(desk.kpi_counters(), desk.store, policy, since, until)
    view = inbox.kpi_view(report, by_day, first, policy, days)
    return reply(200, view | {"x_spend": x_spend(report, until, days)})


def x_spend(report: KpiReport, until: datetime, days: int) -> dict[str, Any]:
    """What carebird counted on X over the period (its calls, the deliveries of its cases), priced
    (carebird.domain.xbill)."""
    desk = current()
    counted = week_usage(desk.usage().days(until.date(), days))
    spend = period_usage(report.messages_in, report.brand_posts, counted)
    return {"usd": x_cost(spend, desk.settings.prices), "usage": spend, "days": days}


@router.get("/api/automation")
def automation_state() -> Response:
    """The banner's flag: whether X stopped carebird's automatic posting, why, since when, and what to do."""
    member(router.current_event)
    paused = current().automation().paused()
    return reply(200, {"paused": paused is not None, "banner": paused.as_banner() if paused else None})


def local_midnight(now: datetime, zone: object, days_back: int) -> datetime:
    """The start of the brand's local day `days_back` days before today: the window is whole local days."""
    local = now.astimezone(zone) - timedelta(days=days_back)  # type: ignore[arg-type]
    return local.replace(hour=0, minute=0, second=0, microsecond=0)
