"""`carebird send --now`: a recording moved to the present, its spacing, accounts and links kept."""

import itertools
import json
from datetime import UTC, datetime, timedelta

import pytest
from carebird_local.redate import RedateError, redate_payload

from carebird.domain.model import Message
from carebird.x.normalise import parse_delivery
from tests.helpers import BRAND, FIXTURES

NOW = datetime(2026, 12, 7, 10, 30, tzinfo=UTC)


def load(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def messages(payload):
    delivery = parse_delivery(payload, BRAND)
    assert not delivery.rejected, delivery.rejected
    return [event for event in delivery.events if isinstance(event, Message)]


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.json") if "follow" not in p.name))
def test_every_recording_arrives_dated_now_or_just_before(name):
    moved = redate_payload(load(name), NOW)

    for message in messages(moved):
        assert NOW - timedelta(days=2) <= message.created_at <= NOW, (name, message.created_at)


def test_the_messages_of_one_delivery_keep_their_spacing():
    original = messages(load("aaa-multi.json"))
    moved = messages(redate_payload(load("aaa-multi.json"), NOW))

    assert max(m.created_at for m in moved) == NOW
    assert [b.created_at - a.created_at for a, b in itertools.pairwise(moved)] == [
        b.created_at - a.created_at for a, b in itertools.pairwise(original)
    ]


def test_accounts_keep_their_own_creation_date_and_ids():
    moved = redate_payload(load("aaa-mention.json"), NOW)

    user = moved["tweet_create_events"][0]["user"]
    assert user["created_at"] == "Tue Mar 03 10:11:12 +0000 2015" and user["id_str"] == "1600000000000000002"


def test_message_ids_are_new_and_a_brand_reply_still_answers_the_mention_moved_the_same_day():
    mention = redate_payload(load("aaa-mention.json"), NOW)["tweet_create_events"][0]
    reply = redate_payload(load("aaa-brand-reply.json"), NOW + timedelta(minutes=3))["tweet_create_events"][0]

    assert mention["id_str"] != "1860000000000000101"
    assert reply["in_reply_to_status_id_str"] == mention["id_str"]


def test_the_same_recording_sent_another_day_gets_other_ids():
    today = redate_payload(load("xaa-post-mention.json"), NOW)["data"]["payload"]["id"]
    tomorrow = redate_payload(load("xaa-post-mention.json"), NOW + timedelta(days=1))["data"]["payload"]["id"]

    assert today != tomorrow and int(tomorrow) > int(today)


def test_a_payload_without_a_message_time_says_what_was_looked_for():
    with pytest.raises(RedateError, match="created_at"):
        redate_payload({"for_user_id": "1", "follow_events": []}, NOW)
