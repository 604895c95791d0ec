"""The webhook's handover to the ingester carries every byte X signed, and always fits Lambda's asynchronous limit."""

import base64
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from carebird import settings
from carebird.app.handoff import FORMAT, MAX_PAYLOAD_BYTES, handoff_payload, largest_body, read_handoff
from carebird.errors import ConfigurationError, PayloadError

RECEIVED = datetime(2025, 11, 25, 12, 0, 0, 123456, tzinfo=UTC)


def test_the_bytes_and_the_time_arrive_exactly_as_the_webhook_received_them():
    body = (
        b'{"for_user_id": "1", "text": "caf\xc3\xa9 \xff not utf-8"}'  # an invalid byte is the ingester's to quarantine
    )

    data, received_at = read_handoff(json.loads(handoff_payload(body, RECEIVED)))

    assert (data, received_at) == (body, RECEIVED)


def test_a_time_in_another_offset_keeps_its_instant():
    paris = RECEIVED.astimezone(timezone(timedelta(hours=1)))

    assert read_handoff(json.loads(handoff_payload(b"{}", paris)))[1] == RECEIVED


def test_the_largest_delivery_the_settings_accept_fits_one_asynchronous_invocation():
    cap = settings.webhook({"X_SECRET_ARN": "s", "INGESTER_FUNCTION": "f", "MAX_BODY_BYTES": str(largest_body())})
    far_future = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-23, minutes=-59)))

    payload = handoff_payload(b"\xff" * cap.max_body_bytes, far_future)
    on_failure_record = json.dumps({
        "version": "1.0", "timestamp": "2025-11-25T12:00:00.000Z",
        "requestContext": {"requestId": "e4b46cbf-b738-xmpl-8880-a18cdf61200e", "condition": "RetriesExhausted",
                           "functionArn": "arn:aws:lambda:eu-west-3:123456789012:function:" + "f" * 64 + ":$LATEST",
                           "approximateInvokeCount": 3},
        "requestPayload": json.loads(payload),
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "responsePayload": {"errorMessage": "e" * 2000, "errorType": "StorageUnavailable",
                            "stackTrace": ["s" * 200] * 40},
    })  # fmt: skip

    assert len(payload) <= MAX_PAYLOAD_BYTES
    assert len(on_failure_record.encode()) <= 1_048_576  # the failures queue's largest message


def test_a_body_limit_lambda_could_not_carry_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="MAX_BODY_BYTES"):
        settings.webhook({"X_SECRET_ARN": "s", "INGESTER_FUNCTION": "f", "MAX_BODY_BYTES": str(largest_body() + 1)})


def test_an_on_failure_record_from_the_failures_queue_reads_as_the_handover_it_wraps():
    handover = json.loads(handoff_payload(b'{"a": 1}', RECEIVED))
    record = {
        "version": "1.0",
        "requestContext": {"condition": "RetriesExhausted", "approximateInvokeCount": 3},
        "requestPayload": handover,
        "responsePayload": {"errorMessage": "ProvisionedThroughputExceededException"},
    }

    assert read_handoff(record) == (b'{"a": 1}', RECEIVED)


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"format": "carebird.delivery/0", "received_at": RECEIVED.isoformat(), "body": ""},
        {"format": FORMAT, "received_at": RECEIVED.isoformat()},
        {"format": FORMAT, "received_at": RECEIVED.isoformat(), "body": "not base64!"},
        {"format": FORMAT, "received_at": "yesterday", "body": base64.b64encode(b"{}").decode()},
        {"format": FORMAT, "received_at": "2025-11-25T12:00:00", "body": base64.b64encode(b"{}").decode()},
        {"format": FORMAT, "received_at": 1764072000, "body": base64.b64encode(b"{}").decode()},
        {"requestPayload": "not an object"},
    ],
    ids=["empty", "other format", "no body", "not base64", "no time", "naive time", "number time", "bad record"],
)
def test_anything_but_a_handover_is_one_clear_payload_error(event):
    with pytest.raises(PayloadError):
        read_handoff(event)
