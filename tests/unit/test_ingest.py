from dataclasses import replace
from datetime import timedelta

from carebird.cases import ANSWERED, CLOSED, OPEN
from carebird.ingest import IngestSettings, Outcome, apply_event
from carebird.normalise import parse_delivery
from tests.helpers import BRAND, InMemoryCaseStore, fixture

SETTINGS = IngestSettings()


def events(name):
    return parse_delivery(fixture(name), BRAND).events


def apply_all(store, *names):
    return [apply_event(store, e, SETTINGS).outcome for name in names for e in events(name)]


def test_a_first_message_opens_a_triaged_case_in_the_queue():
    store = InMemoryCaseStore()

    assert apply_all(store, "aaa-mention.json") == [Outcome.CREATED]

    case = store.get_case("public-1860000000000000101")
    assert case.status == OPEN and case.awaiting_reply
    assert case.topic == "technical" and case.priority > 0 and case.reasons
    assert case.rank is not None


def test_a_redelivered_message_changes_nothing():
    store = InMemoryCaseStore()
    apply_all(store, "aaa-mention.json")
    before = store.get_case("public-1860000000000000101")

    assert apply_all(store, "aaa-mention.json") == [Outcome.DUPLICATE]
    assert store.get_case("public-1860000000000000101") == before


def test_a_follow_up_joins_the_open_case_as_a_repeat_contact():
    store = InMemoryCaseStore()

    outcomes = apply_all(store, "aaa-reply-to-brand-post.json", "aaa-quote.json")

    assert outcomes == [Outcome.CREATED, Outcome.APPENDED]
    case = store.get_case("public-1860000000000000103")
    assert case.inbound_count == 2
    assert any(r.startswith("repeat contact") for r in case.reasons)
    assert case.reply_to_id == "1860000000000000104"


def test_a_dm_opens_its_own_case_beside_the_public_one():
    store = InMemoryCaseStore()

    apply_all(store, "aaa-mention.json", "aaa-dm-incoming.json")

    assert set(store.cases) == {"public-1860000000000000101", "dm-1860000000000000201"}


def test_the_brand_reply_answers_the_case_and_opens_nothing():
    store = InMemoryCaseStore()
    apply_all(store, "aaa-mention.json")

    assert apply_all(store, "aaa-brand-reply.json") == [Outcome.ANSWERED]

    case = store.get_case("public-1860000000000000101")
    assert case.status == ANSWERED and not case.awaiting_reply
    assert case.first_response_at.isoformat() == "2025-11-25T10:00:00+00:00"
    assert len(store.cases) == 1


def test_a_second_brand_reply_keeps_the_first_response_time():
    store = InMemoryCaseStore()
    apply_all(store, "aaa-mention.json", "aaa-brand-reply.json")
    later = replace(
        events("aaa-brand-reply.json")[0],
        id="999",
        created_at=events("aaa-mention.json")[0].created_at + timedelta(hours=3),
    )

    assert apply_event(store, later, SETTINGS).outcome is Outcome.ANSWERED
    case = store.get_case("public-1860000000000000101")
    assert case.first_response_at.hour == 10 and case.response_count == 2


def test_a_brand_message_to_someone_without_a_case_is_ignored():
    store = InMemoryCaseStore()

    assert apply_all(store, "aaa-brand-reply.json") == [Outcome.IGNORED]
    assert store.cases == {}


def test_a_brand_dm_answers_the_dm_case_not_the_public_one():
    store = InMemoryCaseStore()
    apply_all(store, "aaa-mention.json", "aaa-dm-incoming.json", "aaa-dm-outgoing.json")

    assert store.get_case("dm-1860000000000000201").status == ANSWERED
    assert store.get_case("public-1860000000000000101").status == OPEN


def test_a_customer_writing_after_an_answer_reopens_the_case():
    store = InMemoryCaseStore()

    apply_all(store, "aaa-mention.json", "aaa-brand-reply.json", "aaa-extended-tweet.json")

    case = store.get_case("public-1860000000000000101")
    assert case.status == OPEN and case.awaiting_reply and case.reopened == 1
    assert case.first_response_at is not None


def test_after_a_long_silence_a_new_message_opens_a_new_case_and_closes_the_old():
    store = InMemoryCaseStore()
    apply_all(store, "aaa-mention.json", "aaa-brand-reply.json")
    weeks_later = replace(
        events("aaa-extended-tweet.json")[0], created_at=events("aaa-mention.json")[0].created_at + timedelta(days=20)
    )

    assert apply_event(store, weeks_later, SETTINGS).outcome is Outcome.CREATED

    assert store.get_case("public-1860000000000000101").status == CLOSED
    assert store.get_case("public-1860000000000000107").status == OPEN


def test_a_deleted_post_is_marked_on_its_case_once():
    store = InMemoryCaseStore()
    apply_all(store, "aaa-reply-to-brand-post.json")

    assert apply_all(store, "aaa-tweet-delete.json", "aaa-tweet-delete.json") == [Outcome.DELETED, Outcome.DUPLICATE]
    case = store.get_case("public-1860000000000000103")
    assert case.deleted_ids == {"1860000000000000103"}
    assert "prix de l'offre" not in case.triage_text and "[post deleted by the customer]" in case.triage_text


def test_a_deletion_before_its_post_keeps_the_post_out():
    store = InMemoryCaseStore()

    apply_all(store, "aaa-tweet-delete.json", "aaa-reply-to-brand-post.json")

    assert store.cases == {}


def test_both_feeds_feed_the_same_cases():
    store = InMemoryCaseStore()

    outcomes = apply_all(
        store,
        "xaa-post-mention.json",
        "xaa-dm-received.json",
        "xaa-brand-reply.json",
        "xaa-dm-sent.json",
        "xaa-post-delete.json",
    )

    assert outcomes == [Outcome.CREATED, Outcome.CREATED, Outcome.ANSWERED, Outcome.ANSWERED, Outcome.DELETED]
    assert all(c.status == ANSWERED for c in store.cases.values())
