from datetime import UTC, datetime

import pytest

from carebird.domain.model import Channel, Deletion, Message
from carebird.errors import PayloadError
from carebird.x.normalise import parse_delivery
from tests.helpers import BRAND, fixture


def only_message(name: str) -> Message:
    delivery = parse_delivery(fixture(name), BRAND)
    assert len(delivery.events) == 1, delivery.ignored
    event = delivery.events[0]
    assert isinstance(event, Message)
    return event


def test_a_mention_becomes_a_mention_message_with_its_author_profile():
    message = only_message("aaa-mention.json")

    assert message.channel is Channel.MENTION
    assert message.id == "1860000000000000101"
    assert message.author.handle == "claire_dupont"
    assert message.author.followers == 312
    assert message.created_at == datetime(2025, 11, 25, 9, 0, tzinfo=UTC)
    assert message.lang == "fr"
    assert not message.from_brand


def test_a_reply_to_a_brand_post_is_channel_reply():
    message = only_message("aaa-reply-to-brand-post.json")

    assert message.channel is Channel.REPLY
    assert message.in_reply_to_id == "1859999999999999000"


def test_a_quote_of_a_brand_post_without_mention_is_channel_quote():
    message = only_message("aaa-quote.json")

    assert message.channel is Channel.QUOTE
    assert message.quoted_id == "1859999999999999000"


def test_a_truncated_post_is_read_from_extended_tweet_full_text():
    message = only_message("aaa-extended-tweet.json")

    assert message.text.endswith("rembourser la différence ? Merci d'avance.")


def test_retweets_likes_and_typing_are_ignored_with_a_reason():
    for name in ("aaa-retweet.json", "aaa-favorite.json", "aaa-typing.json"):
        delivery = parse_delivery(fixture(name), BRAND)

        assert delivery.events == []
        assert delivery.ignored


def test_the_brand_reply_is_a_brand_message_addressed_to_the_customer():
    message = only_message("aaa-brand-reply.json")

    assert message.from_brand
    assert message.channel is Channel.REPLY
    assert message.in_reply_to_id == "1860000000000000101"
    assert message.customer_id == "1600000000000000002"


def test_an_incoming_dm_is_a_dm_from_the_customer_with_the_users_profile():
    message = only_message("aaa-dm-incoming.json")

    assert message.channel is Channel.DM
    assert message.author.handle == "claire_dupont"
    assert message.recipient_id == BRAND.user_id
    assert message.created_at == datetime(2025, 11, 25, 10, 3, 20, tzinfo=UTC)


def test_an_outgoing_dm_is_a_brand_message_to_the_recipient():
    message = only_message("aaa-dm-outgoing.json")

    assert message.from_brand
    assert message.customer_id == "1600000000000000002"


def test_a_deleted_post_becomes_a_deletion():
    delivery = parse_delivery(fixture("aaa-tweet-delete.json"), BRAND)

    assert delivery.events == [
        Deletion("1860000000000000103", "1600000000000000004", datetime(2025, 11, 25, 10, 20, tzinfo=UTC))
    ]


def test_two_events_in_one_delivery_are_both_read():
    delivery = parse_delivery(fixture("aaa-multi.json"), BRAND)

    assert [e.author.handle for e in delivery.events] == ["claire_dupont", "maxtech"]


def test_a_delivery_for_another_account_is_ignored():
    body = fixture("aaa-mention.json") | {"for_user_id": "999"}

    delivery = parse_delivery(body, BRAND)

    assert delivery.events == [] and "another account" in delivery.ignored[0]


def test_a_malformed_item_is_skipped_and_the_valid_ones_kept():
    body = fixture("aaa-multi.json")
    del body["tweet_create_events"][0]["user"]

    delivery = parse_delivery(body, BRAND)

    assert [e.author.handle for e in delivery.events] == ["maxtech"]
    assert "malformed" in delivery.rejected[0].reason
    assert delivery.rejected[0].raw == body["tweet_create_events"][0]  # kept whole, for the quarantine


@pytest.mark.parametrize("body", [[], "text", 42, None])
def test_a_body_that_is_not_an_object_is_a_payload_error(body):
    with pytest.raises(PayloadError):
        parse_delivery(body, BRAND)


# --- X Activity API ------------------------------------------------------------------------------


def test_xaa_post_create_mention_matches_the_account_activity_model():
    message = only_message("xaa-post-mention.json")

    assert message.channel is Channel.MENTION
    assert message.feed == "xaa"
    assert message.author.handle == "nora_k"
    assert message.author.followers == 2400
    assert message.created_at == datetime(2025, 11, 25, 11, 0, tzinfo=UTC)


def test_xaa_long_post_is_read_from_note_tweet_and_is_a_reply_to_the_brand():
    message = only_message("xaa-post-long-reply.json")

    assert message.channel is Channel.REPLY
    assert message.text.endswith("back on my card.")
    assert message.author.verified


def test_xaa_brand_reply_answers_the_customer():
    message = only_message("xaa-brand-reply.json")

    assert message.from_brand and message.in_reply_to_id == "1860000000000000301"
    assert message.customer_id == "1600000000000000005"


def test_xaa_dm_received_v2_shape():
    message = only_message("xaa-dm-received.json")

    assert message.channel is Channel.DM and not message.from_brand
    assert message.author.handle == "nora_k"


def test_xaa_dm_received_wrapping_legacy_direct_message_events():
    message = only_message("xaa-dm-received-legacy-shape.json")

    assert message.channel is Channel.DM
    assert message.author.handle == "ines_m"
    assert message.author.followers == 880
    assert message.feed == "xaa"


def test_xaa_dm_sent_by_the_brand_is_addressed_to_the_other_participant():
    message = only_message("xaa-dm-sent.json")

    assert message.from_brand and message.customer_id == "1600000000000000005"


def test_xaa_post_delete_is_a_deletion():
    delivery = parse_delivery(fixture("xaa-post-delete.json"), BRAND)

    assert delivery.events == [
        Deletion("1860000000000000301", "1600000000000000005", datetime(2025, 11, 25, 12, tzinfo=UTC))
    ]


def test_xaa_event_types_carebird_does_not_use_are_ignored():
    delivery = parse_delivery(fixture("xaa-follow.json"), BRAND)

    assert delivery.events == [] and delivery.event_uuid == "2080761390344937803"


def test_both_feeds_describe_the_same_post_the_same_way():
    aaa = only_message("aaa-mention.json")
    xaa_body = fixture("xaa-post-mention.json")
    xaa_body["data"]["payload"].update(
        id=aaa.id, text=aaa.text, author_id=aaa.author.id, created_at="2025-11-25T09:00:00.000Z", lang="fr"
    )
    xaa_body["data"]["includes"]["users"] = [
        {
            "id": aaa.author.id,
            "name": "Claire Dupont",
            "username": "claire_dupont",
            "verified": False,
            "created_at": "2015-03-03T10:11:12.000Z",
            "public_metrics": {"followers_count": 312, "following_count": 210},
        }
    ]

    xaa = parse_delivery(xaa_body, BRAND).events[0]

    assert (xaa.id, xaa.channel, xaa.author, xaa.text, xaa.created_at) == (
        aaa.id,
        aaa.channel,
        aaa.author,
        aaa.text,
        aaa.created_at,
    )


# --- the edge: ids in ASCII digits, times X could have sent -------------------------------------------


@pytest.mark.parametrize("digits", ["\u0661\u0662\u0663\u0664", "\uff11\uff12\uff13", "\u09e7\u09e8"])
def test_an_id_in_unicode_digits_is_refused_at_the_edge(digits):
    delivery = fixture("aaa-mention.json")
    delivery["tweet_create_events"][0].update(id_str=digits, id=None)

    parsed = parse_delivery(delivery, BRAND)

    assert parsed.events == [] and "tweet id is not an X id" in parsed.rejected[0].reason


@pytest.mark.parametrize(
    "dated",
    [datetime(2025, 12, 25, 9, 0, tzinfo=UTC), datetime(2007, 1, 1, tzinfo=UTC)],
    ids=["30 days ahead", "in 2007"],
)
def test_a_message_dated_where_x_could_not_have_sent_it_is_dated_at_its_receipt(dated):
    received = datetime(2025, 11, 25, 9, 5, tzinfo=UTC)
    delivery = fixture("aaa-mention.json")
    delivery["tweet_create_events"][0]["timestamp_ms"] = str(int(dated.timestamp() * 1000))

    message = parse_delivery(delivery, BRAND, received).events[0]

    assert message.created_at == received


def test_a_message_replayed_from_four_days_ago_keeps_its_own_time():
    received = datetime(2025, 11, 29, 9, 0, tzinfo=UTC)

    message = parse_delivery(fixture("aaa-mention.json"), BRAND, received).events[0]

    assert message.created_at == datetime(2025, 11, 25, 9, 0, tzinfo=UTC)
