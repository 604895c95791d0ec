from dataclasses import replace
from datetime import timedelta

from carebird.app.ingest import IngestSettings, Outcome, apply_event
from carebird.domain.cases import ANSWERED, CLOSED, OPEN
from carebird.x.normalise import parse_delivery
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


def test_a_dm_continuing_a_live_public_conversation_joins_its_case():
    # Claire mentioned the brand, then writes in DM (the brand often says "send us a DM")
    store = InMemoryCaseStore()

    outcomes = apply_all(store, "aaa-mention.json", "aaa-dm-incoming.json")

    assert outcomes == [Outcome.CREATED, Outcome.APPENDED]
    assert set(store.cases) == {"public-1860000000000000101"}
    case = store.get_case("public-1860000000000000101")
    assert case.inbound_count == 2 and case.conversation_id  # the DM conversation is known to the case
    assert [m.id for m in store.messages[case.case_id]] == ["1860000000000000101", "1860000000000000201"]


def test_a_brand_dm_answers_the_public_case_the_dm_joined():
    store = InMemoryCaseStore()
    apply_all(store, "aaa-mention.json", "aaa-dm-incoming.json")

    assert apply_all(store, "aaa-dm-outgoing.json") == [Outcome.ANSWERED]

    case = store.get_case("public-1860000000000000101")
    assert case.status == ANSWERED and not case.awaiting_reply


def test_a_dm_from_a_customer_without_a_live_public_case_opens_its_own():
    store = InMemoryCaseStore()

    assert apply_all(store, "aaa-dm-incoming.json") == [Outcome.CREATED]
    assert set(store.cases) == {"dm-1860000000000000201"}


def test_a_dm_after_the_public_case_went_idle_opens_its_own():
    store = InMemoryCaseStore()
    apply_all(store, "aaa-mention.json", "aaa-brand-reply.json")
    dm = replace(
        events("aaa-dm-incoming.json")[0], created_at=events("aaa-mention.json")[0].created_at + timedelta(days=5)
    )

    assert apply_event(store, dm, SETTINGS).outcome is Outcome.CREATED
    assert "dm-1860000000000000201" in store.cases


def test_a_brand_answer_arriving_before_the_message_it_answers_answers_it_on_arrival():
    # X delivered the brand's reply first (out-of-order delivery)
    store = InMemoryCaseStore()

    assert apply_all(store, "aaa-brand-reply.json") == [Outcome.HELD]
    assert store.cases == {}

    assert apply_all(store, "aaa-mention.json") == [Outcome.CREATED]
    case = store.get_case("public-1860000000000000101")
    assert case.status == ANSWERED and not case.awaiting_reply  # never escalated falsely
    assert case.first_response_at.isoformat() == "2025-11-25T10:00:00+00:00"
    assert [m.id for m in store.messages[case.case_id]] == ["1860000000000000101", "1860000000000000106"]


def test_a_held_answer_redelivered_is_held_once():
    store = InMemoryCaseStore()

    assert apply_all(store, "aaa-brand-reply.json", "aaa-brand-reply.json") == [Outcome.HELD, Outcome.DUPLICATE]


def test_redelivering_the_first_message_of_a_closed_case_is_a_duplicate():
    from carebird.domain.cases import close

    store = InMemoryCaseStore()
    apply_all(store, "aaa-mention.json")
    case = store.get_case("public-1860000000000000101")
    store.cases[case.case_id] = close(case)

    assert apply_all(store, "aaa-mention.json") == [Outcome.DUPLICATE]
    assert store.get_case(case.case_id).status == CLOSED and len(store.cases) == 1


def test_the_brand_deleting_its_only_answer_puts_the_customer_back_in_the_queue():
    from carebird.domain.model import Deletion

    store = InMemoryCaseStore()
    apply_all(store, "aaa-mention.json", "aaa-brand-reply.json")
    answered = store.get_case("public-1860000000000000101")
    answer = events("aaa-brand-reply.json")[0]
    deletion = Deletion(answer.id, BRAND.user_id, answer.created_at + timedelta(minutes=5), by_brand=True)

    assert apply_event(store, deletion, SETTINGS).outcome is Outcome.DELETED

    case = store.get_case(answered.case_id)
    assert case.status == OPEN and case.awaiting_reply and case.first_response_at is None
    assert case.waiting_since == events("aaa-mention.json")[0].created_at  # waiting since the first message
    assert case.reopened == answered.reopened + 1  # a new opening: a new SLA timer
    assert apply_event(store, deletion, SETTINGS).outcome is Outcome.DUPLICATE


def test_the_brand_deleting_one_of_two_answers_keeps_the_case_answered():
    from carebird.domain.model import Deletion

    store = InMemoryCaseStore()
    apply_all(store, "aaa-mention.json", "aaa-brand-reply.json")
    answer = events("aaa-brand-reply.json")[0]
    apply_event(store, replace(answer, id="1860000000000000999", created_at=answer.created_at + timedelta(1)), SETTINGS)

    apply_event(store, Deletion(answer.id, BRAND.user_id, answer.created_at, by_brand=True), SETTINGS)

    case = store.get_case("public-1860000000000000101")
    assert case.status == ANSWERED and case.response_count == 1


def test_the_brand_deleting_a_post_that_answered_nobody_changes_nothing():
    from carebird.domain.model import Deletion

    store = InMemoryCaseStore()

    deletion = Deletion("1860000000000000777", BRAND.user_id, events("aaa-mention.json")[0].created_at, by_brand=True)

    assert apply_event(store, deletion, SETTINGS).outcome is Outcome.IGNORED
    assert store.message_ids == {}


def test_a_citation_author_who_then_mentions_the_brand_gets_a_direct_request_case():
    from carebird.domain.model import Channel

    store = InMemoryCaseStore()
    mention = events("aaa-mention.json")[0]
    citation = replace(mention, id="1860000000000000500", channel=Channel.CITATION, feed="watch",
                       created_at=mention.created_at - timedelta(hours=1))  # fmt: skip
    apply_event(store, citation, SETTINGS)

    assert apply_event(store, mention, SETTINGS).outcome is Outcome.APPENDED

    case = store.get_case("public-1860000000000000500")
    assert case.channel is Channel.MENTION  # the SLA, the acknowledgement and API replies now apply
    assert case.waiting_since == mention.created_at and case.reopened == 1  # a new timer from the mention


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


def test_a_brand_dm_to_someone_without_a_case_is_ignored():
    store = InMemoryCaseStore()

    assert apply_all(store, "aaa-dm-outgoing.json") == [Outcome.IGNORED]
    assert store.cases == {} and store.held_answers == {}


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

    # Nora's DM continues her public mention: one case, answered in public and by DM
    assert outcomes == [Outcome.CREATED, Outcome.APPENDED, Outcome.ANSWERED, Outcome.ANSWERED, Outcome.DELETED]
    assert len(store.cases) == 1 and all(c.status == ANSWERED for c in store.cases.values())


def test_a_held_answer_already_recorded_elsewhere_is_not_counted_twice():
    # The reply to Claire's mention is held; her follow-up opens the case; X redelivers the reply, which now
    # answers her open case; then the mention itself arrives.
    store = InMemoryCaseStore()
    assert apply_all(store, "aaa-brand-reply.json", "aaa-extended-tweet.json") == [Outcome.HELD, Outcome.CREATED]
    assert apply_all(store, "aaa-brand-reply.json") == [Outcome.ANSWERED]

    assert apply_all(store, "aaa-mention.json") == [Outcome.APPENDED]

    case = store.get_case("public-1860000000000000107")
    assert case.response_count == 1 and case.inbound_count == 2 and store.held_answers == {}
    assert case.status == ANSWERED  # the mention was written before the answer: it waits for nothing


def test_a_brand_dm_after_a_public_complaint_answers_the_public_case():
    # the brand moves the conversation to DMs ("we've sent you a DM") before the customer writes there
    store = InMemoryCaseStore()
    apply_all(store, "aaa-mention.json")

    assert apply_all(store, "aaa-dm-outgoing.json") == [Outcome.ANSWERED]

    case = store.get_case("public-1860000000000000101")
    assert case.status == ANSWERED and case.first_response_at is not None
