"""What agents do with a case (inbox and CLI alike): claim it, assign it, note, tag, close, set it pending, say
noise or not: plain functions on cases.

Two agents never answer the same customer: a case claimed by one is answered, closed or re-triaged only by
that agent (or after they release it, or after CLAIM_EXPIRY without a word from them). A case is assigned only
to a member of the team's roster; a lead can take any case over or release it. Every action is recorded with
the agent's identity (an activity entry written with the case).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from carebird.domain.cases import Case, close, mark_noise, mark_urgent
from carebird.domain.model import CaseStatus
from carebird.domain.triage import TriageRules
from carebird.errors import CarebirdError

CLAIM_EXPIRY = timedelta(hours=8)  # a claim left by an agent who went home lapses: the customer still waits
NOTE_LIMIT = 2000
NOTES_TEXT_LIMIT = 4000  # the notes' words a case keeps for search (the latest ones)
AGENT_LIMIT = 120
ROLES = ("agent", "lead")
TAG_LIMIT, TAGS_PER_CASE = 32, 10
TAG_PATTERN = re.compile(r"[\w-]+")


@dataclass(frozen=True)
class Member:
    """An agent on the team's roster: a `lead` may take over or release any colleague's case."""

    agent: str
    role: str = "agent"

    @property
    def is_lead(self) -> bool:
        return self.role == "lead"


class ClaimedByAnother(CarebirdError):
    """The case is another agent's: say who, so the second agent does not answer the same customer."""

    def __init__(self, agent: str, since: datetime | None) -> None:
        super().__init__(f"claimed by {agent}")
        self.agent, self.since = agent, since


class NotAllowed(CarebirdError, ValueError):
    """The action makes no sense for this case (an empty note, closing a closed case...)."""


@dataclass(frozen=True)
class Action:
    """The case after an agent's action and what to record of it."""

    case: Case
    action: str
    detail: str = ""


def holder(case: Case, now: datetime) -> str | None:
    """Who holds the case now (a claim older than CLAIM_EXPIRY has lapsed)."""
    if case.claimed_by and case.claimed_at and now - case.claimed_at < CLAIM_EXPIRY:
        return case.claimed_by
    return None


def check_agent(agent: str) -> str:
    agent = agent.strip()
    if not agent or len(agent) > AGENT_LIMIT:
        raise NotAllowed("an agent identity is required")
    return agent


def _mine(case: Case, agent: str, now: datetime) -> None:
    current = holder(case, now)
    if current and current != agent:
        raise ClaimedByAnother(current, case.claimed_at)


def claim(case: Case, agent: str, now: datetime) -> Action:
    """Take the case (renewing one's own claim); ClaimedByAnother when a colleague has it."""
    agent = check_agent(agent)
    _mine(case, agent, now)
    return Action(replace(case, claimed_by=agent, claimed_at=now), "claim")


def member_named(name: str, team: Iterable[Member]) -> Member:
    """The roster's member called `name` (case-insensitive); NotAllowed for anyone else (a typo locks nothing)."""
    wanted = name.strip().lower()
    for member in team:
        if member.agent.lower() == wanted:
            return member
    raise NotAllowed(f"{name.strip() or 'nobody'} is not on the team: pick a colleague from the list")


def assign(case: Case, agent: Member, colleague: str, team: Iterable[Member], now: datetime) -> Action:
    """Hand the case to a colleague on the roster (a free case, one's own, or any case for a lead)."""
    if not agent.is_lead:
        _mine(case, check_agent(agent.agent), now)
    target = member_named(check_agent(colleague), team)
    previous = holder(case, now)
    detail = target.agent + (f" (from {previous})" if previous and previous not in (agent.agent, target.agent) else "")
    return Action(replace(case, claimed_by=target.agent, claimed_at=now), "assign", detail)


def take_over(case: Case, agent: Member, now: datetime, reason: str = "") -> Action:
    """A lead takes a colleague's case (recorded with whom it was taken from); anyone takes a free case."""
    current = holder(case, now)
    if current and current != agent.agent and not agent.is_lead and not reason:
        raise ClaimedByAnother(current, case.claimed_at)
    detail = f"from {current}" if current and current != agent.agent else ""
    detail = "; ".join(part for part in (detail, reason) if part)
    return Action(replace(case, claimed_by=agent.agent, claimed_at=now), "take over" if detail else "claim", detail)


def release(case: Case, agent: str | Member, now: datetime) -> Action:
    """Give the case back to the team: one's own claim, or any claim for a lead (recorded with whose it was)."""
    member = agent if isinstance(agent, Member) else Member(check_agent(agent))
    current = holder(case, now)
    if not member.is_lead:
        _mine(case, member.agent, now)
    detail = f"from {current}" if current and current != member.agent else ""
    return Action(replace(case, claimed_by=None, claimed_at=None), "release", detail)


def set_pending(case: Case, agent: str, now: datetime) -> Action:
    """Waiting on the customer: the case leaves the queue and its SLA clock stops; their next message puts it
    back in the queue with a new clock (cases.add_inbound)."""
    agent = check_agent(agent)
    _mine(case, agent, now)
    if case.status in (CaseStatus.CLOSED, CaseStatus.NOISE, CaseStatus.PENDING):
        raise NotAllowed(f"case {case.reference} is {case.status.value}: it cannot wait on the customer")
    pending = replace(case, status=CaseStatus.PENDING, waited_since=case.waiting_since or case.waited_since)
    return Action(replace(pending, waiting_since=None, rank=None), "pending")


def clean_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Tags as agents type them, made comparable: lower case, words and dashes, bounded, no repeats."""
    cleaned: list[str] = []
    for raw in tags:
        tag = "-".join(TAG_PATTERN.findall(str(raw).strip().lower().lstrip("#")))[:TAG_LIMIT]
        if tag and tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > TAGS_PER_CASE:
        raise NotAllowed(f"at most {TAGS_PER_CASE} tags per case")
    return tuple(cleaned)


def set_tags(case: Case, agent: str, add: Iterable[str] = (), remove: Iterable[str] = ()) -> Action:
    """Add and remove an agent's tags (anyone on the team may tag: tags say what a case is, not who has it)."""
    check_agent(agent)
    gone = set(clean_tags(remove))
    tags = clean_tags([*[t for t in case.tags if t not in gone], *add])
    added = [t for t in tags if t not in case.tags]
    removed = [t for t in case.tags if t not in tags]
    detail = " ".join([*(f"+{t}" for t in added), *(f"-{t}" for t in removed)])
    return Action(replace(case, tags=tags), "tag", detail)


def before_answer(case: Case, agent: str, now: datetime) -> Action:
    """An agent is about to answer: the case must be theirs or free (then it becomes theirs)."""
    return claim(case, agent, now)


def close_by(case: Case, agent: str, now: datetime) -> Action:
    agent = check_agent(agent)
    _mine(case, agent, now)
    if case.status is CaseStatus.CLOSED:
        raise NotAllowed(f"case {case.reference} is already closed")
    return Action(replace(close(case), claimed_by=None, claimed_at=None), "close")


def mark_noise_by(case: Case, agent: str, is_noise: bool, rules: TriageRules, now: datetime) -> Action:
    agent = check_agent(agent)
    _mine(case, agent, now)
    return Action(mark_noise(case, is_noise, rules, now), "noise" if is_noise else "not noise")


def mark_urgent_by(case: Case, agent: str, is_urgent: bool, rules: TriageRules, now: datetime) -> Action:
    """An agent's word on the band (urgent or not), recorded: corrections become labelled examples."""
    agent = check_agent(agent)
    _mine(case, agent, now)
    return Action(mark_urgent(case, is_urgent, rules, now), "urgent" if is_urgent else "not urgent")


def note(case: Case, agent: str, text: str) -> Action:
    """An internal note (never sent to the customer), bounded; its words join what search reads of the case."""
    check_agent(agent)
    text = text.strip()[:NOTE_LIMIT]
    if not text:
        raise NotAllowed("a note needs some text")
    notes_text = (case.notes_text + "\n" + text).strip()[-NOTES_TEXT_LIMIT:]
    return Action(replace(case, notes_text=notes_text), "note", text)
