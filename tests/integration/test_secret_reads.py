"""The X secret is read on every delivery from the copy a container keeps, and from Secrets Manager again once the
copy is CACHE_SECONDS old (a rotation is picked up within five minutes, as with powertools' cache alone)."""

from __future__ import annotations

import json

import boto3
from carebird_local import local

from carebird.aws import secrets


def _counting_reads() -> list[str]:
    """GetSecretValue calls made from now on by the provider the functions use."""
    from aws_lambda_powertools.utilities.parameters import base

    calls: list[str] = []
    client = base.DEFAULT_PROVIDERS["secrets"].client
    client.meta.events.register("before-call.secrets-manager.GetSecretValue", lambda **_: calls.append("read"))
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


def test_a_new_secrets_provider_reads_the_secret_again(aws):
    from aws_lambda_powertools.utilities.parameters import base

    manager = boto3.client("secretsmanager")
    arn = local.create_x_secret(manager, "secret-provider", "first")
    assert secrets.consumer_secret(arn) == "first"
    manager.put_secret_value(SecretId=arn, SecretString=json.dumps({"consumer_secret": "second"}))

    base.DEFAULT_PROVIDERS.clear()

    assert secrets.consumer_secret(arn) == "second"
