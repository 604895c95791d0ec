"""The one DynamoDB helper the adapters share: the client (from carebird.aws.sdk's one session) and the mapping
of DynamoDB's error codes to carebird's errors (carebird.errors): an outage (throttling, service error, missing
table) is StorageUnavailable (retry later), an item DynamoDB refuses for good is StorageRefused, and a
transaction's cancellation reasons are read here."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from carebird.errors import StorageRefused, StorageUnavailable

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
# A transaction's cancellation reasons that mean "not now".
OUTAGE_REASONS = frozenset({"ThrottlingError", "ProvisionedThroughputExceeded", "TransactionConflict"})
CONDITION_FAILED = "ConditionalCheckFailedException"


def client(**kwargs: Any) -> Any:
    """A DynamoDB client from boto3's default session (carebird.aws.sdk: one session, one lock)."""
    from carebird.aws import sdk

    return sdk.client("dynamodb", **kwargs)


def typed_json_requests(client: Any) -> Any:
    """The client writes each request's body with one `json.dumps` of its parameters instead of botocore's walk of
    them through the operation's shapes (one call per attribute value: a sixth to a fifth of a transaction's CPU).

    Only for a client that does not validate its parameters (the walk is where botocore would) and is handed them
    in DynamoDB's typed form already: for such parameters (text, numbers as text, flags, lists and maps; DynamoDB's
    JSON protocol has no member renamed on the wire) the walk writes exactly `json.dumps(parameters)`
    (tests/integration/test_dynamo_requests.py holds the two equal on the webhook's traffic). A request holding
    anything JSON has no form for (bytes of a binary attribute, a Decimal, a datetime) goes through botocore's walk.
    The request's skeleton (method, target and content-type headers) is still botocore's, from empty parameters."""
    from botocore.validate import ParamValidationDecorator

    shaped = getattr(client, "_serializer", None)
    if shaped is not None and not isinstance(shaped, ParamValidationDecorator | _TypedJsonSerializer):
        client._serializer = _TypedJsonSerializer(shaped)
    return client


class _TypedJsonSerializer:
    """botocore's serializer interface (`serialize_to_request`) around the client's own serializer."""

    def __init__(self, shaped: Any) -> None:
        self.shaped = shaped

    def serialize_to_request(self, parameters: dict[str, Any], operation_model: Any) -> dict[str, Any]:
        try:
            body = json.dumps(parameters).encode("utf-8")
        except TypeError:  # bytes, Decimal, datetime: botocore's walk knows their wire form
            return self.shaped.serialize_to_request(parameters, operation_model)
        request: dict[str, Any] = self.shaped.serialize_to_request({}, operation_model)
        request["body"] = body
        return request


def error_code(exc: BaseException) -> str:
    """The DynamoDB error code of a ClientError ('' for anything else)."""
    return str(exc.response.get("Error", {}).get("Code", "")) if isinstance(exc, ClientError) else ""


def condition_failed(exc: BaseException) -> bool:
    """A conditional write refused because its condition did not hold (the idempotency guards)."""
    return error_code(exc) == CONDITION_FAILED


def cancellation_reasons(exc: BaseException) -> list[str | None]:
    """The codes of a cancelled transaction's items, in the order written (None or 'None': that item was fine)."""
    if not isinstance(exc, ClientError):
        return []
    return [reason.get("Code") for reason in exc.response.get("CancellationReasons", [])]


@contextmanager
def mapped_errors(operation: str) -> Iterator[None]:
    """Run one DynamoDB call: an outage becomes StorageUnavailable, an item refused for good StorageRefused;
    anything else (a failed condition, a cancelled transaction) goes to the caller unchanged."""
    try:
        yield
    except ClientError as exc:
        code = error_code(exc)
        if code in OUTAGE_CODES:
            raise StorageUnavailable(f"DynamoDB {operation}: {code}") from exc
        if code in REFUSAL_CODES:
            raise StorageRefused(f"DynamoDB {operation}: {code}: {exc.response['Error'].get('Message', '')}") from exc
        raise
    except BotoCoreError as exc:
        raise StorageUnavailable(f"DynamoDB {operation}: {type(exc).__name__}") from exc
