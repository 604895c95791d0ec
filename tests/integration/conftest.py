"""Handlers in-process on moto, the table built from the template's own definition."""

from __future__ import annotations

from types import SimpleNamespace

import boto3
import pytest
from carebird_local import local
from moto import mock_aws

from carebird.store import DynamoCaseStore

TABLE = "carebird-test-cases"
SECRET = "test-consumer-secret"


def serialise_aws_calls(monkeypatch):
    """One AWS call at a time, as each DynamoDB request is atomic in AWS; moto's in-memory backends are not
    thread-safe (a transaction deep-copies tables that another thread is changing). Races between calls, the
    ones carebird must survive, still happen: threads interleave between requests."""
    import threading

    from botocore.client import BaseClient

    lock = threading.RLock()
    real = BaseClient._make_api_call

    def one_at_a_time(self, operation_name, api_params):
        with lock:
            return real(self, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", one_at_a_time)


@pytest.fixture
def aws(monkeypatch):
    serialise_aws_calls(monkeypatch)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    from aws_lambda_powertools.utilities.parameters import base

    base.DEFAULT_PROVIDERS.clear()
    with mock_aws():
        yield
    base.DEFAULT_PROVIDERS.clear()


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
    module = local.load_function("webhook")
    context = local.LambdaContext(function_name="carebird-webhook")
    return SimpleNamespace(
        module=module,
        call=lambda event: module.lambda_handler(event, context),
        dynamodb=dynamodb,
        store=DynamoCaseStore(TABLE, dynamodb),
    )


def item_count(dynamodb) -> int:
    return dynamodb.scan(TableName=TABLE, Select="COUNT")["Count"]


# Everything EmbeddedStack writes into the environment; removed before and restored after each test.
CONFIGURATION = (
    "CASES_TABLE",
    "X_SECRET_ARN",
    "BRAND_USER_ID",
    "BRAND_HANDLE",
    "STATE_MACHINE_ARN",
    "SLA_MINUTES",
    "SECOND_LEVEL_MINUTES",
    "OPENING_HOURS",
    "TIME_ZONE",
    "HOLIDAYS",
    "ANNOUNCE_LANGUAGE",
    "X_DRY_RUN",
    "ACK_ENABLED",
    "POWERTOOLS_METRICS_DISABLED",
    "DIGEST_TOPIC_ARN",
    "ALERT_TOPIC_ARN",
)


@pytest.fixture
def embedded_settings():
    """Override in a test module to change the functions' settings (SLA_MINUTES, OPENING_HOURS, ...)."""
    return {}


@pytest.fixture
def embedded(monkeypatch, embedded_settings):
    """The whole stack on moto (real state machine executions), as `carebird demo` runs it."""
    import time

    from carebird import clock

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    for name in CONFIGURATION:
        monkeypatch.delenv(name, raising=False)
    from aws_lambda_powertools.utilities.parameters import base

    base.DEFAULT_PROVIDERS.clear()
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield local.EmbeddedStack(SECRET, "1500000000000000001", "LumiereAide", TABLE, settings=embedded_settings)
    base.DEFAULT_PROVIDERS.clear()
    clock.reset()
    time.tzset()


X_CREDENTIALS = {
    "consumer_key": "ck",
    "consumer_secret": SECRET,
    "access_token": "at",
    "access_token_secret": "ats",
    "bearer_token": "bt",
}


def create_deployed_stack(name: str = "carebird", parameters: dict[str, str] | None = None) -> str:
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
        },
    }
    boto3.client("cloudformation").create_stack(
        StackName=name,
        TemplateBody=json.dumps(template),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in (parameters or {}).items()],
    )
    return secret["ARN"]
