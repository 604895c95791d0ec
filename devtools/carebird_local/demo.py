"""`carebird demo`: a day of X care traffic through the whole product on embedded AWS, in seconds.

Everything real but the outside world: the SAM template provisions moto (table, stream consumers,
topics, the SLA state machine with its substitutions, the announcement schedules), the real handlers
run in process, X is simulated (signed webhook deliveries in, dry-run client out) and the clock is a
simulation clock that jumps from one event to the next. SLA timers are held by a local timer queue
and handed to the real state machine when their deadline comes, which does the escalation.
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from carebird import clock
from carebird import settings as configuration
from carebird.domain import kpi
from carebird.domain.cases import Case
from carebird.domain.model import Author
from carebird.domain.sla import TimerStart
from carebird.domain.timeparse import from_iso, to_iso
from carebird.domain.triage import TriageRules, effective_priority
from carebird_local import local
from carebird_local import simulate as sim

PARIS = ZoneInfo("Europe/Paris")
DEMO_SECRET = "demo-consumer-secret"
TABLE = "carebird-demo"
DAY = datetime(2025, 11, 25)  # a Tuesday

BRAND = Author("1500000000000000001", "LumiereAide", "Lumière Télécom Aide", 48210, True)
CLAIRE = Author("1600000000000000002", "claire_dupont", "Claire Dupont", 312)
MAX = Author("1600000000000000003", "maxtech", "Max | Tech reviews", 185_000, True)
SAM = Author("1600000000000000004", "sam_b", "Sam B.", 41)
NORA = Author("1600000000000000005", "nora_k", "Nora K", 2400)
TOM = Author("1600000000000000006", "tomr", "Tom R", 15_000, True)
INES = Author("1600000000000000007", "ines_m", "Inès M", 880)
LEA = Author("1600000000000000008", "lea_m", "Léa Martin", 930)
SPAMMER = Author("1600000000000000009", "crypto_gains_777", "Crypto Gains", 12, following=4800)
PAUL = Author("1600000000000000010", "paul_v", "Paul V", 210)
HUGO = Author("1600000000000000011", "hugo_l", "Hugo L", 330)
EMMA = Author("1600000000000000012", "emma_lyon", "Emma", 1200)
KARIM = Author("1600000000000000013", "karim_b", "Karim B", 95)
ZOE = Author("1600000000000000014", "zoe_p", "Zoé P", 640)
OUTAGE_REPORTERS = ("hugo_l", "emma_lyon", "karim_b")  # one outage in Lyon, three customers telling the brand
BRAND_POST = "1859999999999999000"


def day_script() -> list[sim.Step]:
    """Tuesday 25 November 2025 and the next morning, in Paris time."""

    def at(hhmm: str, plus_days: int = 0) -> datetime:
        return sim.paris(DAY, hhmm, plus_days)

    steps: list[sim.Step] = []

    def add(when: datetime, story: str, payload: dict[str, Any]) -> str:
        steps.append(sim.Step(when, story, payload))
        return (
            sim.post_id_of(payload)
            if "direct_message_events" not in payload and "dm" not in str(payload.get("data", {}).get("event_type", ""))
            else ""
        )

    claire = add(
        at("09:05"),
        "Claire (FR): her box is down",
        sim.tweet(
            CLAIRE,
            "@LumiereAide bonjour, ma box internet ne marche plus depuis ce matin, voyant rouge. Vous pouvez m'aider ?",
            at("09:05"),
            BRAND,
        ),
    )
    maxtech = add(
        at("09:12"),
        "Max (EN, 185k, verified): angry complaint",
        sim.tweet(
            MAX,
            "@LumiereAide third outage this week and still no answer from support. Not great. #fail",
            at("09:12"),
            BRAND,
            lang="en",
        ),
    )
    add(
        at("09:15"),
        "a crypto spammer mentions the brand: noise",
        sim.tweet(
            SPAMMER,
            "@LumiereAide 🚀 crypto airdrop gratuit, 100x garanti ! cliquez ici https://moon.xyz/a https://moon.xyz/b",
            at("09:15"),
            BRAND,
        ),
    )
    add(
        at("09:20"),
        "Sam (FR): price question under a brand post",
        sim.tweet(
            SAM,
            "@LumiereAide c'est quoi le prix de l'offre fibre 1 Go pour un nouveau client ?",
            at("09:20"),
            BRAND,
            in_reply_to=(BRAND_POST, BRAND),
        ),
    )
    add(
        at("09:24"),
        "Sam quotes the brand post: a repeat contact",
        sim.tweet(
            SAM,
            "Toujours pas de réponse... quelqu'un connaît le prix ?",
            at("09:24"),
            BRAND,
            quoted=(BRAND_POST, BRAND),
        ),
    )
    add(
        at("09:26"),
        "someone retweets Claire: ignored",
        sim.tweet(
            NORA,
            "RT @claire_dupont: @LumiereAide bonjour, ma box internet ne marche plus",
            at("09:26"),
            BRAND,
            retweet_of={"id_str": claire},
        ),
    )
    brand_reply = sim.tweet(
        BRAND,
        "@claire_dupont Bonjour Claire ! Désolés pour la gêne, pouvez-vous nous écrire en DM votre n° client ?",
        at("09:30"),
        BRAND,
        in_reply_to=(claire, CLAIRE),
    )
    add(at("09:30"), "the brand answers Claire from the X app", brand_reply)
    add(at("09:31"), "X redelivers that reply: nothing new", brand_reply)
    add(
        at("09:40"),
        "Claire sends her customer number by DM",
        sim.dm(
            CLAIRE,
            BRAND,
            "Voici mon numéro client : 0042-77812. La box clignote toujours en rouge.",
            at("09:40"),
            BRAND,
        ),
    )
    add(
        at("09:52"),
        "the brand answers Claire's DM",
        sim.dm(
            BRAND,
            CLAIRE,
            "Merci Claire ! Un technicien relance votre ligne, retour au vert d'ici 15 min 🙂",
            at("09:52"),
            BRAND,
        ),
    )
    add(
        at("10:10"),
        "Claire thanks the brand by DM after its answer",
        sim.dm(CLAIRE, BRAND, "Merci beaucoup, tout remarche 👍", at("10:10"), BRAND),
    )
    paul = add(
        at("10:30"),
        "Paul (FR): his account was hacked: urgent",
        sim.tweet(
            PAUL,
            "@LumiereAide quelqu'un a piraté mon compte client : mon mot de passe a été changé et une commande "
            "a été passée à mon nom !",
            at("10:30"),
            BRAND,
        ),
    )
    add(
        at("10:50"),
        "the brand answers Paul within the urgent SLA",
        sim.tweet(
            BRAND,
            "@paul_v Bonjour Paul, nous bloquons votre compte tout de suite. Écrivez-nous en DM, un conseiller vous "
            "rappelle dans l'heure.",
            at("10:50"),
            BRAND,
            in_reply_to=(paul, PAUL),
        ),
    )
    add(
        at("10:05"),
        "the brand answers Max",
        sim.tweet(
            BRAND,
            "@maxtech Hi Max, sorry about this. A fix is rolling out in your area, we'll DM you an update 🙏",
            at("10:05"),
            BRAND,
            in_reply_to=(maxtech, MAX),
            lang="en",
        ),
    )
    nora = add(
        at("11:00"),
        "Nora (EN, X Activity API): fiber drops every evening",
        sim.activity_post(
            NORA,
            "@LumiereAide my fiber connection drops every evening since Monday, can you check?",
            at("11:00"),
            BRAND,
        ),
    )
    add(
        at("11:35"),
        "the brand answers Nora (X Activity API)",
        sim.activity_post(
            BRAND,
            "@nora_k Hi Nora! Could you DM us your customer number so we can test the line?",
            at("11:35"),
            BRAND,
            in_reply_to=(nora, NORA),
        ),
    )
    add(
        at("12:10"),
        "Inès (DM, X Activity API): wants to cancel",
        sim.activity_dm(INES, BRAND, "Bonjour, je veux résilier mon abonnement, comment faire ?", at("12:10"), BRAND),
    )
    add(
        at("12:40"),
        "the brand answers Inès by DM",
        sim.activity_dm(BRAND, INES, "Bonjour Inès, je vous explique la démarche : ...", at("12:40"), BRAND),
    )
    outage = [
        (HUGO, "14:02", "@LumiereAide plus d'internet depuis 14h à Lyon 7e, vous avez une panne ?", "fr"),
        (EMMA, "14:04", "@LumiereAide internet down in Lyon since 2pm, is it just me?", "en"),
        (KARIM, "14:06", "@LumiereAide coupure internet à Lyon, tout le quartier est touché", "fr"),
    ]
    for number, (author, when, text, lang) in enumerate(outage):
        reported = add(
            at(when),
            f"outage in Lyon: @{author.handle} reports it",
            sim.tweet(author, text, at(when), BRAND, lang=lang),
        )
        answer = (
            f"@{author.handle} Hi, a network outage hits Lyon since 2pm; our technicians are on it, back by 4pm."
            if lang == "en"
            else f"@{author.handle} Bonjour, une panne touche Lyon depuis 14h : nos techniciens sont dessus, "
            "retour prévu vers 16h."
        )
        add(
            at(f"14:{20 + number}"),
            f"the brand answers @{author.handle} about the outage",
            sim.tweet(BRAND, answer, at(f"14:{20 + number}"), BRAND, in_reply_to=(reported, author), lang=lang),
        )
    add(
        at("16:10"),
        "Zoé (FR) praises the fibre installation",
        sim.tweet(
            ZOE,
            "@LumiereAide bravo à l'équipe, installation de la fibre nickel ce matin, technicien au top 👏",
            at("16:10"),
            BRAND,
        ),
    )
    tom = add(
        at("17:40"),
        "Tom (EN, verified): refund still missing",
        sim.activity_post(
            TOM,
            "@LumiereAide I was promised a refund on my invoice and it still has not arrived, third time I ask!",
            at("17:40"),
            BRAND,
            in_reply_to=(BRAND_POST, BRAND),
        ),
    )
    lea = add(
        at("21:30"),
        "Léa (FR) writes after closing",
        sim.tweet(
            LEA, "@LumiereAide bonsoir, plus de réseau mobile depuis 20h à Lyon, c'est normal ?", at("21:30"), BRAND
        ),
    )
    add(
        at("21:45"),
        "Léa also writes by DM (same closed period)",
        sim.dm(LEA, BRAND, "Je vous écris aussi ici, toujours pas de réseau.", at("21:45"), BRAND),
    )
    add(
        at("09:10", 1),
        "next morning: the brand answers Tom",
        sim.activity_post(
            BRAND,
            "@tomr Hi Tom, the refund left today, you'll see it within 3 days. Sorry for the wait!",
            at("09:10", 1),
            BRAND,
            in_reply_to=(tom, TOM),
        ),
    )
    add(
        at("09:25", 1),
        "the brand answers Léa in public",
        sim.tweet(
            BRAND,
            "@lea_m Bonjour Léa, l'antenne de Lyon 3 est réparée depuis 7h. Tout est revenu ?",
            at("09:25", 1),
            BRAND,
            in_reply_to=(lea, LEA),
        ),
    )
    add(
        at("09:40", 1),
        "and by DM",
        sim.dm(
            BRAND,
            LEA,
            "Bonjour Léa, nous avons vu votre message : le réseau est rétabli depuis ce matin.",
            at("09:40", 1),
            BRAND,
        ),
    )
    return steps


@dataclass(order=True)
class _Event:
    at: datetime
    seq: int
    kind: str = field(compare=False)
    run: Callable[[], dict[str, Any]] = field(compare=False)


def what_carebird_did(case: Case, outcomes: dict[str, int]) -> str:
    """The quiet-by-default decision a delivery led to, in a few words (empty when it was an ordinary request)."""
    if case.status == "noise":
        return ": set aside as noise, no SLA, no acknowledgement"
    if case.status == "praise":
        return ": praise recorded, nobody paged"
    if "appended" in outcomes and case.outcome == "thanked" and case.status == "answered":
        return ": thanks recorded, the case stays answered"
    if case.band == "urgent" and case.waiting_since is not None:
        return ": urgent, held to the urgent SLA"
    return ""


class LocalTimers:
    """The dispatcher's Step Functions adapter for the simulation: holds each timer until its deadline."""

    def __init__(self, schedule: Callable[[datetime, str, Callable[[], dict[str, Any]]], None], stack: Any) -> None:
        self.schedule, self.stack = schedule, stack
        self.names: set[str] = set()
        self.cancelled: set[str] = set()

    def start(self, timer: TimerStart) -> bool:
        if timer.name in self.names:
            return False
        self.names.add(timer.name)
        # A backstop (the deadline's second chance if its execution could not queue the escalation) runs as in
        # AWS, but stays out of the day's story: on a day without failures it finds nothing to do.
        self.schedule(timer.fire_at, "backstop" if timer.after_earliest else "sla", lambda: self._run(timer))
        return True

    def cancel(self, names: Iterable[str]) -> int:
        """As Scheduler deletes a schedule: the deadline comes, and nothing runs (the day's story still says so)."""
        waiting = set(names) & self.names - self.cancelled
        self.cancelled |= waiting
        return len(waiting)

    def _run(self, timer: TimerStart) -> dict[str, Any]:
        if timer.name in self.cancelled:
            case = self.stack.store.get_case(timer.input["case_id"])
            who = f"{case.reference} @{case.customer.handle}" if case else timer.input["case_id"]
            outcome = "answered in time: its schedule was deleted, nothing ran"
            return {
                "story": f"SLA deadline of {who}",
                "status": "CANCELLED",
                "outcome": outcome,
                "execution": timer.name,
            }
        arn = self.stack.sfn.start_execution(
            stateMachineArn=self.stack.state_machine, name=timer.name, input=json.dumps(timer.input)
        )["executionArn"]
        while (status := self.stack.sfn.describe_execution(executionArn=arn)["status"]) == "RUNNING":
            time.sleep(0.01)
        self.stack.escalate()
        case = self.stack.store.get_case(timer.input["case_id"])
        late = case is not None and case.escalation_level > 0 and case.reopened == int(timer.input["reopened"])
        who = f"{case.reference} @{case.customer.handle}" if case else timer.input["case_id"]
        outcome = "still waiting: escalated, team emailed" if late else "answered in time: nothing sent"
        return {"story": f"SLA deadline of {who}", "status": status, "outcome": outcome, "execution": timer.name}


class Simulation:
    """The product on embedded AWS, driven through the day on a simulation clock."""

    def __init__(self) -> None:
        self.stack = local.EmbeddedStack(DEMO_SECRET, BRAND.id, BRAND.handle, TABLE)
        self.events: list[_Event] = []
        self.seq = itertools.count()
        self.timeline: list[dict[str, Any]] = []
        self.snapshots: dict[str, tuple[datetime, list[Case]]] = {}
        self.stack.timers = LocalTimers(self.schedule, self.stack)
        self.template = local.load_template()
        self.steps: list[sim.Step] = []
        self.posts: list[tuple[datetime, Any]] = []  # what went to X (dry run), with when

    def schedule(self, at: datetime, kind: str, run: Callable[[], dict[str, Any]]) -> None:
        heapq.heappush(self.events, _Event(at, next(self.seq), kind, run))

    def deliver(self, step: sim.Step) -> dict[str, Any]:
        response = self.stack.deliver(step.payload)
        body = self.stack.ingested() if response["statusCode"] == 200 else json.loads(response["body"])
        self.pump()
        store = self.stack.store
        case_id = store.case_id_for_message(sim.message_id_of(step.payload))
        case = store.get_case(case_id) if case_id else None
        outcomes = body.get("outcomes", body)
        words = {
            "created": "new case", "appended": "added to", "answered": "answers", "held": "held for",
            "duplicate": "already stored, nothing new", "ignored": "ignored", "deleted": "deleted from",
        }  # fmt: skip
        outcome = "; ".join(words.get(name, name) for name in outcomes)
        if case is not None and not set(outcomes) & {"duplicate", "ignored"}:
            outcome += f" {case.reference} (@{case.customer.handle}, {case.status})"
            outcome += what_carebird_did(case, outcomes)
        return {"story": step.story, "status": response["statusCode"], "outcomes": outcomes, "outcome": outcome,
                "case_kind": case.kind if case else None, "case_status": case.status if case else None}  # fmt: skip

    def pump(self) -> None:
        response = self.stack.dispatch()
        failures = response["batchItemFailures"] + self.stack.last_acknowledger_response["batchItemFailures"]
        if failures:
            raise RuntimeError(f"stream records failed: {failures}")

    def announce(self, kind: str, at: datetime) -> dict[str, Any]:
        result = self.stack.announce(kind, at.astimezone(PARIS).astimezone(ZoneInfo("UTC")).isoformat())
        return {"story": f"{kind} schedule fires", "outcome": result["outcome"]}

    def snapshot(self, label: str) -> dict[str, Any]:
        queue = self.stack.store.open_queue()
        self.snapshots[label] = (clock.now(), queue)
        return {"story": f"queue snapshot ({label})", "open": len(queue)}

    def run(self) -> None:
        start, end = sim.paris(DAY, "08:30"), sim.paris(DAY, "11:00", 1)
        sim.reset_ids()
        self.steps = day_script()
        for step in self.steps:
            self.schedule(step.at, "delivery", partial(self.deliver, step))
        clock.travel_to(start)  # the announcer plans from the calendar, as its nightly schedule does in AWS
        for planned in self.stack.plan_announcements():
            moment = from_iso(planned["scheduled_time"])
            if start <= moment < end:
                self.schedule(moment, "schedule", partial(self.announce, planned["kind"], moment))
        self.schedule(sim.paris(DAY, "09:45"), "snapshot", lambda: self.snapshot("Tuesday 09:45"))
        self.schedule(sim.paris(DAY, "10:40"), "snapshot", lambda: self.snapshot("Tuesday 10:40"))
        self.schedule(end - timedelta(minutes=1), "snapshot", lambda: self.snapshot("Wednesday 10:59"))
        while self.events:
            event = heapq.heappop(self.events)
            clock.travel_to(event.at)
            before = {id(call) for call in self.stack.x_calls()}
            outcome = event.run()
            if event.kind != "backstop":
                self.timeline.append({"at": event.at, "kind": event.kind, **outcome})
            self.posts += [(event.at, call) for call in self.stack.x_calls() if id(call) not in before]


def run_demo(
    out: TextIO = sys.stdout, as_json: bool = False, then: Callable[[local.EmbeddedStack], None] | None = None
) -> int:
    """Run the simulated day; 0 when the pipeline behaved as a care desk should. `then` gets the stack at the day's
    end, its clock still there (`carebird demo --serve` serves the inbox on it)."""
    saved = dict(os.environ)
    try:
        os.environ.update(AWS_DEFAULT_REGION="eu-west-3", TZ="UTC")
        os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")  # quiet unless the caller asks for more
        time.tzset()
        logging.getLogger("moto").setLevel(logging.CRITICAL)  # its ASL interpreter logs expected IsPresent misses
        from moto import mock_aws

        with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
            simulation = Simulation()
            simulation.run()
            report = _report(simulation)
            if then is not None:
                if as_json:
                    json.dump(report, out, indent=2, ensure_ascii=False, default=str)
                else:
                    _print(report, out, colour=out.isatty())
                out.flush()
                then(simulation.stack)
                return 1 if report["problems"] else 0
    finally:
        clock.reset()
        os.environ.clear()
        os.environ.update(saved)
        time.tzset()
    if as_json:
        json.dump(report, out, indent=2, ensure_ascii=False, default=str)
        out.write("\n")
    else:
        _print(report, out, colour=out.isatty())
    return 1 if report["problems"] else 0


def _report(simulation: Simulation) -> dict[str, Any]:
    stack = simulation.stack
    store = stack.store
    case_ids = sorted(
        i["case_id"]["S"]
        for i in stack.dynamodb.scan(
            TableName=TABLE, FilterExpression="sk = :c", ExpressionAttributeValues={":c": {"S": "CASE"}}
        )["Items"]
    )
    cases = [store.get_case(case_id) for case_id in case_ids]
    policy = configuration.sla_policy()
    end = simulation.timeline[-1]["at"]
    report = kpi.compute([c for c in cases if c], policy.hours, policy.minutes_for_case, sim.paris(DAY, "00:00"), end)
    emails = stack.team_emails()
    x_calls = [_post_json(at, call, store) for at, call in sorted(simulation.posts, key=lambda p: p[0])]
    problems = _check(cases, emails, x_calls, simulation) + _check_times(simulation, store)
    return {
        "timeline": [{**e, "at": e["at"].astimezone(PARIS).strftime("%a %H:%M")} for e in simulation.timeline],
        "queues": {label: [_case_json(c, at) for c in queue] for label, (at, queue) in simulation.snapshots.items()},
        "cases": [_case_json(c, end) for c in cases if c],
        "escalations": emails,
        "x_posts": x_calls,
        "kpi": {
            "cases": report.cases,
            "answered": report.answered,
            "unanswered": report.unanswered,
            "median_first_response_minutes": report.median_first_response,
            "p90_first_response_minutes": report.p90_first_response,
            "sla_breaches": report.breaches,
            "breach_rate": round(report.breach_rate, 3),
            "by_channel": report.by_channel,
            "by_topic": report.by_topic,
            "acknowledged": report.acknowledged,
            "noise": report.noise,
            "praise": report.praise,
        },
        "problems": problems,
    }


def _check(
    cases: list[Case | None], emails: list[dict[str, str]], x_calls: list[dict[str, Any]], simulation: Simulation
) -> list[str]:
    problems = []
    by_handle: dict[str, list[Case]] = {}
    for case in cases:
        if case:
            by_handle.setdefault(case.customer.handle, []).append(case)
    # one case per customer conversation (Claire's and Léa's DMs continue their public conversations); the outage's
    # reports are counted apart: grouping them into one incident is the triage's business, losing one is not
    others = [c for c in cases if c and c.customer.handle not in OUTAGE_REPORTERS]
    if len(others) != 10:
        problems.append(f"expected 10 cases besides the outage (one per conversation), found {len(others)}")
    for handle in OUTAGE_REPORTERS:
        reported = [c for c in by_handle.get(handle, []) if c.status not in ("noise", "praise")]
        sent = [s for s in simulation.steps if s.payload.get("tweet_create_events", [{}])[0].get("user", {}).get(
            "screen_name") == handle]  # fmt: skip
        stored = all(simulation.stack.store.case_id_for_message(sim.message_id_of(s.payload)) for s in sent)
        if not sent or not stored or not reported:
            problems.append(f"@{handle}'s outage report should be kept as a request, not set aside")
    for handle in ("claire_dupont", "lea_m"):
        joined = [c for c in by_handle.get(handle, []) if c.conversation_id]
        if len(by_handle.get(handle, [])) != 1 or not joined:
            problems.append(f"@{handle}'s DM should continue her public case, found {len(by_handle.get(handle, []))}")
    quiet = {"crypto_gains_777": "noise", "zoe_p": "praise", "claire_dupont": "answered"}
    for handle, status in quiet.items():
        found = [c.status for c in by_handle.get(handle, [])]
        if found != [status]:
            problems.append(f"@{handle}'s case should be {status} (quiet by default), found {found}")
    paul = by_handle.get("paul_v", [])
    if [c.band for c in paul] != ["urgent"] or paul[0].first_response_at is None:
        problems.append(f"@paul_v's hacked account should be an urgent case, answered: {[c.band for c in paul]}")
    waiting_at_1040 = simulation.snapshots.get("Tuesday 10:40", (None, []))[1]
    if [c.customer.handle for c in waiting_at_1040 if c.band == "urgent"] != ["paul_v"]:
        problems.append("the 10:40 queue should hold Paul's case in the urgent band")
    if [e["subject"].split("@")[1].split()[0] for e in emails] != ["sam_b"]:
        problems.append(
            f"expected exactly one escalation, for the case nobody answered: {[e['subject'] for e in emails]}"
        )
    unanswered = [
        c.customer.handle for c in cases if c and c.first_response_at is None and c.status not in ("noise", "praise")
    ]
    if unanswered != ["sam_b"]:
        problems.append(f"every case but Sam's should be answered, unanswered: {unanswered}")
    acknowledgements = [c for c in x_calls if c["action"] in ("reply", "dm")]
    # to Léa's evening mention (her DM of the same closed period gets nothing more), without her name: no profile
    # text of a customer's in anything carebird posts by itself
    if len(acknowledgements) != 1 or acknowledgements[0]["at"] != "Tue 21:30" or "Léa" in acknowledgements[0]["text"]:
        problems.append(f"expected one out-of-hours acknowledgement, to Léa, without her name: {acknowledgements}")
    announcements = [c for c in x_calls if c["action"] == "post"]
    if len(announcements) != 3:
        problems.append(f"expected opening, closing and next opening announcements, got {len(announcements)}")
    first = simulation.snapshots.get("Tuesday 09:45", (None, []))[1]
    if not first or first[0].customer.handle != "maxtech":
        problems.append("the influential complaint should lead the 09:45 queue")
    if any(e.get("status") not in (None, 200, "SUCCEEDED", "CANCELLED") for e in simulation.timeline):
        problems.append("a delivery or an SLA execution failed")
    return problems


def _post_json(at: datetime, call: Any, store: Any) -> dict[str, Any]:
    """One post to X, said the way a shop owner reads it: when, what kind, to whom."""
    to = ""
    if call.action == "reply" and call.target:
        case = store.get_case(store.case_id_for_message(call.target) or "")
        to = f"reply to @{case.customer.handle} ({case.reference})" if case else "reply"
    elif call.action == "dm":
        to = f"DM to user {call.target}"
    return {"at": at.astimezone(PARIS).strftime("%a %H:%M"), "action": call.action, "target": call.target,
            "to": to or "public post", "text": call.text}  # fmt: skip


def _check_times(simulation: Simulation, store: Any) -> list[str]:
    """What was stored against what was sent: every stored message carries the time its delivery said."""
    problems, checked, seen = [], 0, set()
    for step in simulation.steps:
        message_id = sim.message_id_of(step.payload)
        if message_id in seen:
            continue  # a redelivery: the first delivery's time is the one kept
        seen.add(message_id)
        case_id = store.case_id_for_message(message_id)
        if case_id is None:
            continue  # ignored on purpose (a redelivery, the brand's own post)
        stored = next((m for m in store.messages(case_id) if m["message_id"] == message_id), None)
        checked += 1
        if stored is None or stored["created_at"] != to_iso(step.at):
            got = stored["created_at"] if stored else "nothing"
            problems.append(f"{step.story}: sent at {to_iso(step.at)}, stored at {got}")
    if checked < len(simulation.steps) // 2:
        problems.append(f"only {checked} of {len(simulation.steps)} sent messages were found stored")
    return problems


def _case_json(case: Case, now: datetime) -> dict[str, Any]:
    rules = TriageRules()
    waiting = case.waiting_since
    return {
        "reference": case.reference,
        "case_id": case.case_id,
        "customer": case.customer.handle,
        "channel": case.channel.value,
        "status": case.status,
        "priority": case.priority,
        "effective_priority": effective_priority(case.priority, waiting, now, rules) if waiting else None,
        "waiting_open_minutes": int(rules.hours.open_minutes_between(waiting, now)) if waiting else 0,
        "topic": case.topic,
        "reasons": list(case.reasons),
        "messages": case.inbound_count,
        "opened": case.opened_at.astimezone(PARIS).strftime("%a %H:%M"),
        "first_response": case.first_response_at.astimezone(PARIS).strftime("%a %H:%M")
        if case.first_response_at
        else None,
        "acknowledged_via": case.ack_via,
        "escalated": case.escalation_level > 0,
    }


def _print(report: dict[str, Any], out: TextIO, colour: bool) -> None:
    """The day as a shop owner reads it: a timeline in Paris time, the queue, the email, the posts, the KPIs."""

    def paint(text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if colour else text

    def heading(text: str) -> None:
        out.write("\n" + paint(text, "1") + "\n")

    out.write(paint("carebird demo: a day of X customer care on embedded AWS (simulated clock, X in dry run)", "1"))
    out.write("\n")
    heading("The day, hour by hour (Paris time)")
    marks = {"delivery": ("X  ", "36"), "schedule": ("⏰ ", "35"), "sla": ("SLA", "33"), "snapshot": ("▤  ", "34")}
    for entry in report["timeline"]:
        mark, code = marks[entry["kind"]]
        detail = entry.get("outcome") or entry.get("status") or ""
        if entry["kind"] == "snapshot":
            detail = f"{entry['open']} customer(s) waiting"
        if entry["kind"] == "schedule":
            detail = f"announcement {entry.get('outcome')}"
        late = "escalated" in str(detail)
        out.write(
            f"  {entry['at']}  {paint(mark, code)}  {entry['story']:<52}  {paint(str(detail), '31' if late else '0')}\n"
        )
    for label, queue in report["queues"].items():
        heading(f"Who waits at {label}, most urgent first")
        out.write("  priority now = triage score + 1 point per 2 opening minutes waited\n")
        out.write(f"  {'now':>4} {'score':>5}  {'case':<10} {'customer':<15} {'status':<9} {'waiting':>8}  why\n")
        for case in queue:
            waited = f"{case['waiting_open_minutes']} min"
            out.write(
                f"  {case['effective_priority'] or '':>4} {case['priority']:>5}  {case['reference']:<10} "
                f"@{case['customer']:<14} {case['status']:<9} {waited:>8}  {'; '.join(case['reasons'][:2])}\n"
            )
    heading(f"Escalation emails sent to the team ({len(report['escalations'])})")
    for email in report["escalations"]:
        out.write(paint(f"  Subject: {email['subject']}\n", "33"))
        out.write("".join(f"  | {line}\n" for line in email["message"].splitlines()))
    heading("What carebird posted on X (dry run: nothing left the machine)")
    for post in report["x_posts"]:
        out.write(f"  {post['at']}  {post['to']:<32}  {post['text']}\n")
    k = report["kpi"]
    heading("The day in figures")
    rows = [
        ("customers who needed an answer", k["cases"]),
        ("answered", k["answered"]),
        ("still waiting", k["unanswered"]),
        ("first response, median", f"{k['median_first_response_minutes']:.0f} opening minutes"),
        ("first response, 90th percentile", f"{k['p90_first_response_minutes']:.0f} opening minutes"),
        ("SLA breaches", f"{k['sla_breaches']} ({k['breach_rate']:.0%})"),
        ("out-of-hours acknowledgements", k["acknowledged"]),
        ("noise / praise set aside", f"{k['noise']} / {k['praise']}"),
        ("by channel", ", ".join(f"{n} {c}" for n, c in k["by_channel"].items())),
        ("by topic", ", ".join(f"{n} {c}" for n, c in k["by_topic"].items())),
    ]
    for name, value in rows:
        out.write(f"  {name:<34} {value}\n")
    if report["problems"]:
        out.write(paint("\nProblems:\n  " + "\n  ".join(report["problems"]) + "\n", "31"))
    else:
        out.write(paint("\nEverything behaved as a care desk should.\n", "32"))
