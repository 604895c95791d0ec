"""Each risk family, in French and English, worded as customers put it and NOT as the cue lists do.

Every message below is recognised by a combination of meanings (a hazard with an object, "not me" with an order,
a vulnerable person with a hardship), never by a phrase the family lists as enough on its own: the test checks
that too, so a rule that only learned these sentences by heart would fail it.
"""

from datetime import UTC, datetime

import pytest

from carebird.domain.cues import CUES
from carebird.domain.triage import Kind, Profile, classify, fold, risks_in

T0 = datetime(2026, 1, 12, 20, tzinfo=UTC)
UNSEEN = [
    ("fraud", "fr", "Une commande de deux téléphones sur mon espace, c'est pas moi qui l'ai passée !!"),
    ("fraud", "en", "there's a new phone contract on my account that I definitely didn't take out, who did this"),
    ("fraud", "fr", "un type se faisant passer pour vous m'a appelé, je lui ai donné le code reçu par SMS 😰"),
    ("fraud", "en", "my number just got moved onto another SIM and I didn't request anything, bank texts go there"),
    ("safety", "fr", "le câble de la façade pend sur le trottoir depuis l'orage, les gamins passent dessous"),
    ("safety", "en", "the router's plug gets so hot you can't touch it, and there's a plastic smell"),
    ("safety", "fr", "on sent comme du gaz dans l'entrée depuis le passage du technicien"),
    ("safety", "en", "water is dripping from the ceiling straight onto the fuse board"),
    ("vulnerable", "fr", "mon père de 88 ans n'a plus de téléphone fixe, il ne peut appeler personne"),
    ("vulnerable", "en", "my son sleeps with a breathing machine and the power keeps cutting out"),
    ("vulnerable", "fr", "chaudière en panne, 14 degrés dans la chambre du petit"),
    ("vulnerable", "en", "no heating since Friday and my gran is freezing in her flat"),
    ("legal", "fr", "sans réponse sous 8 jours je saisis le médiateur des communications électroniques"),
    ("legal", "en", "I've now referred this to the Energy Ombudsman, you'll hear from them"),
    ("legal", "en", "I'm going to report you to Ofcom if this isn't fixed by Friday"),
    ("legal", "fr", "j'ai contacté l'UFC-Que Choisir, ils montent le dossier"),
    ("personal_data", "fr", "j'ai reçu le courrier d'un voisin avec son relevé et son IBAN"),
    ("personal_data", "en", "your letter came with someone else's bank details printed on it"),
    ("personal_data", "en", "an agent on chat asked me to type my online banking password, is that normal?"),
    ("personal_data", "fr", "mes coordonnées sont visibles par n'importe qui dans l'espace partagé"),
    ("outage", "fr", "tout le quartier Saint-Michel est sans internet depuis 19h"),
    ("outage", "en", "whole of our street has had no signal since lunchtime"),
]


def strong_phrases(family: str) -> list[str]:
    return [fold(w).rstrip("*") for w in CUES.get(family, ())]


@pytest.mark.parametrize(
    ("family", "lang", "text"), UNSEEN, ids=[f"{f}-{lang}-{i}" for i, (f, lang, _) in enumerate(UNSEEN)]
)
def test_a_risk_worded_unlike_the_cue_lists_is_urgent_and_named(family, lang, text):
    kind, _ = classify(text, Profile(followers=40), T0)

    assert kind is Kind.URGENT
    assert family in [risk.family for risk in risks_in(text)]
    folded = fold(text)
    assert not any(phrase and phrase in folded for phrase in strong_phrases(family)), "worded like the cue list"


@pytest.mark.parametrize(
    "text",
    [
        "Je voudrais ajouter l'option Sécurité+ à mon forfait, c'est combien ?",
        "does the smart gas leak detector in your shop work with Alexa?",
        "how do I add the anti-fraud option to my son's SIM?",
        "c'est pas urgent mais ma facture de janvier est fausse",
        "is a lawyer's office eligible for the business fibre offer?",
        "j'ouvre mon cabinet d'avocate lundi, il me faut une ligne pro",
        "Ofcom says I can leave penalty free if my speed drops, how do I do that?",
        "I never received my order, it's been two weeks",
        "ma grand-mère voudrait passer à la fibre, comment on fait ?",
        "je suis enceinte, pouvez-vous m'aider à changer de forfait ?",
        "is my data safe with you? just curious about GDPR",
        "il fait froid, vous avez des offres sur les radiateurs ?",
        "my baby monitor app keeps disconnecting from the wifi",
        "mon avocat m'a conseillé de changer d'opérateur, vous avez des offres ?",
        "I'm pregnant and moving house, can you help me move my contract?",
        "is this text from you or a scam? it says my payment failed, I haven't clicked anything",
    ],
)
def test_risk_words_in_an_ordinary_message_are_not_a_risk(text):
    assert classify(text, Profile(followers=40), T0)[0] is not Kind.URGENT
