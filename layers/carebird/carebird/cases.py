"""The life of a case: opened by a customer's message, grown by follow-ups, answered by the brand."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from carebird.model import Author, Channel, Message
from carebird.triage import TriageRules, queue_rank, triage

OPEN = "open"
ANSWERED = "answered"
ESCALATED = "escalated"
CLOSED = "closed"

TRIAGE_TEXT_LIMIT = 4000
PREVIEW_LIMIT = 280


@dataclass(frozen=True)
class Case:
    """One conversation with one customer on one channel family (public thread or DM)."""

    case_id: str
    customer: Author
    family: str
    channel: Channel
    status: str
    opened_at: datetime
    last_activity_at: datetime
    waiting_since: datetime | None
    priority: int = 0
    topic: str = "other"
    reasons: tuple[str, ...] = ()
    rank: int | None = None
    inbound_count: int = 0
    triage_text: str = ""
    preview: str = ""
    lang: str | None = None
    reply_to_id: str | None = None
    first_response_at: datetime | None = None
    last_response_at: datetime | None = None
    response_count: int = 0
    reopened: int = 0
    escalation_level: int = 0
    escalated_at: str | None = None
    conversation_id: str | None = None
    acknowledged_at: str | None = None
    ack_via: str | None = None
    deleted_ids: frozenset[str] = field(default_factory=frozenset)
    waited_since: datetime | None = None  # when the customer began waiting before the latest answer
    version: int = 0

    @property
    def awaiting_reply(self) -> bool:
        """The customer is waiting for the brand: the case belongs in the open queue."""
        return self.waiting_since is not None and self.status != CLOSED

    @property
    def link(self) -> str:
        """Where an agent answers: the customer's latest post, or the DM conversation."""
        if self.family == "dm" and self.conversation_id:
            return f"https://x.com/messages/{self.conversation_id}"
        handle = self.customer.handle or "i/web"
        return f"https://x.com/{handle}/status/{self.reply_to_id}" if self.reply_to_id else f"https://x.com/{handle}"

    @property
    def reference(self) -> str:
        """Short reference agents and customers can quote."""
        return "CB-" + self.case_id.rsplit("-", 1)[-1][-6:]


def case_id_for(message: Message) -> str:
    """Deterministic: a redelivered first message always names the same case."""
    return f"{message.family}-{message.id}"


def _retriage(case: Case, rules: TriageRules) -> Case:
    result = triage(
        texts=[case.triage_text],
        followers=case.customer.followers,
        verified=case.customer.verified,
        channel=case.channel,
        inbound_count=case.inbound_count,
        rules=rules,
    )
    rank = queue_rank(result.priority, case.waiting_since, rules) if case.waiting_since else None
    return replace(case, priority=result.priority, topic=result.topic, reasons=result.reasons, rank=rank)


def open_case(message: Message, rules: TriageRules) -> Case:
    """A new case from a customer's first message."""
    case = Case(
        case_id=case_id_for(message),
        customer=message.author,
        family=message.family,
        channel=message.channel,
        status=OPEN,
        opened_at=message.created_at,
        last_activity_at=message.created_at,
        waiting_since=message.created_at,
        inbound_count=1,
        triage_text=message.text[:TRIAGE_TEXT_LIMIT],
        preview=message.text[:PREVIEW_LIMIT],
        lang=message.lang,
        reply_to_id=None if message.family == "dm" else message.id,
        conversation_id=_conversation_of(message),
    )
    return _retriage(case, rules)


def dm_conversation_id(first: str, second: str) -> str:
    """X names a one-to-one DM conversation by its two user ids, the smaller first."""
    return "-".join(sorted((first, second), key=lambda user_id: (len(user_id), user_id)))


WATCH_CHANNELS = frozenset({Channel.CITATION, Channel.TOPIC})


def add_inbound(case: Case, message: Message, rules: TriageRules) -> Case:
    """A follow-up from the customer: re-scored as a repeat contact; reopens an answered case.

    A case found by the brand watch (citation, topic) becomes a direct request when its author now
    addresses the brand: the channel, and so the SLA and the right to reply by API, follow; its timer
    restarts from this message (a new opening, so the citation's timer ends quietly).
    """
    upgraded = case.channel in WATCH_CHANNELS and message.channel not in WATCH_CHANNELS and message.family == "public"
    answered_after = case.last_response_at is not None and message.created_at <= case.last_response_at
    reopening = (case.waiting_since is None and not answered_after) or upgraded  # a late delivery reopens nothing
    latest = max(case.last_activity_at, message.created_at)
    updated = replace(
        case,
        channel=message.channel if upgraded else case.channel,
        customer=_fresher_profile(case.customer, message.author),
        inbound_count=case.inbound_count + 1,
        triage_text=(case.triage_text + "\n" + message.text)[-TRIAGE_TEXT_LIMIT:],
        last_activity_at=latest,
        waiting_since=message.created_at if reopening else case.waiting_since,
        status=OPEN if reopening else case.status,
        reopened=case.reopened + (1 if reopening else 0),
        escalation_level=0 if reopening else case.escalation_level,
        escalated_at=None if reopening else case.escalated_at,
        reply_to_id=message.id if message.family == "public" else case.reply_to_id,
        conversation_id=case.conversation_id or _conversation_of(message),
        lang=case.lang or message.lang,
    )
    return _retriage(updated, rules)


def _conversation_of(message: Message) -> str | None:
    if message.family == "dm" and message.recipient_id:
        return dm_conversation_id(message.author.id, message.recipient_id)
    return None


def record_response(case: Case, message: Message) -> Case:
    """The brand answered: the first response is kept, the case leaves the queue."""
    first = case.first_response_at
    return replace(
        case,
        status=ANSWERED if case.status != CLOSED else CLOSED,
        first_response_at=message.created_at if first is None else min(first, message.created_at),
        last_response_at=max(case.last_response_at or message.created_at, message.created_at),
        last_activity_at=max(case.last_activity_at, message.created_at),
        response_count=case.response_count + 1,
        waited_since=case.waiting_since or case.waited_since,
        waiting_since=None,
        rank=None,
    )


def withdraw_response(case: Case, rules: TriageRules) -> Case:
    """The brand deleted one of its answers: the count drops; a case left with no answer waits again.

    The customer is back in the queue from when they first waited, with a new SLA timer (a new opening).
    """
    remaining = max(case.response_count - 1, 0)
    if remaining or case.status == CLOSED or case.waiting_since is not None:
        return replace(case, response_count=remaining)
    waiting = replace(
        case,
        response_count=0,
        status=OPEN,
        waiting_since=case.waited_since or case.opened_at,
        first_response_at=None,
        last_response_at=None,
        reopened=case.reopened + 1,
        escalation_level=0,
        escalated_at=None,
    )
    return _retriage(waiting, rules)


DELETED_TEXT = "[post deleted by the customer]"


def record_deletion(case: Case, message_id: str, text: str | None = None) -> Case:
    """Mark the post deleted; its words leave what agents and escalation emails see of the case."""
    triage_text, preview = case.triage_text, case.preview
    if text:
        triage_text = triage_text.replace(text[:TRIAGE_TEXT_LIMIT], DELETED_TEXT, 1)
        preview = DELETED_TEXT if preview == text[:PREVIEW_LIMIT] else preview
    return replace(case, deleted_ids=case.deleted_ids | {message_id}, triage_text=triage_text, preview=preview)


def close(case: Case) -> Case:
    return replace(case, status=CLOSED, waiting_since=None, rank=None)


def is_stale(case: Case, at: datetime, idle: timedelta) -> bool:
    """A closed case, or an answered one idle for longer than `idle`, no longer takes new messages."""
    if case.status == CLOSED:
        return True
    return case.waiting_since is None and at - case.last_activity_at > idle


def _fresher_profile(old: Author, new: Author) -> Author:
    """Keep the latest profile X sent, but never replace known details with blanks."""
    return Author(
        id=old.id,
        handle=new.handle or old.handle,
        name=new.name or old.name,
        followers=new.followers or old.followers,
        verified=new.verified or (old.verified and not new.handle),
    )
