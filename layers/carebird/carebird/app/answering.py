"""Answering a customer, the one way carebird does it: in the thread where X allows it, else by DM.

X lets a self-serve app reply only to authors who mentioned or quoted the brand; anyone else is answered by DM
(or by a person in the X app). Agents' answers (CLI, inbox) and the out-of-hours acknowledgements share this rule.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from carebird.app.ingest import IngestSettings, Outcome, apply_event
from carebird.domain.cases import Case, close
from carebird.domain.model import Author, CaseStatus, Channel, Family, Message, Via, XOutcome, XResult
from carebird.ports import CaseStore, Sender


def reply_else_dm(
    x: Sender, text: str, family: Family, reply_to_id: str | None, customer_id: str
) -> tuple[Via, XResult]:
    """Reply publicly to a public conversation; DM when it is a DM one or X refuses the reply."""
    if family is Family.PUBLIC and reply_to_id:
        result = x.reply(text, reply_to_id)
        if result.outcome is not XOutcome.REPLY_NOT_ALLOWED:
            return Via.REPLY, result
    return Via.DM, x.send_dm(customer_id, text)


@dataclass(frozen=True)
class AnswerOutcome:
    answered: bool
    message: str
    result: XResult | None = None
    via: Via | None = None


def answer_case(
    store: CaseStore,
    case: Case,
    text: str,
    x: Sender,
    now: datetime,
    brand_id: str = "",
    agent: str = "",
    by_dm: bool = False,
    settings: IngestSettings | None = None,
    brand_handle: str = "",
) -> AnswerOutcome:
    """Post `text` to the customer (by DM when `by_dm`) and record it on the case as the brand's answer, with
    X's post id, written by the brand's account and sent by `agent`. The webhook's echo of the sent post is then a
    duplicate, so the case is answered exactly once.
    """
    family = Family.DM if by_dm else case.family
    via, result = reply_else_dm(x, text, family, case.reply_to_id, case.customer.id)
    if not result.done:
        return AnswerOutcome(False, f"not sent ({result.outcome.value}): {result.detail}", result, via)
    message = Message(
        id=result.post_id or f"answer-{case.case_id}-{now.timestamp():.0f}",
        channel=Channel.DM if via is Via.DM else Channel.REPLY,
        author=Author(id=brand_id or "brand", handle=brand_handle),
        sent_by=agent or None,
        text=text,
        created_at=now,
        from_brand=True,
        in_reply_to_id=case.reply_to_id if via is Via.REPLY else None,
        in_reply_to_user_id=case.customer.id,
        recipient_id=case.customer.id if via is Via.DM else None,
    )
    if via is Via.DM and case.family is Family.PUBLIC:
        # A DM answers the public case it was sent for: record it there, not on a DM case.
        message = replace(message, channel=Channel.REPLY, in_reply_to_id=case.reply_to_id, recipient_id=None)
    outcome = apply_event(store, message, settings or IngestSettings())
    state = "answered" if outcome.outcome in (Outcome.ANSWERED, Outcome.DUPLICATE) else outcome.outcome.value
    return AnswerOutcome(True, f"sent by {via} ({result.outcome.value}); case {case.reference} {state}", result, via)


def close_case(store: CaseStore, case_id: str) -> str:
    case = store.get_case(case_id)
    if case is None:
        return f"no case {case_id}"
    if case.status is CaseStatus.CLOSED:
        return f"case {case.reference} was already closed"
    store.save_case(close(case), case.version)
    return f"case {case.reference} closed"
