"""Who the customer is in words: the language they write in, and whether their display name is a person's.

DMs carry no language and X leaves `lang` out (or says `und`) on short posts: the language then comes from the
text itself, by the small words every sentence is made of (articles, pronouns, negations, SMS abbreviations),
not by topic words, so it holds on subjects it has never seen. Unknown stays unknown (None): the caller falls
back to the brand's language.

A greeting uses a first name only when the display name looks like a person's (`Claire Dupont`, `sophie 🌸`):
organisations, towns, slogans, URLs, phone numbers and insults get no name at all. Nothing of the display name
but that one checked word ever goes into what carebird writes by itself.
"""

from __future__ import annotations

import os
import re
import unicodedata
from functools import lru_cache

SUPPORTED = ("fr", "en")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Function words and chat abbreviations: frequent in any message, rare in the other language.
FRENCH_WORDS = _words(
    "le la les de des du en un une et est je tu il elle nous vous ils elles on pas ne n plus pour sur avec mon "
    "ma mes ton ta tes son sa ses notre votre vos ce cet cette ces c qui que quoi qu depuis toujours merci "
    "bonjour bonsoir salut svp stp mais ou tres rien chez ca aussi encore au aux etait suis sont ont avez "
    "avons fait j m t l d s y jamais personne quand comment pourquoi alors donc deja jsp pk pq mdr ptdr bcp "
    "tjrs dsl slt cc jamais meme apres avant sans sous entre vraiment voila oui non ici toute tout tous toutes "
    "leur leurs quelqu quelque quel quelle mois jours semaine hier demain aujourd hui moi toi lui eux nos "
)
ENGLISH_WORDS = _words(
    "the and is are was were my i im i'm you your it its this that these those for with of to not no have has "
    "had been since still please thanks thank hi hello hey can cant can't dont don't didn't doesn't won't "
    "isn't what why how when who just now again today yesterday tomorrow tbh ngl smh lol lmao wtf idk pls plz "
    "thx our we they them their there here be do does did will would should could any anyone anything some "
    "nothing never ever all every from about after before without out up off am mine me him her u ur cuz cos "
    "coz gonna wanna yet only also very really "
)
FRENCH_LETTERS = frozenset("éèêàçùâîôûëïœ")
WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("\u2019", "'"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=512)
def detect_language(text: str) -> str | None:
    """`fr` or `en` from the text's function words (accents count for French); None when it cannot tell."""
    body = re.sub(r"(?<!\w)[@#]\w+|https?://\S+", " ", text)
    french = sum(1 for ch in body.lower() if ch in FRENCH_LETTERS)
    english = 0
    for word in WORD.findall(_fold(body)):
        parts = word.split("'")
        if parts[0] in FRENCH_WORDS and (len(parts) > 1 or word in FRENCH_WORDS):
            french += 1
        if word in ENGLISH_WORDS or (parts[0] in ENGLISH_WORDS and parts[-1] in ("s", "t", "m", "re", "ve", "ll", "d")):
            english += 1
    if french == english:
        return None
    return "fr" if french > english else "en"


def message_language(x_lang: str | None, text: str) -> str | None:
    """The language of one message: X's own when it names a supported one, else the text's, else X's."""
    if x_lang in SUPPORTED:
        return x_lang
    return detect_language(text) or (x_lang if x_lang and x_lang not in ("und", "zxx", "qme", "qht") else None)


# Words that make a display name an organisation, a place, a role or a slogan rather than a person.
NOT_A_PERSON = _words(
    "official officiel officielle support service services team equipe club fc association asso assoc mairie "
    "ville commune town city council hall borough county village departement region conseil saint sainte st "
    "ste boulangerie patisserie cafe bar restaurant resto hotel pharmacie garage shop store boutique magasin "
    "market marche ltd limited llc inc sas sarl sa gmbh plc co corp company compagnie groupe group agency "
    "agence studio media news info infos radio tv tele journal magazine mag press presse actu blog podcast "
    "channel chaine ecole college lycee universite university school academy institut institute centre center "
    "clinique clinic hopital hospital cabinet immobilier immo bank banque assurance insurance travel voyages "
    "tours transport taxi electricien plombier plumber builders construction north south east west nord sud "
    "est ouest the le la les des du of de and et les amis friends fans fan bot admin help aide care customer "
    "client real vrai not pas no non stop boycott anti pro free libre love hate i je my mon ma energy energie "
    "telecom live watch nerd saver seeker mood memes wins residents plumbing heating electrical solutions "
    "majority collectif collective citizens citoyens concours comping deals plans bons box crypto revenus "
    "passifs truth king queen monkey lurker reviews review daily weekly tech mediatheque bibliotheque promos "
    "maison bakery salon atelier associes associates avocats avocat lawyers solicitors consulting mentor coach "
    "trading crypto services repairs traiteur ferme farm pizzeria brasserie epicerie "
)
# NOT_A_PERSON's words that name an organisation or a trade wherever they stand, a bio-like tail included (its
# function words and moods, "the", "of", "love", "no", may sit in a person's tail: "Sarah (mum of 3)").
ORGANISATION_WORDS = NOT_A_PERSON - _words(
    "the le la les des du of de and et i je my mon ma not pas no non love hate real vrai free libre pro anti mood "
    "north south east west nord sud est ouest saint sainte st ste king queen help aide live watch daily weekly "
    "tech reviews review blog podcast channel nerd fan fans memes lurker monkey truth wins"
)
INSULTS = _words(
    "idiot idiots con cons connard connards conne salaud salauds voleur voleurs voleuse escroc escrocs arnaque "
    "arnaqueur arnaqueurs menteur menteurs nul nuls nulle merde putain fuck fucking shit shite scam scammers "
    "thief thieves liar liars crook crooks rubbish useless clown clowns loser losers pourri pourris honte "
    "shame worst pire incompetent incompetents "
)
NAME_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ'\u2019-]*")


TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "mme", "mlle", "m", "sir", "lord", "lady"})
GIVEN_NAME = re.compile(r"[A-ZÀ-ÖØ-Þ]?[a-zß-öø-ÿ]+")


# Words that make a display name a sentence or a slogan ("still on hold", "not my problem").
SLOGAN_WORDS = _words(
    "the of and et my mon ma mes i je not pas no non still just only tout toute tous les your votre vos our"
)
PARTICLES = frozenset({"de", "du", "des", "le", "la", "van", "von", "der", "da", "di", "del", "al", "el"})
TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "mme", "mlle", "m", "me", "sir", "lord", "lady", "maitre"})
GIVEN_NAME = re.compile(r"[A-ZÀ-ÖØ-Þ]?[a-zß-öø-ÿ]+")
# Emoji that announce a bot, a deals or contest account rather than a person.
ACCOUNT_EMOJI = frozenset("🤖💰💸🎁🍀🏆📢⚡📊📈🔔🛒💯")


@lru_cache(maxsize=1024)
def greeting_name(display_name: str) -> str | None:
    """The first name to greet with, or None when the display name does not look like a person's name.

    The name is read up to a bio-like tail (`Claire Martin, députée`, `Lucas | dev web`, `Sarah (mum of 3)`). A
    person's name is one to four words of letters, each capitalised (particles such as "de" or "Le" aside), the
    first a plausible given name after any title: no digits, URL, @, domain or phone number, no organisation,
    place, slogan, function word or insult, no bot or contest emoji. When unsure: no name."""
    name = unicodedata.normalize("NFC", display_name or "").strip()
    if not name or any(ch in ACCOUNT_EMOJI for ch in name):
        return None
    if _looks_like_an_organisation(name):
        return None
    name = re.split(r"\s*[,|(•·/]", name, maxsplit=1)[0].strip()
    if not name or re.search(r"\d|@|https?:|www\.|\.\w{2,4}\b|[\\:=+#!?;\[\]\"]", name):
        return None
    words = NAME_WORD.findall(name)
    if not words or len(words) > 4:
        return None
    folded = [_fold(w).replace("\u2019", "'") for w in words]
    parts = {p for w in folded for p in re.split(r"[-']", w) if p}
    if parts & INSULTS or (parts - PARTICLES) & (NOT_A_PERSON | SLOGAN_WORDS):
        return None
    if folded[0] in TITLES and len(words) > 1:
        words, folded = words[1:], folded[1:]
    if folded[0] in PARTICLES:
        return None  # "Le Chat", "la flemme": an article first is a nickname or a slogan
    if any(w.islower() and f not in PARTICLES for w, f in zip(words[1:], folded[1:], strict=True)) and not all(
        w.islower() for w in words
    ):
        return None  # "Conso vigilant", "Colère citoyenne": a capitalised word and common words
    first = words[0]
    if len(first) < 2 or folded[0] in TITLES or not all(GIVEN_NAME.fullmatch(p) for p in re.split(r"[-']", first)):
        return None  # a title, initials, or a nickname written like one (`GamerZ`, `xXdarkXx`)
    if not all(part in given_names() for part in folded[0].split("-") if part):
        return None  # not a common given name (data/given_names.txt): when unsure, no name
    if sum(1 for w in words if w.isupper() and len(w) > 1) > 1:
        return None  # shouting, or initials: not how people write their own name
    return "-".join(p[:1].upper() + p[1:] for p in first.split("-")) if first.islower() else first


# A word with a capital inside ("CryptoGain", "BrandLyft") is a brand's, unless a surname's prefix explains it.
CAMEL_CASE = re.compile(r"\b(?!Mc|Mac|O'|D'|De|Di|Da|Du|La|Le|Van|Von)[A-Za-zÀ-ÿ][a-zß-ÿ]+[A-ZÀ-Þ]")


def _looks_like_an_organisation(name: str) -> bool:
    """The whole display name, its bio-like tail included, reads as a business, not a person: a trade or an
    organisation word anywhere ("Sam | Heating & Plumbing", "Ray | Crypto Mentor"), "&", a possessive ("Sam's"),
    a brand-like word ("CryptoGain") or a name written all in capitals ("MAISON VERTE")."""
    if "&" in name or re.search(r"\w['\u2019]s\b", name) or CAMEL_CASE.search(name):
        return True
    letters = [ch for ch in name if ch.isalpha()]
    if len(letters) > 3 and all(ch.isupper() for ch in letters):
        return True
    return bool({_fold(w) for w in NAME_WORD.findall(name)} & ORGANISATION_WORDS)


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    """Common given names, French, English and international (carebird/data/given_names.txt, its sources in its
    header): a greeting names a customer only when the display name's first word is one of them."""
    # Read beside the package with os.path: importlib.resources alone costs ~8 ms of the first event's imports.
    path = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "given_names.txt")
    with open(path, encoding="utf-8") as names:
        text = names.read()
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))
