"""Build the X client a function needs: dry-run, or real with the credentials from Secrets Manager.

When the brand authorized carebird with OAuth 2.0 (`carebird x authorize` put an `oauth2` entry in the secret),
the client acts with the brand's access token, refreshed in time (oauth2.BrandTokens); until then with the
OAuth 1.0a keys (a container looks at the secret again every few minutes). Either way, X stopping carebird
(refused refresh, 402, usage cap) pauses automatic posting and alerts the team once (pause.Brakes). A function
that names its table also gets the client metered: the X bill's counters (carebird.aws.usage, xbill.MeteredX).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from carebird.x.client import XClient, XReader

if TYPE_CHECKING:
    from carebird.aws.pause import Brakes


def brakes(table_name: str, alert_topic_arn: str, brand_handle: str) -> Brakes:
    from carebird import clock
    from carebird.aws.pause import Brakes, DynamoAutomationState, SnsAlerts

    return Brakes(DynamoAutomationState(table_name), SnsAlerts(alert_topic_arn), brand_handle, clock.now)


def brand_access(
    secret_arn: str, table_name: str = "", alert_topic_arn: str = "", brand_handle: str = ""
) -> dict[str, Any]:
    """XClient/XReader keyword arguments: the credentials, and the brand's OAuth 2.0 tokens when it has them."""
    from carebird.aws.secrets import x_credentials

    credentials = x_credentials(secret_arn)
    if not table_name:
        return {"credentials": credentials}
    from carebird import clock
    from carebird.aws.pause import StopKind
    from carebird.x.oauth2 import BrandToken, BrandTokens, RefreshClaims, SecretVault

    stop = brakes(table_name, alert_topic_arn, brand_handle).stop
    access: dict[str, Any] = {"credentials": credentials, "on_stop": stop}
    access["tokens"] = BrandTokens(
        SecretVault(secret_arn),
        RefreshClaims(table_name),
        clock.now,
        on_lost=lambda detail: stop(StopKind.REFRESH_REFUSED, detail),
        held=BrandToken.from_secret(credentials),  # the secret was just read: no second read while this is fresh
        checked_at=clock.now(),
    )
    return access


def metered(client: Any, table_name: str) -> Any:
    """The client counting what X bills for each call it makes, in the table's XUSAGE#<day> items."""
    from carebird import clock
    from carebird.aws.usage import DynamoUsage
    from carebird.domain.xbill import MeteredX

    return MeteredX(client, DynamoUsage(table_name), lambda: clock.now().date())


def x_client(
    secret_arn: str, dry_run: bool, table_name: str = "", alert_topic_arn: str = "", brand_handle: str = ""
) -> Any:
    """An XClient (a MeteredX around it when the table is named: same methods, the calls counted)."""
    if dry_run:
        client = XClient(dry_run=True)
    else:
        client = XClient(**brand_access(secret_arn, table_name, alert_topic_arn, brand_handle))
    return metered(client, table_name) if table_name else client


def x_reader(secret_arn: str, table_name: str = "", alert_topic_arn: str = "", brand_handle: str = "") -> XReader:
    return XReader(**brand_access(secret_arn, table_name, alert_topic_arn, brand_handle))
