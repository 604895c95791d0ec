"""Which X Activity API subscriptions carebird keeps, creates and removes for a brand."""

from carebird.x import subscriptions as xsubscriptions
from carebird.x.subscriptions import TAG, plan, states, subscription_of, wanted

BRAND, HOOK = "1111111111111111111", "1976325569252868099"


def subscription(event_type, sid, user_id=BRAND, webhook_id=HOOK, tag=TAG, **extra_filter):
    return {"subscription_id": sid, "event_type": event_type, "tag": tag, "webhook_id": webhook_id,
            "filter": {"user_id": user_id, **extra_filter}}  # fmt: skip


def test_nothing_on_x_yet_means_every_needed_event_type_is_created():
    result = plan([], wanted(BRAND, HOOK))

    assert [w.event_type for w in result.create] == list(xsubscriptions.EVENT_TYPES)
    assert result.keep == result.remove == result.blocked == []


def test_what_x_already_has_is_kept_and_only_carebirds_stale_subscriptions_are_removed():
    existing = [
        subscription("dm.received", "1"),
        subscription("dm.sent", "2", webhook_id="999"),  # carebird's, on an old webhook: stale
        subscription("like.create", "3"),  # carebird's, no longer needed
        subscription("profile.update.bio", "4", tag="crm"),  # another tool's: left alone
        subscription("post.create", "5", user_id="42"),  # carebird's, for another account: stale
    ]

    result = plan(existing, wanted(BRAND, HOOK))

    assert [s["subscription_id"] for s in result.keep] == ["1"]
    assert sorted(s["subscription_id"] for s in result.remove) == ["2", "3", "5"]
    assert "dm.received" not in [w.event_type for w in result.create] and len(result.create) == 7


def test_a_filter_another_tool_holds_is_reported_not_duplicated():
    existing = [subscription("chat.received", "7", webhook_id="555", tag="crm")]

    result = plan(existing, wanted(BRAND, HOOK))

    assert [(w.event_type, s["subscription_id"]) for w, s in result.blocked] == [("chat.received", "7")]
    assert "chat.received" not in [w.event_type for w in result.create]


def test_a_keyword_or_direction_filter_is_not_the_subscription_carebird_needs():
    existing = [subscription("dm.received", "8", direction="inbound"), subscription("dm.sent", "9", keyword="x")]

    assert plan(existing, wanted(BRAND, HOOK)).keep == []


def test_status_says_active_missing_or_elsewhere_for_each_event_type():
    existing = [subscription("post.mention.create", "1"), subscription("dm.received", "2", webhook_id="")]

    rows = dict((event, state) for event, state, _ in states(existing, wanted(BRAND, HOOK)))

    assert rows["post.mention.create"] == "active" and rows["post.reply.create"] == "missing"
    assert rows["dm.received"] == "on another webhook (the stream only)"


def test_the_create_request_carries_the_event_the_brand_the_webhook_and_carebirds_tag():
    (request,) = [w.request() for w in wanted(BRAND, HOOK) if w.event_type == "dm.sent"]

    assert request == {"event_type": "dm.sent", "filter": {"user_id": BRAND}, "tag": "carebird", "webhook_id": HOOK}


def test_both_documented_shapes_of_a_create_answer_give_the_subscription():
    made = {"subscription_id": "1", "event_type": "dm.sent"}

    assert subscription_of({"data": {"subscription": made}}) == made  # OpenAPI 2.167
    assert subscription_of({"data": made}) == made  # the quickstart page


def test_another_brands_carebird_subscriptions_on_its_own_webhook_are_left_alone():
    other_stack = subscription("dm.received", "8", user_id="2222222222222222222", webhook_id="777")

    result = plan([other_stack], wanted(BRAND, HOOK))

    assert result.remove == [] and len(result.create) == len(xsubscriptions.EVENT_TYPES)


def test_a_subscription_x_lists_twice_is_removed_once():
    stale = subscription("like.create", "3")

    result = plan([stale, subscription("dm.received", "1"), dict(stale)], wanted(BRAND, HOOK))

    assert [s["subscription_id"] for s in result.remove] == ["3"]
