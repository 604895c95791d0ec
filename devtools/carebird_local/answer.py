"""Answering and closing cases from the command line (the X app remains the agents' main tool)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

from carebird import clock
from carebird.cases import Case, close
from carebird.ingest import CaseStore, IngestSettings, Outcome, apply_event
from carebird.model import Author, Channel, Message
from carebird.xclient import XOutcome, XResult


@dataclass(frozen=True)
class AnswerOutcome:
    answered: bool
    message: str
    result: XResult | None = None


class Poster(Protocol):
    def reply(self, text: str, in_reply_to_id: str) -> XResult: ...
    def send_dm(self, participant_id: str, text: str) -> XResult: ...


def answer_case(store: CaseStore, case: Case, text: str, x: Poster, brand_id: str = "") -> AnswerOutcome:
    """Post `text` to the customer (thread reply, or DM for DM cases and when X refuses the reply).

    The sent post is recorded as the brand's answer with its X id, so the webhook's echo of it is a
    duplicate and the case is answered exactly once.
    """
    via, result = "dm", None
    if case.family == "public" and case.reply_to_id:
        via, result = "reply", x.reply(text, case.reply_to_id)
    if result is None or result.outcome is XOutcome.REPLY_NOT_ALLOWED:
        via, result = "dm", x.send_dm(case.customer.id, text)
    if not result.done:
        return AnswerOutcome(False, f"not sent ({result.outcome.value}): {result.detail}", result)
    brand = Author(id=brand_id or "brand", handle="")
    message = Message(
        id=result.post_id or f"cli-{case.case_id}-{clock.now().timestamp():.0f}",
        channel=Channel.DM if via == "dm" else Channel.REPLY,
        author=brand,
        text=text,
        created_at=clock.now(),
        from_brand=True,
        in_reply_to_id=case.reply_to_id if via == "reply" else None,
        in_reply_to_user_id=case.customer.id,
        recipient_id=case.customer.id if via == "dm" else None,
    )
    if via == "dm" and case.family == "public":
        # A DM answers the public case it was sent for: record it there, not on a DM case.
        message = replace(message, channel=Channel.REPLY, in_reply_to_id=case.reply_to_id, recipient_id=None)
    outcome = apply_event(store, message, IngestSettings())
    state = "answered" if outcome.outcome in (Outcome.ANSWERED, Outcome.DUPLICATE) else outcome.outcome.value
    return AnswerOutcome(True, f"sent by {via} ({result.outcome.value}); case {case.reference} {state}", result)


def close_case(store: CaseStore, case_id: str) -> str:
    case = store.get_case(case_id)
    if case is None:
        return f"no case {case_id}"
    if case.status == "closed":
        return f"case {case.reference} was already closed"
    store.save_case(close(case), case.version)
    return f"case {case.reference} closed"
