"""What carebird costs on X: one price table, the usage carebird counts, and the bill they make (pure functions).

X bills pay-per-use (x-api/getting-started/pricing.mdx, 2026): every post event the X Activity API delivers
(a mention, a reply, a quote, the brand's own post) and every DM received, every post or DM carebird sends, every
post it reads. The defaults below are X's published prices; `settings.X_PRICES` overrides any of them (X changes
them; the Developer Console has the current ones). The README's cost section and the digest's "X spend" line are
computed here and nowhere else.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from typing import Any, Protocol

from carebird.domain.model import XOutcome, XResult


@dataclass(frozen=True)
class XPrices:
    """US dollars per unit, X's pay-per-use price list (x-api/getting-started/pricing.mdx)."""

    post_event: float = 0.005  # a post delivered by the X Activity API: mention, reply, quote, the brand's own post
    dm_event: float = 0.010  # dm.received (dm.sent: not billed)
    chat_event: float = 0.010  # chat.received (chat.sent: not billed)
    post: float = 0.015  # Post: Create (an announcement)
    post_with_url: float = 0.200  # Post: Create (with URL)
    reply: float = 0.010  # Post: Create (summoned): a reply to an author who mentioned or quoted the brand
    dm: float = 0.015  # DM Interaction: Create
    post_read: float = 0.005  # Posts: Read, per post returned (search, mentions)
    owned_read: float = 0.001  # Owned Reads: the app owner's own data (its mentions, its posts)
    dm_read: float = 0.010  # DM Event: Read
    user_read: float = 0.010  # User: Read

    @classmethod
    def from_json(cls, text: str) -> XPrices:
        """X's prices with the overrides of `text` (JSON object, dollars): unknown names and negatives refused."""
        overrides = json.loads(text) if text.strip() else {}
        if not isinstance(overrides, dict):
            raise ValueError("must be a JSON object of prices in US dollars")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError(f"unknown prices {unknown}; known: {sorted(known)}")
        values = {name: float(value) for name, value in overrides.items()}
        if any(value < 0 for value in values.values()):
            raise ValueError("prices cannot be negative")
        return replace(cls(), **values)


URL = re.compile(r"https?://\S+", re.IGNORECASE)  # a post with one costs 13 times more
# What carebird counts, by the price each is billed at (the XUSAGE item's attributes, see table.usage_key).
USAGE = tuple(f.name for f in fields(XPrices))


def x_cost(usage: Mapping[str, int | float], prices: XPrices | None = None) -> float:
    """The X bill, in US dollars, of `usage` (counts by `USAGE` name; unknown names refused, missing ones zero)."""
    prices = prices or XPrices()
    unknown = sorted(set(usage) - set(USAGE))
    if unknown:
        raise ValueError(f"unknown usage {unknown}; known: {list(USAGE)}")
    table = asdict(prices)
    return round(sum(table[name] * count for name, count in usage.items()), 6)


def sent(kind: str, text: str, result: XResult) -> str | None:
    """The usage a call to X adds, when X did it (dry runs, refusals and duplicates are not billed)."""
    if result.outcome is not XOutcome.SENT:
        return None
    if kind == "post":
        return "post_with_url" if URL.search(text) else "post"
    return kind


def delivered_events(messages_in: Mapping[str, int], brand_posts: int) -> dict[str, int]:
    """The X Activity API events behind the customer messages and the brand's posts carebird stored."""
    return {
        "post_event": sum(n for channel, n in messages_in.items() if channel != "dm") + brand_posts,
        "dm_event": messages_in.get("dm", 0),
    }


def add(*usages: Mapping[str, int]) -> dict[str, int]:
    total: dict[str, int] = {}
    for usage in usages:
        for name, count in usage.items():
            total[name] = total.get(name, 0) + int(count)
    return total


DELIVERED = ("post_event", "dm_event")


def period_usage(messages_in: Mapping[str, int], brand_posts: int, counted: Mapping[str, int]) -> dict[str, int]:
    """A period's usage: the deliveries of its cases (counted live) and the calls counted on its days."""
    calls = {name: count for name, count in counted.items() if name not in DELIVERED}
    return add(delivered_events(messages_in, brand_posts), calls)


def spend_line(usage: Mapping[str, int], prices: XPrices | None = None, days: int = 7) -> str:
    """The digest's line: what X billed over the period, and for what."""
    parts = [f"{name} {count}" for name, count in sorted(usage.items()) if count]
    return f"X spend this week: ${x_cost(usage, prices):.3f} ({', '.join(parts) or 'nothing billed'}; {days} days)"


class UsageMeter(Protocol):
    """Where the calls to X are counted (DynamoDB in production: usage.DynamoUsage)."""

    def count(self, name: str, day: date, n: int = 1) -> None: ...


@dataclass
class MeteredX:
    """A Poster that counts what X bills for each call it makes (the acknowledger's, announcer's, inbox's X)."""

    x: Any
    meter: UsageMeter
    today: Any  # () -> date

    def _counted(self, kind: str, text: str, result: XResult) -> XResult:
        name = sent(kind, text, result)
        if name:
            try:
                self.meter.count(name, self.today())
            except Exception as exc:  # a bill counter never costs a customer their answer; the log says it
                logging.getLogger("carebird.domain.xbill").warning("X usage not counted (%s): %s", name, exc)
        return result

    def post(self, text: str) -> XResult:
        return self._counted("post", text, self.x.post(text))

    def reply(self, text: str, in_reply_to_id: str) -> XResult:
        return self._counted("reply", text, self.x.reply(text, in_reply_to_id))

    def send_dm(self, participant_id: str, text: str) -> XResult:
        return self._counted("dm", text, self.x.send_dm(participant_id, text))

    def __getattr__(self, name: str) -> Any:  # everything else (lookups, recorded calls) is the client's own
        return getattr(self.x, name)


def week_usage(days: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """The sum of XUSAGE items (one per day), their known counters only."""
    return add(*({k: int(v) for k, v in day.items() if k in USAGE} for day in days))


# What one case (or one recurring job) makes X bill, by scenario: the README's cost table and the bench price these
# with x_cost. A customer message and the brand's public answer are each a post X delivers (post.create of the
# brand's own post included); a DM the brand sends is not delivered back as a billed event (dm.sent: not billed).
CASE_SCENARIOS: dict[str, dict[str, int]] = {
    "mention answered in the X app": {"post_event": 2},
    "mention answered from the inbox": {"post_event": 2, "reply": 1},
    "DM answered in the X app": {"dm_event": 1},
    "DM answered from the inbox": {"dm_event": 1, "dm": 1},
    "out-of-hours mention, acknowledged, answered in the X app": {"post_event": 3, "reply": 1},
    "out-of-hours mention, acknowledged, answered from the inbox": {"post_event": 3, "reply": 2},
    "out-of-hours DM, acknowledged, answered from the inbox": {"dm_event": 1, "dm": 2},
    "customer follow-up post": {"post_event": 1},
    "customer follow-up DM": {"dm_event": 1},
    "a day's opening and closing announcements": {"post": 2, "post_event": 2},
    "an hour of health check during a silence (owned read of 10 mentions)": {"owned_read": 10},
    "the daily deletion check (X's batch compliance jobs)": {},  # not on X's price list
}
