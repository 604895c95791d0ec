"""A learned reading of one message, beside the rules: which kind it is and, when urgent, which risk.

The rules (carebird.domain.triage, carebird.domain.cues) recognise what they were written for; people who never
read them describe the same emergencies in other words. This module scores a message with a small multinomial logistic
regression trained by `make train` (tools/train_triage.py) on the labelled tuning sets only (never a held-out
file), shipped as the generated module carebird.domain.triage_weights (its weights packed in one bytes constant, cheap
to load at a cold start). Pure Python, no I/O: a few dictionary lookups.

Features, all from the message alone and nothing brand-specific (handles, @mentions, links and the brand's
own names are left out when training): accent-free lower-case words lightly stemmed in French and English
("étincelles", "sparking" → "etincell", "spark"), pairs of neighbouring words, the cue families the rules found
(carebird.domain.cues: "smell or leak", "old age", ...), and the message's shape (a DM, a follow-up, a reply to
the brand's answer, a question, emoji, shouting, many hashtags or mentions, a link).

The model answers with a probability per class (noise, praise, thanks, request, urgent-<risk>) and the words that
weighed most for a class, quoted as the customer wrote them so the reasons read as a sentence.
"""

from __future__ import annotations

import array
import math
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

URGENT_PREFIX = "urgent-"

# Light stemming: the longest of these endings goes when at least four letters stay (accent-free, lower case).
FRENCH_ENDINGS = ("issements", "issement", "ements", "ement", "ations", "ation", "atrices", "atrice", "ateurs", "ateur",
                  "euses", "euse", "eux", "ments", "ment", "ites", "ite", "ives", "ive", "ifs", "if", "ees", "ee", "es",
                  "er", "ez", "ais", "ait", "aient", "ant", "ent", "e", "s", "x", "ions", "ons", "iez")  # fmt: skip
ENGLISH_ENDINGS = ("ings", "ing", "edly", "ed", "ers", "ly", "ness", "ies", "ied", "ful")
SUFFIXES = tuple(sorted(set(FRENCH_ENDINGS + ENGLISH_ENDINGS), key=lambda s: (-len(s), s)))
# The shortest stem of four letters or more before one of the endings: so the longest ending goes.
ENDING = re.compile(r"(.{4,}?)(?:" + "|".join(SUFFIXES) + r")$", re.DOTALL)
# Words quoted in a reason are the customer's meaningful ones: never these alone.
FUNCTION_WORDS = frozenset(
    [
        "les",
        "des",
        "une",
        "mon",
        "ma",
        "mes",
        "ton",
        "ta",
        "tes",
        "son",
        "sa",
        "ses",
        "nos",
        "vos",
        "leur",
        "qui",
        "que",
        "quoi",
        "dans",
        "pour",
        "par",
        "sur",
        "avec",
        "sans",
        "est",
        "suis",
        "sont",
        "ont",
        "avait",
        "etait",
        "pas",
        "plus",
        "tres",
        "tout",
        "tous",
        "cette",
        "ces",
        "aux",
        "elle",
        "il",
        "ils",
        "elles",
        "nous",
        "vous",
        "moi",
        "toi",
        "lui",
        "eux",
        "the",
        "and",
        "for",
        "with",
        "from",
        "that",
        "this",
        "these",
        "those",
        "was",
        "were",
        "are",
        "has",
        "have",
        "had",
        "not",
        "but",
        "you",
        "your",
        "our",
        "their",
        "his",
        "her",
        "him",
        "them",
        "its",
        "it's",
        "into",
        "onto",
        "over",
        "just",
        "very",
        "all",
        "any",
        "can",
        "could",
        "would",
        "should",
        "will",
        "been",
        "being",
        "what",
        "when",
        "where",
        "who",
        "why",
        "how",
        "than",
        "then",
        "there",
        "here",
    ]
)
PREFIX = 0  # words also read by their first letters (0: not; cross-validation found no gain)
TOKEN = re.compile(r"#?[^\W\d_]+|\d+")
MENTION = re.compile(r"(?<![\w@])@\w+")
LINK = re.compile(r"https?://\S+|\bwww\.\S+|\b\w+\.(?:com|net|io|xyz|site|top|click|info|biz|ru|cn|fr|co\.uk|ly)/\S*")
APOSTROPHE = re.compile(r"\b(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)'", re.IGNORECASE)

THANKS_EMOJI = frozenset("👍🙏😊🙂🤗😘👌")
PRAISE_EMOJI = frozenset("😍🥰🤩🔥💯🙌👏❤💙💚✨🚀✅🎉")
IRONY_EMOJI = frozenset("🙄🙃😒😑🤡😤😡🤬💀🥴😬")
JOKE_EMOJI = frozenset("😂🤣😹😆😜🤪😝")
SAD_EMOJI = frozenset("😭😢😩😫😰😱🥶🆘⚠")


def stem(word: str) -> str:
    """The word without its longest common French or English ending, keeping at least four letters."""
    if len(word) <= 4 or word.startswith("#"):
        return word
    match = ENDING.match(word)
    return match.group(1) if match else word


def _fold(text: str) -> str:
    return (_FOLD or _bind_fold())(text)


_FOLD: Callable[[str], str] | None = None  # carebird.domain.triage.fold, bound on first use (it imports this module)


def _bind_fold() -> Callable[[str], str]:
    global _FOLD
    from carebird.domain.triage import fold

    _FOLD = fold
    return fold


@lru_cache(maxsize=8192)
def _stem_of(written: str) -> str:
    """The stem of a word as written: folded (no accents, lower case) then stemmed; numbers as `<n>`, `<nnn>`."""
    word = _fold(written)
    if word.isdigit():
        return "<n>" if len(word) <= 3 else "<nnn>"
    return stem(word)


@lru_cache(maxsize=1024)
def words_of(text: str, ignored: frozenset[str] = frozenset()) -> tuple[tuple[str, str], ...]:
    """(stem, word as written) of every word, handles and links left out; a word containing one of `ignored` (a
    brand's own names, folded) is left out too and breaks the pairs around it. Numbers: `<n>` (short), `<nnn>`."""
    body = LINK.sub(" | ", MENTION.sub(" | ", text))
    body = APOSTROPHE.sub(lambda m: m.group(0)[:-1] + " ", body)
    out: list[tuple[str, str]] = []
    for written in TOKEN.findall(body.replace("\u2019", "'")):
        stemmed = _stem_of(written)
        if ignored and any(name in _fold(written) for name in ignored):
            stemmed = "|"
        out.append((stemmed, written))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Shape:
    """What the message is beside its words."""

    private: bool = False  # a DM
    follow_up: bool = False  # an earlier message of the same customer is in the case
    after_answer: bool = False  # the brand spoke last in the conversation: this message answers its answer


def features(
    text: str, found: Mapping[str, Sequence[str]], shape: Shape, ignored: frozenset[str] = frozenset()
) -> dict[str, str]:
    """Every feature of a message, with the words it stands for (quoted when it weighs): `w:` a stem, `b:` two
    neighbouring stems, `f:` a cue family the rules found, `s:` the message's shape."""
    out: dict[str, str] = {}
    words = words_of(text, ignored)
    previous: tuple[str, str] | None = None
    for stemmed, written in words:
        if stemmed == "|":
            previous = None
            continue
        out.setdefault("w:" + stemmed, written)
        if PREFIX and len(stemmed) > PREFIX:
            out.setdefault("p:" + stemmed[:PREFIX], written)  # inflections and typos past the fifth letter
        if previous is not None:
            out.setdefault(f"b:{previous[0]} {stemmed}", f"{previous[1]} {written}")
        previous = (stemmed, written)
    for family, hits in found.items():
        if hits:
            out.setdefault("f:" + family, str(hits[0]).rstrip("*"))
    for name, present in _shape(text, words, shape):
        if present:
            out["s:" + name] = ""
    return out


def _shape(text: str, words: tuple[tuple[str, str], ...], shape: Shape) -> tuple[tuple[str, bool], ...]:
    letters = [w for w in words if w[0] not in ("|", "<n>", "<nnn>")]
    shouted = sum(1 for _, w in letters if len(w) >= 4 and w.isupper())
    chars = set(text)
    return (
        ("dm", shape.private),
        ("public", not shape.private),
        ("follow-up", shape.follow_up),
        ("after answer", shape.after_answer),
        ("question", "?" in chars),
        ("exclamation", "!" in chars),
        ("shouting", shouted >= 2),
        ("thanks emoji", not chars.isdisjoint(THANKS_EMOJI)),
        ("praise emoji", not chars.isdisjoint(PRAISE_EMOJI)),
        ("irony emoji", not chars.isdisjoint(IRONY_EMOJI)),
        ("joke emoji", not chars.isdisjoint(JOKE_EMOJI)),
        ("distress emoji", not chars.isdisjoint(SAD_EMOJI)),
        ("no words", not letters),
        ("few words", 0 < len(letters) <= 4),
        ("short", 4 < len(letters) <= 12),
        ("long", len(letters) > 40),
        ("link", "http" in text and bool(LINK.search(text))),
        ("many mentions", text.count("@") >= 4 and len(MENTION.findall(text)) >= 4),
        ("hashtags", text.count("#") >= 2 and LINK.sub("", MENTION.sub("", text)).count("#") >= 2),
        ("number", any(w[0] == "<nnn>" for w in words)),
    )


@dataclass(frozen=True, slots=True)
class Reading:
    """The model's reading of a message: a probability per class, and what weighed for each."""

    probabilities: dict[str, float]
    weighing: tuple[tuple[str, str, tuple[float, ...]], ...]  # (feature, words, its weights) of the known features

    def p(self, *classes: str) -> float:
        return sum(self.probabilities.get(c, 0.0) for c in classes)

    @property
    def urgent(self) -> float:
        return sum(p for c, p in self.probabilities.items() if c.startswith(URGENT_PREFIX))

    @property
    def risk(self) -> str | None:
        """The most probable risk family among the urgent classes."""
        urgent = [(p, c) for c, p in self.probabilities.items() if c.startswith(URGENT_PREFIX)]
        return max(urgent)[1][len(URGENT_PREFIX) :] if urgent else None

    def words_for(self, klass: str, limit: int = 3) -> list[str]:
        """The customer's words that weighed most towards a class against the others (words, pairs of words and
        the words of the cues found; never the message's shape)."""
        index = list(self.probabilities).index(klass)
        ranked = sorted(
            ((row[index] - sum(row) / len(row), feature, written) for feature, written, row in self.weighing),
            reverse=True,
        )
        quoted: list[str] = []
        for weight, feature, written in ranked:
            if weight <= 0 or not written or not feature.startswith(("w:", "b:", "p:", "f:")):
                continue
            if all(len(w) < 3 or _fold(w) in FUNCTION_WORDS for w in written.split()):
                continue  # "mon", "the", "x": true, but not what an agent needs to read
            if any(written.lower() in q.lower() or q.lower() in written.lower() for q in quoted):
                continue
            quoted.append(written)
            if len(quoted) == limit:
                break
        return quoted


@dataclass(frozen=True)
class TextModel:
    """A multinomial logistic regression: a bias and a weight per feature for each class."""

    classes: tuple[str, ...]
    bias: tuple[float, ...]
    weights: Mapping[str, tuple[float, ...]]
    thresholds: Mapping[str, float]  # the probabilities at which the reading overrules the rules (see triage.blend)
    scale: int = 1  # weights are whole fractions of this: 100, hundredths

    def read(self, text: str, found: Mapping[str, Sequence[str]], shape: Shape) -> Reading:
        return self.read_features(features(text, found, shape))

    def read_features(self, present: Mapping[str, str]) -> Reading:
        row_of = self.weights.get  # one lookup per feature present
        weighing = tuple((f, written, row) for f, written in present.items() if (row := row_of(f)) is not None)
        scores = [sum(column) for column in zip(self.bias, *(row for _, _, row in weighing), strict=True)]
        top = max(scores)
        exps = [math.exp((s - top) / self.scale) for s in scores]
        total = sum(exps)
        return Reading({c: e / total for c, e in zip(self.classes, exps, strict=True)}, weighing)


class PackedWeights(Mapping[str, tuple[int, ...]]):
    """The shipped weights as `make train` writes them: the features in order and one bytes constant of their
    weights (signed 16-bit little-endian, one per class). Loading them is one index of the features, not a
    dictionary of thousands of tuples built at every cold start; a feature's row is unpacked the first time it is
    looked up, then kept (a warm function reads the features it has met as fast as a dictionary)."""

    def __init__(self, features: Sequence[str], rows: bytes, width: int) -> None:
        self._at = dict(zip(features, range(0, len(features) * width, width), strict=True))
        self._rows = array.array("h", rows)
        if sys.byteorder != "little":  # pragma: no cover - Lambda (arm64, x86_64) and CI are little-endian
            self._rows.byteswap()
        self._width = width
        self._unpacked: dict[str, tuple[int, ...]] = {}
        if len(self._rows) != len(self._at) * width:
            raise ValueError(f"{len(self._rows)} weights for {len(self._at)} features of {width} classes")

    def __getitem__(self, feature: str) -> tuple[int, ...]:
        row = self.get(feature)
        if row is None:
            raise KeyError(feature)
        return row

    def get(self, feature: str, default: Any = None) -> Any:
        row = self._unpacked.get(feature)
        if row is None:
            at = self._at.get(feature)
            if at is None:
                return default
            row = self._unpacked[feature] = tuple(self._rows[at : at + self._width])
        return row

    def __contains__(self, feature: object) -> bool:
        return feature in self._at

    def __iter__(self) -> Iterator[str]:
        return iter(self._at)

    def __len__(self) -> int:
        return len(self._at)


def shipped_model() -> TextModel | None:
    """The model trained by `make train` (carebird.domain.triage_weights), or None before it was ever trained."""
    try:
        from carebird.domain import triage_weights
    except ImportError:  # pragma: no cover - the weights are generated and committed
        return None
    weights = triage_weights.__dict__.get("WEIGHTS")  # weights written before they were packed: a dict of tuples
    if weights is None:
        weights = PackedWeights(triage_weights.FEATURES, triage_weights.ROWS, len(triage_weights.CLASSES))
    return TextModel(
        triage_weights.CLASSES,
        triage_weights.BIAS,
        weights,
        triage_weights.THRESHOLDS,
        getattr(triage_weights, "SCALE", 1),
    )
