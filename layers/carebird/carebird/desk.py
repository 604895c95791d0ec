"""What agents do with a case in the inbox: claim it, note, close, say noise or not: plain functions on cases.

Two agents never answer the same customer: a case claimed by one is answered, closed or re-triaged only by
that agent (or after they release it, or after CLAIM_EXPIRY without a word from them). Every action is recorded
with the agent's identity (store.record).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from carebird.cases import Case, close, mark_noise, mark_urgent
from carebird.model import CaseStatus
from carebird.triage import TriageRules

CLAIM_EXPIRY = timedelta(hours=8)  # a claim left by an agent who went home lapses: the customer still waits
NOTE_LIMIT = 2000
AGENT_LIMIT = 120


class ClaimedByAnother(Exception):
    """The case is another agent's: say who, so the second agent does not answer the same customer."""

    def __init__(self, agent: str, since: datetime | None) -> None:
        super().__init__(f"claimed by {agent}")
        self.agent, self.since = agent, since


class NotAllowed(ValueError):
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


def assign(case: Case, agent: str, colleague: str, now: datetime) -> Action:
    """Hand the case to a colleague (a free case, or one's own); they see it as theirs."""
    agent, colleague = check_agent(agent), check_agent(colleague)
    _mine(case, agent, now)
    return Action(replace(case, claimed_by=colleague, claimed_at=now), "assign", colleague)


def release(case: Case, agent: str, now: datetime) -> Action:
    agent = check_agent(agent)
    _mine(case, agent, now)
    return Action(replace(case, claimed_by=None, claimed_at=None), "release")


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
    """An internal note (never sent to the customer), bounded."""
    check_agent(agent)
    text = text.strip()
    if not text:
        raise NotAllowed("a note needs some text")
    return Action(case, "note", text[:NOTE_LIMIT])
