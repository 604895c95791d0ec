"""What the desk does with every example in X's own documentation (tests/fixtures/x-docs, see its README)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from carebird.app.ingest import IngestSettings, Outcome, apply_event
from carebird.domain.model import Channel
from carebird.x.normalise import CHAT_PLACEHOLDER, Brand, parse_delivery
from tests.helpers import InMemoryCaseStore

DOCS = Path(__file__).parents[1] / "fixtures" / "x-docs"
EXAMPLE_USER = Brand(user_id="1111111111111111111", handle="ExampleUser")  # the subscribed account of the XAA page
RECEIVED = datetime(2026, 7, 24, 21, 30, tzinfo=UTC)


def load(name: str) -> dict:
    return json.loads((DOCS / name).read_text(encoding="utf-8"))


def outcomes(brand: Brand, *names: str) -> tuple[list[Outcome], InMemoryCaseStore]:
    store = InMemoryCaseStore()
    results = []
    for name in names:
        delivery = parse_delivery(load(name), brand, RECEIVED)
        assert delivery.rejected == [], (name, delivery.rejected)
        results += [apply_event(store, event, IngestSettings()).outcome for event in delivery.events]
        results += [Outcome.IGNORED] * len(delivery.ignored)
    return results, store


def test_every_documented_example_is_covered_here():
    covered = {name for names in COVERED.values() for name in names}
    assert covered == {p.name for p in DOCS.glob("*.json")}


@pytest.mark.parametrize(
    ("name", "channel", "author", "followers", "awaiting"),
    [
        # "hey @ExampleUser": a public remark that asks nothing is set aside as noise (an agent can say otherwise)
        ("post.mention.create.json", Channel.MENTION, "OtherUser", 97, False),
        ("post.reply.create.derived.json", Channel.REPLY, "OtherUser", 97, True),
        ("post.quote.create.derived.json", Channel.QUOTE, "OtherUser", 97, True),
        ("dm.received.json", Channel.DM, "OtherUser", 97, True),
    ],
)
def test_a_customer_message_opens_a_case(name, channel, author, followers, awaiting):
    results, store = outcomes(EXAMPLE_USER, name)

    assert results == [Outcome.CREATED]
    (case,) = store.cases.values()
    assert (case.channel, case.customer.handle, case.customer.followers) == (channel, author, followers)
    assert case.customer.id == "2222222222222222222" and case.awaiting_reply is awaiting
    assert awaiting or case.status.value == "noise"


def test_the_mention_example_keeps_its_words_and_time():
    _, store = outcomes(EXAMPLE_USER, "post.mention.create.json")

    (case,) = store.cases.values()
    assert case.preview == "hey @ExampleUser" and case.opened_at == datetime(2026, 7, 24, 21, 23, 23, tzinfo=UTC)


def test_an_encrypted_chat_opens_a_case_that_says_to_read_it_in_the_x_app():
    results, store = outcomes(EXAMPLE_USER, "chat.received.json")

    assert results == [Outcome.CREATED]
    (case,) = store.cases.values()
    assert case.channel is Channel.DM and case.preview == CHAT_PLACEHOLDER
    assert case.opened_at == datetime(2026, 7, 23, 21, 13, 3, 370000, tzinfo=UTC)  # created_at_msec


def test_the_brand_answering_in_xchat_answers_the_chat_case():
    results, store = outcomes(EXAMPLE_USER, "chat.received.json", "chat.sent.json")

    assert results == [Outcome.CREATED, Outcome.ANSWERED]
    assert all(c.status == "answered" for c in store.cases.values())


@pytest.mark.parametrize(
    "name",
    [
        "post.create.json",  # the brand's own post, answering nobody
        "post.delete.json",  # the brand deleted a post that answered no case
        "dm.sent.json",  # the brand's DM to someone without a case
        "chat.sent.json",
    ],
)
def test_the_brands_own_activity_without_a_case_opens_nothing(name):
    results, store = outcomes(EXAMPLE_USER, name)

    assert results == [Outcome.IGNORED] and store.cases == {}


NOT_CONVERSATIONS = [
    "like.create.json",
    "follow.follow.json",
    "follow.unfollow.json",
    "profile.update.bio.json",
    "profile.update.profile_picture.json",
    "profile.update.banner_picture.json",
    "profile.update.screenname.json",
    "profile.update.geo.json",
    "profile.update.url.json",
    "news.new.json",
    "spaces.start.json",
    "spaces.end.json",
    "oauth.revoke.json",
]


@pytest.mark.parametrize("name", NOT_CONVERSATIONS)
def test_other_documented_types_are_ignored_by_name(name):
    delivery = parse_delivery(load(name), EXAMPLE_USER, RECEIVED)

    assert delivery.events == [] and delivery.rejected == [] and delivery.unknown_types == []
    assert delivery.ignored == [
        f"{load(name)['data']['event_type']}: not used by carebird " + delivery.ignored[0].split(" carebird ", 1)[1]
    ]


def test_an_undocumented_type_is_ignored_and_named_so_the_change_is_visible():
    envelope = load("like.create.json")
    envelope["data"]["event_type"] = "post.bookmark.create"

    delivery = parse_delivery(envelope, EXAMPLE_USER, RECEIVED)

    assert delivery.events == [] and delivery.unknown_types == ["post.bookmark.create"]


def test_the_account_activity_dm_example_opens_a_case_for_the_subscribed_account():
    results, store = outcomes(Brand("4337869213", "Harris_0ff"), "aaa.direct_message_events.json")

    assert results == [Outcome.CREATED]
    (case,) = store.cases.values()
    assert (case.customer.handle, case.customer.followers, case.preview) == ("furiouscamper", 22, "Hello World!")


@pytest.mark.parametrize(
    ("brand", "name"),
    [
        (Brand("4337869213", "Harris_0ff"), "aaa.direct_message_indicate_typing_events.json"),
        (Brand("4337869213", "Harris_0ff"), "aaa.direct_message_mark_read_events.json"),
        (Brand("930524282358325248", "deleter"), "aaa.tweet_delete_events.json"),  # the account's own post
        (Brand("63046977", "revoker"), "aaa.user_event.json"),
        (Brand("63046977", "replayer"), "aaa.replay_job_status.json"),
        (Brand("1603419180975409153", "ElidedInDocs"), "aaa.tweet_create_events.longform.json"),  # its own post
    ],
)
def test_account_activity_examples_without_a_customer_message_open_nothing(brand, name):
    results, store = outcomes(brand, name)

    assert store.cases == {} and results and set(results) == {Outcome.IGNORED}


def test_a_longform_post_is_read_whole_when_it_mentions_the_brand():
    envelope = load("aaa.tweet_create_events.longform.json")
    brand = Brand("1661523610111193088", "xai")  # the example mentions @xai after its 2,000th character
    envelope["for_user_id"] = brand.user_id

    (message,) = parse_delivery(envelope, brand, RECEIVED).events

    assert message.channel is Channel.MENTION and message.text.endswith("@xai\n@HistoryInPics")
    assert len(message.text) > 2000


COVERED = {
    "messages": [
        "post.mention.create.json", "post.reply.create.derived.json", "post.quote.create.derived.json",
        "dm.received.json", "chat.received.json", "chat.sent.json", "aaa.direct_message_events.json",
    ],
    "brand": ["post.create.json", "post.delete.json", "dm.sent.json"],
    "ignored": NOT_CONVERSATIONS,
    "aaa": [
        "aaa.direct_message_indicate_typing_events.json", "aaa.direct_message_mark_read_events.json",
        "aaa.tweet_delete_events.json", "aaa.user_event.json", "aaa.replay_job_status.json",
        "aaa.tweet_create_events.longform.json",
    ],
}  # fmt: skip
