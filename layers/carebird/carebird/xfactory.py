"""Build the X client a function needs: dry-run, or real with the credentials from Secrets Manager."""

from __future__ import annotations

import os
from collections.abc import Mapping

from carebird.xclient import XClient


def x_client_from_env(env: Mapping[str, str] = os.environ, dry_run: bool | None = None) -> XClient:
    if dry_run is None:
        dry_run = (env.get("X_DRY_RUN") or "false").lower() in ("1", "true", "yes", "on")
    if dry_run:
        return XClient(dry_run=True)
    from carebird.secrets import x_credentials

    return XClient(credentials=x_credentials(env["X_SECRET_ARN"]))
