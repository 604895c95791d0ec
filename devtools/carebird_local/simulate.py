"""Build X webhook deliveries (both feeds) for the local runtime: a realistic day of care traffic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

from carebird.domain.cases import dm_conversation_id
from carebird.domain.model import Author

_ids = count(1870000000000000001)
LEGACY_TIME = "%a %b %d %H:%M:%S +0000 %Y"


def reset_ids() -> None:
    """Every simulated day numbers its posts from the same first id (the demo is deterministic)."""
    global _ids
    _ids = count(1870000000000000001)


def next_id() -> str:
    return str(next(_ids))


def _legacy_user(author: Author) -> dict[str, Any]:
    return {
        "id": int(author.id),
        "id_str": author.id,
        "name": author.name,
        "screen_name": author.handle,
        "verified": author.verified,
        "followers_count": author.followers,
        "protected": False,
    }


def tweet(
    author: Author,
    text: str,
    at: datetime,
    brand: Author,
    *,
    post_id: str | None = None,
    in_reply_to: tuple[str, Author] | None = None,
    quoted: tuple[str, Author] | None = None,
    retweet_of: dict[str, Any] | None = None,
    lang: str = "fr",
) -> dict[str, Any]:
    """An Account Activity API delivery with one post."""
    mentions = (
        [{"screen_name": brand.handle, "name": brand.name, "id_str": brand.id}] if f"@{brand.handle}" in text else []
    )
    event: dict[str, Any] = {
        "created_at": at.strftime(LEGACY_TIME),
        "id_str": post_id or next_id(),
        "text": text,
        "timestamp_ms": str(int(at.timestamp() * 1000)),
        "user": _legacy_user(author),
        "lang": lang,
        "truncated": False,
        "is_quote_status": quoted is not None,
        "entities": {"hashtags": [], "urls": [], "user_mentions": mentions},
        "in_reply_to_status_id_str": in_reply_to[0] if in_reply_to else None,
        "in_reply_to_user_id_str": in_reply_to[1].id if in_reply_to else None,
        "in_reply_to_screen_name": in_reply_to[1].handle if in_reply_to else None,
    }
    if quoted:
        event |= {
            "quoted_status_id_str": quoted[0],
            "quoted_status": {"id_str": quoted[0], "text": "…", "user": _legacy_user(quoted[1])},
        }
    if retweet_of:
        event["retweeted_status"] = retweet_of
    return {"for_user_id": brand.id, "tweet_create_events": [event]}


def dm(sender: Author, recipient: Author, text: str, at: datetime, brand: Author) -> dict[str, Any]:
    """An Account Activity API delivery with one direct message."""
    return {
        "for_user_id": brand.id,
        "direct_message_events": [
            {
                "type": "message_create",
                "id": next_id(),
                "created_timestamp": str(int(at.timestamp() * 1000)),
                "message_create": {
                    "target": {"recipient_id": recipient.id},
                    "sender_id": sender.id,
                    "message_data": {"text": text},
                },
            }
        ],
        "users": {u.id: _legacy_user(u) | {"id": u.id} for u in (sender, recipient)},
    }


def activity_post(
    author: Author,
    text: str,
    at: datetime,
    brand: Author,
    *,
    post_id: str | None = None,
    in_reply_to: tuple[str, Author] | None = None,
    lang: str = "en",
) -> dict[str, Any]:
    """An X Activity API post delivery (v2 objects), typed as X types it: `post.create` for the brand's own
    posts, `post.reply.create` for a reply to the brand, `post.mention.create` for a mention."""
    payload: dict[str, Any] = {
        "id": post_id or next_id(),
        "text": text,
        "author_id": author.id,
        "lang": lang,
        "created_at": _utc_text(at),
    }
    if f"@{brand.handle}" in text:
        payload["entities"] = {"mentions": [{"username": brand.handle, "id": brand.id}]}
    if in_reply_to:
        payload |= {
            "in_reply_to_user_id": in_reply_to[1].id,
            "referenced_tweets": [{"type": "replied_to", "id": in_reply_to[0]}],
        }
    if author.id == brand.id:
        event_type = "post.create"
    elif in_reply_to and in_reply_to[1].id == brand.id:
        event_type = "post.reply.create"
    else:
        event_type = "post.mention.create"
    return _activity(event_type, payload, author, brand)


def activity_dm(sender: Author, recipient: Author, text: str, at: datetime, brand: Author) -> dict[str, Any]:
    """An X Activity API `dm.received` / `dm.sent` delivery (v2 DM event)."""
    kind = "dm.sent" if sender.id == brand.id else "dm.received"
    payload = {
        "id": next_id(),
        "event_type": "MessageCreate",
        "text": text,
        "sender_id": sender.id,
        "dm_conversation_id": dm_conversation_id(sender.id, recipient.id),
        "created_at": _utc_text(at),
    }
    return _activity(kind, payload, sender, brand)


def _utc_text(at: datetime) -> str:
    """X's v2 time format: UTC with a Z (a local time with a Z would shift every message by the offset)."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def message_id_of(payload: dict[str, Any]) -> str:
    """The id of the post or DM a delivery carries, whatever the feed."""
    if "tweet_create_events" in payload:
        return payload["tweet_create_events"][0]["id_str"]
    if "direct_message_events" in payload:
        return payload["direct_message_events"][0]["id"]
    return payload["data"]["payload"]["id"]


def _activity(event_type: str, payload: dict[str, Any], author: Author, brand: Author) -> dict[str, Any]:
    """The X Activity API envelope around one v2 object, its author expanded in `includes`."""
    user = {
        "id": author.id,
        "name": author.name,
        "username": author.handle,
        "verified": author.verified,
        "public_metrics": {"followers_count": author.followers},
    }
    return {
        "data": {
            "event_uuid": next_id(),
            "filter": {"user_id": brand.id},
            "event_type": event_type,
            "payload": payload,
            "includes": {"users": [user]},
        }
    }


def post_id_of(payload: dict[str, Any]) -> str:
    if "tweet_create_events" in payload:
        return payload["tweet_create_events"][0]["id_str"]
    return payload["data"]["payload"]["id"]


@dataclass(frozen=True)
class Step:
    at: datetime
    story: str
    payload: dict[str, Any]


def paris(day: datetime, hhmm: str, plus_days: int = 0) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    local = day.replace(hour=hours, minute=minutes, second=0, microsecond=0) + timedelta(days=plus_days)
    return local.replace(tzinfo=ZoneInfo("Europe/Paris"))
