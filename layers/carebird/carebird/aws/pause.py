"""When X stops carebird: automatic posting pauses and the team hears it once.

X stops a brand's automation in four ways, none of which waiting fixes: the account withdrew the app's access
(`oauth.revoke`, AAA `user_event` revoke), X refused to refresh the access token, the app's credits are spent
(HTTP 402) or its usage cap is reached (429 `UsageCapExceeded`). Each pauses the acknowledgements and the
announcements (`AutomationState`), sends one alert (the first pause wins a conditional write; the others find it
paused and stay quiet) and sets the flag the inbox shows as a banner. Customers' messages keep being stored; agents
keep answering (X tells them why when it refuses). `carebird x authorize` or `carebird x resume` lifts the pause.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from carebird.domain.timeparse import to_iso
from carebird.ports import Alerts, AutomationState

log = logging.getLogger(__name__)


class StopKind(StrEnum):
    REVOKED = "revoked"  # the account withdrew the app's access
    REFRESH_REFUSED = "refresh_refused"  # X refused the refresh token: re-authorize
    CREDITS_DEPLETED = "credits_depleted"  # HTTP 402: top up the app's credits
    USAGE_CAP = "usage_cap"  # 429 UsageCapExceeded: raise the cap or wait for the next period


WHAT_TO_DO = {
    StopKind.REVOKED: "the brand account withdrew carebird's access on X: run `carebird x authorize`, then "
    "`carebird x subscribe`",
    StopKind.REFRESH_REFUSED: "X refused to renew carebird's access token: run `carebird x authorize`",
    StopKind.CREDITS_DEPLETED: "the X app has no credits left (HTTP 402): top up in the developer console, then "
    "run `carebird x resume`",
    StopKind.USAGE_CAP: "the X app reached its usage cap (UsageCapExceeded): raise the cap in the developer "
    "console or wait for the next period, then run `carebird x resume`",
}


@dataclass(frozen=True)
class Pause:
    """Why and since when carebird's automatic posting is stopped."""

    kind: str
    reason: str
    since: datetime

    def as_banner(self) -> dict[str, str]:
        """What the inbox shows at the top of the page while automatic posting is paused."""
        return {"kind": self.kind, "reason": self.reason, "since": to_iso(self.since)}


class DynamoAutomationState:
    """The pause flag: one item (table.AUTOMATION_KEY), written with a condition so only one caller pauses it.
    carebird.aws.schema is imported on use: the X client imports this module for StopKind and stays light."""

    def __init__(self, table_name: str, client: Any = None) -> None:
        if client is None:
            from carebird.aws import dynamo

            client = dynamo.client()
        self.table = table_name
        self.client = client

    def paused(self) -> Pause | None:
        from carebird.aws.schema import AUTOMATION_KEY, from_dynamo, pause_from_item, to_dynamo

        item = self.client.get_item(TableName=self.table, Key=to_dynamo(AUTOMATION_KEY), ConsistentRead=True)
        found = pause_from_item(from_dynamo(item["Item"]) if "Item" in item else None)
        return Pause(kind=found[1], reason=found[0], since=found[2]) if found else None

    def pause(self, kind: str, reason: str, now: datetime, happened_at: datetime | None = None) -> bool:
        """Pause unless paused already, or unless what stopped carebird `happened_at` before the team last resumed
        it (X redelivering or replaying a revocation the brand has since re-authorized)."""
        from carebird.aws.schema import pause_to_item, to_dynamo

        condition = "attribute_not_exists(pk) OR paused = :no"
        values: dict[str, dict[str, Any]] = {":no": {"BOOL": False}}
        if happened_at is not None:
            resumed_before = "(attribute_not_exists(resumed_at) OR resumed_at < :at)"
            condition = f"attribute_not_exists(pk) OR (paused = :no AND {resumed_before})"
            values[":at"] = {"S": to_iso(happened_at)}
        try:
            self.client.put_item(
                TableName=self.table,
                Item=to_dynamo(pause_to_item(reason[:500], kind, now)),
                ConditionExpression=condition,
                ExpressionAttributeValues=values,
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def resume(self, at: datetime | None = None) -> None:
        """Lift the pause; `at`: the team fixed it then (re-authorized, topped up), and what X reports as having
        happened before that time pauses nothing again."""
        from carebird.aws.schema import AUTOMATION_KEY, to_dynamo

        values: dict[str, Any] = {":no": {"BOOL": False}}
        if at is not None:
            values[":at"] = {"S": to_iso(at)}
        self.client.update_item(
            TableName=self.table,
            Key=to_dynamo(AUTOMATION_KEY),
            UpdateExpression="SET paused = :no" + (", resumed_at = :at" if at is not None else ""),
            ExpressionAttributeValues=values,
        )


class SnsAlerts:
    """The team's alert topic; without one (local runtime) the alert is only logged."""

    def __init__(self, topic_arn: str, client: Any = None) -> None:
        self.topic_arn = topic_arn
        self.client = client

    def alert(self, subject: str, body: str) -> None:
        log.error("%s: %s", subject, body)
        self.send(subject, body)

    def send(self, subject: str, body: str) -> None:
        """Published to the topic as it is (SNS takes subjects under 100 characters): a digest, not an alarm."""
        if not self.topic_arn:
            return
        if self.client is None:
            from carebird.aws import sdk

            self.client = sdk.client("sns")
        self.client.publish(TopicArn=self.topic_arn, Subject=subject[:99], Message=body)


@dataclass
class Brakes:
    """Stop automatic posting because X stopped carebird: pause, and alert once (the caller that paused it)."""

    state: AutomationState
    alerts: Alerts
    brand_handle: str
    now: Callable[[], datetime]

    def stop(self, kind: StopKind, detail: str = "", happened_at: datetime | None = None) -> bool:
        reason = WHAT_TO_DO[kind] + (f" ({detail[:200]})" if detail else "")
        paused = (
            self.state.pause(kind.value, reason, self.now(), happened_at)
            if happened_at is not None
            else self.state.pause(kind.value, reason, self.now())
        )
        if not paused:
            return False
        subject = f"[carebird] X stopped automatic posting for @{self.brand_handle}"
        body = "\n".join(
            [
                f"carebird paused its acknowledgements and announcements at {to_iso(self.now())}:",
                "",
                f"  {reason}",
                "",
                "Customers' messages are still stored and shown in the inbox; agents can keep answering.",
                "The inbox shows a banner until this is fixed.",
            ]
        )
        try:
            self.alerts.alert(subject, body)
        except Exception:
            self.state.resume()  # the next caller X stops pauses again and retries the alert: never a silent pause
            raise
        return True


def revocation_brakes(table_name: str, alert_topic_arn: str, brand_handle: str) -> Callable[[datetime | None], bool]:
    """For the webhook: pause and alert when the brand revokes carebird's access (adapters made on first use); a
    revocation dated before the team's last resume (X's redelivery or a replay after re-authorizing) changes nothing."""

    def stop(happened_at: datetime | None = None) -> bool:
        from carebird import clock

        brakes = Brakes(DynamoAutomationState(table_name), SnsAlerts(alert_topic_arn), brand_handle, clock.now)
        return brakes.stop(StopKind.REVOKED, happened_at=happened_at)

    return stop
