"""DynamoDB adapter: the triage queue table (single-table design, see docs/data-model.md)."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from carebird.cases import Case
from carebird.errors import StorageRefused, StorageUnavailable
from carebird.ingest import AnsweredEarly, ConcurrentUpdate, DuplicateMessage, Known
from carebird.model import Author, Channel, Deletion, Message
from carebird.timeparse import from_iso, to_iso

QUEUE_INDEX = "OpenQueue"
DAY_INDEX = "CasesByDay"
QUEUE_KEY = "OPEN"
CASE_SK = "CASE"
TOMBSTONE_DAYS = 7
QUARANTINE_KEY = "QUARANTINE"
QUARANTINE_DAYS = 30
QUARANTINE_RAW_LIMIT = 100_000  # characters of raw JSON kept; a DynamoDB item holds 400 KB
# DynamoDB errors that mean "not now" (X must redeliver: 503), as opposed to "never" (this event is refused).
OUTAGE_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "ResourceNotFoundException",
        "TransactionInProgressException",
        "LimitExceededException",
        "AccessDeniedException",
        "UnrecognizedClientException",
        "ExpiredTokenException",
    }
)
REFUSAL_CODES = frozenset({"ValidationException", "ItemCollectionSizeLimitExceededException", "SerializationException"})
OUTAGE_REASONS = frozenset({"ThrottlingError", "ProvisionedThroughputExceeded", "TransactionConflict"})

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def case_key(case_id: str) -> dict[str, str]:
    return {"pk": f"CASE#{case_id}", "sk": CASE_SK}


def _pointer_key(customer_id: str, family: str) -> dict[str, str]:
    return {"pk": f"OPEN#{customer_id}#{family}", "sk": "OPEN"}


def _message_id_key(message_id: str) -> dict[str, str]:
    return {"pk": f"MSGID#{message_id}", "sk": "MSGID"}


def automated_text_key(customer_id: str, text: str) -> dict[str, str]:
    """Key of an automatic message's fingerprint: the customer, and the text without leading @mentions."""
    import hashlib
    import re
    import unicodedata

    body = unicodedata.normalize("NFC", re.sub(r"^(?:@\w+\s+)+", "", text.strip())).strip()
    return {"pk": f"AUTOTEXT#{customer_id}", "sk": hashlib.sha256(body.encode("utf-8")).hexdigest()}


def _message_sk(message: Message) -> str:
    return f"MSG#{to_iso(message.created_at)}#{message.id}"


def _dynamo(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in item.items() if v is not None and v != set() and v != []}


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


def _iso(moment: datetime | None) -> str | None:
    return to_iso(moment) if moment else None


def case_to_item(case: Case) -> dict[str, Any]:
    """The case as a plain item; queue attributes only while the customer awaits a reply (sparse index)."""
    item: dict[str, Any] = {
        **case_key(case.case_id),
        "type": "case",
        "case_id": case.case_id,
        "reference": case.reference,
        "customer_id": case.customer.id,
        "customer_handle": case.customer.handle,
        "customer_name": case.customer.name,
        "customer_followers": case.customer.followers,
        "customer_verified": case.customer.verified,
        "family": case.family,
        "channel": case.channel.value,
        "status": case.status,
        "opened_at": to_iso(case.opened_at),
        "last_activity_at": to_iso(case.last_activity_at),
        "waiting_since": _iso(case.waiting_since),
        "priority": case.priority,
        "topic": case.topic,
        "reasons": list(case.reasons),
        "inbound_count": case.inbound_count,
        "triage_text": case.triage_text,
        "preview": case.preview,
        "lang": case.lang,
        "reply_to_id": case.reply_to_id,
        "first_response_at": _iso(case.first_response_at),
        "last_response_at": _iso(case.last_response_at),
        "response_count": case.response_count,
        "reopened": case.reopened,
        "escalation_level": case.escalation_level,
        "escalated_at": case.escalated_at,
        "conversation_id": case.conversation_id,
        "acknowledged_at": case.acknowledged_at,
        "ack_via": case.ack_via,
        "link": case.link,
        "reasons_text": "; ".join(case.reasons),
        "answerable_by_api": case.channel.value not in ("citation", "topic"),
        "deleted_ids": set(case.deleted_ids),
        "waited_since": _iso(case.waited_since),
        "kind": case.kind,
        "band": case.band,
        "history": [list(entry) for entry in case.history],
        "outcome": case.outcome,
        "noise_override": case.noise_override,
        "customer_following": case.customer.following,
        "customer_since": _iso(case.customer.created_at),
        "version": case.version,
    }
    item["day"] = f"DAY#{case.opened_at:%Y-%m-%d}"  # CasesByDay index: the KPIs and the digest read by day
    if case.awaiting_reply and case.rank is not None:
        item["queue"] = QUEUE_KEY
        item["queue_rank"] = case.rank
    return item


def case_from_item(item: dict[str, Any]) -> Case:
    def moment(name: str) -> datetime | None:
        return from_iso(item[name]) if item.get(name) else None

    return Case(
        case_id=item["case_id"],
        customer=Author(
            id=item["customer_id"],
            handle=item.get("customer_handle", ""),
            name=item.get("customer_name", ""),
            followers=int(item.get("customer_followers", 0)),
            verified=bool(item.get("customer_verified", False)),
            following=int(item.get("customer_following", 0)),
            created_at=moment("customer_since"),
        ),
        family=item["family"],
        channel=Channel(item["channel"]),
        status=item["status"],
        opened_at=from_iso(item["opened_at"]),
        last_activity_at=from_iso(item["last_activity_at"]),
        waiting_since=moment("waiting_since"),
        priority=int(item.get("priority", 0)),
        topic=item.get("topic", "other"),
        reasons=tuple(item.get("reasons", ())),
        rank=int(item["queue_rank"]) if "queue_rank" in item else None,
        inbound_count=int(item.get("inbound_count", 0)),
        triage_text=item.get("triage_text", ""),
        preview=item.get("preview", ""),
        lang=item.get("lang"),
        reply_to_id=item.get("reply_to_id"),
        first_response_at=moment("first_response_at"),
        last_response_at=moment("last_response_at"),
        response_count=int(item.get("response_count", 0)),
        reopened=int(item.get("reopened", 0)),
        escalation_level=int(item.get("escalation_level", 0)),
        escalated_at=item.get("escalated_at"),
        conversation_id=item.get("conversation_id"),
        acknowledged_at=item.get("acknowledged_at"),
        ack_via=item.get("ack_via"),
        deleted_ids=frozenset(item.get("deleted_ids", ())),
        waited_since=moment("waited_since"),
        kind=item.get("kind", "request"),
        band=item.get("band", "normal"),
        history=tuple((str(opened), str(status)) for opened, status in item.get("history", ())),
        outcome=item.get("outcome"),
        noise_override=item.get("noise_override"),
        version=int(item.get("version", 0)),
    )


def message_to_item(case_id: str, message: Message) -> dict[str, Any]:
    return {
        "pk": f"CASE#{case_id}",
        "sk": _message_sk(message),
        "type": "message",
        "case_id": case_id,
        "message_id": message.id,
        "direction": "out" if message.from_brand else "in",
        "channel": message.channel.value,
        "author_id": message.author.id,
        "author_handle": message.author.handle,
        "text": message.text,
        "created_at": to_iso(message.created_at),
        "lang": message.lang,
        "in_reply_to_id": message.in_reply_to_id,
        "in_reply_to_user_id": message.in_reply_to_user_id,
        "recipient_id": message.recipient_id,
        "quoted_id": message.quoted_id,
        "feed": message.feed,
        "encrypted": message.encrypted or None,
    }


def message_from_item(item: dict[str, Any]) -> Message:
    """A message as stored (used for a held early answer)."""
    return Message(
        id=item["message_id"],
        channel=Channel(item["channel"]),
        author=Author(id=item["author_id"], handle=item.get("author_handle", "")),
        text=item.get("text", ""),
        created_at=from_iso(item["created_at"]),
        from_brand=item.get("direction") == "out",
        lang=item.get("lang"),
        in_reply_to_id=item.get("in_reply_to_id"),
        in_reply_to_user_id=item.get("in_reply_to_user_id"),
        quoted_id=item.get("quoted_id"),
        recipient_id=item.get("recipient_id"),
        feed=item.get("feed", "aaa"),
    )


class DynamoCaseStore:
    """The case store on one DynamoDB table, every write conditional (idempotent under redelivery)."""

    def __init__(self, table_name: str, client: Any = None) -> None:
        self.table = table_name
        self._client = client
        self._client_lock = threading.Lock()

    @property
    def client(self) -> Any:
        """Created on first use: loading the DynamoDB service model costs ~70 ms of cold start."""
        if self._client is None:
            with self._client_lock:  # boto3's default session is not thread-safe when creating clients
                if self._client is None:
                    import boto3
                    from botocore.config import Config

                    # Every request is built here from typed items: botocore's per-call validation of the
                    # parameters (about a tenth of a call's CPU) would check what cannot be wrong.
                    self._client = boto3.client("dynamodb", config=Config(parameter_validation=False))
        return self._client

    @client.setter
    def client(self, value: Any) -> None:
        self._client = value

    def _call(self, operation: str, **kwargs: Any) -> Any:
        """One DynamoDB call; an outage (throttling, service error, missing table) becomes StorageUnavailable."""
        try:
            return getattr(self.client, operation)(**kwargs)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in OUTAGE_CODES:
                raise StorageUnavailable(f"DynamoDB {operation}: {code}") from exc
            if code in REFUSAL_CODES:
                raise StorageRefused(
                    f"DynamoDB {operation}: {code}: {exc.response['Error'].get('Message', '')}"
                ) from exc
            raise
        except BotoCoreError as exc:
            raise StorageUnavailable(f"DynamoDB {operation}: {type(exc).__name__}") from exc

    # --- reads -------------------------------------------------------------------------------
    def _get(self, key: dict[str, str]) -> dict[str, Any] | None:
        response = self._call("get_item", TableName=self.table, Key=_dynamo(key), ConsistentRead=True)
        return _plain(response["Item"]) if "Item" in response else None

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
        wanted: dict[str, dict[str, str]] = {"self": _message_id_key(message_id)}
        if customer_id:
            wanted |= {f"open:{family}": _pointer_key(customer_id, family) for family in families}
            if automated_text is not None:
                wanted["automated"] = automated_text_key(customer_id, automated_text)
        if reply_to_id:
            wanted["reply"] = _message_id_key(reply_to_id)
        found = self._batch_get(list(wanted.values()))
        item = {name: found.get((key["pk"], key["sk"])) for name, key in wanted.items()}
        own, reply = item["self"] or {}, item.get("reply") or {}
        return Known(
            stored=own.get("type"),
            held_answer=message_from_item(own) if own.get("type") == "early-answer" else None,
            open_cases={f: item[f"open:{f}"]["case_id"] for f in families if item.get(f"open:{f}")},
            reply_case_id=reply.get("case_id") if reply.get("type") == "message-id" else None,
            reply_target=reply.get("type"),
            reply_target_answer_id=reply.get("message_id"),
            automated=item.get("automated") is not None,
        )

    def _batch_get(self, keys: list[dict[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        """Items by (pk, sk), read consistently; unprocessed keys (throttling) are asked again."""
        unique = list({(k["pk"], k["sk"]): k for k in keys}.values())
        request: dict[str, Any] = {self.table: {"Keys": [_dynamo(k) for k in unique], "ConsistentRead": True}}
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for _ in range(5):
            response = self._call("batch_get_item", RequestItems=request)
            for raw in response.get("Responses", {}).get(self.table, []):
                plain = _plain(raw)
                found[(plain["pk"], plain["sk"])] = plain
            request = response.get("UnprocessedKeys") or {}
            if not request:
                return found
        raise StorageUnavailable("DynamoDB BatchGetItem: keys left unprocessed")

    def open_case_id(self, customer_id: str, family: str) -> str | None:
        item = self._get(_pointer_key(customer_id, family))
        return item["case_id"] if item else None

    def case_id_for_message(self, message_id: str) -> str | None:
        item = self._get(_message_id_key(message_id))
        return item.get("case_id") if item else None

    def message_text(self, message_id: str) -> str | None:
        located = self._get(_message_id_key(message_id)) or {}
        if not located.get("message_sk") or not located.get("case_id"):
            return None
        item = self._get({"pk": f"CASE#{located['case_id']}", "sk": located["message_sk"]})
        return item.get("text") if item else None

    def get_case(self, case_id: str) -> Case | None:
        item = self._get(case_key(case_id))
        return case_from_item(item) if item else None

    def messages(self, case_id: str) -> list[dict[str, Any]]:
        """The case's messages, oldest first."""
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :msg)",
            "ExpressionAttributeValues": _dynamo({":pk": f"CASE#{case_id}", ":msg": "MSG#"}),
        }
        while True:
            page = self._call("query", **kwargs)
            items += [_plain(i) for i in page["Items"]]
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def cases_opened_between(self, since: datetime, until: datetime) -> Iterator[Case]:
        """Cases opened in [since, until], one Query per UTC day on the CasesByDay index, page by page.

        A generator: a 50,000-case day is read one 1 MB page at a time, never held whole in memory."""
        day = since.date()
        while day <= until.date():
            kwargs: dict[str, Any] = {
                "TableName": self.table,
                "IndexName": DAY_INDEX,
                "KeyConditionExpression": "#d = :day AND opened_at BETWEEN :since AND :until",
                "ExpressionAttributeNames": {"#d": "day"},
                "ExpressionAttributeValues": _dynamo(
                    {":day": f"DAY#{day:%Y-%m-%d}", ":since": to_iso(since), ":until": to_iso(until)}
                ),
            }
            while True:
                page = self._call("query", **kwargs)
                yield from (case_from_item(_plain(i)) for i in page["Items"])
                if "LastEvaluatedKey" not in page:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
            day += timedelta(days=1)

    def open_queue(self, limit: int = 100) -> list[Case]:
        """Cases awaiting a reply, most urgent first (effective priority with aging): one Query."""
        cases: list[Case] = []
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": QUEUE_INDEX,
            "KeyConditionExpression": "#q = :open",
            "ExpressionAttributeNames": {"#q": "queue"},
            "ExpressionAttributeValues": _dynamo({":open": QUEUE_KEY}),
            "ScanIndexForward": True,
        }
        while len(cases) < limit:
            page = self._call("query", Limit=limit - len(cases), **kwargs)
            cases += [case_from_item(_plain(i)) for i in page["Items"]]
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return cases

    # --- writes ------------------------------------------------------------------------------
    def _message_puts(self, case_id: str, message: Message, replaces_held_answer: bool = False) -> list[dict[str, Any]]:
        """The message and its id guard: a second copy of the message fails the guard (a redelivery)."""
        guard: dict[str, Any] = {
            "TableName": self.table,
            "Item": _dynamo(
                {
                    **_message_id_key(message.id),
                    "type": "message-id",
                    "case_id": case_id,
                    "message_sk": _message_sk(message),
                }
            ),
            "ConditionExpression": "attribute_not_exists(pk)",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        if replaces_held_answer:  # the guard's place holds the brand's early answer to this message
            guard["ConditionExpression"] = "attribute_not_exists(pk) OR #type = :held"
            guard["ExpressionAttributeNames"] = {"#type": "type"}
            guard["ExpressionAttributeValues"] = _dynamo({":held": "early-answer"})
        return [
            {"Put": guard},
            {"Put": {"TableName": self.table, "Item": _dynamo(message_to_item(case_id, message))}},
        ]

    def _messages_puts(
        self, case_id: str, message: Message | None, answer: Message | None, replaces_held: bool
    ) -> list[dict[str, Any]]:
        puts = self._message_puts(case_id, message, replaces_held_answer=replaces_held) if message else []
        return puts + (self._message_puts(case_id, answer) if answer else [])

    def _case_put(self, case: Case, expected_version: int | None) -> dict[str, Any]:
        put: dict[str, Any] = {
            "TableName": self.table,
            "Item": _dynamo(case_to_item(case) | {"version": (expected_version or 0) + 1}),
        }
        if expected_version is None:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = "version = :v"
            put["ExpressionAttributeValues"] = _dynamo({":v": expected_version})
        return {"Put": put}

    def _pointer_put(self, customer_id: str, family: str, case_id: str, replacing: str | None) -> dict[str, Any]:
        pointer: dict[str, Any] = {
            "TableName": self.table,
            "Item": _dynamo({**_pointer_key(customer_id, family), "type": "pointer", "case_id": case_id}),
        }
        if replacing is None:
            pointer["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            pointer["ConditionExpression"] = "case_id = :old"
            pointer["ExpressionAttributeValues"] = _dynamo({":old": replacing})
        return {"Put": pointer}

    def create_case(
        self,
        case: Case,
        message: Message,
        replacing: Case | None = None,
        answered_by: Message | None = None,
        replaces_held: bool = False,
    ) -> None:
        pointer = self._pointer_put(
            case.customer.id, case.family, case.case_id, replacing.case_id if replacing else None
        )
        messages = self._messages_puts(case.case_id, message, answered_by, replaces_held)
        actions = [*messages, pointer, self._case_put(case, None)]
        if replacing is not None:
            actions.append(self._case_put(replacing, replacing.version))
        self._transact(actions)

    def save_case(
        self,
        case: Case,
        expected_version: int,
        message: Message | None = None,
        answered_by: Message | None = None,
        replaces_held: bool = False,
        link_family: str | None = None,
    ) -> None:
        """The case at its next version, with the message that changed it; `link_family` also points that
        family of the customer's conversations (a DM continuing a public case) at this case."""
        actions = self._messages_puts(case.case_id, message, answered_by, replaces_held)
        if link_family:
            actions.append(self._pointer_put(case.customer.id, link_family, case.case_id, None))
        self._transact([*actions, self._case_put(case, expected_version)])

    def hold_early_answer(self, answer: Message) -> bool:
        """Keep a brand answer whose customer message has not arrived yet, where that message's guard will go.

        False when something is already there: the same answer held before (a redelivery) or another one.
        Raises ConcurrentUpdate when the message itself was stored meanwhile (the answer then applies normally).
        """
        assert answer.in_reply_to_id
        expires = answer.created_at + timedelta(days=TOMBSTONE_DAYS)
        item = {
            **_message_id_key(answer.in_reply_to_id),
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
                Item=_dynamo(item),
                ConditionExpression="attribute_not_exists(pk)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
            return True
        except self.client.exceptions.ConditionalCheckFailedException as exc:
            existing = _plain(exc.response.get("Item") or {})
            if existing.get("type") == "message-id":
                raise ConcurrentUpdate("the message was stored meanwhile") from exc
            return False

    def mark_message_deleted(self, case: Case, expected_version: int, deletion: Deletion) -> None:
        located = self._get(_message_id_key(deletion.message_id)) or {}
        actions = [self._case_put(case, expected_version)]
        if located.get("message_sk"):
            actions.append(
                {
                    "Update": {
                        "TableName": self.table,
                        "Key": _dynamo({"pk": f"CASE#{case.case_id}", "sk": located["message_sk"]}),
                        "UpdateExpression": "SET deleted_at = :at",
                        "ExpressionAttributeValues": _dynamo({":at": to_iso(deletion.deleted_at)}),
                    }
                }
            )
        self._transact(actions)

    def remember_deleted(self, deletion: Deletion) -> bool:
        """A deletion that arrived before its post: a tombstone stops the late post from opening a case.

        False if the tombstone was already there; ConcurrentUpdate if the post was stored meanwhile (the
        deletion is then applied to its case on the retry, never lost).
        """
        expires = deletion.deleted_at + timedelta(days=TOMBSTONE_DAYS)
        return self._put_once(
            {
                **_message_id_key(deletion.message_id),
                "type": "tombstone",
                "deleted_at": to_iso(deletion.deleted_at),
                "expires_at": int(expires.timestamp()),
            }
        )

    # --- quarantine ------------------------------------------------------------------------------
    def quarantine(self, reason: str, raw: Any, feed: str, received_at: datetime) -> bool:
        """Keep what could not be stored as a case, with its raw JSON and why; once per distinct content."""
        text = json.dumps(raw, ensure_ascii=False, sort_keys=True, default=str)
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
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
        items = self._call(
            "query",
            TableName=self.table,
            KeyConditionExpression="pk = :q",
            ExpressionAttributeValues=_dynamo({":q": QUARANTINE_KEY}),
            Limit=limit,
        )["Items"]
        return sorted((_plain(i) for i in items), key=lambda i: i.get("received_at", ""), reverse=True)

    def _transact(self, actions: list[dict[str, Any]]) -> None:
        try:
            self._call("transact_write_items", TransactItems=actions)
        except self.client.exceptions.TransactionCanceledException as exc:
            cancelled = exc.response.get("CancellationReasons", [])
            reasons = [r.get("Code") for r in cancelled]
            if OUTAGE_REASONS & set(reasons) - {"TransactionConflict"}:
                raise StorageUnavailable(f"DynamoDB transaction: {reasons}") from exc
            if "ValidationError" in reasons or "ItemCollectionSizeLimitExceeded" in reasons:
                raise StorageRefused(f"DynamoDB transaction: {reasons}") from exc
            message_guarded = actions[0].get("Put", {}).get("Item", {}).get("pk", {}).get("S", "").startswith("MSGID#")
            if message_guarded and reasons and reasons[0] == "ConditionalCheckFailed":
                existing = _plain(cancelled[0].get("Item") or {})
                if existing.get("type") == "early-answer":
                    raise AnsweredEarly(message_from_item(existing)) from exc
                raise DuplicateMessage() from exc
            if "ConditionalCheckFailed" in reasons or "TransactionConflict" in reasons:
                raise ConcurrentUpdate(str(reasons)) from exc
            raise
