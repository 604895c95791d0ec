"""The case store's contract, held by both stores: the in-memory fake the unit tests use and the DynamoDB adapter.

Each behaviour runs twice, once per store: what ingestion writes (the writer port, carebird.ports.CaseStore) and
what the inbox, the digest, the KPIs and the health check read (the reader port, carebird.ports.CaseReader). A
fake that drifted from DynamoDB's conditional semantics would make every unit test built on it lie.
"""

import itertools
from dataclasses import replace
from datetime import timedelta

import boto3
import pytest
from carebird_local import local

from carebird.app.ingest import IngestSettings, Outcome, apply_event
from carebird.aws.case_store import DynamoCaseStore
from carebird.domain.cases import close
from carebird.domain.model import Deletion
from carebird.errors import ConcurrentUpdate, DuplicateMessage
from carebird.x.normalise import parse_delivery
from tests.helpers import BRAND, InMemoryCaseStore, fixture

pytestmark = pytest.mark.integration
SETTINGS = IngestSettings()


@pytest.fixture(params=["in-memory", "dynamodb"])
def store(request):
    if request.param == "in-memory":
        return InMemoryCaseStore()
    request.getfixturevalue("aws")
    dynamodb = boto3.client("dynamodb")
    local.create_cases_table(dynamodb, "carebird-contract")
    return DynamoCaseStore("carebird-contract", dynamodb)


def event(name):
    return parse_delivery(fixture(name), BRAND).events[0]


def test_a_stored_message_finds_its_case_by_id_message_reference_and_customer(store):
    mention = event("aaa-mention.json")

    result = apply_event(store, mention, SETTINGS)

    case = store.get_case(result.case_id)
    assert result.outcome is Outcome.CREATED and case is not None
    assert store.case_id_for_message(mention.id) == case.case_id
    assert store.message_text(mention.id) == mention.text
    assert store.case_by_reference(case.reference.lower()) == case
    assert store.cases_of_customer(f"@{mention.author.handle.upper()}") == [case]
    assert store.get_case("public-nothing") is None and store.case_by_reference("CB-NONE") is None


def test_a_redelivered_message_is_a_duplicate_and_stores_nothing_twice(store):
    mention = event("aaa-mention.json")
    first = apply_event(store, mention, SETTINGS)

    again = apply_event(store, mention, SETTINGS)

    assert again.outcome is Outcome.DUPLICATE
    assert store.get_case(first.case_id).inbound_count == 1


def test_a_follow_up_joins_the_customers_open_case(store):
    first = apply_event(store, event("aaa-mention.json"), SETTINGS)

    follow_up = apply_event(store, event("aaa-extended-tweet.json"), SETTINGS)

    assert follow_up.outcome is Outcome.APPENDED and follow_up.case_id == first.case_id
    assert store.get_case(first.case_id).inbound_count == 2


def test_a_write_from_a_stale_version_is_refused(store):
    result = apply_event(store, event("aaa-mention.json"), SETTINGS)
    stale = store.get_case(result.case_id)
    store.save_case(replace(stale, priority=stale.priority + 1), stale.version)

    with pytest.raises(ConcurrentUpdate):
        store.save_case(close(stale), stale.version)
    assert store.get_case(result.case_id).status == stale.status


def test_a_message_guarded_twice_in_one_save_is_a_duplicate(store):
    mention = event("aaa-mention.json")
    result = apply_event(store, mention, SETTINGS)
    case = store.get_case(result.case_id)

    with pytest.raises(DuplicateMessage):
        store.save_case(case, case.version, message=mention)


def test_waiting_cases_are_queued_and_a_closed_one_leaves_the_queue(store):
    first = apply_event(store, event("aaa-mention.json"), SETTINGS)
    second = apply_event(store, event("aaa-mention-influencer.json"), SETTINGS)
    assert {c.case_id for c in store.open_queue()} == {first.case_id, second.case_id}

    case = store.get_case(first.case_id)
    store.save_case(close(case), case.version)

    assert [c.case_id for c in store.open_queue()] == [second.case_id]


def test_cases_are_read_back_by_the_window_they_were_opened_in(store):
    result = apply_event(store, event("aaa-mention.json"), SETTINGS)
    opened = store.get_case(result.case_id).opened_at

    inside = list(store.cases_opened_between(opened - timedelta(hours=1), opened + timedelta(hours=1)))
    after = list(store.cases_opened_between(opened + timedelta(seconds=1), opened + timedelta(days=1)))

    assert [c.case_id for c in inside] == [result.case_id] and after == []
    assert store.latest_case(opened + timedelta(minutes=5)).case_id == result.case_id
    assert store.latest_case(opened + timedelta(days=3)) is None


def test_a_post_deleted_before_it_arrived_is_never_stored(store):
    mention = event("aaa-mention.json")

    assert store.remember_deleted(
        Deletion(message_id=mention.id, author_id=mention.author.id, deleted_at=mention.created_at)
    )
    result = apply_event(store, mention, SETTINGS)

    assert result.outcome is not Outcome.CREATED
    assert store.case_id_for_message(mention.id) is None and list(store.open_queue()) == []


def mentions(count, opened):
    """`count` first mentions of distinct customers, a minute apart, the last at `opened`."""
    from carebird.domain.model import Author, Channel, Message

    return [
        Message(id=f"19{n:017d}", channel=Channel.MENTION, author=Author(f"17{n:017d}", f"reader{n}", f"Reader {n}"),
                text=f"@{BRAND.handle} ma box ne marche plus", created_at=opened - timedelta(minutes=count - 1 - n))
        for n in range(count)
    ]  # fmt: skip


def test_a_days_cases_are_read_newest_first_beyond_one_batch_and_no_further_than_the_reader_goes(store):
    opened = event("aaa-mention.json").created_at
    for message in mentions(130, opened):  # more than one BatchGetItem's 100 keys
        apply_event(store, message, SETTINGS)

    newest = list(store.cases_newest_first(opened, 1))
    window = list(store.cases_opened_between(opened - timedelta(hours=3), opened))
    first_three = list(itertools.islice(store.cases_newest_first(opened, 1), 3))

    assert [c.customer.handle for c in newest] == [f"reader{n}" for n in reversed(range(130))]
    assert [c.case_id for c in window] == [c.case_id for c in reversed(newest)]
    assert newest[0] == store.get_case(newest[0].case_id)  # the whole case, not the index's keys
    assert [c.customer.handle for c in first_three] == ["reader129", "reader128", "reader127"]


def index_projections():
    """Each index of the template: (its keys and the table's, the attributes it projects; None for ALL)."""
    table = local.load_template()["Resources"]["CasesTable"]["Properties"]
    shapes = {}
    for index in table["GlobalSecondaryIndexes"]:
        keys = {"pk", "sk", *(k["AttributeName"] for k in index["KeySchema"])}
        projection = index["Projection"]
        included = set(projection.get("NonKeyAttributes", ())) if projection["ProjectionType"] == "INCLUDE" else set()
        shapes[index["IndexName"]] = None if projection["ProjectionType"] == "ALL" else keys | included
    return shapes


@pytest.fixture
def projected_store(aws):
    """The DynamoDB store whose index Queries answer only what real DynamoDB returns from an index: its keys, the
    table's and the projected attributes, whatever moto's emulation returns. A reader that took anything else from an
    index item (the case's customer, its status...) reads it missing here. Every index Query is kept for a look."""
    dynamodb = boto3.client("dynamodb")
    local.create_cases_table(dynamodb, "carebird-projected")
    shapes, queries = index_projections(), []

    def remember(params, context, **_):
        context["index"] = params.get("IndexName")
        if params.get("IndexName"):
            queries.append(params)

    def strip(parsed, context, **_):
        allowed = shapes.get(context.get("index")) if context.get("index") else None
        for item in parsed.get("Items", []) if allowed is not None else []:
            for name in set(item) - allowed:
                del item[name]

    dynamodb.meta.events.register("before-parameter-build.dynamodb.Query", remember)
    dynamodb.meta.events.register("after-call.dynamodb.Query", strip)
    store = DynamoCaseStore("carebird-projected", dynamodb)
    store.index_queries = queries
    return store


def test_every_index_read_gives_whole_cases_from_what_the_index_projects_and_nothing_else(projected_store):
    store = projected_store
    opened = event("aaa-mention.json").created_at
    for message in mentions(5, opened):
        apply_event(store, message, SETTINGS)
    stored = {c.case_id: c for c in store.open_queue()}
    one = store.get_case(next(iter(stored)))

    assert len(stored) == 5 and all(store.get_case(case_id) == case for case_id, case in stored.items())
    assert {c.case_id: c for c in store.cases_newest_first(opened, 1)} == stored
    assert {c.case_id: c for c in store.cases_opened_between(opened - timedelta(hours=1), opened)} == stored
    assert store.latest_case(opened) == store.get_case(max(stored.values(), key=lambda c: c.opened_at).case_id)
    assert store.case_by_reference(one.reference) == one
    assert store.cases_of_customer(one.customer.handle) == [one]
    shapes = index_projections()
    for query in store.index_queries:  # nothing asked of an index beyond what it holds
        allowed = shapes[query["IndexName"]]
        asked = {n.strip() for n in query.get("ProjectionExpression", "").split(",") if n.strip()}
        assert query.get("Select") != "ALL_ATTRIBUTES" or allowed is None
        assert allowed is None or asked <= allowed, (query["IndexName"], asked - allowed)


def test_reading_a_few_of_a_busy_days_cases_reads_no_more_than_one_batch_of_them(projected_store):
    store = projected_store
    opened = event("aaa-mention.json").created_at
    for message in mentions(130, opened):
        apply_event(store, message, SETTINGS)
    asked = []
    store.client.meta.events.register(
        "before-parameter-build.dynamodb.BatchGetItem",
        lambda params, **_: asked.extend(len(w["Keys"]) for w in params["RequestItems"].values()),
    )

    first_three = list(itertools.islice(store.cases_newest_first(opened, 1), 3))
    read_three = list(asked)
    every_one = list(store.cases_newest_first(opened, 1))

    assert len(first_three) == 3 and read_three == [100]
    assert len(every_one) == 130 and asked[len(read_three) :] == [100, 30]


def test_cases_whose_keys_dynamodb_leaves_unprocessed_are_asked_again_and_come_back_in_order(projected_store):
    store = projected_store
    opened = event("aaa-mention.json").created_at
    for message in mentions(7, opened):
        apply_event(store, message, SETTINGS)
    throttled = []

    def leave_some_unprocessed(parsed, **_):  # DynamoDB's answer under throttling: part of the keys come back
        (table, items), *_ = parsed["Responses"].items()
        if len(items) > 2 and not throttled:
            throttled.extend(items[2:])
            parsed["Responses"][table] = items[:2]
            parsed["UnprocessedKeys"] = {table: {"Keys": [{"pk": i["pk"], "sk": i["sk"]} for i in items[2:]]}}

    store.client.meta.events.register("after-call.dynamodb.BatchGetItem", leave_some_unprocessed)

    newest = [c.customer.handle for c in store.cases_newest_first(opened, 1)]

    assert throttled and newest == [f"reader{n}" for n in reversed(range(7))]
