"""Both spellings of X's post fields answer a case the same way (tests/fixtures/x-docs/dialects, see its README).

X's documentation examples use `referenced_tweets`, `note_tweet`, `edit_history_tweet_ids` and `includes.tweets`;
X's OpenAPI 2.167 names them `referenced_posts`, `note_post`, `edit_history_post_ids` and `includes.posts`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from carebird.app.ingest import IngestSettings, Outcome, apply_event
from carebird.domain.model import CaseStatus, Channel
from carebird.x.normalise import Brand, parse_delivery, watched_post
from tests.helpers import InMemoryCaseStore

DIALECTS = Path(__file__).parents[1] / "fixtures" / "x-docs" / "dialects"
EXAMPLE_USER = Brand(user_id="1111111111111111111", handle="ExampleUser")
RECEIVED = datetime(2026, 8, 12, 18, 0, 5, tzinfo=UTC)
BOTH = ("tweets", "posts")


def load(name: str, dialect: str) -> dict:
    return json.loads((DIALECTS / f"{name}.{dialect}.json").read_text(encoding="utf-8"))


def ingest(*deliveries: dict) -> tuple[list[Outcome], InMemoryCaseStore]:
    store, outcomes = InMemoryCaseStore(), []
    for body in deliveries:
        delivery = parse_delivery(body, EXAMPLE_USER, RECEIVED)
        assert delivery.rejected == []
        outcomes += [apply_event(store, event, IngestSettings()).outcome for event in delivery.events]
    return outcomes, store


def test_the_posts_dialect_fixtures_really_use_the_new_names():
    text = "".join(p.read_text(encoding="utf-8") for p in DIALECTS.glob("*.posts.json"))
    for old in ("referenced_tweets", "note_tweet", "edit_history_tweet_ids", '"tweets"'):
        assert old not in text
    assert "referenced_posts" in text and "note_post" in text and "edit_history_post_ids" in text


@pytest.mark.parametrize("dialect", BOTH)
@pytest.mark.parametrize(
    ("name", "channel", "reply_to"),
    [
        ("post.mention.create", Channel.MENTION, "2080765813578191303"),
        ("post.reply.create", Channel.REPLY, "2090000000000000001"),
        ("post.quote.create", Channel.QUOTE, None),
    ],
)
def test_a_customer_post_opens_the_same_case_in_both_dialects(dialect, name, channel, reply_to):
    outcomes, store = ingest(load(name, dialect))

    assert outcomes == [Outcome.CREATED]
    (case,) = store.cases.values()
    assert (case.channel, case.customer.id) == (channel, "2222222222222222222")
    if reply_to:
        assert case.reply_to_id == reply_to


@pytest.mark.parametrize("dialect", BOTH)
def test_the_reply_is_known_as_a_reply_to_the_brands_post_in_both_dialects(dialect):
    delivery = parse_delivery(load("post.reply.create", dialect), EXAMPLE_USER, RECEIVED)

    (message,) = delivery.events
    assert (message.in_reply_to_id, message.in_reply_to_user_id) == ("2080761390344937796", EXAMPLE_USER.user_id)


@pytest.mark.parametrize("dialect", BOTH)
def test_a_quote_names_the_quoted_post_in_both_dialects(dialect):
    (message,) = parse_delivery(load("post.quote.create", dialect), EXAMPLE_USER, RECEIVED).events

    assert message.quoted_id == "2080761390344937796"


@pytest.mark.parametrize("dialect", BOTH)
def test_a_repost_is_ignored_in_both_dialects(dialect):
    delivery = parse_delivery(load("post.repost.create", dialect), EXAMPLE_USER, RECEIVED)

    assert delivery.events == [] and delivery.rejected == []


@pytest.mark.parametrize("dialect", BOTH)
def test_a_long_post_keeps_its_full_text_in_both_dialects(dialect):
    (message,) = parse_delivery(load("post.mention.create.long.derived", dialect), EXAMPLE_USER, RECEIVED).events

    assert message.text.endswith("The full text of a long post continues here.") and len(message.text) > 300


@pytest.mark.parametrize("dialect", BOTH)
def test_the_brands_post_create_reply_marked_only_by_in_reply_to_tweet_id_answers_the_case(dialect):
    outcomes, store = ingest(load("post.mention.create", dialect), load("post.create.reply.derived", dialect))

    assert outcomes == [Outcome.CREATED, Outcome.ANSWERED]
    (case,) = store.cases.values()
    assert case.status is CaseStatus.ANSWERED and case.first_response_at is not None


@pytest.mark.parametrize("dialect", BOTH)
def test_a_post_found_by_a_read_is_parsed_alike_in_both_dialects(dialect):
    data = load("post.reply.create", dialect)["data"]
    includes = data.get("includes", {})

    message = watched_post(data["payload"], includes, EXAMPLE_USER, Channel.CITATION)

    assert message is not None and message.author.id == "2222222222222222222"
    repost = load("post.repost.create", dialect)["data"]["payload"]
    assert watched_post(repost, includes, EXAMPLE_USER, Channel.CITATION) is None


@pytest.mark.parametrize("dialect", BOTH)
def test_a_polled_mentions_page_classifies_a_reply_alike_in_both_dialects(dialect):
    from carebird.app.watch import messages_from_mentions

    data = load("post.reply.create", dialect)["data"]
    page = {"data": [data["payload"]], "includes": data.get("includes", {})}

    (message,) = messages_from_mentions(page, EXAMPLE_USER)

    assert (message.channel, message.in_reply_to_id, message.feed) == (Channel.REPLY, "2080761390344937796", "poll")
