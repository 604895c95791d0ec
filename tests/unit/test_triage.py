from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carebird.domain.model import Channel
from carebird.domain.triage import (
    COMMERCIAL,
    OTHER,
    TECHNICAL,
    Kind,
    Profile,
    TriageRules,
    classify,
    effective_priority,
    queue_rank,
    topic_of,
    triage,
)

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
    once = score("ma box ne marche plus", inbound_count=1)
    thrice = score("ma box ne marche plus", inbound_count=3)

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

    assert result.reasons[0].startswith("request band")  # the band first: where the case stands in the queue
    assert result.reasons[1].startswith("influence")


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
    from carebird.domain.calendar import OpeningHours

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


# --- issue 15: noise, thanks, risk, language -----------------------------------------------------------


ORDINARY = Profile(followers=300, following=200)


def kind_of(text, profile=ORDINARY, at=T0):
    return classify(text, profile, at)[0]


@pytest.mark.parametrize(
    "text",
    [
        "super service, merci !",
        "super merci ça marche !",
        "Thanks a lot, all good now 🙏",
        "Bravo à l'équipe, service au top 👏",
        "c'est bon, merci, bonne journée",
    ],
)
def test_thanks_praise_and_closing_words_are_thanks(text):
    assert kind_of(text) is Kind.THANKS


@pytest.mark.parametrize(
    "text",
    [
        "merci mais toujours pas de réseau",
        "thanks for nothing, still no refund",
        "merci pour rien",
        "super, encore une panne ?",
        "merci de me rappeler svp",
    ],
)
def test_thanks_with_a_question_or_a_complaint_is_a_request(text):
    assert kind_of(text) is not Kind.THANKS


@pytest.mark.parametrize(
    ("text", "profile"),
    [
        ("🚀 CRYPTO giveaway! Send 0.1 BTC get 1 BTC back, DM me @LumiereAide", Profile(12, 4000)),
        ("Earn money fast with forex, link in bio https://x.co/a https://x.co/b", Profile(3, 50)),
        ("@LumiereAide @Orange @SFR @Free @Bouygues check my bio for the best crypto deal", Profile(40, 3000)),
    ],
)
def test_spam_and_scams_are_noise(text, profile):
    assert kind_of(text, profile) is Kind.NOISE


def test_one_spam_word_in_a_real_request_is_not_noise():
    assert kind_of("votre support sur WhatsApp ne répond pas, ma box est en panne") is Kind.REQUEST


@pytest.mark.parametrize(
    ("text", "risk"),
    [
        ("Mon compte a été piraté et quelqu'un a changé mon mot de passe", "fraud or account takeover"),
        ("Deux prélèvements non autorisés sur mon compte ce mois-ci, c'est une fraude", "fraud or account takeover"),
        ("Ma mère de 85 ans n'a plus de ligne fixe depuis 3 jours, elle a la téléassistance", "a vulnerable customer"),
        ("I will take legal action, I have contacted my lawyer", "legal action or a regulator"),
        ("J'ai saisi la DGCCRF", "legal action or a regulator"),
        ("the charger caught fire, smoke everywhere", "a safety hazard"),
        ("vous avez divulgué mes données personnelles", "personal data exposed"),
    ],
)
def test_risks_are_urgent_and_named(text, risk):
    kind, why = classify(text, Profile(), T0)

    assert kind is Kind.URGENT and risk in why
    result = score(text, channel=Channel.DM)
    assert result.band == "urgent" and result.priority >= RULES.urgent_floor
    assert any(r.startswith(f"risk, {risk}") for r in result.reasons)


def test_praise_from_a_big_verified_account_does_not_top_the_queue():
    result = score("super service, merci !", followers=1_200_000, verified=True)

    assert result.kind is Kind.THANKS and result.priority < 20


@pytest.mark.parametrize("text", ["not urgent at all, when you have time", "pas urgent, quand vous pourrez"])
def test_a_negated_urgency_is_not_urgency(text):
    assert not any(r.startswith("urgency") for r in score(text).reasons)


def test_acronyms_are_not_shouting_and_shouting_is():
    assert not any("emphasis" in r for r in score("J'ai écrit à la DGCCRF et à l'ARCEP").reasons)
    assert any("emphasis" in r for r in score("VOUS ÊTES NULS, RÉPONDEZ ENFIN").reasons)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("j'ai perdu mon billet de train", OTHER),  # "billet" is not "bill"
        ("j'ai commandé en ligne hier", COMMERCIAL),  # "en ligne" is not technical, "commandé" is commercial
        ("I'd like to apply for a job", OTHER),  # "apply" is not "app"
        ("any deal for students?", COMMERCIAL),
        ("the app crashes when I log in", TECHNICAL),
    ],
)
def test_topic_words_are_whole_words(text, topic):
    assert topic_of(text, RULES)[0] == topic


def test_a_customer_back_within_ten_days_is_scored_as_a_repeat_contact():
    first = score("ma box ne marche plus")
    third = triage(
        texts=["ma box ne marche plus"], followers=0, verified=False, channel=Channel.MENTION, inbound_count=1,
        rules=RULES, previous_cases=2,
    )  # fmt: skip

    assert third.priority > first.priority and "3rd contact in 10 days (+16)" in third.reasons


def _regex_hits(folded, words, negatable=False):
    """The reference the cue lookup replaced (issue 16): one regular expression per list, tried at each word start."""
    import re as regex

    from carebird.domain.triage import _negated, fold

    entries = {fold(w).rstrip("*") + ("*" if w.endswith("*") else ""): w for w in words if w.strip("*")}
    if not entries:
        return []
    ordered = sorted(entries, key=len, reverse=True)
    parts = [
        rf"(?P<p{i}>{regex.escape(e[:-1])}\w*)" if e.endswith("*") else rf"(?P<p{i}>{regex.escape(e)})(?![\w])"
        for i, e in enumerate(ordered)
    ]
    pattern = regex.compile("|".join(parts))
    found = set()
    for start in (m.start() for m in regex.finditer(r"(?<![\w#@])[\w#']", folded)):
        match = pattern.match(folded, start)
        if match and not (negatable and _negated(folded, start)):
            found.add(entries[ordered[int(match.lastgroup[1:])]])
    return [w for w in words if w in found]


CUE_WORDS = ["panne*", "bug", "ne marche plus", "arnaque*", "urgent", "pas", "not", "rembours*", "box", "l'offre"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*CUE_WORDS, "#panne", "@bug", "bugs", "urgente", "x", "é", "_", "'", "!", " "]),
                max_size=14))  # fmt: skip
def test_cue_lookup_finds_what_the_regular_expression_found(pieces):
    from carebird.domain.triage import _hits, fold

    folded = fold(" ".join(pieces))
    for negatable in (False, True):
        assert _hits(folded, tuple(CUE_WORDS), negatable) == _regex_hits(folded, CUE_WORDS, negatable)
