"""Turn an X webhook delivery (Account Activity API or X Activity API) into internal events.

Both feeds end up as the same `Message` / `Deletion` objects, so a case looks the same whatever the
feed. Everything from X is untrusted: every field used is validated and bounded here, at the edge
(ids are X ids, counts are bounded integers, texts are bounded strings, times are plausible). An item
that fails is a `Rejected` with its raw JSON and the reason, kept by the webhook in a quarantine; it
never costs the valid items beside it. Items carebird does not use (likes, follows, typing, retweets,
the brand's own posts that answer nobody) are listed in `Delivery.ignored` with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from carebird.domain.model import CHAT_PLACEHOLDER, Author, Channel, Deletion, Event, Message
from carebird.domain.timeparse import from_epoch_ms, from_iso, parse_x_time
from carebird.errors import CarebirdError, PayloadError

JsonObject = Mapping[str, Any]

MAX_TEXT = 25_000  # X's longest posts (long-form, Premium) are 25,000 characters
MAX_HANDLE = 50
MAX_NAME = 100
MAX_COUNT = 10**12
EARLIEST = datetime(2006, 3, 1, tzinfo=UTC)  # X's first post
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
_X_ID = re.compile(r"[0-9]{1,20}")  # ASCII digits only: `\d` would let "١٢٣" (Arabic-Indic digits) pass as an id
# How old a message X delivers can honestly be: a replay reaches back 5 days (X's docs say 24 h or 5 days).
# A time outside [received - MAX_DELIVERY_AGE, received] is the sender's word, not X's: the message is dated
# when carebird received it, so no SLA timer is set 30 days ahead nor escalated at once for a post "from 2007".
MAX_DELIVERY_AGE = timedelta(days=5)
_ASCII_DIGITS = re.compile(r"[0-9]{1,15}")
_OPAQUE_ID = re.compile(r"[A-Za-z0-9_:-]{1,80}")  # XChat message ids are UUIDs
_HANDLE = re.compile(r"[A-Za-z0-9_]{1,50}")
_LANG = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})?")


class InvalidField(CarebirdError, ValueError):
    """A field from X that carebird cannot accept as it is."""


@dataclass(frozen=True, slots=True)
class Brand:
    """The account carebird serves."""

    user_id: str
    handle: str

    def is_named(self, handle: Any) -> bool:
        return isinstance(handle, str) and handle.lstrip("@").lower() == self.handle.lstrip("@").lower()


@dataclass(frozen=True, slots=True)
class Rejected:
    """An item of a delivery that could not be understood: kept with its raw JSON, never silently dropped."""

    reason: str
    raw: Any


@dataclass(slots=True)
class Delivery:
    """What one webhook call carried."""

    events: list[Event] = field(default_factory=list)
    sources: list[Any] = field(default_factory=list)  # the raw JSON of each event, for the quarantine
    ignored: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    feed: str = "aaa"
    event_uuid: str | None = None
    event_type: str | None = None
    unknown_types: list[str] = field(default_factory=list)
    revoked: bool = False  # the brand withdrew the app's access (oauth.revoke, AAA user_event revoke)
    revoked_at: datetime | None = None  # when (X's date_time): a replayed revocation predates a re-authorization


def parse_delivery(body: Any, brand: Brand, received_at: datetime | None = None) -> Delivery:
    """Normalise a decoded JSON body; raise PayloadError only if it is not an X activity delivery at all.

    `received_at` dates the events X sends without a time of their own (X Activity API deletions), and the
    messages whose own time X could not have sent (after their receipt, or older than MAX_DELIVERY_AGE).
    """
    if not isinstance(body, dict):
        raise PayloadError("body must be a JSON object (an X activity delivery)")
    data = body.get("data")
    if isinstance(data, dict) and "event_type" in data:
        delivery = Delivery(feed="xaa")
        try:
            _parse_activity_envelope(data, brand, delivery, received_at)
        except Exception as exc:  # hostile input: whatever breaks, the envelope is quarantined, not lost
            delivery.rejected.append(Rejected(f"X Activity envelope malformed: {_describe(exc)}", body))
        return _clamp_times(delivery, received_at)
    return _clamp_times(_parse_account_activity(body, brand, Delivery(feed="aaa"), received_at), received_at)


def _clamp_times(delivery: Delivery, received_at: datetime | None) -> Delivery:
    """Messages dated after their receipt, or before anything X could still deliver, dated at their receipt."""
    if received_at is None:
        return delivery
    earliest = received_at - MAX_DELIVERY_AGE
    delivery.events = [
        replace(e, created_at=received_at)
        if isinstance(e, Message) and not earliest <= e.created_at <= received_at
        else e
        for e in delivery.events
    ]
    return delivery


# --- fields: validated and bounded ------------------------------------------------------------------


def x_id(value: Any, name: str) -> str:
    """An X id (users, posts, DMs): 1 to 20 digits, given as a string or an integer."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidField(f"{name} is not an X id")
    text = str(value)
    if not _X_ID.fullmatch(text):
        raise InvalidField(f"{name} is not an X id ({text[:30]!r})")
    return text


def _optional_id(value: Any, name: str) -> str | None:
    return None if value in (None, "") else x_id(value, name)


def _opaque_id(value: Any, name: str) -> str:
    if not isinstance(value, str) or not _OPAQUE_ID.fullmatch(value):
        raise InvalidField(f"{name} is not an id")
    return value


def _text(value: Any, name: str, limit: int = MAX_TEXT) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidField(f"{name} is not text")
    return value[:limit]


def _count(value: Any) -> int:
    """A follower count: a bounded non-negative integer; anything else counts as unknown (0)."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 13:
        value = int(value)
    return min(max(value, 0), MAX_COUNT) if isinstance(value, int) else 0


def _lang(value: Any) -> str | None:
    return value if isinstance(value, str) and _LANG.fullmatch(value) else None


def _handle(value: Any) -> str:
    return value if isinstance(value, str) and _HANDLE.fullmatch(value) else ""


def _plausible(moment: datetime, name: str) -> datetime:
    if not EARLIEST <= moment <= LATEST:
        raise InvalidField(f"{name} is out of range ({moment:%Y-%m-%d})")
    return moment


def _epoch_ms(value: Any, name: str) -> datetime:
    if isinstance(value, bool) or not isinstance(value, str | int) or not _ASCII_DIGITS.fullmatch(str(value)):
        raise InvalidField(f"{name} is not a time in milliseconds")
    return _plausible(from_epoch_ms(value), name)


def _x_time(value: Any, name: str) -> datetime:
    if not isinstance(value, str) or len(value) > 40:
        raise InvalidField(f"{name} is not a time")
    try:
        return _plausible(parse_x_time(value), name)
    except ValueError as exc:
        raise InvalidField(f"{name} is not a time ({value[:40]!r})") from exc


def _moment(value: Any, name: str, received_at: datetime | None) -> datetime:
    """A time in any of X's forms; X's events without one are dated when carebird received them."""
    if value in (None, ""):
        if received_at is None:
            raise InvalidField(f"{name} is missing")
        return received_at
    if isinstance(value, int) or (isinstance(value, str) and _ASCII_DIGITS.fullmatch(value)):
        return _epoch_ms(value, name)
    return _x_time(value, name)


def _object(value: Any) -> JsonObject:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {str(exc)[:200]}"


def author_from(user: Any, user_id: Any = None) -> Author:
    """A user object of either API (v1.1 `screen_name`/`followers_count` or v2 `username`/`public_metrics`)."""
    user = _object(user)
    user = _object(user.get("data")) or user  # the X Activity API nests users under `data`
    metrics = _object(user.get("public_metrics"))
    following = user.get("friends_count") if "friends_count" in user else metrics.get("following_count")
    return Author(
        id=x_id(user.get("id_str") or user.get("id") or user_id, "user id"),
        handle=_handle(user.get("screen_name") or user.get("username")),
        name=_text(user.get("name"), "user name", MAX_NAME) if isinstance(user.get("name"), str) else "",
        followers=_count(user.get("followers_count") if "followers_count" in user else metrics.get("followers_count")),
        verified=user.get("verified") is True,
        following=_count(following),
        created_at=_account_created(user),
    )


def _account_created(user: JsonObject) -> datetime | None:
    """When the account was created (a spam signal when recent); unknown rather than an error when odd."""
    try:
        if user.get("created_timestamp"):
            return _epoch_ms(user["created_timestamp"], "created_timestamp")
        return _x_time(user["created_at"], "created_at") if user.get("created_at") else None
    except InvalidField:
        return None


def _revocation_time(value: Any) -> datetime | None:
    """X's date_time of a revocation ("2026-07-23T21:44:05+00:00"), or None when absent or odd."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        return _plausible(from_iso(value), "date_time")
    except (ValueError, InvalidField):
        return None


def _users_by_id(users: Iterable[Any], ids: Callable[[Any], Any]) -> dict[str, Author]:
    """Users that parse, by id; one broken user object leaves its messages with a bare author, nothing more."""
    found: dict[str, Author] = {}
    for key, user in users:
        try:
            author = author_from(user, ids(key))
        except InvalidField:
            continue
        found[author.id] = author
    return found


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


def _parse_account_activity(
    body: JsonObject, brand: Brand, delivery: Delivery, received_at: datetime | None
) -> Delivery:
    for_user_id = body.get("for_user_id")
    if for_user_id is not None and str(for_user_id) != brand.user_id:
        delivery.ignored.append(f"delivery for another account ({str(for_user_id)[:30]})")
        return delivery
    revoke = _object(_object(body.get("user_event")).get("revoke"))
    if str(_object(revoke.get("source")).get("user_id") or "") == brand.user_id:
        delivery.revoked, delivery.revoked_at = True, _revocation_time(revoke.get("date_time"))
    raw_users = body.get("users")
    users = _users_by_id(raw_users.items() if isinstance(raw_users, dict) else (), lambda key: key)
    _each(body, "tweet_create_events", delivery, lambda t: _legacy_tweet(t, brand, delivery.feed))
    _each(body, "direct_message_events", delivery, lambda d: _legacy_dm(d, users, brand, delivery.feed))
    _each(body, "tweet_delete_events", delivery, lambda d: _legacy_deletion(d, brand, received_at))
    for key in body:
        if key not in _AAA_USED:
            delivery.ignored.append(f"{str(key)[:60]}: not used by carebird")
    return delivery


def _each(body: JsonObject, key: str, delivery: Delivery, parse: Callable[[Any], Event | str]) -> None:
    items = body.get(key)
    if items is None:
        return
    if not isinstance(items, list):
        delivery.rejected.append(Rejected(f"{key}: expected a list", items))
        return
    for index, item in enumerate(items):
        try:
            outcome = parse(item)
        except Exception as exc:  # hostile input: any failure rejects this item only
            delivery.rejected.append(Rejected(f"{key}[{index}] malformed: {_describe(exc)}", item))
            continue
        if isinstance(outcome, str):
            delivery.ignored.append(outcome)
        else:
            delivery.events.append(outcome)
            delivery.sources.append(item)


def _legacy_text(tweet: JsonObject) -> str:
    extended = _object(tweet.get("extended_tweet"))
    if extended.get("full_text"):
        return _text(extended["full_text"], "extended_tweet.full_text")
    return _text(tweet.get("full_text") or tweet.get("text"), "text")


def _legacy_mentions(tweet: JsonObject) -> Iterable[JsonObject]:
    for source in (_object(tweet.get("extended_tweet")), tweet):
        yield from (m for m in _list(_object(source.get("entities")).get("user_mentions")) if isinstance(m, dict))


def _legacy_tweet(tweet: Any, brand: Brand, feed: str) -> Message | str:
    tweet = _object(tweet)
    tweet_id = x_id(tweet.get("id_str") or tweet.get("id"), "tweet id")
    author = author_from(tweet.get("user"))
    text = _legacy_text(tweet)
    if tweet.get("retweeted_status") or text.startswith("RT @"):
        return f"retweet {tweet_id}: ignored"
    quoted_user = _object(_object(tweet.get("quoted_status")).get("user"))
    mentions_brand = any(
        str(m.get("id_str") or m.get("id") or "") == brand.user_id or brand.is_named(m.get("screen_name"))
        for m in _legacy_mentions(tweet)
    )
    created = tweet.get("timestamp_ms")
    return _classify_post(
        brand,
        feed=feed,
        post_id=tweet_id,
        author=author,
        text=text,
        created_at=_epoch_ms(created, "timestamp_ms") if created else _x_time(tweet.get("created_at"), "created_at"),
        lang=_lang(tweet.get("lang")),
        in_reply_to_id=_optional_id(
            tweet.get("in_reply_to_status_id_str") or tweet.get("in_reply_to_status_id"), "in_reply_to_status_id"
        ),
        in_reply_to_user_id=_optional_id(
            tweet.get("in_reply_to_user_id_str") or tweet.get("in_reply_to_user_id"), "in_reply_to_user_id"
        ),
        quoted_id=_optional_id(tweet.get("quoted_status_id_str") or tweet.get("quoted_status_id"), "quoted id")
        if tweet.get("is_quote_status")
        else None,
        quoted_author_id=_optional_id(quoted_user.get("id_str") or quoted_user.get("id"), "quoted author id"),
        mentions_brand=mentions_brand,
    )


def _legacy_dm(event: Any, users: Mapping[str, Author], brand: Brand, feed: str) -> Message | str:
    event = _object(event)
    if event.get("type", "message_create") != "message_create":
        return f"direct message event of type {str(event.get('type'))[:40]}: ignored"
    create = _object(event.get("message_create"))
    sender_id = x_id(create.get("sender_id"), "sender_id")
    recipient_id = x_id(_object(create.get("target")).get("recipient_id"), "recipient_id")
    return _classify_dm(
        brand,
        feed=feed,
        dm_id=x_id(event.get("id"), "DM id"),
        sender=users.get(sender_id) or Author(id=sender_id),
        recipient_id=recipient_id,
        text=_text(_object(create.get("message_data")).get("text"), "DM text"),
        created_at=_epoch_ms(event.get("created_timestamp"), "created_timestamp"),
    )


def _legacy_deletion(event: Any, brand: Brand, received_at: datetime | None) -> Deletion:
    event = _object(event)
    status = _object(event.get("status"))
    author_id = x_id(status.get("user_id_str") or status.get("user_id"), "status.user_id")
    return Deletion(
        message_id=x_id(status.get("id_str") or status.get("id"), "status.id"),
        author_id=author_id,
        deleted_at=_moment(event.get("timestamp_ms"), "timestamp_ms", received_at),
        by_brand=author_id == brand.user_id,
    )


# --- X Activity API (v2 objects in an envelope) -------------------------------------------------

# Every event type X documents (x-api/activity/event-payloads, 2026). Posts and DMs carry messages.
_POST_EVENTS = {
    "post.create": None,  # the brand's own posts: its replies answer cases
    "post.mention.create": Channel.MENTION,
    "post.reply.create": Channel.REPLY,
    "post.quote.create": Channel.QUOTE,
    "posts.create": None,  # early beta names, still accepted
    "tweet.create": None,
}
_DELETE_EVENTS = {"post.delete", "posts.delete", "tweet.delete"}
_DM_EVENTS = {"dm.received", "dm.sent", "dm.create", "dm.created"}
_CHAT_EVENTS = {"chat.received", "chat.sent"}
_KNOWN_UNUSED = {
    "post.repost.create": "reposts are not conversations",
    "like.create": "likes are not conversations",
    "follow.follow": "follows are not conversations",
    "follow.unfollow": "unfollows are not conversations",
    "mute.mute": "mutes concern the brand's own settings",
    "mute.unmute": "mutes concern the brand's own settings",
    "block.block": "blocks concern the brand's own settings",
    "block.unblock": "blocks concern the brand's own settings",
    "dm.read": "read receipts",
    "dm.indicate_typing": "typing indicators",
    "chat.conversation_join": "chat membership",
    "spaces.start": "Spaces",
    "spaces.end": "Spaces",
    "news.new": "news",
    "oauth.revoke": "a user revoked the app's access",
}
_KNOWN_UNUSED_PREFIXES = ("profile.update.", "broadcast.", "chat.conversation.", "chat.update.")


def _parse_activity_envelope(data: JsonObject, brand: Brand, delivery: Delivery, received_at: datetime | None) -> None:
    event_type = data.get("event_type")
    if not isinstance(event_type, str) or not event_type or len(event_type) > 80:
        raise InvalidField("event_type is not a name")
    delivery.event_type = event_type
    uuid = data.get("event_uuid")
    delivery.event_uuid = uuid[:80] if isinstance(uuid, str) and uuid else None  # informative only: never rejects
    raw_filter = data.get("filter")
    if raw_filter is not None and not isinstance(raw_filter, dict):
        raise InvalidField("filter is not an object")
    filtered_user = _optional_id(_object(raw_filter).get("user_id"), "filter.user_id")
    if filtered_user is not None and filtered_user != brand.user_id:
        delivery.ignored.append(f"{event_type} for another account ({filtered_user})")
        return
    unused = _KNOWN_UNUSED.get(event_type) or (
        "profile and chat settings" if event_type.startswith(_KNOWN_UNUSED_PREFIXES) else None
    )
    if unused:
        if event_type == "oauth.revoke":
            revocation = _object(data.get("payload"))
            delivery.revoked = str(revocation.get("user_id") or "") == brand.user_id
            delivery.revoked_at = _revocation_time(revocation.get("date_time")) if delivery.revoked else None
        delivery.ignored.append(f"{event_type}: not used by carebird ({unused})")
        return
    payload = data.get("payload")
    if not isinstance(payload, dict):
        raise InvalidField("payload is not an object")
    if any(key in payload for key in ("tweet_create_events", "direct_message_events", "tweet_delete_events")):
        _parse_account_activity(payload, brand, delivery, received_at)  # DM events wrap the legacy objects
        return
    includes = _object(data.get("includes"))
    if event_type in _POST_EVENTS:
        channel = _POST_EVENTS[event_type]
        parse: Callable[[Any], Event | str] = lambda p: _v2_post(p, includes, brand, channel)  # noqa: E731
    elif event_type in _DELETE_EVENTS:
        parse = lambda p: _v2_deletion(p, brand, received_at)  # noqa: E731
    elif event_type in _DM_EVENTS:
        parse = lambda p: _v2_dm(p, includes, brand)  # noqa: E731
    elif event_type in _CHAT_EVENTS:
        parse = lambda p: _chat(p, brand)  # noqa: E731
    else:
        delivery.ignored.append(f"{event_type}: unknown X Activity event type")
        delivery.unknown_types.append(event_type)
        return
    _each({"payload": [payload]}, "payload", delivery, parse)


# X's OpenAPI 2.167 (2026-08) renamed the post fields; its documented examples still use the old names, and a
# delivery may carry either. Each pair: (the name X documents in its examples, the current name). The edit history
# (`edit_history_tweet_ids`/`edit_history_post_ids`) is not read: an edit arrives as a new post, a follow-up.
REFERENCES = ("referenced_tweets", "referenced_posts")
NOTE = ("note_tweet", "note_post")
INCLUDED_POSTS = ("tweets", "posts")


def either(obj: JsonObject, names: tuple[str, str]) -> Any:
    """A field under either of its spellings (the first present wins)."""
    value = obj.get(names[0])
    return obj.get(names[1]) if value is None else value


def _references(post: JsonObject) -> dict[str, str | None]:
    """What a post refers to, by type (replied_to, quoted, retweeted), in either dialect."""
    return {
        str(r.get("type")): _optional_id(r.get("id"), "referenced post id")
        for r in _list(either(post, REFERENCES))
        if isinstance(r, dict)
    }


def _v2_users(includes: JsonObject) -> dict[str, Author]:
    return _users_by_id(((None, user) for user in _list(includes.get("users"))), lambda _: None)


def _v2_text(post: JsonObject) -> str:
    note = _object(either(post, NOTE))
    return _text(note.get("text") or post.get("text"), "text")


def _v2_post(post: Any, includes: JsonObject, brand: Brand, addressed_as: Channel | None) -> Message | str:
    post = _object(post)
    post_id = x_id(post.get("id"), "post id")
    author_id = x_id(post.get("author_id"), "author_id")
    author = _v2_users(includes).get(author_id) or Author(id=author_id)
    references = _references(post)
    if "retweeted" in references:
        return f"retweet {post_id}: ignored"
    # post.create's documented reply marker, when the post carries no replied_to reference
    replied_to = references.get("replied_to") or _optional_id(post.get("in_reply_to_tweet_id"), "in_reply_to_tweet_id")
    tweets = {str(t.get("id")): t for t in _list(either(includes, INCLUDED_POSTS)) if isinstance(t, dict)}
    quoted_id = references.get("quoted")
    quoted_author = _optional_id(_object(tweets.get(quoted_id or "")).get("author_id"), "quoted author_id")
    replied_author = _optional_id(_object(tweets.get(replied_to or "")).get("author_id"), "replied author_id")
    mentions = [m for m in _list(_object(post.get("entities")).get("mentions")) if isinstance(m, dict)]
    mentions_brand = addressed_as is Channel.MENTION or any(
        str(m.get("id") or "") == brand.user_id or brand.is_named(m.get("username")) for m in mentions
    )
    in_reply_to_user = _optional_id(post.get("in_reply_to_user_id"), "in_reply_to_user_id") or replied_author
    if addressed_as is Channel.REPLY and in_reply_to_user is None and author_id != brand.user_id:
        in_reply_to_user = brand.user_id  # X says it replies to one of the brand's posts
    if addressed_as is Channel.QUOTE and quoted_author is None and author_id != brand.user_id:
        quoted_author = brand.user_id  # X says it quotes one of the brand's posts
    return _classify_post(
        brand,
        feed="xaa",
        post_id=post_id,
        author=author,
        text=_v2_text(post),
        created_at=_x_time(post.get("created_at"), "created_at"),
        lang=_lang(post.get("lang")),
        in_reply_to_id=replied_to,
        in_reply_to_user_id=in_reply_to_user,
        quoted_id=quoted_id,
        quoted_author_id=quoted_author,
        mentions_brand=mentions_brand,
    )


def watched_post(post: JsonObject, includes: JsonObject, brand: Brand, channel: Channel) -> Message | None:
    """A post found by the brand watch, as a customer message of `channel` (None for retweets and the brand)."""
    references = _references(post)
    author_id = x_id(post.get("author_id"), "author_id")
    if "retweeted" in references or author_id == brand.user_id:
        return None
    return Message(
        id=x_id(post.get("id"), "post id"),
        channel=channel,
        author=_v2_users(includes).get(author_id) or Author(id=author_id),
        text=_v2_text(post),
        created_at=_x_time(post.get("created_at"), "created_at"),
        lang=_lang(post.get("lang")),
        feed="watch",
    )


def _v2_deletion(payload: Any, brand: Brand, received_at: datetime | None) -> Deletion:
    payload = _object(payload)
    author_id = x_id(payload.get("author_id"), "author_id")
    moment = payload.get("deleted_at") or payload.get("timestamp_ms")
    return Deletion(
        message_id=x_id(payload.get("id"), "post id"),
        author_id=author_id,
        deleted_at=_moment(moment, "deleted_at", received_at),
        by_brand=author_id == brand.user_id,
    )


def _v2_dm(event: Any, includes: JsonObject, brand: Brand) -> Message | str:
    event = _object(event)
    if event.get("event_type", "MessageCreate") != "MessageCreate":
        return f"DM event of type {str(event.get('event_type'))[:40]}: ignored"
    sender_id = x_id(event.get("sender_id"), "sender_id")
    conversation = _text(event.get("dm_conversation_id"), "dm_conversation_id", 80)
    participants = [x_id(p, "participant_ids") for p in _list(event.get("participant_ids"))]
    recipient_id = _recipient(sender_id, conversation, participants, brand)
    dm_id = x_id(event.get("id"), "DM id")
    if not recipient_id:
        return f"DM {dm_id} from the brand with no recipient: ignored"
    return _classify_dm(
        brand,
        feed="xaa",
        dm_id=dm_id,
        sender=_v2_users(includes).get(sender_id) or Author(id=sender_id),
        recipient_id=x_id(recipient_id, "DM recipient"),
        text=_text(event.get("text"), "DM text"),
        created_at=_moment(event.get("created_at"), "created_at", None),
    )


def _chat(event: Any, brand: Brand) -> Message | str:
    """An encrypted XChat message: its words are unreadable to apps, but the customer who wrote must not vanish."""
    event = _object(event)
    sender_id = x_id(event.get("sender_id"), "sender_id")
    recipient_id = _recipient(sender_id, _text(event.get("conversation_id"), "conversation_id", 80), [], brand)
    chat_id = _opaque_id(event.get("id"), "chat id")
    if not recipient_id:
        return f"chat {chat_id} from the brand with no recipient: ignored"
    return _classify_dm(
        brand,
        feed="xaa",
        dm_id=f"chat-{chat_id}",
        sender=Author(id=sender_id),
        recipient_id=recipient_id,
        text=CHAT_PLACEHOLDER,
        created_at=_epoch_ms(event.get("created_at_msec"), "created_at_msec"),
        encrypted=True,
    )


def _recipient(sender_id: str, conversation: str, participants: list[str], brand: Brand) -> str:
    """Who a one-to-one conversation's message goes to: the brand, or for the brand's own the other participant.

    X names DM conversations `<id>-<id>` and XChat conversations `<id>:<id>`; empty when nobody else is named.
    """
    if sender_id != brand.user_id:
        return brand.user_id
    named = [x_id(p, "conversation_id") for p in re.split(r"[:-]", conversation) if p] + participants
    return next((p for p in named if p != sender_id), "")


# --- what a post or DM means to the brand ---------------------------------------------------------


def _classify_post(
    brand: Brand,
    *,
    feed: str,
    post_id: str,
    author: Author,
    text: str,
    created_at: datetime,
    lang: str | None,
    in_reply_to_id: str | None,
    in_reply_to_user_id: str | None,
    quoted_id: str | None,
    quoted_author_id: str | None,
    mentions_brand: bool,
) -> Message | str:
    common: dict[str, Any] = dict(
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
    brand: Brand,
    *,
    feed: str,
    dm_id: str,
    sender: Author,
    recipient_id: str,
    text: str,
    created_at: datetime,
    encrypted: bool = False,
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
        encrypted=encrypted,
    )
