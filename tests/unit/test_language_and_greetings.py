"""The customer's language from the text when X gives none, and a greeting only for a person's name."""

from datetime import UTC, datetime

import pytest

from carebird.domain.cases import open_case
from carebird.domain.language import detect_language, greeting_name, message_language
from carebird.domain.model import Author, Channel, Message
from carebird.domain.replies import coach, render
from carebird.domain.triage import TriageRules


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Bonjour, je n'ai plus de réseau depuis hier soir", "fr"),
        ("slt jsp pk mais ma box clignote en rouge", "fr"),
        ("Allô? Ça fait 3 jours que j'attends un technicien", "fr"),
        ("hi, my router keeps dropping every evening", "en"),
        ("tbh the app hasn't worked since the update", "en"),
        ("Hello, my customer number is 0042-99120, the line is still down.", "en"),
    ],
)
def test_a_dm_without_language_gets_its_language_from_its_words(text, lang):
    assert detect_language(text) == lang


@pytest.mark.parametrize("text", ["👍", "0042-77812", "ok", "@LumiereAide"])
def test_a_text_with_no_telling_words_has_no_language_so_the_brand_language_applies(text):
    assert detect_language(text) is None


def test_x_language_is_kept_when_it_names_a_supported_one_and_replaced_when_it_does_not():
    assert message_language("en", "merci beaucoup") == "en"
    assert message_language(None, "my bill is wrong again") == "en"
    assert message_language("und", "ma facture est encore fausse") == "fr"


def test_an_english_dm_case_is_answered_in_english():
    text = "Hi, my broadband has been down since this morning"
    at = datetime(2026, 1, 5, tzinfo=UTC)
    message = Message(id="9", channel=Channel.DM, author=Author(id="7", name="Nora K"), text=text, created_at=at)
    case = open_case(message, TriageRules())
    templates = {"hello": {"fr": "Bonjour {first_name} !", "en": "Hi {first_name}!"}}

    assert case.lang == "en"
    assert render(templates, "hello", case.lang, customer_name="Nora K", handle="nora", reference="CB-1") == "Hi Nora!"


@pytest.mark.parametrize(
    ("display_name", "greeted"),
    [
        ("Claire Dupont", "Claire"),
        ("sophie 🌸", "Sophie"),
        ("Mohammed Al-Hassan", "Mohammed"),
        ("https://lumiere-arnaque.fr", None),
        ("www.bonsplans.com", None),
        ("Lumière = VOLEURS", None),
        ("bande d'escrocs", None),
        ("Useless Clowns", None),
        ("Mairie de Saint-Avé", None),
        ("Saint-Avé", None),
        ("North Wales Tours", None),
        ("Boulangerie Martin", None),
        ("BBC News", None),
        ("Official Support", None),
        ("07 81 22 33 44", None),
        ("🔥🔥🔥", None),
        ("GamerZ 🎮", None),
    ],
)
def test_a_greeting_uses_a_first_name_only_when_the_display_name_is_a_persons(display_name, greeted):
    assert greeting_name(display_name) == greeted


def test_no_name_means_a_greeting_without_a_name_and_no_advice_to_use_one():
    templates = {"hello": {"en": "Hi {first_name}, we're on it."}}

    text = render(templates, "hello", "en", customer_name="Mairie de Saint-Avé", handle="mairie", reference="CB-1")
    advice = coach("Hi, we're on it!", customer_name="https://spam.example")

    assert text == "Hi, we're on it."
    assert "not a person's" in advice.advice[0].message


def test_the_coach_flags_a_draft_in_another_language_than_the_customers():
    flagged = coach("Bonjour, nous regardons votre ligne tout de suite !", language="en")
    fine = coach("Hi, we're looking at your line right now!", language="en")

    assert [a.message for a in flagged.advice if a.rule == "language"] == [
        "The customer writes in English: this draft reads as French."
    ]
    assert not [a for a in fine.advice if a.rule == "language"]


@pytest.mark.parametrize(
    ("display_name", "greeted"),
    [("Janet Ackroyd", "Janet"), ("Siobhan", "Siobhan"), ("Jean-Pierre Morel", "Jean-Pierre"), ("Kévin", "Kévin"),
     ("Zorglub Martin", None), ("Brandlyft Team", None), ("Tarpin Marseille", None), ("Wesh Gros", None)],
)  # fmt: skip
def test_a_greeting_names_only_a_display_name_whose_first_word_is_a_common_given_name(display_name, greeted):
    assert greeting_name(display_name) == greeted


@pytest.mark.parametrize(
    ("display_name", "greeted"),
    [("Sam | Heating & Plumbing", None), ("Ray | Crypto Mentor", None), ("Kiara ✨ CryptoGain", None),
     ("Maison Verte Villejean", None), ("Durand & Associés Avocats", None), ("Sam's Bakery", None),
     ("SAM ELEC", None), ("Sam Taylor", "Sam"), ("Sarah (mum of 3)", "Sarah"), ("Ryan McKenzie", "Ryan")],
)  # fmt: skip
def test_a_display_name_that_reads_as_a_business_anywhere_in_it_gets_no_name(display_name, greeted):
    assert greeting_name(display_name) == greeted
