"""The life of a case: opened by a customer's message, grown by follow-ups, answered by the brand."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from carebird.domain.language import message_language
from carebird.domain.model import Author, CaseStatus, Channel, Family, Message
from carebird.domain.timeparse import to_iso
from carebird.domain.triage import (
    NORMAL_BAND,
    URGENT_BAND,
    Kind,
    Profile,
    Triage,
    TriageRules,
    band_reason,
    queue_rank,
    triage,
)

OPEN, ANSWERED, ESCALATED = CaseStatus.OPEN, CaseStatus.ANSWERED, CaseStatus.ESCALATED
PENDING = CaseStatus.PENDING
CLOSED, NOISE, PRAISE = CaseStatus.CLOSED, CaseStatus.NOISE, CaseStatus.PRAISE
HISTORY_LIMIT = 10

# What a case keeps of its customer's words for re-triage: the opening words and the latest ones. Bounded so
# a follow-up rewrites an item of constant size (its write units do not grow with the conversation).
TRIAGE_TEXT_LIMIT = 1000
TRIAGE_TEXT_HEAD = 300
PREVIEW_LIMIT = 280


@dataclass(frozen=True)
class Case:
    """One conversation with one customer on one channel family (public thread or DM)."""

    case_id: str
    customer: Author
    family: Family
    channel: Channel
    status: CaseStatus
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
    kind: str = Kind.REQUEST.value  # what the conversation is: noise, thanks, request or urgent
    band: str = NORMAL_BAND  # the SLA band: urgent cases get a shorter SLA
    history: tuple[tuple[str, str], ...] = ()  # the customer's previous cases: (opened_at ISO, status), newest last
    outcome: str | None = None  # how the conversation ended for the customer: "thanked" after an answer
    noise_override: bool | None = None  # an agent's word: True = noise, False = not noise
    claimed_by: str | None = None  # the agent working on it (inbox): others see it and cannot answer
    claimed_at: datetime | None = None
    ref: str = ""  # the reference allocated when the case was stored (reference_for); "" for a case not yet stored
    outage: str | None = None  # the outage this case belongs to (carebird.domain.outages): urgent while it waits
    urgent_override: bool | None = None  # an agent's word: True = urgent, False = not urgent
    tags: tuple[str, ...] = ()  # an agent's labels (desk.set_tags)
    notes_text: str = ""  # the latest internal notes' words, bounded: what the inbox's search reads
    first_responder: str | None = None  # the agent whose answer was the first response, when carebird posted it
    quoted_id: str | None = None  # the post the opening message quotes: no automatic answer amplifies it
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
        """Short reference agents and customers can quote: the one allocated when the case was stored (unique for
        the life of the table), else the first form's (CB- and the id's last 6 digits, cases stored before)."""
        return self.ref or legacy_reference(self.case_id)


_CASE_FIELDS = frozenset(Case.__dataclass_fields__)


def evolve(case: Case, **changes: Any) -> Case:
    """`dataclasses.replace(case, **changes)` without running the generated `__init__` over the case's 43 fields
    again: 1 µs a copy instead of 14, and storing an event copies its case three to six times. Equal to `replace`
    (tests/unit/test_case_copies.py): Case has no `__post_init__`, no slots and no field outside `__init__`."""
    unknown = changes.keys() - _CASE_FIELDS
    if unknown:
        raise TypeError(f"Case has no field {min(unknown)!r}")
    copy = object.__new__(type(case))
    copy.__dict__.update(case.__dict__, **changes)
    return copy


def case_id_for(message: Message) -> str:
    """Deterministic: a redelivered first message always names the same case."""
    return f"{message.family}-{message.id}"


# Crockford's base 32: digits and capitals without I, L, O and U, so a reference read aloud or copied by hand
# survives (reading I or L as 1 and O as 0, see normalised_reference). Seven of them: 34 billion references, a
# clash once in ~260,000 cases for a brand with a million; each clash is seen at allocation and the next tried.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 7
REFERENCE_PREFIX = "CB-"


def reference_for(case_id: str, attempt: int = 0) -> str:
    """The reference a case asks for at its `attempt`-th try: the same for a redelivery, different per attempt.

    Seven characters never equal the first form's six digits, so the references of older cases keep their case."""
    number = int.from_bytes(hashlib.sha256(f"{case_id}#{attempt}".encode()).digest()[:8], "big")
    characters = []
    for _ in range(REFERENCE_LENGTH):
        number, index = divmod(number, len(REFERENCE_ALPHABET))
        characters.append(REFERENCE_ALPHABET[index])
    return REFERENCE_PREFIX + "".join(characters)


def legacy_reference(case_id: str) -> str:
    """The first form of reference (CB- and the first message id's last 6 digits): not unique, still resolved."""
    return REFERENCE_PREFIX + case_id.rsplit("-", 1)[-1][-6:]


def normalised_reference(text: str) -> str:
    """A reference as typed (any case, spaces, O for 0, I or L for 1) in the form it is stored."""
    body = text.strip().upper().removeprefix(REFERENCE_PREFIX).strip()
    if len(body) == REFERENCE_LENGTH:
        body = body.translate(str.maketrans("OIL", "011"))
    return REFERENCE_PREFIX + body


def _score(case: Case, rules: TriageRules, texts: list[str], at: datetime, after_answer: bool = False) -> Triage:
    """The triage of a case whose latest customer message is `texts[-1]`, an agent's word on noise respected;
    `after_answer`: the brand's answer is the conversation's latest turn before this message."""
    result = triage(
        texts=texts,
        followers=case.customer.followers,
        verified=case.customer.verified,
        channel=case.channel,
        inbound_count=case.inbound_count,
        rules=rules,
        previous_cases=recent_cases(case, at, rules.history_days),
        profile=Profile(
            case.customer.followers, case.customer.following, case.customer.verified, case.customer.created_at
        ),
        at=at,
        after_answer=after_answer,
    )
    if case.noise_override is False and result.kind is Kind.NOISE:
        result = triage(
            texts=texts, followers=case.customer.followers, verified=case.customer.verified, channel=case.channel,
            inbound_count=case.inbound_count, rules=rules, previous_cases=recent_cases(case, at, rules.history_days),
        )  # fmt: skip
        if result.kind is Kind.NOISE:
            result = Triage(rules.base, result.topic, ("an agent said: not noise",))
    return result


def _apply(case: Case, result: Triage, rules: TriageRules) -> Case:
    if case.urgent_override is False and result.band == URGENT_BAND:  # an agent said: not urgent
        result = replace(result, band=NORMAL_BAND, kind=Kind.REQUEST, reasons=(AGENT_NOT_URGENT, *result.reasons[1:]))
        case = evolve(case, kind=Kind.REQUEST.value)
    elif case.urgent_override and result.band != URGENT_BAND:  # an agent said: urgent
        result = replace(
            result,
            priority=max(result.priority, rules.urgent_floor),
            band=URGENT_BAND,
            kind=Kind.URGENT,
            reasons=(band_reason(URGENT_BAND, "an agent said so"), *result.reasons[1:]),
        )
        case = evolve(case, kind=Kind.URGENT.value)
    if case.outage and result.band != URGENT_BAND:  # part of an outage: urgent whatever the latest words
        outage_reasons = tuple(r for r in case.reasons if r.startswith("outage: "))[:1]
        result = replace(
            result,
            priority=max(result.priority, rules.urgent_floor),
            band=URGENT_BAND,
            kind=Kind.URGENT,
            reasons=(band_reason(URGENT_BAND, "a widespread outage"), *outage_reasons, *result.reasons[1:]),
        )
        case = evolve(case, kind=Kind.URGENT.value)
    rank = queue_rank(result.priority, case.waiting_since, rules, result.band) if case.waiting_since else None
    return evolve(
        case, priority=result.priority, topic=result.topic, reasons=result.reasons, rank=rank, band=result.band
    )


def recent_cases(case: Case, at: datetime, days: int) -> int:
    """How many of the customer's previous cases were opened in the `days` before `at`."""
    since = to_iso(at - timedelta(days=days))
    return sum(1 for opened, _ in case.history if opened >= since)


def open_case(message: Message, rules: TriageRules, previous: Case | None = None) -> Case:
    """A new case from a customer's first message; `previous` is the customer's last case, for the history.

    Noise opens a case nobody has to work (status noise); thanks or praise that asks nothing is kept as
    praise; anything else waits for the team, urgent cases in the urgent SLA band.
    """
    history: tuple[tuple[str, str], ...] = ()
    if previous is not None:
        history = (*previous.history, (to_iso(previous.opened_at), previous.status))
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
        lang=message_language(message.lang, message.text),
        reply_to_id=None if message.family == "dm" else message.id,
        quoted_id=message.quoted_id,
        conversation_id=_conversation_of(message),
        history=history[-HISTORY_LIMIT:],
        ref=reference_for(case_id_for(message)),
    )
    result = _score(case, rules, [message.text], message.created_at)
    if result.kind in (Kind.NOISE, Kind.THANKS):
        status = NOISE if result.kind is Kind.NOISE else PRAISE
        case = evolve(case, status=status, waiting_since=None)
    return _apply(evolve(case, kind=result.kind.value), result, rules)


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
    texts = [case.triage_text, message.text] if case.triage_text else [message.text]
    grown = evolve(case, inbound_count=case.inbound_count + 1, customer=_fresher_profile(case.customer, message.author))
    after_answer = (  # the brand spoke last: this message answers its answer ("cheers", "still nothing")
        case.last_response_at is not None and not answered_after and case.last_response_at >= case.last_activity_at
    )
    result = _score(grown, rules, texts, message.created_at, after_answer)
    quiet = result.kind in (Kind.NOISE, Kind.THANKS)  # thanks, closing words and noise wake nobody up
    reopening = (case.waiting_since is None and not answered_after and not quiet) or upgraded
    if case.status is PENDING and not answered_after and result.kind is not Kind.NOISE:
        reopening = True  # the customer answered what the team asked: back to waiting, a new SLA clock
    latest = max(case.last_activity_at, message.created_at)
    status = OPEN if reopening else case.status
    if result.kind is Kind.NOISE and case.waiting_since is None and case.status in (OPEN, NOISE):
        status = NOISE
    outcome = "thanked" if result.kind is Kind.THANKS and case.first_response_at is not None else case.outcome
    updated = evolve(
        case,
        channel=message.channel if upgraded else case.channel,
        customer=grown.customer,
        inbound_count=grown.inbound_count,
        triage_text=triage_window(case.triage_text + "\n" + message.text),
        last_activity_at=latest,
        waiting_since=message.created_at if reopening else case.waiting_since,
        status=status,
        outcome=None if reopening else outcome,
        kind=result.kind.value if not quiet or case.kind in (Kind.NOISE, Kind.THANKS) else case.kind,
        reopened=case.reopened + (1 if reopening else 0),
        escalation_level=0 if reopening else case.escalation_level,
        escalated_at=None if reopening else case.escalated_at,
        reply_to_id=message.id if message.family == "public" else case.reply_to_id,
        conversation_id=case.conversation_id or _conversation_of(message),
        lang=case.lang or message_language(message.lang, message.text),
    )
    if quiet and not reopening:
        return evolve(updated, reasons=_quiet_reasons(case, result))  # its score kept, the message noted
    return _apply(updated, result, rules)


def triage_window(text: str) -> str:
    """The opening words and the latest ones, at most TRIAGE_TEXT_LIMIT characters."""
    if len(text) <= TRIAGE_TEXT_LIMIT:
        return text
    return text[:TRIAGE_TEXT_HEAD] + "\n" + text[-(TRIAGE_TEXT_LIMIT - TRIAGE_TEXT_HEAD - 1) :]


def _quiet_reasons(case: Case, result: Triage) -> tuple[str, ...]:
    """A quiet follow-up keeps the case's score and says what it was."""
    return (*[r for r in case.reasons if not r.startswith(("latest: ", "noise: ", "thanks or praise: "))],
            f"latest: {result.reasons[0]}")  # fmt: skip


def _conversation_of(message: Message) -> str | None:
    if message.family == "dm" and message.recipient_id:
        return dm_conversation_id(message.author.id, message.recipient_id)
    return None


def record_response(case: Case, message: Message) -> Case:
    """The brand answered: the first response is kept, the case leaves the queue."""
    first = case.first_response_at
    earliest = first is None or message.created_at < first
    return evolve(
        case,
        status=ANSWERED if case.status not in (CLOSED, PENDING) else case.status,
        first_response_at=message.created_at if first is None else min(first, message.created_at),
        first_responder=message.sent_by if earliest else case.first_responder,
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
    if remaining or case.status in (CLOSED, NOISE, PRAISE) or case.waiting_since is not None:
        return evolve(case, response_count=remaining)
    waiting = evolve(
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
    assert waiting.waiting_since is not None  # set just above
    return _apply(waiting, _score(waiting, rules, [waiting.triage_text], waiting.waiting_since), rules)


def mark_noise(case: Case, noise: bool, rules: TriageRules, now: datetime) -> Case:
    """An agent's decision: noise leaves the queue for good; not noise puts the customer back, waiting since
    their last message, with a new SLA timer (a new opening)."""
    if noise:
        return evolve(case, status=NOISE, kind=Kind.NOISE.value, noise_override=True, waiting_since=None, rank=None)
    if case.status != NOISE:
        return evolve(case, noise_override=False)
    back = evolve(  # a new opening starts unescalated: its own deadlines email the team again
        case,
        noise_override=False,
        status=OPEN,
        waiting_since=case.last_activity_at,
        reopened=case.reopened + 1,
        escalation_level=0,
        escalated_at=None,
    )
    result = _score(back, rules, [back.triage_text], now)
    return _apply(evolve(back, kind=result.kind.value), result, rules)


AGENT_NOT_URGENT = "request band (an agent said: not urgent): ranked after every urgent case"


def mark_urgent(case: Case, urgent: bool, rules: TriageRules, now: datetime) -> Case:
    """An agent's decision on the band: urgent puts the case in the urgent band (and keeps it there on every
    follow-up); not urgent takes it out. Recorded as a correction, exported for `carebird eval`."""
    marked = evolve(case, urgent_override=urgent)
    if not marked.awaiting_reply:
        return marked
    texts = [marked.triage_text] if marked.triage_text else []
    return _apply(marked, _score(marked, rules, texts, now), rules)


DELETED_TEXT = "[post deleted by the customer]"


def record_deletion(case: Case, message_id: str, text: str | None = None) -> Case:
    """Mark the post deleted; its words leave what agents and escalation emails see of the case."""
    triage_text, preview = case.triage_text, case.preview
    if text:
        triage_text = without_words(triage_text, text)
        preview = DELETED_TEXT if preview == text[:PREVIEW_LIMIT] else preview
    return evolve(case, deleted_ids=case.deleted_ids | {message_id}, triage_text=triage_text, preview=preview)


FRAGMENT_MIN = 12  # shorter overlaps between a deleted text and the window's cut may be other messages' words


def without_words(window: str, text: str) -> str:
    """The triage window without `text`, also when the window kept only a part of it (triage_window cuts the
    conversation between its head and its tail: a message across the cut survives as two pieces)."""
    whole = text[:TRIAGE_TEXT_LIMIT]
    if whole in window:
        return window.replace(whole, DELETED_TEXT, 1)
    if len(window) < TRIAGE_TEXT_LIMIT:
        return window
    head, tail = window[:TRIAGE_TEXT_HEAD], window[TRIAGE_TEXT_HEAD + 1 :]
    started = next((k for k in range(min(len(head), len(text)), FRAGMENT_MIN - 1, -1) if head.endswith(text[:k])), 0)
    if started:  # the head piece ends with the text's beginning
        head = head[: len(head) - started] + DELETED_TEXT
    ended = max(_ending_at_start(tail, text), _ending_at_start(tail, whole))  # the first message is kept cut
    if ended:  # the tail piece begins with the text's end
        tail = DELETED_TEXT + tail[ended:]
    return f"{head}\n{tail}" if started or ended else window


def _ending_at_start(tail: str, text: str) -> int:
    """How many characters of `text`'s end `tail` begins with (0 when fewer than FRAGMENT_MIN)."""
    return next((m for m in range(min(len(tail), len(text)), FRAGMENT_MIN - 1, -1) if tail.startswith(text[-m:])), 0)


def close(case: Case) -> Case:
    return evolve(case, status=CLOSED, waiting_since=None, rank=None)


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
