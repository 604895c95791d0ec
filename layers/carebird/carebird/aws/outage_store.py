"""Adapters of the outage watch (carebird.domain.outages): the ledger on the cases table, the team's alert on SNS.

The ledger is one small item per service (`OUTAGE#{service}`): the recent reports and the declared outage. A
report is one UpdateItem that appends it and returns the item; declaring is a conditional put on the item's
version, so racing webhook invocations each count their report and exactly one of them declares the outage, and
so sends its one alert.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from carebird.aws.schema import from_dynamo, outage_key, to_dynamo
from carebird.domain.outages import Report
from carebird.domain.timeparse import from_iso, to_iso

MAX_REPORTS = 200  # the item stays small whatever the burst: the count is what matters
PRUNE_AT = 40  # reports appended before the window is rewritten (the item stays under about 4 KB)
ATTEMPTS = 8


class DynamoOutageLedger:
    """One write per report: an UpdateItem appends it and returns the item (the window's reports and the declared
    outage) in the same call. When the list outgrows PRUNE_AT, the window is rewritten (a conditional put)."""

    def __init__(self, store: Any) -> None:
        self.store = store  # a DynamoCaseStore: its table, client and error mapping

    def _read(self, service: str) -> dict[str, Any]:
        found = self.store._call("get_item", TableName=self.store.table, Key=to_dynamo(outage_key(service)),
                                 ConsistentRead=True).get("Item")  # fmt: skip
        return from_dynamo(found) if found else {}

    def _write(self, service: str, item: dict[str, Any], version: int, at: datetime, window: timedelta) -> bool:
        body = {**item, **outage_key(service), "version": version + 1,
                "expires_at": int((at + 4 * window).timestamp())}  # fmt: skip
        client = self.store.client
        try:
            self.store._call(
                "put_item", TableName=self.store.table, Item=to_dynamo(body),
                ConditionExpression="attribute_not_exists(pk) OR version = :v",
                ExpressionAttributeValues=to_dynamo({":v": version}),
            )  # fmt: skip
        except client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def report(self, service: str, report: Report, window: timedelta) -> tuple[list[Report], str | None]:
        encoded = {"customer_id": report.customer_id, "case_id": report.case_id, "at": to_iso(report.at)}
        item = from_dynamo(
            self.store._call(
                "update_item", TableName=self.store.table, Key=to_dynamo(outage_key(service)),
                UpdateExpression="SET reports = list_append(if_not_exists(reports, :none), :new), expires_at = :exp "
                "ADD version :one",
                ExpressionAttributeValues={":none": {"L": []}, **to_dynamo({":new": [encoded], ":one": 1,
                                           ":exp": int((report.at + 4 * window).timestamp())})},
                ReturnValues="ALL_NEW",
            )["Attributes"]
        )  # fmt: skip
        latest: dict[str, Report] = {}
        for r in _reports(item):
            if r.at > report.at - window:
                latest[r.case_id] = r  # a case counts once however often it is redelivered
        if len(item.get("reports", [])) > PRUNE_AT:
            self._prune(service, item, list(latest.values()), report.at, window)
        return list(latest.values()), _declared(item, report.at)

    def _prune(self, service: str, item: dict[str, Any], kept: list[Report], at: datetime, window: timedelta) -> None:
        """Keep only the window's reports (a lost race is harmless: the next report prunes again)."""
        encoded = [{"customer_id": r.customer_id, "case_id": r.case_id, "at": to_iso(r.at)} for r in kept]
        self._write(service, {**item, "reports": encoded[-MAX_REPORTS:]}, int(item.get("version", 0)), at, window)

    def declared(self, service: str, at: datetime) -> str | None:
        return _declared(self._read(service), at)

    def under_way(self, service: str, at: datetime, window: timedelta) -> tuple[str | None, list[Report]]:
        item = self._read(service)
        return _declared(item, at), [r for r in _reports(item) if at - window < r.at <= at]

    def declare(self, service: str, outage_id: str, at: datetime, window: timedelta) -> bool:
        for _ in range(ATTEMPTS):
            item = self._read(service)
            if _declared(item, at):
                return False  # declared already: its declarer sent the alert
            declared = {**item, "outage_id": outage_id, "outage_until": to_iso(at + 2 * window)}
            if self._write(service, declared, int(item.get("version", 0)), at, window):
                return True
        return False


def _declared(item: dict[str, Any], at: datetime) -> str | None:
    until = item.get("outage_until")
    return str(item["outage_id"]) if until and from_iso(until) > at and item.get("outage_id") else None


def _reports(item: dict[str, Any]) -> list[Report]:
    return [Report(str(r["customer_id"]), str(r["case_id"]), from_iso(r["at"])) for r in item.get("reports", [])]


class SnsOutageAlerts:
    """One message to the team's topic per declared outage: counts and ids only, never a customer's words."""

    def __init__(self, topic_arn: str, client: Any = None, log: Any = None) -> None:
        self.topic_arn, self._client, self.log = topic_arn, client, log

    def outage_declared(self, outage_id: str, service: str, customers: int, at: datetime) -> None:
        subject = f"carebird: {service} outage declared"
        body = (
            f"{customers} different customers reported a {service} failure within the outage window "
            f"(outage {outage_id}, declared {to_iso(at)}). Their cases are in the urgent band of the queue, "
            "with the same reason; this is the only alert for this outage."
        )
        if not self.topic_arn:
            if self.log is not None:
                self.log.warning("outage declared (no topic configured)", extra={"outage": outage_id})
            return
        if self._client is None:
            from carebird.aws import sdk

            self._client = sdk.client("sns")
        self._client.publish(TopicArn=self.topic_arn, Subject=subject[:100], Message=body)
