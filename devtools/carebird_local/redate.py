"""`carebird send --now`: a recorded X payload moved to the present, as if X were delivering it now.

Every message time (posts' `created_at` and `timestamp_ms`, DMs' `created_timestamp`, the X Activity API's ISO
`created_at` and `deleted_at`) moves by one shift, so the payload's latest message is dated now and the others keep
their spacing; accounts' own `created_at` (when the account was made) stays. Every message id (and every
reference to one: replies, quotes, conversations, deletions) is renumbered the way X numbers them, by time: a
payload sent today never collides with one stored on an earlier day, and the files of one scenario (a mention,
then the brand's reply to it) still point at each other. Sending the same file twice the same day is a
redelivery, as it would be from X.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

AAA_TIME_FORMAT = "%a %b %d %H:%M:%S %z %Y"
MILLISECOND_KEYS = ("timestamp_ms", "created_timestamp")
ISO_KEYS = ("created_at", "deleted_at")
MESSAGE_ID_KEYS = ("id", "id_str")
REFERENCE_KEYS = (
    "in_reply_to_status_id",
    "in_reply_to_status_id_str",
    "quoted_status_id",
    "quoted_status_id_str",
    "conversation_id",
    "in_reply_to_tweet_id",
)
ID_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
ID_SHIFT_PER_DAY = 86_400_000 << 22  # X's ids carry the milliseconds since its epoch above bit 22
MAX_ID = 2**63 - 1


class RedateError(ValueError):
    """The payload holds no message time to move (the message says which fields were looked for)."""


def is_account(node: dict[str, Any]) -> bool:
    """A user object (its `created_at` is the account's, its `id` a user id): never moved."""
    return "screen_name" in node or "username" in node


def _walk(node: Any, visit: Callable[[dict[str, Any]], None]) -> None:
    if isinstance(node, dict):
        visit(node)
        for value in node.values():
            _walk(value, visit)
    elif isinstance(node, list):
        for value in node:
            _walk(value, visit)


def _parse_time(key: str, value: Any) -> datetime | None:
    try:
        if key in MILLISECOND_KEYS:
            return datetime.fromtimestamp(int(value) / 1000, UTC)
        if isinstance(value, str) and value[:1].isdigit():
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        if isinstance(value, str):
            return datetime.strptime(value, AAA_TIME_FORMAT)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
    return None


def _format_time(key: str, original: Any, moment: datetime) -> Any:
    if key in MILLISECOND_KEYS:
        millis = int(moment.timestamp() * 1000)
        return millis if isinstance(original, int) else str(millis)
    if original[:1].isdigit():
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.astimezone(UTC).strftime(AAA_TIME_FORMAT)


def _message_times(payload: Any) -> Iterator[datetime]:
    found: list[datetime] = []

    def visit(node: dict[str, Any]) -> None:
        if is_account(node):
            return
        for key in (*MILLISECOND_KEYS, *ISO_KEYS):
            if key in node and (moment := _parse_time(key, node[key])) is not None:
                found.append(moment)

    _walk(payload, visit)
    return iter(found)


def renumber(value: Any, shift: int) -> Any:
    """A message id moved by `shift`, in its own type (X sends ids as strings, some feeds as numbers too)."""
    text = str(value)
    if not text.isdecimal() or not text.isascii():
        return value
    moved = (int(text) + shift) % MAX_ID
    return moved if isinstance(value, int) else str(moved)


def redate_payload(payload: Any, now: datetime) -> Any:
    """A copy of `payload` whose latest message is dated `now`, with every message id renumbered for `now`'s day."""
    copy = json.loads(json.dumps(payload))
    latest = max(_message_times(copy), default=None)
    if latest is None:
        raise RedateError(
            "no message time to move (looked for created_at, timestamp_ms, created_timestamp, deleted_at)"
        )
    delta = now - latest
    id_shift = max(0, (now - ID_EPOCH).days) * ID_SHIFT_PER_DAY

    def move(node: dict[str, Any]) -> None:
        if is_account(node):
            return
        for key in (*MILLISECOND_KEYS, *ISO_KEYS):
            if key in node and (moment := _parse_time(key, node[key])) is not None:
                node[key] = _format_time(key, node[key], moment + delta)
        for key in (*MESSAGE_ID_KEYS, *REFERENCE_KEYS):
            if key in node:
                node[key] = renumber(node[key], id_shift)
        for key in ("edit_history_tweet_ids",):
            if isinstance(node.get(key), list):
                node[key] = [renumber(item, id_shift) for item in node[key]]
        if isinstance(node.get("event_uuid"), str):
            node["event_uuid"] = str(uuid.uuid4().int >> 66)  # a new delivery, as X numbers each one

    _walk(copy, move)
    return copy


def shift_of(payload: Any, now: datetime) -> timedelta:
    """How far `redate` moves this payload's times (for the command's one-line report)."""
    latest = max(_message_times(payload), default=None)
    return now - latest if latest else timedelta(0)
