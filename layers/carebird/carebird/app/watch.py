"""Beyond direct requests: brand watch (citations, topics) and the polling fallback, as plain functions.

Search results and timelines are v2 objects, so they go through the same normaliser as the X Activity
API feed and the same ingestion as the webhook: the same cases, the same dedupe, whichever path a post
took (webhook, poller or watch, even all three at once).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from carebird.domain.model import Channel, Message
from carebird.x.normalise import Brand, parse_delivery, watched_post

WATCH_CHANNELS = (Channel.CITATION, Channel.TOPIC)


@dataclass(frozen=True)
class WatchQuery:
    """One saved search: brand names without the @handle (citation) or a topic of the trade (topic)."""

    name: str
    terms: tuple[str, ...]
    channel: Channel = Channel.CITATION


@dataclass(frozen=True)
class WatchSettings:
    queries: tuple[WatchQuery, ...] = ()
    daily_read_cap: int = 500  # settings.WATCH_DAILY_READ_CAP (the settings test compares)
    max_results: int = 50


def search_query(query: WatchQuery, brand: Brand) -> str:
    """X recent-search syntax: the terms, without retweets, the brand's own posts or its @mentions."""
    terms = " OR ".join(f'"{t}"' if " " in t else t for t in query.terms)
    return f"({terms}) -is:retweet -from:{brand.handle} -@{brand.handle}"


def messages_from_search(response: Mapping[str, Any], brand: Brand, channel: Channel) -> list[Message]:
    """A recent-search page (v2) as watch messages: citations or topics, never answerable by API reply."""
    includes = response.get("includes") or {}
    found = [watched_post(post, includes, brand, channel) for post in response.get("data") or []]
    return [message for message in found if message is not None]


def _activity(response: Mapping[str, Any], brand: Brand, event_type: str) -> list[Message]:
    """Each object of a v2 page through the X Activity API normaliser (the webhook's own classification)."""
    includes = response.get("includes") or {}
    events: list[Message] = []
    for item in response.get("data") or []:
        envelope = {
            "data": {
                "event_type": event_type,
                "filter": {"user_id": brand.user_id},
                "payload": item,
                "includes": includes,
            }
        }
        events += [replace(e, feed="poll") for e in parse_delivery(envelope, brand).events if isinstance(e, Message)]
    return events


def messages_from_mentions(response: Mapping[str, Any], brand: Brand) -> list[Message]:
    """A mentions-timeline page (v2): classified exactly as the webhook classifies them."""
    return _activity(response, brand, "post.create")


def messages_from_dm_events(response: Mapping[str, Any], brand: Brand) -> list[Message]:
    """A DM-events page (v2): incoming DMs and the brand's own answers."""
    return _activity(response, brand, "dm.received")
