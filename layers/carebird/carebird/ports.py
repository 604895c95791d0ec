"""The ports: what the domain needs from the outside world, each a small Protocol.

Adapters implement them (store.DynamoCaseStore, outbox.DynamoOutbox, cursors.DynamoCursors, timers.*, xclient.XClient);
unit tests implement them with plain dicts and lists (tests/helpers.py). The domain imports only this module.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from carebird.cases import Case
    from carebird.ingest import Known
    from carebird.model import Deletion, Message, XResult
    from carebird.pause import Pause
    from carebird.sla import TimerStart


class CaseStore(Protocol):
    """What ingestion needs from storage (DynamoDB in production, a dict in unit tests)."""

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


class Quarantine(Protocol):
    """Where events that cannot be stored as cases are kept, with their raw JSON and the reason."""

    def quarantine(self, reason: str, raw: Any, feed: str, received_at: datetime) -> bool: ...


class AutomationState(Protocol):
    """Whether carebird may post on its own (acknowledgements, announcements): X can stop it until someone acts."""

    def paused(self) -> Pause | None: ...
    def pause(self, kind: str, reason: str, now: datetime) -> bool: ...  # True only for the call that paused it
    def resume(self) -> None: ...


class Alerts(Protocol):
    def alert(self, subject: str, body: str) -> None: ...
