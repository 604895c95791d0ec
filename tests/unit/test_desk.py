"""Agents' actions on a case, as plain functions: two agents never answer the same customer."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from carebird.app.escalation import DueEscalation, still_due
from carebird.app.ingest import IngestSettings
from carebird.aws.schema import case_to_item
from carebird.domain import desk
from carebird.domain.cases import open_case
from carebird.domain.model import CaseStatus
from carebird.x.normalise import parse_delivery
from tests.helpers import BRAND, fixture

NOW = datetime(2025, 11, 25, 10, 0, tzinfo=UTC)


@pytest.fixture
def case():
    (message,) = parse_delivery(fixture("aaa-mention.json"), BRAND).events
    return open_case(message, IngestSettings().rules)


def test_a_claim_is_the_agents_until_released_and_a_colleague_is_told_who_has_it(case):
    mine = desk.claim(case, "alice", NOW).case

    with pytest.raises(desk.ClaimedByAnother) as refused:
        desk.claim(mine, "bob", NOW + timedelta(minutes=5))
    assert refused.value.agent == "alice" and desk.holder(mine, NOW) == "alice"
    assert desk.claim(mine, "alice", NOW + timedelta(minutes=5)).case.claimed_at == NOW + timedelta(minutes=5)
    with pytest.raises(desk.ClaimedByAnother):
        desk.release(mine, "bob", NOW)
    assert desk.holder(desk.release(mine, "alice", NOW).case, NOW) is None


def test_a_claim_left_overnight_lapses_so_the_customer_is_not_stuck(case):
    mine = desk.claim(case, "alice", NOW).case
    later = NOW + desk.CLAIM_EXPIRY

    assert desk.holder(mine, later) is None
    assert desk.claim(mine, "bob", later).case.claimed_by == "bob"


def test_closing_noise_and_answers_follow_the_claim(case):
    mine = desk.claim(case, "alice", NOW).case

    with pytest.raises(desk.ClaimedByAnother):
        desk.close_by(mine, "bob", NOW)
    with pytest.raises(desk.ClaimedByAnother):
        desk.before_answer(mine, "bob", NOW)
    closed = desk.close_by(mine, "alice", NOW).case
    assert closed.status is CaseStatus.CLOSED and closed.claimed_by is None
    with pytest.raises(desk.NotAllowed):
        desk.close_by(closed, "alice", NOW)
    noise = desk.mark_noise_by(case, "bob", True, IngestSettings().rules, NOW)
    assert noise.case.status is CaseStatus.NOISE and noise.action == "noise"


def test_notes_need_words_and_an_agent_and_are_bounded(case):
    assert desk.note(case, "alice", "  VIP  ").detail == "VIP"
    assert len(desk.note(case, "alice", "x" * 5000).detail) == desk.NOTE_LIMIT
    with pytest.raises(desk.NotAllowed):
        desk.note(case, "alice", "   ")
    with pytest.raises(desk.NotAllowed):
        desk.claim(case, "  ", NOW)


TEAM = [desk.Member("alice"), desk.Member("bob"), desk.Member("carol"), desk.Member("lea", "lead")]


def test_a_case_is_handed_to_a_colleague_only_by_whoever_holds_it(case):
    mine = desk.claim(case, "alice", NOW).case

    handed = desk.assign(mine, desk.Member("alice"), "Bob", TEAM, NOW)
    assert handed.case.claimed_by == "bob" and handed.detail == "bob"
    with pytest.raises(desk.ClaimedByAnother):
        desk.assign(handed.case, desk.Member("alice"), "carol", TEAM, NOW)


def test_a_case_is_assigned_only_to_a_member_of_the_team(case):
    with pytest.raises(desk.NotAllowed, match="bobb is not on the team"):
        desk.assign(case, desk.Member("alice"), "bobb", TEAM, NOW)


def test_a_lead_takes_over_or_releases_a_colleagues_case_and_it_is_recorded(case):
    held = desk.claim(case, "alice", NOW).case
    with pytest.raises(desk.ClaimedByAnother):
        desk.take_over(held, desk.Member("bob"), NOW)
    with pytest.raises(desk.ClaimedByAnother):
        desk.release(held, desk.Member("bob"), NOW)

    taken = desk.take_over(held, desk.Member("lea", "lead"), NOW)
    assert (taken.case.claimed_by, taken.action, taken.detail) == ("lea", "take over", "from alice")
    released = desk.release(held, desk.Member("lea", "lead"), NOW)
    assert released.case.claimed_by is None and released.detail == "from alice"
    reassigned = desk.assign(held, desk.Member("lea", "lead"), "carol", TEAM, NOW)
    assert reassigned.case.claimed_by == "carol" and reassigned.detail == "carol (from alice)"


def test_a_pending_case_leaves_the_queue_and_tags_are_cleaned(case):
    pending = desk.set_pending(case, "alice", NOW)
    assert pending.case.status == "pending" and pending.case.waiting_since is None and not pending.case.awaiting_reply
    with pytest.raises(desk.NotAllowed):
        desk.set_pending(pending.case, "alice", NOW)

    tagged = desk.set_tags(case, "alice", ["#Fibre", "fibre", "panne réseau"], [])
    assert tagged.case.tags == ("fibre", "panne-réseau") and tagged.detail == "+fibre +panne-réseau"
    assert desk.set_tags(tagged.case, "bob", [], ["fibre"]).case.tags == ("panne-réseau",)


def test_a_case_put_back_from_noise_after_its_escalation_is_escalated_again_at_its_new_deadline(case):
    rules = IngestSettings().rules
    escalated = replace(case, escalation_level=2, escalated_at=NOW)
    noise = desk.mark_noise_by(escalated, "bob", True, rules, NOW).case
    back = desk.mark_noise_by(noise, "bob", False, rules, NOW + timedelta(hours=1)).case

    assert back.reopened == escalated.reopened + 1
    assert (back.escalation_level, back.escalated_at) == (0, None)
    assert still_due(case_to_item(back), DueEscalation(back.case_id, "1", back.reopened)) == "send"
