"""Turn an X webhook delivery (Account Activity API or X Activity API) into internal events.

Both feeds end up as the same `Message` / `Deletion` objects, so a case looks the same whatever the
feed. Items carebird does not use (likes, follows, typing, retweets, the brand's own posts that
answer nobody) are listed in `Delivery.ignored` with the reason, never raised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from carebird.errors import PayloadError
from carebird.model import Author, Channel, Deletion, Event, Message
from carebird.timeparse import from_epoch_ms, parse_x_time

JsonObject = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Brand:
    """The account carebird serves."""

    user_id: str
    handle: str

    def is_named(self, handle: str | None) -> bool:
        return bool(handle) and handle.lstrip("@").lower() == self.handle.lstrip("@").lower()


@dataclass(slots=True)
class Delivery:
    """What one webhook call carried."""

    events: list[Event] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    feed: str = "aaa"
    event_uuid: str | None = None


def parse_delivery(body: Any, brand: Brand) -> Delivery:
    """Normalise a decoded JSON body; raise PayloadError if it is not an X activity delivery."""
    if not isinstance(body, dict):
        raise PayloadError("body must be a JSON object (an X activity delivery)")
    data = body.get("data")
    if isinstance(data, dict) and "event_type" in data:
        return _parse_activity_envelope(data, brand)
    return _parse_account_activity(body, brand, Delivery(feed="aaa"))


# --- Account Activity API (v1.1 objects) -------------------------------------------------------

_AAA_USED = {
    "for_user_id",
    "user_has_blocked",
    "tweet_create_events",
    "direct_message_events",
    "tweet_delete_events",
    "users",
    "apps",
    "source",
}


def _parse_account_activity(body: JsonObject, brand: Brand, delivery: Delivery) -> Delivery:
    for_user_id = body.get("for_user_id")
    if for_user_id is not None and str(for_user_id) != brand.user_id:
        delivery.ignored.append(f"delivery for another account ({for_user_id})")
        return delivery
    users = _legacy_users(body.get("users"))
    _each(body, "tweet_create_events", delivery, lambda t: _legacy_tweet(t, brand, delivery.feed))
    _each(body, "direct_message_events", delivery, lambda d: _legacy_dm(d, users, brand, delivery.feed))
    _each(body, "tweet_delete_events", delivery, lambda d: _legacy_deletion(d, brand))
    for key in body:
        if key not in _AAA_USED:
            delivery.ignored.append(f"{key}: not used by carebird")
    return delivery


def _each(body: JsonObject, key: str, delivery: Delivery, parse: Callable[[Any], Event | str]) -> None:
    items = body.get(key)
    if items is None:
        return
    if not isinstance(items, list):
        delivery.ignored.append(f"{key}: expected a list")
        return
    for index, item in enumerate(items):
        try:
            outcome = parse(item)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            outcome = f"{key}[{index}] malformed: {type(exc).__name__} {exc}"
        if isinstance(outcome, str):
            delivery.ignored.append(outcome)
        else:
            delivery.events.append(outcome)


def _legacy_author(user: JsonObject) -> Author:
    return Author(
        id=str(user.get("id_str") or user["id"]),
        handle=str(user.get("screen_name") or user.get("username") or ""),
        name=str(user.get("name") or ""),
        followers=int(user.get("followers_count") or (user.get("public_metrics") or {}).get("followers_count") or 0),
        verified=bool(user.get("verified")),
    )


def _legacy_users(users: Any) -> dict[str, Author]:
    """`users` keyed by id; the X Activity API nests each under `data` and uses v2 field names."""
    found: dict[str, Author] = {}
    if isinstance(users, dict):
        for user_id, user in users.items():
            if isinstance(user, dict):
                user = user.get("data", user)
                try:
                    found[str(user_id)] = _legacy_author({"id": user_id, **user})
                except (KeyError, TypeError, ValueError):
                    continue
    return found


def _legacy_text(tweet: JsonObject) -> str:
    extended = tweet.get("extended_tweet")
    if isinstance(extended, dict) and extended.get("full_text"):
        return str(extended["full_text"])
    return str(tweet.get("full_text") or tweet.get("text") or "")


def _legacy_mentions(tweet: JsonObject) -> Iterable[JsonObject]:
    for source in (tweet.get("extended_tweet") or {}, tweet):
        mentions = (source.get("entities") or {}).get("user_mentions") or []
        yield from (m for m in mentions if isinstance(m, dict))


def _legacy_created_at(item: JsonObject) -> Any:
    if item.get("timestamp_ms"):
        return from_epoch_ms(item["timestamp_ms"])
    return parse_x_time(item["created_at"])


def _legacy_tweet(tweet: JsonObject, brand: Brand, feed: str) -> Message | str:
    tweet_id = str(tweet.get("id_str") or tweet["id"])
    author = _legacy_author(tweet["user"])
    text = _legacy_text(tweet)
    if tweet.get("retweeted_status") or text.startswith("RT @"):
        return f"retweet {tweet_id}: ignored"
    quoted = tweet.get("quoted_status") or {}
    quoted_author = str((quoted.get("user") or {}).get("id_str") or (quoted.get("user") or {}).get("id") or "")
    mentions_brand = any(
        str(m.get("id_str") or m.get("id") or "") == brand.user_id or brand.is_named(m.get("screen_name"))
        for m in _legacy_mentions(tweet)
    )
    return _classify_post(
        brand,
        feed=feed,
        post_id=tweet_id,
        author=author,
        text=text,
        created_at=_legacy_created_at(tweet),
        lang=tweet.get("lang"),
        in_reply_to_id=_str_or_none(tweet.get("in_reply_to_status_id_str") or tweet.get("in_reply_to_status_id")),
        in_reply_to_user_id=_str_or_none(tweet.get("in_reply_to_user_id_str") or tweet.get("in_reply_to_user_id")),
        quoted_id=_str_or_none(tweet.get("quoted_status_id_str") or tweet.get("quoted_status_id"))
        if tweet.get("is_quote_status")
        else None,
        quoted_author_id=quoted_author or None,
        mentions_brand=mentions_brand,
    )


def _legacy_dm(event: JsonObject, users: Mapping[str, Author], brand: Brand, feed: str) -> Message | str:
    if event.get("type", "message_create") != "message_create":
        return f"direct message event of type {event.get('type')}: ignored"
    create = event["message_create"]
    sender_id = str(create["sender_id"])
    recipient_id = str(create["target"]["recipient_id"])
    text = str((create.get("message_data") or {}).get("text") or "")
    return _classify_dm(
        brand,
        feed=feed,
        dm_id=str(event["id"]),
        sender=users.get(sender_id) or Author(id=sender_id),
        recipient_id=recipient_id,
        text=text,
        created_at=from_epoch_ms(event["created_timestamp"]),
    )


def _legacy_deletion(event: JsonObject, brand: Brand) -> Deletion | str:
    status = event["status"]
    author_id = str(status.get("user_id_str") or status["user_id"])
    post_id = str(status.get("id_str") or status["id"])
    if author_id == brand.user_id:
        return f"brand deleted its post {post_id}: ignored"
    return Deletion(message_id=post_id, author_id=author_id, deleted_at=from_epoch_ms(event["timestamp_ms"]))


# --- X Activity API (v2 objects in an envelope) -------------------------------------------------

_POST_EVENTS = {"post.create", "posts.create", "tweet.create"}
_DELETE_EVENTS = {"post.delete", "posts.delete", "tweet.delete"}
_DM_EVENTS = {"dm.received", "dm.sent", "dm.create", "dm.created"}


def _parse_activity_envelope(data: JsonObject, brand: Brand) -> Delivery:
    delivery = Delivery(feed="xaa", event_uuid=_str_or_none(data.get("event_uuid")))
    event_type = str(data.get("event_type"))
    filtered_user = _str_or_none((data.get("filter") or {}).get("user_id"))
    if filtered_user is not None and filtered_user != brand.user_id:
        delivery.ignored.append(f"{event_type} for another account ({filtered_user})")
        return delivery
    payload = data.get("payload")
    if not isinstance(payload, dict):
        delivery.ignored.append(f"{event_type}: payload is not an object")
        return delivery
    if any(key in payload for key in ("tweet_create_events", "direct_message_events", "tweet_delete_events")):
        return _parse_account_activity(payload, brand, delivery)
    includes = data.get("includes") if isinstance(data.get("includes"), dict) else {}
    if event_type in _POST_EVENTS:
        parse: Callable[[Any], Event | str] = lambda p: _v2_post(p, includes, brand)  # noqa: E731
    elif event_type in _DELETE_EVENTS:
        parse = lambda p: _v2_deletion(p, brand, data)  # noqa: E731
    elif event_type in _DM_EVENTS:
        parse = lambda p: _v2_dm(p, includes, brand)  # noqa: E731
    else:
        delivery.ignored.append(f"{event_type}: not used by carebird")
        return delivery
    _each({"payload": [payload]}, "payload", delivery, parse)
    return delivery


def _v2_users(includes: JsonObject) -> dict[str, Author]:
    users = includes.get("users") or []
    found = {}
    for user in users if isinstance(users, list) else []:
        if isinstance(user, dict) and user.get("id"):
            found[str(user["id"])] = _legacy_author(user)
    return found


def _v2_post(post: JsonObject, includes: JsonObject, brand: Brand) -> Message | str:
    post_id = str(post["id"])
    author_id = str(post["author_id"])
    users = _v2_users(includes)
    author = users.get(author_id) or Author(id=author_id)
    references = {str(r.get("type")): str(r.get("id")) for r in post.get("referenced_tweets") or []}
    if "retweeted" in references:
        return f"retweet {post_id}: ignored"
    tweets = {str(t.get("id")): t for t in includes.get("tweets") or [] if isinstance(t, dict)}
    quoted_id = references.get("quoted")
    quoted_author = _str_or_none((tweets.get(quoted_id or "") or {}).get("author_id"))
    replied_author = _str_or_none((tweets.get(references.get("replied_to", "")) or {}).get("author_id"))
    mentions = (post.get("entities") or {}).get("mentions") or []
    mentions_brand = any(str(m.get("id") or "") == brand.user_id or brand.is_named(m.get("username")) for m in mentions)
    note = post.get("note_tweet") or {}
    return _classify_post(
        brand,
        feed="xaa",
        post_id=post_id,
        author=author,
        text=str(note.get("text") or post.get("text") or ""),
        created_at=parse_x_time(post["created_at"]),
        lang=post.get("lang"),
        in_reply_to_id=references.get("replied_to"),
        in_reply_to_user_id=_str_or_none(post.get("in_reply_to_user_id")) or replied_author,
        quoted_id=quoted_id,
        quoted_author_id=quoted_author,
        mentions_brand=mentions_brand,
    )


def watched_post(post: JsonObject, includes: JsonObject, brand: Brand, channel: Channel) -> Message | None:
    """A post found by the brand watch, as a customer message of `channel` (None for retweets and the brand)."""
    references = {str(r.get("type")) for r in post.get("referenced_tweets") or []}
    author_id = str(post["author_id"])
    if "retweeted" in references or author_id == brand.user_id:
        return None
    note = post.get("note_tweet") or {}
    return Message(
        id=str(post["id"]),
        channel=channel,
        author=_v2_users(includes).get(author_id) or Author(id=author_id),
        text=str(note.get("text") or post.get("text") or ""),
        created_at=parse_x_time(post["created_at"]),
        lang=post.get("lang"),
        feed="watch",
    )


def _v2_deletion(payload: JsonObject, brand: Brand, data: JsonObject) -> Deletion | str:
    post_id = str(payload["id"])
    author_id = str(payload.get("author_id") or "")
    if author_id == brand.user_id:
        return f"brand deleted its post {post_id}: ignored"
    moment = payload.get("deleted_at") or payload.get("created_at") or data.get("created_at")
    return Deletion(message_id=post_id, author_id=author_id, deleted_at=_moment(moment))


def _v2_dm(event: JsonObject, includes: JsonObject, brand: Brand) -> Message | str:
    if event.get("event_type", "MessageCreate") != "MessageCreate":
        return f"DM event of type {event.get('event_type')}: ignored"
    sender_id = str(event["sender_id"])
    participants = [p for p in str(event.get("dm_conversation_id") or "").split("-") if p]
    participants += [str(p) for p in event.get("participant_ids") or []]
    others = [p for p in participants if p != sender_id]
    recipient_id = brand.user_id if sender_id != brand.user_id else (others[0] if others else "")
    if not recipient_id:
        return f"DM {event.get('id')} from the brand with no recipient: ignored"
    return _classify_dm(
        brand,
        feed="xaa",
        dm_id=str(event["id"]),
        sender=_v2_users(includes).get(sender_id) or Author(id=sender_id),
        recipient_id=recipient_id,
        text=str(event.get("text") or ""),
        created_at=_moment(event.get("created_at")),
    )


# --- what a post or DM means to the brand ---------------------------------------------------------


def _classify_post(
    brand: Brand,
    *,
    feed: str,
    post_id: str,
    author: Author,
    text: str,
    created_at: Any,
    lang: str | None,
    in_reply_to_id: str | None,
    in_reply_to_user_id: str | None,
    quoted_id: str | None,
    quoted_author_id: str | None,
    mentions_brand: bool,
) -> Message | str:
    common = dict(
        id=post_id,
        author=author,
        text=text,
        created_at=created_at,
        lang=lang,
        feed=feed,
        in_reply_to_id=in_reply_to_id,
        in_reply_to_user_id=in_reply_to_user_id,
        quoted_id=quoted_id,
    )
    if author.id == brand.user_id:
        if in_reply_to_id and in_reply_to_user_id and in_reply_to_user_id != brand.user_id:
            return Message(channel=Channel.REPLY, from_brand=True, **common)
        return f"brand post {post_id} answers no customer: ignored"
    if quoted_id and (quoted_author_id == brand.user_id or (quoted_author_id is None and not mentions_brand)):
        return Message(channel=Channel.QUOTE, **common)
    if in_reply_to_id and in_reply_to_user_id == brand.user_id:
        return Message(channel=Channel.REPLY, **common)
    if mentions_brand or in_reply_to_user_id == brand.user_id:
        return Message(channel=Channel.MENTION, **common)
    return f"post {post_id} does not address the brand: ignored"


def _classify_dm(
    brand: Brand, *, feed: str, dm_id: str, sender: Author, recipient_id: str, text: str, created_at: Any
) -> Message | str:
    from_brand = sender.id == brand.user_id
    if not from_brand and recipient_id != brand.user_id:
        return f"DM {dm_id} does not involve the brand: ignored"
    return Message(
        id=dm_id,
        channel=Channel.DM,
        author=sender,
        text=text,
        created_at=created_at,
        from_brand=from_brand,
        recipient_id=recipient_id,
        feed=feed,
    )


def _moment(value: Any) -> Any:
    if value is None:
        raise ValueError("no timestamp")
    text = str(value)
    return from_epoch_ms(text) if text.isdigit() else parse_x_time(text)


def _str_or_none(value: Any) -> str | None:
    return None if value in (None, "") else str(value)
