"""Build the X client a function needs: dry-run, or real with the credentials from Secrets Manager."""

from __future__ import annotations

from carebird.xclient import XClient


def x_client(secret_arn: str, dry_run: bool) -> XClient:
    if dry_run:
        return XClient(dry_run=True)
    from carebird.secrets import x_credentials

    return XClient(credentials=x_credentials(secret_arn))
