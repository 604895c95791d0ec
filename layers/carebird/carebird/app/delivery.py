"""The ingestion of a verified delivery: decode, parse, store every event, quarantine what cannot be stored.

The webhook verifies a delivery and hands its bytes over (carebird.app.handoff); the ingester function stores them
here, away from the time X waits for its answer. The watcher and the poller store their pages through `persist`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from carebird.app.handoff import read_handoff, require_json_object
from carebird.app.ingest import Outcome, Result, apply_event
from carebird.domain.model import Event, Message
from carebird.domain.outages import OutageWatch
from carebird.errors import CarebirdError, ConfigurationError, StorageRefused
from carebird.settings import IngesterSettings
from carebird.x.normalise import Delivery, Rejected, parse_delivery

if TYPE_CHECKING:  # Protocols for the type checker only: defining them costs every cold start
    from carebird.ports import CaseStore, Quarantine


@dataclass
class Summary:
    """What a delivery did, for the response body and the logs (never the message texts)."""

    feed: str
    outcomes: Counter[str] = field(default_factory=Counter)
    ignored: list[str] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    unknown_types: list[str] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)

    def metrics(self) -> list[tuple[dict[str, int], dict[str, str]]]:
        """(metrics, details) per EMF line: one line per stored customer message (volume by channel, and for a new
        case by topic too), one for the quarantined events."""
        lines: list[tuple[dict[str, int], dict[str, str]]] = []
        for result in self.results:
            if result.outcome is Outcome.CREATED and result.channel:
                details = {"channel": result.channel.value, "topic": result.topic or "other"}
                lines.append(({"MessagesReceived": 1, "CasesOpened": 1}, details))
            elif result.outcome is Outcome.APPENDED and result.channel:
                lines.append(({"MessagesReceived": 1}, {"channel": result.channel.value}))
        if self.quarantined:
            lines.append(({"EventsQuarantined": len(self.quarantined)}, {}))
        return lines

    def as_body(self) -> dict[str, Any]:
        """`outcomes` counts every event of the delivery once: stored, duplicate, ignored or quarantined."""
        return {"feed": self.feed, "outcomes": {name: count for name, count in self.outcomes.items() if count}}


# Integers longer than this stay text (Python refuses to convert 4,301 digits and more); X's longest are ids of
# 20 digits and times of 13, so such a field is refused by the field's own check, never by the whole delivery.
MAX_INT_DIGITS = 40
RAW_KEPT = 100_000  # characters of an undecodable part kept in the quarantine


def _bounded_int(digits: str) -> int | str:
    return int(digits) if len(digits) <= MAX_INT_DIGITS else digits


def _loads(data: bytes) -> Any:
    return json.loads(data.decode("utf-8"), parse_int=_bounded_int)


def decode_delivery(data: bytes) -> tuple[Any, list[Rejected]]:
    """The JSON of a delivery, and the parts of it that could not be decoded (to quarantine).

    A body that fails to decode whole (an invalid UTF-8 byte, nesting deeper than the parser goes) is split: each
    member of the top object, and when one fails, each element of that member's list or object, is decoded on its
    own. What decodes is kept; each part that does not is one `Rejected` with its raw text (bounded). Data after the
    object is one `Rejected`, the object decoded as above. A body that cannot be split (unbalanced) is one
    `Rejected` and an empty delivery. A body that is no JSON object at all is a PayloadError (400), never kept: X
    sends objects, and the CRC answer signs only tokens without `{`.
    """
    require_json_object(data)
    try:
        return _loads(data), []
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        failure = _decode_failure(exc)
    end = _object_end(data)
    if end is not None and data[end:].strip():  # the delivery, then more: the delivery kept, what follows quarantined
        kept, refused = decode_delivery(data[:end])
        return kept, [*refused, Rejected("body has data after its JSON object", _raw_text(data[end:]))]
    members = _split(data, 0, len(data))
    if members is None:
        return {}, [Rejected(f"body is not valid JSON: {failure}", _raw_text(data))]
    body: dict[str, Any] = {}
    rejected: list[Rejected] = []
    for start, end in members:
        _salvage_member(data, start, end, body, rejected)
    return body, rejected


def _salvage_member(data: bytes, start: int, end: int, body: dict[str, Any], rejected: list[Rejected]) -> None:
    """One `"key": value` of the top object into `body`; when it fails, its value's items one by one."""
    try:
        body.update(_loads(b"{" + data[start:end] + b"}"))
        return
    except (ValueError, RecursionError) as exc:
        failure = _decode_failure(exc)
    colon = _first_colon(data, start, end)
    try:
        key = _loads(data[start:colon]) if colon is not None else None
    except (ValueError, RecursionError):
        key = None
    items = _split(data, colon + 1, end) if colon is not None and isinstance(key, str) else None
    if items is None or colon is None or not isinstance(key, str):
        rejected.append(Rejected(f"body is not valid JSON: {failure}", _raw_text(data[start:end])))
        return
    is_list = data[colon + 1 : end].lstrip()[:1] == b"["
    kept: list[Any] | dict[str, Any] = [] if is_list else {}
    for index, (item_start, item_end) in enumerate(items):
        part = data[item_start:item_end]
        try:
            value = _loads(b"[" + part + b"]")[0] if is_list else _loads(b"{" + part + b"}")
        except (ValueError, RecursionError) as exc:
            rejected.append(Rejected(f"{key[:60]}[{index}] is not valid JSON: {_decode_failure(exc)}", _raw_text(part)))
            continue
        kept.append(value) if isinstance(kept, list) else kept.update(value)
    body[key] = kept


# The bytes that shape JSON (quotes, brackets, commas, colons) are ASCII, and UTF-8 never uses an ASCII byte
# inside a multi-byte character: the structure is found in the raw bytes, whatever invalid bytes sit in strings.
# A string left open runs to the end of the span, one token: looked for its closing quote again from every `"`
# inside it, a run of escaped quotes cost time quadratic in its length (32 kB: 17-30 s).
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*(?:"|\\?\Z)|[\[\]{},:]', re.DOTALL)


def _split(data: bytes, start: int, end: int) -> list[tuple[int, int]] | None:
    """The spans of the members or elements of the object or list in data[start:end]; None when it is neither,
    or is not balanced."""
    depth, opened_at, parts, part_start = 0, None, [], 0
    for token in _TOKEN.finditer(data, start, end):
        kind = token.group()
        if kind in (b"{", b"["):
            depth += 1
            if depth == 1:
                if data[start : token.start()].strip():
                    return None
                opened_at, part_start = kind, token.end()
        elif kind in (b"}", b"]"):
            depth -= 1
            if depth < 0 or (depth == 0 and {b"{": b"}", b"[": b"]"}[opened_at or b"{"] != kind):
                return None
            if depth == 0:
                if data[token.end() : end].strip():
                    return None
                if data[part_start : token.start()].strip():
                    parts.append((part_start, token.start()))
                return parts
        elif kind == b"," and depth == 1:
            parts.append((part_start, token.start()))
            part_start = token.end()
    return None


def _object_end(data: bytes) -> int | None:
    """Where the body's first object ends (just after its `}`); None when it never closes."""
    depth = 0
    for token in _TOKEN.finditer(data):
        kind = token.group()
        if kind in (b"{", b"["):
            depth += 1
        elif kind in (b"}", b"]"):
            depth -= 1
            if depth <= 0:
                return token.end() if depth == 0 and kind == b"}" else None
    return None


def _first_colon(data: bytes, start: int, end: int) -> int | None:
    """Where the `:` after a member's key is (the key is the member's first token, a string)."""
    tokens = _TOKEN.finditer(data, start, end)
    key, colon = next(tokens, None), next(tokens, None)
    if key is None or colon is None or key.group()[:1] != b'"' or colon.group() != b":":
        return None
    return colon.start()


def _decode_failure(exc: BaseException) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return f"invalid UTF-8 byte 0x{exc.object[exc.start]:02x}"
    if isinstance(exc, RecursionError):
        return "nested deeper than the parser goes"
    return str(exc)[:120]


def _raw_text(part: bytes) -> str:
    """An undecodable part as text for the quarantine: invalid bytes as \\xNN escapes, at most RAW_KEPT characters."""
    return part[: RAW_KEPT * 4].decode("utf-8", "backslashreplace")[:RAW_KEPT]


# Failures that depend on the event's own data: the event is quarantined, its neighbours stored. Anything else
# (storage outage, conflicts that never settled, an unexpected error) fails the invocation: Lambda invokes the
# ingester again with the same delivery (and X redelivers what the watcher and the poller could not store).
EVENT_FAULTS = (StorageRefused, ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError)


# Time kept for what follows the storing: the quarantine writes, the log and metric lines.
STOP_MARGIN_SECONDS = 2.0


class OutOfTime(CarebirdError):
    """The invocation's time is nearly spent: the events not yet stored are left for the next attempt."""


@dataclass
class Ingester:
    """Turns verified X deliveries into cases: the webhook hands them over, the watcher and the poller call persist."""

    settings: IngesterSettings
    store: CaseStore
    quarantine: Quarantine | None = None
    # the brand withdrew carebird's access (when, if X said): pause.Brakes.stop(REVOKED)
    on_revoke: Callable[[datetime | None], Any] | None = None
    outages: OutageWatch | None = None  # counts failure reports across customers (carebird.domain.outages)
    watch_failures: int = 0  # reports the outage watch could not count (the case itself is stored)

    def ingest(self, data: bytes, received_at: datetime, seconds_left: Callable[[], float] | None = None) -> Summary:
        """A delivery's bytes, verified by the webhook when `received_at`: decoded, parsed, stored (see persist)."""
        body, undecodable = decode_delivery(data)
        delivery = parse_delivery(body, self.settings.brand, received_at) if body else Delivery()
        delivery.rejected.extend(undecodable)
        return self.persist(delivery, received_at, seconds_left)

    def persist(
        self, delivery: Delivery, received_at: datetime, seconds_left: Callable[[], float] | None = None
    ) -> Summary:
        """Store every valid event; keep every other one in the quarantine. Raise only on an outage, or OutOfTime when
        fewer than STOP_MARGIN_SECONDS remain: what is stored stays stored, and the next attempt (Lambda's retry of
        the ingester; X's next poll for the watcher and the poller) stores the rest (the stored ones are duplicates
        then, one read or none each)."""
        summary = Summary(feed=delivery.feed, ignored=list(delivery.ignored), unknown_types=delivery.unknown_types)
        summary.outcomes[Outcome.IGNORED.value] += len(delivery.ignored)
        if delivery.revoked and self.on_revoke is not None:  # an undated revocation happened when X sent it, not
            self.on_revoke(delivery.revoked_at or received_at)  # when stored (a retry may come after a resume)
        rejected = list(delivery.rejected)
        outage: Exception | None = None
        for raw, outcome in self._apply_all(delivery, seconds_left):
            if isinstance(outcome, EVENT_FAULTS):
                rejected.append(Rejected(f"not stored: {type(outcome).__name__}: {str(outcome)[:300]}", raw))
            elif isinstance(outcome, Exception):
                outage = outage or outcome
            else:
                summary.outcomes[outcome.outcome.value] += 1
                summary.results.append(outcome)
        if isinstance(outage, OutOfTime):
            stored = sum(summary.outcomes.values())
            raise OutOfTime(f"stopped {STOP_MARGIN_SECONDS:g} s before the timeout with {stored} events done")
        if outage is not None:
            raise outage  # X redelivers; what was stored is not stored twice
        for item in rejected:
            self._keep(item, delivery.feed, received_at)
            summary.quarantined.append(item.reason)
        if rejected:
            summary.outcomes["quarantined"] += len(rejected)
        return summary

    def _keep(self, item: Rejected, feed: str, received_at: datetime) -> None:
        """Quarantine one rejected event. Should its raw be refused too, its reason and a bounded excerpt are kept
        instead: a poison event is kept once, never a failed invocation on each of Lambda's attempts."""
        if self.quarantine is None:
            raise ConfigurationError("no quarantine to keep a rejected event in")
        try:
            self.quarantine.quarantine(item.reason, item.raw, feed, received_at)
        except (*EVENT_FAULTS, RecursionError) as refused:
            excerpt = repr(item.raw)[:2000] if isinstance(item.raw, str) else type(item.raw).__name__
            reason = f"{item.reason} (raw refused by the store: {type(refused).__name__})"
            self.quarantine.quarantine(reason, excerpt.encode("ascii", "backslashreplace").decode(), feed, received_at)

    def _apply_all(
        self, delivery: Delivery, seconds_left: Callable[[], float] | None = None
    ) -> list[tuple[Any, Result | Exception]]:
        """Each event on its own; one conversation's events in order, different conversations in parallel; none
        started once fewer than STOP_MARGIN_SECONDS remain."""
        conversations: dict[str, list[tuple[Event, Any]]] = {}
        for event, raw in zip(delivery.events, delivery.sources, strict=True):
            conversations.setdefault(_conversation_key(event), []).append((event, raw))

        def run(items: list[tuple[Event, Any]]) -> list[tuple[Any, Result | Exception]]:
            done: list[tuple[Any, Result | Exception]] = []
            for event, raw in items:
                if seconds_left is not None and seconds_left() < STOP_MARGIN_SECONDS:
                    done.append((raw, OutOfTime()))
                    continue
                try:
                    _refuse_unencodable(event)
                    done.append((raw, apply_event(self.store, event, self.settings.ingest)))
                except Exception as exc:  # classified by the caller: an outage (raised) or a refused event (quarantine)
                    done.append((raw, exc))
                    continue
                self._count_outage(event, done[-1][1])
            return done

        groups = list(conversations.values())
        if len(groups) <= 1 or self.settings.parallelism <= 1:
            return [done for group in groups for done in run(group)]
        with ThreadPoolExecutor(max_workers=min(self.settings.parallelism, len(groups))) as pool:
            return [done for finished in pool.map(run, groups) for done in finished]

    def _count_outage(self, event: Event, result: Result | Exception) -> None:
        """A customer's stored report counts towards an outage; a failure here never costs the stored case."""
        if self.outages is None or not isinstance(event, Message) or event.from_brand:
            return
        if not isinstance(result, Result) or result.outcome not in (Outcome.CREATED, Outcome.APPENDED):
            return
        try:
            self.outages.note(self.store, result.case_id or "", event.text, event.created_at)
        except Exception:  # the case is stored; the burst is counted on the next report
            self.watch_failures += 1


def _refuse_unencodable(event: Event) -> None:
    """A text UTF-8 cannot carry (JSON's `\\ud800`, an unpaired surrogate) is refused before any write: the store
    would refuse it on every redelivery. The event is quarantined instead (ValueError is an event fault)."""
    if isinstance(event, Message):
        for name, text in (("text", event.text), ("author name", event.author.name)):
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise ValueError(f"{name} holds an unpaired surrogate at character {exc.start}") from None


def _conversation_key(event: Event) -> str:
    """Events of one customer are applied in delivery order (a reply after the mention it answers)."""
    if isinstance(event, Message):
        return f"customer:{event.customer_id or event.author.id}"
    return f"post:{event.message_id}"


def answer_handoff(
    ingester: Ingester, event: Mapping[str, Any], log: Any, seconds_left: Callable[[], float] | None = None
) -> dict[str, Any]:
    """The ingester function's answer to one handed-over delivery (carebird.app.handoff), its lines logged and its
    metrics emitted: the delivery's stored messages and cases. What cannot be stored now (an outage, the time spent)
    raises: Lambda invokes the function again with the same delivery, twice, then keeps it in the failures queue
    (its alarm), and what was stored is not stored twice."""
    from carebird.aws.metrics import emit_together

    data, received_at = read_handoff(event)
    try:
        summary = ingester.ingest(data, received_at, seconds_left)
    except OutOfTime as error:
        log.warning(
            "delivery cut short before the timeout; stored again on the next attempt", extra={"reason": str(error)}
        )
        raise
    log.info("delivery processed", extra={"summary": summary.as_body()})
    log.debug("ignored items", extra={"ignored": summary.ignored[:50]})  # reasons and ids, never texts
    if summary.quarantined:
        log.error("events quarantined", extra={"reasons": summary.quarantined[:20]})
    for name in summary.unknown_types:
        log.warning("unknown X Activity event type", extra={"event_type": name})
    for values, details in summary.metrics():
        emit_together(values, details)
    return summary.as_body()
