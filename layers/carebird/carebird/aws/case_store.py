"""DynamoDB adapter: the triage queue table (single-table design, see docs/data-model.md)."""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import itertools
import json
import reprlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from carebird.aws import dynamo
from carebird.aws.dynamo import OUTAGE_REASONS, cancellation_reasons, mapped_errors
from carebird.aws.memory import RecentCases, RemembersCases
from carebird.aws.schema import (
    ACTIVITY_PREFIX,
    COMPLIANCE_KEY,
    CUSTOMER_INDEX,
    DAY_INDEX,
    MESSAGE_PREFIX,
    QUARANTINE_DAYS,
    QUARANTINE_KEY,
    QUEUE_INDEX,
    QUEUE_KEY,
    REFERENCE_INDEX,
    TOMBSTONE_DAYS,
    automated_text_key,
    case_from_item,
    case_key,
    case_to_item,
    day_key,
    from_dynamo,
    handle_key,
    message_from_item,
    message_id_key,
    message_key,
    message_sk,
    message_to_item,
    opt_out_item,
    opt_out_key,
    pointer_key,
    reference_key,
    to_dynamo,
)
from carebird.domain.cases import Case, evolve, normalised_reference, reference_for
from carebird.domain.model import Deletion, Known, Message
from carebird.domain.timeparse import from_iso, to_iso
from carebird.domain.xrules import PendingJob
from carebird.errors import AnsweredEarly, ConcurrentUpdate, DuplicateMessage, StorageRefused, StorageUnavailable

BATCH_GET_KEYS = 100  # DynamoDB's limit of keys a BatchGetItem asks for
REFERENCE_ATTEMPTS = 5  # candidates tried for a new case's reference; a clash is ~1 in 34 billion / cases held
QUARANTINE_RAW_LIMIT = 100_000  # characters of raw JSON kept; a DynamoDB item holds 400 KB


class DynamoCaseStore(RemembersCases):
    """The case store on one DynamoDB table, every write conditional (idempotent under redelivery)."""

    def __init__(self, table_name: str, client: Any = None, remember_cases: bool = False) -> None:
        """`remember_cases` (ingestion only): keep the cases this store last wrote or read (carebird.aws.memory), so a
        follow-up or an answer in the same warm container is one conditional write; a copy another writer made
        stale fails its write, is forgotten, and the retry reads the case afresh."""
        self.table = table_name
        self._client = client
        self._client_lock = threading.Lock()
        self.recent = RecentCases() if remember_cases else None

    @property
    def client(self) -> Any:
        """Created on first use: loading the DynamoDB service model costs ~70 ms of cold start."""
        if self._client is None:
            with self._client_lock:
                if self._client is None:
                    from botocore.config import Config

                    # Every request is built here from typed items: botocore's per-call validation of the
                    # parameters (about a tenth of a call's CPU) would check what cannot be wrong, and its walk
                    # of them through the shapes writes what one json.dumps writes (dynamo.typed_json_requests).
                    client = dynamo.client(config=Config(parameter_validation=False))
                    self._client = dynamo.typed_json_requests(client)
        return self._client

    @client.setter
    def client(self, value: Any) -> None:
        self._client = value

    def _call(self, operation: str, **kwargs: Any) -> Any:
        """One DynamoDB call; an outage (throttling, service error, missing table) becomes StorageUnavailable."""
        with self._mapped_errors(operation):
            return getattr(self.client, operation)(**kwargs)

    def _query(
        self, limit: int | None = None, page: bool = False, decode: Any = from_dynamo, **query: Any
    ) -> Iterator[Any]:
        """The items of a Query, page by page through boto3's paginator (one 1 MB page held at a time): at most
        `limit` items, or with `page`, pages of `limit` items for as long as the caller reads; each item through
        `decode` (plain values by default)."""
        config = ({"PageSize": limit} if page else {"MaxItems": limit, "PageSize": limit}) if limit else {}
        pages = iter(
            self.client.get_paginator("query").paginate(TableName=self.table, PaginationConfig=config, **query)
        )
        while True:
            with self._mapped_errors("query"):
                batch = next(pages, None)
            if batch is None:
                return
            yield from (decode(item) for item in batch["Items"])

    @contextmanager
    def _mapped_errors(self, operation: str) -> Iterator[None]:
        with mapped_errors(operation):
            yield

    # --- reads -------------------------------------------------------------------------------
    def _get(self, key: dict[str, str]) -> dict[str, Any] | None:
        response = self._call("get_item", TableName=self.table, Key=to_dynamo(key), ConsistentRead=True)
        return from_dynamo(response["Item"]) if "Item" in response else None

    def lookup(
        self,
        message_id: str,
        customer_id: str | None,
        families: tuple[str, ...],
        reply_to_id: str | None = None,
        automated_text: str | None = None,
    ) -> Known:
        """Everything ingestion must know before writing, in one consistent BatchGetItem: whether the message
        is stored (or held, or deleted), the customer's open cases, the case of the post it replies to, and
        whether its text is one of carebird's own acknowledgements."""
        wanted: dict[str, dict[str, str]] = {"self": message_id_key(message_id)}
        if customer_id:
            wanted |= {f"open:{family}": pointer_key(customer_id, family) for family in families}
            if automated_text is not None:
                wanted["automated"] = automated_text_key(customer_id, automated_text)
        if reply_to_id:
            wanted["reply"] = message_id_key(reply_to_id)
        found = self._batch_get(list(wanted.values()))
        item = {name: found.get((key["pk"], key["sk"])) for name, key in wanted.items()}
        own, reply = item["self"] or {}, item.get("reply") or {}
        if self.recent is not None and customer_id:
            for family in families:
                if pointer := item.get(f"open:{family}"):
                    self.recent.points(customer_id, family, pointer["case_id"])
        if self.recent is not None and reply_to_id and reply.get("type") == "message-id":
            self.recent.holds(reply["case_id"], reply_to_id)
        return Known(
            stored=own.get("type"),
            held_answer=message_from_item(own) if own.get("type") == "early-answer" else None,
            open_cases={f: pointer["case_id"] for f in families if (pointer := item.get(f"open:{f}"))},
            reply_case_id=reply.get("case_id") if reply.get("type") == "message-id" else None,
            reply_target=reply.get("type"),
            reply_target_answer_id=reply.get("message_id"),
            automated=item.get("automated") is not None,
        )

    def _batch_get(self, keys: list[dict[str, str]], consistent: bool = True) -> dict[tuple[str, str], dict[str, Any]]:
        """Items by (pk, sk) (at most BATCH_GET_KEYS), read consistently unless told; unprocessed keys (throttling)
        are asked again."""
        unique = list({(k["pk"], k["sk"]): k for k in keys}.values())
        request: dict[str, Any] = {self.table: {"Keys": [to_dynamo(k) for k in unique], "ConsistentRead": consistent}}
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for attempt in range(5):
            if attempt:  # keys left unprocessed (throttling): asked again after a short, growing pause
                time.sleep(0.025 * 2**attempt)
            response = self._call("batch_get_item", RequestItems=request)
            for raw in response.get("Responses", {}).get(self.table, []):
                plain = from_dynamo(raw)
                found[(plain["pk"], plain["sk"])] = plain
            request = response.get("UnprocessedKeys") or {}
            if not request:
                return found
        raise StorageUnavailable("DynamoDB BatchGetItem: keys left unprocessed")

    def open_case_id(self, customer_id: str, family: str) -> str | None:
        item = self._get(pointer_key(customer_id, family))
        return item["case_id"] if item else None

    def case_id_for_message(self, message_id: str) -> str | None:
        item = self._get(message_id_key(message_id))
        return item.get("case_id") if item else None

    def message_text(self, message_id: str) -> str | None:
        located = self._get(message_id_key(message_id)) or {}
        if not located.get("message_sk") or not located.get("case_id"):
            return None
        item = self._get(message_key(located["case_id"], located["message_sk"]))
        return item.get("text") if item else None

    def get_case(self, case_id: str) -> Case | None:
        if self.recent is not None:
            return self.recent.read_through(case_id, self._read_case)
        return self._read_case(case_id)

    def _read_case(self, case_id: str) -> Case | None:
        item = self._get(case_key(case_id))
        return case_from_item(item) if item else None

    def _transact_cases(
        self,
        actions: list[dict[str, Any]],
        cases: list[tuple[Case, int | None]],
        messages: tuple[Message | None, ...] = (),
        pointers: tuple[tuple[str, str, str], ...] = (),
    ) -> None:
        """A transaction writing these cases (each at its expected version): remembered at their new version once
        written, with the messages they now hold and the pointers written; forgotten if it fails (a stale copy, a
        race: the retry reads them afresh)."""
        try:
            self._transact(actions)
        except Exception as failure:
            if self.recent is not None and not _only_the_guard_failed(failure):
                for case, _ in cases:
                    self.recent.forget(case.case_id)
            raise
        if self.recent is None:
            return
        for case, expected in cases:
            self.recent.seen(evolve(case, version=(expected or 0) + 1))
        self.recent.holds(cases[0][0].case_id, *(m.id for m in messages if m is not None))
        for customer_id, family, case_id in pointers:
            self.recent.points(customer_id, family, case_id)

    def messages(self, case_id: str) -> list[dict[str, Any]]:
        """The case's messages, oldest first."""
        return list(
            self._query(
                KeyConditionExpression="pk = :pk AND begins_with(sk, :msg)",
                ExpressionAttributeValues=to_dynamo({":pk": case_key(case_id)["pk"], ":msg": MESSAGE_PREFIX}),
            )
        )

    def cases_opened_between(self, since: datetime, until: datetime) -> Iterator[Case]:
        """Cases opened in [since, until], one Query per UTC day on the CasesByDay index, page by page.

        A generator: a 50,000-case day is read one 1 MB page at a time, never held whole in memory."""
        day = since.date()
        while day <= until.date():
            yield from self._cases_opened_on(day, until, since)
            day += timedelta(days=1)

    def cases_newest_first(self, until: datetime, days: int, page_size: int | None = None) -> Iterator[Case]:
        """Cases opened in the `days` UTC days up to `until`, newest first, page by page (stop reading any time;
        `page_size` keeps each read that small)."""
        for back in range(days):
            day = (until - timedelta(days=back)).date()
            yield from self._cases_opened_on(day, until, newest_first=True, page_size=page_size)

    def _cases_opened_on(
        self,
        day: date,
        until: datetime,
        since: datetime | None = None,
        newest_first: bool = False,
        page_size: int | None = None,
    ) -> Iterator[Case]:
        """One UTC day's partition of the CasesByDay index, opened up to `until` (and from `since`), in the index's
        order. The index holds keys only (DynamoDB writes it once per case): each page of keys is read from the table
        in BatchGetItems of at most BATCH_GET_KEYS, as the caller reads on, so a caller that stops early reads no
        further case. The cases are read eventually consistent, as the index itself is."""
        window = "opened_at BETWEEN :since AND :until" if since else "opened_at <= :until"
        values = {":day": day_key(day), ":until": to_iso(until)} | ({":since": to_iso(since)} if since else {})
        keys = self._query(
            page_size,
            IndexName=DAY_INDEX,
            KeyConditionExpression=f"#d = :day AND {window}",
            ProjectionExpression="pk, sk",
            ExpressionAttributeNames={"#d": "day"},
            ExpressionAttributeValues=to_dynamo(values),
            ScanIndexForward=not newest_first,
            page=True,
            decode=lambda item: (item["pk"]["S"], item["sk"]["S"]),
        )
        return self._cases_by_keys(keys, min(page_size or BATCH_GET_KEYS, BATCH_GET_KEYS))

    def _cases_by_keys(self, keys: Iterator[tuple[str, str]], batch: int) -> Iterator[Case]:
        """The cases of these (pk, sk) keys, in their order, read `batch` at a time (a key whose case is gone is
        skipped)."""
        while chunk := list(itertools.islice(keys, batch)):
            found = self._batch_get([{"pk": pk, "sk": sk} for pk, sk in chunk], consistent=False)
            yield from (case_from_item(found[key]) for key in chunk if key in found)

    def latest_case(self, now: datetime, days: int = 2) -> Case | None:
        """The case opened last in the `days` UTC days up to `now`: a one-item read per day looked at (the health
        check's sign of life, whatever the day's volume)."""
        return next(self.cases_newest_first(now, days, page_size=1), None)

    def case_by_reference(self, reference: str) -> Case | None:
        """The case an email's CB-… reference names, as typed (any case, O for 0, I or L for 1). Two cases share a
        reference only if both were stored before references were claimed (CB- and 6 digits): the newest then."""
        found = self._call(
            "query",
            TableName=self.table,
            IndexName=REFERENCE_INDEX,
            KeyConditionExpression="reference = :r",
            ExpressionAttributeValues=to_dynamo({":r": normalised_reference(reference)}),
        ).get("Items", [])
        cases = self._cases([from_dynamo(i) for i in found])
        return max(cases, key=lambda c: c.opened_at) if cases else None

    def cases_of_customer(self, handle: str, limit: int = 20) -> list[Case]:
        """A customer's cases by handle (any case, with or without @), newest first."""
        key = handle_key(handle)
        if not key:
            return []
        found = self._call(
            "query",
            TableName=self.table,
            IndexName=CUSTOMER_INDEX,
            KeyConditionExpression="handle_key = :h",
            ExpressionAttributeValues=to_dynamo({":h": key}),
            ScanIndexForward=False,
            Limit=limit,
        ).get("Items", [])
        return sorted(self._cases([from_dynamo(i) for i in found]), key=lambda c: c.opened_at, reverse=True)

    def _cases(self, keys: list[dict[str, Any]]) -> list[Case]:
        if not keys:
            return []
        items = self._batch_get([{"pk": k["pk"], "sk": k["sk"]} for k in keys])
        return [case_from_item(item) for item in items.values()]

    def open_queue(self, limit: int = 100) -> list[Case]:
        """Cases awaiting a reply, most urgent first (effective priority with aging): one Query."""
        items = self._query(
            limit,
            IndexName=QUEUE_INDEX,
            KeyConditionExpression="#q = :open",
            ExpressionAttributeNames={"#q": "queue"},
            ExpressionAttributeValues=to_dynamo({":open": QUEUE_KEY}),
            ScanIndexForward=True,
        )
        return [case_from_item(item) for item in items]

    def queue_version(self) -> int:
        """The open queue's version (carebird.aws.schema.QUEUE_VERSION_KEY): one consistent GetItem of a small item."""
        from carebird.aws.schema import QUEUE_VERSION_ATTRIBUTE, QUEUE_VERSION_KEY

        item = self._get(QUEUE_VERSION_KEY) or {}
        return int(item.get(QUEUE_VERSION_ATTRIBUTE, 0))

    def bump_queue_version(self) -> None:
        """Adds one to the open queue's version. ADD only ever grows it: a retried stream record makes the inbox
        redraw once more, never brings back a version a page already holds (which could hide a change)."""
        from carebird.aws.schema import QUEUE_VERSION_ATTRIBUTE, QUEUE_VERSION_KEY

        self._call(
            "update_item",
            TableName=self.table,
            Key=to_dynamo(QUEUE_VERSION_KEY),
            UpdateExpression="ADD #changes :one",
            ExpressionAttributeNames={"#changes": QUEUE_VERSION_ATTRIBUTE},
            ExpressionAttributeValues=to_dynamo({":one": 1}),
        )

    # --- writes ------------------------------------------------------------------------------
    def _message_puts(self, case_id: str, message: Message, replaces_held_answer: bool = False) -> list[dict[str, Any]]:
        """The message and its id guard: a second copy of the message fails the guard (a redelivery)."""
        guard: dict[str, Any] = {
            "TableName": self.table,
            "Item": to_dynamo(
                {
                    **message_id_key(message.id),
                    "type": "message-id",
                    "case_id": case_id,
                    "message_sk": message_sk(message),
                }
            ),
            "ConditionExpression": "attribute_not_exists(pk)",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        if replaces_held_answer:  # the guard's place holds the brand's early answer to this message
            guard["ConditionExpression"] = "attribute_not_exists(pk) OR #type = :held"
            guard["ExpressionAttributeNames"] = {"#type": "type"}
            guard["ExpressionAttributeValues"] = to_dynamo({":held": "early-answer"})
        return [
            {"Put": guard},
            {"Put": {"TableName": self.table, "Item": to_dynamo(message_to_item(case_id, message))}},
        ]

    def _messages_puts(
        self, case_id: str, message: Message | None, answer: Message | None, replaces_held: bool
    ) -> list[dict[str, Any]]:
        puts = self._message_puts(case_id, message, replaces_held_answer=replaces_held) if message else []
        return puts + (self._message_puts(case_id, answer) if answer else [])

    def _case_put(self, case: Case, expected_version: int | None) -> dict[str, Any]:
        put: dict[str, Any] = {
            "TableName": self.table,
            "Item": to_dynamo(case_to_item(case) | {"version": (expected_version or 0) + 1}),
        }
        if expected_version is None:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = "version = :v"
            put["ExpressionAttributeValues"] = to_dynamo({":v": expected_version})
        return {"Put": put}

    def _pointer_put(self, customer_id: str, family: str, case_id: str, replacing: str | None) -> dict[str, Any]:
        pointer: dict[str, Any] = {
            "TableName": self.table,
            "Item": to_dynamo({**pointer_key(customer_id, family), "type": "pointer", "case_id": case_id}),
        }
        if replacing is None:
            pointer["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            pointer["ConditionExpression"] = "case_id = :old"
            pointer["ExpressionAttributeValues"] = to_dynamo({":old": replacing})
        return {"Put": pointer}

    def create_case(
        self,
        case: Case,
        message: Message,
        replacing: Case | None = None,
        answered_by: Message | None = None,
        replaces_held: bool = False,
    ) -> None:
        """The case, its first message, its customer's pointer and the claim of its reference, in one transaction.

        A reference another case holds already (a clash of the hash, seen only here) is replaced by the case's next
        candidate and the transaction tried again: references stay unique for the life of the table."""
        case = case if case.ref else replace(case, ref=reference_for(case.case_id))
        for attempt in range(1, REFERENCE_ATTEMPTS + 1):
            try:
                self._create_case(case, message, replacing, answered_by, replaces_held)
                return
            except ConcurrentUpdate as conflict:
                if not _only_the_reference_clashed(conflict):
                    raise
                case = replace(case, ref=reference_for(case.case_id, attempt))
        raise ConcurrentUpdate(f"no free reference for {case.case_id} in {REFERENCE_ATTEMPTS} attempts")

    def _create_case(
        self, case: Case, message: Message, replacing: Case | None, answered_by: Message | None, replaces_held: bool
    ) -> None:
        pointer = self._pointer_put(
            case.customer.id, case.family, case.case_id, replacing.case_id if replacing else None
        )
        messages = self._messages_puts(case.case_id, message, answered_by, replaces_held)
        claim = {
            "Put": {
                "TableName": self.table,
                "Item": to_dynamo({**reference_key(case.reference), "type": "reference", "case_id": case.case_id}),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        actions = [*messages, pointer, self._case_put(case, None)]
        written: list[tuple[Case, int | None]] = [(case, None)]
        if replacing is not None:
            actions.append(self._case_put(replacing, replacing.version))
            written.append((replacing, replacing.version))
        actions.append(claim)  # last: a clash is a failure of the last action alone
        pointed = ((case.customer.id, case.family, case.case_id),)
        self._transact_cases(actions, written, (message, answered_by), pointed)

    def save_case(
        self,
        case: Case,
        expected_version: int,
        message: Message | None = None,
        answered_by: Message | None = None,
        replaces_held: bool = False,
        link_family: str | None = None,
        activity: dict[str, Any] | None = None,
    ) -> None:
        """The case at its next version, with the message that changed it; `link_family` also points that
        family of the customer's conversations (a DM continuing a public case) at this case; `activity` (an
        agent's action, table.activity_item) is recorded in the same transaction."""
        actions = self._messages_puts(case.case_id, message, answered_by, replaces_held)
        if link_family:
            actions.append(self._pointer_put(case.customer.id, link_family, case.case_id, None))
        if activity:
            actions.append({"Put": {"TableName": self.table, "Item": to_dynamo(activity)}})
        pointed = ((case.customer.id, link_family, case.case_id),) if link_family else ()
        self._transact_cases(
            [*actions, self._case_put(case, expected_version)],
            [(case, expected_version)],
            (message, answered_by),
            pointed,
        )

    def record(self, activity: dict[str, Any]) -> None:
        """An agent's action that changes nothing on the case itself (a note, an answer already recorded)."""
        self._call("put_item", TableName=self.table, Item=to_dynamo(activity))

    def activity(self, case_id: str) -> list[dict[str, Any]]:
        """What agents did on the case, oldest first."""
        return list(
            self._query(
                KeyConditionExpression="pk = :pk AND begins_with(sk, :act)",
                ExpressionAttributeValues=to_dynamo({":pk": case_key(case_id)["pk"], ":act": ACTIVITY_PREFIX}),
            )
        )

    def hold_early_answer(self, answer: Message) -> bool:
        """Keep a brand answer whose customer message has not arrived yet, where that message's guard will go.

        False when something is already there: the same answer held before (a redelivery) or another one.
        Raises ConcurrentUpdate when the message itself was stored meanwhile (the answer then applies normally).
        """
        assert answer.in_reply_to_id
        expires = answer.created_at + timedelta(days=TOMBSTONE_DAYS)
        item = {
            **message_id_key(answer.in_reply_to_id),
            **{k: v for k, v in message_to_item("held", answer).items() if k not in ("pk", "sk", "case_id")},
            "type": "early-answer",
            "expires_at": int(expires.timestamp()),
        }
        return self._put_once(item)

    def _put_once(self, item: dict[str, Any]) -> bool:
        """Put unless the key exists; True if written, False if a held item is there, ConcurrentUpdate if a message."""
        try:
            self._call(
                "put_item",
                TableName=self.table,
                Item=to_dynamo(item),
                ConditionExpression="attribute_not_exists(pk)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
            return True
        except self.client.exceptions.ConditionalCheckFailedException as exc:
            existing = from_dynamo(exc.response.get("Item") or {})
            if existing.get("type") == "message-id":
                raise ConcurrentUpdate("the message was stored meanwhile") from exc
            return False

    def mark_message_deleted(self, case: Case, expected_version: int, deletion: Deletion) -> None:
        located = self._get(message_id_key(deletion.message_id)) or {}
        actions = [self._case_put(case, expected_version)]
        if located.get("message_sk"):
            actions.append(
                {
                    "Update": {
                        "TableName": self.table,
                        "Key": to_dynamo(message_key(case.case_id, located["message_sk"])),
                        # a customer's deleted words leave carebird (X's policy); the brand's own stay on record
                        "UpdateExpression": "SET deleted_at = :at" + ("" if deletion.by_brand else " REMOVE #t"),
                        "ExpressionAttributeValues": to_dynamo({":at": to_iso(deletion.deleted_at)}),
                        **({} if deletion.by_brand else {"ExpressionAttributeNames": {"#t": "text"}}),
                    }
                }
            )
        self._transact_cases(actions, [(case, expected_version)])

    def remember_deleted(self, deletion: Deletion) -> bool:
        """A deletion that arrived before its post: a tombstone stops the late post from opening a case.

        False if the tombstone was already there; ConcurrentUpdate if the post was stored meanwhile (the
        deletion is then applied to its case on the retry, never lost).
        """
        expires = deletion.deleted_at + timedelta(days=TOMBSTONE_DAYS)
        return self._put_once(
            {
                **message_id_key(deletion.message_id),
                "type": "tombstone",
                "deleted_at": to_iso(deletion.deleted_at),
                "expires_at": int(expires.timestamp()),
            }
        )

    # --- customers' deletions (X's batch compliance) ----------------------------------------------
    def _compliance_state(self) -> dict[str, Any]:
        return self._get(COMPLIANCE_KEY) or {}

    def compliance_jobs(self) -> list[PendingJob]:
        return [
            PendingJob(str(j["id"]), from_iso(j["created_at"]), str(j["download_url"]), int(j.get("ids", 0)))
            for j in self._compliance_state().get("jobs", [])
        ]

    def last_compliance_submit(self) -> datetime | None:
        moment = self._compliance_state().get("last_submitted_at")
        return from_iso(moment) if moment else None

    def save_compliance_jobs(self, jobs: list[PendingJob], last_submitted_at: datetime | None) -> None:
        item = {
            **COMPLIANCE_KEY,
            "type": "compliance",
            "jobs": [
                {"id": j.id, "created_at": to_iso(j.created_at), "download_url": j.download_url, "ids": j.ids}
                for j in jobs
            ],
            "last_submitted_at": to_iso(last_submitted_at) if last_submitted_at else None,
        }
        self._call("put_item", TableName=self.table, Item=to_dynamo(item))

    def customer_post_ids(self, since: datetime, until: datetime, limit: int, max_cases: int) -> list[str]:
        """The ids of customers' posts (not DMs, not already deleted) in the cases opened in [since, until], newest
        cases first, at most `limit` ids from at most `max_cases` cases: what a compliance job asks X about."""
        ids: list[str] = []
        days = (until.date() - since.date()).days + 1
        for read, case in enumerate(self.cases_newest_first(until, days, page_size=100)):
            if read >= max_cases:
                return ids
            if case.opened_at < since:
                continue
            for message in self.messages(case.case_id):
                public = message.get("direction") == "in" and message.get("channel") not in ("dm", None)
                if public and not message.get("deleted_at") and str(message.get("message_id", "")).isascii():
                    ids.append(str(message["message_id"]))
                    if len(ids) >= limit:
                        return ids
        return ids

    # --- opt-outs ---------------------------------------------------------------------------------
    def record_opt_out(self, customer_id: str, message_id: str, at: datetime) -> None:
        """The customer asked for no more automated messages: kept once (the first word counts), for good."""
        with contextlib.suppress(self.client.exceptions.ConditionalCheckFailedException):
            self._call(
                "put_item",
                TableName=self.table,
                Item=to_dynamo(opt_out_item(customer_id, message_id, at)),
                ConditionExpression="attribute_not_exists(pk)",
            )

    def opted_out_at(self, customer_id: str) -> str | None:
        """When the customer opted out of automated messages (ISO), or None: what agents see on the case."""
        return (self._get(opt_out_key(customer_id)) or {}).get("opted_out_at")

    # --- quarantine ------------------------------------------------------------------------------
    def quarantine(self, reason: str, raw: Any, feed: str, received_at: datetime) -> bool:
        """Keep what could not be stored as a case, with its raw JSON and why; once per distinct content.

        Whatever the raw holds is storable: nesting deeper than the encoder goes is kept as a bounded excerpt, a
        character UTF-8 cannot carry (an unpaired surrogate) as its `\\uXXXX` escape."""
        try:
            text = json.dumps(raw, ensure_ascii=False, sort_keys=True, default=str)
        except (ValueError, RecursionError):
            text = _bounded_repr().repr(raw)
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
        item = {
            "pk": QUARANTINE_KEY,
            "sk": f"{digest[:40]}",
            "type": "quarantine",
            "reason": reason[:1000],
            "raw": text[:QUARANTINE_RAW_LIMIT],
            "truncated": len(text) > QUARANTINE_RAW_LIMIT or None,
            "feed": feed,
            "received_at": to_iso(received_at),
            "expires_at": int((received_at + timedelta(days=QUARANTINE_DAYS)).timestamp()),
        }
        return self._put_once(item)

    def quarantined(self, limit: int = 100) -> list[dict[str, Any]]:
        """What the webhook could not store, newest first."""
        # Keyed by the event's digest, not by time: read them all (they expire after 30 days), then the newest.
        items = self._query(
            KeyConditionExpression="pk = :q", ExpressionAttributeValues=to_dynamo({":q": QUARANTINE_KEY})
        )
        return sorted(items, key=lambda i: i.get("received_at", ""), reverse=True)[:limit]

    def _transact(self, actions: list[dict[str, Any]]) -> None:
        try:
            self._call("transact_write_items", TransactItems=actions)
        except self.client.exceptions.TransactionCanceledException as exc:
            cancelled = exc.response.get("CancellationReasons", [])
            reasons = cancellation_reasons(exc)
            if OUTAGE_REASONS & set(reasons) - {"TransactionConflict"}:
                raise StorageUnavailable(f"DynamoDB transaction: {reasons}") from exc
            if "ValidationError" in reasons or "ItemCollectionSizeLimitExceeded" in reasons:
                raise StorageRefused(f"DynamoDB transaction: {reasons}") from exc
            first_key = actions[0].get("Put", {}).get("Item", {}).get("pk", {}).get("S", "")
            message_guarded = first_key.startswith(message_id_key("")["pk"])
            if message_guarded and reasons and reasons[0] == "ConditionalCheckFailed":
                existing = from_dynamo(cancelled[0].get("Item") or {})
                if existing.get("type") == "early-answer":
                    raise AnsweredEarly(message_from_item(existing)) from exc
                raise DuplicateMessage() from exc
            if "ConditionalCheckFailed" in reasons or "TransactionConflict" in reasons:
                raise ConcurrentUpdate(str(reasons)) from exc
            raise


def _bounded_repr() -> reprlib.Repr:
    """A repr that stops at 20 levels and 1,000 characters a value (set as attributes: Python 3.11 takes no
    arguments)."""
    bounded = reprlib.Repr()
    bounded.maxlevel, bounded.maxstring, bounded.maxother = 20, 1000, 1000
    return bounded


def _only_the_reference_clashed(failure: Exception) -> bool:
    """A new case refused only because another case holds its reference: every other condition held."""
    if failure.__cause__ is None:
        return False
    reasons = cancellation_reasons(failure.__cause__)
    return bool(reasons) and reasons[-1] == "ConditionalCheckFailed" and all(c in (None, "None") for c in reasons[:-1])


def _only_the_guard_failed(failure: Exception) -> bool:
    """A redelivery refused by its message's id guard alone: every other condition (the case versions) held, so
    the copies written from are current."""
    if not isinstance(failure, DuplicateMessage) or failure.__cause__ is None:
        return False
    reasons = cancellation_reasons(failure.__cause__)
    return bool(reasons) and all(code in (None, "None") for code in reasons[1:])


class KpiCounters:
    """The hourly KPI counters on the cases table (carebird.aws.schema's KPI rows): counted from the stream, read by
    the KPI page and the digest. One GetItem and, when the counters change, one two-item transaction per case
    change that matters."""

    def __init__(self, store: DynamoCaseStore) -> None:
        self.store = store

    def count(self, case_id: str, version: int, hour: str, contribution: dict[str, int]) -> bool:
        """Makes the counters hold `contribution` for this case (at this version) instead of what was counted
        for it before: False when this version, or a later one, was already counted (a redelivered record)."""
        from carebird.aws.schema import KPI_COUNTER_PREFIX, kpi_agent_key, kpi_hour_key, kpi_mark_key
        from carebird.domain.kpi import counter_delta, counter_rows

        mark_key = kpi_mark_key(case_id)
        mark = self.store._get(mark_key)
        if mark is not None and int(mark.get("version", 0)) >= version:
            return False
        counted = {str(k): int(v) for k, v in (mark or {}).get("counted", {}).items()}
        delta = counter_delta(counted, contribution)
        if not delta:
            return False
        put: dict[str, Any] = {
            "TableName": self.store.table,
            "Item": to_dynamo({**mark_key, "version": version, "hour": hour, "counted": contribution}),
        }
        if mark is None:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = "version = :seen"
            put["ExpressionAttributeValues"] = to_dynamo({":seen": int(mark["version"])})
        updates = []
        for row, changes in counter_rows(hour, delta).items():  # the hour's row, and a first responder's day
            key = kpi_hour_key(row[1]) if row[0] == "hour" else kpi_agent_key(row[1], row[2])
            names = {f"#c{i}": f"{KPI_COUNTER_PREFIX}{name}" for i, name in enumerate(changes)}
            values = {f":c{i}": change for i, change in enumerate(changes.values())}
            update = {
                "TableName": self.store.table,
                "Key": to_dynamo(key),
                "UpdateExpression": "ADD " + ", ".join(f"#c{i} :c{i}" for i in range(len(changes))),
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": to_dynamo(values),
            }
            updates.append({"Update": update})
        self.store._transact([{"Put": put}, *updates])
        return True

    def hourly(self, since: datetime, until: datetime) -> Iterator[tuple[str, dict[str, int]]]:
        """(hour, counters) of every hour from since's to until's, oldest first: one Query (one page a month)."""
        from datetime import UTC

        from carebird.aws.schema import kpi_counters_from_typed_item, kpi_hour_key

        first = kpi_hour_key(since.astimezone(UTC).strftime("%Y-%m-%dT%H"))["sk"]
        last = kpi_hour_key(until.astimezone(UTC).strftime("%Y-%m-%dT%H"))["sk"]
        yield from self._rows(kpi_counters_from_typed_item, first, last)

    def first_responses(self, first_day: date, last_day: date) -> Iterator[tuple[str, str, dict[str, int]]]:
        """(local day, agent, counters) of every agent's row of these local days: one Query (a row per agent who
        answered first on a day: 31 x the team's size at most for a month, whatever the traffic)."""
        from carebird.aws.schema import kpi_agent_counters_from_typed_item, kpi_agent_days

        yield from self._rows(kpi_agent_counters_from_typed_item, *kpi_agent_days(str(first_day), str(last_day)))

    def _rows(self, decode: Any, first: str, last: str) -> Iterator[Any]:
        """The KPI partition's rows between two sort keys, their items kept as DynamoDB's JSON sent them
        (`unparsed_items`): the counters are decoded straight from it."""
        from carebird.aws.schema import KPI_PARTITION

        with unparsed_items(self.store.client):  # read whole before the first yield: the block never spans one
            rows = list(
                self.store._query(
                    decode=decode,
                    KeyConditionExpression="pk = :kpi AND sk BETWEEN :first AND :last",
                    ExpressionAttributeValues=to_dynamo({":kpi": KPI_PARTITION, ":first": first, ":last": last}),
                )
            )
        yield from rows


_UNPARSED: contextvars.ContextVar[bool] = contextvars.ContextVar("carebird_unparsed_items", default=False)


@contextmanager
def unparsed_items(client: Any) -> Iterator[None]:
    """Within this block, a Query's items are those of DynamoDB's JSON answer as `json.loads` reads it, not walked
    by botocore's parser (one shape walk per attribute: two thirds of a month of KPI rows' time). The items are
    the same typed dicts ({"N": "12"}) either way, for anything but binary values (base64 text here, bytes from
    botocore): use it for rows without any. Only successful JSON answers are taken; errors, and a botocore without
    the `before-parse` event, parse as usual."""
    events = client.meta.events
    events.register("before-parse.dynamodb.Query", _take_items_unparsed, unique_id="carebird-unparsed-items")
    token = _UNPARSED.set(True)
    try:
        yield
    finally:
        _UNPARSED.reset(token)


def _take_items_unparsed(response_dict: dict[str, Any], customized_response_dict: dict[str, Any], **_: Any) -> None:
    if not _UNPARSED.get() or response_dict.get("status_code") != 200:
        return
    try:
        answer = json.loads(response_dict["body"])
    except (TypeError, ValueError):
        return  # not JSON (another protocol): botocore parses it
    if isinstance(answer, dict) and isinstance(answer.get("Items"), list):
        customized_response_dict["Items"] = answer.pop("Items")
        response_dict["body"] = json.dumps(answer).encode()
