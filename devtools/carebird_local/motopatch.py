"""moto adjustments shared by the tests and the bench (one place, so both emulate AWS the same way).

- `serialise_aws_calls`: one AWS call at a time, as each DynamoDB request is atomic in AWS; moto's in-memory
  backends are not thread-safe (a transaction deep-copies tables that another thread is changing). Races
  between calls, the ones carebird must survive, still happen: threads interleave between requests.
- `key_level_transaction_rollback`: moto deep-copies every table a transaction touches (once per action) to roll
  back on failure, which is quadratic in the table size; this keeps moto's own logic but snapshots only the items
  the transaction names, and restores those (and the stream) if it is cancelled. The bench's 10,000-event storm
  and 500-case inbox need it; the integration tests run with it too (their weekend of 200 waiting cases took
  100 s on moto's copies, 35 s without).
- `instant_workflow_retries`: the SLA workflow's retries without moto's real-time waits (tests and bench).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def serialise_aws_calls(patch: Callable[[Any, str, Any], None] = setattr) -> threading.RLock:
    """Serialise every botocore call of the process; `patch` is `setattr` or pytest's `monkeypatch.setattr`
    (undone after the test). Returns the lock, for readers of moto's internals."""
    from botocore.client import BaseClient

    lock = threading.RLock()
    real = BaseClient._make_api_call

    def one_at_a_time(self: Any, operation_name: str, api_params: dict) -> Any:
        with lock:
            return real(self, operation_name, api_params)

    patch(BaseClient, "_make_api_call", one_at_a_time)
    return lock


def key_level_transaction_rollback() -> None:
    """Make moto's transaction rollback proportional to the transaction (idempotent: patches once)."""
    import copy as _copy

    import moto.dynamodb.models as models
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    if getattr(models.DynamoDBBackend.transact_write_items, "key_level", False):
        return

    class NoTableCopies:
        def __getattr__(self, name: str) -> object:
            return getattr(_copy, name)

        @staticmethod
        def deepcopy(value: object, memo: object = None) -> object:
            return value if isinstance(value, Table) else _copy.deepcopy(value, memo)  # type: ignore[arg-type]

    models.copy = NoTableCopies()  # type: ignore[assignment]
    original = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict]) -> None:
        saved, shards = [], {}
        for entry in transact_items:
            op = next(iter(entry.values()))
            table = self.tables.get(op.get("TableName"))
            if table is None:
                continue
            key = op.get("Key") or op.get("Item") or {}
            hash_value = DynamoType(key[table.hash_key_attr])
            range_value = DynamoType(key[table.range_key_attr]) if table.has_range_key else None
            bucket = table.items.get(hash_value, {}) if table.has_range_key else table.items
            before = bucket.get(range_value if table.has_range_key else hash_value)
            saved.append((table, hash_value, range_value, _copy.deepcopy(before)))
            if table.stream_shard is not None:
                shards[table.name] = (table.stream_shard, len(table.stream_shard.items))
        try:
            original(self, transact_items)
        except Exception:
            for table, hash_value, range_value, before in reversed(saved):
                if table.has_range_key:
                    bucket = table.items[hash_value]
                    if before is None:
                        bucket.pop(range_value, None)
                    else:
                        bucket[range_value] = before
                elif before is None:
                    table.items.pop(hash_value, None)
                else:
                    table.items[hash_value] = before
            for shard, length in shards.values():
                del shard.items[length:]
            raise

    transact_write_items.key_level = True  # type: ignore[attr-defined]
    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def instant_workflow_retries(patch: Callable[[Any, str, Any], None] = setattr) -> None:
    """moto waits out a state machine's `Retry` intervals in real time (2 s, then 4 s, ... per retry); with this,
    a retry happens at once. What the tests check is that the workflow retries and what it does then, never
    how long AWS would wait: the intervals themselves are read from the template by its own tests."""
    import time as _time

    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

    class NoWait:
        def __getattr__(self, name: str) -> Any:
            return getattr(_time, name)

        @staticmethod
        def sleep(_seconds: float) -> None:
            _time.sleep(0)  # yield to the other threads, as a wait would

    patch(retrier_decl, "time", NoWait())
