"""The X secret is read on every delivery from the copy a container keeps, and from Secrets Manager again once the
copy is CACHE_SECONDS old (a rotation is picked up within five minutes)."""

from __future__ import annotations

import json

import boto3
import pytest
from carebird_local import local

from carebird.aws import secrets
from carebird.errors import ConfigurationError


def _counting_reads() -> list[str]:
    """GetSecretValue calls made from now on by the client the functions use."""
    calls: list[str] = []
    events = secrets.client().meta.events
    events.register("before-call.secrets-manager.GetSecretValue", lambda **_: calls.append("read"))
    return calls


def test_the_secret_is_read_once_per_five_minutes_and_a_rotation_is_seen_after_them(aws, monkeypatch):
    manager = boto3.client("secretsmanager")
    arn = local.create_x_secret(manager, "secret-reads", "first")
    now = [1000.0]
    monkeypatch.setattr(secrets.time, "monotonic", lambda: now[0])
    assert secrets.consumer_secret(arn) == "first"
    reads = _counting_reads()

    manager.put_secret_value(SecretId=arn, SecretString=json.dumps({"consumer_secret": "second"}))
    now[0] += secrets.CACHE_SECONDS - 1
    kept = [secrets.consumer_secret(arn) for _ in range(3)]
    now[0] += 2
    rotated = secrets.consumer_secret(arn)

    assert kept == ["first"] * 3 and rotated == "second" and reads == ["read"]


def test_a_forgotten_secret_is_read_again_with_a_new_client(aws):
    manager = boto3.client("secretsmanager")
    arn = local.create_x_secret(manager, "secret-provider", "first")
    assert secrets.consumer_secret(arn) == "first"
    manager.put_secret_value(SecretId=arn, SecretString=json.dumps({"consumer_secret": "second"}))

    kept_by = secrets.client()
    secrets.forget()

    assert secrets.consumer_secret(arn) == "second" and secrets.client() is not kept_by


def test_a_secret_that_is_not_a_json_object_is_a_configuration_error(aws):
    manager = boto3.client("secretsmanager")
    arn = manager.create_secret(Name="not-json", SecretString="consumer_secret=abc")["ARN"]

    with pytest.raises(ConfigurationError, match="JSON object"):
        secrets.consumer_secret(arn)
