"""The webhook use case: CRC challenge, signature check, parse, persist. No X calls, no slow side effects."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from carebird import signature
from carebird.errors import ConfigurationError, PayloadError, StorageRefused
from carebird.ingest import Outcome, Result, apply_event
from carebird.model import Event, Message
from carebird.normalise import Delivery, Rejected, parse_delivery
from carebird.ports import CaseStore, Quarantine
from carebird.settings import WebhookSettings


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


def raw_body(event: Mapping[str, Any], max_bytes: int) -> bytes:
    """The exact bytes X signed, decoding API Gateway's base64 wrapping when present."""
    body = event.get("body") or ""
    if not isinstance(body, str):
        raise PayloadError("body must be text")
    if len(body) > max_bytes * 4 // 3 + 4:
        raise PayloadError(f"body larger than {max_bytes} bytes")
    if event.get("isBase64Encoded"):
        try:
            data = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise PayloadError("body is flagged base64 but is not valid base64") from exc
    else:
        data = body.encode("utf-8", "surrogatepass")
    if len(data) > max_bytes:
        raise PayloadError(f"body larger than {max_bytes} bytes")
    return data


def decode_json(data: bytes) -> Any:
    if not data.strip():
        raise PayloadError("empty body: expected an X activity delivery")
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise PayloadError(f"body is not valid JSON: {str(exc)[:120]}") from exc


# A token in X's format: base64 characters. Never `{`, quotes or spaces, so no JSON object can be a CRC token
# and the CRC answer can never serve as the signature of a delivery (the oracle attack).
CRC_TOKEN = re.compile(r"[A-Za-z0-9+/=_-]{1,256}")
# Failures that depend on the event's own data: the event is quarantined, its neighbours stored, X gets a 200.
# Anything else (storage outage, conflicts that never settled, an unexpected error) is a 503: X redelivers.
EVENT_FAULTS = (StorageRefused, ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError)


@dataclass
class Webhook:
    """Receives X deliveries for one brand and turns them into cases."""

    settings: WebhookSettings
    store: CaseStore
    secret: Callable[[], str]
    quarantine: Quarantine | None = None
    now: Callable[[], datetime] = field(default_factory=lambda: _utc_now)
    # the brand withdrew carebird's access (when, if X said): pause.Brakes.stop(REVOKED)
    on_revoke: Callable[[datetime | None], Any] | None = None

    def challenge(self, crc_token: str | None) -> dict[str, str]:
        if not crc_token:
            raise PayloadError("crc_token query parameter is required")
        if not CRC_TOKEN.fullmatch(crc_token):
            raise PayloadError("crc_token is not in X's format (up to 256 base64 characters)")
        return signature.crc_response(self.secret(), crc_token)

    def receive(self, event: Mapping[str, Any], signature_header: str | None) -> Summary:
        data = raw_body(event, self.settings.max_body_bytes)
        signature.verify(self.secret(), data, signature_header)
        received_at = self.now()
        delivery = parse_delivery(decode_json(data), self.settings.brand, received_at)
        return self.persist(delivery, received_at)

    def persist(self, delivery: Delivery, received_at: datetime) -> Summary:
        """Store every valid event; keep every other one in the quarantine. Raise only on an outage (503)."""
        summary = Summary(feed=delivery.feed, ignored=list(delivery.ignored), unknown_types=delivery.unknown_types)
        summary.outcomes[Outcome.IGNORED.value] += len(delivery.ignored)
        if delivery.revoked and self.on_revoke is not None:
            self.on_revoke(delivery.revoked_at)
        rejected = list(delivery.rejected)
        outage: Exception | None = None
        for raw, outcome in self._apply_all(delivery):
            if isinstance(outcome, EVENT_FAULTS):
                rejected.append(Rejected(f"not stored: {type(outcome).__name__}: {str(outcome)[:300]}", raw))
            elif isinstance(outcome, Exception):
                outage = outage or outcome
            else:
                summary.outcomes[outcome.outcome.value] += 1
                summary.results.append(outcome)
        if outage is not None:
            raise outage  # X redelivers; what was stored is not stored twice
        for item in rejected:
            if self.quarantine is None:
                raise ConfigurationError("no quarantine to keep a rejected event in")
            self.quarantine.quarantine(item.reason, item.raw, delivery.feed, received_at)
            summary.quarantined.append(item.reason)
        if rejected:
            summary.outcomes["quarantined"] += len(rejected)
        return summary

    def _apply_all(self, delivery: Delivery) -> list[tuple[Any, Result | Exception]]:
        """Each event on its own; one conversation's events in order, different conversations in parallel."""
        conversations: dict[str, list[tuple[Event, Any]]] = {}
        for event, raw in zip(delivery.events, delivery.sources, strict=True):
            conversations.setdefault(_conversation_key(event), []).append((event, raw))

        def run(items: list[tuple[Event, Any]]) -> list[tuple[Any, Result | Exception]]:
            done: list[tuple[Any, Result | Exception]] = []
            for event, raw in items:
                try:
                    done.append((raw, apply_event(self.store, event, self.settings.ingest)))
                except Exception as exc:  # classified by the caller: outage (503) or a refused event (quarantine)
                    done.append((raw, exc))
            return done

        groups = list(conversations.values())
        if len(groups) <= 1 or self.settings.parallelism <= 1:
            return [done for group in groups for done in run(group)]
        with ThreadPoolExecutor(max_workers=min(self.settings.parallelism, len(groups))) as pool:
            return [done for finished in pool.map(run, groups) for done in finished]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _conversation_key(event: Event) -> str:
    """Events of one customer are applied in delivery order (a reply after the mention it answers)."""
    if isinstance(event, Message):
        return f"customer:{event.customer_id or event.author.id}"
    return f"post:{event.message_id}"


def _response(status: int, body: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}


def handle_http(webhook: Webhook, event: Mapping[str, Any], log: Any) -> dict[str, Any]:
    """Route an HTTP API (payload 2.0) or Function URL event; every error becomes its status here, and only here."""
    from carebird.errors import ConfigurationError, SignatureError

    context = event.get("requestContext") or {}
    method = str((context.get("http") or {}).get("method") or event.get("httpMethod") or "").upper()
    path = str(event.get("rawPath") or event.get("path") or "/")
    if path.rstrip("/") not in ("/webhook", ""):
        return _response(404, {"error": f"no route {path}"})
    try:
        if method == "GET":
            query = event.get("queryStringParameters") or {}
            return _response(200, webhook.challenge(query.get("crc_token")))
        if method == "POST":
            headers = {str(k).lower(): v for k, v in (event.get("headers") or {}).items()}
            summary = webhook.receive(event, headers.get(signature.SIGNATURE_HEADER))
            log.info("delivery processed", extra={"summary": summary.as_body()})
            log.debug("ignored items", extra={"ignored": summary.ignored[:50]})  # reasons and ids, never texts
            if summary.quarantined:
                log.error("events quarantined", extra={"reasons": summary.quarantined[:20]})
            for name in summary.unknown_types:
                log.warning("unknown X Activity event type", extra={"event_type": name})
            return _response(200, summary.as_body()) | {"summary": summary}
        return _response(405, {"error": f"method {method} not allowed: GET (CRC) or POST (deliveries)"})
    except SignatureError as error:
        log.warning("rejected unsigned delivery", extra={"reason": str(error)})
        return _response(401, {"error": str(error)})
    except PayloadError as error:
        log.warning("rejected delivery", extra={"reason": str(error)})
        return _response(400, {"error": str(error)})
    except ConfigurationError as error:
        log.error("configuration error", extra={"reason": str(error)})
        return _response(503, {"error": "carebird is not configured yet"})
    except Exception:
        log.exception("delivery not stored; X will retry")
        return _response(503, {"error": "temporarily unavailable, retry later"})
