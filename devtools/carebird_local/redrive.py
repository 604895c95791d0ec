"""Store again what the ingester gave up on: its on-failure records in the FailuresQueue (`carebird redrive`).

Lambda retries a failed asynchronous invocation of the ingester twice (and keeps one it cannot run, throttled, up to
an hour: the template's MaximumEventAgeInSeconds), then sends an invocation record to the on-failure destination,
the FailuresQueue: "For Amazon SQS [...] the invocation record is passed as the Message to the destination", a JSON
document with `requestContext` (`functionArn`, `condition`, `approximateInvokeCount`), `requestPayload` (the event:
here the webhook's handover, carebird.app.handoff), `responseContext` and `responsePayload` (the error)
(https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).

Each of the ingester's records is sent to the ingester again, synchronously (RequestResponse), so the operator sees
what it stored; its message is deleted only once the ingester answered without an error. The same queue holds the
stream consumers', the scheduled functions' and Scheduler's failures: those are read, left as they were and made
visible again at once. The ingester's writes are conditional, so a record handled twice stores nothing twice.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from carebird.app.handoff import FORMAT, read_handoff
from carebird.errors import PayloadError

# A received message stays hidden this long: more than one synchronous ingestion (the ingester's 30 s timeout) and the
# messages of a batch of ten handled one after another in the worst case would need; a message seen again is skipped.
VISIBILITY_SECONDS = 300
BATCH = 10  # SQS's most per ReceiveMessage
SHOWN = 200  # characters of an error or a description on a line


@dataclass(frozen=True)
class Handled:
    """What became of one message: `stored`, `failed` (left in the queue) or `left` (not the ingester's to store)."""

    outcome: str
    line: str


def function_name(arn: Any) -> str:
    """The function an ARN names (`arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`); '' for anything else."""
    parts = arn.split(":") if isinstance(arn, str) else []
    return parts[6] if len(parts) >= 7 and parts[5] == "function" else ""


def _short(text: Any) -> str:
    return " ".join(str(text).split())[:SHOWN]


def _record(body: str) -> Mapping[str, Any] | None:
    try:
        record = json.loads(body)
    except ValueError:
        return None
    return record if isinstance(record, Mapping) else None


def describe_other(record: Mapping[str, Any] | None) -> str:
    """What a message that is no delivery of the ingester is, in a few words."""
    if record is None:
        return "not a JSON object (not a Lambda invocation record)"
    context = record.get("requestContext")
    if isinstance(context, Mapping) and function_name(context.get("functionArn")):
        condition = _short(context.get("condition", "no condition"))
        return f"a failure of {function_name(context['functionArn'])} ({condition})"
    if "DDBStreamBatchInfo" in record:
        return "a stream batch a consumer could not process"
    return "not a Lambda invocation record (a schedule Scheduler could not deliver?)"


def _outcomes(answer: Mapping[str, Any]) -> str:
    outcomes = answer.get("outcomes")
    counted = ", ".join(f"{name} {count}" for name, count in outcomes.items()) if isinstance(outcomes, Mapping) else ""
    return f"{_short(answer.get('feed', '?'))}: {counted or 'nothing in it'}"


class Redrive:
    """One pass over the FailuresQueue: each of the ingester's deliveries stored again, everything else left."""

    def __init__(self, sqs: Any, lambda_client: Any, queue_url: str, ingester: str) -> None:
        self.sqs, self.lambda_client, self.queue_url, self.ingester = sqs, lambda_client, queue_url, ingester

    def run(self, limit: int, report: Callable[[str], None], wait_seconds: int = 1) -> Counter[str]:
        """Handle up to `limit` messages, reporting one line each; the outcomes counted."""
        counted: Counter[str] = Counter()
        kept: dict[str, str] = {}  # message id -> its latest receipt handle, for the messages left in the queue
        try:
            while sum(counted.values()) < limit:
                batch = self._receive(min(BATCH, limit - sum(counted.values())), wait_seconds)
                fresh = [m for m in batch if m["MessageId"] not in kept]
                kept.update({m["MessageId"]: m["ReceiptHandle"] for m in batch if m["MessageId"] in kept})
                if not fresh:
                    break  # the queue is empty, or holds only what this pass left
                for message in fresh:
                    handled = self.handle(message)
                    counted[handled.outcome] += 1
                    report(handled.line)
                    if handled.outcome != "stored":
                        kept[message["MessageId"]] = message["ReceiptHandle"]
        finally:
            for receipt in kept.values():  # visible again now, as they were: for the console, the next pass, the alarm
                with contextlib.suppress(Exception):  # else visible again when VISIBILITY_SECONDS have passed
                    self.sqs.change_message_visibility(
                        QueueUrl=self.queue_url, ReceiptHandle=receipt, VisibilityTimeout=0
                    )
        return counted

    def _receive(self, count: int, wait_seconds: int) -> list[dict[str, Any]]:
        answer = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=count,
            VisibilityTimeout=VISIBILITY_SECONDS,
            WaitTimeSeconds=wait_seconds,  # long polling asks every SQS server: an empty answer means an empty queue
        )
        return list(answer.get("Messages", []))

    def handle(self, message: Mapping[str, Any]) -> Handled:
        name, record = message["MessageId"], _record(message.get("Body", ""))
        handover = record.get("requestPayload") if record is not None else None
        context = record.get("requestContext") if record is not None else None
        failed_function = function_name(context.get("functionArn")) if isinstance(context, Mapping) else ""
        if not (isinstance(handover, Mapping) and handover.get("format") == FORMAT):
            if failed_function == self.ingester and handover is None:  # Lambda leaves out an event too large to send
                return Handled("left", f"left    {name}  the ingester's failure without its delivery (too large for "
                                       "the queue): ask X to replay that hour (carebird x replay)")  # fmt: skip
            if failed_function == self.ingester:
                return Handled("left", f"left    {name}  the ingester's failure on an event that is no handover of "
                                       f"the webhook ({FORMAT}): nothing to store")  # fmt: skip
            return Handled("left", f"left    {name}  not the ingester's: {describe_other(record)}")
        try:
            _data, received_at = read_handoff(handover)
        except PayloadError as error:
            return Handled("left", f"left    {name}  not a handover the ingester can read: {_short(error)}")
        return self._ingest(message, handover, f"delivery received {received_at.isoformat(timespec='seconds')}")

    def _ingest(self, message: Mapping[str, Any], handover: Mapping[str, Any], what: str) -> Handled:
        from botocore.exceptions import ClientError

        name = message["MessageId"]
        try:
            answer = self.lambda_client.invoke(
                FunctionName=self.ingester, InvocationType="RequestResponse", Payload=json.dumps(handover).encode()
            )
            payload = answer["Payload"].read()
        except ClientError as error:
            failure = error.response.get("Error", {})
            return Handled("failed", f"failed  {name}  {what}: Lambda refused: {failure.get('Code', 'error')}: "
                                     f"{_short(failure.get('Message', error))} (left in the queue)")  # fmt: skip
        result = _record(payload.decode("utf-8", "replace")) or {}
        if answer.get("FunctionError") or answer.get("StatusCode") != 200:
            kind, text = result.get("errorType", "error"), result.get("errorMessage", payload[:SHOWN])
            reason = f"{_short(kind)}: {_short(text)}"
            return Handled("failed", f"failed  {name}  {what}: {reason} (left in the queue)")
        self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return Handled("stored", f"stored  {name}  {what}: {_outcomes(result)}")
