"""`carebird redrive`: the deliveries the ingester gave up on, stored again from the FailuresQueue (moto, Lambda's
synchronous invocation answered at the transport by the ingester's own handler)."""

from __future__ import annotations

import json
import re

import boto3
import pytest
from botocore.exceptions import ClientError
from carebird_local import local, target
from carebird_local.cli import main
from carebird_local.invoke import SyncLambda, on_failure_record
from click.testing import CliRunner

from carebird import clock
from tests.helpers import fixture
from tests.integration.conftest import SECRET, create_deployed_stack, item_count

INGESTER = "carebird-test-ingester"  # the deployed fixture's INGESTER_FUNCTION
INGESTER_ARN = f"arn:aws:lambda:eu-west-3:123456789012:function:{INGESTER}"


class Unavailable:
    """A DynamoDB client whose every call fails as an outage does (the ingester raises; Lambda retries it)."""

    def __init__(self, client):
        self.client, self.exceptions = client, client.exceptions

    def __getattr__(self, name):
        if not callable(getattr(self.client, name)):
            return getattr(self.client, name)

        def refuse(*_args, **_kwargs):
            raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "injected"}}, name)

        return refuse


@pytest.fixture
def failures(deployed, monkeypatch):
    """The deployed webhook and ingester, a FailuresQueue, a stack whose outputs name both, and the CLI's Lambda
    client answered by the ingester's handler (what Lambda runs for a RequestResponse invocation)."""
    sqs = boto3.client("sqs")
    queue = sqs.create_queue(QueueName="carebird-test-failures")["QueueUrl"]
    create_deployed_stack(outputs={"IngesterFunctionName": INGESTER, "FailuresQueueUrl": queue})
    synchronous = SyncLambda()
    synchronous.route(INGESTER, deployed.ingester)
    made = target.make_client

    def make_client(service, *args):
        client = made(service, *args)
        return synchronous.attach(client) if service == "lambda" else client

    monkeypatch.setattr(target, "make_client", make_client)
    deployed.sqs, deployed.failures_queue, deployed.synchronous = sqs, queue, synchronous
    return deployed


def fail_to_store(deployed, name: str) -> dict:
    """Deliver `name` while DynamoDB is down for the ingester: its three attempts fail and Lambda sends its record
    to the FailuresQueue (here: by hand, in Lambda's shape). The webhook answered 200: the handover was accepted."""
    store = deployed.ingester.store
    store.client = Unavailable(store.client)
    try:
        status = deployed.call(local.signed_delivery(fixture(name), SECRET))["statusCode"]
    finally:
        store.client = store.client.client
    invocation = deployed.queue.invocations[-1]
    assert status == 200 and invocation.failed and len(invocation.errors) == 3
    record = on_failure_record(INGESTER_ARN, invocation.payload, invocation.errors[-1], 3, clock.now())
    deployed.sqs.send_message(QueueUrl=deployed.failures_queue, MessageBody=json.dumps(record))
    return record


def messages_in(deployed) -> list[dict]:
    """Every message of the queue, visible now (each received and made visible again)."""
    got = deployed.sqs.receive_message(QueueUrl=deployed.failures_queue, MaxNumberOfMessages=10, VisibilityTimeout=0)
    return got.get("Messages", [])


def test_a_delivery_the_ingester_gave_up_on_is_stored_and_its_message_deleted_other_failures_left_visible(failures):
    # Given a delivery the ingester could not store, beside a stream consumer's failure and a Scheduler dead letter
    fail_to_store(failures, "aaa-mention.json")
    assert failures.store.get_case("public-1860000000000000101") is None
    stream_failure = {
        "requestContext": {"functionArn": "arn:aws:lambda:eu-west-3:1:function:carebird-Dispatcher", "condition":
                           "RetryAttemptsExhausted"}, "DDBStreamBatchInfo": {"batchSize": 1},
    }  # fmt: skip
    failures.sqs.send_message(QueueUrl=failures.failures_queue, MessageBody=json.dumps(stream_failure))
    failures.sqs.send_message(QueueUrl=failures.failures_queue, MessageBody='{"digest": "scheduled"}')

    # When the operator redrives the queue
    result = CliRunner().invoke(main, ["redrive", "--stack", "carebird"])

    # Then the delivery is stored, through the ingester, and only its message is gone
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if not line.startswith("{")]  # the ingester's EMF line: in
    # process here, its own log group deployed
    assert len(lines) == 4 and lines[-1] == "1 stored, 0 failed, 2 left for other tools"
    stored = [line for line in lines if line.startswith("stored")]
    assert len(stored) == 1 and re.search(r"received 2025-11-25T12:0\d:\d\d\+00:00: aaa: created 1$", stored[0])
    assert any("not the ingester's: a failure of carebird-Dispatcher (RetryAttemptsExhausted)" in x for x in lines)
    assert any("not the ingester's: not a Lambda invocation record" in x for x in lines)
    assert failures.store.get_case("public-1860000000000000101") is not None
    assert [name for name, _ in failures.synchronous.calls] == [INGESTER]
    left = sorted(m["Body"] for m in messages_in(failures))  # visible again at once, bodies as they were
    assert left == sorted([json.dumps(stream_failure), '{"digest": "scheduled"}'])


def test_a_record_handled_twice_stores_nothing_twice(failures):
    # Given a delivery stored by a redrive whose record is then in the queue again (a delete lost, a copy kept)
    record = fail_to_store(failures, "aaa-mention.json")
    assert CliRunner().invoke(main, ["redrive", "--stack", "carebird"]).exit_code == 0
    items = item_count(failures.dynamodb)
    failures.sqs.send_message(QueueUrl=failures.failures_queue, MessageBody=json.dumps(record))

    # When it is redriven again
    result = CliRunner().invoke(main, ["redrive", "--stack", "carebird"])

    # Then the ingester finds it stored: nothing new, the message deleted
    assert result.exit_code == 0 and "aaa: duplicate 1" in result.output, result.output
    assert item_count(failures.dynamodb) == items and messages_in(failures) == []
    assert failures.store.get_case("public-1860000000000000101").inbound_count == 1


def test_a_delivery_that_fails_again_stays_in_the_queue_and_the_command_exits_1(failures):
    # Given a delivery the ingester gave up on, and DynamoDB still down
    fail_to_store(failures, "aaa-mention.json")
    store = failures.ingester.store
    store.client = Unavailable(store.client)

    # When the operator redrives the queue
    result = CliRunner().invoke(main, ["redrive", "--stack", "carebird"])
    store.client = store.client.client

    # Then the line says why, the message stays (visible again), and a later redrive stores it
    assert result.exit_code == 1
    assert "failed" in result.output and "StorageUnavailable" in result.output and "left in the queue" in result.output
    assert len(messages_in(failures)) == 1
    assert CliRunner().invoke(main, ["redrive", "--stack", "carebird"]).exit_code == 0
    assert messages_in(failures) == [] and failures.store.get_case("public-1860000000000000101") is not None


def test_the_ingesters_record_without_its_delivery_is_left_with_the_way_to_get_it_back(failures):
    # Given a record of the ingester whose event Lambda left out (too large for the queue's message)
    record = fail_to_store(failures, "aaa-mention.json")
    failures.sqs.purge_queue(QueueUrl=failures.failures_queue)
    del record["requestPayload"]
    failures.sqs.send_message(QueueUrl=failures.failures_queue, MessageBody=json.dumps(record))

    # When the operator redrives the queue
    result = CliRunner().invoke(main, ["redrive", "--stack", "carebird"])

    # Then nothing is invoked, the message stays, and the line says how to get the delivery back
    assert result.exit_code == 0 and "carebird x replay" in result.output
    assert failures.synchronous.calls == [] and len(messages_in(failures)) == 1


def test_the_ingesters_failure_on_an_event_that_is_no_handover_is_left_and_said_so(failures):
    record = fail_to_store(failures, "aaa-mention.json")
    failures.sqs.purge_queue(QueueUrl=failures.failures_queue)
    record["requestPayload"] = {"format": "someone-else/1", "body": "e30="}
    failures.sqs.send_message(QueueUrl=failures.failures_queue, MessageBody=json.dumps(record))

    result = CliRunner().invoke(main, ["redrive", "--stack", "carebird"])

    assert result.exit_code == 0 and "an event that is no handover of the webhook" in result.output
    assert failures.synchronous.calls == [] and len(messages_in(failures)) == 1


def test_an_empty_queue_and_a_stack_without_the_outputs_are_said_in_one_line(failures):
    assert CliRunner().invoke(main, ["redrive", "--stack", "carebird"]).output == "the failures queue is empty\n"
    create_deployed_stack("older")  # deployed before the ingester existed

    result = CliRunner().invoke(main, ["redrive", "--stack", "older"])

    assert result.exit_code == 1
    assert "stack older has no IngesterFunctionName or FailuresQueueUrl output" in result.output


def test_the_local_stack_is_told_it_has_no_failures_queue(monkeypatch):
    from carebird_local import cli

    local_stack = target.Stack("carebird-local", outputs={}, parameters={}, endpoint="http://127.0.0.1:9", region="x")
    monkeypatch.setattr(cli, "open_stack", lambda *_args: local_stack)

    result = CliRunner().invoke(main, ["redrive", "--local"])

    assert result.exit_code == 1 and "the local stack has no failures queue" in result.output


def test_redrive_says_what_it_does_in_its_help():
    result = CliRunner().invoke(main, ["redrive", "--help"])

    assert result.exit_code == 0 and "Example: carebird redrive --stack carebird" in result.output
