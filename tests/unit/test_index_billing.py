"""The bench bills an index write as DynamoDB does (bench/capacity.py): only when the item enters or leaves the
index, its index key changes (a delete and a put) or a projected attribute changes, by the size of the index's copy."""

from bench.capacity import Ledger, index_shape, index_write_units_between

QUEUE = ("queue", "queue_rank")
DAY = ("day", "opened_at")
BIG = "x" * 1500  # an unprojected attribute that makes the table's item two write units


def case(**changes):
    item = {"pk": {"S": "CASE#1"}, "sk": {"S": "CASE"}, "day": {"S": "DAY#2025-11-25"},
            "opened_at": {"S": "2025-11-25T09:00:00Z"}, "status": {"S": "new"}, "version": {"N": "1"},
            "triage_text": {"S": BIG}, "queue": {"S": "OPEN"}, "queue_rank": {"N": "100"}}  # fmt: skip
    item.update({name: {"N" if isinstance(v, int) else "S": str(v)} for name, v in changes.items()})
    return {name: value for name, value in item.items() if value != {"S": "-"}}


def test_a_keys_only_index_is_written_once_when_the_case_is_created_and_never_for_its_changes():
    keys_only = frozenset()

    assert index_write_units_between(None, case(), DAY, keys_only) == 1  # the copy holds the keys: one unit
    assert index_write_units_between(case(), case(status="answered", version=2), DAY, keys_only) == 0


def test_an_all_index_is_rewritten_whole_for_any_change_and_not_for_a_write_that_changes_nothing():
    assert index_write_units_between(case(), case(version=2), DAY, None) == 2  # the whole 1.6 KB item
    assert index_write_units_between(case(), case(), DAY, None) == 0


def test_an_include_index_is_written_only_when_a_projected_attribute_changes():
    include = frozenset({"status"})

    assert index_write_units_between(case(), case(version=2), QUEUE, include) == 0  # triage text, version: not held
    assert index_write_units_between(case(), case(status="waiting", version=2), QUEUE, include) == 1


def test_an_index_key_change_is_a_delete_and_a_put_and_leaving_the_index_a_delete():
    include = frozenset({"status"})

    assert index_write_units_between(case(), case(queue_rank=90), QUEUE, include) == 2
    assert index_write_units_between(case(), case(queue="-", queue_rank="-"), QUEUE, include) == 1
    assert index_write_units_between(case(queue="-", queue_rank="-"), case(version=3, queue="-"), QUEUE, None) == 0


def test_the_ledger_reads_each_index_shape_from_the_template():
    def gsi(kind, *included):
        projection = {"ProjectionType": kind} | ({"NonKeyAttributes": list(included)} if included else {})
        return {"IndexName": kind, "KeySchema": [{"AttributeName": "day"}], "Projection": projection}

    assert index_shape(gsi("ALL")) == (("day",), None)
    assert index_shape(gsi("KEYS_ONLY")) == (("day",), frozenset())
    assert index_shape(gsi("INCLUDE", "status")) == (("day",), frozenset({"status"}))
    ledger = Ledger({"day": (DAY, frozenset()), "queue": (QUEUE, None)})
    assert ledger._index_units(case(), case(version=2)) == 2  # the queue's whole copy; the day's keys: nothing
