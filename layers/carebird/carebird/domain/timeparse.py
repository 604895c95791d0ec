"""X's date formats, all read as aware UTC datetimes."""

from __future__ import annotations

from datetime import UTC, datetime

_LEGACY_FORMAT = "%a %b %d %H:%M:%S %z %Y"


def from_epoch_ms(value: str | int) -> datetime:
    """`timestamp_ms` / `created_timestamp` (strings or numbers of milliseconds)."""
    return datetime.fromtimestamp(int(value) / 1000, tz=UTC)


def parse_x_time(value: str) -> datetime:
    """`Tue Nov 25 09:00:00 +0000 2025` (v1.1) or `2025-11-25T09:00:00.000Z` (v2)."""
    value = value.strip()
    if value[:1].isdigit():
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
    else:
        parsed = datetime.strptime(value, _LEGACY_FORMAT)
    return parsed.astimezone(UTC)


def to_iso(moment: datetime) -> str:
    """UTC, second precision, `Z` suffix: the form stored in the table and handed to Step Functions."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
