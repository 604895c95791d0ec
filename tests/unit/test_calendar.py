from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carebird.domain.calendar import OpeningHours, parse_weekly
from carebird.errors import ConfigurationError

PARIS = ZoneInfo("Europe/Paris")
DEFAULT = OpeningHours()


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def test_a_friday_evening_case_is_due_on_monday_morning():
    friday_1730 = paris(2025, 11, 21, 17, 30)

    assert DEFAULT.add_open_minutes(friday_1730, 90) == paris(2025, 11, 24, 10, 0)


def test_a_case_received_at_night_is_due_90_minutes_after_opening():
    assert DEFAULT.add_open_minutes(paris(2025, 11, 25, 2, 0), 90) == paris(2025, 11, 25, 10, 30)


def test_holidays_are_skipped():
    hours = OpeningHours(holidays=frozenset({date(2025, 12, 25)}))

    assert hours.add_open_minutes(paris(2025, 12, 24, 17, 30), 90) == paris(2025, 12, 26, 10, 0)


def test_deadline_is_correct_across_the_spring_dst_change():
    # Sunday 30 March 2025: Paris goes from UTC+1 to UTC+2; open every day 00:00-24:00 for the test.
    hours = OpeningHours(weekly=parse_weekly("mon-sun 00:00-24:00"))
    start = paris(2025, 3, 30, 1, 30)

    due = hours.add_open_minutes(start, 90)

    assert due - start == timedelta(minutes=90)
    assert due.astimezone(PARIS).hour == 4  # 01:30 + 90 real minutes is 04:00 local after the jump


def test_opening_hours_follow_local_time_across_the_autumn_dst_change():
    before = DEFAULT.next_opening(paris(2025, 10, 23, 20, 0))
    after = DEFAULT.next_opening(paris(2025, 10, 27, 0, 0))

    assert before.astimezone(UTC).hour == 7  # 09:00 CEST
    assert after.astimezone(UTC).hour == 8  # 09:00 CET


def test_overnight_hours_span_midnight():
    hours = OpeningHours(weekly=parse_weekly("mon-sun 20:00-02:00"))

    assert hours.add_open_minutes(paris(2025, 11, 25, 23, 30), 90) == paris(2025, 11, 26, 1, 0)
    assert hours.is_open(paris(2025, 11, 26, 1, 59)) and not hours.is_open(paris(2025, 11, 26, 2, 0))


def test_split_days_and_lunch_breaks():
    hours = OpeningHours(weekly=parse_weekly("mon-fri 09:00-12:00,14:00-18:00; sat 10:00-12:00"))

    assert hours.add_open_minutes(paris(2025, 11, 25, 11, 30), 90) == paris(2025, 11, 25, 15, 0)
    assert hours.next_opening(paris(2025, 11, 29, 12, 30)) == paris(2025, 12, 1, 9, 0)


def test_next_closing_is_the_end_of_the_current_period():
    assert DEFAULT.next_closing(paris(2025, 11, 25, 10, 0)) == paris(2025, 11, 25, 18, 0)


def test_a_week_with_no_opening_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="no opening"):
        OpeningHours(weekly=parse_weekly(""))


def test_a_calendar_closed_for_good_by_holidays_is_an_error_not_a_loop():
    all_year = frozenset(date(2025, 11, 1) + timedelta(days=i) for i in range(800))
    hours = OpeningHours(holidays=all_year)

    with pytest.raises(ConfigurationError, match="no opening"):
        hours.add_open_minutes(paris(2025, 11, 25, 10), 90)


@pytest.mark.parametrize("text", ["mon-fri 9h-18h", "funday 09:00-18:00", "mon 25:00-26:00", "mon 24:00-10:00"])
def test_unreadable_hours_are_configuration_errors(text):
    with pytest.raises(ConfigurationError):
        parse_weekly(text)


def test_unknown_time_zone_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="time zone"):
        OpeningHours(time_zone="Mars/Olympus")


# --- properties -------------------------------------------------------------------------------

moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC))
calendars = st.sampled_from(
    [
        OpeningHours(),
        OpeningHours(time_zone="America/New_York", weekly=parse_weekly("mon-sat 08:00-20:00")),
        OpeningHours(time_zone="Australia/Sydney", weekly=parse_weekly("mon-fri 09:00-12:00,13:00-17:30")),
        OpeningHours(weekly=parse_weekly("mon-sun 22:00-06:00")),
        OpeningHours(weekly=parse_weekly("wed 10:00-11:00"), holidays=frozenset({date(2025, 12, 24)})),
    ]
)


def brute_force_open_minutes(hours: OpeningHours, start: datetime, end: datetime) -> int:
    """An independent oracle: count minutes one by one with is_open."""
    count, cursor = 0, start
    while cursor < end:
        count += hours.is_open(cursor)
        cursor += timedelta(minutes=1)
    return count


@settings(max_examples=60, deadline=None)
@given(calendars, moments, st.integers(min_value=0, max_value=600))
def test_the_deadline_leaves_exactly_the_sla_of_open_minutes(hours, start, minutes):
    start = start.replace(second=0, microsecond=0)

    due = hours.add_open_minutes(start, minutes)

    assert due >= start
    assert hours.open_minutes_between(start, due) == pytest.approx(minutes)


@settings(max_examples=25, deadline=None)
@given(calendars, moments, st.integers(min_value=1, max_value=240))
def test_open_minutes_agree_with_a_minute_by_minute_count(hours, start, minutes):
    start = start.replace(second=0, microsecond=0)
    due = hours.add_open_minutes(start, minutes)
    if due - start > timedelta(days=3):
        due = start + timedelta(days=3)

    assert brute_force_open_minutes(hours, start, due) == round(hours.open_minutes_between(start, due))


@settings(max_examples=60, deadline=None)
@given(calendars, moments, st.integers(min_value=0, max_value=300), st.integers(min_value=1, max_value=300))
def test_more_minutes_never_give_an_earlier_deadline(hours, start, a, extra):
    assert hours.add_open_minutes(start, a) <= hours.add_open_minutes(start, a + extra)


@settings(max_examples=60, deadline=None)
@given(calendars, moments, st.integers(min_value=1, max_value=600))
def test_a_deadline_falls_inside_an_open_period_or_at_its_end(hours, start, minutes):
    due = hours.add_open_minutes(start, minutes)

    assert hours.is_open(due - timedelta(microseconds=1))


def test_an_always_open_calendar_has_a_closing_a_week_ahead_not_an_error():
    hours = OpeningHours(weekly=parse_weekly("mon-sun 00:00-24:00"))

    closing = hours.next_closing(paris(2025, 11, 25, 10))

    assert timedelta(days=6) < closing - paris(2025, 11, 25, 10) <= timedelta(days=8)
