"""What the webhook hands the ingester: the exact bytes X signed, verified, and when they arrived.

The webhook answers X as soon as a delivery is verified and handed over (one asynchronous Lambda invocation: Lambda
keeps it in its queue, invokes the ingester, retries it twice on a failure, then keeps it in the failures queue); the
ingester decodes, triages and stores it (carebird.app.delivery). The body travels as base64, so every byte X signed
arrives as it was, undecodable ones included (they are quarantined there, never lost here).

An on-failure record from the failures queue (Lambda's `requestPayload` wrapping the handover) is read as the
handover it wraps: sending that message to the ingester again stores the delivery (docs/reliability.md).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from carebird.errors import PayloadError

FORMAT = "carebird.delivery/1"
# Lambda's limit for an asynchronous invocation's payload (AWS Lambda API reference, Invoke: "For asynchronous
# invocations, the maximum payload size is 1 MB"). A handover the ingester gives up on reaches the failures queue
# inside Lambda's on-failure record (the request payload, the error, the context), and SQS takes a message of
# 1,048,576 bytes at most (the queue's MaximumMessageSize, set to that in the template): a record Lambda cannot send
# counts only in its DestinationDeliveryFailures metric ("Capturing records of Lambda asynchronous invocations").
# So a handover leaves room for the record around it; the settings keep MAX_BODY_BYTES to what fits.
MAX_PAYLOAD_BYTES = 1_048_576
ENVELOPE_BYTES = 200  # the JSON around the base64 body: the format, the time, the keys
RECORD_BYTES = 16_384  # the on-failure record around the handover: context, error message and stack trace


def largest_body(payload_bytes: int = MAX_PAYLOAD_BYTES - RECORD_BYTES) -> int:
    """The largest delivery whose handover fits in `payload_bytes` (base64: 4 bytes for every 3)."""
    return (payload_bytes - ENVELOPE_BYTES) // 4 * 3


def require_json_object(data: bytes) -> None:
    """A PayloadError (400) for a body that is empty or does not open a JSON object: X sends objects, and the CRC
    answer signs only tokens without `{`. What is inside the object is the ingester's to store or quarantine."""
    if not data.strip():
        raise PayloadError("empty body: expected an X activity delivery")
    if data.lstrip()[:1] != b"{":
        raise PayloadError("body must be a JSON object (an X activity delivery)")


def handoff_payload(data: bytes, received_at: datetime) -> bytes:
    """The handover of a verified delivery, as the ingester's invocation payload."""
    body = base64.b64encode(data).decode("ascii")
    return json.dumps({"format": FORMAT, "received_at": received_at.isoformat(), "body": body}).encode("ascii")


def read_handoff(event: Mapping[str, Any]) -> tuple[bytes, datetime]:
    """The delivery's bytes and the time the webhook received them; a PayloadError for anything else."""
    if not isinstance(event, Mapping):
        raise PayloadError("a handover is a JSON object")
    wrapped = event.get("requestPayload")
    handover = wrapped if isinstance(wrapped, Mapping) else event  # an on-failure record, sent again by hand
    if handover.get("format") != FORMAT:
        raise PayloadError(f"not a handover of the webhook ({FORMAT})")
    body, received = handover.get("body"), handover.get("received_at")
    if not isinstance(body, str) or not isinstance(received, str) or len(body) > MAX_PAYLOAD_BYTES:
        raise PayloadError("a handover holds its body as base64 text and its time as ISO 8601 text")
    try:
        data = base64.b64decode(body, validate=True)
        received_at = datetime.fromisoformat(received)
    except (binascii.Error, ValueError) as exc:
        raise PayloadError(f"a handover's body or time does not decode: {str(exc)[:100]}") from exc
    if received_at.tzinfo is None:
        raise PayloadError("a handover's time must say its offset from UTC")
    return data, received_at
