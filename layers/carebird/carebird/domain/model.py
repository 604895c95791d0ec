"""The internal message model every X feed is normalised to."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

# What an encrypted XChat message reads as in carebird (its text never reaches the app).
CHAT_PLACEHOLDER = "[encrypted XChat message: carebird cannot read it, open the conversation in the X app]"


class Channel(StrEnum):
    """How a customer reached the brand."""

    MENTION = "mention"
    REPLY = "reply"
    QUOTE = "quote"
    DM = "dm"
    CITATION = "citation"
    TOPIC = "topic"

    @property
    def family(self) -> Family:
        """A case groups one customer's messages per family: a public thread or a DM conversation."""
        return Family.DM if self is Channel.DM else Family.PUBLIC


class Family(StrEnum):
    """The two conversations a customer can have with the brand: public posts, or direct messages."""

    PUBLIC = "public"
    DM = "dm"


class Via(StrEnum):
    """How the brand's answer reached the customer."""

    REPLY = "reply"  # in the public thread
    DM = "dm"


class CaseStatus(StrEnum):
    """Where a case stands."""

    OPEN = "open"  # the customer waits (or waited and wrote again)
    ANSWERED = "answered"
    ESCALATED = "escalated"  # the SLA passed: the team was emailed
    CLOSED = "closed"
    NOISE = "noise"  # spam, scams, bots: out of the working queue, no SLA, no acknowledgement; an agent can undo it
    PRAISE = "praise"  # thanks or praise that asks nothing: worth a like or a thank-you, never an escalation
    PENDING = "pending"  # answered and waiting on the customer: no SLA clock; their next message puts it back


@dataclass(frozen=True, slots=True)
class Author:
    """Who wrote a message, as X described them at the time."""

    id: str
    handle: str = ""
    name: str = ""
    followers: int = 0
    verified: bool = False
    following: int = 0
    created_at: datetime | None = None  # when the account was created, when X says


@dataclass(frozen=True, slots=True)
class Message:
    """One post or DM, from a customer or from the brand, whatever the feed it came from."""

    id: str
    channel: Channel
    author: Author
    text: str
    created_at: datetime
    from_brand: bool = False
    lang: str | None = None
    in_reply_to_id: str | None = None
    in_reply_to_user_id: str | None = None
    quoted_id: str | None = None
    recipient_id: str | None = None
    feed: str = "aaa"
    encrypted: bool = False  # an XChat message: X gives apps no readable text
    sent_by: str | None = None  # the agent who wrote a brand answer carebird posted (inbox, CLI), when known

    @property
    def family(self) -> Family:
        return self.channel.family

    @property
    def customer_id(self) -> str | None:
        """The customer this message belongs to: its author, or for the brand's messages the addressee."""
        if not self.from_brand:
            return self.author.id
        if self.channel is Channel.DM:
            return self.recipient_id
        return self.in_reply_to_user_id


@dataclass(frozen=True, slots=True)
class Deletion:
    """A post was deleted: one of the brand's own (what X reports), or a customer's."""

    message_id: str
    author_id: str
    deleted_at: datetime
    by_brand: bool = False


Event = Message | Deletion


class XOutcome(StrEnum):
    SENT = "sent"
    RECORDED = "recorded"  # dry run
    DUPLICATE = "duplicate"  # X already has it: treat as done
    RETRY_LATER = "retry_later"  # rate limited or X unavailable: try again at retry_at
    REPLY_NOT_ALLOWED = "reply_not_allowed"  # self-serve reply restriction: DM or a person instead
    INVALID = "invalid"  # refused before calling X (too long, empty)
    FAILED = "failed"  # anything else X refused; a person should look
    BLOCKED = "blocked"  # X stopped the app (authorization lost, no credits, usage cap): automation pauses


@dataclass(frozen=True)
class XResult:
    """What X answered to one post or DM carebird sent."""

    outcome: XOutcome
    post_id: str | None = None
    retry_at: datetime | None = None
    detail: str = ""

    @property
    def done(self) -> bool:
        return self.outcome in (XOutcome.SENT, XOutcome.RECORDED, XOutcome.DUPLICATE)


@dataclass(frozen=True)
class Known:
    """What the store already knows around an incoming message, read in one round trip.

    `stored` is what occupies the message's own id: "message-id" (it is stored: a redelivery), "tombstone"
    (deleted before it arrived), "early-answer" (the brand answered it first: `held_answer`), or None.
    """

    stored: str | None = None
    held_answer: Message | None = None
    open_cases: dict[str, str] = field(default_factory=dict)  # family -> the customer's open case id
    reply_case_id: str | None = None  # the case holding the post this message replies to
    reply_target: str | None = None  # what occupies that post's id (for a brand answer held earlier)
    reply_target_answer_id: str | None = None
    automated: bool = False  # the text is carebird's own acknowledgement to this customer
