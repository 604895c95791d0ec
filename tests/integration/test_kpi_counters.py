"""The hourly KPI counters on DynamoDB (moto): kept by the dispatcher from the stream, each case counted once."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from carebird_local import simulate as sim

from carebird import clock
from carebird.aws.case_store import DynamoCaseStore, KpiCounters
from carebird.domain.model import Author
from tests.integration.conftest import TABLE

pytestmark = pytest.mark.integration
BRAND = Author("1500000000000000001", "LumiereAide", "Lumière")
AT = datetime(2025, 11, 25, 9, 0, tzinfo=UTC)


def counted(since=AT - timedelta(hours=1), until=AT + timedelta(hours=2)) -> dict[str, int]:
    totals: dict[str, int] = {}
    for _, counters in KpiCounters(DynamoCaseStore(TABLE)).hourly(since, until):
        for name, value in counters.items():
            totals[name] = totals.get(name, 0) + value
    return {name: value for name, value in totals.items() if value}


def test_a_stream_batch_delivered_twice_counts_each_case_once(embedded):
    customer = Author("1700000000000000001", "claire", "Claire", 100)
    embedded.deliver(sim.tweet(customer, "@LumiereAide ma box ne marche plus", AT, BRAND))
    batch = embedded.stream.next_event()

    assert embedded.dispatch(batch)["batchItemFailures"] == []
    assert embedded.dispatch(json.loads(json.dumps(batch)))["batchItemFailures"] == []  # Lambda retries a batch

    topic = embedded.store.open_queue(1)[0].topic
    assert counted() == {"cases": 1, "channel:mention": 1, f"topic:{topic}": 1, "in:mention": 1}


def test_an_answer_moves_its_case_to_answered_in_the_hour_it_was_opened(embedded):
    clock.travel_to(AT + timedelta(minutes=1))  # the SLA timer's deadline is still ahead
    customer = Author("1700000000000000002", "max", "Max", 100)
    mention = sim.tweet(customer, "@LumiereAide ma facture est fausse", AT, BRAND)
    embedded.deliver(mention)
    opened = embedded.stream.next_event()
    embedded.dispatch(opened)
    answer = sim.tweet(BRAND, "@max on regarde", AT + timedelta(minutes=30), BRAND,
                       in_reply_to=(sim.post_id_of(mention), customer))  # fmt: skip
    clock.travel_to(AT + timedelta(minutes=31))
    embedded.deliver(answer)
    embedded.dispatch()

    embedded.dispatch(opened)  # a stale batch after the answer: ignored, the case stays answered

    totals = counted()
    assert totals["cases"] == 1 and totals["answered"] == 1 and totals["frt:30"] == 1 and "breached" not in totals


def test_the_counters_are_one_query_of_small_rows_for_any_window(embedded):
    store = KpiCounters(DynamoCaseStore(TABLE))

    store.count("public-1", 1, "2025-11-25T09", {"cases": 1, "channel:dm": 1})
    store.count("public-2", 1, "2025-11-25T10", {"cases": 1, "channel:mention": 1})
    store.count("public-1", 2, "2025-11-25T09", {"noise": 1})

    rows = list(store.hourly(datetime(2025, 11, 25, 9, 30, tzinfo=UTC), datetime(2025, 11, 25, 10, 0, tzinfo=UTC)))
    assert [hour for hour, _ in rows] == ["2025-11-25T09", "2025-11-25T10"]
    assert rows[0][1] == {"cases": 0, "channel:dm": 0, "noise": 1}


def test_a_first_response_is_counted_in_its_agents_row_of_the_local_day_and_a_stale_record_changes_nothing(embedded):
    store = KpiCounters(DynamoCaseStore(TABLE))
    answered = {"answered": 1, "frt:20": 1, "agent:2025-11-25:o20:chloé#2": 1, "agent:2025-11-25:c20:chloé#2": 1}

    store.count("public-1", 1, "2025-11-25T09", {"cases": 1})
    store.count("public-1", 2, "2025-11-25T09", {"cases": 1} | answered)
    store.count("public-1", 1, "2025-11-25T09", {"cases": 1})  # an older record, redelivered: ignored
    store.count("public-2", 1, "2025-11-26T09", {"cases": 1, "agent:2025-11-26:o0:X app": 1})

    rows = list(store.first_responses(date(2025, 11, 25), date(2025, 11, 25)))
    assert rows == [("2025-11-25", "chloé#2", {"o20": 1, "c20": 1})]
    assert [agent for _, agent, _ in store.first_responses(date(2025, 11, 24), date(2025, 11, 26))] == [
        "chloé#2",
        "X app",
    ]
    assert counted()["answered"] == 1 and not any(name.startswith("agent") for name in counted())


def test_kpi_rows_read_from_dynamodbs_json_are_the_items_botocore_parses_page_after_page(embedded, monkeypatch):
    from botocore.parsers import BaseJSONParser

    from carebird.aws.case_store import unparsed_items

    walked, walk = [0], BaseJSONParser._handle_structure

    def counted_walk(self, shape, value):
        walked[0] += 1
        return walk(self, shape, value)

    monkeypatch.setattr(BaseJSONParser, "_handle_structure", counted_walk)

    store = DynamoCaseStore(TABLE)
    for hour in range(30):
        KpiCounters(store).count(f"public-{hour}", 1, f"2025-11-25T{hour % 24:02d}", {"cases": 1, f"frt:{hour}": 1})
    query = {"KeyConditionExpression": "pk = :kpi", "ExpressionAttributeValues": {":kpi": {"S": "KPI"}}}

    parsed = list(store._query(limit=7, page=True, decode=dict, **query))
    walked_parsing = walked[0]
    with unparsed_items(store.client):
        unparsed = list(store._query(limit=7, page=True, decode=dict, **query))
    walked_unparsed = walked[0] - walked_parsing
    after = list(store._query(limit=7, page=True, decode=dict, **query))  # outside the block: parsed again

    assert len(parsed) == 24 and unparsed == parsed == after
    assert walked_unparsed <= 3 * 4 < 24 * 4 <= walked_parsing  # 4 pages: each answer and its last key walked
