"""DynamoDB and SNS adapters of the escalator: the case as an item, one claim per escalation, the paced email."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from carebird.aws.outbox import DynamoOutbox
from carebird.aws.schema import case_key, case_view, from_dynamo, outbox_key, to_dynamo
from carebird.domain.timeparse import to_iso
from carebird.errors import NotifierUnavailable

MIN_PUBLISH_INTERVAL = 1.0  # seconds between two emails of one container: SNS suspends email above 10 msg/s


class DynamoEscalationLedger:
    """Claims are `OUTBOX#escalation#…` items (claimed → sent, a stale claim retaken after the outbox's lease);
    they live outside the case item, so claiming writes nothing to the OPEN queue index. Only the final mark
    writes the case (its index key unchanged), at the escalator's pace rather than the deadlines'."""

    def __init__(self, table_name: str, client: Any = None) -> None:
        self.outbox = DynamoOutbox(table_name, client)
        self.table, self.client = table_name, self.outbox.client

    def case(self, case_id: str) -> dict[str, Any] | None:
        item = self.client.get_item(TableName=self.table, Key=to_dynamo(case_key(case_id)), ConsistentRead=True)
        return case_view(from_dynamo(item["Item"])) if "Item" in item else None

    def claim(self, key: str, now: datetime) -> bool:
        return self.outbox.claim(key, now)

    def release(self, key: str) -> None:
        self.outbox.release(key)

    def was_sent(self, key: str) -> bool:
        claim = self.outbox.get(key)
        return claim is not None and claim.get("status") == "sent"

    def mark_sent(self, key: str) -> None:
        self.client.update_item(
            TableName=self.table,
            Key=to_dynamo(outbox_key(key)),
            UpdateExpression="SET #s = :sent",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues=to_dynamo({":sent": "sent"}),
        )

    def mark_escalated(self, case_id: str, reopened: int, level: int, now: datetime) -> bool:
        """False when the case was answered, reopened or escalated at this level meanwhile. A case never reopened
        has no `reopened` attribute (the item keeps no zero: carebird.aws.schema.case_to_item)."""
        opening = (
            "(attribute_not_exists(reopened) OR reopened = :reopened)" if reopened == 0 else "reopened = :reopened"
        )
        try:
            self.client.update_item(
                TableName=self.table,
                Key=to_dynamo(case_key(case_id)),
                UpdateExpression="SET #status = :escalated, escalation_level = :level, escalated_at = :now, "
                "version = version + :one",
                ConditionExpression=f"attribute_exists(#queue) AND {opening} AND escalation_level < :level",
                ExpressionAttributeNames={"#status": "status", "#queue": "queue"},
                ExpressionAttributeValues=to_dynamo(
                    {":escalated": "escalated", ":level": level, ":now": to_iso(now), ":one": 1, ":reopened": reopened}
                ),
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            return False
        return True


class SnsNotifier:
    """One topic per audience; at most one email per MIN_PUBLISH_INTERVAL from this container, and a publish
    bounded in time (2 attempts, 2 s to connect, 4 s to read: about 13 s at worst) so that a batch, whose first
    failed publish ends its publishing, fits the escalator's 30 s timeout."""

    def __init__(
        self,
        topics: Mapping[str, str],
        client: Any = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if client is None:
            import boto3
            from botocore.config import Config

            config = Config(retries={"mode": "standard", "max_attempts": 2}, connect_timeout=2, read_timeout=4)
            client = boto3.client("sns", config=config)
        self.topics, self.client, self.clock, self.sleep = dict(topics), client, clock, sleep
        self.last: float | None = None

    def publish(self, audience: str, subject: str, body: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        if self.last is not None and (wait := self.last + MIN_PUBLISH_INTERVAL - self.clock()) > 0:
            self.sleep(wait)
        try:
            self.client.publish(TopicArn=self.topics[audience], Subject=subject, Message=body)
        except (BotoCoreError, ClientError) as error:
            raise NotifierUnavailable(type(error).__name__) from error
        finally:
            self.last = self.clock()
