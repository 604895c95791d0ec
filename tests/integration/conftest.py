"""Handlers in-process on moto, the table built from the template's own definition."""

from __future__ import annotations

from types import SimpleNamespace

import boto3
import pytest
from moto import mock_aws

from carebird import local
from carebird.store import DynamoCaseStore

TABLE = "carebird-test-cases"
SECRET = "test-consumer-secret"


@pytest.fixture
def aws(monkeypatch):
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
