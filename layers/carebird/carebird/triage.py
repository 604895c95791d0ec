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
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any

from carebird.calendar import OpeningHours
from carebird.model import Channel

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

# Risk first: (label, points, cues). Each is a reason with its weight; any of them makes the message urgent.
DEFAULT_RISKS: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("account takeover", 40, (
        "pirate", "piratee", "piratage", "hack*", "compte vole", "account stolen", "stolen account",
        "quelqu'un s'est connecte", "someone logged in*", "account takeover", "usurpation", "identity theft",
        "sim swap", "changed my password", "mot de passe a ete change", "n'ai plus acces a mon compte",
        "locked out of my account",
    )),
    ("fraud", 35, (
        "fraude*", "fraud*", "arnaque*", "escroquerie*", "non autorise*", "unauthori*", "charged twice",
        "debite deux fois", "preleve deux fois", "double prelevement", "prelevement inconnu", "unknown charge",
        "phishing", "hameconnage", "scam", "scams", "fake text", "fake sms", "faux sms", "faux mail",
        "bank details", "coordonnees bancaires",
    )),
    ("personal data", 30, (
        "donnees personnelles", "personal data", "rgpd", "gdpr", "fuite de donnees", "data breach", "data leak",
        "mes donnees", "my data", "cnil",
    )),
    ("vulnerable customer", 35, (
        "personne agee", "personnes agees", "elderly", "handicap*", "disabled", "disability", "malade", "hopital",
        "hospital", "teleassistance", "oxygene", "oxygen", "dialyse", "dialysis", "pacemaker", "medical",
        "medicale", "enceinte", "pregnant", "nourrisson", "newborn", "infirmiere", "carer", "aidant",
        "mon pere de", "ma mere de", "grand-mere", "grand-pere", "grandmother", "grandfather",
    )),
    ("safety", 40, (
        "danger*", "incendie", "fire", "fumee", "smoke", "brule*", "burn*", "electrocut*", "explos*",
        "fuite de gaz", "gas leak", "blesse*", "injur*", "securite", "unsafe",
    )),
    ("legal or regulator", 25, (
        "avocat", "lawyer", "attorney", "plainte", "tribunal", "court", "poursuite*", "sue", "suing",
        "legal action", "mise en demeure", "dgccrf", "arcep", "mediateur", "ombudsman", "que choisir",
        "trading standards", "ftc", "fcc", "small claims",
    )),
    ("widespread outage", 15, (
        "tout le quartier", "toute la ville", "tout le monde", "tous mes voisins", "whole area", "whole town",
        "everyone around", "all my neighbours", "all my neighbors", "panne generale", "nationwide",
        "toute la region", "whole city",
    )),
)  # fmt: skip

NOISE_CUES: tuple[str, ...] = (
    "crypto*", "bitcoin", "btc", "eth", "usdt", "airdrop*", "giveaway*", "nft", "nfts", "forex", "binary option*",
    "investment opportunit*", "opportunite d'investissement", "earn money", "gagner de l'argent", "dm me", "dm for",
    "check my bio", "link in bio", "lien en bio", "click here", "cliquez ici", "free followers", "followers gratuits",
    "buy followers", "onlyfans", "whatsapp", "telegram", "100x", "to the moon", "passive income",
    "revenu passif", "promo code", "free iphone", "iphone gratuit", "you won", "vous avez gagne", "winner",
    "claim your", "recovery expert", "recover your funds", "recuperer vos fonds", "hacker for hire",
)  # fmt: skip

THANKS_CUES: tuple[str, ...] = (
    "merci", "mercii*", "thanks", "thank you", "thx", "ty", "cheers", "remercie*", "super", "genial", "top",
    "parfait", "bravo", "excellent", "great", "awesome", "amazing", "love", "adore", "nickel", "impeccable",
    "formidable", "perfect", "brilliant", "well done", "good job", "bien joue", "ca marche", "ca fonctionne",
    "ca remarche", "c'est bon", "resolu", "regle", "it works", "works now", "working again", "fixed", "sorted",
    "resolved", "all good", "tout est ok", "tout est rentre dans l'ordre", "bonne journee", "bonne soiree",
    "have a nice day", "have a good day", "ok merci", "rapide", "efficace", "quick", "helpful", "au top",
    "au poil", "reactif*", "best", "meilleur",
)  # fmt: skip
THANKS_EMOJI = frozenset("👍🙏❤😍🥰😊🙂👏💯✨🎉💙💚😀😃😄🤩")

# What turns thanks into a request: a question, a complaint, words of disappointment (sarcasm included).
REQUEST_CUES: tuple[str, ...] = (
    "pourquoi", "comment", "quand", "est-ce que", "why", "how", "when", "can you", "could you", "pouvez-vous",
    "pouvez vous", "pourriez", "aidez*", "m'aider", "help me", "need help", "please help", "can you help", "svp",
    "s'il vous plait", "please", "pls", "besoin", "need", "nul", "nulle", "bad", "terrible", "horrible", "decu*",
    "disappoint*", "pas content", "not happy", "merci pour rien", "thanks for nothing", "merci du peu",
    "toujours pas", "still no", "still not", "mais", "but", "sauf", "except", "jamais", "never", "plus de",
    "ne marche", "not working", "rien", "nothing", "attends", "waiting", "j'attends", "annule*", "cancelled",
    "canceled", "sans prevenir", "without notice",
)  # fmt: skip
# Problem words a thank-you may carry when it says the problem is gone ("fixed my issue", "problème réglé").
PROBLEM_WORDS: tuple[str, ...] = ("probleme*", "problem*", "issue*", "souci*", "panne*", "bug*")
RESOLVED_CUES: tuple[str, ...] = (
    "ca marche", "ca fonctionne", "ca remarche", "c'est bon", "resolu*", "regle", "reglee", "it works", "works now",
    "working again", "fixed", "sorted", "resolved", "all good", "tout est ok", "tout est rentre dans l'ordre",
)  # fmt: skip

NEGATIONS = frozenset({"pas", "not", "no", "non", "aucun", "aucune", "never", "jamais", "sans", "nothing", "rien",
                       "isn't", "isnt", "n'est", "nest", "nor", "ni", "without"})  # fmt: skip
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

    @classmethod
    def from_json(cls, document: str | None, hours: OpeningHours | None = None) -> TriageRules:
        """Defaults overridden by a JSON object (the `TRIAGE_RULES` setting); unknown keys are an error."""
        rules = cls() if hours is None else cls(hours=hours)
        if not document:
            return rules
        overrides: dict[str, Any] = json.loads(document)
        unknown = set(overrides) - (set(cls.__dataclass_fields__) - {"hours"})
        if unknown:
            raise ValueError(f"unknown triage settings: {sorted(unknown)}")
        if "keywords" in overrides:
            overrides["keywords"] = {k: tuple(v) for k, v in overrides["keywords"].items()}
        if "urgency" in overrides:
            overrides["urgency"] = tuple(overrides["urgency"])
        return replace(rules, **overrides)


@dataclass(frozen=True, slots=True)
class Triage:
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

    Cached: one message is folded once however many rules read it."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("\u2019", "'"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# (the folded text of an entry, True for a prefix entry `word*`, the entry as written)
Cue = tuple[str, bool, str]
WORD_START = re.compile(r"(?<![\w#@])[\w#']")  # not inside a word, a #hashtag or an @handle


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
    return tuple(m.start() for m in WORD_START.finditer(folded))


def _cue_at(folded: str, start: int, candidates: list[Cue]) -> str | None:
    for core, prefix, word in candidates:
        if folded.startswith(core, start):
            end = start + len(core)
            if prefix or end == len(folded) or not (folded[end].isalnum() or folded[end] == "_"):
                return word
    return None


def _negated(folded: str, start: int) -> bool:
    """A negation among the two words before `start` ("pas vraiment urgent", "not urgent")."""
    before = re.findall(r"[\w']+", folded[max(0, start - 30) : start])[-2:]
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


def topic_of(text: str, rules: TriageRules) -> tuple[str, list[str]]:
    """The subject with the most keyword hits (technical wins a tie: it is the costlier to leave)."""
    folded = fold(text)
    best, best_hits = OTHER, []
    for topic in (TECHNICAL, COMMERCIAL, *[t for t in rules.keywords if t not in (TECHNICAL, COMMERCIAL)]):
        hits = _hits(folded, rules.keywords.get(topic, ()))
        if len(hits) > len(best_hits):
            best, best_hits = topic, hits
    return best, best_hits


@lru_cache(maxsize=512)
def risks_of(text: str) -> tuple[tuple[str, int, tuple[str, ...]], ...]:
    """The risks a text raises (label, points, the words that raised it), strongest first (cached per text)."""
    folded = fold(text)
    found: list[tuple[str, int, tuple[str, ...]]] = []
    for label, points, cues in DEFAULT_RISKS:
        hits = _hits(folded, cues, negatable=True)
        if label == "vulnerable customer" and re.search(r"\b(?:[7-9]\d|1[01]\d) ?(?:ans|years? old|yo)\b", folded):
            hits.append("old age")
        if hits:
            found.append((label, points, tuple(hits)))
    return tuple(sorted(found, key=lambda risk: -risk[1]))


def influence_points(followers: int, rules: TriageRules) -> int:
    """0 under 100 followers, then 6 points per tenfold audience, capped."""
    if followers < 100:
        return 0
    return min(rules.influence_max, round(6 * (math.log10(followers) - 2)))


def _shouting(text: str) -> bool:
    words = re.findall(r"(?<![@#\w])[A-ZÀ-Ý]{4,}(?![\w])", text)
    return len([w for w in words if w not in ACRONYMS]) >= 2 or "!!!" in text


def noise_signals(text: str, profile: Profile, at: datetime | None, earlier_texts: tuple[str, ...] = ()) -> list[str]:
    """Why a message looks like spam, a scam or a bot: each signal named; two or more strong ones make noise."""
    folded = fold(text)
    hits = _hits(folded, NOISE_CUES)
    signals = [f"spam words: {', '.join(h.rstrip('*') for h in hits[:3])}"] if hits else []
    if len(hits) >= 2:
        signals.append("several spam words")
    links = re.findall(r"https?://\S+|\b\w+\.(?:com|net|io|xyz|site|top|click|info|biz|ru|cn)/\S*", text)
    if len(links) >= 2:
        signals.append(f"{len(links)} links")
    mentions = re.findall(r"(?<!\w)@\w+", text)
    if len(mentions) >= 4:
        signals.append(f"mass mention of {len(mentions)} accounts")
    if profile.account_created_at and at and at - profile.account_created_at < timedelta(days=30):
        signals.append("account less than 30 days old")
    if profile.following >= 1000 and profile.followers * 20 < profile.following:
        signals.append(f"follows {profile.following}, followed by {profile.followers}")
    body = re.sub(r"(?<!\w)@\w+\s*", "", text).strip()
    if body and len(body) > 20 and any(re.sub(r"(?<!\w)@\w+\s*", "", t).strip() == body for t in earlier_texts):
        signals.append("the same text again")
    return signals


def _noise_score(signals: list[str]) -> int:
    """Spam words weigh 2 (3 when several), every other signal 2; `noise_threshold` (4) makes noise."""
    return sum(3 if s == "several spam words" else 2 for s in signals)


def is_thanks(text: str) -> list[str]:
    """The thanks, praise or closing words of a message that asks nothing; empty when it asks or complains."""
    folded = fold(text)
    cues = _hits(folded, THANKS_CUES, negatable=True)
    emoji = [ch for ch in text if ch in THANKS_EMOJI]
    if not cues and not emoji:
        return []
    if "?" in text or _hits(folded, REQUEST_CUES) or risks_of(text):
        return []
    if _hits(folded, PROBLEM_WORDS) and not _hits(folded, RESOLVED_CUES):
        return []
    words = re.findall(r"\w+", re.sub(r"(?<!\w)[@#]\w+", "", folded))
    if len(words) > 40:  # a long message with a "merci" in it is not a thank-you note
        return []
    return cues + emoji[:1]


def classify(
    text: str, profile: Profile, at: datetime | None, earlier_texts: tuple[str, ...] = ()
) -> tuple[Kind, list[str]]:
    """The kind of one message and what decided it (risk beats everything; thanks needs no question)."""
    risks = risks_of(text)
    signals = noise_signals(text, profile, at, earlier_texts)
    noisy = _noise_score(signals) >= TriageRules.noise_threshold
    # Scammers bait with risk words ("recover your hacked account"); victims rarely write like spammers. Risk
    # wins unless the author looks like a bot too, or the text is spam through and through.
    from_a_bot = any(not s.startswith(("spam words", "several spam words")) for s in signals)
    if noisy and (not risks or from_a_bot or len(_hits(fold(text), NOISE_CUES)) >= 3):
        return Kind.NOISE, signals
    if risks:
        return Kind.URGENT, [label for label, _, _ in risks]
    thanks = is_thanks(text)
    if thanks:
        return Kind.THANKS, thanks
    return Kind.REQUEST, []


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
) -> Triage:
    """Score a case from its customer's messages so far (oldest first), the author and their history."""
    profile = profile or Profile(followers=followers, verified=verified)
    text = "\n".join(texts)
    latest = texts[-1] if texts else ""
    kind, why = classify(latest, profile, at, tuple(texts[:-1]))
    if kind is Kind.REQUEST and len(texts) > 1:
        earlier_kind, earlier_why = classify(text, profile, at)
        if earlier_kind is Kind.URGENT:
            kind, why = earlier_kind, earlier_why  # a risk stated earlier in the case still stands
    reasons: list[tuple[int, str]] = []
    if kind is Kind.NOISE:
        return Triage(0, OTHER, (f"noise: {'; '.join(why)}",), Kind.NOISE, NORMAL_BAND)
    if kind is Kind.THANKS:
        return Triage(5, OTHER, (f"thanks or praise: {', '.join(w.rstrip('*') for w in why[:3])}",), Kind.THANKS)
    for label, points, hits in risks_of(text):
        reasons.append((points, f"risk, {label}: {', '.join(h.rstrip('*') for h in hits[:3])} (+{points})"))
    influence = influence_points(followers, rules)
    if influence:
        reasons.append((influence, f"influence: {_compact(followers)} followers (+{influence})"))
    if verified:
        reasons.append((rules.verified_bonus, f"verified account (+{rules.verified_bonus})"))
    topic, hits = topic_of(text, rules)
    bonus = rules.topic_bonus.get(topic, 0)
    if bonus:
        reasons.append((bonus, f"topic {topic}: {', '.join(h.rstrip('*') for h in hits[:3])} (+{bonus})"))
    cues = [c.rstrip("*") for c in _hits(fold(text), rules.urgency, negatable=True)]
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
    ordered = (*(reason for _, reason in sorted(reasons, key=lambda r: -r[0])), f"base {rules.base}")
    return Triage(priority=total, topic=topic, reasons=ordered, kind=kind, band=band)


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
