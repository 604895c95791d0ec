"""What DynamoDB bills for a request, counted at the client: calls, and write/read units from item sizes.

moto does not report consumed capacity, so units are computed from the items each request carries, by
DynamoDB's published rules: an item's size is the UTF-8 length of its attribute names plus its values
(strings in UTF-8, numbers about one byte per two digits plus one, booleans and nulls one byte, lists and maps
three bytes plus one per element); a write costs one unit per started KB, doubled inside a transaction, plus
one copy per secondary index the item belongs to (the Meter, per request: an estimate; the Ledger below bills
every index from the stored items, by DynamoDB's rule).
An Update is counted from its key (ingestion updates only to mark a deleted message).
Reads are counted as calls.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


def value_size(value: dict[str, Any]) -> int:
    """Bytes DynamoDB counts for one typed attribute value ({"S": ...}, {"N": ...}, ...)."""
    ((kind, raw),) = value.items()
    if kind == "S":
        return len(raw.encode("utf-8"))
    if kind == "N":
        digits = raw.lstrip("-").replace(".", "").lstrip("0") or "0"
        return math.ceil(len(digits) / 2) + 1
    if kind == "B":
        return len(raw)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode("utf-8")) for s in raw)
    if kind == "NS":
        return sum(value_size({"N": n}) for n in raw)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in raw)
    if kind == "M":
        return 3 + sum(1 + len(k.encode("utf-8")) + value_size(v) for k, v in raw.items())
    raise ValueError(f"unknown DynamoDB type {kind}")


def item_size(item: dict[str, Any]) -> int:
    """Bytes DynamoDB counts for an item in its typed (wire) form."""
    return sum(len(name.encode("utf-8")) + value_size(value) for name, value in item.items())


def write_units(item: dict[str, Any]) -> int:
    return max(1, math.ceil(item_size(item) / 1024))


INDEX_KEYS = ("queue",)  # a case item is copied (projection ALL) into OpenQueue: counted on every write
# KEYS_ONLY indexes on what never changes (reference, handle, the day opened): one small copy when the case is
# created only (the Ledger below bills every index by DynamoDB's rule from the stored items).
CREATION_INDEX_KEYS = ("reference", "handle_key", "day")


def index_write_units(item: dict[str, Any], request: dict[str, Any] | None = None) -> int:
    """What the secondary indexes cost for a written item: one copy per index whose key it carries (the lookup
    indexes only when the write creates the item: their keys and projection never change afterwards)."""
    units = sum(write_units(item) for key in INDEX_KEYS if key in item)
    creating = "attribute_not_exists" in str((request or {}).get("ConditionExpression", ""))
    return units + (sum(1 for key in CREATION_INDEX_KEYS if key in item) if creating else 0)


@dataclass
class Meter:
    """Counts, for every call a DynamoDB client makes, the operation and the write/read units it costs.

    The hook only keeps the request; units are computed when asked (`snapshot`), so a timed handler pays
    next to nothing for being metered."""

    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def attach(self, client: Any) -> Meter:
        client.meta.events.register("before-parameter-build.dynamodb.*", self._record)
        return self

    def reset(self) -> None:
        self.requests.clear()

    def snapshot(self) -> tuple[dict[str, int], int]:
        """(calls by operation, write units) since the last reset."""
        return dict(Counter(name for name, _ in self.requests)), sum(_units(n, p) for n, p in self.requests)

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.requests.append((model.name, params))


def _units(name: str, params: dict[str, Any]) -> int:
    if name == "PutItem":
        return write_units(params["Item"]) + index_write_units(params["Item"], params)
    if name == "TransactWriteItems":
        units = 0
        for action in params["TransactItems"]:
            ((kind, body),) = action.items()
            item = body.get("Item") or body.get("Key") or {}
            if kind in ("Put", "Update", "Delete"):
                units += 2 * write_units(item) + index_write_units(item, body)
        return units
    return 0


def _index_copy(
    item: dict[str, Any] | None, keys: tuple[str, ...], projected: frozenset[str] | None
) -> dict[str, Any] | None:
    """What a secondary index holds of an item: nothing without its keys, else the table's and the index's keys and
    the projected attributes (`projected` None: ALL, every attribute; empty: KEYS_ONLY; else INCLUDE's list)."""
    if not item or not all(k in item for k in keys):
        return None
    if projected is None:
        return item
    return {name: value for name, value in item.items() if name in TABLE_KEYS or name in keys or name in projected}


TABLE_KEYS = ("pk", "sk")


def index_write_units_between(
    old: dict[str, Any] | None, new: dict[str, Any] | None, keys: tuple[str, ...], projected: frozenset[str] | None
) -> int:
    """What one index bills for a table write that turned `old` into `new` (DynamoDB's rules, "Provisioned throughput
    considerations for Global Secondary Indexes" in its developer guide): the item entering the index, one put of its
    copy; leaving it, one delete of the old copy; its index key changing, a delete and a put; a projected attribute
    changing, one write of the new copy; nothing projected changing (an unprojected attribute, or no change at all),
    nothing. Each write by the size of the index's copy, not the table's item."""
    before, after = _index_copy(old, keys, projected), _index_copy(new, keys, projected)
    if before is None and after is None:
        return 0
    if before is None or after is None:
        return write_units(before or after)  # type: ignore[arg-type]
    if any(before[k] != after[k] for k in keys):
        return write_units(before) + write_units(after)
    return 0 if before == after else write_units(after)


def index_shape(gsi: dict[str, Any]) -> tuple[tuple[str, ...], frozenset[str] | None]:
    """(key attributes, projected non-key attributes or None for ALL) of a template's index."""
    projection = gsi["Projection"]
    kind = projection["ProjectionType"]
    projected = (
        None if kind == "ALL" else frozenset(projection.get("NonKeyAttributes", ()) if kind == "INCLUDE" else ())
    )
    return tuple(k["AttributeName"] for k in gsi["KeySchema"]), projected


# --- the whole bill of a case: every AWS call of every function, DynamoDB units from the items before and after ---
def read_units(item_bytes: int, consistent: bool) -> float:
    units = max(1, math.ceil(item_bytes / 4096))
    return units if consistent else units / 2


@dataclass
class Ledger:
    """Every AWS call the functions make on moto (patched at botocore's client), attributed to the function that
    runs (`running`), with DynamoDB's billed units worked out from the stored items before and after each write:
    the table's write (the larger of the two sizes, doubled in a transaction), every index write by DynamoDB's rule
    (`index_write_units_between`: only when the item enters or leaves the index, its index key changes (a delete
    and a put) or a projected attribute changes; each by the size of the index's copy), the units of a cancelled
    or refused write, and the read units of every read from the items returned. Bench only."""

    indexes: dict[str, tuple[tuple[str, ...], frozenset[str] | None]]  # index -> (keys, projected; None: ALL)
    calls: Counter = field(default_factory=Counter)  # (function, service, operation) -> count
    write_units: Counter = field(default_factory=Counter)  # function -> WRU
    read_units: Counter = field(default_factory=Counter)  # function -> RRU
    refused: Counter = field(default_factory=Counter)  # function -> conditional writes refused
    running: str = "other"

    @classmethod
    def for_template(cls, template: dict[str, Any]) -> Ledger:
        table = template["Resources"]["CasesTable"]["Properties"]
        return cls({gsi["IndexName"]: index_shape(gsi) for gsi in table["GlobalSecondaryIndexes"]})

    def install(self) -> Callable[[], None]:
        from botocore.client import BaseClient

        real = BaseClient._make_api_call
        ledger = self

        def metered(client: Any, operation: str, params: dict[str, Any]) -> Any:
            service = client.meta.service_model.service_name
            ledger.calls[(ledger.running, service, operation)] += 1
            writes = ledger._writes(operation, params) if service == "dynamodb" else []
            before = [ledger._stored(table, key) for table, key, _ in writes]
            try:
                response = real(client, operation, params)
            except Exception as exc:
                if writes and ("Conditional" in type(exc).__name__ or "TransactionCanceled" in type(exc).__name__):
                    ledger.refused[ledger.running] += 1
                    factor = 2 if operation == "TransactWriteItems" else 1
                    ledger.write_units[ledger.running] += factor * sum(
                        write_units(old or new or {}) for old, (_, _, new) in zip(before, writes, strict=True)
                    )
                raise
            if service == "dynamodb":
                ledger._bill(operation, params, response, writes, before)
            return response

        BaseClient._make_api_call = metered  # type: ignore[method-assign]
        return lambda: setattr(BaseClient, "_make_api_call", real)

    @staticmethod
    def _writes(operation: str, params: dict[str, Any]) -> list[tuple[str, dict[str, Any], dict[str, Any] | None]]:
        """(table, key, item written or None for an update/delete) of every item a request writes."""
        if operation == "PutItem":
            return [(params["TableName"], params["Item"], params["Item"])]
        if operation in ("UpdateItem", "DeleteItem"):
            return [(params["TableName"], params["Key"], None)]
        if operation == "TransactWriteItems":
            found = []
            for action in params["TransactItems"]:
                ((kind, body),) = action.items()
                if kind == "Put":
                    found.append((body["TableName"], body["Item"], body["Item"]))
                elif kind in ("Update", "Delete"):
                    found.append((body["TableName"], body["Key"], None))
            return found
        return []

    @staticmethod
    def _stored(table_name: str, key: dict[str, Any]) -> dict[str, Any] | None:
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.dynamodb.models import dynamodb_backends
        from moto.dynamodb.models.dynamo_type import DynamoType

        for backend in dynamodb_backends[DEFAULT_ACCOUNT_ID].values():
            table = backend.tables.get(table_name)
            if table is None:
                continue
            hash_value = DynamoType(key[table.hash_key_attr])
            range_value = DynamoType(key[table.range_key_attr]) if table.has_range_key else None
            stored = table.get_item(hash_value, range_value)
            return stored.to_json()["Attributes"] if stored else None
        return None

    def _index_units(self, old: dict[str, Any] | None, new: dict[str, Any] | None) -> int:
        return sum(index_write_units_between(old, new, keys, projected) for keys, projected in self.indexes.values())

    def _bill(self, operation: str, params: dict[str, Any], response: dict[str, Any],
              writes: list, before: list) -> None:  # fmt: skip
        who = self.running
        factor = 2 if operation == "TransactWriteItems" else 1
        for (table, key, _), old in zip(writes, before, strict=True):
            new = self._stored(table, key)
            self.write_units[who] += factor * write_units(max(old or {}, new or {}, key=item_size) or key)
            self.write_units[who] += self._index_units(old, new)
        if operation == "GetItem" and "Item" in response:
            self.read_units[who] += read_units(item_size(response["Item"]), bool(params.get("ConsistentRead")))
        elif operation == "GetItem":
            self.read_units[who] += read_units(0, bool(params.get("ConsistentRead")))
        elif operation == "BatchGetItem":
            for table, items in response.get("Responses", {}).items():
                consistent = bool(params["RequestItems"][table].get("ConsistentRead"))
                self.read_units[who] += sum(read_units(item_size(i), consistent) for i in items) or 0.5
        elif operation in ("Query", "Scan"):
            total = sum(item_size(i) for i in response.get("Items", []))
            self.read_units[who] += read_units(total, bool(params.get("ConsistentRead")))
