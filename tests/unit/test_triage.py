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
    assert effective_priority(40, T0, T0 + timedelta(minutes=20), RULES) == 50
    assert effective_priority(40, T0, T0 + timedelta(days=2), RULES) == 100


def test_queue_rank_order_matches_effective_priority_order_at_any_time():
    cases = [(20, T0), (60, T0 + timedelta(minutes=50)), (45, T0 + timedelta(minutes=10))]
    for later in (timedelta(0), timedelta(hours=1), timedelta(hours=5)):
        now = T0 + timedelta(hours=1) + later
        by_rank = sorted(cases, key=lambda c: queue_rank(c[0], c[1], RULES))
        by_effective = sorted(
            cases, key=lambda c: -(c[0] + (now - c[1]).total_seconds() / RULES.aging_seconds_per_point)
        )
        assert by_rank == by_effective
