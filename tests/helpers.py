"""Shared test helpers: fixtures on disk and an in-memory case store with the same contract."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from carebird.aws.memory import RecentCases, RemembersCases
from carebird.domain.cases import Case
from carebird.domain.model import Deletion, Known, Message
from carebird.errors import AnsweredEarly, ConcurrentUpdate, DuplicateMessage
from carebird.x.normalise import Brand

FIXTURES = Path(__file__).parent / "fixtures"
BRAND = Brand(user_id="1500000000000000001", handle="LumiereAide")
# A case item (as the stream hands it over) opened at 21:30 in Paris, after closing.
EVENING_CASE_ITEM = {
    "case_id": "public-1",
    "customer_id": "42",
    "customer_name": "Claire Dupont",
    "customer_handle": "claire",
    "channel": "mention",
    "family": "public",
    "reply_to_id": "1",
    "reference": "CB-000001",
    "lang": "fr",
    "opened_at": "2025-11-25T20:30:00Z",
    "status": "open",
    "waiting_since": "2025-11-25T20:30:00Z",
}


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def stamped(payload: dict, moment: Any) -> dict:
    """The same Account Activity delivery, happening at `moment`."""
    millis = str(int(moment.timestamp() * 1000))
    for event in payload.get("tweet_create_events", []):
        event["timestamp_ms"] = millis
    for event in payload.get("direct_message_events", []):
        event["created_timestamp"] = millis
    return payload


class InMemoryCaseStore(RemembersCases):
    """The CaseStore contract in plain dicts: conditional writes behave as in DynamoDB.

    With `remember`, it also remembers what it last wrote or read as an ingesting container does
    (carebird.aws.memory): copies that go stale when another writer (a second store on the same dicts) changes a case.
    """

    def __init__(self, remember: bool = False, shared: InMemoryCaseStore | None = None) -> None:
        self.recent = RecentCases() if remember else None
        if shared is not None:  # another container on the same table
            self.__dict__.update({k: v for k, v in shared.__dict__.items() if k != "recent"})
            return
        self.cases: dict[str, Case] = {}
        self.pointers: dict[tuple[str, str], str] = {}
        self.message_ids: dict[str, str | None] = {}
        self.messages: dict[str, list[Message]] = {}
        self.deleted_messages: set[str] = set()
        self.held_answers: dict[str, Message] = {}
        self.opt_outs: dict[str, tuple[str, Any]] = {}

    def lookup(
        self,
        message_id: str,
        customer_id: str | None,
        families: tuple[str, ...],
        reply_to_id: str | None = None,
        automated_text: str | None = None,
    ) -> Known:
        def occupant(some_id: str) -> str | None:
            if some_id in self.held_answers:
                return "early-answer"
            if some_id in self.message_ids:
                return "message-id" if self.message_ids[some_id] is not None else "tombstone"
            return None

        held_reply = self.held_answers.get(reply_to_id or "")
        if self.recent is not None and customer_id:
            for family in families:
                if (customer_id, family) in self.pointers:
                    self.recent.points(customer_id, family, self.pointers[(customer_id, family)])
        if self.recent is not None and reply_to_id and self.message_ids.get(reply_to_id):
            self.recent.holds(self.message_ids[reply_to_id], reply_to_id)
        return Known(
            stored=occupant(message_id),
            held_answer=self.held_answers.get(message_id),
            open_cases={f: self.pointers[(customer_id, f)] for f in families if (customer_id, f) in self.pointers},
            reply_case_id=self.message_ids.get(reply_to_id) if reply_to_id else None,
            reply_target=occupant(reply_to_id) if reply_to_id else None,
            reply_target_answer_id=held_reply.id if held_reply else None,
            automated=False,
        )

    def case_id_for_message(self, message_id: str) -> str | None:
        return self.message_ids.get(message_id)

    def get_case(self, case_id: str) -> Case | None:
        return self.recent.read_through(case_id, self.cases.get) if self.recent is not None else self.cases.get(case_id)

    def _remember(self, case_id: str, messages: tuple[Message | None, ...], family: str | None = None) -> None:
        if self.recent is None:
            return
        case = self.cases[case_id]
        self.recent.seen(case)
        self.recent.holds(case_id, *(m.id for m in messages if m is not None))
        if family:
            self.recent.points(case.customer.id, family, case_id)

    def _forget(self, *cases: Case | None) -> None:
        for case in cases:
            if case is not None and self.recent is not None:
                self.recent.forget(case.case_id)

    def _guard_message(self, message: Message | None, replaces_held: bool = False) -> None:
        if message is None:
            return
        if message.id in self.held_answers and not replaces_held:
            raise AnsweredEarly(self.held_answers[message.id])
        if message.id in self.message_ids:
            raise DuplicateMessage()

    def _store_message(self, case_id: str, message: Message | None, answered_by: Message | None = None) -> None:
        for stored in (message, answered_by):
            if stored is not None:
                self.held_answers.pop(stored.id, None)  # the held answer's place is the message's guard
                self.message_ids[stored.id] = case_id
                self.messages.setdefault(case_id, []).append(stored)

    def create_case(
        self,
        case: Case,
        message: Message,
        replacing: Case | None = None,
        answered_by: Message | None = None,
        replaces_held: bool = False,
    ) -> None:
        try:
            self._create_case(case, message, replacing, answered_by, replaces_held)
        except Exception:
            self._forget(case, replacing)
            raise
        if replacing is not None:
            self._remember(replacing.case_id, ())
        self._remember(case.case_id, (message, answered_by), case.family)

    def _create_case(
        self,
        case: Case,
        message: Message,
        replacing: Case | None,
        answered_by: Message | None,
        replaces_held: bool,
    ) -> None:
        self._guard_message(message, replaces_held)
        if answered_by is not None and answered_by.id in self.message_ids:
            raise ConcurrentUpdate("the answer is stored already")
        key = (case.customer.id, case.family)
        if replacing is None and key in self.pointers:
            raise ConcurrentUpdate("pointer exists")
        if replacing is not None:
            if (
                self.pointers.get(key) != replacing.case_id
                or self.cases[replacing.case_id].version != replacing.version
            ):
                raise ConcurrentUpdate("pointer moved")
            self.cases[replacing.case_id] = replace(replacing, version=replacing.version + 1)
        if case.case_id in self.cases:
            raise ConcurrentUpdate("case exists")
        self.pointers[key] = case.case_id
        self.cases[case.case_id] = replace(case, version=1)
        self._store_message(case.case_id, message, answered_by)

    def save_case(
        self,
        case: Case,
        expected_version: int,
        message: Message | None = None,
        answered_by: Message | None = None,
        replaces_held: bool = False,
        link_family: str | None = None,
    ) -> None:
        try:
            self._save_case(case, expected_version, message, answered_by, replaces_held, link_family)
        except Exception:
            self._forget(case)
            raise
        self._remember(case.case_id, (message, answered_by), link_family)

    def _save_case(
        self,
        case: Case,
        expected_version: int,
        message: Message | None,
        answered_by: Message | None,
        replaces_held: bool,
        link_family: str | None,
    ) -> None:
        self._guard_message(message, replaces_held)
        if answered_by is not None and answered_by.id in self.message_ids:
            raise ConcurrentUpdate("the answer is stored already")
        if self.cases[case.case_id].version != expected_version:
            raise ConcurrentUpdate("version moved")
        if link_family and (case.customer.id, link_family) in self.pointers:
            raise ConcurrentUpdate("pointer exists")
        self.cases[case.case_id] = replace(case, version=expected_version + 1)
        if link_family:
            self.pointers[(case.customer.id, link_family)] = case.case_id
        self._store_message(case.case_id, message, answered_by)

    def hold_early_answer(self, answer: Message) -> bool:
        assert answer.in_reply_to_id
        if self.message_ids.get(answer.in_reply_to_id) is not None:
            raise ConcurrentUpdate("the message arrived meanwhile")
        if answer.in_reply_to_id in self.held_answers or answer.in_reply_to_id in self.message_ids:
            return False  # held before, or a tombstone: the post it answers was deleted
        self.held_answers[answer.in_reply_to_id] = answer
        return True

    def mark_message_deleted(self, case: Case, expected_version: int, deletion: Deletion) -> None:
        self.save_case(case, expected_version)
        self.deleted_messages.add(deletion.message_id)

    def message_text(self, message_id: str) -> str | None:
        case_id = self.message_ids.get(message_id)
        return next((m.text for m in self.messages.get(case_id or "", []) if m.id == message_id), None)

    def record_opt_out(self, customer_id: str, message_id: str, at: datetime) -> None:
        self.opt_outs.setdefault(customer_id, (message_id, at))

    def remember_deleted(self, deletion: Deletion) -> bool:
        if deletion.message_id in self.message_ids:
            if self.message_ids[deletion.message_id] is None:
                return False
            raise ConcurrentUpdate("the post was stored meanwhile")
        self.message_ids[deletion.message_id] = None
        return True

    # --- the reader (carebird.ports.CaseReader): the queries the inbox, the digest, KPIs and health use ---------
    def open_queue(self, limit: int = 100) -> list[Case]:
        waiting = [c for c in self.cases.values() if c.awaiting_reply]
        return sorted(waiting, key=lambda c: (c.rank if c.rank is not None else 0, c.case_id))[:limit]

    def cases_opened_between(self, since: datetime, until: datetime) -> Iterator[Case]:
        yield from sorted((c for c in self.cases.values() if since <= c.opened_at <= until), key=lambda c: c.opened_at)

    def cases_newest_first(self, until: datetime, days: int, page_size: int | None = None) -> Iterator[Case]:
        for back in range(days):
            day = (until - timedelta(days=back)).astimezone(UTC).date()
            opened = [
                c for c in self.cases.values() if c.opened_at.astimezone(UTC).date() == day and c.opened_at <= until
            ]
            yield from sorted(opened, key=lambda c: c.opened_at, reverse=True)

    def latest_case(self, now: datetime, days: int = 2) -> Case | None:
        first_day = (now - timedelta(days=days - 1)).date()
        recent = [c for c in self.cases.values() if first_day <= c.opened_at.date() and c.opened_at <= now]
        return max(recent, key=lambda c: c.opened_at, default=None)

    def case_by_reference(self, reference: str) -> Case | None:
        named = [c for c in self.cases.values() if c.reference == reference.strip().upper()]
        return max(named, key=lambda c: c.opened_at, default=None)

    def cases_of_customer(self, handle: str, limit: int = 20) -> list[Case]:
        wanted = handle.strip().lstrip("@").lower()
        theirs = [c for c in self.cases.values() if wanted and (c.customer.handle or "").lower() == wanted]
        return sorted(theirs, key=lambda c: c.opened_at, reverse=True)[:limit]


def waiting_case(
    case_id: str = "public-1860000000000000102",
    waiting_since: str | None = "2025-11-21T16:30:00Z",
    channel: str = "mention",
    **fields: Any,
) -> Case:
    """A case waiting since `waiting_since` (ISO, UTC), as the stream's adapter decodes it for the SLA timers."""
    from carebird.domain.model import Author, CaseStatus, Channel, Family
    from carebird.domain.timeparse import from_iso

    since = from_iso(waiting_since) if waiting_since else datetime(2025, 11, 21, 16, 30, tzinfo=UTC)
    family = Family.DM if channel == "dm" else Family.PUBLIC
    values: dict[str, Any] = {"status": CaseStatus.OPEN, "opened_at": since, "last_activity_at": since}
    return Case(case_id=case_id, customer=Author("1500000000000000009", "customer"), family=family,
                channel=Channel(channel), waiting_since=from_iso(waiting_since) if waiting_since else None,
                **(values | fields))  # fmt: skip


def imports_of(source: str) -> set[str]:
    """Every module a source imports, at any depth (lazy and TYPE_CHECKING imports included); `from carebird
    import settings` counts as carebird.settings."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names
