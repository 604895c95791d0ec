"""DynamoDB adapter for the X bill's counters: what carebird did on X each UTC day (xbill.USAGE names)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from carebird.aws.schema import USAGE_DAYS, from_dynamo, reads_key, to_dynamo, usage_key

BATCH_ATTEMPTS = 3
READS_AS = {"post_reads": "post_read"}  # the watch's daily read budget (cursors.py) counts billed post reads


class DynamoUsage:
    def __init__(self, table_name: str, client: Any = None) -> None:
        if client is None:
            from carebird.aws import dynamo

            client = dynamo.client()
        self.table, self.client = table_name, client

    def count(self, name: str, day: date, n: int = 1) -> None:
        """Add `n` to a day's counter (a call X made for carebird)."""
        self.client.update_item(
            TableName=self.table,
            Key=to_dynamo(usage_key(day)),
            UpdateExpression="ADD #n :n SET expires_at = :expires",
            ExpressionAttributeNames={"#n": name},
            ExpressionAttributeValues=to_dynamo({":n": n, ":expires": _expiry(day)}),
        )

    def set_delivered(self, day: date, events: dict[str, int]) -> None:
        """A day's delivered events, as the digest computed them from that day's cases (idempotent: SET)."""
        names = {f"#{i}": name for i, name in enumerate(events)}
        values = {f":{i}": count for i, count in enumerate(events.values())}
        self.client.update_item(
            TableName=self.table,
            Key=to_dynamo(usage_key(day)),
            UpdateExpression="SET " + ", ".join([f"#{i} = :{i}" for i in range(len(events))] + ["expires_at = :e"]),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=to_dynamo({**values, ":e": _expiry(day)}),
        )

    def days(self, until: date, days: int = 7) -> list[dict[str, Any]]:
        """The counters of the `days` UTC days up to `until` (included), the watch's reads among them."""
        wanted = [until - timedelta(days=n) for n in range(days)]
        request = {self.table: {"Keys": [to_dynamo(k) for k in [*map(usage_key, wanted), *map(reads_key, wanted)]]}}
        items: list[dict[str, Any]] = []
        for _ in range(BATCH_ATTEMPTS):  # keys DynamoDB left unprocessed (throttling) are asked again
            answer = self.client.batch_get_item(RequestItems=request)
            items += [from_dynamo(i) for i in answer.get("Responses", {}).get(self.table, [])]
            request = answer.get("UnprocessedKeys") or {}
            if not request:
                break
        else:
            raise RuntimeError("DynamoDB kept the X usage counters unprocessed: the week's spend would be understated")
        return [{READS_AS.get(k, k): v for k, v in item.items()} for item in items]


def _expiry(day: date) -> int:
    return int(datetime.combine(day + timedelta(days=USAGE_DAYS), time(), UTC).timestamp())
