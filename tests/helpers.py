"""Shared test helpers: fixtures on disk and an in-memory case store with the same contract."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from carebird.cases import Case
from carebird.ingest import ConcurrentUpdate, DuplicateMessage
from carebird.model import Deletion, Message
from carebird.normalise import Brand

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


class InMemoryCaseStore:
    """The CaseStore contract in plain dicts: conditional writes behave as in DynamoDB."""

    def __init__(self) -> None:
        self.cases: dict[str, Case] = {}
        self.pointers: dict[tuple[str, str], str] = {}
        self.message_ids: dict[str, str | None] = {}
        self.messages: dict[str, list[Message]] = {}
        self.deleted_messages: set[str] = set()

    def open_case_id(self, customer_id: str, family: str) -> str | None:
        return self.pointers.get((customer_id, family))

    def case_id_for_message(self, message_id: str) -> str | None:
        return self.message_ids.get(message_id)

    def get_case(self, case_id: str) -> Case | None:
        return self.cases.get(case_id)

    def _guard_message(self, message: Message | None) -> None:
        if message is not None and message.id in self.message_ids:
            raise DuplicateMessage()

    def _store_message(self, case_id: str, message: Message | None) -> None:
        if message is not None:
            self.message_ids[message.id] = case_id
            self.messages.setdefault(case_id, []).append(message)

    def create_case(self, case: Case, message: Message, replacing: Case | None = None) -> None:
        self._guard_message(message)
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
        self._store_message(case.case_id, message)

    def save_case(self, case: Case, expected_version: int, message: Message | None = None) -> None:
        self._guard_message(message)
        if self.cases[case.case_id].version != expected_version:
            raise ConcurrentUpdate("version moved")
        self.cases[case.case_id] = replace(case, version=expected_version + 1)
        self._store_message(case.case_id, message)

    def mark_message_deleted(self, case: Case, expected_version: int, deletion: Deletion) -> None:
        self.save_case(case, expected_version)
        self.deleted_messages.add(deletion.message_id)

    def is_automated(self, customer_id: str, text: str) -> bool:
        return False

    def message_text(self, message_id: str) -> str | None:
        case_id = self.message_ids.get(message_id)
        return next((m.text for m in self.messages.get(case_id or "", []) if m.id == message_id), None)

    def remember_deleted(self, deletion: Deletion) -> None:
        self.message_ids.setdefault(deletion.message_id, None)
