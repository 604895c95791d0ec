"""Brands teach triage their own words; chatter is noise; sarcasm is a complaint; agents' corrections export."""

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from carebird_local.corrections import corrections

from carebird import settings
from carebird.domain.cases import mark_urgent, open_case
from carebird.domain.model import Author, Channel, Message
from carebird.domain.triage import Kind, Profile, TriageRules, classify
from carebird.errors import ConfigurationError

T0 = datetime(2026, 1, 14, 21, tzinfo=UTC)
PERSON = Profile(followers=150, following=200, account_created_at=datetime(2019, 1, 1, tzinfo=UTC))


def kind_of(text, rules=None):
    return classify(text, PERSON, T0, (), (rules or TriageRules()).cues)[0]


def test_a_brand_adds_words_to_any_cue_family_through_triage_rules():
    rules = settings.triage_rules({"TRIAGE_RULES": json.dumps({"cues": {"safety": ["compteur qui claque"],
                                                                         "noise": ["#TeamLumiere"]}})})  # fmt: skip

    assert kind_of("mon compteur qui claque depuis ce matin", rules) is Kind.URGENT
    assert kind_of("mon compteur qui claque depuis ce matin") is not Kind.URGENT


@pytest.mark.parametrize(
    ("document", "named"),
    [
        ({"cues": {"safty": ["x"]}}, "safty"),
        ({"cues": {"safety": "fuite"}}, "cues.safety"),
        ({"keywords": {"billing": [3]}}, "keywords.billing"),
        ({"urgence": ["vite"]}, "urgence"),
    ],
)
def test_a_bad_addition_is_a_clear_error_naming_the_bad_key(document, named):
    with pytest.raises(ConfigurationError, match=named):
        settings.triage_rules({"TRIAGE_RULES": json.dumps(document)})


@pytest.mark.parametrize(
    "text",
    [
        "#Concours je participe !! RT + follow fait @amie1 @amie2 🍀",
        "first!!",
        "😂😂😂",
        "#BoycottLumiere #StopLinky #Colère on lâche rien",
        "@LumiereAide @Orange @SFR @Free @Bouygues qui a le meilleur forfait ?",
        "Hi 👋 our agency helps brands like yours boost engagement with AI-powered replies. Book a free audit!",
        "« Lumière investit 2 milliards dans la fibre » selon Le Parisien",
    ],
)
def test_chatter_is_noise(text):
    assert kind_of(text) is Kind.NOISE


@pytest.mark.parametrize(
    "text",
    [
        "Merci pour ces 3 jours sans internet 👏👏",
        "great, another 'we're looking into it'",
        "merci encore pour rien, toujours pas de technicien",
        "thanks a bunch, still no signal 🙄",
        "bravo, une coupure de plus ce soir, comme d'hab",
    ],
)
def test_thanks_words_around_a_problem_are_a_complaint_not_thanks(text):
    assert kind_of(text) is Kind.REQUEST


@pytest.mark.parametrize("text", ["merci, ça remarche 👍", "thanks, all sorted now!", "ok top merci"])
def test_thanks_after_the_problem_is_gone_stays_thanks(text):
    assert kind_of(text) is Kind.THANKS


def test_an_agents_urgent_correction_holds_and_is_exported_as_a_labelled_example():
    message = Message(id="77", channel=Channel.MENTION, author=Author(id="5", handle="jo", name="Jo Smith"),
                      text="@LumiereAide my dad's line is dead again", created_at=T0)  # fmt: skip
    case = mark_urgent(open_case(message, TriageRules()), True, TriageRules(), T0)
    activity = [{"action": "claim", "agent": "ana"}, {"action": "urgent", "agent": "ana", "at": "2026-01-14T21:05:00Z"}]

    examples = list(corrections([case], lambda case_id: activity, ZoneInfo("Europe/Paris")))

    assert case.band == "urgent" and case.reasons[0].startswith("urgent band (an agent said so)")
    assert [(e["label"], e["must_answer"], e["text"]) for e in examples] == [
        ("urgent", True, "@LumiereAide my dad's line is dead again")
    ]
    assert examples[0]["minute"] == 2 * 24 * 60 + 22 * 60  # Wednesday 22:00 in Paris
