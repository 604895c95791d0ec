"""The learned reading beside the rules (carebird.domain.reading, tools/train_triage.py): wording nobody wrote into the
cue lists or the labelled sets, how the model and the rules are combined, and a trainer that never sees held-out
files and gives the same weights every time."""

import json
import sys
import time
import timeit
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[2] / "tools"))

import eval_triage
import train_triage

from carebird.domain.cues import RISKS
from carebird.domain.model import Channel
from carebird.domain.reading import Shape, TextModel, features, stem
from carebird.domain.triage import Kind, Profile, TriageRules, classify, cues_found, triage

RULES = TriageRules()


def triaged(text, channel=Channel.DM, rules=RULES):
    return triage(texts=[text], followers=80, verified=False, channel=channel, inbound_count=1, rules=rules)


# Written for these tests, after training: none of these sentences is in the cue lists or the labelled sets.
FRESH = [
    ("fraud", "un inconnu a changé l'adresse mail de mon espace client cette nuit, je ne peux plus y entrer"),
    ("fraud", "I typed my card details into a page that looked like yours and now there's £400 gone"),
    ("vulnerable", "mum's 88, lives alone and her only phone has been dead since Friday, she can't ring anyone"),
    ("vulnerable", "ma grand-mère de 90 ans n'a plus de chauffage et il fait 12 degrés dans son salon"),
    ("safety", "there's a burning plastic smell coming from the router and it's too hot to touch"),
    ("safety", "des fils dénudés pendent du poteau devant l'école depuis le passage de vos techniciens"),
    ("legal", "I've filed a complaint with the ombudsman about this, case reference to follow"),
    ("legal", "j'ai déposé un dossier auprès du médiateur, vous aurez de ses nouvelles"),
    ("personal_data", "I got a letter with another customer's bank details and full address on it"),
    ("personal_data", "j'ai reçu la facture d'une autre personne avec son RIB dessus"),
    ("outage", "entire village offline since the storm, hundreds of homes"),
    ("outage", "toute la commune est sans internet depuis ce matin, même la mairie"),
]


@pytest.mark.parametrize(("family", "text"), FRESH)
def test_each_risk_family_is_recognised_in_both_languages_in_wording_never_seen(family, text):
    labelled = " ".join(json.loads(line)["text"] for path in train_triage.tuning_files() for line in path.open())
    assert text not in labelled

    result = triaged(text)

    assert result.kind is Kind.URGENT
    assert result.reasons[0].startswith(f"urgent band ({RISKS[family][0]})")


@pytest.mark.parametrize(
    "text", ["I typed my card details into a page that looked like yours and now there's £400 gone"]
)
def test_the_model_catches_a_fraud_the_rules_miss_and_says_which_words_weighed(text):
    assert triaged(text, rules=TriageRules(model=None)).kind is not Kind.URGENT

    result = triaged(text)

    assert result.kind is Kind.URGENT
    risk = next(r for r in result.reasons if r.startswith("risk, "))
    assert risk.startswith("risk, reads like fraud or account takeover: “") and risk.endswith("(+40)")


CLASSES = train_triage.CLASSES


def tiny_model(**rows):
    """A hand-made model: each feature pushes one class by its weight."""
    weights = {feature: tuple(w if c == klass else 0.0 for c in CLASSES) for feature, (klass, w) in rows.items()}
    return TextModel(
        CLASSES, (0.0,) * len(CLASSES), weights, {"urgent": 0.5, "quiet": 0.75, "plain": 0.9, "request": 0.8}
    )


def test_an_urgent_reading_turns_a_request_urgent_citing_the_customers_own_words():
    model = tiny_model(**{"w:" + stem("bizarre"): ("urgent-safety", 6.0), "w:truc": ("urgent-safety", 4.0)})
    text = "un truc bizarre dans l'entrée"
    assert classify(text, Profile(followers=40), None, private=True)[0] is Kind.REQUEST  # the rules alone

    kind, why = classify(text, Profile(followers=40), None, private=True, model=model)
    result = triage(texts=[text], followers=40, verified=False, channel=Channel.DM, inbound_count=1,
                    rules=TriageRules(model=model))  # fmt: skip

    assert kind is Kind.URGENT and why[0] == "read as safety"
    assert result.reasons[0].startswith("urgent band (a safety hazard)")
    assert "risk, reads like a safety hazard: “bizarre”, “truc” (+40)" in result.reasons


def test_the_rules_urgent_stands_whatever_the_model_reads():
    model = tiny_model(**{"w:gaz": ("noise", 20.0)})

    kind, _ = classify("ça sent le gaz dans la cuisine", Profile(followers=40), None, private=True, model=model)

    assert kind is Kind.URGENT


def test_a_brand_cue_still_takes_effect_beside_the_model():
    rules = TriageRules.from_json(json.dumps({"cues": {"safety": ["compteur qui siffle"]}}))

    assert rules.model is not None
    assert triaged("mon compteur qui siffle fort", rules=rules).kind is Kind.URGENT


def test_chatter_read_by_the_model_is_noise_but_a_question_or_a_failure_still_waits():
    model = tiny_model(**{"w:chat": ("noise", 3.6)})  # a reading of 0.80: above "quiet", under "plain"

    def kind(text):
        return classify(text, Profile(followers=40), None, model=model)[0]

    assert classify("mon chat dort sur ma box internet", Profile(followers=40), None)[0] is Kind.REQUEST
    assert kind("le chat du voisin dort sur la box internet") is Kind.NOISE
    assert kind("mon chat dort sur ma box internet") is Kind.REQUEST  # the customer's own box: not chatter unless sure
    assert kind("mon chat a débranché la box, comment je la relance ?") is Kind.REQUEST
    assert kind("mon chat regarde la box, plus de wifi depuis ce matin") is Kind.REQUEST


@pytest.mark.parametrize(
    ("word", "text"),
    [("colis", "d'après le suivi, mon colis s'est volatilisé"), ("parcel", "my parcel seems to have vanished")],
)
def test_a_customer_speaking_of_their_own_service_waits_unless_the_reading_is_sure(word, text):
    unsure = tiny_model(**{"w:" + stem(word): ("noise", 3.6)})  # a reading of 0.80: above "quiet", under "plain"

    assert classify(text, Profile(followers=40), None, model=unsure)[0] is Kind.REQUEST


def test_only_a_sure_reading_files_a_question_naming_the_service_as_chatter():
    sure = tiny_model(**{"w:chat": ("noise", 8.0), "w:cat": ("noise", 8.0)})
    unsure = tiny_model(**{"w:chat": ("noise", 3.6), "w:cat": ("noise", 3.6)})  # 0.80: above "quiet", under "plain"
    texts = ["le chat du voisin a élu domicile sur notre box, vous trouvez pas qu'il lui va bien ?",
             "the neighbours' cat has moved in on top of our router, don't you think it suits him?"]  # fmt: skip

    for text in texts:
        assert classify(text, Profile(followers=40), None, model=unsure)[0] is Kind.REQUEST
        assert classify(text, Profile(followers=40), None, model=sure)[0] is Kind.NOISE


def test_sarcastic_thanks_read_as_thanks_by_the_model_stay_a_complaint():
    model = tiny_model(**{"w:merci": ("thanks", 8.0)})

    kind, _ = classify("merci pour ces 3 jours sans internet 🙄", Profile(followers=40), None, model=model)

    assert kind is Kind.REQUEST


@pytest.mark.parametrize(
    "text", ["Bravo, quarante minutes d'attente pour rien", "Bravo, forty minutes on hold for nothing"]
)
def test_praise_around_a_problem_not_said_to_be_solved_stays_a_complaint_whatever_the_model_reads(text):
    model = tiny_model(**{"w:bravo": ("praise", 8.0)})

    kind, _ = classify(text, Profile(followers=40), None, model=model)

    assert kind is Kind.REQUEST


def test_words_are_stemmed_alike_in_french_and_english():
    assert stem("étincelles".replace("é", "e")) == stem("etincelle")
    assert stem("sparking") == stem("sparks") == "spark"
    assert stem("coupures") == stem("coupure")


def test_handles_links_and_the_brands_own_names_are_not_features():
    text = "@LumiereAide #LumiereNul ma box lumière clignote https://t.co/abc"
    present = features(text, cues_found(text), Shape(), train_triage.BRAND_NAMES)

    assert not [f for f in present if "lumiere" in f or "t.co" in f or "abc" in f]
    assert "w:clignot" in present or "w:clignote" in present


def test_the_trainer_never_reads_a_held_out_file(tmp_path):
    (tmp_path / "tuning-x.jsonl").write_text("{}\n")
    (tmp_path / "holdout.jsonl").write_text("{}\n")
    (tmp_path / "holdout-2027.jsonl").write_text("{}\n")

    assert [p.name for p in train_triage.tuning_files(tmp_path)] == ["tuning-x.jsonl"]
    with pytest.raises(ValueError, match="held out"):
        train_triage.load(tmp_path / "holdout-2027.jsonl")


def test_the_evaluation_reports_held_out_files_apart_and_never_cross_validates_on_them(monkeypatch, tmp_path):
    for name in ("tuning-a.jsonl", "tuning-b.jsonl", "holdout.jsonl", "holdout-fresh.jsonl"):
        (tmp_path / name).write_text("")
    monkeypatch.setattr(eval_triage, "FIXTURES", tmp_path)

    assert [p.name for p in eval_triage.held_out_files()] == ["holdout-fresh.jsonl", "holdout.jsonl"]
    assert [p.name for p in eval_triage.tuning_files()] == ["tuning-a.jsonl", "tuning-b.jsonl"]


def test_training_is_deterministic_and_the_shipped_weights_are_what_make_train_writes():
    records = [r for path in train_triage.tuning_files() for r in train_triage.load(path)]
    names = [p.name for p in train_triage.tuning_files()]

    trained = train_triage.render(train_triage.train(records), names)

    # The shipped file was written by an earlier run of `make train`: this run writing it again to the byte is the
    # determinism (a second training in this process would prove nothing more, for 12 s more).
    assert train_triage.WEIGHTS.read_text(encoding="utf-8") == trained


def test_one_message_is_triaged_in_well_under_half_a_millisecond():
    texts = [r["text"] for r in train_triage.load(train_triage.tuning_files()[0]) if r.get("role") == "customer"]
    from carebird.domain.triage import risks_of

    def run():
        risks_of.cache_clear()  # every text as never seen before
        for text in texts:
            triaged(text)

    # CPU time of this process: what the triage costs, not what the suite's other processes take from the cores
    seconds = min(timeit.repeat(run, number=1, repeat=3, timer=time.process_time)) / len(texts)

    assert seconds < 0.0005 * 2  # the goal is 0.5 ms; twice that as head room on a shared test machine


@pytest.mark.parametrize("text", ["d'accord, je regarde ça ce soir", "right, will have a go at that tonight"])
def test_the_reading_knows_when_a_follow_up_answers_the_brands_answer(text):
    weights = {"s:public": ("request", 3.0), "s:after answer": ("thanks", 8.0), "w:accord": ("thanks", 1.0),
               "w:right": ("thanks", 1.0)}  # fmt: skip
    rules = TriageRules(model=tiny_model(**weights))

    def kind(after_answer):
        return triage(texts=["ma box clignote", text], followers=40, verified=False, channel=Channel.MENTION,
                      inbound_count=2, rules=rules, after_answer=after_answer).kind  # fmt: skip

    assert kind(after_answer=False) is Kind.REQUEST
    assert kind(after_answer=True) is Kind.THANKS


def test_the_trainer_marks_a_customers_turn_after_the_brands_as_answering_it():
    turn = {"thread": "t1", "channel": "mention"}
    records = [
        {**turn, "id": "a", "turn": 1, "role": "customer", "text": "box en panne", "label": "request"},
        {**turn, "id": "b", "turn": 2, "role": "brand", "text": "redémarrez-la", "label": None},
        {**turn, "id": "c", "turn": 3, "role": "customer", "text": "ça remarche", "label": "thanks"},
        {**turn, "id": "d", "turn": 4, "role": "customer", "text": "ah non, plus rien", "label": "request"},
    ]

    marked = {"s:after answer" in present for present, label in train_triage.examples(records)}
    by_label = [("s:after answer" in p, label) for p, label in train_triage.examples(records)]

    assert marked == {True, False}
    assert sorted(by_label) == [(False, "request"), (False, "request"), (True, "thanks")]
