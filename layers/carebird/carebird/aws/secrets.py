"""The X app credentials, from Secrets Manager (kept five minutes per container, never logged)."""

from __future__ import annotations

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
    """The secret's JSON document; cached for five minutes so a rotation is picked up.

    The webhook reads it on every delivery: a copy this module keeps (with the provider that fetched it) answers
    in a dictionary lookup, where powertools' own cache costs about 0.04 ms a read. When the copy is older than
    CACHE_SECONDS, or the provider was replaced (tests clear powertools' providers), the secret is fetched again,
    bypassing powertools' cache so that a copy is never older than CACHE_SECONDS."""
    protect_logs()
    from aws_lambda_powertools.utilities import parameters
    from aws_lambda_powertools.utilities.parameters import base

    kept = _kept.get(secret_arn)
    if kept is not None and kept[0] is base.DEFAULT_PROVIDERS.get("secrets") and time.monotonic() < kept[1]:
        return kept[2]
    _share_the_sdk_session()
    fetched_at = time.monotonic()
    value = parameters.get_secret(secret_arn, transform="json", max_age=CACHE_SECONDS, force_fetch=True)
    if not isinstance(value, dict):
        raise ConfigurationError("the X secret must be a JSON object")
    _kept[secret_arn] = (base.DEFAULT_PROVIDERS["secrets"], fetched_at + CACHE_SECONDS, value)
    return value


_kept: dict[str, tuple[Any, float, dict[str, Any]]] = {}  # secret ARN → (provider, monotonic expiry, document)


def _share_the_sdk_session() -> None:
    """powertools' secrets provider on boto3's default session (carebird.aws.sdk) rather than on a session of its own:
    the function's DynamoDB client shares it, so a cold start reads botocore's endpoint data once, not twice."""
    from aws_lambda_powertools.utilities.parameters import SecretsProvider, base

    from carebird.aws import sdk

    if "secrets" not in base.DEFAULT_PROVIDERS:
        base.DEFAULT_PROVIDERS["secrets"] = SecretsProvider(boto3_client=sdk.client("secretsmanager"))


def consumer_secret(secret_arn: str) -> str:
    secret = str(x_credentials(secret_arn).get("consumer_secret") or "")
    if not secret:
        raise ConfigurationError("the X secret has no consumer_secret yet: fill it after deploy")
    return secret
