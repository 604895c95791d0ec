"""Handlers in-process on moto, the table built from the template's own definition."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import boto3
import pytest
from carebird_local import local
from carebird_local.motopatch import instant_workflow_retries, key_level_transaction_rollback, serialise_aws_calls
from moto import mock_aws

from carebird.aws.case_store import DynamoCaseStore

TABLE = "carebird-test-cases"
FIXTURES_RECEIVED_AT = datetime(2025, 11, 25, 12, 0, tzinfo=UTC)  # after every post of tests/fixtures
SECRET = "test-consumer-secret"


@pytest.fixture(scope="session")
def embedded_aws():
    """One embedded AWS for the whole session (moto, state machines really executed): its boto3 session, service
    models and the parsed template are paid for once. Each test still starts from an empty account (`aws`)."""
    import os
    import time

    saved = dict(os.environ)
    os.environ.update(AWS_DEFAULT_REGION="eu-west-3", TZ="UTC")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"):
        os.environ[name] = "testing"
    os.environ.pop("AWS_PROFILE", None)
    time.tzset()
    key_level_transaction_rollback()  # a transaction's rollback copies its items, not whole tables (as the bench)
    mock = mock_aws(config={"stepfunctions": {"execute_state_machine": True}})
    mock.start()
    yield mock
    mock.stop()
    os.environ.clear()
    os.environ.update(saved)
    time.tzset()


@pytest.fixture
def aws(embedded_aws, monkeypatch, request):
    """An empty AWS account for this test (every moto backend reset), the environment and clock restored after."""
    import os

    from carebird import clock
    from carebird.aws import secrets

    serialise_aws_calls(monkeypatch.setattr)
    if "real_time_retries" not in request.keywords:  # a test that acts while the workflow waits keeps the waits
        instant_workflow_retries(monkeypatch.setattr)
    clock.travel_to(FIXTURES_RECEIVED_AT)  # X delivers a post within minutes: a time far from its receipt is not kept
    saved = dict(os.environ)  # functions' settings live in the environment, as in Lambda: restored after the test
    embedded_aws.reset()
    secrets.forget()
    yield
    secrets.forget()
    clock.reset()
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture
def deployed(aws, monkeypatch):
    """The webhook as deployed: table, secret, environment, a fresh cold start."""
    dynamodb = boto3.client("dynamodb")
    local.create_cases_table(dynamodb, TABLE)
    secret_arn = local.create_x_secret(boto3.client("secretsmanager"), "carebird-test-x", SECRET)
    monkeypatch.setenv("CASES_TABLE", TABLE)
    monkeypatch.setenv("X_SECRET_ARN", secret_arn)
    monkeypatch.setenv("BRAND_USER_ID", "1500000000000000001")
    monkeypatch.setenv("BRAND_HANDLE", "LumiereAide")
    monkeypatch.setenv("INGESTER_FUNCTION", "carebird-test-ingester")
    ingester = local.load_function("ingester")
    module = local.load_function("webhook")
    queue = local.connect_webhook(module, ingester)
    context = local.LambdaContext(function_name="carebird-webhook")
    return SimpleNamespace(
        module=module,
        ingester=ingester,
        queue=queue,
        call=lambda event: _call(module, queue, event, context),
        post=lambda event: local.post_delivery(module, queue, event, context),
        dynamodb=dynamodb,
        store=DynamoCaseStore(TABLE, dynamodb),
    )


def _call(webhook, queue, event, context):
    """The webhook's HTTP response; then Lambda runs what it handed over (the ingester), as it does moments later."""
    response = webhook.lambda_handler(event, context)
    queue.run_pending(queued_here=True)
    return response


def item_count(dynamodb) -> int:
    return dynamodb.scan(TableName=TABLE, Select="COUNT")["Count"]


@pytest.fixture
def embedded_settings():
    """Override in a test module to change the functions' settings (SLA_MINUTES, OPENING_HOURS, ...)."""
    return {}


@pytest.fixture
def embedded(aws, embedded_settings):
    """The whole stack on the embedded AWS (real state machine executions), as `carebird demo` runs it."""
    return local.EmbeddedStack(SECRET, "1500000000000000001", "LumiereAide", TABLE, settings=embedded_settings)


X_CREDENTIALS = {
    "consumer_key": "ck",
    "consumer_secret": SECRET,
    "access_token": "at",
    "access_token_secret": "ats",
    "bearer_token": "bt",
}


def create_deployed_stack(
    name: str = "carebird", parameters: dict[str, str] | None = None, outputs: dict[str, str] | None = None
) -> str:
    """A CloudFormation stack on moto whose outputs point at the embedded table and an X secret, deployed with
    `parameters` (the others at their defaults); the secret's ARN."""
    import json

    secret = boto3.client("secretsmanager").create_secret(Name=f"{name}-x", SecretString=json.dumps(X_CREDENTIALS))
    template = {
        "Parameters": {key: {"Type": "String"} for key in parameters or {}},
        "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
        "Outputs": {
            "CasesTableName": {"Value": TABLE},
            "XSecretArn": {"Value": secret["ARN"]},
            "BrandUserId": {"Value": "1500000000000000001"},
            "BrandHandle": {"Value": "LumiereAide"},
            **{key: {"Value": value} for key, value in (outputs or {}).items()},
        },
    }
    boto3.client("cloudformation").create_stack(
        StackName=name,
        TemplateBody=json.dumps(template),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in (parameters or {}).items()],
    )
    return secret["ARN"]
