"""The team's work on a case, one path for the inbox and the CLI: the same claim checks, the same activity record.

Every action reads the case, applies a rule of carebird.domain.desk, and writes the case at its next version together
with one activity entry naming the agent and where they acted (inbox, cli). Answering adds what posting to X
needs: a nonce claimed before anything is posted (a double click, two tabs or a retry post once), an explicit
confirmation before answering a case that is answered, pending or closed, and a colleague's claim refused unless
the agent forces it (a forced take-over is recorded as such).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from carebird.app.answering import AnswerOutcome, answer_case
from carebird.app.ingest import IngestSettings
from carebird.aws.schema import activity_item
from carebird.domain import desk
from carebird.domain.cases import WATCH_CHANNELS, Case
from carebird.domain.desk import Action, Member
from carebird.domain.model import CaseStatus, Family
from carebird.domain.textlength import MAX_WEIGHTED_LENGTH, weighted_length
from carebird.errors import CarebirdError
from carebird.ports import DeskWriter, Sender

NONCE_LIMIT = 64
ANSWER_LIMIT = 10_000
CONFIRM_STATUSES = (CaseStatus.ANSWERED, CaseStatus.PENDING, CaseStatus.CLOSED)


class CaseNotFound(CarebirdError, LookupError):
    pass


class NeedsConfirmation(CarebirdError):
    """The case needs no answer now (answered, pending, closed): the agent must say they mean it."""

    def __init__(self, case: Case) -> None:
        super().__init__(f"case {case.reference} is {case.status.value}: confirm to answer it anyway")
        self.status = case.status.value


class NotOnTeam(CarebirdError, PermissionError):
    """Signed in, but no longer (or not yet) on the team's roster."""


class CaseWriter(Protocol):
    def get_case(self, case_id: str) -> Case | None: ...
    def save_case(self, case: Case, expected_version: int, *, activity: dict[str, Any] | None = None) -> None: ...
    def record(self, activity: dict[str, Any]) -> None: ...


class AnswerClaims(Protocol):
    def claim_answer(self, case_id: str, nonce: str, agent: str, at: datetime) -> Any: ...
    def settle_answer(self, case_id: str, nonce: str, state: str, detail: str) -> None: ...
    def forget_answer(self, case_id: str, nonce: str) -> None: ...


@dataclass(frozen=True)
class Answer:
    """What an agent asks to post."""

    text: str
    by_dm: bool = False
    nonce: str = ""
    confirm: bool = False  # answer an answered, pending or closed case anyway
    force: bool = False  # answer a case a colleague holds (recorded as a forced take-over)


@dataclass(frozen=True)
class Answered:
    sent: bool
    message: str
    via: str = ""
    repeated: bool = False  # the nonce was used before: nothing was posted this time


class AgentDesk:
    def __init__(
        self, store: DeskWriter, claims: AnswerClaims | None, now: Callable[[], datetime], source: str
    ) -> None:
        self.store, self.claims, self.now, self.source = store, claims, now, source

    def case(self, case_id: str) -> Case:
        case = self.store.get_case(case_id)
        if case is None:
            raise CaseNotFound(f"no case {case_id}")
        return case

    def act(self, case_id: str, agent: str, rule: Callable[[Case], Action]) -> Action:
        """Apply one desk rule and record it: the case and its activity entry in one versioned write."""
        case = self.case(case_id)
        done = rule(case)
        self._record(case, done, agent)
        return done

    def _record(self, before: Case, done: Action, agent: str) -> None:
        item = activity_item(before.case_id, self.now(), agent, done.action, done.detail, self.source)
        if done.case is before:
            self.store.record(item)
        else:
            self.store.save_case(done.case, before.version, activity=item)

    def answer(
        self, case_id: str, agent: Member, answer: Answer, x: Callable[[], Sender], brand: Any, ingest: IngestSettings
    ) -> Answered:
        """Post an agent's answer once, in the thread (or by DM), and record it with its author."""
        text = answer.text.strip()
        case = self.case(case_id)
        _check_answerable(case, text, answer.by_dm)
        nonce = answer.nonce.strip()[:NONCE_LIMIT]
        if nonce and self.claims is not None:
            earlier = self.claims.claim_answer(case.case_id, nonce, agent.agent, self.now())
            if earlier is not None:
                said = f"this answer was already {earlier.state}" + (f": {earlier.detail}" if earlier.detail else "")
                return Answered(earlier.state == "sent", said, repeated=True)
        try:
            case = self._claim_for_answer(case, agent, answer)
        except Exception:
            self._forget(case.case_id, nonce)
            raise
        outcome = answer_case(
            self.store, case, text, x(), self.now(), brand.user_id, agent.agent, answer.by_dm, ingest, brand.handle
        )
        return self._settle(case, agent, nonce, outcome)

    def _claim_for_answer(self, case: Case, agent: Member, answer: Answer) -> Case:
        if case.status in CONFIRM_STATUSES and not answer.confirm:
            raise NeedsConfirmation(case)
        current = desk.holder(case, self.now())
        if current and current != agent.agent and not answer.force:
            raise desk.ClaimedByAnother(current, case.claimed_at)
        reason = f"forced from the {self.source}" if current and current != agent.agent else ""
        claimed = desk.take_over(case, agent, self.now(), reason)
        self._record(case, claimed, agent.agent)
        return claimed.case

    def _settle(self, case: Case, agent: Member, nonce: str, outcome: AnswerOutcome) -> Answered:
        via = outcome.via.value if outcome.via else ""
        action = "reply" if outcome.answered else "reply failed"
        detail = f"by {via}" + (f": {outcome.message}" if not outcome.answered else "")
        self.store.record(activity_item(case.case_id, self.now(), agent.agent, action, detail, self.source))
        if nonce and self.claims is not None:
            if outcome.answered:
                self.claims.settle_answer(case.case_id, nonce, "sent", outcome.message)
            else:
                self._forget(case.case_id, nonce)
        return Answered(outcome.answered, outcome.message, via)

    def _forget(self, case_id: str, nonce: str) -> None:
        if nonce and self.claims is not None:
            self.claims.forget_answer(case_id, nonce)


def _check_answerable(case: Case, text: str, by_dm: bool) -> None:
    if case.channel in WATCH_CHANNELS:
        raise desk.NotAllowed(f"X lets apps reply only to people who addressed the brand: answer from {case.link}")
    if not text:
        raise desk.NotAllowed("write an answer first")
    if len(text) > ANSWER_LIMIT:
        raise desk.NotAllowed(f"an answer holds at most {ANSWER_LIMIT} characters")
    public = not by_dm and case.family is Family.PUBLIC
    if public and (length := weighted_length(text)) > MAX_WEIGHTED_LENGTH:
        raise desk.NotAllowed(f"{length} weighted characters: X allows {MAX_WEIGHTED_LENGTH}")
