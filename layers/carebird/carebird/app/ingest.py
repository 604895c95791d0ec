"""Apply normalised events to the case store: the ingestion use case, free of AWS.

Every write is conditional in the store, so the same event applied twice (X redelivery, Lambda
retry) changes nothing the second time, and two invocations racing on one customer end with one case.
Events may arrive in any order: a brand answer that comes before the message it answers is held
until that message arrives, and then answers it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from carebird.domain.cases import (
    Case,
    add_inbound,
    case_id_for,
    close,
    is_stale,
    open_case,
    record_deletion,
    record_response,
    withdraw_response,
)
from carebird.domain.model import Channel, Deletion, Event, Known, Message
from carebird.domain.triage import TriageRules
from carebird.domain.xrules import DEFAULT_OPT_OUT_WORDS, is_opt_out
from carebird.errors import AnsweredEarly, ConcurrentUpdate, DuplicateMessage

if TYPE_CHECKING:  # the ports are Protocols for the type checker; defining them costs the webhook's cold start
    from carebird.ports import CaseStore

MAX_ATTEMPTS = 6


class Outcome(StrEnum):
    CREATED = "created"
    APPENDED = "appended"
    ANSWERED = "answered"
    HELD = "held"  # a brand answer that arrived before the message it answers
    DELETED = "deleted"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"


@dataclass(frozen=True)
class IngestSettings:
    """How ingestion triages, groups and spares customers (settings.ingestion)."""

    rules: TriageRules = field(default_factory=TriageRules)
    idle_before_new_case: timedelta = timedelta(hours=72)  # settings.CASE_IDLE_HOURS (the settings test compares)
    opt_out_words: tuple[str, ...] = DEFAULT_OPT_OUT_WORDS  # a customer who writes one gets nothing automated


@dataclass(frozen=True)
class Result:
    """What storing one event did, for the webhook's summary, logs and metrics."""

    outcome: Outcome
    case_id: str | None = None
    channel: Channel | None = None
    topic: str | None = None


def apply_event(store: CaseStore, event: Event, settings: IngestSettings) -> Result:
    """Apply one event, retrying on concurrent updates; raise ConcurrentUpdate if it never settles."""
    if isinstance(event, Message) and store.remembers_stored(event.id):
        return Result(Outcome.DUPLICATE)  # this container stored it: X's redelivery, known without a call
    for _ in range(MAX_ATTEMPTS):
        try:
            if isinstance(event, Deletion):
                return _apply_deletion(store, event, settings)
            if event.from_brand:
                return _apply_brand_message(store, event)
            return _apply_customer_message(store, event, settings)
        except DuplicateMessage:
            return Result(Outcome.DUPLICATE)
        except ConcurrentUpdate:
            continue
    raise ConcurrentUpdate(f"event kept conflicting after {MAX_ATTEMPTS} attempts")


def _families(message: Message) -> tuple[str, ...]:
    """The conversation families a message may belong to: a DM may continue the public conversation."""
    return ("dm", "public") if message.family == "dm" else (message.family,)


def _apply_customer_message(store: CaseStore, message: Message, settings: IngestSettings) -> Result:
    if settings.opt_out_words and is_opt_out(message.text, settings.opt_out_words):
        store.record_opt_out(message.author.id, message.id, message.created_at)  # before the case: its stream
    remembered = _append_to_remembered_case(store, message, settings)
    if remembered is not None:
        return remembered
    known = store.lookup(message.id, message.author.id, _families(message))
    if known.stored == "early-answer" and known.held_answer is not None:
        return _store_answered_early(store, message, settings, known, known.held_answer)
    if known.stored is not None:
        return Result(Outcome.DUPLICATE)  # stored already, or deleted before it arrived: one read, no write
    try:
        return _store_customer_message(store, message, settings, known, None, False)
    except AnsweredEarly as early:  # the brand's answer was held between the read and the write
        return _store_answered_early(store, message, settings, known, early.answer)


def _append_to_remembered_case(store: CaseStore, message: Message, settings: IngestSettings) -> Result | None:
    """A follow-up to the live case this container last wrote or read for the customer: one conditional write.

    The write is conditional on the message's id guard (a redelivery another container stored fails it: a
    duplicate, still one call) and on the case's version (a copy made stale elsewhere fails it: None, and the
    caller reads the table afresh)."""
    current = store.remembered_case(message.author.id, message.family)
    if current is None or is_stale(current, message.created_at, settings.idle_before_new_case):
        return None
    updated = add_inbound(current, message, settings.rules)
    appended = Result(Outcome.APPENDED, updated.case_id, message.channel, updated.topic)
    return _save_from_memory(store, updated, current.version, message, appended)


def _store_answered_early(
    store: CaseStore, message: Message, settings: IngestSettings, known: Known, answer: Message
) -> Result:
    """The brand's answer came first and was held. If it has since been recorded (it answered the customer's
    open case on a redelivery), only its placeholder goes; otherwise it answers this message now."""
    recorded = store.case_id_for_message(answer.id) is not None
    return _store_customer_message(store, message, settings, known, None if recorded else answer, True)


def _store_customer_message(
    store: CaseStore,
    message: Message,
    settings: IngestSettings,
    known: Known,
    answer: Message | None,
    replaces_held: bool,
) -> Result:
    current, link_family = _current_case(store, message, settings, known)
    if current is not None and not is_stale(current, message.created_at, settings.idle_before_new_case):
        updated = add_inbound(current, message, settings.rules)
        if answer is not None:
            updated = record_response(updated, answer)
        store.save_case(
            updated, current.version, message, answered_by=answer, replaces_held=replaces_held, link_family=link_family
        )
        return Result(Outcome.APPENDED, updated.case_id, message.channel, updated.topic)
    if current is not None and current.case_id == case_id_for(message):
        return Result(Outcome.DUPLICATE, current.case_id)  # the first message of a closed case, redelivered
    case = open_case(message, settings.rules, previous=current)
    if answer is not None:
        case = record_response(case, answer)
    replacing = close(current) if current else None
    store.create_case(case, message, replacing=replacing, answered_by=answer, replaces_held=replaces_held)
    return Result(Outcome.CREATED, case.case_id, message.channel, case.topic)


def _current_case(
    store: CaseStore, message: Message, settings: IngestSettings, known: Known
) -> tuple[Case | None, str | None]:
    """The customer's case this message belongs to, and the family to link to it when it is the other one.

    A DM from a customer whose public conversation is still live continues that conversation (the brand
    often says "send us a DM"): it joins the public case, and the DM pointer then leads to it, so an
    answer by DM or in public answers the same case.
    """
    current_id = known.open_cases.get(message.family)
    current = store.get_case(current_id) if current_id else None
    if current is not None or message.family != "dm":
        return current, None
    public_id = known.open_cases.get("public")
    public = store.get_case(public_id) if public_id else None
    if public is not None and not is_stale(public, message.created_at, settings.idle_before_new_case):
        return public, "dm"
    return None, None


def _apply_brand_message(store: CaseStore, message: Message) -> Result:
    from carebird.domain.announcements import could_be_automatic  # here: a cold start that stores a mention skips it

    customer_id = message.customer_id
    automated_text = message.text if customer_id and could_be_automatic(message.text) else None
    if automated_text is None:
        remembered = _answer_remembered_case(store, message)
        if remembered is not None:
            return remembered
    known = store.lookup(message.id, customer_id, _families(message), message.in_reply_to_id, automated_text)
    if known.stored in ("message-id", "tombstone"):
        return Result(Outcome.DUPLICATE)  # recorded already: one read, no write
    if known.automated:
        return Result(Outcome.IGNORED)  # carebird's own acknowledgement coming back: not an answer
    held_already = known.reply_target == "early-answer" and known.reply_target_answer_id == message.id
    if held_already and not known.open_cases:
        return Result(Outcome.DUPLICATE)  # this answer is held already, its message still on its way
    case = _case_answered_by(store, known)
    if case is None:
        if message.in_reply_to_id and store.hold_early_answer(message):
            return Result(Outcome.HELD)  # its customer message may still be on its way: keep the answer
        return Result(Outcome.IGNORED)
    updated = record_response(case, message)
    store.save_case(updated, case.version, message)
    return Result(Outcome.ANSWERED, case.case_id, message.channel, case.topic)


def _answer_remembered_case(store: CaseStore, message: Message) -> Result | None:
    """The brand answering a case this container last wrote or read: one conditional write, as for a follow-up.

    The case is the one holding the post answered, or for an answer that replies to no post (a DM), the customer's
    current case of that family: the cases the full path would find first."""
    if message.in_reply_to_id:
        case = store.remembered_case_holding(message.in_reply_to_id)
    else:
        case = store.remembered_case(message.customer_id, message.family) if message.customer_id else None
    if case is None:
        return None
    answered = Result(Outcome.ANSWERED, case.case_id, message.channel, case.topic)
    return _save_from_memory(store, record_response(case, message), case.version, message, answered)


def _save_from_memory(store: CaseStore, updated: Case, expected_version: int, message: Message, done: Result
                      ) -> Result | None:  # fmt: skip
    """One write from a remembered copy, conditional on its version and the message's id guard: `done` once
    written, a duplicate when the guard refuses it, None (take the full path) when the copy was stale or the
    brand's answer to the message was held."""
    try:
        store.save_case(updated, expected_version, message)
    except DuplicateMessage:
        return Result(Outcome.DUPLICATE)
    except (ConcurrentUpdate, AnsweredEarly):
        return None
    return done


def _case_answered_by(store: CaseStore, known: Known) -> Case | None:
    """The case a brand message answers: the one holding the post it replies to, else the customer's open one.

    "We've sent you a DM": a brand DM to a customer with no DM conversation answers their public case.
    """
    for case_id in (known.reply_case_id, *known.open_cases.values()):
        case = store.get_case(case_id) if case_id else None
        if case is not None:
            return case
    return None


def _apply_deletion(store: CaseStore, deletion: Deletion, settings: IngestSettings) -> Result:
    case_id = store.case_id_for_message(deletion.message_id)
    case = store.get_case(case_id) if case_id else None
    if case is None:
        if deletion.by_brand:
            return Result(Outcome.IGNORED)  # an announcement or a post that answered nobody
        if store.remember_deleted(deletion):
            return Result(Outcome.DELETED)
        return Result(Outcome.DUPLICATE)
    if deletion.message_id in case.deleted_ids:
        return Result(Outcome.DUPLICATE, case.case_id)
    if deletion.by_brand:
        updated = replace(withdraw_response(case, settings.rules), deleted_ids=case.deleted_ids | {deletion.message_id})
        store.mark_message_deleted(updated, case.version, deletion)
        return Result(Outcome.DELETED, case.case_id)
    text = store.message_text(deletion.message_id)
    store.mark_message_deleted(record_deletion(case, deletion.message_id, text), case.version, deletion)
    return Result(Outcome.DELETED, case.case_id)
