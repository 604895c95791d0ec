"""The DynamoDB store's conditional writes under races and redelivery (moto)."""

from dataclasses import replace

import pytest

from carebird.app.ingest import IngestSettings, Outcome, apply_event
from carebird.x.normalise import parse_delivery
from tests.helpers import BRAND, fixture
from tests.integration.conftest import item_count

pytestmark = pytest.mark.integration


def first_event(name):
    return parse_delivery(fixture(name), BRAND).events[0]


class StaleReads:
    """A store whose first pointer read misses a case another invocation just created."""

    def __init__(self, store):
        self.store = store
        self.stale = True

    def lookup(self, *args, **kwargs):
        known = self.store.lookup(*args, **kwargs)
        if self.stale:
            self.stale = False
            return replace(known, open_cases={})
        return known

    def __getattr__(self, name):
        return getattr(self.store, name)


def test_two_invocations_racing_on_one_customer_end_with_one_case(deployed):
    apply_event(deployed.store, first_event("aaa-mention.json"), IngestSettings())
    follow_up = first_event("aaa-extended-tweet.json")

    result = apply_event(StaleReads(deployed.store), follow_up, IngestSettings())

    assert result.outcome is Outcome.APPENDED
    assert result.case_id == "public-1860000000000000101"
    assert deployed.store.get_case(result.case_id).inbound_count == 2


def test_a_stale_case_version_is_retried_not_overwritten(deployed):
    settings = IngestSettings()
    apply_event(deployed.store, first_event("aaa-reply-to-brand-post.json"), settings)
    stale = deployed.store.get_case("public-1860000000000000103")
    apply_event(deployed.store, first_event("aaa-quote.json"), settings)

    class StaleCase:
        calls = 0

        def get_case(self, case_id):
            StaleCase.calls += 1
            return stale if StaleCase.calls == 1 else deployed.store.get_case(case_id)

        def __getattr__(self, name):
            return getattr(deployed.store, name)

    late = replace(first_event("aaa-quote.json"), id="1860000000000000999")
    assert apply_event(StaleCase(), late, settings).outcome is Outcome.APPENDED
    assert deployed.store.get_case("public-1860000000000000103").inbound_count == 3


def test_every_item_of_a_case_is_written_once_whatever_the_redeliveries(deployed):
    settings = IngestSettings()
    names = ["aaa-mention.json", "aaa-brand-reply.json", "aaa-dm-incoming.json", "aaa-dm-outgoing.json"]
    for name in names:
        apply_event(deployed.store, first_event(name), settings)
    once = item_count(deployed.dynamodb)

    outcomes = {apply_event(deployed.store, first_event(name), settings).outcome for name in names * 3}

    assert outcomes == {Outcome.DUPLICATE}
    assert item_count(deployed.dynamodb) == once


def test_a_case_is_found_by_the_reference_of_its_emails_and_by_its_customers_handle(deployed):
    apply_event(deployed.store, first_event("aaa-mention.json"), IngestSettings())
    apply_event(deployed.store, first_event("aaa-mention-influencer.json"), IngestSettings())
    case = deployed.store.get_case("public-1860000000000000101")

    assert deployed.store.case_by_reference(case.reference).case_id == case.case_id
    assert deployed.store.case_by_reference(case.reference.lower()).case_id == case.case_id
    assert deployed.store.case_by_reference("CB-999999") is None
    assert [c.case_id for c in deployed.store.cases_of_customer("@Claire_Dupont")] == [case.case_id]
    assert deployed.store.cases_of_customer("nobody") == [] and deployed.store.cases_of_customer("@") == []


def test_the_latest_case_is_one_small_query_per_day_and_one_read_of_its_case_whatever_the_volume(deployed):
    from datetime import UTC, datetime, timedelta

    for name in ("aaa-mention.json", "aaa-mention-influencer.json", "aaa-reply-to-brand-post.json"):
        apply_event(deployed.store, first_event(name), IngestSettings())
    calls = []
    deployed.store.client.meta.events.register(
        "before-parameter-build.dynamodb.*", lambda model, params, **_: calls.append((model.name, params))
    )
    now = datetime(2025, 11, 26, 8, 0, tzinfo=UTC)  # the next day: today's partition is empty, yesterday's is not

    latest = deployed.store.latest_case(now)

    assert latest.customer.handle == "sam_b"  # 09:30, the last of the three
    assert [name for name, _ in calls] == ["Query", "Query", "BatchGetItem"]
    assert all(params["Limit"] == 1 for name, params in calls if name == "Query")  # one key of the index a day
    (batch,) = [params["RequestItems"] for name, params in calls if name == "BatchGetItem"]
    assert [len(wanted["Keys"]) for wanted in batch.values()] == [1]  # then that one case
    assert deployed.store.latest_case(now + timedelta(days=5)) is None
