"""A warm container writes follow-ups and answers from the cases it remembers, with no read first.

That shortcut must never change what is stored: every write from a remembered copy is conditional, and a copy
another container made stale fails its write and is read afresh. These tests hold the shortcut to the full path
(a store that remembers nothing), event by event and on shuffled, redelivered, two-container traffic.
"""

from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from carebird.app.ingest import IngestSettings, Outcome, apply_event
from carebird.domain.cases import ANSWERED, CLOSED
from carebird.x.normalise import parse_delivery
from tests.helpers import BRAND, InMemoryCaseStore, fixture

SETTINGS = IngestSettings()
TRAFFIC = (
    "aaa-mention.json",
    "aaa-extended-tweet.json",
    "aaa-brand-reply.json",
    "aaa-dm-incoming.json",
    "aaa-dm-outgoing.json",
    "aaa-reply-to-brand-post.json",
    "aaa-quote.json",
    "aaa-tweet-delete.json",
    "xaa-post-mention.json",
    "xaa-dm-received.json",
    "xaa-brand-reply.json",
    "xaa-dm-sent.json",
    "xaa-post-delete.json",
)
EVENTS = [event for name in TRAFFIC for event in parse_delivery(fixture(name), BRAND).events]


def event(name, index=0):
    return parse_delivery(fixture(name), BRAND).events[index]


class CountingStore(InMemoryCaseStore):
    """Counts the reads ingestion makes (lookups and case reads), as DynamoDB calls would be counted."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reads = 0

    def lookup(self, *args, **kwargs):
        self.reads += 1
        return super().lookup(*args, **kwargs)


def stored(store):
    """What the table holds, as comparable values."""
    return store.cases, store.pointers, store.message_ids, store.held_answers, store.deleted_messages


def test_a_follow_up_to_a_remembered_case_is_written_without_a_read():
    store = CountingStore(remember=True)
    apply_event(store, event("aaa-reply-to-brand-post.json"), SETTINGS)
    reads = store.reads

    assert apply_event(store, event("aaa-quote.json"), SETTINGS).outcome is Outcome.APPENDED

    assert store.reads == reads
    assert store.cases["public-1860000000000000103"].inbound_count == 2


def test_a_redelivery_to_a_remembered_case_is_a_duplicate_without_a_read():
    store = CountingStore(remember=True)
    apply_event(store, event("aaa-mention.json"), SETTINGS)
    before, reads = dict(store.cases), store.reads

    assert apply_event(store, event("aaa-mention.json"), SETTINGS).outcome is Outcome.DUPLICATE

    assert store.reads == reads and store.cases == before


def test_a_brand_answer_to_a_remembered_case_is_written_without_a_read():
    store = CountingStore(remember=True)
    apply_event(store, event("aaa-mention.json"), SETTINGS)
    reads = store.reads

    assert apply_event(store, event("aaa-brand-reply.json"), SETTINGS).outcome is Outcome.ANSWERED

    assert store.reads == reads and store.cases["public-1860000000000000101"].status == ANSWERED


def test_a_copy_another_container_changed_is_read_afresh_and_keeps_that_change():
    ours = CountingStore(remember=True)
    apply_event(ours, event("aaa-mention.json"), SETTINGS)
    theirs = InMemoryCaseStore(shared=ours)
    case = theirs.cases["public-1860000000000000101"]
    theirs.save_case(replace(case, escalation_level=1), case.version)  # the SLA workflow escalated it meanwhile
    reads = ours.reads

    assert apply_event(ours, event("aaa-extended-tweet.json"), SETTINGS).outcome is Outcome.APPENDED

    assert ours.reads == reads + 1
    case = ours.cases["public-1860000000000000101"]
    assert case.escalation_level == 1 and case.inbound_count == 2


def test_a_remembered_case_closed_and_replaced_elsewhere_is_not_written_to():
    ours = InMemoryCaseStore(remember=True)
    apply_event(ours, event("aaa-mention.json"), SETTINGS)
    apply_event(ours, event("aaa-brand-reply.json"), SETTINGS)
    theirs = InMemoryCaseStore(shared=ours)
    weeks_later = event("aaa-mention.json").created_at + timedelta(days=20)
    apply_event(theirs, replace(event("aaa-extended-tweet.json"), created_at=weeks_later), SETTINGS)  # a new case
    follow_up = replace(event("aaa-quote.json"), author=event("aaa-mention.json").author, created_at=weeks_later)

    assert apply_event(ours, follow_up, SETTINGS).outcome is Outcome.APPENDED

    assert ours.cases["public-1860000000000000101"].status == CLOSED
    assert ours.cases["public-1860000000000000107"].inbound_count == 2


def test_a_message_whose_answer_was_held_takes_the_full_path_and_is_answered():
    # The reply to Claire's mention comes first and is held; her next post opens a case this container remembers;
    # then the mention arrives: its id guard holds the early answer, so the shortcut gives way to the full path.
    names = ("aaa-brand-reply.json", "aaa-extended-tweet.json", "aaa-mention.json")
    ours, reference = CountingStore(remember=True), InMemoryCaseStore()
    for name in names[:2]:
        apply_event(ours, event(name), SETTINGS)
        apply_event(reference, event(name), SETTINGS)
    reads = ours.reads

    outcome = apply_event(ours, event(names[2]), SETTINGS).outcome

    assert outcome == apply_event(reference, event(names[2]), SETTINGS).outcome == Outcome.APPENDED
    assert ours.reads == reads + 1 and ours.held_answers == {}
    assert stored(ours) == stored(reference)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(range(len(EVENTS))), st.sampled_from("AB")), min_size=1, max_size=24),
)
def test_two_remembering_containers_store_what_a_store_without_memory_stores(traffic):
    """Shuffled events with redeliveries, each to container A or B (their memories go stale between them)."""
    reference = InMemoryCaseStore()
    a = InMemoryCaseStore(remember=True)
    containers = {"A": a, "B": InMemoryCaseStore(remember=True, shared=a)}

    for index, container in traffic:
        expected = apply_event(reference, EVENTS[index], SETTINGS)
        got = apply_event(containers[container], EVENTS[index], SETTINGS)
        assert got.outcome == expected.outcome, (index, container)

    assert stored(a) == stored(reference)


def test_the_memory_is_bounded_and_knows_a_current_case_only_with_its_pointer():
    from carebird.aws.memory import RecentCases

    store = InMemoryCaseStore()
    apply_event(store, event("aaa-mention.json"), SETTINGS)
    case = store.cases["public-1860000000000000101"]
    recent = RecentCases(size=2)

    recent.seen(case)
    assert recent.current(case.customer.id, "public") is None  # no pointer seen: not known as current
    recent.points(case.customer.id, "public", case.case_id)
    assert recent.current(case.customer.id, "public") == case
    recent.forget(case.case_id)
    assert recent.current(case.customer.id, "public") is None  # a failed write forgets the copy
    for n in range(3):
        recent.seen(replace(case, case_id=f"other-{n}"))
    assert recent.case("other-0") is None and recent.case("other-2") is not None  # least recently used out
