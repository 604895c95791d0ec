"""Care KPIs from the cases themselves: volume, first-response time in opening minutes, SLA breaches."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from carebird.calendar import OpeningHours
from carebird.cases import Case


@dataclass(frozen=True)
class CaseTiming:
    case_id: str
    handle: str
    first_response_minutes: float | None  # opening minutes from opening to first response
    waiting_minutes: float | None  # opening minutes waited so far when still unanswered
    breached: bool


@dataclass(frozen=True)
class KpiReport:
    since: datetime
    until: datetime
    cases: int
    by_channel: dict[str, int]
    by_topic: dict[str, int]
    answered: int
    unanswered: int
    median_first_response: float | None
    p90_first_response: float | None
    breaches: int
    escalated: int
    acknowledged: int
    busiest_hours: list[tuple[int, int]]  # (local hour, cases opened), busiest first
    unanswered_cases: list[str] = field(default_factory=list)
    timings: list[CaseTiming] = field(default_factory=list)

    @property
    def breach_rate(self) -> float:
        return self.breaches / self.cases if self.cases else 0.0


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile (the value a `fraction` of cases are at or under)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def case_timing(case: Case, hours: OpeningHours, sla_minutes: int, now: datetime) -> CaseTiming:
    if case.first_response_at is not None:
        minutes = hours.open_minutes_between(case.opened_at, case.first_response_at)
        return CaseTiming(
            case.case_id, case.customer.handle, minutes, None, minutes > sla_minutes or case.escalation_level > 0
        )
    waited = hours.open_minutes_between(case.opened_at, now)
    return CaseTiming(
        case.case_id, case.customer.handle, None, waited, waited > sla_minutes or case.escalation_level > 0
    )


def compute(cases: Iterable[Case], hours: OpeningHours, sla_minutes: int, since: datetime, now: datetime) -> KpiReport:
    """KPIs over the cases opened in [since, now]."""
    chosen = [c for c in cases if since <= c.opened_at <= now]
    timings = [case_timing(c, hours, sla_minutes, now) for c in chosen]
    responses = [t.first_response_minutes for t in timings if t.first_response_minutes is not None]
    hours_opened = Counter(c.opened_at.astimezone(hours.zone).hour for c in chosen)
    median = percentile(responses, 0.5)
    return KpiReport(
        since=since,
        until=now,
        cases=len(chosen),
        by_channel=dict(Counter(c.channel.value for c in chosen).most_common()),
        by_topic=dict(Counter(c.topic for c in chosen).most_common()),
        answered=len(responses),
        unanswered=len(chosen) - len(responses),
        median_first_response=median,
        p90_first_response=percentile(responses, 0.9),
        breaches=sum(t.breached for t in timings),
        escalated=sum(c.escalation_level > 0 for c in chosen),
        acknowledged=sum(c.acknowledged_at is not None for c in chosen),
        busiest_hours=sorted(hours_opened.items(), key=lambda kv: (-kv[1], kv[0]))[:3],
        unanswered_cases=[f"{c.reference} @{c.customer.handle}" for c in chosen if c.first_response_at is None],
        timings=timings,
    )
