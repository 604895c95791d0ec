"""DynamoDB adapter for automatic messages: claims (at most once) and their record on the case."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import Any

from carebird.aws.schema import automated_text_key, case_key, message_id_key, opt_out_key, outbox_key, to_dynamo
from carebird.domain.model import XResult
from carebird.domain.timeparse import to_iso

CLAIM_LEASE = timedelta(minutes=3)
CLAIM_DAYS = 60


class DynamoOutbox:
    """`OUTBOX#<key>` items: claimed → sent (or duplicate, failed); a stale unsent claim may be retaken."""

    def __init__(self, table_name: str, client: Any = None) -> None:
        if client is None:
            from carebird.aws import dynamo

            client = dynamo.client()
        self.table = table_name
        self.client = client

    def claim(self, key: str, now: datetime) -> bool:
        try:
            self.client.put_item(
                TableName=self.table,
                Item=to_dynamo(
                    {
                        **outbox_key(key),
                        "type": "outbox",
                        "status": "claimed",
                        "claimed_at": to_iso(now),
                        "expires_at": int((now + timedelta(days=CLAIM_DAYS)).timestamp()),
                    }
                ),
                ConditionExpression="attribute_not_exists(pk) OR (#s = :claimed AND claimed_at < :stale)",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=to_dynamo({":claimed": "claimed", ":stale": to_iso(now - CLAIM_LEASE)}),
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def complete(self, key: str, result: XResult, text: str) -> None:
        self.client.update_item(
            TableName=self.table,
            Key=to_dynamo(outbox_key(key)),
            UpdateExpression="SET #s = :s, post_id = :id, #t = :t, detail = :d",
            ExpressionAttributeNames={"#s": "status", "#t": "text"},
            ExpressionAttributeValues=to_dynamo(
                {
                    ":s": "sent" if result.done else result.outcome.value,
                    ":id": result.post_id or "",
                    ":t": text,
                    ":d": result.detail,
                }
            ),
        )

    def release(self, key: str) -> None:
        """Give an unsent claim back (X said retry later), so the retry can take it again."""
        with contextlib.suppress(self.client.exceptions.ConditionalCheckFailedException):
            self.client.delete_item(
                TableName=self.table,
                Key=to_dynamo(outbox_key(key)),
                ConditionExpression="#s = :claimed",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=to_dynamo({":claimed": "claimed"}),
            )

    def get(self, key: str) -> dict[str, Any] | None:
        from carebird.aws.schema import from_dynamo

        item = self.client.get_item(TableName=self.table, Key=to_dynamo(outbox_key(key)))
        return from_dynamo(item["Item"]) if "Item" in item else None

    def opted_out(self, customer_id: str) -> bool:
        """Whether the customer asked for no automated message (strongly consistent: a "stop" just stored counts)."""
        item = self.client.get_item(TableName=self.table, Key=to_dynamo(opt_out_key(customer_id)), ConsistentRead=True)
        return "Item" in item

    def expect_automated(self, customer_id: str, text: str, at: datetime) -> None:
        """Announce an automatic message before sending it, so its echo in the feed answers nothing."""
        self.client.put_item(
            TableName=self.table,
            Item=to_dynamo(
                {
                    **automated_text_key(customer_id, text),
                    "type": "automated-text",
                    "expires_at": int((at + timedelta(days=1)).timestamp()),
                }
            ),
        )

    def record_acknowledgement(self, case_id: str, via: str, result: XResult, text: str, at: datetime) -> None:
        """On the case (not a first response), and the post's id guarded so its echo answers nothing."""
        if result.post_id:
            with contextlib.suppress(self.client.exceptions.ConditionalCheckFailedException):
                self.client.put_item(
                    TableName=self.table,
                    Item=to_dynamo({**message_id_key(result.post_id), "type": "automated", "case_id": case_id}),
                    ConditionExpression="attribute_not_exists(pk)",
                )
        self._keep_in_thread(case_id, via, result, text, at)
        self.client.update_item(
            TableName=self.table,
            Key=to_dynamo(case_key(case_id)),
            UpdateExpression="SET acknowledged_at = :at, ack_via = :via, "
            "version = if_not_exists(version, :zero) + :one",
            ExpressionAttributeValues=to_dynamo({":at": to_iso(at), ":via": via, ":zero": 0, ":one": 1}),
        )

    def _keep_in_thread(self, case_id: str, via: str, result: XResult, text: str, at: datetime) -> None:
        """The acknowledgement's words in the case's conversation, marked automatic (agents see what was said)."""
        from carebird.aws.schema import message_to_item
        from carebird.domain.model import Author, Channel, Message

        channel = Channel.DM if via == "dm" else Channel.REPLY
        sent = Message(result.post_id or f"ack-{case_id}", channel, Author("brand"), text, at, from_brand=True)
        self.client.put_item(
            TableName=self.table, Item=to_dynamo({**message_to_item(case_id, sent), "automatic": True})
        )
