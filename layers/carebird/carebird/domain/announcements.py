"""What carebird says on its own: opening/closing announcements and the out-of-hours acknowledgement.

Plain functions: the calendar and the clock come in, text and an idempotency key come out. Texts carry
the date or the case reference, so X never sees the same text twice (no duplicate-post rejections),
and none carries a link (a post with a link costs 13 times more on X's pay-per-use pricing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from carebird.domain.calendar import OpeningHours
from carebird.domain.language import greeting_name

DAY_NAMES = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTH_NAMES = {
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}

OPENING = {
    "fr": (
        "Bonjour ! L'équipe est là pour vous ce {day} jusqu'à {close}. Écrivez-nous en mentionnant @{handle} "
        "ou en message privé 🙂",
        "C'est parti pour ce {day} ! Nos conseillers vous répondent jusqu'à {close}, ici ou en DM 🙂",
        "Bonjour à tous ! Une question, un souci ? L'équipe @{handle} vous répond ce {day} jusqu'à {close}.",
    ),
    "en": (
        "Good morning! The team is here for you this {day} until {close}. Mention @{handle} or send us a DM 🙂",
        "We're open! Our advisers answer you this {day} until {close}, here or by DM 🙂",
        "Hello everyone! A question or a problem? The @{handle} team is here this {day} until {close}.",
    ),
}
CLOSING = {
    "fr": (
        "L'équipe a terminé pour ce {day}. Nous revenons {next_opening}. Bonne soirée !",
        "Fin de journée pour nos conseillers ce {day} 👋 Retour {next_opening}, on lira tous vos messages.",
        "Nous fermons pour aujourd'hui ({day}). Vos messages sont bien reçus : réponse dès {next_opening}.",
    ),
    "en": (
        "The team is done for this {day}. We're back {next_opening}. Have a good evening!",
        "That's it for today ({day}) 👋 We're back {next_opening} and will read every message.",
        "We're closing for today ({day}). Your messages are safe with us: we answer from {next_opening}.",
    ),
}
HOLIDAY = {
    "fr": ("L'équipe est fermée aujourd'hui, {day}. Nous vous répondons dès {next_opening}. Bonne journée !",),
    "en": ("The team is off today, {day}. We'll answer you from {next_opening}. Have a nice day!",),
}
# Every automatic acknowledgement ends with the case reference in brackets: a text without one cannot be
# carebird's own, so the webhook looks its fingerprint up only for texts that have one.
AUTOMATIC_MARKER = re.compile(r"\((?:réf|ref)\. CB-\w+\)\s*$")


def could_be_automatic(text: str) -> bool:
    """Whether a brand message may be one of carebird's acknowledgements coming back through the feed."""
    return bool(AUTOMATIC_MARKER.search(text))


# No name, handle or any other profile text: an automatic post says only what the brand wrote (a display name is
# whatever its owner typed: "Hi https://evil.example/phish," was once posted as the brand).
def with_privacy_line(text: str, line: str) -> str:
    """An acknowledgement sent by DM: the brand's privacy-policy line before its reference, which stays last (the
    mark of carebird's own texts)."""
    marker = AUTOMATIC_MARKER.search(text)
    if marker is None:
        return f"{text}\n{line}"
    return f"{text[: marker.start()].rstrip()}\n{line}\n{text[marker.start() :]}"


ACKNOWLEDGEMENT = {
    "fr": "Bonjour, merci pour votre message ! Notre équipe est fermée pour le moment : nous vous "
    "répondons dès {next_opening}. (réf. {reference})",
    "en": "Hi, thanks for your message! Our team is closed right now: we'll get back to you from "
    "{next_opening}. (ref. {reference})",
}


@dataclass(frozen=True)
class Announcement:
    """One opening, closing or holiday post, with its idempotency key."""

    kind: str  # opening | closing | holiday
    occurrence: str  # idempotency key: one post per kind per local date
    text: str


def first_name(name: str, handle: str = "") -> str:
    """`Claire Dupont` → `Claire`; "" when the display name is not a person's (an organisation, a URL, an insult,
    `Max | Tech reviews`): a greeting then carries no name at all (carebird.domain.language.greeting_name)."""
    return greeting_name(name) or ""


def greet(text: str, name: str) -> str:
    """A greeting without a name reads `Bonjour, merci…` and `Bonjour !`, not `Bonjour , merci…`, `Bonjour  !`."""
    return text if name else re.sub(r"(?<=\w) ,", ",", re.sub(r" {2,}", " ", text))


def language_of(value: str | None, default: str = "fr") -> str:
    value = (value or "").lower()[:2]
    return value if value in OPENING else (default if default in OPENING else "en")


def day_text(moment: datetime, hours: OpeningHours, language: str) -> str:
    local = moment.astimezone(hours.zone)
    day, month = DAY_NAMES[language][local.weekday()], MONTH_NAMES[language][local.month - 1]
    return f"{day} {local.day} {month}"


def clock_text(moment: datetime, hours: OpeningHours, language: str) -> str:
    local = moment.astimezone(hours.zone)
    return f"{local.hour}h{local.minute:02d}" if language == "fr" else f"{local.hour}:{local.minute:02d}"


def when_text(moment: datetime, hours: OpeningHours, language: str, now: datetime | None = None) -> str:
    """`demain à 9h00` / `lundi 24 novembre à 9h00` (`tomorrow at 9:00` / `Monday 24 November at 9:00`)."""
    local, reference = moment.astimezone(hours.zone), (now or moment).astimezone(hours.zone)
    at = "à" if language == "fr" else "at"
    clock = clock_text(moment, hours, language)
    if local.date() == reference.date():
        today = "aujourd'hui" if language == "fr" else "today"
        return f"{today} {at} {clock}"
    if local.date() == reference.date() + timedelta(days=1):
        return f"{'demain' if language == 'fr' else 'tomorrow'} {at} {clock}"
    return f"{day_text(moment, hours, language)} {at} {clock}"


def plan_announcement(
    kind: str, moment: datetime, hours: OpeningHours, language: str, handle: str, holiday_message: bool = True
) -> Announcement | None:
    """The post for a scheduled opening or closing at `moment`, or None when there is nothing to say."""
    language = language_of(language)
    local_date = moment.astimezone(hours.zone).date()
    variant = local_date.toordinal()
    day = day_text(moment, hours, language)
    if kind == "opening":
        if hours.is_open(moment):
            text = OPENING[language][variant % len(OPENING[language])]
            close = clock_text(hours.next_closing(moment), hours, language)
            return Announcement("opening", f"opening#{local_date}", text.format(day=day, close=close, handle=handle))
        if local_date in hours.holidays and holiday_message:
            text = HOLIDAY[language][variant % len(HOLIDAY[language])]
            reopening = when_text(hours.next_opening(moment), hours, language, moment)
            return Announcement("holiday", f"holiday#{local_date}", text.format(day=day, next_opening=reopening))
        return None
    if kind == "closing":
        was_open = hours.is_open(moment - timedelta(minutes=1))
        if not was_open or hours.is_open(moment):
            return None
        text = CLOSING[language][variant % len(CLOSING[language])]
        back = when_text(hours.next_opening(moment), hours, language, moment)
        return Announcement("closing", f"closing#{local_date}", text.format(day=day, next_opening=back))
    raise ValueError(f"unknown announcement kind {kind!r}")


@dataclass(frozen=True)
class PlannedAnnouncement:
    """One announcement to schedule: its kind, its instant (UTC) and a name unique to the occurrence."""

    kind: str  # opening | closing (a holiday is announced by the opening, see plan_announcement)
    at: datetime

    @property
    def name(self) -> str:
        """The one-time schedule's name: the same on every planning run, so a plan is never made twice."""
        return f"announce-{self.kind}-{self.at.astimezone(UTC):%Y%m%dT%H%M}"

    def event(self) -> dict[str, str]:
        """What the announcer receives when the schedule fires."""
        return {"kind": self.kind, "scheduled_time": self.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}


def plan_day(hours: OpeningHours, day: date, holiday_message: bool = True) -> list[PlannedAnnouncement]:
    """The announcements of one local date, from the calendar alone: the day's first opening and last closing.

    A break in the day (lunch) is not announced; an edge that is no edge (a period going on past midnight) is not
    either, so overnight hours announce their 02:00 closing and their 20:00 opening on each date. On a closed
    holiday, the holiday message goes out at the hour the team would have opened (nothing on a day the team never
    works). DST comes with the time zone.
    """
    periods = hours.periods_on(day)
    if not periods:
        if not holiday_message or day not in hours.holidays:
            return []
        usual = replace(hours, holidays=frozenset()).periods_on(day)
        return [PlannedAnnouncement("opening", usual[0][0])] if usual else []
    openings = [start for start, _ in periods if not hours.is_open(start - timedelta(minutes=1))]
    closings = [end for _, end in periods if not hours.is_open(end)]
    planned = [PlannedAnnouncement("opening", openings[0])] if openings else []
    return planned + ([PlannedAnnouncement("closing", closings[-1])] if closings else [])


def plan_days(
    hours: OpeningHours, now: datetime, days: int = 2, holiday_message: bool = True
) -> list[PlannedAnnouncement]:
    """Every announcement still ahead of `now` in the brand's next `days` local dates (today included)."""
    today = now.astimezone(hours.zone).date()
    planned = [a for offset in range(days) for a in plan_day(hours, today + timedelta(days=offset), holiday_message)]
    return [a for a in planned if a.at > now]


@dataclass(frozen=True)
class Acknowledgement:
    """One out-of-hours acknowledgement: its claim, text and where it goes."""

    claim_key: str  # one automatic message per customer per closed period
    text: str
    reply_to_id: str | None  # public: reply in thread; None: DM
    customer_id: str
    language: str = "fr"


# Who addressed the brand and may get an automatic answer: not a quote (answering it amplifies someone else's post).
AUTOMATIC_CHANNELS = ("mention", "reply", "dm")


def plan_acknowledgement(
    case: dict, hours: OpeningHours, now: datetime, default_language: str = "fr"
) -> Acknowledgement | None:
    """The courteous out-of-hours answer for a newly opened case, or None when none is due.

    Only customers who addressed the brand (mention, reply, DM) and wait for an answer get one: never an
    unsolicited public @reply, never a quote, a message with a link or abusive words, noise or praise
    (`xrules.why_not_acknowledged`). Nothing is sent once the team has opened again. The text carries no profile
    text of the customer's: only the brand's words, the reopening time and the case reference.
    """
    from carebird.domain.timeparse import from_iso
    from carebird.domain.xrules import why_not_acknowledged

    if case.get("channel") not in AUTOMATIC_CHANNELS or case.get("acknowledged_at"):
        return None
    if why_not_acknowledged(case):
        return None
    if not case.get("waiting_since") or case.get("status") in ("noise", "praise", "closed"):
        return None  # noise and praise are never acknowledged: nobody waits for an answer
    opened = from_iso(case["opened_at"])
    if hours.is_open(opened) or hours.is_open(now):
        return None
    reopening = hours.next_opening(opened)
    if now >= reopening:
        return None
    language = language_of(case.get("lang"), default_language)
    text = ACKNOWLEDGEMENT[language].format(
        next_opening=when_text(reopening, hours, language, now), reference=case["reference"]
    )
    public = case.get("family") != "dm" and case.get("reply_to_id")
    return Acknowledgement(
        claim_key=f"ack#{case['customer_id']}#{reopening:%Y%m%dT%H%M}",
        text=text,
        reply_to_id=str(case["reply_to_id"]) if public else None,
        customer_id=str(case["customer_id"]),
        language=language,
    )
