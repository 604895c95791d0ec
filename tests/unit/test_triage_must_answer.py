"""Customers who must be answered and were filed as chatter or thanks: each class checked on fresh wording.

The rules read structure: a laugh around a question the customer means, the English "rn", a complaint said
deadpan (expectations lowered, the brand's promise quoted back, praise around a fault), an area going dark with
a question, details sent privately as the team asked, and a thank-you while an emergency is still being handled.
Each is checked through the rules alone and with the shipped learned reading (what runs), in both languages where
the class exists in both; the neighbours that must stay quiet are checked beside them.
"""

from datetime import UTC, datetime

import pytest

from carebird.domain.model import Channel
from carebird.domain.triage import EMERGENCY_UNDER_WAY, Kind, Profile, TriageRules, classify, triage

T0 = datetime(2026, 2, 3, 18, 40, tzinfo=UTC)
SHIPPED = TriageRules().model


def kinds_of(text: str, follow_up: bool = False) -> tuple[Kind, Kind]:
    """(the rules' kind, the kind with the shipped reading) of a public message."""
    rules = classify(text, Profile(followers=120), T0, follow_up=follow_up)[0]
    shipped = classify(text, Profile(followers=120), T0, follow_up=follow_up, model=SHIPPED, after_answer=follow_up)
    return rules, shipped[0]


WAITS = (Kind.REQUEST, Kind.URGENT)


@pytest.mark.parametrize(
    "text",
    [
        "@LumiereAide plus sérieusement, combien pour ajouter un deuxième décodeur ? 🤣",
        "@LumiereUK lol jokes aside how much is it to add a second tv box to my plan 🤣",
        "@LumiereUK how do I change the name of my broadband network, my teenager renamed it something rude 😂",
    ],
)
def test_a_laugh_around_a_question_the_customer_means_still_waits(text):
    assert set(kinds_of(text)) <= set(WAITS)


@pytest.mark.parametrize(
    "text",
    ["ma box a plus de followers que moi 😂 @Lumiere_FR", "named my router 'FBI surveillance van 3' 😂 @LumiereUK"],
)
def test_a_joke_that_asks_nothing_is_still_chatter(text):
    assert kinds_of(text)[0] is Kind.NOISE


def test_a_lower_case_rn_is_right_now_not_the_french_party():
    rules, _ = kinds_of("@LumiereUK the tv box keeps rebooting rn, cant watch anything")
    assert rules in WAITS
    assert kinds_of("Tout ça c'est la faute au RN et à Macron @Lumiere_FR")[0] is Kind.NOISE


@pytest.mark.parametrize(
    "text",
    [
        "@LumiereUK signal dropped out twice during the call. superb. outstanding work.",
        "@Lumiere_FR la télé s'est figée pendant le match. génial. vraiment top.",
    ],
)
def test_praise_words_around_a_fault_still_there_are_a_complaint_that_waits(text):
    rules, shipped = kinds_of(text)
    assert rules in WAITS
    assert shipped in WAITS


@pytest.mark.parametrize(
    "text",
    [
        "@LumiereUK i'd settle for a single working socket for the router at this point",
        "@Lumiere_FR franchement je me contenterais d'une barre de réseau dans le salon",
        "@LumiereUK 100% uptime they said. sure.",
        "@Lumiere_FR fiable à 99 % qu'ils disaient, on y croit",
    ],
)
def test_a_complaint_said_deadpan_waits(text):
    rules, shipped = kinds_of(text)
    assert rules in WAITS
    assert shipped in WAITS


@pytest.mark.parametrize(
    "text",
    [
        "@LumiereUK the power's just gone on our whole street, everything dark. anybody know what's going on",
        "@LumiereUK powers gone in the whole estate, does anyone know whats up",
    ],
)
def test_an_area_going_dark_with_a_question_is_never_chatter(text):
    rules, shipped = kinds_of(text)
    assert rules in WAITS
    assert shipped in WAITS


@pytest.mark.parametrize(
    "text",
    [
        "@LumiereAide voilà, envoyé par message privé avec le numéro de l'appartement",
        "@LumiereUK done, sent it over DM with the flat number",
        "@LumiereUK just DM'd you the account holder's name",
    ],
)
def test_details_sent_privately_as_the_team_asked_wait_for_the_next_step(text):
    rules, shipped = kinds_of(text, follow_up=True)
    assert rules in WAITS
    assert shipped in WAITS


def test_a_promise_to_write_privately_later_is_thanks_not_details_sent():
    rules, _ = kinds_of("@LumiereAide merci beaucoup, je vous écrirai en MP demain", follow_up=True)
    assert rules is Kind.THANKS


def reply_kind(first: str, latest: str) -> tuple[Kind, tuple[str, ...]]:
    result = triage(
        texts=[first, latest], followers=90, verified=False, channel=Channel.MENTION, inbound_count=2,
        rules=TriageRules(), after_answer=True,
    )  # fmt: skip
    return result.kind, result.reasons


@pytest.mark.parametrize(
    ("first", "latest"),
    [
        (
            "@LumiereAide ça sent fort le gaz dans l'entrée depuis que le technicien est passé changer le compteur",
            "@LumiereAide merci, on a quitté l'appartement, les pompiers passent dans un quart d'heure",
        ),
        (
            "@LumiereUK there's smoke coming out of the socket behind the router and a burning smell",
            "@LumiereUK thanks, everyone's out and the electrician is due within the hour",
        ),
    ],
)
def test_thanks_while_an_emergency_is_still_being_handled_keeps_the_case_waiting_for_a_follow_up(first, latest):
    kind, reasons = reply_kind(first, latest)
    assert kind is Kind.REQUEST
    assert EMERGENCY_UNDER_WAY in reasons


def test_thanks_once_an_emergency_is_over_closes_quietly():
    kind, _ = reply_kind(
        "@LumiereUK there's smoke coming out of the socket behind the router and a burning smell",
        "@LumiereUK electrician has been, all safe now. thank you so much",
    )
    assert kind is Kind.THANKS


def test_thanks_with_help_on_its_way_for_an_ordinary_request_closes_quietly():
    kind, _ = reply_kind("@LumiereUK my broadband is slow in the evenings", "@LumiereUK thanks, engineer on his way")
    assert kind is Kind.THANKS
