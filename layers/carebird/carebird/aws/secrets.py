"""The X app credentials, from Secrets Manager (kept five minutes per container, never logged)."""

from __future__ import annotations

import json
import time
from typing import Any

from carebird.errors import ConfigurationError

# Libraries that log request and response bodies or headers at DEBUG: with the credentials in them.
CREDENTIAL_BEARING_LOGGERS = ("botocore", "boto3", "urllib3", "requests_oauthlib", "oauthlib", "tweepy")
CREDENTIAL_KEYS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret", "bearer_token")
CACHE_SECONDS = 300
_protected: list[bool] = []


def protect_logs() -> None:
    """Keep credential-bearing libraries at INFO or above, whatever level the root logger is set to (done once per
    container: the secret is read on every event, from the copy kept here)."""
    if _protected:
        return
    _protected.append(True)
    import logging

    for name in CREDENTIAL_BEARING_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level < logging.INFO:
            logger.setLevel(logging.INFO)


def x_credentials(secret_arn: str) -> dict[str, Any]:
    """The secret's JSON document, read with GetSecretValue and kept five minutes per container, so a rotation is
    picked up within CACHE_SECONDS.

    The webhook reads it on every delivery: the copy kept here answers in a dictionary lookup. It is read through
    boto3's Secrets Manager client from the functions' one SDK session (carebird.aws.sdk), not through powertools'
    parameters utility: its import (the SSM, AppConfig and DynamoDB providers with it) and provider cost every cold
    start a few milliseconds for a call and a JSON document. A copy older than CACHE_SECONDS, or kept by a client
    since replaced (`forget`), is read again."""
    protect_logs()
    manager = client()
    kept = _kept.get(secret_arn)
    if kept is not None and kept[0] is manager and time.monotonic() < kept[1]:
        return kept[2]
    fetched_at = time.monotonic()
    text = manager.get_secret_value(SecretId=secret_arn).get("SecretString")
    try:
        value = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise ConfigurationError("the X secret must be a JSON object")
    _kept[secret_arn] = (manager, fetched_at + CACHE_SECONDS, value)
    return value


_kept: dict[str, tuple[Any, float, dict[str, Any]]] = {}  # secret ARN → (client, monotonic expiry, document)
_client: list[Any] = []


def client() -> Any:
    """The container's Secrets Manager client, from boto3's default session (carebird.aws.sdk): the function's
    DynamoDB client shares it, so a cold start reads botocore's endpoint data once, not twice."""
    if not _client:
        from carebird.aws import sdk

        _client.append(sdk.client("secretsmanager"))
    return _client[0]


def forget() -> None:
    """Drop the client and the copies kept (a new AWS account, or a secret changed behind the container's back:
    tests); the next read makes a new client and reads the secret again."""
    _client.clear()
    _kept.clear()


def consumer_secret(secret_arn: str) -> str:
    secret = str(x_credentials(secret_arn).get("consumer_secret") or "")
    if not secret:
        raise ConfigurationError("the X secret has no consumer_secret yet: fill it after deploy")
    return secret
