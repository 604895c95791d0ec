"""Outages counted, not guessed: several distinct customers reporting the same failure within a short window.

Each waiting customer message that reports a failure of a service (internet, mobile network, power, gas, water,
TV, the app), in any wording ("fibre en rade", "zéro réseau", "can't make calls"), is noted in a ledger with its
customer and case, once per case (a follow-up repeating the same failure adds nothing). When `customers`
distinct customers have reported the same service's failure within `window` (or one influential account speaks
of a widespread outage), the desk declares one outage: every case of the burst, and every later report while it
lasts, carries the same reason and ranks in the urgent band for two windows (then reports are counted anew); the
team gets one alert for the outage, not one per case (the declaration is a conditional write: whoever wins it
alerts, retries and racing invocations do not).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from carebird.domain.cases import Case, queue_rank
from carebird.domain.cues import SERVICE_NOUN
from carebird.domain.triage import (
    DEFAULT_BOOK,
    FAILURE,
    URGENT_BAND,
    CueBook,
    Kind,
    TriageRules,
    band_reason,
    fold,
    risks_in,
    with_failure,
)

if TYPE_CHECKING:
    from carebird.ports import CaseStore

SERVICES = {
    "service internet": "internet",
    "service mobile": "mobile network",
    "service power": "power",
    "service tv": "TV",
    "service app": "app and website",
    "service gas": "gas",
    "service water": "water",
}
OUTAGE_REASON = "outage: "
# "Me too" under way of an outage: a customer joining the others' reports without naming the service again.
ME_TOO = re.compile(
    r"\b(?:pareil|idem|moi aussi|chez moi aussi|ici aussi|ici non plus|pas que moi|meme chose|meme probleme|"
    r"me too|same here|same (?:on|in|at|for|problem|issue|thing)|here too|nothing here|either|not just me)\b"
)
# A customer asking whether a failure is theirs alone or the area's ("c chez moi ou chez vous ?", "is it just me?",
# "any known problems?"): a report of the failure others are reporting at the same time, even naming no service.
SHARED = re.compile(
    r"\b(?:chez moi ou chez vous|juste chez moi|que chez moi|c'est general|c'est pas que moi|is it (?:just )?me|"
    r"just me or|only me|anyone else|everyone else|is (?:something|anything|it|the \w+) down|"
    # asking after a fault in the area: "any known problems?", "anyone aware?", "un incident en cours ?"
    r"(?:any |a )?known (?:problems?|issues?|faults?|outages?)|anyone aware|something going on|"
    r"(?:incident|panne|souci|probleme) (?:en cours|general|generale|dans le secteur|sur le secteur|dans le coin))\b"
)
# What a failure can be about that is no service the desk counts: the customer's own heating or boiler.
OTHER_THINGS = ("heating", "no heat")
NAMED_THING = r"\b" + SERVICE_NOUN + r"\b"  # the rare-path patterns below are compiled by `re` on first use
# The service a failure pattern's own noun names ("can't make a single call", "la co a lâché"), when the words
# around it named none of the services counted: what the customer said broke is the service counted.
NOUN_SERVICE = (
    (
        r"\b(?:internet|co|fibre|fiber|box|wifi|wi-fi|net|connexion|connection|broadband|hub|router|routeur|modem)\b",
        "internet",
    ),
    (
        r"\b(?:reseau|network|signal|reception|coverage|[345]g|data|calls?|appels?|sms|textos?|texts?|bars?|barres?|"
        r"phone|telephone|appeler|capter|telephoner)\b",
        "mobile network",
    ),
    (r"\b(?:tele|television|tv|telly|chaines?|channels?|ecran noir|black screen|blank screen)\b", "TV"),
    (r"\b(?:courant|electricite|elec|jus|power|electricity|electric|lights?)\b", "power"),
    (r"\b(?:gaz|gas)\b", "gas"),
    (r"\b(?:eau|water)\b", "water"),
    (r"\b(?:app|appli|site|website)\b", "app and website"),
)
# A failure that has lasted days ("depuis jeudi", "4 mois sans fibre", "for two weeks now"): one home's fault, not
# the burst of reports an outage makes within minutes; it is not counted (it still waits as a request).
DAYS = (
    r"(?:\d+|deux|trois|quatre|cinq|six|two|three|four|five|several|plusieurs|des|many) "
    r"(?:jours?|days?|semaines?|weeks?|mois|months?)"
)
WEEKDAY = (
    r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|wednesday|thursday|friday|saturday|"
    r"sunday|last week|la semaine derniere|ages|weeks|days|months)"
)
LONG_STANDING = (
    r"\b(?:depuis|since|for|pendant|over|ca fait|it's been|its been)\s+(?:(?:about|almost|nearly|over|more than|"
    r"plus de|presque|environ|the last|the past|last|les)\s+)?(?:" + DAYS + "|" + WEEKDAY + r")\b"
    r"|\b" + DAYS + r"\s+(?:sans|without|with no)\b"
)
# A speed quoted ("940 down", "50 down 10 up", "3mb down"): what the line delivers, no failure.
SPEED = r"\b\d+(?:[.,]\d+)? ?(?:mb(?:ps|/s|its)?|gb(?:ps)?|megs?|meg)? ?(?:down|up)(?:load)?\b"
# A service said to be off in a word the failure patterns do not know ("broadband off round here", "box KO").
STOPPED = re.compile(r"\b(?:off|out|gone|down|dead|mort|morte|hs|ko|kaput|nada|nowt|que dalle)\b")


@dataclass(frozen=True)
class OutageRules:
    """How many customers, within what window, make an outage."""

    customers: int = 4  # distinct customers reporting the same failure...
    window: timedelta = timedelta(minutes=30)  # ...within this window make one outage
    influential_followers: int = 50_000  # one account this large speaking of many people affected is enough


@dataclass(frozen=True)
class Report:
    """One customer's failure report, as the ledger keeps it."""

    customer_id: str
    case_id: str
    at: datetime


class OutageLedger(Protocol):
    """Where reports are counted and outages declared (the cases table in production, a dict in tests)."""

    def report(self, service: str, report: Report, window: timedelta) -> tuple[list[Report], str | None]:
        """Note a report; the reports of the window (this one included) and the outage declared, if any."""
        ...

    def declared(self, service: str, at: datetime) -> str | None: ...
    def under_way(self, service: str, at: datetime, window: timedelta) -> tuple[str | None, list[Report]]:
        """The outage declared, if any, and the reports of the window ending at `at`: one read, noting nothing."""
        ...

    def declare(self, service: str, outage_id: str, at: datetime, window: timedelta) -> bool: ...


class OutageAlerts(Protocol):
    def outage_declared(self, outage_id: str, service: str, customers: int, at: datetime) -> None: ...


def failed_service(text: str, book: CueBook = DEFAULT_BOOK) -> str | None:
    """The service a message says has failed ("plus de fibre", "no signal"), or None when it reports no failure."""
    services = failed_services(text, book)
    return services[0] if services else None


def failed_services(text: str, book: CueBook = DEFAULT_BOOK) -> tuple[str, ...]:
    """Every service a message names as failed ("plus d'internet sur mon portable": internet and the mobile
    network): the report is counted for each, and the service many customers report makes the outage."""
    folded = _without_speeds(fold(text))
    found = with_failure(folded, book.scan(folded))
    if not _says_wrong(folded, found):
        return ()  # a service named, nothing said wrong with it
    named = tuple(service for family, service in SERVICES.items() if family in found)
    failure = FAILURE.search(folded)
    if named or not failure:
        return named
    return tuple(service for pattern, service in NOUN_SERVICE if re.search(pattern, failure.group(0)))[:1]


def unnamed_failure(text: str, book: CueBook = DEFAULT_BOOK) -> bool:
    """A report of a failure that names no service: "ça coupe en plein match", "plus rien depuis 20h", "c chez moi
    ou chez vous ?", "same here". It belongs to whatever failure other customers are reporting at that moment."""
    folded = _without_speeds(fold(text))
    found = with_failure(folded, book.scan(folded))
    named = FAILURE.search(folded)
    if any(f in found for f in OTHER_THINGS) or (named and re.search(NAMED_THING, named.group(0))):
        return False  # something else broke down ("chaudière en panne", "where's Dave gone from my channel list")
    return bool(ME_TOO.search(folded) or SHARED.search(folded)) or any(f in found for f in ("failure", "outage"))


def _without_speeds(folded: str) -> str:
    return re.sub(SPEED, " ", folded) if "down" in folded or "up" in folded else folded


def _says_wrong(folded: str, found: dict[str, tuple[str, ...]]) -> bool:
    return any(f in found for f in ("failure", "outage", "problem")) or bool(STOPPED.search(folded))


def speaks_for_many(case: Case, text: str, rules: OutageRules, book: CueBook = DEFAULT_BOOK) -> bool:
    """One influential account saying "thousands", "the whole town": enough to declare on its own."""
    widespread = any(risk.family == "outage" for risk in risks_in(text, book))
    return widespread and (case.customer.followers >= rules.influential_followers or case.customer.verified)


@dataclass
class OutageWatch:
    """Counts customers' failure reports across cases and declares an outage."""

    ledger: OutageLedger
    alerts: OutageAlerts
    rules: OutageRules
    triage_rules: TriageRules

    def note(self, store: CaseStore, case_id: str, text: str, at: datetime) -> str | None:
        """Count one customer's report; declare the outage when enough customers reported it; mark its cases.
        Returns the outage id the case now belongs to, if any."""
        case = store.get_case(case_id)
        if case is None or not case.awaiting_reply or case.kind in (Kind.NOISE, Kind.THANKS):
            return None
        services = failed_services(text, self.triage_rules.cues)
        if services and re.search(LONG_STANDING, fold(text)):
            return case.outage  # a fault of days or weeks is one home's, not the burst an outage makes
        if not services and unnamed_failure(text, self.triage_rules.cues):  # "pareil ici", "ça coupe", "is it me?"
            services = self._under_way(case, at)
        if not services:
            return case.outage  # most messages report no failure: the conversation before it need not be read
        earlier = case.triage_text[: -len(text)] if case.triage_text.endswith(text) else ""
        counted = failed_services(earlier, self.triage_rules.cues) if earlier else ()
        for service in services:
            if service in counted:
                continue  # this customer's case was counted for this failure already: one customer, one report
            outage_id = self._count(store, case, service, text, at)
            if outage_id is not None:
                return outage_id
        return case.outage

    def _under_way(self, case: Case, at: datetime) -> tuple[str, ...]:
        """The failures a report naming no service joins: the outages declared, else the service other customers
        reported last within the window (the burst being counted nearest in time), else none."""
        states = {service: self.ledger.under_way(service, at, self.rules.window) for service in SERVICES.values()}
        declared = tuple(service for service, (outage_id, _) in states.items() if outage_id is not None)
        if declared:
            return declared
        latest: dict[str, datetime] = {}
        for service, (_, reports) in states.items():
            others = [r.at for r in reports if r.customer_id != case.customer.id]
            if others:
                latest[service] = max(others)
        return (max(latest, key=lambda s: latest[s]),) if latest else ()

    def _count(self, store: CaseStore, case: Case, service: str, text: str, at: datetime) -> str | None:
        reports, outage_id = self.ledger.report(service, Report(case.customer.id, case.case_id, at), self.rules.window)
        customers = {r.customer_id for r in reports}
        if outage_id is None and (
            len(customers) >= self.rules.customers or speaks_for_many(case, text, self.rules, self.triage_rules.cues)
        ):
            candidate = f"{service.split()[0].lower()}-{at:%Y%m%dT%H%M}"
            if self.ledger.declare(service, candidate, at, self.rules.window):
                self.alerts.outage_declared(candidate, service, len(customers), at)
                outage_id = candidate
            else:
                outage_id = self.ledger.declared(service, at)
        if outage_id is None:
            return None
        for report in reports:
            mark_case(store, report.case_id, outage_id, service, len(customers), self.rules, self.triage_rules)
        return outage_id


def mark_case(
    store: CaseStore, case_id: str, outage_id: str, service: str, customers: int, rules: OutageRules,
    triage_rules: TriageRules, attempts: int = 3,
) -> bool:  # fmt: skip
    """Put one waiting case in the outage (urgent band, the outage's reason); True when it changed."""
    from carebird.errors import ConcurrentUpdate

    for _ in range(attempts):
        case = store.get_case(case_id)
        if case is None or not case.awaiting_reply or case.outage == outage_id:
            return False
        try:
            store.save_case(in_outage(case, outage_id, service, customers, rules, triage_rules), case.version)
            return True
        except ConcurrentUpdate:
            continue
    return False


def in_outage(
    case: Case, outage_id: str, service: str, customers: int, rules: OutageRules, triage_rules: TriageRules
) -> Case:
    """The case as part of the outage: urgent band, at least the urgent floor, the outage's reason first."""
    minutes = int(rules.window.total_seconds() // 60)
    who = (
        f"{customers} customers reported it in the last {minutes} minutes"
        if customers >= rules.customers
        else "an account with a large audience reports many people affected"
    )
    reason = f"{OUTAGE_REASON}{service} down for many customers ({who}, {outage_id}); the team was alerted once"
    kept = [r for r in case.reasons if not r.startswith(("urgent band", "request band", OUTAGE_REASON))]
    priority = max(case.priority, triage_rules.urgent_floor)
    rank = queue_rank(priority, case.waiting_since, triage_rules, URGENT_BAND) if case.waiting_since else None
    return replace(
        case,
        outage=outage_id,
        band=URGENT_BAND,
        kind=Kind.URGENT.value,
        priority=priority,
        rank=rank,
        reasons=(band_reason(URGENT_BAND, "a widespread outage"), reason, *kept),
    )


class InMemoryOutageLedger:
    """The ledger in plain dicts: tests, the evaluation and the local stack."""

    def __init__(self) -> None:
        self.reports: dict[str, list[Report]] = {}
        self.outages: dict[str, tuple[str, datetime]] = {}  # service -> (outage id, lasts until)

    def report(self, service: str, report: Report, window: timedelta) -> tuple[list[Report], str | None]:
        kept = [r for r in self.reports.get(service, []) if r.at > report.at - window and r.case_id != report.case_id]
        self.reports[service] = [*kept, report]
        return list(self.reports[service]), self.declared(service, report.at)

    def under_way(self, service: str, at: datetime, window: timedelta) -> tuple[str | None, list[Report]]:
        return self.declared(service, at), [r for r in self.reports.get(service, []) if at - window < r.at <= at]

    def declared(self, service: str, at: datetime) -> str | None:
        outage = self.outages.get(service)
        return outage[0] if outage and outage[1] > at else None

    def declare(self, service: str, outage_id: str, at: datetime, window: timedelta) -> bool:
        if self.declared(service, at) is not None:
            return False
        self.outages[service] = (outage_id, at + 2 * window)  # a burst's outage lasts two windows, then is counted anew
        return True
