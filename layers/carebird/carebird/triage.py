"""Explainable priority: who wrote, what about, how urgent, and the case's history.

The score is 0-100 and always comes with the reasons that built it, in the order they weigh.
Waiting time is not part of the stored score: the queue ages every case at a fixed rate instead
(see `queue_rank`), so a low-priority case overtakes newer high-priority ones after a bounded wait.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

from carebird.model import Channel

TECHNICAL = "technical"
COMMERCIAL = "commercial"
OTHER = "other"

DEFAULT_KEYWORDS: dict[str, tuple[str, ...]] = {
    # Prefixes, matched at word starts on accent-free lower case, French and English.
    TECHNICAL: (
        "panne",
        "bug",
        "box",
        "wifi",
        "wi-fi",
        "fibre",
        "fiber",
        "reseau",
        "network",
        "connexion",
        "connection",
        "internet",
        "debit",
        "ligne",
        "voyant",
        "redemarr",
        "reboot",
        "outage",
        "down",
        "erreur",
        "error",
        "marche plus",
        "fonctionne plus",
        "not working",
        "doesn't work",
        "broken",
        "crash",
        "signal",
        "coupure",
        "lent",
        "slow",
        "login",
        "mot de passe",
        "password",
        "appli",
        "app ",
    ),
    COMMERCIAL: (
        "prix",
        "price",
        "tarif",
        "offre",
        "offer",
        "abonnement",
        "subscription",
        "factur",
        "bill",
        "invoice",
        "rembours",
        "refund",
        "promo",
        "contrat",
        "contract",
        "resili",
        "cancel",
        "achat",
        "buy",
        "purchase",
        "devis",
        "quote ",
        "paiement",
        "payment",
        "commande",
        "order",
        "client",
    ),
}

DEFAULT_URGENCY: tuple[str, ...] = (
    "urgent",
    "asap",
    "immediat",
    "toujours",
    "still",
    "encore",
    "again",
    "depuis",
    "since",
    "troisieme",
    "third",
    "plusieurs fois",
    "several times",
    "inadmissible",
    "unacceptable",
    "scandal",
    "honte",
    "#fail",
    "fail",
    "worst",
    "pire",
    "furious",
    "furieux",
    "avocat",
    "lawyer",
    "plainte",
    "complaint",
    "no answer",
    "pas de reponse",
    "aucune reponse",
)


@dataclass(frozen=True)
class TriageRules:
    """The knobs of the score; defaults are documented in docs/data-model.md."""

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
    aging_seconds_per_point: int = 120

    @classmethod
    def from_json(cls, document: str | None) -> TriageRules:
        """Defaults overridden by a JSON object (the `TRIAGE_RULES` setting); unknown keys are an error."""
        rules = cls()
        if not document:
            return rules
        overrides: dict[str, Any] = json.loads(document)
        unknown = set(overrides) - set(cls.__dataclass_fields__)
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


def fold(text: str) -> str:
    """Lower case without accents, so `Réseau` and `reseau` match the same keyword."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=64)
def _matcher(words: tuple[str, ...]) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """One compiled alternation per keyword list (longest first), and folded form → keyword."""
    folded = {fold(w): w for w in words}
    if not folded:
        return None, folded
    alternation = "|".join(re.escape(f) for f in sorted(folded, key=len, reverse=True))
    return re.compile(rf"(?<![\w])(?:{alternation})"), folded


def _hits(folded: str, words: tuple[str, ...]) -> list[str]:
    """The keywords found at word starts in `folded`, in the keyword list's order."""
    pattern, by_fold = _matcher(tuple(words))
    if pattern is None:
        return []
    found = {m.group(0) for m in pattern.finditer(folded)}
    return [w for f, w in by_fold.items() if f in found]


def topic_of(text: str, rules: TriageRules) -> tuple[str, list[str]]:
    """The subject with the most keyword hits (technical wins a tie: it is the costlier to leave)."""
    folded = fold(text)
    best, best_hits = OTHER, []
    for topic in (TECHNICAL, COMMERCIAL, *[t for t in rules.keywords if t not in (TECHNICAL, COMMERCIAL)]):
        hits = _hits(folded, rules.keywords.get(topic, ()))
        if len(hits) > len(best_hits):
            best, best_hits = topic, hits
    return best, best_hits


def influence_points(followers: int, rules: TriageRules) -> int:
    """0 under 100 followers, then 6 points per tenfold audience, capped."""
    if followers < 100:
        return 0
    return min(rules.influence_max, round(6 * (math.log10(followers) - 2)))


def triage(
    *,
    texts: list[str],
    followers: int,
    verified: bool,
    channel: Channel,
    inbound_count: int,
    rules: TriageRules,
) -> Triage:
    """Score a case from its customer's messages so far (oldest first) and the customer's profile."""
    reasons: list[tuple[int, str]] = []
    influence = influence_points(followers, rules)
    if influence:
        reasons.append((influence, f"influence: {_compact(followers)} followers (+{influence})"))
    if verified:
        reasons.append((rules.verified_bonus, f"verified account (+{rules.verified_bonus})"))
    text = "\n".join(texts)
    topic, hits = topic_of(text, rules)
    bonus = rules.topic_bonus.get(topic, 0)
    if bonus:
        reasons.append((bonus, f"topic {topic}: {', '.join(h.strip() for h in hits[:3])} (+{bonus})"))
    cues = _hits(fold(text), rules.urgency)
    if text.count("!") >= 2 or re.search(r"\b[A-Z]{4,}\b", text):
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
    total = max(0, min(100, rules.base + sum(points for points, _ in reasons)))
    ordered = (*(reason for _, reason in sorted(reasons, key=lambda r: -r[0])), f"base {rules.base}")
    return Triage(priority=total, topic=topic, reasons=ordered)


def queue_rank(priority: int, waiting_since: datetime, rules: TriageRules) -> int:
    """Sort key of the open queue (ascending = most urgent first).

    Effective priority grows by one point per `aging_seconds_per_point` of waiting; ordering by
    `waiting_since - priority * aging` is the same ordering at every instant, so it can be stored.
    """
    return int(waiting_since.timestamp()) - priority * rules.aging_seconds_per_point


def effective_priority(priority: int, waiting_since: datetime, now: datetime, rules: TriageRules) -> int:
    """The priority shown in the queue at `now`: stored priority plus aging, capped at 100."""
    waited = max(0.0, (now - waiting_since).total_seconds())
    return min(100, priority + int(waited // rules.aging_seconds_per_point))


def _compact(number: int) -> str:
    if number >= 1_000_000:
        return f"{number / 1_000_000:.1f}M"
    if number >= 1_000:
        return f"{number / 1_000:.0f}k"
    return str(number)
