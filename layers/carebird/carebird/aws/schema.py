"""What is stored: the table's keys, its indexes and the codec of every item (single-table design).

Every adapter, handler and stream consumer builds keys and reads items through this module; the template's
key schema, indexes and stream filters and the SLA workflow's keys are checked against it by tests
(docs/data-model.md draws the layout).

| item                  | pk                          | sk                          | written by            |
|-----------------------|-----------------------------|-----------------------------|-----------------------|
| case                  | CASE#{case_id}              | CASE                        | ingestion, agents     |
| message               | CASE#{case_id}              | MSG#{created_at}#{id}       | ingestion             |
| message id (dedupe)   | MSGID#{message_id}          | MSGID                       | ingestion, outbox     |
| open-case pointer     | OPEN#{customer_id}#{family} | OPEN                        | ingestion             |
| automatic text        | AUTOTEXT#{customer_id}      | sha256 of the text          | acknowledger          |
| outbox claim          | OUTBOX#{key}                | OUTBOX                      | announcer, acknowledger |
| feed cursor           | CURSOR#{feed}               | CURSOR                      | watcher, poller       |
| X reads of a day      | READS#{YYYY-MM-DD}          | READS                       | watcher, poller, health |
| health status         | HEALTH#status               | HEALTH                      | health                |
| quarantined event     | QUARANTINE                  | sha256 of the raw event     | webhook               |
| automation pause      | AUTOMATION#state            | AUTOMATION                  | any function X stops  |
| refresh-token claim   | OAUTH2#{sha256 of token}    | REFRESH                     | functions calling X   |
| customer's opt-out    | OPTOUT#{customer_id}        | OPTOUT                      | ingestion             |
| X usage of a day      | XUSAGE#{YYYY-MM-DD}         | XUSAGE                      | every function calling X |
| compliance jobs       | COMPLIANCE#jobs             | COMPLIANCE                  | compliance            |
| reference claim       | REF#{reference}             | REF                         | ingestion             |
| outage ledger         | OUTAGE#{service}            | OUTAGE                      | webhook               |
| KPI counters of an hour | KPI                       | HOUR#{YYYY-MM-DDTHH} (UTC)  | dispatcher (stream)   |
| a case's counted KPIs | KPIMARK#{case_id}           | KPIMARK                     | dispatcher (stream)   |
| KPI first responses of a day | KPI                | AGENT#{local day}#{agent or ""} | dispatcher (stream) |
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any

from carebird.domain.cases import Case
from carebird.domain.model import Author, CaseStatus, Channel, Family, Message
from carebird.domain.timeparse import from_iso, to_iso

PARTITION_KEY, SORT_KEY = "pk", "sk"
QUEUE_INDEX = "OpenQueue"
REFERENCE_INDEX = "CasesByReference"
CUSTOMER_INDEX = "CasesByCustomer"
DAY_INDEX = "CasesByDay"
QUEUE_KEY = "OPEN"
CASE_SK = "CASE"
TOMBSTONE_DAYS = 7
QUARANTINE_KEY = "QUARANTINE"
QUARANTINE_DAYS = 30
MESSAGE_PREFIX = "MSG#"  # a message's sort key, under its case's partition
MESSAGE_ID_PREFIX = "MSGID#"  # a message id's guard (see message_id_key)


@cache
def _codec() -> tuple[Any, Any]:
    """boto3's attribute-value codec, imported on first use (domain code reading stream images needs no boto3)."""
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    return TypeSerializer(), TypeDeserializer()


def case_key(case_id: str) -> dict[str, str]:
    return {"pk": f"CASE#{case_id}", "sk": CASE_SK}


def pointer_key(customer_id: str, family: str) -> dict[str, str]:
    return {"pk": f"OPEN#{customer_id}#{family}", "sk": "OPEN"}


def reference_key(reference: str) -> dict[str, str]:
    """The claim that makes a case's reference its own for the life of the table (written with the case)."""
    return {"pk": f"REF#{reference}", "sk": "REF"}


def message_id_key(message_id: str) -> dict[str, str]:
    return {"pk": f"{MESSAGE_ID_PREFIX}{message_id}", "sk": "MSGID"}


def automated_text_key(customer_id: str, text: str) -> dict[str, str]:
    """Key of an automatic message's fingerprint: the customer, and the text without leading @mentions; links count
    as one placeholder (X hands a sent link back wrapped in t.co)."""

    body = unicodedata.normalize("NFC", re.sub(r"^(?:@\w+\s+)+", "", text.strip())).strip()
    body = re.sub(r"https?://\S+", "<link>", body)
    return {"pk": f"AUTOTEXT#{customer_id}", "sk": hashlib.sha256(body.encode("utf-8")).hexdigest()}


def message_key(case_id: str, message_sk: str) -> dict[str, str]:
    """Key of a stored message: its case's partition, its own sort key (see message_sk)."""
    return {"pk": case_key(case_id)["pk"], "sk": message_sk}


def message_sk(message: Message) -> str:
    return f"{MESSAGE_PREFIX}{to_iso(message.created_at)}#{message.id}"


def to_dynamo(item: dict[str, Any]) -> dict[str, Any]:
    """An item in DynamoDB's typed form (absent: None, empty sets and lists), as boto3's TypeSerializer writes it.

    One pass, text written on the spot (most attributes are): no empty set built to compare each value with."""
    typed: dict[str, Any] = {}
    for name, value in item.items():
        kind = type(value)
        if kind is str:
            typed[name] = {"S": value}
        elif value is None or (not value and kind in _LEFT_OUT_EMPTY):
            continue
        else:
            typed[name] = attribute_value(value)
    return typed


_LEFT_OUT_EMPTY = (set, frozenset, list)  # an empty one is no attribute (DynamoDB refuses empty sets)


def attribute_value(value: Any) -> dict[str, Any]:
    """One value in DynamoDB's typed form: what boto3's TypeSerializer gives, with the types every item is made of
    (text, whole numbers, flags, lists, maps) written directly; anything else goes to boto3's serializer. On the
    webhook's hot path this is a third of the serializer's CPU (tests/unit/test_table_layout.py holds them equal)."""
    kind = type(value)
    if kind is str:
        return {"S": value}
    if kind is bool:
        return {"BOOL": value}
    if kind is int and -(10**38) < value < 10**38:
        return {"N": str(value)}
    if kind is list:
        return {"L": [attribute_value(v) for v in value]}
    if kind is dict:
        return {"M": {k: attribute_value(v) for k, v in value.items()}}
    if value is None:
        return {"NULL": True}
    return _codec()[0].serialize(value)


def from_dynamo(item: dict[str, Any]) -> dict[str, Any]:
    deserializer = _codec()[1]
    return {k: deserializer.deserialize(v) for k, v in item.items()}


def _iso(moment: datetime | None) -> str | None:
    return to_iso(moment) if moment else None


def case_to_item(case: Case) -> dict[str, Any]:
    """The case as a plain item; queue attributes only while the customer awaits a reply (sparse index)."""
    item: dict[str, Any] = {
        **case_key(case.case_id),
        "type": "case",
        "case_id": case.case_id,
        "reference": case.reference,
        "handle_key": handle_key(case.customer.handle),
        "customer_id": case.customer.id,
        "customer_handle": case.customer.handle,
        "customer_name": case.customer.name,
        "customer_followers": case.customer.followers,
        "customer_verified": case.customer.verified or None,  # absent when false (read back as false)
        "family": case.family.value,
        "channel": case.channel.value,
        "status": case.status.value,
        "opened_at": to_iso(case.opened_at),
        "last_activity_at": to_iso(case.last_activity_at),
        "waiting_since": _iso(case.waiting_since),
        "priority": case.priority,
        "topic": case.topic,
        "reasons": stored_reasons(case.reasons),
        "inbound_count": case.inbound_count,
        "triage_text": case.triage_text,
        "preview": case.preview,
        "lang": case.lang,
        "reply_to_id": case.reply_to_id,
        "quoted_id": case.quoted_id,
        "first_response_at": _iso(case.first_response_at),
        "last_response_at": _iso(case.last_response_at),
        "response_count": case.response_count or None,  # absent when 0: a write under 1 KB is one unit
        "reopened": case.reopened or None,  # absent when 0 (read back as 0)
        "escalation_level": case.escalation_level,
        "escalated_at": case.escalated_at,
        "conversation_id": case.conversation_id,
        "acknowledged_at": case.acknowledged_at,
        "ack_via": case.ack_via,
        "deleted_ids": set(case.deleted_ids),
        "waited_since": _iso(case.waited_since),
        "kind": case.kind,
        "band": case.band,
        "history": [list(entry) for entry in case.history],
        "outcome": case.outcome,
        "noise_override": case.noise_override,
        "claimed_by": case.claimed_by,
        "claimed_at": _iso(case.claimed_at),
        "customer_following": case.customer.following or None,
        "customer_since": _iso(case.customer.created_at),
        "outage": case.outage,
        "urgent_override": case.urgent_override,
        "tags": list(case.tags),
        "notes_text": case.notes_text or None,
        "first_responder": case.first_responder,
        "version": case.version,
    }
    item["day"] = day_key(case.opened_at)  # CasesByDay index: the KPIs and the digest read by day
    if case.awaiting_reply and case.rank is not None:
        item["queue"] = QUEUE_KEY
        item["queue_rank"] = case.rank
    return item


# A case's first reason is its band's (carebird.domain.triage.band_reason): the item keeps its head ("request band",
# "urgent band (why)") and the codec adds the fixed tail back, so ~70 bytes of every case write are not billed.
# Anything else (and an item written whole before) is kept and read as it is.
@cache
def _band_tails() -> tuple[str, str, str, str]:
    """The request band's reason whole and as kept (its head), the urgent band's reason before its why, and its
    fixed tail after the closing parenthesis."""
    from carebird.domain.triage import NORMAL_BAND, URGENT_BAND, band_reason

    normal, urgent = band_reason(NORMAL_BAND), band_reason(URGENT_BAND, "\0")
    urgent_head, urgent_tail = urgent.split("\0")
    return normal, normal.split(":", 1)[0], urgent_head, urgent_tail[1:]


def stored_reasons(reasons: tuple[str, ...] | list[str]) -> list[str]:
    """The reasons as the case item keeps them: a band's reason without its fixed tail."""
    normal, head, urgent_head, urgent_tail = _band_tails()

    def short(reason: str) -> str:
        if reason == normal:
            return head
        if reason.startswith(urgent_head) and reason.endswith(urgent_tail) and "\n" not in reason:
            return reason[: -len(urgent_tail)]
        return reason

    return [short(reason) for reason in reasons]


def read_reasons(stored: Any) -> tuple[str, ...]:
    """The reasons of a case item, each band's reason whole again (stored_reasons' inverse)."""
    normal, head, urgent_head, urgent_tail = _band_tails()

    def whole(reason: str) -> str:
        if reason == head:
            return normal
        if reason.startswith(urgent_head) and reason.endswith(")") and not reason.endswith(urgent_tail):
            return reason + urgent_tail
        return reason

    return tuple(whole(str(reason)) for reason in stored)


def case_view(item: Mapping[str, Any]) -> dict[str, Any]:
    """A case item (plain values) with what the item leaves to the codec: its reasons whole and its link (for readers
    of the raw item, such as the escalation emails)."""
    return {**item, "reasons": list(read_reasons(item.get("reasons", ()))), "link": case_from_item(dict(item)).link}


def day_key(day: Any) -> str:
    """The CasesByDay index's partition: the UTC date a case was opened."""
    return f"DAY#{day:%Y-%m-%d}"


def handle_key(handle: str) -> str | None:
    """X handles are case-insensitive: the CasesByCustomer index keys on the lower-cased handle, without @."""
    return handle.strip().lstrip("@").lower() or None


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
            following=int(item.get("customer_following") or 0),
            created_at=moment("customer_since"),
        ),
        family=Family(item["family"]),
        channel=Channel(item["channel"]),
        status=CaseStatus(item["status"]),
        opened_at=from_iso(item["opened_at"]),
        last_activity_at=from_iso(item["last_activity_at"]),
        waiting_since=moment("waiting_since"),
        priority=int(item.get("priority", 0)),
        topic=item.get("topic", "other"),
        reasons=read_reasons(item.get("reasons", ())),
        rank=int(item["queue_rank"]) if "queue_rank" in item else None,
        inbound_count=int(item.get("inbound_count", 0)),
        triage_text=item.get("triage_text", ""),
        preview=item.get("preview", ""),
        lang=item.get("lang"),
        reply_to_id=item.get("reply_to_id"),
        quoted_id=item.get("quoted_id"),
        first_response_at=moment("first_response_at"),
        last_response_at=moment("last_response_at"),
        response_count=int(item.get("response_count") or 0),
        reopened=int(item.get("reopened") or 0),
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
        claimed_by=item.get("claimed_by"),
        claimed_at=moment("claimed_at"),
        ref=item.get("reference", ""),
        outage=item.get("outage"),
        urgent_override=item.get("urgent_override"),
        tags=tuple(item.get("tags", ())),
        notes_text=item.get("notes_text", ""),
        first_responder=item.get("first_responder"),
        version=int(item.get("version", 0)),
    )


def message_to_item(case_id: str, message: Message) -> dict[str, Any]:
    return {
        "pk": case_key(case_id)["pk"],
        "sk": message_sk(message),
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
        "sent_by": message.sent_by,
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
        sent_by=item.get("sent_by"),
    )


ACTIVITY_PREFIX = "ACT#"


def activity_item(
    case_id: str, at: datetime, agent: str, action: str, detail: str = "", source: str = ""
) -> dict[str, Any]:
    """One agent action on a case (claim, reply, note, close, noise...), kept with the case, in time order;
    `source` says where the agent acted (inbox, cli)."""
    import time
    import uuid

    # time_ns keeps two actions of one second in the order they happened; the random tail keeps keys unique.
    return {
        "pk": case_key(case_id)["pk"],
        "sk": f"{ACTIVITY_PREFIX}{to_iso(at)}#{time.time_ns():020d}#{uuid.uuid4().hex[:6]}",
        "type": "activity",
        "case_id": case_id,
        "at": to_iso(at),
        "agent": agent,
        "action": action,
        "detail": detail,
        **({"source": source} if source else {}),
    }


def outbox_key(claim: str) -> dict[str, str]:
    return {"pk": f"OUTBOX#{claim}", "sk": "OUTBOX"}


def cursor_key(feed: str) -> dict[str, str]:
    return {"pk": f"CURSOR#{feed}", "sk": "CURSOR"}


def reads_key(day: Any) -> dict[str, str]:
    return {"pk": f"READS#{day:%Y-%m-%d}", "sk": "READS"}


HEALTH_KEY = {"pk": "HEALTH#status", "sk": "HEALTH"}
# Automatic posting paused (X stopped carebird: revoked, refused refresh, no credits, usage cap): one item.
AUTOMATION_KEY = {"pk": "AUTOMATION#state", "sk": "AUTOMATION"}


def refresh_claim_key(refresh_token: str) -> dict[str, str]:
    """Who spends this single-use refresh token: keyed by its digest, never by the token itself."""
    return {"pk": f"OAUTH2#{hashlib.sha256(refresh_token.encode()).hexdigest()[:40]}", "sk": "REFRESH"}


def pause_to_item(reason: str, kind: str, since: datetime) -> dict[str, Any]:
    return {
        **AUTOMATION_KEY,
        "type": "automation",
        "paused": True,
        "reason": reason,
        "kind": kind,
        "since": to_iso(since),
    }


def pause_from_item(item: Mapping[str, Any] | None) -> tuple[str, str, datetime] | None:
    """(reason, kind, since) while automatic posting is paused, else None."""
    if not item or not item.get("paused"):
        return None
    return str(item.get("reason", "")), str(item.get("kind", "")), from_iso(str(item["since"]))


def outage_key(service: str) -> dict[str, str]:
    """The failure reports of one service and its declared outage (carebird.domain.outages), one small item."""
    return {"pk": f"OUTAGE#{service}", "sk": "OUTAGE"}


TEAM_PK = "TEAM"  # the agents' roster: one item per agent (sk: the agent's identity), read on every inbox call


def agent_key(agent: str) -> dict[str, str]:
    return {"pk": TEAM_PK, "sk": agent.strip().lower()}


def answer_nonce_key(case_id: str, nonce: str) -> dict[str, str]:
    """An agent's answer, claimed by the page's nonce before it is posted (a double click posts once)."""
    return {"pk": f"ANSWER#{case_id}", "sk": nonce}


# Stream records the SLA dispatcher and the acknowledger receive: case items only (the template's filters).
STREAM_CASE_FILTER = {"dynamodb": {"Keys": {"sk": {"S": [CASE_SK]}}}}
STREAM_NEW_CASE_FILTER = {"eventName": ["INSERT"], **STREAM_CASE_FILTER}


def case_image(image: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """A stream image (already deserialised) when it is a case item, else None: the one test of "is a case"."""
    return image if image and image.get(SORT_KEY) == CASE_SK else None


def opt_out_key(customer_id: str) -> dict[str, str]:
    """A customer who wrote "stop" (or another opt-out word): no automated message reaches them again."""
    return {"pk": f"OPTOUT#{customer_id}", "sk": "OPTOUT"}


def opt_out_item(customer_id: str, message_id: str, at: datetime) -> dict[str, Any]:
    return {**opt_out_key(customer_id), "type": "opt-out", "opted_out_at": to_iso(at), "message_id": message_id}


def usage_key(day: Any) -> dict[str, str]:
    """What carebird did on X on a UTC day, by xbill.USAGE name: the X bill's counters."""
    return {"pk": f"XUSAGE#{day:%Y-%m-%d}", "sk": "XUSAGE"}


USAGE_DAYS = 400  # counters kept for a year of bills

COMPLIANCE_KEY = {"pk": "COMPLIANCE#jobs", "sk": "COMPLIANCE"}  # X's batch compliance jobs carebird awaits
# KPI counters (carebird.domain.kpi, kept from the stream by the dispatcher): one row per UTC hour in one partition, its
# counters as numeric attributes "n:<counter>"; and per case the contribution last counted, at the case's version,
# so a redelivered or stale stream record changes nothing.
KPI_PARTITION = "KPI"
KPI_COUNTER_PREFIX = "n:"


def kpi_hour_key(hour: str) -> dict[str, str]:
    return {"pk": KPI_PARTITION, "sk": f"HOUR#{hour}"}


def kpi_mark_key(case_id: str) -> dict[str, str]:
    return {"pk": f"KPIMARK#{case_id}", "sk": "KPIMARK"}


# The first responses of a local day (carebird.domain.kpi.first_response_counters), in the KPI partition beside the
# hour rows: the team's (agent "": "n:c<bucket>") and each agent's ("n:o<bucket>", "n:c<bucket>"); the KPI page
# reads a window's days in one Query.
KPI_AGENT_ROW = "AGENT#"


def kpi_agent_key(day: str, agent: str) -> dict[str, str]:
    return {"pk": KPI_PARTITION, "sk": f"{KPI_AGENT_ROW}{day}#{agent}"}


def kpi_agent_days(first_day: str, last_day: str) -> tuple[str, str]:
    """The sort keys bounding the agents' rows of these local days ("$" sorts right after "#")."""
    return f"{KPI_AGENT_ROW}{first_day}#", f"{KPI_AGENT_ROW}{last_day}$"


def kpi_agent_counters_from_typed_item(item: Mapping[str, Any]) -> tuple[str, str, dict[str, int]]:
    """(local day, agent, counters) of an agent's KPI row as DynamoDB returns it (typed: {"N": "12"})."""
    day, _, agent = item["sk"]["S"].removeprefix(KPI_AGENT_ROW).partition("#")
    return day, agent, kpi_counters_from_typed_item(item)[1]


# The open queue's version (carebird.app.inbox): a counter the dispatcher adds one to on every stream record of a case
# that is or was waiting; the inbox reads it first, and an unchanged version answers 304 without reading the queue.
QUEUE_VERSION_KEY = {"pk": "QUEUE", "sk": "VERSION"}
QUEUE_VERSION_ATTRIBUTE = "changes"


# What no queue row shows (carebird.app.inbox.queue_row, its order and counts): a change of these alone, such as the
# out-of-hours acknowledgement's (acknowledged_at, ack_via, version), leaves every open-queue page as it was.
QUEUE_UNSHOWN = frozenset({"version", "acknowledged_at", "ack_via", "triage_text", "inbound_count", "history"})


def queue_changed(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> bool:
    """Whether a case's stream record can change what the open queue shows: the case is or was waiting, and it
    entered or left the queue or changed something a queue row shows (anything but QUEUE_UNSHOWN)."""
    old_case, new_case = case_image(old), case_image(new)
    if not any(image is not None and image.get("queue") == QUEUE_KEY for image in (old_case, new_case)):
        return False
    if old_case is None or new_case is None:
        return True
    return any(old_case.get(name) != new_case.get(name) for name in (set(old_case) | set(new_case)) - QUEUE_UNSHOWN)


def kpi_counters_from_item(item: Mapping[str, Any]) -> tuple[str, dict[str, int]]:
    """(hour, counters) of an hourly KPI row."""
    counters = {k[len(KPI_COUNTER_PREFIX) :]: int(v) for k, v in item.items() if k.startswith(KPI_COUNTER_PREFIX)}
    return str(item["sk"]).removeprefix("HOUR#"), counters


def kpi_counters_from_typed_item(item: Mapping[str, Any]) -> tuple[str, dict[str, int]]:
    """(hour, counters) of an hourly KPI row as DynamoDB returns it (typed: {"N": "12"}), decoded directly: the
    same as kpi_counters_from_item(from_dynamo(item)) without a Decimal per counter (a month is 744 rows)."""
    prefix, cut = KPI_COUNTER_PREFIX, len(KPI_COUNTER_PREFIX)
    counters = {k[cut:]: int(v["N"]) for k, v in item.items() if k.startswith(prefix)}
    return item["sk"]["S"].removeprefix("HOUR#"), counters
