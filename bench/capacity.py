"""What DynamoDB bills for a request, counted at the client: calls, and write/read units from item sizes.

moto does not report consumed capacity, so units are computed from the items each request carries, by
DynamoDB's published rules: an item's size is the UTF-8 length of its attribute names plus its values
(strings in UTF-8, numbers about one byte per two digits plus one, booleans and nulls one byte, lists and maps
three bytes plus one per element); a write costs one unit per started KB, doubled inside a transaction, plus
one copy per secondary index the item belongs to.
An Update is counted from its key (ingestion updates only to mark a deleted message).
Reads are counted as calls.
"""

from __future__ import annotations

import math
from collections import Counter
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


INDEX_KEYS = ("queue", "day")  # a case item is copied (projection ALL) into OpenQueue and CasesByDay
# KEYS_ONLY indexes on what never changes (reference, handle): one small copy when the case is created only.
CREATION_INDEX_KEYS = ("reference", "handle_key")


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
