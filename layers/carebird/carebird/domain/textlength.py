"""X's weighted text length (twitter-text "v3" rules), in plain Python.

Why our own code: the PyPI package `twitter-text-parser` (the only Python port of twitter-text v3) imports
`pkg_resources`, which is gone from setuptools 82 and absent from Python 3.12+ virtual environments and from
Lambda's python3.13 runtime; it is unmaintained since 2023. The rules are small and public, so carebird
implements them here and proves them against twitter-text's own conformance file
(tests/fixtures/twitter-text/validate.yml, see its README for provenance).

The rules: text is NFC-normalised; a URL counts 23 whatever its length; an emoji sequence (ZWJ families,
skin tones, flags, keycaps) counts 2; code points in the Latin/punctuation ranges count 1, every other code
point 2. A post may weigh at most 280. Carebird only measures texts it writes itself (templates,
acknowledgements, announcements); the URL matcher follows twitter-text's validation rules on hosts (label
length, hyphens, punycode length, known top-level domains for URLs without a scheme) and errs on the side
of counting more, never less, where it simplifies.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_WEIGHTED_LENGTH = 280
URL_WEIGHT = 23
_SCALE = 100
_DEFAULT_WEIGHT = 200
# twitter-text config v3: code point ranges that weigh 100 (one character); everything else weighs 200.
_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
_INVALID_CHARACTERS = frozenset("\ufffe\ufeff\uffff")

# --- emoji sequences --------------------------------------------------------------------------------
_PICTOGRAPH = (
    "\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u2199\u21a9\u21aa\u231a\u231b\u2328\u23cf\u23e9-\u23f3"
    "\u23f8-\u23fa\u24c2\u25aa\u25ab\u25b6\u25c0\u25fb-\u25fe\u2600-\u27bf\u2934\u2935\u2b05-\u2b07"
    "\u2b1b\u2b1c\u2b50\u2b55\u3030\u303d\u3297\u3299\U0001f000-\U0001f1e5\U0001f200-\U0001faff"
)
_MODIFIERS = "\ufe0f\U0001f3fb-\U0001f3ff"
_EMOJI = re.compile(
    "(?:"
    "[\U0001f1e6-\U0001f1ff]{2}"  # flags: a pair of regional indicators
    "|[0-9#*]\ufe0f?\u20e3"  # keycaps
    f"|[{_PICTOGRAPH}][{_MODIFIERS}]*[\U000e0020-\U000e007f]*"  # a pictograph, its modifiers, tag sequences
    f"(?:\u200d[{_PICTOGRAPH}][{_MODIFIERS}]*)*"  # joined by zero-width joiners
    ")"
)
# Pictographs below U+1100 (©, ®) weigh 1 unless written as emoji (with the variation selector).
_TEXT_STYLE_PICTOGRAPHS = frozenset("\u00a9\u00ae")

# --- URLs ---------------------------------------------------------------------------------------------
_GENERIC_TLDS = frozenset(
    (
        "aero",
        "app",
        "art",
        "asia",
        "biz",
        "blog",
        "cat",
        "club",
        "cloud",
        "co",
        "com",
        "coop",
        "design",
        "dev",
        "edu",
        "email",
        "gov",
        "info",
        "int",
        "io",
        "jobs",
        "live",
        "media",
        "mil",
        "mobi",
        "museum",
        "name",
        "net",
        "news",
        "online",
        "org",
        "page",
        "post",
        "pro",
        "shop",
        "site",
        "space",
        "store",
        "tech",
        "tel",
        "travel",
        "tv",
        "website",
        "xxx",
        "xyz",
    )
)
_URL_CANDIDATE = re.compile(
    r"(?P<scheme>https?://)?"
    r"(?P<host>[\w-]+(?:\.[\w-]+)+|\[[0-9a-fA-F:.]+\])"
    r"(?P<port>:\d{1,5})?"
    r"(?P<rest>[/?#][^\s\"<>\u202a-\u202e\u2066-\u2069]*)?",
    re.IGNORECASE,
)
_PRECEDING_FORBIDDEN = re.compile(r"[A-Za-z0-9@\uff20$#\uff03]")
_PRECEDING_FORBIDDEN_WITHOUT_SCHEME = re.compile(r"[-_./]")
_ENDING = re.compile(r"[\w=#/+\-&]", re.IGNORECASE)
_IPV4 = re.compile(r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}")


@dataclass(frozen=True, slots=True)
class ParsedText:
    weighted_length: int
    valid: bool

    @property
    def permillage(self) -> int:
        return self.weighted_length * 1000 // MAX_WEIGHTED_LENGTH


def weighted_length(text: str) -> int:
    """X's weighted length of a post text."""
    return parse_text(text).weighted_length


def parse_text(text: str, *, emoji_parsing: bool = True) -> ParsedText:
    """Weighted length and validity (non-empty, no invalid characters, at most 280) of a post text.

    `emoji_parsing=False` gives twitter-text's older v2 counting (each code point of an emoji weighed alone).
    """
    text = unicodedata.normalize("NFC", text)
    spans = {start: (end, URL_WEIGHT * _SCALE) for start, end in _url_spans(text)}
    if emoji_parsing:
        for match in _EMOJI.finditer(text):
            if match.group() in _TEXT_STYLE_PICTOGRAPHS or any(s <= match.start() < e for s, (e, _) in spans.items()):
                continue
            spans.setdefault(match.start(), (match.end(), _DEFAULT_WEIGHT))
    weight, index = 0, 0
    while index < len(text):
        if index in spans:
            index, span_weight = spans[index]
            weight += span_weight
            continue
        weight += _character_weight(text[index])
        index += 1
    length = weight // _SCALE
    valid = bool(text) and not any(ch in _INVALID_CHARACTERS for ch in text) and length <= MAX_WEIGHTED_LENGTH
    return ParsedText(weighted_length=length, valid=valid)


def _character_weight(character: str) -> int:
    code = ord(character)
    return _SCALE if any(low <= code <= high for low, high in _LIGHT_RANGES) else _DEFAULT_WEIGHT


def _url_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _URL_CANDIDATE.finditer(text):
        start, scheme, host = match.start(), match.group("scheme"), match.group("host")
        before = text[start - 1] if start else ""
        if before and _PRECEDING_FORBIDDEN.match(before):
            continue
        if not scheme and (before and _PRECEDING_FORBIDDEN_WITHOUT_SCHEME.match(before)):
            continue
        if not _valid_host(host, with_scheme=bool(scheme), has_path=bool(match.group("rest"))):
            continue
        end = match.end()
        while end > match.end("host") + (len(match.group("port") or "")) + 1 and not _ENDING.match(text[end - 1]):
            end -= 1
        spans.append((start, end))
    return spans


def _valid_host(host: str, *, with_scheme: bool, has_path: bool) -> bool:
    if host.startswith("["):
        return with_scheme
    if _IPV4.fullmatch(host):
        return with_scheme
    labels = host.split(".")
    tld = labels[-1]
    if not tld or tld.isdigit() or "_" in tld or not tld.replace("-", "").isalnum():
        return False
    for position, label in enumerate(labels):
        if not label or label.startswith("-") or label.endswith("-"):
            return False
        if "_" in label and position >= len(labels) - 2:  # underscores only in subdomains
            return False
        if len(label) > 63 or (not label.isascii() and len("xn--" + label.encode("punycode").decode()) > 63):
            return False
    if with_scheme:
        return True
    if not host.isascii():
        return False
    tld = tld.lower()
    if tld in _GENERIC_TLDS:
        return True
    if len(tld) == 2 and tld.isalpha():  # country codes; a bare "xx.fr" is not a link, t.co is
        return has_path or host.lower() == "t.co" or len(labels) > 2 or len(labels[0]) > 2
    return False
