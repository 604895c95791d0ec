"""The X Activity API subscriptions carebird needs for a brand, as code: what to keep, create and remove.

One subscription per (event type, filter) on X's side (xdevplatform/docs x-api/activity/introduction.mdx,
OpenAPI 2.167 `CreateActivitySubscriptionRequest`). carebird tags its own (`carebird`): only those are ever
removed as stale, so subscriptions another tool of the same app made are left alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

TAG = "carebird"
# What a care desk hears: the public conversation (explicit mentions, replies to and quotes of the brand's posts),
# the brand's own posts (answers typed in the X app) and deletions, DMs both ways, and encrypted chat received.
EVENT_TYPES = (
    "post.mention.create",
    "post.reply.create",
    "post.quote.create",
    "post.create",
    "post.delete",
    "dm.received",
    "dm.sent",
    "chat.received",
)
# X delivers `oauth.revoke` to the app's webhook with an empty filter; OpenAPI 2.167 offers no subscription for it
# (its event_type enum does not list it), so carebird creates none and handles the event when it arrives.
APP_WIDE_EVENTS = ("oauth.revoke",)


@dataclass(frozen=True)
class Wanted:
    event_type: str
    user_id: str
    webhook_id: str

    def request(self) -> dict[str, Any]:
        """The body of POST /2/activity/subscriptions."""
        return {
            "event_type": self.event_type,
            "filter": {"user_id": self.user_id},
            "tag": TAG,
            "webhook_id": self.webhook_id,
        }

    def satisfied_by(self, subscription: Mapping[str, Any]) -> bool:
        return self.same_filter(subscription) and str(subscription.get("webhook_id") or "") == self.webhook_id

    def same_filter(self, subscription: Mapping[str, Any]) -> bool:
        """X keeps one subscription per (event type, filter): a second one with this filter would be refused."""
        found = subscription.get("filter") or {}
        return (
            subscription.get("event_type") == self.event_type
            and str(found.get("user_id") or "") == self.user_id
            and not found.get("keyword")
            and not found.get("direction")
        )


def wanted(user_id: str, webhook_id: str) -> list[Wanted]:
    return [Wanted(event_type, user_id, webhook_id) for event_type in EVENT_TYPES]


@dataclass
class Plan:
    keep: list[Mapping[str, Any]] = field(default_factory=list)
    create: list[Wanted] = field(default_factory=list)
    remove: list[Mapping[str, Any]] = field(default_factory=list)  # carebird's, no longer wanted
    blocked: list[tuple[Wanted, Mapping[str, Any]]] = field(default_factory=list)  # another tool's holds the filter


def _ours(subscription: Mapping[str, Any], wants: list[Wanted]) -> bool:
    """carebird's subscription for this brand or on this webhook: another carebird stack of the same app (another
    brand, its own webhook) owns the rest."""
    found = subscription.get("filter") or {}
    return subscription.get("tag") == TAG and any(
        str(found.get("user_id") or "") == want.user_id or str(subscription.get("webhook_id") or "") == want.webhook_id
        for want in wants
    )


def _once(subscriptions: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """X's list with each subscription once (pages may repeat one): never a second delete of the same id."""
    seen: set[str] = set()
    unique = []
    for subscription in subscriptions:
        sid = str(subscription.get("subscription_id") or "")
        if sid and sid in seen:
            continue
        seen.add(sid)
        unique.append(subscription)
    return unique


def plan(existing: Iterable[Mapping[str, Any]], wants: list[Wanted]) -> Plan:
    """Compare X's subscriptions with what carebird needs."""
    result = Plan()
    subscriptions = _once(existing)
    for subscription in subscriptions:
        if any(want.satisfied_by(subscription) for want in wants):
            result.keep.append(subscription)
        elif _ours(subscription, wants):
            result.remove.append(subscription)
    for want in wants:
        if any(want.satisfied_by(s) for s in result.keep):
            continue
        holder = next((s for s in subscriptions if want.same_filter(s) and s.get("tag") != TAG), None)
        if holder is not None:
            result.blocked.append((want, holder))
        else:
            result.create.append(want)
    return result


def states(existing: Iterable[Mapping[str, Any]], wants: list[Wanted]) -> list[tuple[str, str, str]]:
    """(event type, state, subscription id) for each subscription carebird needs: active, missing, or elsewhere."""
    subscriptions = list(existing)
    rows = []
    for want in wants:
        active = next((s for s in subscriptions if want.satisfied_by(s)), None)
        elsewhere = next((s for s in subscriptions if want.same_filter(s)), None)
        if active is not None:
            rows.append((want.event_type, "active", str(active.get("subscription_id", ""))))
        elif elsewhere is not None:
            where = elsewhere.get("webhook_id") or "the stream only"
            rows.append((want.event_type, f"on another webhook ({where})", str(elsewhere.get("subscription_id", ""))))
        else:
            rows.append((want.event_type, "missing", ""))
    return rows


def missing(existing: Iterable[Mapping[str, Any]], wants: list[Wanted]) -> list[str]:
    return [event_type for event_type, state, _ in states(existing, wants) if state != "active"]


def subscription_of(response: Mapping[str, Any]) -> Mapping[str, Any]:
    """A create answer's subscription: OpenAPI says `data.subscription`, the quickstart shows `data` itself."""
    data = response.get("data") or {}
    return data.get("subscription") or data if isinstance(data, dict) else {}
