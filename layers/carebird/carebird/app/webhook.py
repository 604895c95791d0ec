"""The webhook use case: CRC challenge, signature check, then the delivery handed over to the ingester.

X waits for this answer, and bills nothing for it: the webhook verifies what X signed and hands the bytes over in one
asynchronous invocation (carebird.app.handoff); decoding, triage and storage happen in the ingester
(carebird.app.delivery), whose cold start and writes X never waits for. Nothing here imports them.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from carebird.app.handoff import handoff_payload, require_json_object
from carebird.errors import PayloadError
from carebird.settings import WebhookSettings
from carebird.x import signature

if TYPE_CHECKING:  # Protocols for the type checker only: defining them costs every cold start
    from carebird.ports import Handoff


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


# A token in X's format: base64 characters. Never `{`, quotes or spaces, so no JSON object can be a CRC token
# and the CRC answer can never serve as the signature of a delivery (the oracle attack).
CRC_TOKEN = re.compile(r"[A-Za-z0-9+/=_-]{1,256}")


@dataclass
class Webhook:
    """Receives X deliveries for one brand, verifies them and hands them to the ingester."""

    settings: WebhookSettings
    secret: Callable[[], str]
    handoff: Handoff
    now: Callable[[], datetime] = field(default_factory=lambda: _utc_now)

    def challenge(self, crc_token: str | None) -> dict[str, str]:
        if not crc_token:
            raise PayloadError("crc_token query parameter is required")
        if not CRC_TOKEN.fullmatch(crc_token):
            raise PayloadError("crc_token is not in X's format (up to 256 base64 characters)")
        return signature.crc_response(self.secret(), crc_token)

    def receive(self, event: Mapping[str, Any], signature_header: str | None) -> int:
        """Verify a delivery and hand it over; the number of bytes handed over. A body that is no JSON object is a
        PayloadError (400): X sends objects, and the CRC answer signs only tokens without `{`. What is inside the
        object (invalid bytes, unknown events) is the ingester's to quarantine, never a reason to refuse it."""
        data = raw_body(event, self.settings.max_body_bytes)
        signature.verify(self.secret(), data, signature_header)
        require_json_object(data)
        self.handoff.hand_over(handoff_payload(data, self.now()))
        return len(data)


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class RejectionLog:
    """Refused requests (forged signatures, bodies that are no delivery, junk CRC tokens) logged as they cost: the
    first at once, then one line per `interval` seconds per container with the count by status since the last
    line, never one line per request (a junk flood would be billed a log line each). The counts also leave as
    their count, in that same line (the access log's WebhookClientErrors metric counts them for the alarm)."""

    interval: float = 60.0
    clock: Callable[[], float] = time.monotonic
    counts: Counter[int] = field(default_factory=Counter)
    last_line: float | None = None

    def refused(self, status: int, reason: str, log: Any) -> int:
        """Count one refusal; log the line when due. The number of refusals the line reports (0: not logged)."""
        self.counts[status] += 1
        now = self.clock()
        if self.last_line is not None and now - self.last_line < self.interval:
            return 0
        reported = sum(self.counts.values())
        by_status = {str(code): count for code, count in sorted(self.counts.items())}
        log.warning("requests refused (one line a minute at most)", extra={"by_status": by_status, "latest": reason})
        self.counts.clear()
        self.last_line = now
        return reported


REJECTIONS = RejectionLog()  # per container: a warm container's count carries over between requests


def _response(status: int, body: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}


def answer_http(webhook: Webhook, event: Mapping[str, Any], log: Any) -> dict[str, Any]:
    """The webhook function's answer to one HTTP event. A 503 (a normal Lambda response) needs no metric of its own:
    the API's 5xx metric counts it and carries the alarm. Refusals are counted in their sampled log line; the access
    log's WebhookClientErrors metric carries their alarm. The delivery's metrics are the ingester's."""
    response = handle_http(webhook, event, log)
    response.pop("refused", None)
    return response


def handle_http(
    webhook: Webhook, event: Mapping[str, Any], log: Any, rejections: RejectionLog = REJECTIONS
) -> dict[str, Any]:
    """Route an HTTP API (payload 2.0) or Function URL event; every error becomes its status here, and only here.

    A refused request's response carries `refused`: the refusals its sampled log line reports (usually 0)."""
    from carebird.errors import ConfigurationError, SignatureError

    context = event.get("requestContext") or {}
    method = str((context.get("http") or {}).get("method") or event.get("httpMethod") or "").upper()
    path = str(event.get("rawPath") or event.get("path") or "/")
    if path.rstrip("/") not in ("/webhook", ""):
        return _response(404, {"error": f"no route {path}"}) | {"refused": rejections.refused(404, "no route", log)}
    try:
        if method == "GET":
            query = event.get("queryStringParameters") or {}
            return _response(200, webhook.challenge(query.get("crc_token")))
        if method == "POST":
            headers = {str(k).lower(): v for k, v in (event.get("headers") or {}).items()}
            handed_over = webhook.receive(event, headers.get(signature.SIGNATURE_HEADER))
            log.debug("delivery handed over", extra={"bytes": handed_over})
            return _response(200, {"accepted": handed_over})
        refused = rejections.refused(405, f"method {method[:10]}", log)
        return _response(405, {"error": f"method {method} not allowed: GET (CRC) or POST (deliveries)"}) | {
            "refused": refused
        }
    except SignatureError as error:
        return _response(401, {"error": str(error)}) | {"refused": rejections.refused(401, str(error), log)}
    except PayloadError as error:
        return _response(400, {"error": str(error)}) | {"refused": rejections.refused(400, str(error), log)}
    except ConfigurationError as error:
        log.error("configuration error", extra={"reason": str(error)})
        return _response(503, {"error": "carebird is not configured yet"})
    except Exception:
        log.exception("delivery not handed over; X will retry")
        return _response(503, {"error": "temporarily unavailable, retry later"})
