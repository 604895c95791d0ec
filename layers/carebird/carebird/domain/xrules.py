"""X's automation rules, as carebird keeps them (X's developer guidelines and policy, docs/x-rules in README).

Plain functions on texts and case items: no storage, no X client, no settings. What they decide:
- a customer's opt-out ("stop", "arrêt", "unsubscribe"...): after it, no automated message reaches them;
- which messages carebird may acknowledge on its own: never a quote, a message with a link, abusive words or noise;
- that an automated DM carries the brand's privacy-policy link (and is not sent without one).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from carebird.domain.model import CHAT_PLACEHOLDER

DEFAULT_OPT_OUT_WORDS = (
    "stop", "arrêt", "arret", "arrête", "arrêtez", "unsubscribe", "désabonner", "désabonnez", "desinscription",
    "désinscription",
)  # fmt: skip
OPT_OUT_MAX_CHARACTERS = 140  # three words and a few @mentions
OPT_OUT_MAX_WORDS = 3  # "STOP", "stop please", "arrêt svp": a short message led by the word, not "won't stop crashing"

# A link in the customer's words: an automatic answer would endorse or amplify it (phishing lures arrive this way).
LINK = re.compile(r"https?://|www\.|\b[\w-]+\.(?:com|net|org|io|xyz|site|top|click|info|biz|ru|cn|ly|co|me|fr)/", re.I)

# Abusive words, threats and slurs (folded: lower case, no accents). An automatic "thanks for your message" to an
# insult reads as mockery and repeats the thread to the brand's followers: a person answers these, or nobody.
ABUSE_CUES = frozenset(
    {
        "idiot", "idiots", "stupid", "stupide", "stupides", "moron", "morons", "cretin", "cretins", "imbecile",
        "imbeciles", "abruti", "abrutis", "connard", "connards", "connasse", "salaud", "salauds", "salope", "pute",
        "encule", "encules", "enculer", "batard", "batards", "merde", "fuck", "fucking", "fucker", "motherfucker",
        "shit", "bullshit", "bitch", "asshole", "bastard", "dickhead", "wanker", "retarded", "nazi", "nazis",
        "ntm", "fdp", "stfu", "kys", "crevez", "nique", "niquez",
    }
)  # fmt: skip
# Not "retard" (French for delay), "crevé" (a flat tyre) or "con" (too many innocent uses once folded).
ABUSE_PHRASES = ("kill yourself", "ta gueule", "va te faire", "allez vous faire", "go to hell", "i will find you")

WORD = re.compile(r"\w+")
MENTION = re.compile(r"(?<!\w)@\w+")

# X: "If a user says 'stop,' stop. Implement keyword detection for common opt-out phrases" (developer-guidelines).
# Phrases found anywhere in a message of any length (folded words joined by single spaces): the customer asks for
# no more messages. A complaint that merely starts with "stop" ("stop charging me twice") is none of these.
OPT_OUT_PHRASES = (
    "please stop", "pls stop", "plz stop", "stop please", "stop messaging me", "stop sending me messages",
    "stop sending me dms", "stop sending me automated", "stop sending me these messages", "stop dming me",
    "stop dm ing me", "stop contacting me", "stop texting me", "stop writing to me", "stop replying to me",
    "stop spamming me", "stop the bot", "stop this bot", "stop these messages", "stop the messages",
    "stop the automated", "stop your automated", "unsubscribe me", "opt me out", "opt out", "i want to opt out",
    "no more messages", "no more automated", "arrete de m ecrire", "arretez de m ecrire", "arrete de m envoyer",
    "arretez de m envoyer", "arretez les messages", "arrete les messages", "arretez de me contacter",
    "arrete de me contacter", "arretez de me spammer", "arrete de me spammer", "ne m ecrivez plus",
    "ne m envoyez plus", "ne me contactez plus", "desabonnez moi", "desabonne moi", "me desabonner",
    "je veux me desabonner", "stop svp", "svp stop", "stp stop", "stop stp",
)  # fmt: skip
OPT_OUT_PHRASE_SCAN = 5_000  # characters looked at (a long post's first ones: ~75 µs for 100, ~1.7 ms at most)
# What a text must contain, unfolded, before its words are folded and looked at (the webhook asks every message).
OPT_OUT_HINT = re.compile(r"stop|arr|abonn|unsub|opt|plus|more", re.I)  # "arr": arrêtez in NFC or decomposed


def fold(text: str) -> str:
    """Lower case without accents: "Arrêt" and "ARRET" are one word."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def opt_out_words(setting: str) -> tuple[str, ...]:
    """The words a brand adds (comma-separated) to X's and carebird's defaults, folded."""
    extra = tuple(w.strip() for w in setting.split(",") if w.strip())
    return tuple(dict.fromkeys(fold(w) for w in (*DEFAULT_OPT_OUT_WORDS, *extra)))


@cache
def _opt_out_forms(words: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """The opt-out words folded, and the first word of each (what a message must begin with)."""
    folded = frozenset(" ".join(WORD.findall(fold(w))) for w in words)
    return folded, frozenset(w.split(" ")[0] for w in folded if w)


def is_opt_out(text: str, words: tuple[str, ...] = DEFAULT_OPT_OUT_WORDS) -> bool:
    """A short message led by an opt-out word (@mentions and emoji aside): "STOP", "@brand stop please", "🛑 Arrêt
    svp"; or a common opt-out phrase anywhere: "please stop", "stop sending me these", "désabonnez-moi"."""
    return _led_by_opt_out_word(text, words) or _has_opt_out_phrase(text)


def _has_opt_out_phrase(text: str) -> bool:
    text = text[:OPT_OUT_PHRASE_SCAN]
    if not OPT_OUT_HINT.search(text):
        return False  # ordinary messages never fold their whole text
    joined = f" {' '.join(WORD.findall(fold(MENTION.sub(' ', text))))} "
    return any(f" {phrase} " in joined for phrase in OPT_OUT_PHRASES)


def _led_by_opt_out_word(text: str, words: tuple[str, ...]) -> bool:
    if len(text) > OPT_OUT_MAX_CHARACTERS:
        return False  # the webhook asks this of every message: most are longer, and cost nothing more
    folded, first_words = _opt_out_forms(words)
    lead = next((t for t in text.split() if not t.startswith("@") and WORD.search(t)), "")
    first = WORD.search(fold(lead[:40]))
    if first is None or first.group() not in first_words:
        return False  # decided on the first word alone: ordinary messages never fold their whole text
    tokens = WORD.findall(fold(MENTION.sub(" ", text)))
    if not tokens or len(tokens) > OPT_OUT_MAX_WORDS:
        return False
    return tokens[0] in folded or " ".join(tokens) in folded


def has_link(text: str) -> bool:
    return bool(LINK.search(text))


def abuse_cues(text: str) -> list[str]:
    """The abusive words and phrases in a text, folded (empty: none)."""
    folded = fold(text)
    words = [w for w in WORD.findall(folded) if w in ABUSE_CUES]
    return words + [p for p in ABUSE_PHRASES if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", folded)]


def why_not_acknowledged(case: Mapping[str, Any]) -> str | None:
    """Why carebird must not answer this new case on its own (a case item), or None when it may.

    Only what the customer wrote and how decides: quotes (an automatic answer to a quote amplifies someone else's
    post), links, abusive words, noise. Profile text never enters an automatic message at all (announcements).
    """
    if case.get("channel") == "quote" or case.get("quoted_id"):
        return "a quote"  # of the brand's post, or of someone else's that mentions the brand
    if case.get("status") == "noise" or case.get("kind") == "noise":
        return "noise"
    if str(case.get("preview") or "").startswith(CHAT_PLACEHOLDER):
        return "an encrypted chat"  # its words, a "stop" among them, are unreadable: no automated DM answers it
    words = f"{case.get('triage_text') or ''} {case.get('preview') or ''}"
    if has_link(words):
        return "a message with a link"
    if abuse_cues(words):
        return "abusive words"
    return None


def privacy_line(url: str, language: str) -> str:
    """The line an automated DM ends with: where the brand says what it does with the customer's data."""
    return f"Confidentialité : {url}" if language == "fr" else f"Privacy: {url}"


def valid_privacy_url(url: str) -> bool:
    """An https address without spaces: what a DM can carry as the brand's privacy policy."""
    return bool(re.fullmatch(r"https://[^\s/]+\.[^\s/]+(?:/\S*)?", url.strip())) and len(url) <= 500


# X's batch compliance (x-api/compliance/batch-compliance): the bounds of a job carebird submits, and the job it
# waits for. The use case (carebird.app.compliance), its X client and its storage share them from here.
MAX_IDS = 100_000  # ids per job (one upload); a bigger window is checked newest first, up to this bound
MAX_RESULT_LINES = MAX_IDS  # X answers at most one line per id uploaded
MAX_LINE = 2_000


@dataclass(frozen=True)
class PendingJob:
    """A compliance job carebird submitted and has not collected yet."""

    id: str
    created_at: datetime
    download_url: str
    ids: int
