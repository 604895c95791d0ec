"""Reply templates personalised per customer, and a reply coach grounded in engagement data.

The coach scores a draft and explains what to change; it never blocks a reply on style alone.
Its figures and their source are in docs/reply-coach.md.
"""

from __future__ import annotations

import json
import re
import string
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from carebird.domain.announcements import first_name, greet
from carebird.domain.language import detect_language
from carebird.domain.textlength import MAX_WEIGHTED_LENGTH as POST_LIMIT
from carebird.domain.textlength import weighted_length
from carebird.errors import CarebirdError

# Measured effect of each feature on engagement with customer-care replies (see docs/reply-coach.md).
PERSONAL_TOUCH = 0.20
PUNCTUATION = 0.27
SMILEY = 0.67
HASHTAG = 0.15
LINK = -0.19

# Smiling emoticons only (what the figure is about): not winks, hearts, thumbs or praying hands.
SMILEYS = re.compile(r"(?::-?\)|:-?D|\(:|[\U0001F600-\U0001F604\U0001F606\U0001F60A\U0001F642\u263A])")
# A smiley on bad news or a refusal reads as flippant: the coach never rewards one there.
BAD_NEWS = re.compile(
    r"\b(?:d[ée]sol[ée]e?s?|sorry|malheureusement|unfortunately|impossible|cannot|can't|can not|unable|"
    r"ne pouvons pas|ne pourrons pas|refus\w*|declin\w*|regret\w*|panne|outage|retard|delay\w*|"
    r"pas possible|not possible|annul\w*|cancel\w*)\b",
    re.IGNORECASE,
)
SOURCE = "a 2015 infographic on customer care on Twitter, method unpublished: hints, not promises"
URL = re.compile(r"https?://\S+", re.IGNORECASE)
HASHTAG_RE = re.compile(r"(?<!\w)#\w+")
COLD_PHRASES = (
    "calm down",
    "calmez-vous",
    "pas notre faute",
    "not our fault",
    "as already said",
    "comme déjà dit",
    "impossible",
    "vous devez",
    "you must",
    "you should have",
    "vous auriez dû",
    "rtfm",
    "lisez",
)
PLACEHOLDERS = {"first_name", "handle", "reference", "next_opening", "greeting"}
# A greeting by the hour in the brand's zone (greeting_for); "Bonjour"/"Hi" when no time is given.
GREETINGS = {
    "fr": ((18, "Bonjour"), (24, "Bonsoir")),
    "en": ((12, "Good morning"), (18, "Hello"), (24, "Good evening")),
}


def greeting_for(language: str, local_hour: int | None) -> str:
    """The greeting for an hour of the brand's day (`Bonsoir` after 18:00 in French)."""
    steps = GREETINGS.get(language) or GREETINGS["en"]
    if local_hour is None:
        return "Bonjour" if language == "fr" else "Hi"
    return next(word for until, word in steps if local_hour < until)


class TemplateError(CarebirdError, ValueError):
    """A template that cannot be rendered (unknown name, placeholder or language, or too long for X)."""


@dataclass(frozen=True)
class Advice:
    rule: str
    effect: float  # the measured engagement effect this rule is about
    applied: bool  # the draft already does it (or avoids it, for negative effects)
    message: str


@dataclass(frozen=True)
class CoachReport:
    draft: str
    weighted_length: int
    advice: list[Advice] = field(default_factory=list)

    @property
    def cues(self) -> list[str]:
        """The engagement cues the draft has (never multiplied into a promise: the figures come from
        an unpublished method, see SOURCE)."""
        return [a.rule for a in self.advice if a.effect > 0 and a.applied]

    @property
    def suggestions(self) -> list[Advice]:
        return [a for a in self.advice if not a.applied]


def load_templates(path: Path | None = None) -> dict[str, dict[str, str]]:
    """The brand's templates: `path` when given, else the defaults shipped with carebird."""
    text = (
        path.read_text(encoding="utf-8")
        if path
        else (resources.files("carebird").joinpath("data", "replies.json").read_text(encoding="utf-8"))
    )
    data = json.loads(text)
    templates = {name: value for name, value in data.items() if not name.startswith("_")}
    for name, languages in templates.items():
        for language, template in languages.items():
            unknown = {f for _, f, _, _ in string.Formatter().parse(template) if f} - PLACEHOLDERS
            if unknown:
                raise TemplateError(f"template {name}/{language} uses unknown placeholders {sorted(unknown)}")
    return templates


def render(
    templates: dict[str, dict[str, str]],
    name: str,
    language: str,
    *,
    customer_name: str,
    handle: str,
    reference: str,
    next_opening: str = "",
    greeting: str | None = None,
) -> str:
    """A template filled in for one customer, checked against X's weighted length."""
    if name not in templates:
        raise TemplateError(f"no template {name!r}; known: {', '.join(sorted(templates))}")
    variants = templates[name]
    template = variants.get(language) or variants.get("en") or next(iter(variants.values()))
    greeted = first_name(customer_name, handle)
    text = greet(
        template.format(
            first_name=greeted,
            handle=handle,
            reference=reference,
            next_opening=next_opening,
            greeting=greeting if greeting is not None else greeting_for(language, None),
        ),
        greeted,
    )
    length = weighted_length(text)
    if length > POST_LIMIT:
        raise TemplateError(f"template {name} renders to {length} weighted characters for @{handle}, X allows 280")
    return text


def coach(
    draft: str, *, customer_name: str = "", handle: str = "", public: bool = True, language: str | None = None
) -> CoachReport:
    """Score a draft reply and say what would make it land better, with the measured effect of each rule; with the
    customer's `language` (the case's, read from their words when X gave none), a draft in another language is
    flagged."""
    text = draft.strip()
    lowered = text.lower()
    name = first_name(customer_name, handle)
    # A display name that is not a person's gives no name to use (the advice says so, the score has no bonus).
    personal = bool(name) and re.search(rf"(?<!\w){re.escape(name.lower())}(?!\w)", lowered) is not None
    has_punctuation = "?" in text or "!" in text
    has_smiley = bool(SMILEYS.search(text))
    has_hashtag = bool(HASHTAG_RE.search(text))
    links = list(URL.finditer(text))
    advice = [
        Advice(
            "personal touch",
            PERSONAL_TOUCH,
            personal,
            "Greets the customer by name."
            if personal
            else f"Use the customer's name ({name}): personal replies get +20% engagement."
            if name
            else "No first name to use: the display name is not a person's, so greet without a name.",
        ),
        Advice(
            "punctuation",
            PUNCTUATION,
            has_punctuation,
            "Has a question or exclamation mark."
            if has_punctuation
            else "End with a question or an exclamation (? !): +27% engagement, and it invites an answer.",
        ),
        _smiley_advice(has_smiley, bool(BAD_NEWS.search(text))),
        Advice(
            "hashtag",
            HASHTAG,
            has_hashtag,
            "Has a hashtag." if has_hashtag else "A relevant hashtag adds +15% (one is enough).",
        ),
    ]
    if links:
        middle = _link_in_middle(text, links[0])
        advice.append(
            Advice(
                "link",
                LINK,
                False,
                "Links cost engagement (-19%) and make the post 13x dearer on X: send it by DM if you can."
                + ("" if middle else " If it must stay, put it mid-text, where it hurts least."),
            )
        )
    else:
        advice.append(Advice("link", LINK, True, "No link: good for engagement and for X's pricing."))
    length = weighted_length(text) if text else 0
    advice += _length_and_tone(text, lowered, length, public)
    written = detect_language(text) if language and text else None
    if language and written and written != language:
        customer, draft_in = LANGUAGE_NAMES.get(language, language), LANGUAGE_NAMES.get(written, written)
        advice.append(
            Advice("language", 0.0, False, f"The customer writes in {customer}: this draft reads as {draft_in}.")
        )
    return CoachReport(draft=text, weighted_length=length, advice=advice)


LANGUAGE_NAMES = {"fr": "French", "en": "English"}


def _smiley_advice(has_smiley: bool, bad_news: bool) -> Advice:
    if bad_news:
        if has_smiley:
            return Advice("smiley", 0.0, False, "A smiley on bad news or a refusal reads as flippant: remove it.")
        return Advice("smiley", 0.0, True, "No smiley on bad news: right.")
    if has_smiley:
        return Advice("smiley", SMILEY, True, "Has a smiling emoticon.")
    return Advice("smiley", SMILEY, False, f"A smiling emoticon (🙂) was measured at +67% ({SOURCE}).")


def _link_in_middle(text: str, link: re.Match[str]) -> bool:
    centre = (link.start() + link.end()) / 2 / max(len(text), 1)
    return 0.25 <= centre <= 0.75


def _length_and_tone(text: str, lowered: str, length: int, public: bool) -> list[Advice]:
    advice = []
    if length > POST_LIMIT and public:
        advice.append(
            Advice(
                "length",
                0.0,
                False,
                f"{length} weighted characters: X allows 280 in a post. Shorten it or move the details to a DM.",
            )
        )
    elif length < 30:
        advice.append(Advice("length", 0.0, False, "Very short: it may read as curt. Add a greeting or a next step."))
    else:
        advice.append(Advice("length", 0.0, True, f"{length}/280 weighted characters."))
    shouting = re.findall(r"\b[A-Z]{4,}\b", text)
    cold = [p for p in COLD_PHRASES if p in lowered]
    if shouting or text.count("!") > 2 or cold:
        found = ", ".join([*cold, *shouting[:2]] + (["!!!"] if text.count("!") > 2 else []))
        advice.append(
            Advice(
                "tone",
                0.0,
                False,
                f"Tone may read as defensive or loud ({found}): stay warm and factual, one exclamation mark at most.",
            )
        )
    else:
        advice.append(Advice("tone", 0.0, True, "Tone reads calm."))
    return advice
