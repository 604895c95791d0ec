"""The ports: what the domain needs from the outside world, each a small Protocol.

Adapters implement them (store.DynamoCaseStore, outbox.DynamoOutbox, cursors.DynamoCursors, timers.*, xclient.XClient);
unit tests implement them with plain dicts and lists (tests/helpers.py). The domain imports only this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from carebird.aws.pause import Pause
    from carebird.domain.cases import Case
    from carebird.domain.model import Deletion, Known, Message, XResult
    from carebird.domain.sla import TimerStart


class CaseStore(Protocol):
    """The case writer: what ingestion needs from storage (DynamoDB in production, a dict in unit tests)."""

    def lookup(
        self,
        message_id: str,
        customer_id: str | None,
        families: tuple[str, ...],
        reply_to_id: str | None = None,
        automated_text: str | None = None,
    ) -> Known: ...
    def case_id_for_message(self, message_id: str) -> str | None: ...
    def get_case(self, case_id: str) -> Case | None: ...
    def remembered_case(self, customer_id: str, family: str) -> Case | None: ...
    def remembered_case_holding(self, message_id: str) -> Case | None: ...
    def remembers_stored(self, message_id: str) -> bool: ...
    def create_case(
        self,
        case: Case,
        message: Message,
        replacing: Case | None = None,
        answered_by: Message | None = None,
        replaces_held: bool = False,
    ) -> None: ...
    def save_case(
        self,
        case: Case,
        expected_version: int,
        message: Message | None = None,
        answered_by: Message | None = None,
        replaces_held: bool = False,
        link_family: str | None = None,
    ) -> None: ...
    def mark_message_deleted(self, case: Case, expected_version: int, deletion: Deletion) -> None: ...
    def remember_deleted(self, deletion: Deletion) -> bool: ...
    def hold_early_answer(self, answer: Message) -> bool: ...
    def message_text(self, message_id: str) -> str | None: ...
    def record_opt_out(self, customer_id: str, message_id: str, at: datetime) -> None: ...


class CaseReader(Protocol):
    """The queries the inbox, the digest, the KPIs and the health check read cases with (the same fake and
    DynamoDB adapter as the writer; tests/integration/test_case_store_contract.py runs both)."""

    def get_case(self, case_id: str) -> Case | None: ...
    def open_queue(self, limit: int = 100) -> list[Case]: ...  # awaiting a reply, most urgent first
    def cases_opened_between(self, since: datetime, until: datetime) -> Iterable[Case]: ...  # oldest first
    def latest_case(self, now: datetime, days: int = 2) -> Case | None: ...
    def case_by_reference(self, reference: str) -> Case | None: ...  # CB-…, any case
    def cases_of_customer(self, handle: str, limit: int = 20) -> list[Case]: ...  # newest first


CaseWriter = CaseStore  # ingestion's name for it since the first version


class Claims(Protocol):
    """At-most-once guard for automatic messages (DynamoDB conditional writes in production)."""

    def claim(self, key: str, now: datetime) -> bool: ...
    def complete(self, key: str, result: XResult, text: str) -> None: ...
    def release(self, key: str) -> None: ...


class Poster(Protocol):
    def post(self, text: str) -> XResult: ...
    def reply(self, text: str, in_reply_to_id: str) -> XResult: ...
    def send_dm(self, participant_id: str, text: str) -> XResult: ...


class AcknowledgementLog(Protocol):
    def opted_out(self, customer_id: str) -> bool: ...
    def expect_automated(self, customer_id: str, text: str, at: datetime) -> None: ...
    def record_acknowledgement(self, case_id: str, via: str, result: XResult, text: str, at: datetime) -> None: ...


class Sender(Protocol):
    def reply(self, text: str, in_reply_to_id: str) -> XResult: ...
    def send_dm(self, participant_id: str, text: str) -> XResult: ...


class Cursors(Protocol):
    def since(self, feed: str) -> str | None: ...
    def advance(self, feed: str, newest_id: str) -> None: ...
    def reserve_reads(self, day: date, count: int, cap: int) -> bool: ...
    def refund_reads(self, day: date, count: int) -> None: ...


class Timers(Protocol):
    def start(self, timer: TimerStart) -> bool: ...
    def cancel(self, names: Iterable[str]) -> int: ...


class Quarantine(Protocol):
    """Where events that cannot be stored as cases are kept, with their raw JSON and the reason."""

    def quarantine(self, reason: str, raw: Any, feed: str, received_at: datetime) -> bool: ...


class AutomationState(Protocol):
    """Whether carebird may post on its own (acknowledgements, announcements): X can stop it until someone acts."""

    def paused(self) -> Pause | None: ...
    # True only for the call that paused it; nothing when `happened_at` is before the last resume
    def pause(self, kind: str, reason: str, now: datetime, happened_at: datetime | None = None) -> bool: ...
    def resume(self, at: datetime | None = None) -> None: ...


class Alerts(Protocol):
    def alert(self, subject: str, body: str) -> None: ...


class EscalationLedger(Protocol):
    """The case as the escalator sees it (a plain item), one claim per case opening and level, and the mark."""

    def case(self, case_id: str) -> dict[str, Any] | None: ...
    def claim(self, key: str, now: datetime) -> bool: ...
    def release(self, key: str) -> None: ...
    def was_sent(self, key: str) -> bool: ...
    def mark_sent(self, key: str) -> None: ...
    def mark_escalated(self, case_id: str, reopened: int, level: int, now: datetime) -> bool: ...


class Notifier(Protocol):
    """Emails one message to an audience (level "1": the team, "2": the manager); raises NotifierUnavailable."""

    def publish(self, audience: str, subject: str, body: str) -> None: ...


class HealthLog(Protocol):
    """Where the health check leaves its latest report (the CLI's `carebird health` reads it)."""

    def record(self, report: dict[str, Any]) -> None: ...


class InboxReader(CaseReader, Protocol):
    """What the inbox's pages read besides the case queries: the queue's version (its 304), the recent days
    newest first (history, search), a case's thread, its agents' activity and the customer's opt-out."""

    def queue_version(self) -> int: ...
    def cases_newest_first(self, until: datetime, days: int, page_size: int | None = None) -> Iterator[Case]: ...
    def messages(self, case_id: str) -> list[dict[str, Any]]: ...
    def activity(self, case_id: str) -> list[dict[str, Any]]: ...
    def opted_out_at(self, customer_id: str) -> str | None: ...


class DeskWriter(CaseStore, Protocol):
    """What an agent's action writes (app.agentdesk.AgentDesk): the writer's, answering included, plus the case
    at its next version with the activity in the same write, or an activity alone."""

    def save_case(
        self,
        case: Case,
        expected_version: int,
        message: Message | None = None,
        answered_by: Message | None = None,
        replaces_held: bool = False,
        link_family: str | None = None,
        activity: dict[str, Any] | None = None,
    ) -> None: ...
    def record(self, activity: dict[str, Any]) -> None: ...


class InboxStore(InboxReader, DeskWriter, Protocol):
    """The inbox's store: its pages' reads and its agents' writes (DynamoCaseStore, made by app.inboxweb.web)."""


class Handoff(Protocol):
    """Where the webhook hands a verified delivery (the ingester, invoked asynchronously)."""

    def hand_over(self, payload: bytes) -> None: ...
