"""The one place functions read the time, so the local runtime can run a day in seconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_offset = timedelta()


def now() -> datetime:
    """Aware UTC now (shifted when the local runtime travels in time)."""
    return datetime.now(UTC) + _offset


def travel_to(moment: datetime) -> None:
    """Local runtime only: make now() read `moment` (the clock then runs on from there)."""
    global _offset
    _offset = moment - datetime.now(UTC)


def reset() -> None:
    global _offset
    _offset = timedelta()
