"""DynamoDB adapter for the watch and the poller: since_ids per feed and the daily X read budget."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from carebird.aws.schema import HEALTH_KEY, cursor_key, from_dynamo, reads_key, to_dynamo


class DynamoCursors:
    def __init__(self, table_name: str, client: Any = None) -> None:
        if client is None:
            from carebird.aws import dynamo

            client = dynamo.client()
        self.table, self.client = table_name, client

    def since(self, feed: str) -> str | None:
        item = self.client.get_item(TableName=self.table, Key=to_dynamo(cursor_key(feed)), ConsistentRead=True).get(
            "Item"
        )
        return from_dynamo(item).get("since_id") if item else None

    def advance(self, feed: str, newest_id: str) -> None:
        """Move the cursor forward only (ids are numeric strings; a late writer never moves it back)."""
        with contextlib.suppress(self.client.exceptions.ConditionalCheckFailedException):
            self.client.put_item(
                TableName=self.table,
                Item=to_dynamo(
                    {
                        **cursor_key(feed),
                        "type": "cursor",
                        "since_id": newest_id,
                        "since_key": int(newest_id),
                    }
                ),
                ConditionExpression="attribute_not_exists(since_key) OR since_key < :new",
                ExpressionAttributeValues=to_dynamo({":new": int(newest_id)}),
            )

    def reserve_reads(self, day: date, count: int, cap: int) -> bool:
        """Take `count` reads from today's budget; False (and nothing taken) when it would exceed `cap`."""
        try:
            self.client.update_item(
                TableName=self.table,
                Key=to_dynamo(reads_key(day)),
                UpdateExpression="ADD post_reads :n SET expires_at = :expires",
                ConditionExpression="attribute_not_exists(post_reads) OR post_reads <= :room",
                ExpressionAttributeValues=to_dynamo(
                    {":n": count, ":room": cap - count, ":expires": _epoch(day + timedelta(days=40))}
                ),
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def refund_reads(self, day: date, count: int) -> None:
        if count > 0:
            self.client.update_item(
                TableName=self.table,
                Key=to_dynamo(reads_key(day)),
                UpdateExpression="ADD post_reads :n",
                ExpressionAttributeValues=to_dynamo({":n": -count}),
            )

    def reads_on(self, day: date) -> int:
        item = self.client.get_item(TableName=self.table, Key=to_dynamo(reads_key(day)))
        return int(from_dynamo(item["Item"]).get("post_reads", 0)) if "Item" in item else 0


def _epoch(day: date) -> int:
    return int(datetime.combine(day, time(), UTC).timestamp())


class DynamoHealthLog:
    """The health check's latest report: one item, overwritten on every run."""

    def __init__(self, table_name: str, client: Any = None) -> None:
        if client is None:
            from carebird.aws import dynamo

            client = dynamo.client()
        self.table, self.client = table_name, client

    def record(self, report: dict[str, Any]) -> None:
        self.client.put_item(TableName=self.table, Item=to_dynamo({**HEALTH_KEY, **report}))
