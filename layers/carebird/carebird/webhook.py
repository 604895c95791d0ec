"""The webhook use case: CRC challenge, signature check, parse, persist. No X calls, no slow side effects."""

from __future__ import annotations

import base64
import binascii
import json
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from carebird import signature
from carebird.config import WebhookSettings
from carebird.errors import PayloadError
from carebird.ingest import CaseStore, Outcome, Result, apply_event
from carebird.normalise import Delivery, parse_delivery


@dataclass
class Summary:
    """What a delivery did, for the response body and the logs (never the message texts)."""

    feed: str
    outcomes: Counter[str] = field(default_factory=Counter)
    ignored: list[str] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)

    def metrics(self) -> list[tuple[str, dict[str, str]]]:
        """(metric, dimensions) per stored customer message: volume by channel and topic."""
        points = []
        for result in self.results:
            if result.outcome in (Outcome.CREATED, Outcome.APPENDED) and result.channel:
                points.append(("MessagesReceived", {"channel": result.channel.value}))
            if result.outcome is Outcome.CREATED and result.channel:
                points.append(("CasesOpened", {"channel": result.channel.value, "topic": result.topic or "other"}))
        return points

    def as_body(self) -> dict[str, Any]:
        return {"feed": self.feed, "outcomes": dict(self.outcomes), "ignored": len(self.ignored)}


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


@dataclass
class Webhook:
    """Receives X deliveries for one brand and turns them into cases."""

    settings: WebhookSettings
    store: CaseStore
    secret: Callable[[], str]

    def challenge(self, crc_token: str | None) -> dict[str, str]:
        if not crc_token:
            raise PayloadError("crc_token query parameter is required")
        return signature.crc_response(self.secret(), crc_token)

    def receive(self, event: Mapping[str, Any], signature_header: str | None) -> Summary:
        data = raw_body(event, self.settings.max_body_bytes)
        signature.verify(self.secret(), data, signature_header)
        delivery = parse_delivery(decode_json(data), self.settings.brand)
        return self.persist(delivery)

    def persist(self, delivery: Delivery) -> Summary:
        summary = Summary(feed=delivery.feed, ignored=list(delivery.ignored))
        if delivery.ignored:
            summary.outcomes[Outcome.IGNORED.value] += len(delivery.ignored)
        for event in delivery.events:
            result = apply_event(self.store, event, self.settings.ingest)
            summary.outcomes[result.outcome.value] += 1
            summary.results.append(result)
        return summary


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
