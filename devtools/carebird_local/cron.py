"""Enough of EventBridge Scheduler's cron(min hour dom month dow year) to replay schedules locally."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

_DOW = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}


def _field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int]:
    if text in ("*", "?"):
        return set(range(low, high + 1))
    values: set[int] = set()
    for part in text.split(","):
        part, _, step = part.partition("/")
        first, _, last = part.partition("-")

        def number(value: str) -> int:
            return names[value.upper()] if names and value.upper() in names else int(value)

        start = low if first == "*" else number(first)
        end = (high if first == "*" else start) if not last else number(last)
        values |= set(range(start, end + 1, int(step or 1)))
    return values


def occurrences(expression: str, time_zone: str, start: datetime, end: datetime) -> Iterator[datetime]:
    """Instants in [start, end) when `cron(...)` fires, evaluated in `time_zone` (minute resolution)."""
    body = expression.strip()
    if not (body.startswith("cron(") and body.endswith(")")):
        raise ValueError(f"not a cron expression: {expression}")
    minute, hour, dom, month, dow, _year = body[5:-1].split()
    minutes, hours = _field(minute, 0, 59), _field(hour, 0, 23)
    days, months, weekdays = _field(dom, 1, 31), _field(month, 1, 12), _field(dow, 1, 7, _DOW)
    zone = ZoneInfo(time_zone)
    day = start.astimezone(zone).date()
    while datetime.combine(day, datetime.min.time(), zone) < end:
        aws_weekday = (day.isoweekday() % 7) + 1  # SUN=1 … SAT=7
        if day.month in months and day.day in days and aws_weekday in weekdays:
            for h in sorted(hours):
                for m in sorted(minutes):
                    moment = datetime(day.year, day.month, day.day, h, m, tzinfo=zone)
                    if start <= moment < end:
                        yield moment
        day += timedelta(days=1)
