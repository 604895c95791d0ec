"""A quiet desk end to end: thanks, praise and spam never page anyone; risk goes first (webhook → stream → ASL)."""

import copy

import pytest

from tests.helpers import fixture
from tests.integration.test_sla import stack  # noqa: F401  (the fixture: always open, 1-minute SLA)

pytestmark = pytest.mark.integration


def mention(
    text,
    *,
    tweet_id,
    user_id,
    handle,
    followers=300,
    following=200,
    verified=False,
    created="Tue Mar 03 10:11:12 +0000 2015",
):
    delivery = fixture("aaa-mention.json")
    event = delivery["tweet_create_events"][0]
    event.update(text=text, id_str=tweet_id, id=int(tweet_id))
    event["user"] = copy.deepcopy(event["user"]) | {
        "id_str": user_id, "id": int(user_id), "screen_name": handle, "name": handle,
        "followers_count": followers, "friends_count": following, "verified": verified, "created_at": created,
    }  # fmt: skip
    return delivery


def test_praise_spam_and_thanks_after_an_answer_send_no_email_while_the_real_request_does(stack):  # noqa: F811
    # praise from a big verified account, a crypto spammer, and Claire who thanks after the brand's answer
    deliveries = [
        mention("@LumiereAide super service, merci !", tweet_id="1870000000000000001", user_id="1600000000000000101",
                handle="bigfan", followers=1_200_000, verified=True),
        mention("@LumiereAide 🚀 CRYPTO giveaway! send 0.1 BTC get 1 BTC back, DM me https://x.co/a https://x.co/b",
                tweet_id="1870000000000000002", user_id="1600000000000000102", handle="CRYPTO_KING",
                followers=12, following=4000, created="Mon Nov 24 10:00:00 +0000 2025"),
    ]  # fmt: skip
    for delivery in deliveries:
        assert stack.deliver_payload(delivery)["statusCode"] == 200
    stack.deliver("aaa-mention.json")  # Claire's real request
    stack.deliver("aaa-brand-reply.json")  # answered
    thanks = mention("@LumiereAide super merci ça marche !", tweet_id="1860000000000000150",
                     user_id="1600000000000000002", handle="claire_dupont")  # fmt: skip
    stack.deliver_payload(thanks)
    stack.deliver("aaa-mention-influencer.json")  # Max's real complaint, never answered
    stack.dispatch()

    stack.wait_for_executions()

    assert stack.case("public-1870000000000000001")["status"] == "praise"
    assert stack.case("public-1870000000000000002")["status"] == "noise"
    claire = stack.case("public-1860000000000000101")
    assert (
        claire["status"] == "answered" and claire["outcome"] == "thanked" and "reopened" not in claire
    )  # never reopened: the item keeps no zero
    subjects = [e["subject"] for e in stack.team_emails()]
    assert len(subjects) == 1 and "@maxtech" in subjects[0]  # only the request nobody answered pages anyone
    assert not any(c.text.startswith("Hi CRYPTO") for c in stack.x_calls())  # no automatic reply to spam
