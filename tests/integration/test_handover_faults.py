"""The handover (webhook -> asynchronous ingester) against what AWS and X really do (written by an adversarial review).

Each test states a behaviour the handover must have once X got its 200, with the AWS documentation it relies on:
- Lambda's on-failure record (invocation-async-retain-records): {"version", "timestamp", "requestContext",
  "requestPayload", "responseContext", "responsePayload"}; "If Lambda can't send a record to a destination you have
  configured, it sends a DestinationDeliveryFailures metric ... Delivery errors can also occur due to permissions
  errors and size limits." https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
- SQS: "MaximumMessageSize ... Valid values: An integer from 1,024 bytes (1 KiB) to 1,048,576 bytes (1 MiB).
  Default: 1,048,576 bytes (1 MiB)." https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
- Lambda Invoke: "For asynchronous invocations, the maximum payload size is 1 MB."
  https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html (RequestTooLargeException, HTTP 413).
"""

from __future__ import annotations

import json
from datetime import timedelta

import boto3
import pytest
from botocore.exceptions import BotoCoreError, ClientError
from carebird_local import invoke, local

from carebird import clock
from carebird.app.handoff import largest_body
from carebird.aws.pause import DynamoAutomationState
from carebird.errors import StorageUnavailable
from tests.helpers import fixture
from tests.integration.conftest import SECRET, TABLE

pytestmark = pytest.mark.integration
RESOURCES = local.load_template()["Resources"]
SQS_MAX_MESSAGE_BYTES = 1_048_576  # SQS's hard maximum (and its default MaximumMessageSize)
LAMBDA_ASYNC_PAYLOAD_BYTES = 1_048_576  # "For asynchronous invocations, the maximum payload size is 1 MB"


def on_failure_record(invocation: local.Invocation) -> dict:
    """Lambda's record of an asynchronous invocation that failed every attempt, as the documentation shows it."""
    arn = f"arn:aws:lambda:eu-west-3:123456789012:function:{invocation.function_name}"
    return invoke.on_failure_record(arn, invocation.payload, invocation.errors[-1], len(invocation.errors), clock.now())


def failures_queue(sqs) -> str:
    """The FailuresQueue with the template's own properties (what it does not set is SQS's default)."""
    properties = RESOURCES["FailuresQueue"]["Properties"]
    attributes = {k: str(v) for k, v in properties.items() if k in ("MaximumMessageSize", "MessageRetentionPeriod")}
    return sqs.create_queue(QueueName="carebird-failures", Attributes=attributes)["QueueUrl"]


def test_a_delivery_of_the_largest_accepted_size_that_keeps_failing_is_kept_in_the_failures_queue(
    deployed, monkeypatch
):
    """X got a 200 for it: when the ingester fails it three times, Lambda's on-failure record must fit one SQS message,
    or Lambda drops it (DestinationDeliveryFailures) and the delivery is gone. The settings accept MAX_BODY_BYTES up
    to largest_body(), which only sizes the *invocation* (1 MB), not the record that wraps it."""
    monkeypatch.setenv("MAX_BODY_BYTES", str(largest_body()))
    ingester, webhook = local.load_function("ingester"), local.load_function("webhook")
    queue = local.connect_webhook(webhook, ingester)
    mention = fixture("aaa-mention.json")
    mention["padding"] = ""
    mention["padding"] = "x" * (largest_body() - len(json.dumps(mention).encode()))
    body = json.dumps(mention).encode()
    assert len(body) == largest_body()
    throttled = ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow"}}, "Op")
    monkeypatch.setattr(ingester.store, "lookup", lambda *a, **k: (_ for _ in ()).throw(throttled))

    response = webhook.lambda_handler(local.signed_delivery(body, SECRET), local.LambdaContext())
    queue.run_pending()

    assert response["statusCode"] == 200  # X will not deliver it again
    [failed] = queue.failed
    sqs = boto3.client("sqs")
    sqs.send_message(QueueUrl=failures_queue(sqs), MessageBody=json.dumps(on_failure_record(failed)))


def test_the_failures_queue_takes_the_largest_message_sqs_allows():
    """A record Lambda cannot send (too large) would be a lost delivery X got a 200 for: the queue takes SQS's largest
    message, and the settings keep a handover small enough for its record (the test above)."""
    assert RESOURCES["FailuresQueue"]["Properties"]["MaximumMessageSize"] == SQS_MAX_MESSAGE_BYTES


def test_an_ingester_falling_behind_for_an_hour_sends_its_events_to_the_failures_queue_and_its_alarm():
    """Throttled invocations are not retries: Lambda keeps a throttled event up to MaximumEventAgeInSeconds and nothing
    reaches the failures queue meanwhile. Before the handover the webhook's own throttles were 5xx the API alarm saw
    within 15 minutes; the ingester's events go to the failures queue (its alarm) after an hour, not Lambda's six."""
    config = RESOURCES["IngesterFunction"]["Properties"]["EventInvokeConfig"]
    failures_alarm = RESOURCES["FailuresAlarm"]["Properties"]

    assert config["MaximumEventAgeInSeconds"] <= 3600
    assert config["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": ["FailuresQueue", "Arn"]}
    assert failures_alarm["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": ["FailuresQueue", "QueueName"]}}
    ]


def test_the_webhooks_handover_gives_up_before_the_function_times_out(deployed):
    """A handover that hangs must end in the webhook's own 503, not in Lambda killing the function: the client's
    worst case (each attempt connecting then reading to its timeouts, plus standard mode's backoff) stays under the
    function's Timeout."""
    config = deployed.module.handoff.client().meta.config
    attempts = config.retries["total_max_attempts"]  # botocore: max_attempts N is N retries, N + 1 attempts
    worst_backoff = sum(min(2**attempt, 20) for attempt in range(attempts - 1))  # standard mode, a throttled attempt
    worst = attempts * (config.connect_timeout + config.read_timeout) + worst_backoff
    function = RESOURCES["WebhookFunction"]["Properties"]
    timeout = function.get("Timeout", local.load_template()["Globals"]["Function"]["Timeout"])

    assert worst < timeout, f"the Lambda client may wait {worst} s; the webhook is killed at {timeout} s"


def test_a_handover_to_a_lambda_endpoint_that_never_answers_is_tried_twice_then_refused(monkeypatch):
    """The client's budget (two attempts), measured against a loopback endpoint that accepts the request and never
    answers: at most two requests reach it."""
    import socket
    import threading
    import time

    from carebird.aws.handoff import LambdaHandoff

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            accepted.append(connection)  # read nothing, answer nothing

    threading.Thread(target=accept, daemon=True).start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", f"http://127.0.0.1:{server.getsockname()[1]}")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "t")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "t")
    started = time.monotonic()
    try:
        with pytest.raises(BotoCoreError):  # ReadTimeoutError once its attempts are spent
            LambdaHandoff("carebird-ingester").hand_over(b'{"format": "carebird.delivery/1"}')
    finally:
        server.close()
        for connection in accepted:
            connection.close()
    waited = time.monotonic() - started

    assert len(accepted) <= 2, f"{len(accepted)} requests in {waited:.1f} s"


def test_a_revocation_without_a_date_stored_again_after_the_team_resumed_pauses_nothing(deployed):
    """X's revocation dated nothing (X's date_time absent or odd): the ingester has the time the webhook received it.
    Sent again from the failures queue once the brand re-authorized (as the FailuresAlarm says to), it must not pause
    automation that was rightly resumed after it."""
    revocation = json.loads((local.PROJECT_ROOT / "tests/fixtures/x-docs/oauth.revoke.json").read_text())
    revocation["data"]["payload"]["user_id"] = "1500000000000000001"
    del revocation["data"]["payload"]["date_time"]
    outage = StorageUnavailable("DynamoDB unavailable")
    working = deployed.ingester.ingester.on_revoke
    deployed.ingester.ingester.on_revoke = lambda happened_at: (_ for _ in ()).throw(outage)

    assert deployed.call(local.signed_delivery(revocation, SECRET))["statusCode"] == 200
    [failed] = deployed.queue.failed  # an outage on every attempt: kept in the failures queue
    deployed.ingester.ingester.on_revoke = working
    state = DynamoAutomationState(TABLE, deployed.dynamodb)
    clock.travel_to(clock.now() + timedelta(hours=2))
    state.resume(at=clock.now())  # the brand authorized carebird again (carebird x authorize)
    clock.travel_to(clock.now() + timedelta(minutes=10))

    deployed.ingester.lambda_handler(on_failure_record(failed), local.LambdaContext())

    assert state.paused() is None


def test_the_local_lambda_queue_refuses_a_payload_lambda_would_refuse():
    """The harness answers an Event invocation as Lambda does, its 1 MB limit included: a handover too large must be
    refused in tests as it would be in AWS (HTTP 413), never run."""
    client = boto3.client(
        "lambda", region_name="eu-west-3", aws_access_key_id="t", aws_secret_access_key="t"
    )  # no AWS reached: the queue answers at the transport
    queue = local.AsyncLambda()
    queue.route("carebird-ingester", object())  # type: ignore[arg-type]
    queue.attach(client)
    payload = json.dumps({"body": "x" * LAMBDA_ASYNC_PAYLOAD_BYTES}).encode()

    with pytest.raises(ClientError) as refused:
        client.invoke(FunctionName="carebird-ingester", InvocationType="Event", Payload=payload)

    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413 and not queue.pending


def test_the_webhook_may_invoke_the_ingester_and_no_other_function():
    """Least privilege: lambda:InvokeFunction on the ingester's ARN. SAM's LambdaInvokePolicy grants
    `function:${FunctionName}*`: every function whose name begins with the ingester's, and its versions and aliases."""
    policies = RESOURCES["WebhookFunction"]["Properties"]["Policies"]
    statements = [s for p in policies if isinstance(p, dict) for s in p.get("Statement", [])]
    invoke = [s for s in statements if "lambda:InvokeFunction" in str(s.get("Action"))]

    assert not any("LambdaInvokePolicy" in p for p in policies if isinstance(p, dict))
    assert [s["Resource"] for s in invoke] == [{"Fn::GetAtt": ["IngesterFunction", "Arn"]}]


def test_handovers_queued_together_are_ingested_at_the_same_time_as_lambda_runs_them(deployed, monkeypatch):
    """Lambda runs queued events in as many execution environments as it needs, at once: the harness must too, or
    the ingester's races (the conditional writes of one conversation from two deliveries) are never exercised.
    (test_hostile_input's racing redeliveries race the ingester too: each thread runs its own handover)."""
    import threading
    import time

    handler = deployed.ingester.lambda_handler
    running, overlapped = [0], [0]
    lock = threading.Lock()

    def observed(event, context):
        with lock:
            running[0] += 1
            overlapped[0] = max(overlapped[0], running[0])
        time.sleep(0.2)  # long enough for a second environment to start meanwhile
        try:
            return handler(event, context)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(deployed.ingester, "lambda_handler", observed)
    for name in ("aaa-mention.json", "aaa-brand-reply.json"):
        response = deployed.module.lambda_handler(local.signed_delivery(fixture(name), SECRET), local.LambdaContext())
        assert response["statusCode"] == 200

    deployed.queue.run_pending()

    assert overlapped[0] == 2, "the two queued handovers ran one after the other"
