from datetime import UTC, datetime, timedelta

import pytest

from carebird.model import Channel
from carebird.triage import COMMERCIAL, OTHER, TECHNICAL, TriageRules, effective_priority, queue_rank, topic_of, triage

RULES = TriageRules()
T0 = datetime(2025, 11, 25, 9, tzinfo=UTC)


def score(text="bonjour", followers=0, verified=False, channel=Channel.MENTION, inbound_count=1, rules=RULES):
    return triage(
        texts=[text], followers=followers, verified=verified, channel=channel, inbound_count=inbound_count, rules=rules
    )


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("ma box internet ne marche plus, voyant rouge", TECHNICAL),
        ("Le RÉSEAU est en panne à Lyon", TECHNICAL),
        ("my fiber connection keeps dropping", TECHNICAL),
        ("c'est quoi le prix de l'offre fibre 1 Go pour un nouveau client ?", COMMERCIAL),
        ("I want a refund for my last invoice", COMMERCIAL),
        ("merci pour votre accueil en boutique", OTHER),
    ],
)
def test_subject_is_found_from_french_and_english_keywords(text, topic):
    assert topic_of(text, RULES)[0] == topic


def test_keywords_are_configurable():
    rules = TriageRules.from_json('{"keywords": {"technical": ["trottinette"], "commercial": []}}')

    assert topic_of("ma trottinette est cassée", rules)[0] == TECHNICAL
    assert topic_of("panne", rules)[0] == OTHER


def test_unknown_triage_settings_are_refused():
    with pytest.raises(ValueError, match="unknown"):
        TriageRules.from_json('{"keywordz": {}}')


def test_an_influential_verified_author_outranks_a_small_account_on_the_same_text():
    small = score("ma box ne marche plus", followers=300)
    big = score("ma box ne marche plus", followers=185_000, verified=True)

    assert big.priority > small.priority
    assert any("185k followers" in r for r in big.reasons)
    assert any("verified" in r for r in big.reasons)


def test_urgency_cues_raise_the_score_and_are_named():
    calm = score("question sur ma box")
    angry = score("third outage this week and STILL no answer #fail")

    assert angry.priority > calm.priority
    assert any(r.startswith("urgency:") for r in angry.reasons)


def test_repeat_contacts_while_open_raise_the_score():
    once = score("ma box", inbound_count=1)
    thrice = score("ma box", inbound_count=3)

    assert thrice.priority - once.priority == 2 * RULES.repeat_per_contact
    assert any("repeat contact: 2" in r for r in thrice.reasons)


def test_score_is_bounded_and_every_point_is_explained():
    result = score(
        "URGENT panne réseau toujours pas réparée, inadmissible, troisième fois !!!",
        followers=50_000_000,
        verified=True,
        inbound_count=9,
    )

    assert 0 <= result.priority <= 100
    explained = sum(int(r.rsplit("+", 1)[1].rstrip(")")) for r in result.reasons if "(+" in r)
    assert min(100, explained + RULES.base) == result.priority


def test_reasons_are_ordered_by_weight():
    result = score("ma box est en panne", followers=185_000, verified=True)

    assert result.reasons[0].startswith("influence")


def test_waiting_lets_a_low_priority_case_overtake_a_newer_urgent_one():
    old_low = queue_rank(30, T0, RULES)
    new_high = queue_rank(80, T0 + timedelta(minutes=30), RULES)
    much_later_high = queue_rank(80, T0 + timedelta(hours=3), RULES)

    assert new_high < old_low  # thirty minutes is not enough to beat 50 points
    assert old_low < much_later_high  # three hours is


def test_effective_priority_grows_with_waiting_and_is_capped():
    assert effective_priority(40, T0, T0, RULES) == 40
    assert effective_priority(40, T0, T0 + timedelta(minutes=20), RULES) == 50  # 09:00 UTC: open in Paris
    assert effective_priority(40, T0, T0 + timedelta(days=2), RULES) == 100


def test_waiting_ages_only_in_opening_minutes():
    # Tuesday 25 Nov 2025; Paris opens 09:00-18:00 (08:00-17:00 UTC). Spam at 21:00 has aged nothing by 08:55.
    evening, morning = datetime(2025, 11, 25, 20, tzinfo=UTC), datetime(2025, 11, 26, 7, 55, tzinfo=UTC)

    assert effective_priority(30, evening, morning, RULES) == 30
    assert effective_priority(30, evening, morning + timedelta(minutes=65), RULES) == 30 + 30  # 60 open minutes
    assert queue_rank(55, morning, RULES) < queue_rank(30, evening, RULES)  # the 08:55 influencer first


def test_the_opening_clock_agrees_with_the_sla_clock_over_weeks_and_holidays():
    from carebird.calendar import OpeningHours

    hours = OpeningHours.from_settings("mon-fri 09:00-12:00,14:00-18:00; sat 10:00-13:00", "Europe/Paris", "2025-12-25")
    start = datetime(2025, 12, 19, 15, 7, tzinfo=UTC)
    for days in (0, 1, 3, 6, 9, 17):
        end = start + timedelta(days=days, hours=5, minutes=11)
        assert hours.opening_index(end) - hours.opening_index(start) == pytest.approx(
            hours.open_minutes_between(start, end)
        )


def test_queue_rank_order_matches_effective_priority_order_at_any_time():
    cases = [(20, T0), (60, T0 + timedelta(minutes=50)), (45, T0 + timedelta(minutes=10))]
    for later in (timedelta(0), timedelta(hours=1), timedelta(hours=5)):
        now = T0 + timedelta(hours=1) + later
        by_rank = sorted(cases, key=lambda c: queue_rank(c[0], c[1], RULES))
        by_effective = sorted(
            cases,
            key=lambda c: -(c[0] + RULES.hours.open_minutes_between(c[1], now) / RULES.aging_open_minutes_per_point),
        )
        assert by_rank == by_effective
