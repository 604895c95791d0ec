"""Build the X client a function needs: dry-run, or real with the credentials from Secrets Manager; metered (the
X bill's counters, carebird.usage) when the function names its table."""

from __future__ import annotations

from typing import Any

from carebird.xclient import XClient


def x_client(secret_arn: str, dry_run: bool, usage_table: str | None = None) -> Any:
    if dry_run:
        client = XClient(dry_run=True)
    else:
        from carebird.secrets import x_credentials

        client = XClient(credentials=x_credentials(secret_arn))
    if not usage_table:
        return client
    from carebird import clock
    from carebird.usage import DynamoUsage
    from carebird.xbill import MeteredX

    return MeteredX(client, DynamoUsage(usage_table), lambda: clock.now().date())
