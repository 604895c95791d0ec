"""The bench's loopback AWS answers the webhook's handover as Lambda does, over a real socket."""

from contextlib import contextmanager

import boto3
from moto.core.config import default_user_config

from bench.loopback import KeepAliveMotoServer, create_target_function
from bench.worker import request_identity


@contextmanager
def loopback_lambda(function_name: str, answers: int):
    """The bench's loopback moto with its Lambda answering `answers` Event invokes, a target function made on it:
    (the Lambda client, the target's ARN)."""
    server = KeepAliveMotoServer().start()
    try:
        server.lambda_without_docker("eu-west-3", answers=answers)
        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="eu-west-3"
        )
        awslambda = session.client("lambda", endpoint_url=server.endpoint)
        arn = create_target_function(session.client("iam", endpoint_url=server.endpoint), awslambda, function_name)
        yield awslambda, arn
    finally:
        server.stop()


def test_an_event_invoke_travels_to_the_loopback_lambda_and_is_answered_202_with_no_body():
    before = dict(default_user_config["lambda"])
    with loopback_lambda("bench-target", answers=3) as (awslambda, arn):
        assert awslambda.get_function(FunctionName="bench-target")["Configuration"]["FunctionArn"] == arn
        payload = b'{"format": "carebird.delivery/1", "body": "e30="}'
        answers = [awslambda.invoke(FunctionName="bench-target", InvocationType="Event", Payload=payload)
                   for _ in range(2)]  # fmt: skip
        assert [(a["StatusCode"], a["Payload"].read()) for a in answers] == [(202, b""), (202, b"")]
    assert default_user_config["lambda"] == before  # the process's other mocks keep moto's default Lambda


def test_a_replayed_request_is_named_by_its_target_or_else_by_its_method_and_path():
    class Request:
        def __init__(self, headers: dict, url: str) -> None:
            self.headers, self.url, self.method = headers, url, "POST"

    dynamodb = Request({"X-Amz-Target": b"DynamoDB_20120810.GetItem"}, "http://127.0.0.1:1/")
    invoke = Request({}, "http://127.0.0.1:1/2015-03-31/functions/probe-ingester/invocations")
    assert request_identity(dynamodb) == "DynamoDB_20120810.GetItem"
    assert request_identity(invoke) == "POST /2015-03-31/functions/probe-ingester/invocations"


def test_consecutive_handovers_reuse_one_connection_to_lambda():
    """An Invoke's answer holds its (empty) body open until it is read: unread, every handover opened a new connection
    (in AWS, a new TLS handshake per delivery). Over a real socket, the webhook's handovers share one."""
    from carebird.aws.handoff import LambdaHandoff

    with loopback_lambda("bench-reuse", answers=5) as (awslambda, _):
        handoff = LambdaHandoff("bench-reuse", awslambda)
        for _ in range(5):
            handoff.hand_over(b'{"format": "carebird.delivery/1", "body": "e30="}')
        pools = list(awslambda._endpoint.http_session._manager.pools._container.values())
    assert sum(pool.num_connections for pool in pools) == 1
