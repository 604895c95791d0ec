"""KPIs from hourly counters: each case's contribution, the delta a change makes, and the report they give."""

from collections import Counter
from dataclasses import replace
from datetime import timedelta

from carebird.app.kpi_counting import count_case_change
from carebird.domain.kpi import (
    channels_by_day,
    compute,
    contribution,
    counter_delta,
    first_response_bucket,
    opening_hour,
    report_from_counters,
)
from carebird.domain.model import CaseStatus, Channel
from carebird.domain.sla import SlaPolicy
from tests.unit.test_kpi import CASES, HOURS, NOW, T, case


def hourly_of(cases) -> list[tuple[str, dict[str, int]]]:
    """The counters the stream would have built for these cases, hour by hour."""
    hours: dict[str, Counter[str]] = {}
    for one in cases:
        hours.setdefault(opening_hour(one), Counter()).update(contribution(one, HOURS, 90))
    return sorted((hour, dict(counters)) for hour, counters in hours.items())


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

    assert delta == {"answered": 1, "breached": 1, "frt:95": 1}


def test_marking_a_case_noise_takes_it_out_of_the_cases_and_counts_it_as_noise():
    waiting = case(1, 0, None, channel=Channel.DM, topic="billing")
    noise = replace(waiting, status="noise", waiting_since=None)

    delta = counter_delta(contribution(waiting, HOURS, 90), contribution(noise, HOURS, 90))

    assert delta == {"cases": -1, "channel:dm": -1, "noise": 1, "topic:billing": -1}


def test_first_responses_are_counted_per_minute_for_an_hour_then_in_wider_buckets():
    minutes = (0.4, 59.9, 61, 239, 241, 1439.5, 1440, 1519)
    assert [first_response_bucket(m) for m in minutes] == [0, 59, 60, 235, 240, 1410, 1440, 1500]


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
        self.hours.setdefault(hour, Counter()).update(counter_delta(counted, contribution))
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
