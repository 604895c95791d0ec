"""The case store's contract, held by both stores: the in-memory fake the unit tests use and the DynamoDB adapter.

Each behaviour runs twice, once per store: what ingestion writes (the writer port, carebird.ports.CaseStore) and
what the inbox, the digest, the KPIs and the health check read (the reader port, carebird.ports.CaseReader). A
fake that drifted from DynamoDB's conditional semantics would make every unit test built on it lie.
"""

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
