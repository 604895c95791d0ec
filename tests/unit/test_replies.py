import json

import pytest

from carebird.domain.replies import (
    LINK,
    PUNCTUATION,
    SMILEY,
    TemplateError,
    coach,
    first_name,
    load_templates,
    render,
)
from carebird.domain.textlength import weighted_length

TEMPLATES = load_templates()


def rule(report, name):
    return next(a for a in report.advice if a.rule == name)


def test_templates_render_per_customer_in_their_language():
    text = render(
        TEMPLATES, "ask_dm", "fr", customer_name="Claire Dupont", handle="claire_dupont", reference="CB-000101"
    )

    assert text.startswith("Bonjour Claire !") and "CB-000101" in text
    assert render(TEMPLATES, "ask_dm", "en", customer_name="Nora K", handle="nora_k", reference="CB-1").startswith(
        "Hi Nora!"
    )


def test_a_display_name_that_is_not_a_persons_gives_no_name_at_all():
    assert first_name("Max | Tech reviews", "maxtech") == "Max"  # the name before a bio-like tail
    assert first_name("Tech Reviews Daily", "maxtech") == ""
    assert first_name("🔥🔥", "firefan") == ""
    assert first_name("", "sam_b") == ""
    assert first_name("Claire Dupont", "claire") == "Claire"


def test_every_shipped_template_fits_in_a_post_for_a_long_name():
    for name, languages in TEMPLATES.items():
        for language in languages:
            text = render(
                TEMPLATES,
                name,
                language,
                customer_name="Maximilienne-Alexandrine",
                handle="a" * 15,
                reference="CB-999999",
                next_opening="lundi 24 novembre à 9h00",
            )
            assert weighted_length(text) <= 280, (name, language)


def test_a_template_too_long_for_x_is_refused(tmp_path):
    path = tmp_path / "replies.json"
    path.write_text(json.dumps({"long": {"fr": "Bonjour {first_name} " + "x" * 280}}))

    with pytest.raises(TemplateError, match="weighted characters"):
        render(load_templates(path), "long", "fr", customer_name="Claire", handle="c", reference="r")


def test_unknown_templates_and_placeholders_are_clear_errors(tmp_path):
    with pytest.raises(TemplateError, match="no template"):
        render(TEMPLATES, "nope", "fr", customer_name="C", handle="c", reference="r")
    path = tmp_path / "replies.json"
    path.write_text(json.dumps({"bad": {"fr": "Bonjour {prenom}"}}))
    with pytest.raises(TemplateError, match="prenom"):
        load_templates(path)


def test_the_coach_credits_a_personal_touch():
    assert rule(coach("Bonjour Claire, on regarde.", customer_name="Claire Dupont"), "personal touch").applied
    plain = coach("@claire_dupont on regarde.", customer_name="Claire Dupont", handle="claire_dupont")
    assert not rule(plain, "personal touch").applied and "Claire" in rule(plain, "personal touch").message


def test_the_coach_credits_punctuation_smileys_and_hashtags():
    report = coach("Bonjour Claire, c'est réparé ? 🙂 #LumiereAide", customer_name="Claire")

    assert all(rule(report, name).applied for name in ("punctuation", "smiley", "hashtag"))
    assert rule(report, "smiley").effect == SMILEY and rule(report, "punctuation").effect == PUNCTUATION


def test_the_coach_names_the_cues_and_never_multiplies_them_into_a_promise():
    plain = coach("Nous regardons votre ligne et revenons vers vous.")
    rich = coach("Bonjour Claire, nous regardons votre ligne, ok ? 🙂", customer_name="Claire")

    assert plain.cues == [] and rich.cues == ["personal touch", "punctuation", "smiley"]
    assert not hasattr(rich, "estimated_lift")
    assert "2015" in rule(plain, "smiley").message  # where the figure comes from


@pytest.mark.parametrize("emoji", ["😉", "👍", "🙏", "❤", ";)"])
def test_only_smiling_emoticons_count_as_a_smiley(emoji):
    assert not rule(coach(f"Bonjour Claire, c'est fait {emoji}"), "smiley").applied


def test_a_smiley_on_bad_news_or_a_refusal_is_never_rewarded():
    refusal = coach("Désolé Claire, nous ne pouvons pas rembourser cette option 🙂", customer_name="Claire")
    bad_news = coach("Unfortunately the outage will last until tomorrow", customer_name="Claire")

    assert not rule(refusal, "smiley").applied and "flippant" in rule(refusal, "smiley").message
    assert rule(bad_news, "smiley").applied and "smiley" not in refusal.cues


def test_a_link_costs_engagement_and_is_best_mid_text():
    at_end = coach("Bonjour Claire, tout est expliqué ici : https://example.com/facture", customer_name="Claire")
    middle = coach(
        "Bonjour Claire, voir https://example.com/f puis dites-nous si c'est plus clair ?", customer_name="Claire"
    )

    assert not rule(at_end, "link").applied and rule(at_end, "link").effect == LINK
    assert "mid-text" in rule(at_end, "link").message and "mid-text" not in rule(middle, "link").message


def test_length_and_tone_are_checked_but_nothing_is_blocked():
    curt = coach("Non.")
    loud = coach("CALMEZ-VOUS, ce n'est pas notre faute !!!")
    long = coach("Bonjour Claire " + "très " * 80)

    assert not rule(curt, "length").applied
    assert not rule(loud, "tone").applied and "pas notre faute" in rule(loud, "tone").message
    assert not rule(long, "length").applied and "280" in rule(long, "length").message
    assert all(report.draft for report in (curt, loud, long))
