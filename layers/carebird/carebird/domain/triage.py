"""Explainable triage: what kind of message it is, how urgent, and why.

Every message is one of four kinds: **noise** (spam, scams, bots: no SLA, no acknowledgement, out of the
working queue), **thanks** (thanks, praise, closing words: recorded, never a reason to page anyone),
**request** (a customer needs an answer) and **urgent** (risk: account takeover, fraud, personal data, a
vulnerable customer, safety, legal or regulator, a widespread outage: first in the queue, a shorter SLA).
The priority is 0-100 and always comes with the reasons that built it, in the order they weigh.

Matching is on accent-free lower case, French and English, on whole words (a `*` marks a prefix: `factur*`
finds "facture" and "facturation" but `bill` does not find "billet"); a cue preceded by a negation ("pas
urgent", "not urgent at all") does not count. Waiting time is not part of the stored score: the queue ages
every case by opening minutes, the SLA's clock (see `queue_rank`).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any

from carebird.domain.calendar import OpeningHours
from carebird.domain.cues import (
    COLD_ROOM,
    CUES,
    DISOWNED,
    HANDED_OVER,
    INFANT_AGE,
    IRONY_EMOJI,
    NEGATABLE,
    OLD_AGE,
    RISK_RECIPES,
    RISKS,
    SERVICE_FAILURE,
    WHOLE_PLACE,
)
from carebird.domain.model import Channel
from carebird.domain.reading import Reading, Shape, TextModel, features, shipped_model

SHIPPED_MODEL = shipped_model()

TECHNICAL = "technical"
COMMERCIAL = "commercial"
OTHER = "other"


class Kind(StrEnum):
    NOISE = "noise"
    THANKS = "thanks"  # thanks, praise, closing words
    REQUEST = "request"
    URGENT = "urgent"


URGENT_BAND = "urgent"
NORMAL_BAND = "normal"

DEFAULT_KEYWORDS: dict[str, tuple[str, ...]] = {
    # General defaults for any brand; a brand adds its own words with TRIAGE_RULES.
    TECHNICAL: (
        "panne*", "bug*", "erreur*", "error*", "crash*", "plante", "ne marche", "marche plus", "ne fonctionne",
        "fonctionne plus", "not working", "doesn't work", "does not work", "stopped working", "broken", "casse*",
        "outage", "down", "login", "log in", "connexion", "se connecter", "connect", "connection", "mot de passe",
        "router", "routeur", "modem", "decodeur", "sim", "compteur", "meter", "linky", "electricite", "electricity",
        "password", "site", "website", "appli", "app", "application", "wifi", "wi-fi", "internet", "reseau",
        "network", "signal", "box", "fibre", "fiber", "debit", "lent", "lente", "slow", "bloque*", "stuck",
        "mise a jour", "update", "coupure", "ecran", "screen", "batterie", "battery", "voyant",
    ),
    COMMERCIAL: (
        "prix", "price*", "tarif*", "offre*", "offer*", "abonnement*", "subscription*", "factur*", "bill", "bills",
        "billing", "invoice*", "rembours*", "refund*", "promo*", "contrat*", "contract*", "resili*", "cancel*",
        "achat*", "acheter", "buy", "purchase*", "devis", "commande*", "order", "orders", "paiement*", "payment*",
        "livraison*", "delivery", "deliveries", "colis", "parcel*", "deal", "deals", "reduction*", "discount*",
        "coupon*", "nouveau client", "new customer", "carte cadeau", "gift card",
    ),
}  # fmt: skip

DEFAULT_URGENCY: tuple[str, ...] = (
    "urgent", "urgence", "asap", "immediat*", "toujours", "still", "encore", "again", "depuis", "since",
    "troisieme", "third", "plusieurs fois", "several times", "inadmissible", "unacceptable", "scandal*", "honte",
    "#fail", "fail", "worst", "pire", "furious", "furieux", "furieuse", "no answer", "pas de reponse",
    "aucune reponse", "sans reponse", "toujours pas", "still no", "still not",
)  # fmt: skip

SHOUTED_URGENCY = frozenset({"urgent", "urgence", "asap", "immediat"})  # said of anything: urgent only with a need
NEGATIONS = frozenset({"pas", "not", "no", "non", "aucun", "aucune", "never", "jamais", "sans", "nothing", "rien",
                       "isn't", "isnt", "n'est", "nest", "nor", "ni", "without", "zero", "hasn't", "hasnt", "haven't",
                       "havent", "didn't", "didnt", "doesn't", "doesnt", "don't", "dont", "won't", "wont", "wasn't",
                       "wasnt", "aren't", "arent", "nul"})  # fmt: skip
# Acronyms are not shouting: regulators, standards, common tech words.
ACRONYMS = frozenset({"DGCCRF", "ARCEP", "CNIL", "RGPD", "GDPR", "SNCF", "RATP", "HTTP", "HTTPS", "WIFI", "ADSL",
                      "VDSL", "FTTH", "IBAN", "SEPA", "IPHONE", "ANDROID", "COVID", "URGENT", "TV"})  # fmt: skip


@dataclass(frozen=True)
class TriageRules:
    """The knobs of the score; defaults are documented in docs/data-model.md and docs/triage-eval.md."""

    keywords: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_KEYWORDS))
    urgency: tuple[str, ...] = DEFAULT_URGENCY
    base: int = 20
    verified_bonus: int = 10
    influence_max: int = 30
    topic_bonus: dict[str, int] = field(default_factory=lambda: {TECHNICAL: 15, COMMERCIAL: 10, OTHER: 0})
    public_bonus: int = 5
    urgency_per_cue: int = 6
    urgency_max: int = 15
    repeat_per_contact: int = 8
    repeat_max: int = 20
    history_days: int = 10
    urgent_floor: int = 75  # an urgent message never ranks below this
    noise_threshold: int = 4
    aging_open_minutes_per_point: int = 2  # the queue ages by one point per two opening minutes of waiting
    hours: OpeningHours = field(default_factory=OpeningHours)
    cues: CueBook = field(default_factory=lambda: DEFAULT_BOOK)
    # The learned reading beside the rules (carebird.domain.reading, trained by `make train`); None: the rules alone.
    model: TextModel | None = field(default_factory=lambda: SHIPPED_MODEL)

    def __post_init__(self) -> None:
        """Topics and urgency words given directly (not through TRIAGE_RULES) are read through the book too."""
        if self.cues is DEFAULT_BOOK and (self.keywords != DEFAULT_KEYWORDS or self.urgency != DEFAULT_URGENCY):
            object.__setattr__(self, "cues", book_with(self.keywords, self.urgency))

    @classmethod
    def from_json(cls, document: str | None, hours: OpeningHours | None = None) -> TriageRules:
        """Defaults overridden by a JSON object (the `TRIAGE_RULES` setting); unknown keys are an error."""
        rules = cls() if hours is None else cls(hours=hours)
        if not document:
            return rules
        overrides: dict[str, Any] = json.loads(document)
        if not isinstance(overrides, dict):
            raise ValueError("TRIAGE_RULES must be a JSON object")
        unknown = set(overrides) - (set(cls.__dataclass_fields__) - {"hours", "model"})
        if unknown:
            raise ValueError(f"unknown triage settings: {sorted(unknown)}")
        if "keywords" in overrides:
            topics = _mapping(overrides["keywords"], "keywords")
            overrides["keywords"] = {**rules.keywords, **{k: _word_list(v, f"keywords.{k}") for k, v in topics.items()}}
        if "urgency" in overrides:
            overrides["urgency"] = (*rules.urgency, *_word_list(overrides["urgency"], "urgency"))
        book = DEFAULT_BOOK.extended(_mapping(overrides["cues"], "cues")) if "cues" in overrides else DEFAULT_BOOK
        if "keywords" in overrides or "urgency" in overrides:
            book = book_with(overrides.get("keywords", rules.keywords), overrides.get("urgency", rules.urgency), book)
        overrides["cues"] = book
        return replace(rules, **overrides)


def _mapping(value: Any, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"TRIAGE_RULES {key} must be an object of lists of words")
    return value


def _word_list(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(w, str) and w.strip("* ") for w in value):
        raise ValueError(f"TRIAGE_RULES {key} must be a list of words (non-empty strings)")
    return tuple(value)


@dataclass(frozen=True, slots=True)
class Triage:
    """One message's verdict: its score, topic, reasons an agent reads, kind and band (a docstring also spares
    the import the signature a dataclass would render as its documentation)."""

    priority: int
    topic: str
    reasons: tuple[str, ...]
    kind: Kind = Kind.REQUEST
    band: str = NORMAL_BAND


@dataclass(frozen=True, slots=True)
class Profile:
    """What carebird knows of the author beyond the message (all optional: X does not always say)."""

    followers: int = 0
    following: int = 0
    verified: bool = False
    account_created_at: datetime | None = None


@lru_cache(maxsize=512)
def fold(text: str) -> str:
    """Lower case without accents, typographic apostrophes made plain: `Réseau` and `reseau` match the same.

    Cached: one message is folded once however many rules read it. ASCII text is only lower-cased; otherwise the
    combining marks of the decomposed text go in one regular-expression pass (not a Python loop per character)."""
    lowered = text.lower().replace("\u2019", "'")
    if lowered.isascii():
        return lowered
    lowered = lowered.replace("œ", "oe").replace("æ", "ae")
    if lowered.isascii():
        return lowered
    return COMBINING.sub("", unicodedata.normalize("NFKD", lowered))


COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


# (the folded text of an entry, True for a prefix entry `word*`, the entry as written)
Cue = tuple[str, bool, str]
WORD_START = r"(?<![\w#@])[\w#']"  # not inside a word, a #hashtag or an @handle (compiled on first use: rare)


@lru_cache(maxsize=128)
def _matcher(words: tuple[str, ...]) -> dict[str, list[Cue]]:
    """A list's entries by their first character, longest first: at a word start, the first that matches wins
    (whole words, or prefixes for entries ending in `*`). Plain lookups, no regular expression to compile: a
    list of a hundred entries is ready in a fraction of a millisecond, on the first event of a cold start too."""
    folded = {fold(w).rstrip("*") + ("*" if w.endswith("*") else ""): w for w in words if w.strip("*")}
    by_first: dict[str, list[Cue]] = {}
    for entry in sorted(folded, key=len, reverse=True):
        core = entry.rstrip("*")
        by_first.setdefault(core[0], []).append((core, entry.endswith("*"), folded[entry]))
    return by_first


@lru_cache(maxsize=512)
def _word_starts(folded: str) -> tuple[int, ...]:
    """Where words begin: the only places a cue may start."""
    return tuple(m.start() for m in re.finditer(WORD_START, folded))


def _cue_at(folded: str, start: int, candidates: list[Cue]) -> str | None:
    for core, prefix, word in candidates:
        if folded.startswith(core, start):
            end = start + len(core)
            if prefix or end == len(folded) or not (folded[end].isalnum() or folded[end] == "_"):
                return word
    return None


def _negated(folded: str, start: int) -> bool:
    """A negation among the two words before `start` in the same sentence ("pas vraiment urgent", "not urgent")."""
    window = re.split(r"[.!?;,\n]", folded[max(0, start - 30) : start])[-1]
    before = re.findall(r"[\w']+", window)[-2:]
    return any(word in NEGATIONS or word.startswith("n'") for word in before)


def _hits(folded: str, words: tuple[str, ...], negatable: bool = False) -> list[str]:
    """The words of `words` found in `folded` (each once, in the list's order); negated ones left out. Every word
    start is tried, even inside an earlier cue: overlapping cues are all found."""
    by_first = _matcher(tuple(words))
    if not by_first:
        return []
    found: set[str] = set()
    for start in _word_starts(folded):
        candidates = by_first.get(folded[start])
        word = _cue_at(folded, start, candidates) if candidates else None
        if word is None or (negatable and _negated(folded, start)):
            continue
        found.add(word)
    return [w for w in words if w in found]


TOPIC = "topic "  # the cue families of topics are named "topic technical", "topic commercial"...
URGENCY = "urgency"


def topic_of(text: str, rules: TriageRules) -> tuple[str, list[str]]:
    """The subject with the most keyword hits (technical wins a tie: it is the costlier to leave)."""
    found = rules.cues.scan(fold(text))
    best, best_hits = OTHER, list[str]()
    for topic in (TECHNICAL, COMMERCIAL, *[t for t in rules.keywords if t not in (TECHNICAL, COMMERCIAL)]):
        hits = list(found.get(TOPIC + topic, ()))
        if len(hits) > len(best_hits):
            best, best_hits = topic, hits
    return best, best_hits


@dataclass(frozen=True, eq=False)
class CueBook:
    """Every cue family (carebird.domain.cues) in one index: a text is scanned once, whatever the number of families.

    Entries are indexed by their first two characters; at each word start only those few are tried. Compared by
    identity (a brand's book is built once, at cold start): texts are cached per book."""

    families: dict[str, tuple[str, ...]]

    def extended(self, additions: dict[str, Any]) -> CueBook:
        """This book with a brand's words added to existing families; an unknown family is an error naming it."""
        unknown = sorted(set(additions) - set(self.families))
        if unknown:
            raise ValueError(
                f"unknown cue families in TRIAGE_RULES cues: {unknown}; known: {', '.join(sorted(self.families))}"
            )
        merged = dict(self.families)
        for family, words in additions.items():
            merged[family] = (*merged[family], *_word_list(words, f"cues.{family}"))
        return CueBook(merged)

    @property
    def index(self) -> Index:
        return _index(self)

    def scan(self, folded: str) -> dict[str, tuple[str, ...]]:
        """The families found in a folded text and the entries that found them; negated hits left out of the
        families a negation cancels ("pas de fumée")."""
        return _scan(self, folded)


# (the folded entry without its star, True for a stem, its family, the entry as written)
Entry = tuple[str, bool, str, str]


Index = tuple[dict[str, list[Entry]], dict[tuple[str, str], list[Entry]], dict[str, list[Entry]]]


def _fold_entry(word: str) -> str:
    """A cue entry folded like a text, without the per-text cache: the index folds thousands of entries once, and
    they would push out the folds of the messages being read. Entries are mostly plain lower-case ASCII already."""
    return word if word.isascii() and word.islower() else fold.__wrapped__(word)


@lru_cache(maxsize=8)
def _index(book: CueBook) -> Index:
    """Entries by their first word, phrases by their first two words, stems by their first three letters: at each
    word of a text only the few entries that can start there are tried."""
    single: dict[str, list[Entry]] = {}
    pairs: dict[tuple[str, str], list[Entry]] = {}
    stems: dict[str, list[Entry]] = {}
    for family, words in book.families.items():
        for word in words:
            core = _fold_entry(word.strip()).rstrip("*")
            tokens = WORDS.findall(core)
            if not tokens:
                continue
            entry = (core, word.endswith("*"), family, word)
            if entry[1] and len(tokens) == 1:  # a one-word stem: any word it begins
                stems.setdefault(core[:3], []).append(entry)
            elif len(tokens) >= 2 and not (entry[1] and len(tokens) == 2):
                pairs.setdefault((tokens[0], tokens[1]), []).append(entry)
            else:
                single.setdefault(tokens[0], []).append(entry)
    for table in (single, pairs, stems):
        for entries in table.values():
            entries.sort(key=lambda e: -len(e[0]))  # the longest first: one entry per family at a place
    return single, pairs, stems


@lru_cache(maxsize=1024)
def _scan(book: CueBook, folded: str) -> dict[str, tuple[str, ...]]:
    single, pairs, stems = book.index
    found: dict[str, list[str]] = {}
    length = len(folded)
    words = [(m.start(), m.group(0)) for m in WORDS.finditer(folded)]
    for position, (start, token) in enumerate(words):
        if start and folded[start - 1] in "#@":
            continue  # inside a #hashtag or an @handle: no cue starts there
        after = words[position + 1][1] if position + 1 < len(words) else ""
        here: set[str] = set()  # families found at this place: "toujours pas" is one cue, not two
        for candidates in (
            pairs.get((token, after)) if after else None,
            single.get(token),
            stems.get(token[:3]) if len(token) >= 3 else stems.get(token),
        ):
            if not candidates:
                continue
            negated: bool | None = None
            for core, prefix, family, word in candidates:
                if family in here or not folded.startswith(core, start):
                    continue
                end = start + len(core)
                if not prefix and end < length and (folded[end].isalnum() or folded[end] == "_"):
                    continue
                if family in NEGATABLE:
                    if negated is None:
                        negated = _negated(folded, start)
                    if negated:
                        continue
                here.add(family)
                hits = found.setdefault(family, [])
                if word not in hits:
                    hits.append(word)
    return {family: tuple(hits) for family, hits in found.items()}


WORDS = re.compile(r"#?\w+")


def book_with(keywords: dict[str, tuple[str, ...]], urgency: tuple[str, ...], base: CueBook | None = None) -> CueBook:
    """A cue book with these topics and urgency words (the brand's TRIAGE_RULES keywords and urgency)."""
    families = {k: v for k, v in (base.families if base else CUES).items() if not k.startswith(TOPIC) and k != URGENCY}
    return CueBook({**families, **{TOPIC + topic: words for topic, words in keywords.items()}, URGENCY: urgency})


DEFAULT_BOOK: CueBook = book_with(DEFAULT_KEYWORDS, DEFAULT_URGENCY)


def from_word_starts(pattern: str) -> re.Pattern[str]:
    """A pattern whose every alternative starts a word, tried only where a word starts: the same matches, about
    half the time on a message (mid-word positions are skipped once, not once per alternative)."""
    return re.compile(r"(?<!\w)(?=\w)(?:" + pattern + ")")


# Families worked out by pattern rather than listed (carebird.domain.cues): an age, a baby's age, a cold room.
FAILURE = from_word_starts(SERVICE_FAILURE)
PROBLEM_NOUN = (
    r"(?:problems?|issues?|outages?|soucis?|problemes?|pannes?|coupures?|bugs?|drop ?outs?|complaints?|hiccups?|"
    r"glitch(?:es)?)\b"
)
# Praise said with a sneer: "oh brilliant", "génial, encore un...", "super, another email", "top, yet again".
PRAISE_WORD = r"(?:great|brilliant|super|genial|wonderful|perfect|fantastic|lovely|parfait|bravo|nice|top|amazing|cool)"
IRONIC_PRAISE = from_word_starts(
    r"\b(?:oh|ah|wow|waouh|ouah|ooh)\W+" + PRAISE_WORD + r"\b"
    r"|\b" + PRAISE_WORD + r"\W+(?:another|yet another|encore|une fois de plus|again|once again|de nouveau)\b"
)
CLEAN_RECORD = from_word_starts(
    r"\b(?:never (?:had|once had|been|seen)|not once|not a single|not one single|jamais eu|jamais connu|"
    r"pas une seule|pas un seul|plus une seule|plus un seul|jamais une|jamais un|"
    r"(?:can'?t|cannot|don'?t|do not) (?:remember|recall) (?:a|one|any)|"
    r"(?:hasn'?t|haven'?t) (?:had|seen) (?:a|one|any))"
    r"\s+(?:\w+\s+){0,2}?"
    + PROBLEM_NOUN
    + r"|\b(?:zero|aucune?|no|pas de|pas un|pas une)\s+(?:\w+\s+){0,2}?"
    + PROBLEM_NOUN
    + r"(?:[^.?!]{0,25}\b(?:in|en|depuis|for|since)\s+\d+|[^.?!]{0,15}\b(?:years?|ans|months?|mois|ever))"
)
# Liquid spilt onto electrics ("renversé mon verre sur la box", "spilt tea all over the router"): a hazard whatever
# the liquid is called ("d'o", "flotte", "a pint").
SPILT_ON_ELECTRICS = (
    r"(?:renvers\w*|verse|versee?s?|vide|videe?s?|fait tomber|spill\w*|spilt|poured|tipped|knocked|dropped"
    r"|splash\w*|eclabouss\w*)\b[^.!?]{0,40}?"
    r"\b(?:sur|dans|over|on|onto|into|all over)\s+(?:la |le |l'|ma |mon |the |my |our |notre )?"
    r"(?:box|routeur|router|modem|decodeur|boitier|prise|multiprise|socket|plug|compteur|meter|tableau|fuse ?box"
    r"|extension|rallonge|chargeur|charger)\b"
)
DIGITS = frozenset("0123456789")
SPILLING = ("renvers", "verse", "vide", "fait tombe", "spill", "spilt", "poured", "tipped", "knocked", "dropped",
            "splash", "eclabouss")  # fmt: skip
DISOWNING = ("didn", "did not", "never", "haven", "have not", "n'ai", "j'ai", "ai jamais", "ai pas", "ai rien",
             "nobody here", "personne ici")  # fmt: skip
SECRETS = ("card", "carte", "cb", "code", "detail", "bank", "iban", "rib", "pin", "pass", "mdp", "identifiant",
           "login", "cvv", "crypto", "coordonnees")  # fmt: skip


# The brand's promise quoted back at it: an availability or reliability figure ("99,9 % de disponibilité hein",
# "100% uptime they said"): said to the brand, it is irony about a failure.
PROMISE_QUOTED = (
    r"\d+(?:[.,]\d+)? ?% (?:de |d'|of )?(?:disponibilite|dispo|uptime|availability|fiabilite|reliability|reliable"
    r"|fiable|garanti\w*|guaranteed)\b"
    r"|\b(?:disponible|dispo|fiable|reliable|uptime|availability|garanti\w*|guaranteed) (?:a |at |of )?"
    r"\d+(?:[.,]\d+)? ?%"
)


def _promise_quoted(folded: str) -> str | None:
    match = re.search(PROMISE_QUOTED, folded) if "%" in folded else None
    return match.group(0) if match else None


def _word_starts_pattern(pattern: str) -> str:
    return r"(?<!\w)(?=\w)(?:" + pattern + ")"


# Families worked out by pattern, in the order they are reported. A pattern that needs something most messages lack
# (a number, a verb of spilling, a secret's name, a disowning word: its third item says what) is tried, and compiled
# by `re` on first use, only when the text has it: the import stays lean and most messages skip it.
PATTERN_FAMILIES: tuple[tuple[str, re.Pattern[str] | str, Callable[[str], bool] | None], ...] = (
    ("infant age", re.compile(INFANT_AGE), None),
    ("not me", _word_starts_pattern(DISOWNED), lambda folded: any(word in folded for word in DISOWNING)),
    ("many places", from_word_starts(WHOLE_PLACE), None),
    ("failure", FAILURE, None),
    ("handed over", _word_starts_pattern(HANDED_OVER), lambda folded: any(word in folded for word in SECRETS)),
    ("old age", _word_starts_pattern(OLD_AGE), lambda folded: not DIGITS.isdisjoint(folded)),
    ("spilt on electrics", _word_starts_pattern(SPILT_ON_ELECTRICS),
     lambda folded: any(verb in folded for verb in SPILLING)),
    ("cold", COLD_ROOM, lambda folded: not DIGITS.isdisjoint(folded)),
)  # fmt: skip


def with_failure(folded: str, found: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """The families found, plus a service said not to work in any wording ("fibre en rade", "zéro réseau",
    "can't make calls"): a failure, and so a problem, whatever other words surround it. A clean record ("never
    had a single problem", "pas une seule coupure en 3 ans") is praise: its problem word is no problem."""
    clean, mock, match = _said(folded)
    if clean:
        said = clean.group(0)
        problems = tuple(w for w in found.get("problem", ()) if w.rstrip("*") not in said)
        found = {k: v for k, v in found.items() if k != "problem"} | ({"problem": problems} if problems else {})
        found["praise"] = (*found.get("praise", ()), said)
    if mock:
        found = {**found, "irony": (*found.get("irony", ()), mock.group(0))}
    promise = _promise_quoted(folded)
    if promise:
        found = {**found, "irony": (*found.get("irony", ()), promise)}
    if not match:
        return found
    said = match.group(0).strip()
    return {**found, "failure": (*found.get("failure", ()), said), "problem": (*found.get("problem", ()), said)}


@lru_cache(maxsize=1024)
def _said(folded: str) -> tuple[re.Match[str] | None, re.Match[str] | None, re.Match[str] | None]:
    """A clean record, ironic praise and a failure said in a folded text: each searched once per text."""
    return CLEAN_RECORD.search(folded), IRONIC_PRAISE.search(folded), FAILURE.search(folded)


@dataclass(frozen=True, slots=True)
class Risk:
    """A risk a text raises: its family, what an agent reads, its points and the words that raised it."""

    family: str  # fraud, safety, vulnerable, personal_data, legal, outage
    label: str  # what an agent reads
    points: int
    words: tuple[str, ...]  # the words that raised it, as written in the cue lists (or the customer's)
    learned: bool = False  # recognised by the learned model (carebird.domain.reading), not by a combination of cues


def risks_in(text: str, book: CueBook = DEFAULT_BOOK) -> tuple[Risk, ...]:
    """The risks a text raises, strongest first: each by the first of its recipes whose families are all there."""
    return _risks(fold(text), book)


@lru_cache(maxsize=1024)
def _families(folded: str, book: CueBook) -> dict[str, tuple[str, ...]]:
    """The listed families found and those worked out by pattern (an age, a cold room...)."""
    found = dict(book.scan(folded))
    for name, pattern, needed in PATTERN_FAMILIES:
        if needed is not None and not needed(folded):
            continue
        if pattern is FAILURE:
            match = _said(folded)[2]
        else:
            match = re.search(pattern, folded) if isinstance(pattern, str) else pattern.search(folded)
        if match:
            found[name] = (*found.get(name, ()), match.group(0))
    return found


# Each risk's recipes with the set of families each needs: one subset test per recipe.
RECIPE_SETS = tuple(
    (family, tuple((recipe, frozenset(recipe)) for recipe in recipes)) for family, recipes in RISK_RECIPES.items()
)


@lru_cache(maxsize=1024)
def _risks(folded: str, book: CueBook) -> tuple[Risk, ...]:
    found = _families(folded, book)
    risks = []
    present = found.keys()
    for family, recipes in RECIPE_SETS:
        words: tuple[str, ...] = ()
        for recipe, needed in recipes:
            if needed <= present:
                words = tuple(found[part][0] for part in recipe)
                break
        if words and len(words) == 1 and "product" in found and "problem" not in found and "hardship" not in found:
            words = ()  # an option or product named after a risk ("Sécurité+", "gas leak detector"): a question
        if words:
            label, points = RISKS[family]
            risks.append(Risk(family, label, points, words))
    return tuple(sorted(risks, key=lambda risk: -risk.points))


def risks_of(text: str) -> tuple[tuple[str, int, tuple[str, ...]], ...]:
    """(label, points, words) of each risk in a text, with the default cues (kept for the bench and tools)."""
    return tuple((r.label, r.points, r.words) for r in risks_in(text))


def _clear_caches() -> None:
    """Forget every text seen (the bench measures texts never seen before)."""
    from carebird.domain.language import detect_language
    from carebird.domain.reading import _stem_of, words_of

    for cached in (
        _scan,
        _risks,
        _families,
        _cues_found,
        _said,
        _word_starts,
        fold,
        detect_language,
        words_of,
        _stem_of,
    ):
        cached.cache_clear()


risks_of.cache_clear = _clear_caches  # type: ignore[attr-defined]


def influence_points(followers: int, rules: TriageRules) -> int:
    """0 under 100 followers, then 6 points per tenfold audience, capped."""
    if followers < 100:
        return 0
    return min(rules.influence_max, round(6 * (math.log10(followers) - 2)))


def _shouting(text: str) -> bool:
    words = re.findall(r"(?<![@#\w])[A-ZÀ-Ý]{4,}(?![\w])", text)
    return len([w for w in words if w not in ACRONYMS]) >= 2 or "!!!" in text


THANKS_EMOJI = frozenset("👍🙏❤😍🥰😊🙂👏💯✨🎉💙💚😀😃😄🤩👌🤗😘💪🙌🔥🤓🚀✅")
MENTION = re.compile(r"(?<![\w@])@\w+")
HASHTAG = re.compile(r"(?<![\w#])#\w+")
LINK = re.compile(r"https?://\S+|\b\w+\.(?:com|net|io|xyz|site|top|click|info|biz|ru|cn|fr|co\.uk|ly|gl)/\S*")
FIRST = re.compile(r"(?:first|premier|premiere|1er|1ere|frist|prems|1st)\W*", re.IGNORECASE)
LETTER = re.compile(r"[^\W\d_]")


def noise_signals(
    text: str, profile: Profile, at: datetime | None, earlier_texts: tuple[str, ...] = (), book: CueBook | None = None
) -> list[str]:
    """Why a message looks like spam, a scam or a bot: each signal named; two or more strong ones make noise."""
    hits = (book or DEFAULT_BOOK).scan(fold(text)).get("noise", ())
    signals = [f"spam words: {', '.join(h.rstrip('*') for h in hits[:3])}"] if hits else []
    if len(hits) >= 2:
        signals.append("several spam words")
    links = LINK.findall(text)
    if len(links) >= 2:
        signals.append(f"{len(links)} links")
    mentions = MENTION.findall(text)
    if len(mentions) >= 4:
        signals.append(f"mass mention of {len(mentions)} accounts")
    if profile.account_created_at and at and at - profile.account_created_at < timedelta(days=30):
        signals.append("account less than 30 days old")
    if profile.following >= 1000 and profile.followers * 20 < profile.following:
        signals.append(f"follows {profile.following}, followed by {profile.followers}")
    body = MENTION.sub("", text).strip()
    if body and len(body) > 20 and any(MENTION.sub("", t).strip() == body for t in earlier_texts):
        signals.append("the same text again")
    return signals


def _noise_score(signals: list[str]) -> int:
    """Spam words weigh 2 (3 when several), every other signal 2; `noise_threshold` (4) makes noise."""
    return sum(3 if s == "several spam words" else 2 for s in signals)


def chatter(text: str, found: dict[str, tuple[str, ...]]) -> str | None:
    """What makes a message chatter rather than a customer talking to the care team, as a sentence; None when
    it says anything about a problem, asks anything of the brand, or thanks it."""
    body = LINK.sub("", MENTION.sub("", text)).strip()
    asks = "problem" in found or "request" in found
    if not LETTER.search(body):
        if not THANKS_EMOJI.isdisjoint(body) or body.isascii():
            return None  # thanks emoji, or "??", a number: someone asking or answering
        return "emoji only"
    if FIRST.fullmatch(body):
        return 'a "first!" reply'
    if "contest" in found and not asks and not re.search(CONTEST_WON, fold(body)):
        return f"a contest or giveaway entry ({_quote(found['contest'])})"
    pitch = found.get("pitch", ())
    if pitch and "problem" not in found and (len(pitch) >= 2 or _offered(text)):
        return f"a sales pitch ({_quote(pitch)})"
    hashtags = HASHTAG.findall(body)
    asks_brand = "request" in found or ("?" in body and "problem" in found)
    if not asks and (len(hashtags) >= 3 or (len(hashtags) >= 2 and _plain_words(body) <= 4)):
        return f"a hashtag campaign ({' '.join(hashtags[:3])})"
    politics = _political(text, found)
    if not asks_brand and "campaign" in found and (hashtags or politics):
        return f"a campaign or protest ({_quote(found['campaign'])})"
    if not asks and len(MENTION.findall(text)) >= 4:
        return f"mass tagging of {len(MENTION.findall(text))} accounts"
    if hashtags and (LINK.search(text) or not BOT_EMOJI.isdisjoint(text)) and not FIRST_PERSON.search(fold(text)):
        return "an automated post (hashtags and a link, nobody speaking)"
    if "problem" in found and FIRST_PERSON.search(fold(body)):
        return None
    if "bot" in found:
        return f"an automated reply from a bot ({_quote(found['bot'])})"
    if "advert" in found and not asks_brand and "problem" not in found and "?" not in body:
        return f"a comment on an advert ({_quote(found['advert'])})"
    if politics and not asks_brand and "?" not in body:
        return f"a political post ({_quote(politics)})"
    joke = [*found.get("joke", ()), *(ch for ch in text if ch in JOKE_EMOJI)]
    if joke and not asks_brand and "problem" not in found and not thanks_in(text, found):
        if _serious_question(text, found):
            return None  # "😂 sérieux, un répéteur ça coûte combien ?": the laugh wraps a real question
        return f"a joke ({_quote(joke)})"
    return None


def _political(text: str, found: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The political words of a message. "rn" is the French party only when written RN: in lower case it is the
    English "right now" ("no internet rn")."""
    words = found.get("politics", ())
    if "rn" in words and not re.search(r"\bRN\b", text):
        words = tuple(word for word in words if word != "rn")
    return words


# A question the customer means, whatever the laugh around it: a turn to seriousness ("sérieux", "jokes aside"), a
# price, a how-to or a "what's the" about their service ("what's the wifi password", "combien", "how do I").
SERIOUS_QUESTION = (
    r"\b(?:serieux|serieusement|blague a part|sans rire|seriously|jokes? aside|but really|what'?s the|what is the"
    r"|how much|how do (?:i|we|you)|how can (?:i|we)|combien|c'est quoi (?:le|la|les|mon|ma)|quel est (?:le|mon)"
    r"|quelle est (?:la|ma)|(?:anyone|anybody|qqn|quelqu'un) (?:know|knows|sait) (?:if|whether|si|how|comment))\b"
)  # compiled by `re` on first use: read only when a laugh would make a message a joke


def _serious_question(text: str, found: dict[str, tuple[str, ...]]) -> bool:
    """A question about the customer's service said beside a laugh: a service named and a question meant."""
    return bool(_topic_words(found)) and bool(re.search(SERIOUS_QUESTION, fold(MENTION.sub("", text))))


# Someone who won the brand's contest tells it ("ma fille a gagné votre concours", "my son won your competition"):
# thanks or joy, not an entry.
CONTEST_WON = (
    r"\b(?:won|has won|have won|just won|winners?|a gagne|ai gagne|as gagne|avons gagne|ont gagne|a remporte"
    r"|ai remporte"
    r"|gagnante?s?)\b"
)  # compiled by `re` (and kept in its cache) when a contest word is seen: the import stays lean


# A seller asking for the brand's time: "open to a quick call?", "dispo pour un call de 15 min ?", "shall I send".
OFFER = (
    r"\b(?:open to a|would you be open|seriez-vous|etes-vous (?:ouverts?|interesses?)|dispo(?:nibles?)? pour un"
    r"|a quick (?:call|chat)|un (?:echange|appel|call) de|\d+[ -]?min(?:ute)?s? (?:call|chat|echange|appel)"
    r"|(?:call|chat|echange|appel|visio) de \d+ ?min"
    r"|shall i send|can i send|puis-je vous envoyer|je peux vous envoyer)\b"
)  # compiled by `re` (and kept in its cache) when a pitch word is seen: the import stays lean


def _offered(text: str) -> bool:
    """A seller's offer beside a pitch word: a link, "DM", a call proposed."""
    return bool(LINK.search(text)) or "dm" in fold(text) or bool(re.search(OFFER, fold(text)))


def _plain_words(body: str) -> int:
    """The words of a message that are neither hashtags nor numbers or emoji."""
    return sum(1 for w in HASHTAG.sub("", body).split() if LETTER.search(w))


def news_item(text: str, found: dict[str, tuple[str, ...]]) -> str | None:
    """A news item or headline passed on, nobody speaking of their own case: noise, whatever words it quotes."""
    body = LINK.sub("", MENTION.sub("", text)).strip()
    if FIRST_PERSON.search(fold(body)) or "?" in body:
        return None
    if BROADCAST.search(fold(body)) or not SHARE_EMOJI.isdisjoint(body):
        return "a post broadcast to followers (share it, read it below), nobody asking the brand"
    mentions = len(MENTION.findall(text))
    if mentions >= 4 and "failure" not in found:  # a post tagging many brands, nobody's own case: not a report
        return f"a post tagging {mentions} accounts, nobody speaking of their own case"
    if "request" in found:
        return None
    if HEADLINE.match(body) or "via @" in text.lower():
        return "a news headline shared with a comment"
    if LINK.search(text) and "problem" not in found:
        return "a link shared with a comment, nobody speaking of their own case"
    if "news" in found and ("problem" not in found or LINK.search(text)):
        return f"a news item ({_quote(found['news'])})"
    return None


DETAILS = re.compile(r"\d{5,}|\d{2,4}[ .-]\d{3,}|[\w.+-]+@[\w-]+\.\w+|\b[A-Z]{1,2}\d{1,2}[A-Z]? ?\d[A-Z]{2}\b")
JOKE_EMOJI = frozenset("😂🤣😹😆😜🤪😝")
PRAISE_EMOJI = frozenset("😍🥰🤩🔥💯🙌👏❤💙💚✨🤓🚀✅")
PHONE = re.compile(r"(?<!\d)(?:\+\d{2}\s?|0)\d(?:[\s.-]?\d{2,3}){3,4}(?!\d)")
BIRTH_DATE = re.compile(
    r"\b(?:dob|d\.o\.b|date of birth|date de naissance|nee? le|born on)\b|\b\d{1,2}/\d{1,2}/(?:19|20)\d\d\b"
)
ACCOUNT_NUMBER = re.compile(r"\b(?:account|acct|compte|client|customer)(?: no| number| n°| numero| #)?\s*:?\s*\d{6,}")
STREET = re.compile(
    r"\b\d{1,4},? (?:rue|avenue|av|bd|boulevard|chemin|allee|impasse|place|road|rd|street|st|lane|ln|close|drive"
    r"|way)\b"
)
IBAN = re.compile(r"\b[a-z]{2}\d{2}(?: ?[a-z0-9]{4}){3,7}\b")


def details_in_public(text: str) -> list[str]:
    """The personal details a customer posted in public (phone, birth date, account number, address, IBAN)."""
    folded = fold(text)
    named = (("phone number", PHONE), ("date of birth", BIRTH_DATE), ("account number", ACCOUNT_NUMBER),
             ("street address", STREET), ("IBAN", IBAN))  # fmt: skip
    return [name for name, pattern in named if pattern.search(folded)]


# Chatter families (carebird.domain.cues), in the order they are told: what the message is instead of a customer's need.
CHATTER = (("news", "a news item"), ("politics", "a political post"), ("advert", "a comment on an advert"),
           ("joke", "a joke"))  # fmt: skip
BOT_EMOJI = frozenset("🔔📊📈📉🤖📢🚨")
FIRST_PERSON = re.compile(
    r"\b(?:je|j'|m'|moi|mon|ma|mes|nous|notre|nos|i|i'm|im|i've|i'd|i'll|me|my|mine|myself|we|we're|our|ours|"
    r"us|on (?:a|avait|est|etait|voudrait|veut|aimerait|peut|va|n'a|ne|n'))\b"
)
# Markers of a post written for followers, not to the brand: "partagez", "faites tourner", "RT", "good read".
BROADCAST = re.compile(
    r"\b(?:partagez|partagez-le|faites tourner|faites passer|passez le mot|diffusez|share this|please share|"
    r"pls share|spread the word|pass it on|rt svp|rt pls|rt please|rt pour|good read|great read|worth a read|"
    r"must read|a lire|a lire absolument|interesting read|read this|lisez)\b"
)
SHARE_EMOJI = frozenset("👇⬇")
HEADLINE = re.compile(r"^\W*(?:[«“\"]|\w+ ?: ?['\"«“])")


# The customer says they sent what the team asked, privately: "c'est fait en MP", "envoyé par message privé",
# "DM'd you my address", "sent the details over DM", "check your DMs".
DETAILS_SENT = (
    r"\b(?:(?:c'est fait|fait|done|sent|envoyes?|envoyee?s?|transmise?s?|mise?s?|posted|dropped)\b[^.!?]{0,30}?"
    r"(?:(?:en|par) (?:mp|dm|message prive|messages? prives?|prive)|(?:in|via|over|by) (?:a |the |your )?(?:dms?|pms?"
    r"|private message|direct message))|(?:just |have |i've |ive )?(?:dm'?d|dmed|pm'?d) (?:you|u|it|them|the)"
    r"|check (?:your|ur|the) (?:dms?|inbox)|(?:sent|envoye|envoyee) (?:\w+ ){0,3}?(?:mp|dm|pm))\b"
)  # compiled by `re` on first use: read only for thanks or a message the model would quiet


def _details_sent(text: str) -> bool:
    folded = fold(text)
    return ("mp" in folded or "dm" in folded or "pm" in folded or "prive" in folded or "message" in folded) and bool(
        re.search(DETAILS_SENT, folded)
    )


def _quote(words: tuple[str, ...] | list[str], limit: int = 3) -> str:
    return ", ".join(f"“{w.rstrip('*')}”" for w in words[:limit])


def thanks_in(text: str, found: dict[str, tuple[str, ...]]) -> list[str]:
    """The thanks, praise or closing words of a message that asks nothing; empty when it asks or complains.

    Thanks words in a complaint's context are irony: a problem, a duration ("3 jours sans internet"), an
    eye-roll, "again", "as usual". A problem said to be gone ("ça remarche") is thanks again, unless irony says
    otherwise. A short "ok", "👍" or "c'est bon" closes a conversation too."""
    cues = [*found.get("thanks", ()), *found.get("praise", ())]
    emoji = [ch for ch in text if ch in THANKS_EMOJI]
    words = re.findall(r"\w+", MENTION.sub("", fold(text)))
    closing = list(found.get("resolved", ())) if len(words) <= 4 else []
    if not cues and not emoji and not closing:
        return []
    if "?" in text or "irony" in found or not IRONY_EMOJI.isdisjoint(text) or "request" in found:
        return []
    if ("problem" in found or DETAILS.search(text)) and "resolved" not in found:
        return []  # a problem not said to be solved, or the details the team asked for: still to answer
    if _details_sent(text):
        return []  # "done, sent in DM": the team has the details now and owes the next step
    if len(words) > 40:  # a long message with a "merci" in it is not a thank-you note
        return []
    return [*cues, *closing, *emoji[:1]]


def classify(
    text: str,
    profile: Profile,
    at: datetime | None,
    earlier_texts: tuple[str, ...] = (),
    book: CueBook | None = None,
    follow_up: bool = False,
    private: bool = False,
    model: TextModel | None = None,
    after_answer: bool = False,
) -> tuple[Kind, list[str]]:
    """The kind of one message and what decided it (risk beats everything but a bot; thanks asks nothing).

    A follow-up in a conversation is never chatter: "même", "lol" or a link there belong to the customer's case.
    With a learned model, the rules' verdict is read again by it (see `blend`), knowing whether the message
    follows an answer of the brand (`after_answer`: "cheers, all sorted" closes, "still nothing" does not)."""
    kind, why = _by_rules(text, profile, at, earlier_texts, book or DEFAULT_BOOK, follow_up, private)
    if model is None or kind is Kind.URGENT:
        return kind, why  # the rules' urgent stands (see `blend`): no reading needed
    reading = model.read_features(
        features(text, cues_found(text, book or DEFAULT_BOOK), Shape(private, follow_up, after_answer))
    )
    return blend(kind, why, reading, text, follow_up, private, model.thresholds)


def _by_rules(
    text: str,
    profile: Profile,
    at: datetime | None,
    earlier_texts: tuple[str, ...],
    book: CueBook,
    follow_up: bool,
    private: bool,
) -> tuple[Kind, list[str]]:
    folded = fold(text)
    found = with_failure(folded, book.scan(folded))
    risks = _risks(folded, book)
    signals = noise_signals(text, profile, at, earlier_texts, book)
    noisy = _noise_score(signals) >= TriageRules.noise_threshold
    # Scammers bait with risk words ("recover your hacked account"); victims rarely write like spammers. Risk
    # wins unless the author looks like a bot too, or the text is spam through and through.
    from_a_bot = any(not s.startswith(("spam words", "several spam words")) for s in signals)
    if noisy and (not risks or from_a_bot or len(found.get("noise", ())) >= 3):
        return Kind.NOISE, signals
    news = None if follow_up else news_item(text, found)
    if news:
        return Kind.NOISE, [news]
    if not risks and not follow_up:
        chat = chatter(text, found)
        if chat:
            return Kind.NOISE, [chat]
    thanks = thanks_in(text, found)
    praised = len(found.get("praise", ())) + len({ch for ch in text if ch in PRAISE_EMOJI}) >= 2
    if risks and all(len(risk.words) == 1 for risk in risks) and _figurative(text, folded, risks):
        risks = ()  # "this fibre is fire 🔥", "la facture a fondu": praise or slang, not a hazard
    if risks and not (thanks and praised and all(len(risk.words) == 1 for risk in risks)):
        return Kind.URGENT, [risk.label for risk in risks]  # clear praise outweighs a lone risk word ("on fire 🔥")
    if thanks:
        return Kind.THANKS, thanks
    if not follow_up and not private and not asks_anything(text, found):
        return Kind.NOISE, [REMARK]
    return Kind.REQUEST, []


# Slang that borrows a hazard's word: fire beside its emoji ("fire 🔥", "c'est le feu 🔥"), a bill or a price that
# melted ("la facture a fondu", "my bill melted"), a data plan blown through ("explose son forfait"), "une
# tuerie"/"a killer deal" said of an offer.
FIRE_WORDS = frozenset({"on fire", "en feu", "incendie*", "flammes", "flames", "caught fire", "pris feu"})
MELT_WORDS = frozenset({"a fondu", "fondu", "melted", "melting", "explos*"})
MONEY = (
    r"\b(?:factures?|bills?|prix|price|prices|tarifs?|conso|consommation|mensualites?|budget|forfaits?|data|"
    r"allowance|quota)\b"
)  # compiled by `re` on first use: read only beside a lone fire or melt word


def _figurative(text: str, folded: str, risks: tuple[Risk, ...]) -> bool:
    """Whether a lone safety word is a figure of speech: fire said with 🔥, a bill that melted."""
    words = {risk.words[0] for risk in risks if risk.family == "safety"}
    if not words or len(risks) > 1:
        return False
    if words <= FIRE_WORDS and "🔥" in text:
        return True
    return words <= MELT_WORDS and bool(re.search(MONEY, folded))


REMARK = "a remark about the brand: nothing asked, nothing wrong said"
READ_AS = "read as "  # the first word of the reasons of a risk the learned model recognised: "read as safety"


def blend(
    kind: Kind,
    why: list[str],
    reading: Reading,
    text: str,
    follow_up: bool,
    private: bool,
    thresholds: Mapping[str, float],
) -> tuple[Kind, list[str]]:
    """The rules' verdict, read again by the learned model. The rules' urgent stands (their combinations are
    precise, and a brand's own cues take effect); the model adds the emergencies they miss, files chatter and
    thanks the rules took for requests, and brings back a customer the rules took for chatter. Irony is never
    thanks. Each threshold on the model's probability was chosen by leave-one-writer-out cross-validation."""
    if kind is Kind.URGENT:
        return kind, why
    risk = reading.risk
    if risk and reading.urgent >= thresholds["urgent"]:
        return Kind.URGENT, [READ_AS + risk, *reading.words_for(URGENT_CLASS + risk)]
    spam = kind is Kind.NOISE and _noise_score(why) >= TriageRules.noise_threshold  # a bot or spam, not chatter
    chat, thanked = reading.p("noise"), reading.p("thanks", "praise")
    found = cues_found(text)  # thanks words around a problem not said to be solved are irony, as for the rules
    ironic = not IRONY_EMOJI.isdisjoint(text) or "?" in text or "irony" in found or _unsolved(found)
    quiet = chat + thanked  # a question naming the service is quiet only for a surer reading ("plain")
    sarcastic = (_unsolved(found) and "praise" in found) or bool(_promise_quoted(fold(text)))
    # praise around a problem still there ("froze mid-call. brilliant.") is a complaint: never quieted
    if (
        kind is Kind.REQUEST
        and quiet >= thresholds["quiet"]
        and not sarcastic
        and not _asks_plainly(text, quiet >= thresholds["plain"])
    ):
        if chat > thanked and not follow_up and not private:
            words = reading.words_for("noise")
            return Kind.NOISE, [f"reads like chatter, not a customer's need{': ' + _quote(words) if words else ''}"]
        words = reading.words_for("praise" if reading.p("praise") > reading.p("thanks") else "thanks")
        if thanked > chat and not ironic and words:  # no word of theirs reads as thanks ("hello!"): still waiting
            return Kind.THANKS, words
    if (
        kind in (Kind.NOISE, Kind.THANKS)
        and not spam
        and reading.p("request") + reading.urgent >= thresholds["request"]
    ):
        return Kind.REQUEST, []
    return kind, why


URGENT_CLASS = "urgent-"


def _unsolved(found: dict[str, tuple[str, ...]]) -> bool:
    """A problem not said to be solved: praise around it ("bravo, 2h d'attente pour rien") is sarcasm."""
    return "problem" in found and "resolved" not in found


def _asks_plainly(text: str, surely_chatter: bool = False) -> bool:
    """A service said not to work ("wifi mort"): whoever writes so waits for an answer, whatever the model reads.
    So do a question about the service, an order to the brand ("répondez", "sort it out"), shouting and the
    customer's own service ("mon colis a disparu", "my bill is weird"), unless the
    reading is sure they are chatter (`surely_chatter`: "URGENT: what's the song in your advert??", "RT if...")."""
    found = cues_found(text)
    if _failure_said(fold(text), found) or re.search(ANSWER_ME, fold(text)):
        return True
    if (not JOKE_EMOJI.isdisjoint(text) or "joke" in found) and _serious_question(text, found):
        return True  # the laugh wraps a real question about the service ("what's the wifi password 😂")
    if _details_sent(text):  # the customer did what the team asked ("c'est fait en MP", "DM'd you my address")
        return True  # the next step is the team's
    if surely_chatter:
        return False
    if _shouting(text) or re.search(IMPERATIVE, fold(text)) or ("?" in text and _about_the_service(text, found)):
        return True
    return bool(_topic_words(found) and FIRST_PERSON.search(fold(MENTION.sub("", text))))  # "mon colis", "my bill"


def _failure_said(folded: str, found: dict[str, tuple[str, ...]]) -> bool:
    """A service said not to work, outside a clean record ("jamais une panne en 6 ans", "not a single outage since
    2019": praise) and not negated ("jamais une coupure")."""
    if "failure" not in found:
        return False
    clean, _, failure = _said(folded)  # FAILURE already searched once per text there
    if clean is None:
        return bool(_hits(folded, found["failure"], negatable=True)) or failure is not None
    rest = folded.replace(clean.group(0), " ")
    return bool(_hits(rest, found["failure"], negatable=True)) or bool(FAILURE.search(rest))


# Asking the brand to answer or call back ("répondez", "rappelez-moi", "get back to me", "reply to my DM"): whoever
# writes so waits for an answer, however chatty the rest reads.
ANSWER_ME = (
    r"\b(?:repondez|repondre|rappelez|recontactez|contactez-moi|appelez-moi|get back to (?:me|us)|call me"
    r"|ring me|(?:answer|reply to|respond to) (?:me|us|my|our)|dm me"
    # asking someone of the team to do something: "could someone explain", "pourriez-vous regarder"
    r"|(?:can|could|would) (?:you|someone|somebody|anyone|one of you)(?: please)? (?:explain|help|tell|check|look|"
    r"send|sort|fix|call|ring|show)|pourriez-vous|pouvez-vous (?:m'|me|nous|regarder|verifier)"
    r"|quelqu'un (?:peut|pourrait) (?:m'|me|nous))\b"
)  # compiled by `re` on first use: read only when the model would quiet a message


def _about_the_service(text: str, found: dict[str, tuple[str, ...]]) -> bool:
    """A question about the customer's service or case: it names a service, a problem, a request or details, and
    carries no laugh. A question about an advert's song or the match tonight is for the reading to judge."""
    if (not JOKE_EMOJI.isdisjoint(text) or "joke" in found) and not _serious_question(text, found):
        return False
    asked_of_the_team = ("request", "problem", "irony", "worker")  # "worker": the technician's visit, the engineer
    return bool(_topic_words(found) or DETAILS.search(text)) or any(f in found for f in asked_of_the_team)


def cues_found(text: str, book: CueBook = DEFAULT_BOOK) -> dict[str, tuple[str, ...]]:
    """Every cue family a text shows (listed, worked out by pattern, a failure, irony) and the risk recipes it
    meets ("risk fraud"): what the learned reading weighs beside the words."""
    return _cues_found(fold(text), book)


@lru_cache(maxsize=1024)
def _cues_found(folded: str, book: CueBook) -> dict[str, tuple[str, ...]]:
    found = dict(with_failure(folded, _families(folded, book)))
    for risk in _risks(folded, book):
        found["risk " + risk.family] = risk.words
    return found


def asks_anything(text: str, found: dict[str, tuple[str, ...]]) -> bool:
    """Whether a message asks or reports anything: a question, a request, a problem, a service word said by the
    customer ("ma box", "my bill"), urgency words. Without any of these, a remark needs no answer."""
    if "?" in text or any(f in found for f in ("request", "problem", "failure", "irony")):
        return True
    if any(word.rstrip("*") not in SHOUTED_URGENCY for word in found.get(URGENCY, ())):
        return True  # "since 8", "still", "again": a problem going on; "urgent" alone asks nothing (a joke's "URGENT:")
    if _shouting(text) or re.search(IMPERATIVE, fold(text)):
        return True  # shouting, or telling the brand to do something ("répondez", "sort it out")
    body = fold(MENTION.sub("", text))
    return bool(DETAILS.search(text)) or bool(FIRST_PERSON.search(body) and _topic_words(found))


# Telling the brand to act: French imperatives of "vous" ("répondez", "rappelez-moi", "faites quelque chose"),
# English orders to the brand ("sort it out", "fix this", "get back to me", "sort yourselves out").
IMPERATIVE = (
    r"\b(?!chez\b|assez\b|nez\b)\w{2,}ez(?:-(?:moi|nous|le|la|les))?\b|\bfaites\b"
    r"|\b(?:sort|fix|get|give|send|tell|answer|reply|respond|call|ring|refund|explain|stop)\b[^.!?]{0,20}"
    r"\b(?:it|this|that|me|us|yourselves|out|back|now|asap)\b"
)  # compiled by `re` on first use: read only when nothing else says the message asks anything


def _topic_words(found: dict[str, tuple[str, ...]]) -> list[str]:
    return [w for family, words in found.items() if family.startswith(TOPIC) for w in words]


def triage(
    *,
    texts: list[str],
    followers: int,
    verified: bool,
    channel: Channel,
    inbound_count: int,
    rules: TriageRules,
    previous_cases: int = 0,
    profile: Profile | None = None,
    at: datetime | None = None,
    after_answer: bool = False,
) -> Triage:
    """Score a case from its customer's messages so far (oldest first), the author and their history;
    `after_answer`: the brand answered after the customer's previous message (its answer is the latest turn)."""
    profile = profile or Profile(followers=followers, verified=verified)
    text = "\n".join(texts)
    latest = texts[-1] if texts else ""
    private = channel.family != "public"  # a direct message is always written to the team
    kind, why = classify(
        latest, profile, at, tuple(texts[:-1]), rules.cues, len(texts) > 1, private, rules.model, after_answer
    )
    still_open = kind is Kind.THANKS and len(texts) > 1 and bool(re.search(UNDER_WAY, fold(latest)))
    if still_open:  # thanks while help is on its way: waiting again if the case was an emergency
        still_open = classify(text, profile, at, (), rules.cues, private=private, model=rules.model)[0] is Kind.URGENT
        kind, why = (Kind.REQUEST, []) if still_open else (kind, why)  # the emergency services have it: a request
    elif kind is Kind.REQUEST and len(texts) > 1:
        earlier_kind, earlier_why = classify(text, profile, at, (), rules.cues, private=private, model=rules.model)
        if earlier_kind is Kind.URGENT:
            kind, why = earlier_kind, earlier_why  # a risk stated earlier in the case still stands
    reasons: list[tuple[int, str]] = []
    if kind is Kind.NOISE:
        return Triage(0, OTHER, (f"noise: {'; '.join(why)}; not waiting (an agent can say otherwise)",), Kind.NOISE)
    if kind is Kind.THANKS:
        return Triage(5, OTHER, (f"thanks or praise: {_quote(why)}, nothing asked; not waiting",), Kind.THANKS)
    risks = risks_in(text, rules.cues) if kind is Kind.URGENT else ()
    learned = why[0][len(READ_AS) :] if kind is Kind.URGENT and why and why[0].startswith(READ_AS) else None
    if learned and not any(r.family == learned for r in risks):
        label, points = RISKS[learned]
        risks = (Risk(learned, label, points, tuple(why[1:]), learned=True), *risks)
    details = details_in_public(latest) if channel.family == "public" and kind is Kind.REQUEST else []
    if len(details) >= 2:  # a customer who posts their own details in public is exposed: take it down with them
        label, points = RISKS["personal_data"]
        risks, kind = (
            (Risk("personal_data", label, points, (f"{' and '.join(details[:3])} posted in public",)),),
            Kind.URGENT,
        )
    for risk in risks:
        if risk.learned:  # the model's words: what weighed most, not a combination the rules know
            said = f": {_quote(risk.words)}" if risk.words else ""
            reasons.append((risk.points, f"risk, reads like {risk.label}{said} (+{risk.points})"))
            continue
        reasons.append(
            (risk.points, f"risk, {risk.label}: {' with '.join(_quote(risk.words).split(', '))} (+{risk.points})")
        )
    influence = influence_points(followers, rules)
    if influence:
        reasons.append((influence, f"influence: {_compact(followers)} followers (+{influence})"))
    if verified:
        reasons.append((rules.verified_bonus, f"verified account (+{rules.verified_bonus})"))
    topic, topic_hits = topic_of(text, rules)
    bonus = rules.topic_bonus.get(topic, 0)
    if bonus:
        reasons.append((bonus, f"topic {topic}: {', '.join(h.rstrip('*') for h in topic_hits[:3])} (+{bonus})"))
    cues = [c.rstrip("*") for c in rules.cues.scan(fold(text)).get(URGENCY, ())]
    if _shouting(text):
        cues.append("emphasis")
    if cues:
        urgency = min(rules.urgency_max, rules.urgency_per_cue * len(cues))
        reasons.append((urgency, f"urgency: {', '.join(cues[:3])} (+{urgency})"))
    if channel.family == "public" and rules.public_bonus:
        reasons.append((rules.public_bonus, f"public {channel.value}, visible to others (+{rules.public_bonus})"))
    if channel is Channel.CITATION:
        reasons.append((-5, "brand named without @: not addressed to the brand (-5)"))
    elif channel is Channel.TOPIC:
        reasons.append((-15, "topic watch: anticipation, nobody asked yet (-15)"))
    repeats = max(0, inbound_count - 1)
    if repeats:
        points = min(rules.repeat_max, rules.repeat_per_contact * repeats)
        reasons.append((points, f"repeat contact: {repeats} more message(s) while open (+{points})"))
    if previous_cases:
        points = min(rules.repeat_max, rules.repeat_per_contact * previous_cases)
        nth = _ordinal(previous_cases + 1)
        reasons.append((points, f"{nth} contact in {rules.history_days} days (+{points})"))
    total = max(0, min(100, rules.base + sum(points for points, _ in reasons)))
    band = NORMAL_BAND
    if kind is Kind.URGENT:
        total, band = max(total, rules.urgent_floor), URGENT_BAND
    ordered = (
        band_reason(band, risks[0].label if risks else ""),
        *((EMERGENCY_UNDER_WAY,) if still_open else ()),
        *(reason for _, reason in sorted(reasons, key=lambda r: -r[0])),
        f"base {rules.base}",
    )
    return Triage(priority=total, topic=topic, reasons=ordered, kind=kind, band=band)


# Help still on its way or the danger still there, said in a thank-you ("on est dehors, GRDF arrive dans 20 min.
# merci", "engineer on his way, thanks"): the emergency is open, the team follows it up.
UNDER_WAY = (
    r"\b(?:on (?:his|her|their|the|its|our) way|en route|(?:arrive|arrivent|passe|passent|vient|viennent) dans"
    r"|(?:is|are) coming|coming (?:out|round|over|back)|due (?:in|at|within)|will be here|sera la|seront la"
    r"|dans \d+ ?(?:min|minutes|mn|h|heures?)\b|in \d+ ?(?:mins?|minutes|hours?|hrs?)\b|waiting (?:for|outside)"
    r"|on (?:l'|les? )?attend|nous attendons|on est dehors|we'?re (?:all )?outside|we'?re out(?:side)? of the|evacu\w*"
    r"|still (?:smell\w*|buzz\w*|spark\w*|no )|toujours (?:l'odeur|une odeur|pas de)|not (?:fixed|sorted|safe) yet"
    r"|pas encore (?:repare|regle|venu|passe|arrive|securise))"
)  # compiled by `re` on first use: read only for a thank-you in an ongoing case
EMERGENCY_UNDER_WAY = (
    "thanks said while the emergency is still being handled (help on its way): waiting for the team to follow it up"
)


def band_reason(band: str, why: str = "") -> str:
    """The first reason of every waiting case: its band, and so its place in the queue."""
    if band == URGENT_BAND:
        return f"urgent band ({why}): ranked above every request, whatever their waiting time or audience"
    return "request band: ranked after every urgent case, then by priority and waiting time"


# Ranks of the urgent band sit this far below any normal rank: opening minutes since 2020 stay far under it for
# centuries, so no amount of waiting or influence lifts a request above an urgent case.
URGENT_RANK_OFFSET = 10**12


def queue_rank(priority: int, waiting_since: datetime, rules: TriageRules, band: str = NORMAL_BAND) -> int:
    """Sort key of the open queue (ascending = most urgent first): the band first, then waiting and priority.

    Inside a band, effective priority grows by one point per `aging_open_minutes_per_point` opening minutes of
    waiting, the SLA's clock (a spam at 21:00 gains nothing overnight on an influencer who wrote at 08:55).
    Ordering by `opening minutes at waiting_since - priority * aging` is the same ordering at every instant, so
    it is stored. Every urgent case ranks before every case of the normal band.
    """
    rank = int(rules.hours.opening_index(waiting_since)) - priority * rules.aging_open_minutes_per_point
    return rank - URGENT_RANK_OFFSET if band == URGENT_BAND else rank


def band_order(band: str) -> int:
    """The band's place in the queue: urgent (0) before the rest (1)."""
    return 0 if band == URGENT_BAND else 1


def effective_priority(priority: int, waiting_since: datetime, now: datetime, rules: TriageRules) -> int:
    """The priority shown in the queue at `now`: stored priority plus aging in opening minutes, capped at 100."""
    waited = max(0.0, rules.hours.opening_index(now) - rules.hours.opening_index(waiting_since))
    return min(100, priority + int(waited // rules.aging_open_minutes_per_point))


def _ordinal(number: int) -> str:
    return f"{number}{'th' if 10 <= number % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th')}"


def _compact(number: int) -> str:
    if number >= 1_000_000:
        return f"{number / 1_000_000:.1f}M"
    if number >= 1_000:
        return f"{number / 1_000:.0f}k"
    return str(number)
