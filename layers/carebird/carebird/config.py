"""Typed settings, read from the environment once at cold start and validated there."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from carebird.calendar import OpeningHours
from carebird.errors import ConfigurationError
from carebird.ingest import IngestSettings
from carebird.normalise import Brand
from carebird.triage import TriageRules

DEFAULT_MAX_BODY_BYTES = 512 * 1024
DEFAULT_PARALLELISM = 16


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigurationError(f"environment variable {name} is required")
    return value


@dataclass(frozen=True)
class WebhookSettings:
    """What the webhook function needs (the configuration contract names are kept as-is)."""

    cases_table: str
    secret_arn: str
    brand: Brand
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    ingest: IngestSettings = field(default_factory=IngestSettings)
    parallelism: int = DEFAULT_PARALLELISM  # conversations of one delivery stored at once

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> WebhookSettings:
        try:
            rules = TriageRules.from_json(env.get("TRIAGE_RULES"), OpeningHours.from_env(env))
            max_body = int(env.get("MAX_BODY_BYTES") or DEFAULT_MAX_BODY_BYTES)
            idle_hours = float(env.get("CASE_IDLE_HOURS") or 72)
            parallelism = int(env.get("WEBHOOK_PARALLELISM") or DEFAULT_PARALLELISM)
        except ValueError as exc:
            raise ConfigurationError(f"invalid webhook setting: {exc}") from exc
        return cls(
            cases_table=_required(env, "CASES_TABLE"),
            secret_arn=_required(env, "X_SECRET_ARN"),
            brand=Brand(user_id=_required(env, "BRAND_USER_ID"), handle=_required(env, "BRAND_HANDLE")),
            max_body_bytes=max_body,
            ingest=IngestSettings(rules=rules, idle_before_new_case=timedelta(hours=idle_hours)),
            parallelism=max(1, parallelism),
        )
