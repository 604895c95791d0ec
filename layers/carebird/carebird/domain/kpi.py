"""Care KPIs from the cases themselves: volume, first-response time in opening minutes, SLA breaches."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from carebird.domain.calendar import OpeningHours
from carebird.domain.cases import Case


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
        messages_in={channel: n for channel, n in messages_in.items() if n},
        brand_posts=brand_posts,
    )


@dataclass(frozen=True)
class MetricPoint:
    name: str
    value: float
    unit: str
    dimensions: dict[str, str]


def stream_metrics(old: Case | None, new: Case | None, hours: OpeningHours) -> list[MetricPoint]:
    """KPI metrics a case change implies: first response (in opening minutes), escalations, SLA breaches.
    The stream's adapter decodes the images (carebird.app.streams): None for anything but a case."""
    if new is None:
        return []
    channel = {"channel": new.channel.value}
    points = []
    if new.first_response_at and not (old and old.first_response_at):
        minutes = hours.open_minutes_between(new.opened_at, new.first_response_at)
        points.append(MetricPoint("FirstResponseTime", round(minutes * 60), "Seconds", channel))
    old_level, new_level = old.escalation_level if old else 0, new.escalation_level
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


# --- KPIs from hourly counters -----------------------------------------------------------------------------
# A month at 50,000 cases a day is 1.5 million cases: reading them all answers far beyond any function's timeout.
# Instead every case adds a few counters to its opening hour (UTC), kept up to date from the table's stream, and a
# report reads one small row per hour of the window plus the waiting cases (bounded by the queue).
FIRST_RESPONSE_BUCKETS = ((60, 1), (240, 5), (24 * 60, 30))  # (below this many minutes, counted per this many)
FIRST_RESPONSE_LAST_BUCKET = 7 * 24 * 60  # a week or more: one bucket, so a row's bucket counters stay bounded
FIRST_RESPONSE_PRECISION = (
    "rounded down to the minute under an hour, to 5 minutes up to 4 hours, to 30 minutes up to a day, to the hour "
    "up to a week; a week or more shows as a week, and a negative time (clock skew) as 0"
)  # what the KPI page says of its first-response figures, counted in these buckets


def first_response_bucket(minutes: float) -> int:
    """The bucket a first response is counted in, by its lower bound: whole minutes for the first hour, then 5
    minutes up to 4 hours, 30 minutes up to a day, hours up to a week, one bucket beyond. A busy month's hour row
    stays small (a hundred-odd counters at most, 281 bucket counters whatever happens), and a percentile read from
    the buckets is the bucket of the exact percentile (the bucket function never decreases)."""
    whole = max(0, min(int(minutes), FIRST_RESPONSE_LAST_BUCKET))  # an answer "before" its message: clock skew
    for below, width in FIRST_RESPONSE_BUCKETS:
        if whole < below:
            return whole - whole % width
    return whole - whole % 60


def opening_hour(case: Case) -> str:
    """The UTC hour whose counters a case adds to, e.g. "2025-11-25T09"."""
    return case.opened_at.astimezone(UTC).strftime("%Y-%m-%dT%H")


def contribution(case: Case, hours: OpeningHours, sla_minutes: SlaMinutes) -> dict[str, int]:
    """What a case, as it stands, adds to its opening hour's counters (counter name -> 1), and to its first
    responder's row (`first_response_counters`; `counter_rows` says which counter lives where).

    The same rules as `compute`, except that an unanswered case's breach depends on the moment of the report:
    counters hold answered-late and escalated cases; `report_from_counters` adds the waiting ones. Every case,
    noise and praise included, adds the messages X delivered for it (`in:<channel>`) and the brand's public posts
    on it (`brand_posts`): the X bill's delivered events."""
    delivered = {f"in:{case.channel.value}": case.inbound_count} if case.inbound_count else {}
    if case.family.value == "public" and case.response_count:
        delivered["brand_posts"] = case.response_count
    if case.status in ("noise", "praise") and case.first_response_at is None:
        return {str(case.status): 1, **delivered}
    counts = {"cases": 1, f"channel:{case.channel.value}": 1, f"topic:{case.topic}": 1, **delivered}
    escalated = case.escalation_level > 0
    if escalated:
        counts["escalated"] = 1
    if case.acknowledged_at is not None:
        counts["acknowledged"] = 1
    if case.first_response_at is not None:
        minutes = hours.open_minutes_between(case.opened_at, case.first_response_at)
        counts["answered"] = 1
        counts[f"frt:{first_response_bucket(minutes)}"] = 1
        sla = _sla_of(case, sla_minutes)
        if (sla > 0 and minutes > sla) or escalated:
            counts["breached"] = 1
    elif escalated:
        counts["breached"] = 1
    return counts | first_response_counters(case, hours)


# The KPI page's first responses: per agent and in minutes of the clock. Counted apart from the hour rows, in small
# rows per local day of opening (`counter_rows`): the team's clock minutes in the day's row, each agent's in its
# own. Written once per case (at its first response), so the hour rows the digest reads, and what each of their
# updates costs, stay as they were; and the page's window, whole local days, is read exactly.
X_APP = "X app"  # who answered first when carebird did not post the answer (typed in the X app): no agent known
TEAM = ""  # the day's row of the whole team (an agent's identity is never empty)
AGENT_COUNTER = "agent"  # counters named agent:<local day>:<counter>:<agent>, counter "o<bucket>" or "c<bucket>"
AGENT_BUCKETS = (0, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 480, 24 * 60, 2 * 24 * 60, 7 * 24 * 60)
# what the KPI page says of its per-agent medians, counted in these buckets
AGENT_PRECISION = "rounded down to 0, 2, 5, 10, 15, 20, 30, 45 minutes, 1, 1.5, 2, 3, 4, 8 hours, 1, 2 or 7 days"


def agent_bucket(minutes: float) -> int:
    """The bucket an agent's first response is counted in (AGENT_BUCKETS, by lower bound): 17 at most, so a team of
    a hundred reads 31 x 100 rows of a few dozen counters for a month."""
    return AGENT_BUCKETS[bisect_right(AGENT_BUCKETS, max(0, int(minutes))) - 1]


def agent_counter(day: str, counter: str, agent: str) -> str:
    return f"{AGENT_COUNTER}:{day}:{counter}:{agent}"


def first_response_counters(case: Case, hours: OpeningHours) -> dict[str, int]:
    """What an answered case adds to its local opening day's rows: to the team's, its first response's bucket in
    minutes of the clock (`c<bucket>`, FIRST_RESPONSE_BUCKETS); to its first responder's, its buckets in opening
    minutes (`o<bucket>`) and in minutes of the clock (`c<bucket>`), AGENT_BUCKETS; an agent's first responses are
    the sum of either. The cases `compute` counts as answered."""
    if case.first_response_at is None:
        return {}
    day = case.opened_at.astimezone(hours.zone).date().isoformat()
    who = case.first_responder or X_APP
    opening = hours.open_minutes_between(case.opened_at, case.first_response_at)
    clock = (case.first_response_at - case.opened_at).total_seconds() / 60
    return {
        agent_counter(day, f"c{first_response_bucket(clock)}", TEAM): 1,
        agent_counter(day, f"o{agent_bucket(opening)}", who): 1,
        agent_counter(day, f"c{agent_bucket(clock)}", who): 1,
    }


def counter_rows(hour: str, counters: dict[str, int]) -> dict[tuple[str, ...], dict[str, int]]:
    """The rows counters live in: ("hour", hour) for the team's hour, ("agent", local day, agent) for a day's first
    responses, the team's (agent TEAM: at most 281 counters) and each first responder's (at most 2 x 17)."""
    rows: dict[tuple[str, ...], dict[str, int]] = {}
    for name, value in counters.items():
        if name.startswith(f"{AGENT_COUNTER}:"):
            _, day, counter, agent = name.split(":", 3)
            rows.setdefault((AGENT_COUNTER, day, agent), {})[counter] = value
        else:
            rows.setdefault(("hour", hour), {})[name] = value
    return rows


def counter_delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """What to add to the counters to go from one contribution to the next (zeros left out)."""
    names = before.keys() | after.keys()
    return {
        name: after.get(name, 0) - before.get(name, 0)
        for name in sorted(names)
        if after.get(name, 0) != before.get(name, 0)
    }


def _hour_start(hour: str) -> datetime:
    return datetime.strptime(hour, "%Y-%m-%dT%H").replace(tzinfo=UTC)


def _bucket_percentile(histogram: Counter[int], total: int, fraction: float) -> float | None:
    if not total:
        return None
    rank, seen = max(1, math.ceil(fraction * total)), 0
    for minute in sorted(histogram):
        seen += histogram[minute]
        if seen >= rank:
            return float(minute)
    return None


def report_from_counters(
    hourly: Iterable[tuple[str, dict[str, int]]],
    waiting: Iterable[Case],
    hours: OpeningHours,
    sla_minutes: SlaMinutes,
    since: datetime,
    now: datetime,
) -> KpiReport:
    """The KPI report from hourly counters (the hours starting in [since, now]) and the cases still waiting.

    Whole hours: a window starting at 10:20 counts the cases opened from 10:00. First-response percentiles are
    whole minutes. Waiting cases add their SLA breach as of `now` (escalated ones are already counted)."""
    totals: Counter[str] = Counter()
    hours_opened: Counter[int] = Counter()
    first = since.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    for hour, counters in hourly:
        start = _hour_start(hour)
        if not first <= start <= now:
            continue
        totals.update(counters)
        if counters.get("cases"):
            hours_opened[start.astimezone(hours.zone).hour] += counters["cases"]
    histogram: Counter[int] = Counter()
    channels: Counter[str] = Counter()
    topics: Counter[str] = Counter()
    messages_in: Counter[str] = Counter()
    for name, count in totals.items():
        kind, _, value = name.partition(":")
        if kind == "in" and count:
            messages_in[value] += count
        elif kind == "frt" and count:
            histogram[int(value)] += count
        elif kind == "channel" and count:
            channels[value] += count
        elif kind == "topic" and count:
            topics[value] += count
    breaches, unanswered = totals["breached"], list[str]()
    for case in sorted(waiting, key=lambda c: c.opened_at):
        if not first <= case.opened_at <= now or case.first_response_at is not None:
            continue
        if case.status in ("noise", "praise"):
            continue
        timing = case_timing(case, hours, sla_minutes, now)
        breaches += timing.breached and case.escalation_level == 0
        if len(unanswered) < UNANSWERED_LISTED:
            unanswered.append(f"{case.reference} @{case.customer.handle}")
    answered = totals["answered"]
    return KpiReport(
        since=since,
        until=now,
        cases=totals["cases"],
        by_channel=dict(channels.most_common()),
        by_topic=dict(topics.most_common()),
        answered=answered,
        unanswered=totals["cases"] - answered,
        median_first_response=_bucket_percentile(histogram, answered, 0.5),
        p90_first_response=_bucket_percentile(histogram, answered, 0.9),
        breaches=breaches,
        escalated=totals["escalated"],
        acknowledged=totals["acknowledged"],
        busiest_hours=sorted(hours_opened.items(), key=lambda kv: (-kv[1], kv[0]))[:3],
        unanswered_cases=unanswered,
        noise=totals["noise"],
        praise=totals["praise"],
        messages_in=dict(messages_in),
        brand_posts=totals["brand_posts"],
    )


def channels_by_day(hourly: Iterable[tuple[str, dict[str, int]]], hours: OpeningHours) -> dict[str, Counter[str]]:
    """Cases opened per local day and channel, from the hourly counters (the KPI page's chart)."""
    days: dict[str, Counter[str]] = {}
    for hour, counters in hourly:
        day = _hour_start(hour).astimezone(hours.zone).date().isoformat()
        for name, count in counters.items():
            if name.startswith("channel:") and count:
                days.setdefault(day, Counter())[name.partition(":")[2]] += count
    return days


@dataclass(frozen=True)
class FirstResponseFigures:
    """The KPI page's first responses in minutes of the clock (the team's median and 90th percentile) and per agent
    (how many first responses, the median in opening and in clock minutes), busiest agent first."""

    median_calendar: float | None
    p90_calendar: float | None
    per_agent: list[dict[str, object]]


def _agent_row(
    agent: str, answered: int, median_opening: float | None, median_clock: float | None
) -> dict[str, object]:
    return {
        "agent": agent,
        "answered": answered,
        "median_first_response_minutes": median_opening,
        "median_first_response_calendar_minutes": median_clock,
    }


def _busiest_first(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    return sorted(rows, key=lambda row: (-int(row["answered"]), str(row["agent"])))  # type: ignore[call-overload]


def first_response_figures(
    cases: Iterable[Case], hours: OpeningHours, since: datetime, now: datetime
) -> FirstResponseFigures:
    """The figures from every case opened in [since, now], exact: what the counters' figures are held to."""
    per_agent: dict[str, tuple[list[float], list[float]]] = {}
    calendar: list[float] = []
    for case in cases:
        if not since <= case.opened_at <= now or case.first_response_at is None:
            continue
        clock = (case.first_response_at - case.opened_at).total_seconds() / 60
        opening, clocks = per_agent.setdefault(case.first_responder or X_APP, ([], []))
        opening.append(hours.open_minutes_between(case.opened_at, case.first_response_at))
        clocks.append(clock)
        calendar.append(clock)
    rows = [_agent_row(who, len(o), percentile(o, 0.5), percentile(c, 0.5)) for who, (o, c) in per_agent.items()]
    return FirstResponseFigures(percentile(calendar, 0.5), percentile(calendar, 0.9), _busiest_first(rows))


def first_response_figures_from_counters(rows: Iterable[tuple[str, str, dict[str, int]]]) -> FirstResponseFigures:
    """The figures from the days' first-response rows (local day, agent, counters) of the window: each the bucket of
    the exact figure (the team's FIRST_RESPONSE_PRECISION, an agent's AGENT_PRECISION), in one pass."""
    buckets: dict[str, tuple[Counter[int], Counter[int]]] = {}
    for _, agent, counters in rows:
        opening, clock = buckets.setdefault(agent, (Counter(), Counter()))
        for name, count in counters.items():
            if count and name[:1] == "o":
                opening[int(name[1:])] += count
            elif count and name[:1] == "c":
                clock[int(name[1:])] += count
    team = buckets.pop(TEAM, (Counter(), Counter()))[1]
    agents = []
    for who, (opening, clock) in buckets.items():
        answered = sum(opening.values())
        if answered:
            median_opening = _bucket_percentile(opening, answered, 0.5)
            agents.append(_agent_row(who, answered, median_opening, _bucket_percentile(clock, answered, 0.5)))
    total = sum(team.values())
    return FirstResponseFigures(
        _bucket_percentile(team, total, 0.5), _bucket_percentile(team, total, 0.9), _busiest_first(agents)
    )
