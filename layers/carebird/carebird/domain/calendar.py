"""Opening hours: the one calendar the SLA clock, the announcements and the acknowledgements share.

Hours are wall-clock times in the brand's IANA time zone, so DST is handled by zoneinfo; every
computation is done on aware UTC datetimes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from carebird.errors import ConfigurationError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# The defaults of settings.OPENING_HOURS and settings.TIME_ZONE (tests/unit/test_settings.py holds them equal).
DEFAULT_HOURS = "mon-fri 09:00-18:00"
DEFAULT_TIME_ZONE = "Europe/Paris"
OPENING_EPOCH = date(2020, 1, 6)  # a Monday: the origin of `opening_index`
SEARCH_DAYS = 400  # how far ahead an opening is looked for before the calendar is declared closed for good

Interval = tuple[time, time | None]  # None as end means midnight at the end of the day


@dataclass(frozen=True)
class OpeningHours:
    """Weekly opening hours (Monday = 0) in `time_zone`, minus closed dates."""

    time_zone: str = DEFAULT_TIME_ZONE
    weekly: tuple[tuple[Interval, ...], ...] = field(default_factory=lambda: parse_weekly(DEFAULT_HOURS))
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigurationError(f"unknown time zone {self.time_zone!r}") from exc
        if len(self.weekly) != 7:
            raise ConfigurationError("weekly hours need seven days")
        if not any(self.weekly):
            raise ConfigurationError("opening hours have no opening at all in the week")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @classmethod
    def from_settings(cls, hours: str | None, time_zone: str | None, holidays: str | None) -> OpeningHours:
        return cls(
            time_zone=(time_zone or DEFAULT_TIME_ZONE).strip(),
            weekly=parse_weekly(hours or DEFAULT_HOURS),
            holidays=parse_holidays(holidays or ""),
        )

    # --- periods -----------------------------------------------------------------------------
    def periods_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The open periods of one local date, as UTC instants (empty on holidays)."""
        if day in self.holidays:
            return []
        periods = []
        for start, end in self.weekly[day.weekday()]:
            local_start = datetime.combine(day, start, tzinfo=self.zone)
            local_end = (
                datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.zone)
                if end is None
                else datetime.combine(day, end, tzinfo=self.zone)
            )
            utc_start, utc_end = _utc(local_start), _utc(local_end)
            if utc_end > utc_start:
                periods.append((utc_start, utc_end))
        return periods

    def periods_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open periods ending after `moment`, clipped to start no earlier than it, in order."""
        moment = _utc(moment)
        first_day = moment.astimezone(self.zone).date() - timedelta(days=1)
        for offset in range(SEARCH_DAYS + 2):
            for start, end in self.periods_on(first_day + timedelta(days=offset)):
                if end > moment:
                    yield max(start, moment), end
        raise ConfigurationError(f"no opening in the {SEARCH_DAYS} days after {moment:%Y-%m-%d}: check holidays")

    # --- questions the product asks ------------------------------------------------------------
    def is_open(self, moment: datetime) -> bool:
        start, _ = next(self.periods_from(moment))
        return start == _utc(moment)

    def next_opening(self, moment: datetime) -> datetime:
        """`moment` itself when open, else the start of the next open period."""
        return next(self.periods_from(moment))[0]

    def next_closing(self, moment: datetime) -> datetime:
        """The end of the current (or next) open period; adjacent periods count as one (up to a week)."""
        periods = self.periods_from(moment)
        first_start, end = next(periods)
        for start, later_end in periods:
            if start > end or later_end - first_start > timedelta(days=7):
                break
            end = max(end, later_end)
        return end

    def add_open_minutes(self, start: datetime, minutes: float) -> datetime:
        """The instant when `minutes` of opening time have passed since `start` (the SLA deadline)."""
        if minutes < 0:
            raise ValueError("minutes must not be negative")
        remaining = timedelta(minutes=minutes)
        cursor = _utc(start)
        for period_start, period_end in self.periods_from(cursor):
            period_start = max(period_start, cursor)
            if period_end <= period_start:
                continue
            available = period_end - period_start
            if remaining <= available:
                return period_start + remaining
            remaining -= available
            cursor = period_end
        raise AssertionError("unreachable: periods_from raises when the calendar runs out")

    # --- a clock that runs only while the team is open -----------------------------------------
    def _wall_minutes(self, weekday: int, until: time | None = None) -> float:
        """Open minutes of a weekday by the wall clock, up to `until` (the whole day when None)."""
        limit = _minutes_of(until) if until is not None else 24 * 60
        total = 0.0
        for start, end in self.weekly[weekday]:
            end_minutes = 24 * 60 if end is None else _minutes_of(end)
            total += max(0.0, min(end_minutes, limit) - _minutes_of(start))
        return total

    @cached_property
    def _week_minutes(self) -> float:
        return sum(self._wall_minutes(day) for day in range(7))

    def opening_index(self, moment: datetime) -> float:
        """Opening minutes from a fixed Monday (2020-01-06) to `moment`, by the local wall clock, holidays off.

        Differences are opening time, computed in constant time: the queue ages cases with it. (By the wall
        clock: an open period that spans a DST change counts its nominal length.)
        """
        local = _utc(moment).astimezone(self.zone)
        day = local.date()
        weeks, rest = divmod((day - OPENING_EPOCH).days, 7)
        minutes = weeks * self._week_minutes
        minutes += sum(self._wall_minutes((day - timedelta(days=back)).weekday()) for back in range(rest, 0, -1))
        if day not in self.holidays:
            minutes += self._wall_minutes(day.weekday(), local.time())
        holidays = [h for h in self.holidays if OPENING_EPOCH <= h < day]
        return minutes - sum(self._wall_minutes(h.weekday()) for h in holidays)

    def open_minutes_between(self, start: datetime, end: datetime) -> float:
        """Opening minutes in [start, end): first-response times are measured with this."""
        start, end = _utc(start), _utc(end)
        if end <= start:
            return 0.0
        total = timedelta()
        cursor = start
        for period_start, period_end in self.periods_from(start):
            period_start = max(period_start, cursor)
            if period_start >= end:
                break
            if period_end > period_start:
                total += min(period_end, end) - period_start
                cursor = period_end
        return total.total_seconds() / 60


def parse_weekly(text: str) -> tuple[tuple[Interval, ...], ...]:
    """`mon-fri 09:00-12:30,13:30-18:00; sat 10:00-13:00` → seven sorted, merged interval lists.

    An overnight range (`22:00-02:00`) is split across the two days; `24:00` means midnight.
    """
    days: list[list[tuple[time, time | None]]] = [[] for _ in DAYS]
    for entry in filter(None, (part.strip() for part in text.split(";"))):
        match = re.fullmatch(r"([a-z,\-\s]+?)\s+([0-9:,\-\s]+)", entry.lower())
        if not match:
            raise ConfigurationError(f"cannot read opening hours {entry!r} (expected e.g. 'mon-fri 09:00-18:00')")
        for weekday in _weekdays(match.group(1)):
            for span in filter(None, (s.strip() for s in match.group(2).split(","))):
                start_text, _, end_text = span.partition("-")
                start, end = _clock(start_text), _clock(end_text)
                if start is None:
                    raise ConfigurationError(f"opening hours {span!r} cannot start at 24:00")
                if end is not None and end <= start:
                    days[weekday].append((start, None))
                    if end > time(0):
                        days[(weekday + 1) % 7].append((time(0), end))
                elif end is None or end > start:
                    days[weekday].append((start, end))
    return tuple(_merge(day) for day in days)


def parse_holidays(text: str) -> frozenset[date]:
    try:
        return frozenset(date.fromisoformat(d.strip()) for d in re.split(r"[,\s]+", text) if d.strip())
    except ValueError as exc:
        raise ConfigurationError(f"holidays must be YYYY-MM-DD dates: {exc}") from exc


def _weekdays(text: str) -> list[int]:
    found: list[int] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        first, _, last = part.partition("-")
        try:
            a, b = DAYS.index(first.strip()[:3]), DAYS.index((last or first).strip()[:3])
        except ValueError as exc:
            raise ConfigurationError(f"unknown day in opening hours: {part!r}") from exc
        found += [(a + i) % 7 for i in range((b - a) % 7 + 1)]
    return found


def _clock(text: str) -> time | None:
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", text)
    if not match or int(match.group(1)) > 24 or int(match.group(2)) > 59:
        raise ConfigurationError(f"invalid time {text!r} in opening hours (HH:MM)")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours == 24:
        if minutes:
            raise ConfigurationError(f"invalid time {text!r} in opening hours")
        return None
    return time(hours, minutes)


def _merge(intervals: list[tuple[time, time | None]]) -> tuple[Interval, ...]:
    def end_key(end: time | None) -> tuple[int, time]:
        return (1, time(0)) if end is None else (0, end)

    merged: list[tuple[time, time | None]] = []
    for start, end in sorted(intervals, key=lambda i: (i[0], end_key(i[1]))):
        if merged and end_key(merged[-1][1]) >= (0, start):
            if end_key(end) > end_key(merged[-1][1]):
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged)


def _minutes_of(moment: time) -> float:
    return moment.hour * 60 + moment.minute + moment.second / 60


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass an aware (UTC) datetime")
    return moment.astimezone(UTC)
