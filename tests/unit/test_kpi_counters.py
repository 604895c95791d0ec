"""KPIs from hourly counters: each case's contribution, the delta a change makes, and the report they give."""

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from carebird.app.inbox import kpi_view
from carebird.app.inboxweb.insights import local_midnight
from carebird.app.kpi_counting import count_case_change
from carebird.domain.kpi import (
    AGENT_BUCKETS,
    AGENT_PRECISION,
    FIRST_RESPONSE_PRECISION,
    agent_bucket,
    channels_by_day,
    compute,
    contribution,
    counter_delta,
    counter_rows,
    first_response_bucket,
    first_response_figures,
    first_response_figures_from_counters,
    opening_hour,
    report_from_counters,
)
from carebird.domain.model import CaseStatus, Channel
from carebird.domain.sla import SlaPolicy
from tests.unit.test_kpi import CASES, HOURS, NOW, T, case


def rows_of(cases, hours=HOURS, sla=90) -> dict[tuple[str, ...], Counter[str]]:
    """The rows the stream would have built for these cases: ("hour", hour) and ("agent", local day, agent)."""
    rows: dict[tuple[str, ...], Counter[str]] = {}
    for one in cases:
        for row, counters in counter_rows(opening_hour(one), contribution(one, hours, sla)).items():
            rows.setdefault(row, Counter()).update(counters)
    return rows


def hourly_of(cases, hours=HOURS, sla=90) -> list[tuple[str, dict[str, int]]]:
    """The counters the stream would have built for these cases, hour by hour."""
    return sorted((row[1], dict(c)) for row, c in rows_of(cases, hours, sla).items() if row[0] == "hour")


def agents_of(cases, first_day, last_day, hours=HOURS) -> list[tuple[str, str, dict[str, int]]]:
    """The agents' rows of these local days, as KpiCounters.first_responses reads them."""
    rows = rows_of(cases, hours)
    return [(row[1], row[2], dict(c)) for row, c in sorted(rows.items()) if row[0] == "agent"
            and str(first_day) <= row[1] <= str(last_day)]  # fmt: skip


def waiting_of(cases):
    return [c for c in cases if c.first_response_at is None]


def test_the_counters_give_the_same_report_as_reading_every_case():
    mixed = [*CASES, replace(case(7, 20, None), status="noise", waiting_since=None)]
    mixed += [replace(case(8, 25, None), status="praise", waiting_since=None), case(9, 300, None)]

    counted = report_from_counters(hourly_of(mixed), waiting_of(mixed), HOURS, 90, T, NOW)
    read = compute(mixed, HOURS, 90, T, NOW)

    assert counted == read


def test_the_counters_carry_the_messages_x_delivered_and_the_brands_public_posts_as_reading_every_case_does():
    mixed = [
        replace(case(1, 0, 30), inbound_count=3, response_count=2),
        replace(case(2, 10, None, channel=Channel.DM), inbound_count=2, response_count=1),
        replace(case(3, 20, None), status="noise", waiting_since=None, inbound_count=1),
    ]

    counted = report_from_counters(hourly_of(mixed), waiting_of(mixed), HOURS, 90, T, NOW)

    assert counted.messages_in == {"mention": 4, "dm": 2} and counted.brand_posts == 2
    assert (counted.messages_in, counted.brand_posts) == (compute(mixed, HOURS, 90, T, NOW).messages_in, 2)


def test_a_waiting_case_past_its_sla_is_a_breach_as_of_the_report_even_before_it_escalates():
    waiting = [case(1, 0, None)]  # opened 09:00 Paris, 10 hours ago, never escalated

    report = report_from_counters(hourly_of(waiting), waiting, HOURS, 90, T, NOW)

    assert report.breaches == 1 and report.unanswered == 1 and report.unanswered_cases == ["CB-1 @user1"]


def test_an_answer_moves_a_case_from_waiting_to_answered_and_nothing_else():
    waiting = case(1, 0, None)
    answered = replace(waiting, status="answered", first_response_at=waiting.opened_at + timedelta(minutes=95))

    delta = counter_delta(contribution(waiting, HOURS, 90), contribution(answered, HOURS, 90))

    assert delta == {"answered": 1, "breached": 1, "frt:95": 1, "agent:2025-11-25:c95:": 1,
                     "agent:2025-11-25:o90:X app": 1, "agent:2025-11-25:c90:X app": 1}  # fmt: skip
    assert counter_rows("2025-11-25T08", delta) == {
        ("hour", "2025-11-25T08"): {"answered": 1, "breached": 1, "frt:95": 1},
        ("agent", "2025-11-25", ""): {"c95": 1},  # the team's day: clock minutes, fine buckets
        ("agent", "2025-11-25", "X app"): {"o90": 1, "c90": 1},  # the first responder's day: wider buckets
    }


def test_marking_a_case_noise_takes_it_out_of_the_cases_and_counts_it_as_noise():
    waiting = case(1, 0, None, channel=Channel.DM, topic="billing")
    noise = replace(waiting, status="noise", waiting_since=None)

    delta = counter_delta(contribution(waiting, HOURS, 90), contribution(noise, HOURS, 90))

    assert delta == {"cases": -1, "channel:dm": -1, "noise": 1, "topic:billing": -1}


def test_first_responses_are_counted_per_minute_for_an_hour_then_in_wider_buckets():
    minutes = (0.4, 59.9, 61, 239, 241, 1439.5, 1440, 1519, 10079, 10080, 99999, -3)
    assert [first_response_bucket(m) for m in minutes] == [
        0,
        59,
        60,
        235,
        240,
        1410,
        1440,
        1500,
        10020,
        10080,
        10080,
        0,
    ]
    assert len({first_response_bucket(m) for m in range(-10, 20_000)}) == 281


def test_a_month_at_fifty_thousand_cases_a_day_is_744_rows_whatever_the_traffic():
    per_hour = {"cases": 50_000 // 24, "answered": 2_000, "channel:mention": 1_500, "channel:dm": 583}
    per_hour |= {f"frt:{minute}": 40 for minute in range(50)} | {"breached": 100, "escalated": 30}
    month = [((T + timedelta(hours=h)).strftime("%Y-%m-%dT%H"), per_hour) for h in range(31 * 24)]

    report = report_from_counters(month, [], HOURS, 90, T, T + timedelta(days=31))

    assert report.cases == 31 * 24 * (50_000 // 24) and report.answered == 31 * 24 * 2_000
    assert report.median_first_response == 24 and report.p90_first_response == 44
    assert sum(sum(c.values()) for c in channels_by_day(month, HOURS).values()) == report.cases


class CountedOnce:
    """Counters with the DynamoDB adapter's contract: a version counted once, never an older one after it."""

    def __init__(self) -> None:
        self.marks: dict[str, tuple[int, dict[str, int]]] = {}
        self.hours: dict[str, Counter[str]] = {}

    def count(self, case_id, version, hour, contribution):
        seen, counted = self.marks.get(case_id, (0, {}))
        if version <= seen or not counter_delta(counted, contribution):
            return False
        for row, changes in counter_rows(hour, counter_delta(counted, contribution)).items():
            self.hours.setdefault(row[1] if row[0] == "hour" else "#".join(row), Counter()).update(changes)
        self.marks[case_id] = (version, contribution)
        return True


def test_a_stream_change_that_leaves_the_kpis_as_they_were_costs_no_write():
    counters, policy = CountedOnce(), SlaPolicy(hours=HOURS)
    opened = replace(case(1, 0, None), status=CaseStatus.OPEN, version=1)
    followed = replace(opened, version=2, last_activity_at=opened.opened_at + timedelta(minutes=3))

    outcomes = [
        count_case_change(counters, None, opened, policy),
        count_case_change(counters, opened, followed, policy),
    ]

    assert outcomes == ["counted", "unchanged"] and counters.hours[opening_hour(opened)]["cases"] == 1


def test_an_hourly_row_read_in_its_typed_form_gives_the_same_counters_as_through_the_plain_item() -> None:
    from carebird.aws.schema import (
        KPI_COUNTER_PREFIX,
        from_dynamo,
        kpi_counters_from_item,
        kpi_counters_from_typed_item,
        kpi_hour_key,
        to_dynamo,
    )

    counters = {"cases": 2083, "answered": 1874, "channel:dm": 416, "topic:billing": 260, "frt:0": 31, "frt:240": 2}
    typed = to_dynamo(kpi_hour_key("2025-12-01T09") | {f"{KPI_COUNTER_PREFIX}{k}": v for k, v in counters.items()})

    assert (
        kpi_counters_from_typed_item(typed) == kpi_counters_from_item(from_dynamo(typed)) == ("2025-12-01T09", counters)
    )


# --- the inbox's KPI page from counters ----------------------------------------------------------------------------
AGENTS = (None, "alice", "bob@example.com", "chloé:night#2")  # None: typed in the X app; ":" and "#" in a name
STATUSES = ("answered", "noise", "praise", "closed")


@st.composite
def page_cases(draw):
    """Cases of a fortnight before NOW_PAGE, some before the page's window, answered after up to 20 days (or not
    yet), by any agent, noise and praise among them (some marked so after an answer), to the second."""
    cases = []
    for n in range(draw(st.integers(0, 40))):
        opened = NOW_PAGE - timedelta(seconds=draw(st.integers(0, 14 * 24 * 3600)))
        after = draw(st.none() | st.integers(0, 20 * 24 * 3600).map(lambda s: timedelta(seconds=s)))
        answered = opened + after if after is not None and opened + after <= NOW_PAGE else None
        status = draw(st.sampled_from(STATUSES)) if answered else draw(st.sampled_from(("open", "noise", "praise")))
        cases.append(replace(
            case(n, 0, None, channel=draw(st.sampled_from(list(Channel))), topic=draw(st.sampled_from(("a", "b"))),
                 escalated=draw(st.booleans()), acknowledged=draw(st.booleans())),
            opened_at=opened, last_activity_at=opened, status=status, first_response_at=answered,
            first_responder=draw(st.sampled_from(AGENTS)) if answered else None,
            waiting_since=opened if status == "open" else None,
        ))  # fmt: skip
    return sorted(cases, key=lambda c: c.opened_at)


NOW_PAGE = datetime(2025, 12, 3, 15, 20, tzinfo=UTC)
PAGE_POLICY = SlaPolicy(hours=HOURS)


def page_from_cases(cases, days):
    """The page's figures read from every case, as the page computed them before the counters (exact)."""
    since = local_midnight(NOW_PAGE, HOURS.zone, days - 1)
    report = compute(cases, HOURS, PAGE_POLICY.minutes_for_case, since, NOW_PAGE)
    by_day: dict[str, Counter[str]] = {}
    for one in cases:
        if since <= one.opened_at and (one.status not in ("noise", "praise") or one.first_response_at):
            by_day.setdefault(one.opened_at.astimezone(HOURS.zone).date().isoformat(), Counter())[one.channel] += 1
    first = first_response_figures(cases, HOURS, since, NOW_PAGE)
    return kpi_view(report, by_day, first, PAGE_POLICY, days)


def page_from_counters(cases, days):
    """The page's figures from the counters the stream built for these cases and the waiting ones (kpi_page)."""
    since = local_midnight(NOW_PAGE, HOURS.zone, days - 1)
    waiting = [c for c in cases if c.first_response_at is None and c.status == "open"]
    hourly = hourly_of(cases, HOURS, PAGE_POLICY.minutes_for_case)  # a citation's SLA is longer
    report = report_from_counters(hourly, waiting, HOURS, PAGE_POLICY.minutes_for_case, since, NOW_PAGE)
    agents = agents_of(cases, since.astimezone(HOURS.zone).date(), NOW_PAGE.astimezone(HOURS.zone).date())
    first = first_response_figures_from_counters(agents)
    return kpi_view(report, channels_by_day(hourly, HOURS), first, PAGE_POLICY, days)


def bucketed(minutes):
    return None if minutes is None else float(first_response_bucket(minutes))


def agent_bucketed(minutes):
    return None if minutes is None else float(agent_bucket(minutes))


@settings(max_examples=150, deadline=None)
@given(cases=page_cases(), days=st.sampled_from((1, 7, 10, 31)))
def test_the_kpi_page_from_counters_shows_what_reading_every_case_shows_to_the_precision_it_states(cases, days):
    exact = page_from_cases(cases, days)

    counted = page_from_counters(cases, days)

    medians = ("median_first_response_minutes", "median_first_response_calendar_minutes")
    figures = (*medians, "p90_first_response_minutes", "p90_first_response_calendar_minutes")
    expected = exact | {name: bucketed(exact[name]) for name in figures}
    expected["per_agent"] = [agent | {name: agent_bucketed(agent[name]) for name in medians}
                             for agent in exact["per_agent"]]  # fmt: skip
    assert counted == expected
    assert sum(agent["answered"] for agent in counted["per_agent"]) == counted["answered"]


def test_the_page_states_the_precision_of_its_first_response_figures():
    view = page_from_counters([case(1, 0, 10)], 7)

    assert view["first_response_precision"] == FIRST_RESPONSE_PRECISION and "5 minutes" in FIRST_RESPONSE_PRECISION
    assert view["per_agent_precision"] == AGENT_PRECISION and "45 minutes" in AGENT_PRECISION


def test_an_earlier_answer_by_another_agent_moves_the_first_response_between_their_rows_once():
    counters, policy = CountedOnce(), SlaPolicy(hours=HOURS)
    opened = replace(case(1, 0, None), status=CaseStatus.OPEN, version=1)
    by_alice = replace(opened, version=2, status="answered", first_response_at=opened.opened_at + timedelta(minutes=50),
                       first_responder="alice", waiting_since=None)  # fmt: skip
    by_bob = replace(by_alice, version=3, first_response_at=opened.opened_at + timedelta(minutes=20),
                     first_responder="bob")  # fmt: skip

    outcomes = [count_case_change(counters, a, b, policy) for a, b in
                ((None, opened), (opened, by_alice), (by_alice, by_bob), (opened, by_alice))]  # fmt: skip

    assert outcomes == ["counted", "counted", "counted", "already counted"]  # the stale record changes nothing
    assert +counters.hours["agent#2025-11-25#alice"] == Counter()
    assert counters.hours["agent#2025-11-25#bob"] == {"o20": 1, "c20": 1}
    assert +counters.hours["agent#2025-11-25#"] == {"c20": 1}  # the team's day: moved from 50 to 20


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-5, 60 * 24 * 365, allow_nan=False), min_size=1, max_size=400))
def test_an_agents_row_holds_a_bounded_number_of_counters_whatever_the_response_times(minutes):
    cases = [replace(case(n, 0, 0), first_responder="alice", first_response_at=T + timedelta(minutes=m))
             for n, m in enumerate(minutes)]  # fmt: skip

    rows = rows_of(cases)

    assert len(rows[("agent", "2025-11-25", "alice")]) <= 2 * len(AGENT_BUCKETS) == 34
    assert len(rows[("agent", "2025-11-25", "")]) <= 281


def test_a_month_of_the_page_is_31_days_of_rows_per_agent_and_for_the_team_whatever_the_traffic():
    agent_day = {f"o{minute}": 40 for minute in AGENT_BUCKETS} | {f"c{minute}": 40 for minute in AGENT_BUCKETS}
    team_day = {f"c{minute}": 40 for minute in range(50)}
    month = [(f"2025-12-{d:02d}", f"agent{a}", agent_day) for d in range(1, 32) for a in range(20)]
    month += [(f"2025-12-{d:02d}", "", team_day) for d in range(1, 32)]

    figures = first_response_figures_from_counters(month)

    assert [row["answered"] for row in figures.per_agent] == [31 * 17 * 40] * 20
    assert figures.per_agent[0]["median_first_response_minutes"] == 60  # the 9th of 17 buckets
    assert figures.median_calendar == 24 and figures.p90_calendar == 44
