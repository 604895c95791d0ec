"""X's automation rules: who opted out, what carebird may acknowledge on its own, the privacy-policy link."""

from datetime import UTC, datetime

import pytest

from carebird.app.ingest import IngestSettings, apply_event
from carebird.domain.model import Author, Channel, Message
from carebird.domain.xrules import abuse_cues, is_opt_out, opt_out_words, valid_privacy_url
from tests.helpers import InMemoryCaseStore

AT = datetime(2025, 11, 25, 20, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "text", ["STOP", "stop", "Stop!", "@LumiereAide stop", "Arrêt", "ARRET svp", "unsubscribe please", "stop 🙏"]
)
def test_a_short_message_led_by_an_opt_out_word_is_an_opt_out(text):
    assert is_opt_out(text)


@pytest.mark.parametrize(
    "text",
    [
        "my app won't stop crashing",
        "Stop changing the prices every week, it's unbearable",
        "arrêt de bus supprimé ?",
        "",
        "@LumiereAide",
        "non-stop",
        "@LumiereAide " * 12 + "stop",
    ],
)
def test_a_message_that_only_contains_the_word_is_not_an_opt_out(text):
    assert not is_opt_out(text)


@pytest.mark.parametrize(
    "text",
    [
        "STOP!!",
        "🛑 STOP",
        "arrête",
        "Arrêtez svp",
        "please stop",
        "@LumiereAide pls stop",
        "désabonnez-moi",
        "je veux me désabonner",
        "Please stop sending me these messages, I only want a human to answer",
        "stop messaging me",
        "Arrêtez de m'écrire, merci",
        "ne m'envoyez plus rien",
        "opt me out",
        "Arre\u0302tez de m'e\u0301crire, s'il vous plai\u0302t : je veux un humain",  # decomposed accents (NFD)
    ],
)
def test_common_opt_out_phrases_and_forms_are_opt_outs_wherever_they_stand(text):
    assert is_opt_out(text)


@pytest.mark.parametrize(
    "text",
    ["stop charging me twice", "Arrêtez de me facturer deux fois", "I stopped my subscription", "no more excuses"],
)
def test_a_complaint_that_starts_like_an_opt_out_is_no_opt_out(text):
    assert not is_opt_out(text)


def test_a_brand_adds_its_own_opt_out_words_to_the_defaults():
    words = opt_out_words("Désabonnement, halt")

    assert is_opt_out("desabonnement", words) and is_opt_out("HALT", words) and is_opt_out("stop", words)
    assert not is_opt_out("halt", opt_out_words(""))


def message(text: str, message_id: str = "100", channel: Channel = Channel.DM) -> Message:
    return Message(id=message_id, channel=channel, author=Author(id="42", handle="claire"), text=text, created_at=AT)


def test_ingestion_records_the_opt_out_per_customer_before_storing_the_message():
    store = InMemoryCaseStore()

    apply_event(store, message("STOP"), IngestSettings())
    apply_event(store, message("Bonjour, où est mon colis ?", "101", Channel.MENTION), IngestSettings())

    assert store.opt_outs == {"42": ("100", AT)}
    assert len(store.cases) == 2  # the customer's words are still kept and answered by a person


def test_ingestion_records_no_opt_out_when_the_words_are_switched_off():
    store = InMemoryCaseStore()

    apply_event(store, message("STOP"), IngestSettings(opt_out_words=()))

    assert store.opt_outs == {}


def test_abuse_cues_are_words_not_fragments_of_innocent_words():
    assert abuse_cues("Bande d'ABRUTIS") == ["abrutis"]
    assert abuse_cues("ta gueule") == ["ta gueule"]
    assert abuse_cues("la technique, un retard, un pneu crevé, constitution") == []


@pytest.mark.parametrize(
    ("url", "valid"),
    [
        ("https://lumiere.example/confidentialite", True),
        ("https://lumiere.example", True),
        ("http://lumiere.example/privacy", False),
        ("javascript:alert(1)", False),
        ("https://lumiere.example/a b", False),
        ("", False),
    ],
)
def test_the_privacy_policy_link_must_be_an_https_address(url, valid):
    assert valid_privacy_url(url) is valid
