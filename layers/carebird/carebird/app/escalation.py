"""Escalation emails: which queued deadlines still need one, and the few messages that carry them.

The SLA workflow only decides that a deadline passed and queues it; this module, run by the escalator on a
batch of queued deadlines, re-reads each case, claims it (at most one sender per case, opening and level),
publishes ONE message per audience listing every case of the batch, and only then marks the cases escalated.
A publish that fails releases its claims and leaves its cases "not yet escalated": the queue hands them back
at its next attempt (the next timer), and nothing is marked escalated that no email announced.
No AWS, no settings: the adapters behind `EscalationLedger` and `Notifier` (carebird.ports) do the I/O.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from carebird.errors import NotifierUnavailable
from carebird.ports import EscalationLedger, Notifier

LEVELS = ("1", "2")  # the team's deadline, the manager's
MAX_CASES_PER_EMAIL = 100  # a whole batch (the event source's BatchSize) in one email
MAX_EMAIL_BYTES = 200_000  # SNS takes up to 256 KiB per message: a listing that would pass this is split
MAX_QUOTE_CHARS = 600  # what the customer wrote, quoted in a listing of several cases
MAX_FIELD_CHARS = 200  # any text field of a queued deadline (ours, but bounded like any input)
SUBJECT_LIMIT = 99  # SNS refuses an email subject of 100 characters or more
_SAFE_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
_TEXT_FIELDS = (
    "due_at",
    "waiting_since",
    "sla_text",
    "waited_text",
    "waited_open_minutes",
    "waiting_since_local",
    "due_local",
    "second_waited_text",
    "second_waited_open_minutes",
)


@dataclass(frozen=True)
class DueEscalation:
    """One queued deadline: a case, its opening (`reopened`), the level, and the texts the timer computed."""

    case_id: str
    level: str
    reopened: int
    texts: Mapping[str, str] = field(default_factory=dict)

    @property
    def claim_key(self) -> str:
        """One sender per case opening and level, whatever retried or redelivered the deadline."""
        return f"escalation#{self.case_id}#r{self.reopened}#l{self.level}"

    @classmethod
    def from_message(cls, body: str) -> DueEscalation:
        """The workflow's message, validated and bounded; ValueError names what is wrong."""
        data = json.loads(body)
        if not isinstance(data, dict):
            raise ValueError("not an object")
        case_id, level, reopened = data.get("case_id"), str(data.get("level", "1")), str(data.get("reopened", "0"))
        if not isinstance(case_id, str) or not _SAFE_ID.match(case_id):
            raise ValueError("case_id missing or malformed")
        if level not in LEVELS:
            raise ValueError("level must be 1 or 2")
        if not reopened.isascii() or not reopened.isdigit() or len(reopened) > 6:
            raise ValueError("reopened must be a small whole number")
        texts = {k: str(data[k])[:MAX_FIELD_CHARS] for k in _TEXT_FIELDS if isinstance(data.get(k), (str, int))}
        return cls(case_id, level, int(reopened), texts)


def still_due(case: Mapping[str, Any] | None, due: DueEscalation) -> str:
    """`send`, `done` (answered, reopened since, or already escalated at this level) or `wait` (a manager's
    deadline before the team's email went out: the manager hears only of cases the team was told about)."""
    if not case or "queue" not in case or int(case.get("reopened", 0)) != due.reopened:
        return "done"
    level = int(case.get("escalation_level", 0))
    if level >= int(due.level):
        return "done"
    if due.level == "2" and level < 1:
        return "wait"
    return "send"


@dataclass
class BatchOutcome:
    """What one batch did: messages to hand back to the queue (their cases not escalated), emails published."""

    retry: list[str] = field(default_factory=list)
    emails: list[tuple[str, list[str]]] = field(default_factory=list)  # (audience level, case ids)
    done: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)  # case ids whose email could not be published now


def escalate(
    batch: Iterable[tuple[str, DueEscalation]],
    ledger: EscalationLedger,
    notifier: Notifier,
    now: Callable[[], datetime],
) -> BatchOutcome:
    """Publish the batch's escalations, one message per audience (split past MAX_CASES_PER_EMAIL or
    MAX_EMAIL_BYTES), then mark the cases.

    `batch` pairs each queued message's id with its deadline; the ids of messages to try again are returned.
    """
    outcome = BatchOutcome()
    entries = list(batch)
    for level in LEVELS:  # the team's first: a manager's deadline in the same batch then finds the case escalated
        _escalate_level([(m, due) for m, due in entries if due.level == level], level, ledger, notifier, now, outcome)
    return outcome


def _escalate_level(
    batch: list[tuple[str, DueEscalation]],
    level: str,
    ledger: EscalationLedger,
    notifier: Notifier,
    now: Callable[[], datetime],
    outcome: BatchOutcome,
) -> None:
    claimed: list[tuple[str, DueEscalation, Mapping[str, Any]]] = []
    for message_id, due in batch:
        case = ledger.case(due.case_id)
        decision = still_due(case, due)
        if decision == "wait":
            outcome.retry.append(message_id)
        elif decision == "done":
            outcome.done.append(due.case_id)
        elif ledger.claim(due.claim_key, now()):
            claimed.append((message_id, due, case or {}))
        elif ledger.was_sent(due.claim_key):  # sent by an earlier attempt that stopped before marking the case
            ledger.mark_escalated(due.case_id, due.reopened, int(due.level), now())
            outcome.done.append(due.case_id)
        else:  # another attempt holds the claim and may be publishing right now
            outcome.retry.append(message_id)
    for chunk in _chunks(claimed, MAX_CASES_PER_EMAIL):
        subject, body = render([(due, case) for _, due, case in chunk])
        try:
            if outcome.deferred:  # one failed publish is an outage: the rest waits for the next attempt too
                raise NotifierUnavailable("an earlier publish of this batch failed")
            notifier.publish(level, subject, body)
        except NotifierUnavailable:
            for message_id, due, _ in chunk:
                ledger.release(due.claim_key)
                outcome.retry.append(message_id)
                outcome.deferred.append(due.case_id)
            continue
        outcome.emails.append((level, [due.case_id for _, due, _ in chunk]))
        for _, due, _ in chunk:
            ledger.mark_sent(due.claim_key)
            ledger.mark_escalated(due.case_id, due.reopened, int(due.level), now())


def _chunks(entries: list[Any], size: int) -> Iterable[list[Any]]:
    """At most `size` cases per email, and fewer when the listing would pass MAX_EMAIL_BYTES."""
    chunk: list[Any] = []
    total = 0
    for entry in entries:
        _, due, case = entry
        block = len(_case_block(due, case, MAX_QUOTE_CHARS).encode("utf-8")) + 64  # with its separator line
        if chunk and (len(chunk) >= size or total + block > MAX_EMAIL_BYTES):
            yield chunk
            chunk, total = [], 0
        chunk.append(entry)
        total += block
    if chunk:
        yield chunk


# --- the texts ---------------------------------------------------------------------------------------------------
def _text(case: Mapping[str, Any], name: str, default: str = "?") -> str:
    value = case.get(name)
    return default if value is None or value == "" else str(value)


def _reasons(case: Mapping[str, Any]) -> str:
    """Why the case ranks where it does: its triage reasons (the case item's list), on one line."""
    reasons = case.get("reasons") or []
    return "; ".join(str(reason) for reason in reasons) if isinstance(reasons, list | tuple) else str(reasons)


def _waited(due: DueEscalation) -> tuple[str, str]:
    if due.level == "2":
        return due.texts.get("second_waited_text", "?"), due.texts.get("second_waited_open_minutes", "?")
    return due.texts.get("waited_text", "?"), due.texts.get("waited_open_minutes", "?")


def _subject_line(text: str) -> str:
    """SNS email subjects: printable, no line breaks, under 100 characters."""
    flat = "".join(c if c.isprintable() and c.isascii() else " " for c in text)
    return re.sub(r"\s+", " ", flat).strip()[:SUBJECT_LIMIT]


def render(entries: list[tuple[DueEscalation, Mapping[str, Any]]]) -> tuple[str, str]:
    """One email: the full escalation for a single case, a listing (most urgent first) for several."""
    if len(entries) == 1:
        due, case = entries[0]
        waited, _ = _waited(due)
        title = "Second escalation" if due.level == "2" else "SLA breach"
        subject = (
            f"[carebird] {title} P{_text(case, 'priority')} @{_text(case, 'customer_handle')} unanswered for {waited}"
        )
        return _subject_line(subject), _case_block(due, case, quote_limit=None)
    ordered = sorted(entries, key=lambda e: -int(_text(e[1], "priority", "0")))
    title = "Second escalation" if ordered[0][0].level == "2" else "SLA breach"
    first = ordered[0][1]
    subject = (
        f"[carebird] {title}: {len(ordered)} cases unanswered "
        f"(P{_text(first, 'priority')} @{_text(first, 'customer_handle')} first)"
    )
    header = (
        f"{len(ordered)} customers are still waiting past their deadline. One email lists them all "
        "(carebird sends one message per audience and moment, not one per case).\n"
    )
    blocks = [
        f"--- {n} of {len(ordered)} ---\n{_case_block(due, case, MAX_QUOTE_CHARS)}"
        for n, (due, case) in enumerate(ordered, 1)
    ]
    return _subject_line(subject), "\n\n".join([header, *blocks])


def _case_block(due: DueEscalation, case: Mapping[str, Any], quote_limit: int | None) -> str:
    waited, minutes = _waited(due)
    handle = _text(case, "customer_handle")
    quote = _text(case, "triage_text", "")
    if quote_limit is not None and len(quote) > quote_limit:
        quote = quote[: quote_limit - 1] + "…"
    return (
        f"@{handle} has been waiting for a reply for {waited} ({minutes} opening minutes; "
        f"SLA: {due.texts.get('sla_text', '?')}).\n\n"
        f"Who: @{handle} ({_text(case, 'customer_name')}), {_text(case, 'customer_followers', '0')} followers\n"
        f"Channel: {_text(case, 'channel')}   Topic: {_text(case, 'topic')}   Case: {_text(case, 'reference')}\n"
        f"Priority {_text(case, 'priority')}: {_reasons(case)}\n\n"
        f"What they wrote:\n{quote}\n\n"
        f"Answer on X: {_text(case, 'link')}\n\n"
        f"Waiting since {due.texts.get('waiting_since_local', '?')}, due {due.texts.get('due_local', '?')}.\n"
        "carebird closes the case as soon as the brand account replies."
    )
