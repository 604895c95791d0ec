"""Care KPIs from the cases themselves: volume, first-response time in opening minutes, SLA breaches."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
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


UNANSWERED_LISTED = 50  # cases named in the digest; the count covers them all


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
    unanswered_cases: list[str] = field(default_factory=list)  # the first UNANSWERED_LISTED of them
    noise: int = 0  # kept out of the figures above: nobody had to answer them
    praise: int = 0
    # What X delivered for these cases (noise included: X bills it too): customer messages by channel, and the
    # brand's answers in public conversations (each a post X delivers back and bills). For xbill.delivered_events.
    messages_in: dict[str, int] = field(default_factory=dict)
    brand_posts: int = 0

    @property
    def breach_rate(self) -> float:
        return self.breaches / self.cases if self.cases else 0.0


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile (the value a `fraction` of cases are at or under)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


SlaMinutes = int | Callable[[Case], int]


def _sla_of(case: Case, sla_minutes: SlaMinutes) -> int:
    return sla_minutes(case) if callable(sla_minutes) else sla_minutes


def case_timing(case: Case, hours: OpeningHours, sla_minutes: SlaMinutes, now: datetime) -> CaseTiming:
    """How long the case waited for its first answer (or has waited so far), and whether that broke its SLA.

    A case's own SLA counts (a citation's is longer; a topic watch has none, 0, so it never breaches unless
    it was escalated)."""
    sla = _sla_of(case, sla_minutes)
    escalated = case.escalation_level > 0
    if case.first_response_at is not None:
        minutes = hours.open_minutes_between(case.opened_at, case.first_response_at)
        return CaseTiming(case.case_id, case.customer.handle, minutes, None, (sla > 0 and minutes > sla) or escalated)
    waited = hours.open_minutes_between(case.opened_at, now)
    return CaseTiming(case.case_id, case.customer.handle, None, waited, (sla > 0 and waited > sla) or escalated)


def compute(
    cases: Iterable[Case], hours: OpeningHours, sla_minutes: SlaMinutes, since: datetime, now: datetime
) -> KpiReport:
    """KPIs over the cases opened in [since, now] that needed an answer; noise and praise are counted apart.

    One pass over `cases` (a generator paging through the table is fine): a 50,000-case day is never held
    in memory, only its first-response times."""
    channels: Counter[str] = Counter()
    topics: Counter[str] = Counter()
    hours_opened: Counter[int] = Counter()
    responses: list[float] = []
    unanswered: list[str] = []
    chosen = breaches = escalated = acknowledged = unanswered_count = noise = praise = brand_posts = 0
    messages_in: Counter[str] = Counter()
    for case in cases:
        if not since <= case.opened_at <= now:
            continue
        messages_in[case.channel.value] += case.inbound_count
        brand_posts += case.response_count if case.family.value == "public" else 0
        if case.status in ("noise", "praise") and case.first_response_at is None:
            noise += case.status == "noise"
            praise += case.status == "praise"
            continue
        chosen += 1
        timing = case_timing(case, hours, sla_minutes, now)
        channels[case.channel.value] += 1
        topics[case.topic] += 1
        hours_opened[case.opened_at.astimezone(hours.zone).hour] += 1
        breaches += timing.breached
        escalated += case.escalation_level > 0
        acknowledged += case.acknowledged_at is not None
        if timing.first_response_minutes is not None:
            responses.append(timing.first_response_minutes)
        else:
            unanswered_count += 1
            if len(unanswered) < UNANSWERED_LISTED:
                unanswered.append(f"{case.reference} @{case.customer.handle}")
    return KpiReport(
        since=since,
        until=now,
        cases=chosen,
        by_channel=dict(channels.most_common()),
        by_topic=dict(topics.most_common()),
        answered=len(responses),
        unanswered=unanswered_count,
        median_first_response=percentile(responses, 0.5),
        p90_first_response=percentile(responses, 0.9),
        breaches=breaches,
        escalated=escalated,
        acknowledged=acknowledged,
        busiest_hours=sorted(hours_opened.items(), key=lambda kv: (-kv[1], kv[0]))[:3],
        unanswered_cases=unanswered,
        noise=noise,
        praise=praise,
        messages_in=dict(messages_in),
        brand_posts=brand_posts,
    )


@dataclass(frozen=True)
class MetricPoint:
    name: str
    value: float
    unit: str
    dimensions: dict[str, str]


def stream_metrics(old: dict | None, new: dict | None, hours: OpeningHours) -> list[MetricPoint]:
    """KPI metrics a case change implies: first response (in opening minutes), escalations, SLA breaches."""
    from carebird.table import case_image
    from carebird.timeparse import from_iso

    new = case_image(new)
    if not new:
        return []
    old = old or {}
    channel = {"channel": str(new.get("channel", "unknown"))}
    points = []
    if new.get("first_response_at") and not old.get("first_response_at"):
        minutes = hours.open_minutes_between(from_iso(new["opened_at"]), from_iso(new["first_response_at"]))
        points.append(MetricPoint("FirstResponseTime", round(minutes * 60), "Seconds", channel))
    old_level, new_level = int(old.get("escalation_level", 0)), int(new.get("escalation_level", 0))
    if new_level > old_level:
        points.append(MetricPoint("Escalations", 1, "Count", {"level": str(new_level)}))
        if old_level == 0:
            points.append(MetricPoint("SlaBreaches", 1, "Count", channel))
    return points


def render_digest(
    report: KpiReport, hours: OpeningHours, sla_minutes: int, brand_handle: str, x_spend: str | None = None
) -> tuple[str, str]:
    """The daily digest email: (subject, body) written for a person; `x_spend`: xbill.spend_line's figure."""

    def minutes(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.0f} min"

    zone = hours.zone
    subject = (
        f"[carebird] @{brand_handle} digest {report.until.astimezone(zone):%a %d %b}: {report.cases} cases, "
        f"{report.breaches} SLA breach{'es' if report.breaches != 1 else ''}"
    )[:99]
    topics = ", ".join(f"{topic} {count}" for topic, count in report.by_topic.items()) or "n/a"
    channels = ", ".join(f"{channel} {count}" for channel, count in report.by_channel.items()) or "n/a"
    busiest = ", ".join(f"{hour:02d}h ({count})" for hour, count in report.busiest_hours) or "n/a"
    lines = [
        f"Care on X for @{brand_handle}, {report.since.astimezone(zone):%a %d %b %H:%M} → "
        f"{report.until.astimezone(zone):%a %d %b %H:%M} ({hours.time_zone})",
        "",
        f"Cases opened: {report.cases} (answered {report.answered}, still waiting {report.unanswered})",
        f"First response, in opening minutes: median {minutes(report.median_first_response)}, "
        f"90th percentile {minutes(report.p90_first_response)} (SLA {sla_minutes} min)",
        f"SLA breaches: {report.breaches} ({report.breach_rate:.0%}), escalated: {report.escalated}",
        f"Out-of-hours acknowledgements: {report.acknowledged}",
        f"By channel: {channels}",
        f"Top topics: {topics}",
        f"Busiest hours: {busiest}",
        *([x_spend] if x_spend else []),
    ]
    if report.unanswered_cases:
        more = report.unanswered - len(report.unanswered_cases)
        lines += ["", "Still waiting for an answer:", *(f"  - {case}" for case in report.unanswered_cases)]
        lines += [f"  … and {more} more (carebird queue)"] if more > 0 else []
    return subject, "\n".join(lines)


def bar_chart(values: dict[str, float], width: int = 30) -> list[str]:
    """A small terminal chart, one bar per label."""
    top = max(values.values(), default=0) or 1
    label_width = max((len(label) for label in values), default=0)
    return [
        f"{label:<{label_width}} {'█' * max(1 if value else 0, round(value / top * width)):<{width}} {value:g}"
        for label, value in values.items()
    ]
