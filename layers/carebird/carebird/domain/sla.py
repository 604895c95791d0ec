"""SLA timers: when a case is due, and what its Step Functions execution is told."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from carebird.domain.calendar import OpeningHours
from carebird.domain.model import CaseStatus
from carebird.domain.timeparse import from_iso, to_iso
from carebird.ports import Timers

if TYPE_CHECKING:
    from carebird.domain.cases import Case

SCHEDULE_NAME_LIMIT = 64  # EventBridge Scheduler's limit on a schedule's name
# Everyone who wrote while the desk was closed shares one deadline to the second (opening + the SLA): each such
# case fires at its own offset in this window (a hash of its id), so Monday's herd arrives as a trickle.
HERD_SPREAD = timedelta(minutes=5)
# A second timer per deadline, this long after it: it finds the case escalated and stops, unless the first
# execution could not queue the escalation (the workflow's retry budget spent): then it queues it again.
BACKSTOP_AFTER = timedelta(minutes=30)


@dataclass(frozen=True)
class SlaPolicy:
    """90 opening minutes by default; an optional second level for the manager after a further period.

    The defaults are the settings' (SLA_MINUTES, SECOND_LEVEL_MINUTES, CITATION_SLA_MINUTES, TOPIC_SLA_MINUTES,
    URGENT_SLA_MINUTES), written here as literals so the domain needs no settings; tests/unit/test_settings.py
    holds them equal."""

    minutes: int = 90
    second_level_minutes: int = 60
    hours: OpeningHours = field(default_factory=OpeningHours)
    channel_minutes: dict[str, int] = field(default_factory=lambda: {"citation": 240, "topic": 0})
    urgent_minutes: int = 30

    def minutes_for(self, channel: str | None, band: str | None = None) -> int:
        """The SLA of a case: its channel's (watch cases longer, topics none), shortened for the urgent band."""
        minutes = self.channel_minutes.get(str(channel), self.minutes)
        if band == "urgent" and minutes > 0:
            return min(minutes, self.urgent_minutes)
        return minutes

    def minutes_for_case(self, case: Any) -> int:
        """The SLA of one case (0: none), from its channel and band."""
        return self.minutes_for(case.channel.value, case.band)


@dataclass(frozen=True)
class TimerStart:
    """One deadline: its name (the idempotency key), when it fires, and the escalation workflow's input."""

    name: str
    fire_at: datetime
    input: dict[str, Any]
    after_earliest: timedelta = timedelta(0)  # a late start keeps this distance from the earliest possible fire


def timer_name(case_id: str, reopened: int, level: int = 1, backstop: bool = False, minutes: int = 0) -> str:
    """Unique per case opening and level, so a retried or redelivered stream record schedules nothing twice; with
    `minutes`, a shorter SLA the case took while waiting in that opening (it turned urgent: shortened_timers).

    A case id made of the characters a schedule name allows, short enough, is the name as it is (the names of
    every X post and DM case). Any other (an XChat id with `:`, anything long) gets a readable ASCII head and a
    hash of the exact id after a `.`, a character no plain name holds: two ids never fold or cut to one name.
    A backstop's name is built the same way with `-b` in its suffix (never its deadline's name cut to fit).
    """
    suffix = f"-r{reopened}-l{level}" + (f"-m{minutes}" if minutes else "") + ("-b" if backstop else "")
    if re.fullmatch(r"[A-Za-z0-9_-]+", case_id) and len(case_id) + len(suffix) <= SCHEDULE_NAME_LIMIT:
        return case_id + suffix
    digest = hashlib.sha256(case_id.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    head = re.sub(r"[^A-Za-z0-9_-]", "_", case_id.encode("ascii", "replace").decode())
    return f"{head[: SCHEDULE_NAME_LIMIT - len(suffix) - len(digest) - 1]}.{digest}{suffix}"


def needs_timer(old: Case | None, new: Case | None) -> bool:
    """A case that starts waiting: a new case, or a reopened one (the stream's images arrive decoded:
    carebird.app.streams)."""
    if new is None or new.waiting_since is None or new.status is CaseStatus.CLOSED:
        return False
    return old is None or old.reopened != new.reopened


def timers_for(case: Case, policy: SlaPolicy, shortened_to: int = 0) -> list[TimerStart]:
    """The deadlines of a case now waiting: the team's, and the manager's when a second level is set; each
    with its backstop timer, and shifted within HERD_SPREAD when the case started waiting while closed. With
    `shortened_to`, their names carry the shorter SLA the case took while waiting (timer_name's `minutes`)."""
    first = timer_for(case, policy)
    deadlines = [first]
    if "second_due_at" in first.input:
        deadlines.append(
            TimerStart(
                name=timer_name(case.case_id, case.reopened, 2),
                fire_at=from_iso(first.input["second_due_at"]),
                input=first.input | {"level": "2"},
            )
        )
    offset = herd_offset(case, policy)
    timers = []
    for level, deadline in enumerate(deadlines, start=1):
        deadline_at = TimerStart(
            timer_name(case.case_id, case.reopened, level, minutes=shortened_to),
            deadline.fire_at + offset,
            deadline.input,
        )
        timers.append(deadline_at)
        backstop_name = timer_name(case.case_id, case.reopened, level, backstop=True, minutes=shortened_to)
        timers.append(backstop_for(deadline_at, backstop_name))
    return timers


def herd_offset(case: Case, policy: SlaPolicy) -> timedelta:
    """0 for a case that started waiting while open; else its own second within HERD_SPREAD (stable per case)."""
    if case.waiting_since is None or policy.hours.is_open(case.waiting_since):
        return timedelta(0)
    digest = hashlib.sha256(case.case_id.encode("utf-8")).digest()
    return timedelta(seconds=int.from_bytes(digest[:4], "big") % int(HERD_SPREAD.total_seconds()))


def backstop_for(deadline: TimerStart, name: str) -> TimerStart:
    """The deadline's second chance: same input, BACKSTOP_AFTER later, its own name (timer_name's, backstop=True)."""
    return TimerStart(name, deadline.fire_at + BACKSTOP_AFTER, deadline.input, after_earliest=BACKSTOP_AFTER)


def timer_for(case: Case, policy: SlaPolicy) -> TimerStart:
    """The first deadline of a case now waiting: in opening minutes, with the texts for the email."""
    if case.waiting_since is None:
        raise ValueError(f"case {case.case_id} is not waiting: it has no deadline")
    waiting_since = case.waiting_since
    minutes = policy.minutes_for(case.channel.value, case.band)
    due = policy.hours.add_open_minutes(waiting_since, minutes)
    reopened = case.reopened
    payload: dict[str, Any] = {
        "case_id": case.case_id,
        "level": "1",
        "reopened": str(reopened),
        "due_at": to_iso(due),
        "waiting_since": to_iso(waiting_since),
        "sla_text": f"{minutes} opening minutes",
        "waited_text": human_duration(due - waiting_since),
        "waited_open_minutes": str(minutes),
        "waiting_since_local": local_text(waiting_since, policy.hours),
        "due_local": local_text(due, policy.hours),
    }
    if policy.second_level_minutes:
        second_due = policy.hours.add_open_minutes(due, policy.second_level_minutes)
        payload |= {
            "second_due_at": to_iso(second_due),
            "second_waited_text": human_duration(second_due - waiting_since),
            "second_waited_open_minutes": str(minutes + policy.second_level_minutes),
        }
    return TimerStart(name=timer_name(case.case_id, reopened), fire_at=due, input=payload)


def human_duration(span: timedelta) -> str:
    """`45 min`, `1 h 30 min`, `2 d 16 h 30 min`."""
    minutes = int(span.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [
        f"{days} d" if days else "",
        f"{hours} h" if hours else "",
        f"{minutes} min" if minutes or not (days or hours) else "",
    ]
    return " ".join(p for p in parts if p)


def local_text(moment: datetime, hours: OpeningHours) -> str:
    local = moment.astimezone(hours.zone)
    return f"{local:%a %d %b %Y %H:%M} ({hours.time_zone})"


def timers_to_cancel(old: Case | None, new: Case | None, policy: SlaPolicy) -> list[str]:
    """The names of the timers a waiting period started (its deadlines and their backstops), once the case no
    longer waits in that period: answered, closed, set aside, deleted, or waiting again in a new opening. A
    deadline nobody waits for any more would only start an execution that reads the case and stops."""
    if old is None or not old.awaiting_reply or policy.minutes_for(old.channel.value, old.band) <= 0:
        return []
    if new is not None and new.awaiting_reply and new.reopened == old.reopened:
        return []
    levels = (1, 2) if policy.second_level_minutes else (1,)
    marks = [0, minutes] if (minutes := shortened_minutes(old, policy)) else [0]
    return [
        timer_name(old.case_id, old.reopened, level, backstop, mark)
        for mark in marks
        for level in levels
        for backstop in (False, True)
    ]


def shortened_minutes(case: Case, policy: SlaPolicy) -> int:
    """The case's SLA when its band shortens its channel's (the urgent band): the deadlines it may have taken while
    waiting carry it in their names (shortened_timers); else 0."""
    minutes = policy.minutes_for(case.channel.value, case.band)
    return minutes if 0 < minutes < policy.minutes_for(case.channel.value) else 0


def shortened_timers(old: Case | None, new: Case | None, policy: SlaPolicy) -> list[TimerStart]:
    """A case still waiting in the same opening whose SLA got shorter (it turned urgent: a follow-up, an outage, an
    agent's `mark urgent`): deadlines at the shorter SLA, named apart. The earlier ones stay: the first to fire
    escalates, the other finds the case escalated (one email per opening and level). A longer SLA adds none."""
    if old is None or new is None or not (old.awaiting_reply and new.awaiting_reply) or old.reopened != new.reopened:
        return []
    minutes = policy.minutes_for(new.channel.value, new.band)
    if not 0 < minutes < policy.minutes_for(old.channel.value, old.band):
        return []
    return timers_for(new, policy, shortened_to=minutes)


def on_case_change(old: Case | None, new: Case | None, policy: SlaPolicy, timers: Timers) -> str:
    """React to one stream record (its images decoded: carebird.app.streams): cancel the deadlines of a waiting
    period that ended, schedule the case's deadlines when it starts waiting (or its SLA shortens while it waits).
    The new deadlines come first: a deletion Scheduler refuses fails the record (retried) without leaving the
    case's new opening without its deadlines meanwhile."""
    if new is not None and needs_timer(old, new):
        if policy.minutes_for(new.channel.value, new.band) <= 0:
            outcome = "no SLA for this channel"
        else:
            started = [timers.start(timer) for timer in timers_for(new, policy)]
            outcome = "started" if any(started) else "already started"
    elif shortened := shortened_timers(old, new, policy):
        outcome = "shortened" if any([timers.start(timer) for timer in shortened]) else "already shortened"
    else:
        outcome = "skipped"
    cancelled = timers_to_cancel(old, new, policy)
    if cancelled:
        timers.cancel(cancelled)
    return "cancelled" if cancelled and outcome == "skipped" else outcome
