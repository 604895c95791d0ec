"""The KPI page: the team's figures in opening and calendar minutes, per agent, and cases by day and channel."""

from __future__ import annotations

from datetime import datetime, timedelta

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.exceptions import BadRequestError
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from carebird import clock, inbox
from carebird.inboxweb.web import current, member, query, reply
from carebird.kpi import compute

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
    cases = list(current().store.cases_opened_between(since, until))
    report = compute(cases, policy.hours, policy.minutes_for_case, since, until)
    return reply(200, inbox.kpi_view(report, cases, policy, days))


def local_midnight(now: datetime, zone: object, days_back: int) -> datetime:
    """The start of the brand's local day `days_back` days before today: the window is whole local days."""
    local = now.astimezone(zone) - timedelta(days=days_back)  # type: ignore[arg-type]
    return local.replace(hour=0, minute=0, second=0, microsecond=0)
