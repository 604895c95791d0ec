"""Urgent always first: the queue's order is by band, then waiting and priority inside a band."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from carebird.app.inbox import order_queue
from carebird.domain.model import Channel
from carebird.domain.triage import NORMAL_BAND, URGENT_BAND, TriageRules, queue_rank, triage

RULES = TriageRules()
T0 = datetime(2026, 1, 5, 8, tzinfo=UTC)
waits = st.integers(min_value=0, max_value=60 * 24 * 365 * 3)  # up to three years of waiting, in minutes
priorities = st.integers(min_value=0, max_value=100)


@given(urgent_priority=priorities, urgent_wait=waits, other_priority=priorities, other_wait=waits)
def test_for_any_two_cases_the_urgent_one_ranks_first(urgent_priority, urgent_wait, other_priority, other_wait):
    urgent = queue_rank(urgent_priority, T0 + timedelta(minutes=urgent_wait), RULES, URGENT_BAND)
    other = queue_rank(other_priority, T0 + timedelta(minutes=other_wait), RULES, NORMAL_BAND)

    assert urgent < other


@given(urgent_priority=priorities, other_priority=priorities, other_effective=priorities, waited=waits)
def test_the_inbox_lists_the_urgent_band_first_whatever_the_aged_priority(
    urgent_priority, other_priority, other_effective, waited
):
    rows = [
        {
            "id": "public-1",
            "band": NORMAL_BAND,
            "priority": other_priority,
            "effective": 100,
            "waiting_minutes": waited,
        },
        {
            "id": "public-2",
            "band": URGENT_BAND,
            "priority": urgent_priority,
            "effective": urgent_priority,
            "waiting_minutes": 0,
        },
    ]

    assert [row["band"] for row in order_queue(rows)] == [URGENT_BAND, NORMAL_BAND]


def test_a_two_million_follower_question_stays_below_an_emergency_of_a_small_account():
    star = triage(texts=["quand sort la nouvelle box ?"], followers=2_000_000, verified=True,
                  channel=Channel.MENTION, inbound_count=1, rules=RULES)  # fmt: skip
    emergency = triage(texts=["ça sent le gaz dans l'entrée depuis le passage du technicien"], followers=3,
                       verified=False, channel=Channel.DM, inbound_count=1, rules=RULES)  # fmt: skip

    assert queue_rank(emergency.priority, T0 + timedelta(days=3), RULES, emergency.band) < queue_rank(
        star.priority, T0, RULES, star.band
    )
    assert emergency.reasons[0].startswith("urgent band") and star.reasons[0].startswith("request band")
