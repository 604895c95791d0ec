import re
from dataclasses import replace
from datetime import timedelta

import pytest

from carebird.domain.model import CaseStatus
from carebird.domain.sla import (
    BACKSTOP_AFTER,
    HERD_SPREAD,
    SlaPolicy,
    human_duration,
    needs_timer,
    on_case_change,
    timer_for,
    timer_name,
    timers_for,
    timers_to_cancel,
)
from tests.helpers import waiting_case

CASE = waiting_case(waiting_since="2025-11-21T16:30:00Z")  # Friday 17:30 in Paris


class RecordingTimers:
    def __init__(self):
        self.started = {}
        self.cancelled = []

    def start(self, timer):
        if timer.name in self.started:
            return False
        self.started[timer.name] = timer.input
        return True

    def cancel(self, names):
        names = list(names)
        self.cancelled += names
        return sum(self.started.pop(name, None) is not None for name in names)


def test_a_friday_evening_case_is_due_monday_at_ten_paris_time():
    timer = timer_for(CASE, SlaPolicy(second_level_minutes=0))

    assert timer.input["due_at"] == "2025-11-24T09:00:00Z" and timer.fire_at.isoformat() == "2025-11-24T09:00:00+00:00"
    assert timer.input["due_local"] == "Mon 24 Nov 2025 10:00 (Europe/Paris)"
    assert timer.input["waited_text"] == "2 d 16 h 30 min"
    assert timer.input["waited_open_minutes"] == "90"
    assert "second_due_at" not in timer.input


def deadlines(timers):
    """The timers that are deadlines, not backstops."""
    return [t for t in timers if not t.name.endswith("-b")]


def test_the_second_level_is_its_own_deadline_a_further_period_of_opening_time_later():
    first, second = deadlines(timers_for(CASE, SlaPolicy(second_level_minutes=60)))

    assert (first.input["level"], second.input["level"]) == ("1", "2")
    assert second.fire_at.isoformat() == "2025-11-24T10:00:00+00:00"
    assert second.input["second_waited_open_minutes"] == "150" and second.name.endswith("-r0-l2")


def test_without_a_manager_there_is_one_deadline():
    assert [t.input["level"] for t in deadlines(timers_for(CASE, SlaPolicy(second_level_minutes=0)))] == ["1"]


def test_each_deadline_has_a_backstop_timer_later_with_the_same_input_so_a_failed_execution_is_retried():
    timers = timers_for(CASE, SlaPolicy(second_level_minutes=60))

    names = [t.name for t in timers]
    assert names == [
        "public-1860000000000000102-r0-l1",
        "public-1860000000000000102-r0-l1-b",
        "public-1860000000000000102-r0-l2",
        "public-1860000000000000102-r0-l2-b",
    ]
    for deadline, backstop in zip(timers[::2], timers[1::2], strict=True):
        assert backstop.input == deadline.input and backstop.fire_at - deadline.fire_at == BACKSTOP_AFTER
        assert backstop.after_earliest == BACKSTOP_AFTER  # a late start keeps the backstop after the deadline


def test_cases_that_wrote_while_closed_share_a_deadline_but_fire_spread_over_five_minutes():
    """A weekend's 200 cases are all due Monday at the same second; their timers are not."""
    weekend = [waiting_case(f"public-{n}", f"2025-11-22T{n % 24:02d}:{n % 60:02d}:00Z") for n in range(200)]

    firsts = [deadlines(timers_for(case, SlaPolicy(second_level_minutes=0)))[0] for case in weekend]

    assert {t.input["due_at"] for t in firsts} == {"2025-11-24T09:30:00Z"}  # the SLA itself is unchanged
    offsets = sorted((t.fire_at - firsts[0].fire_at.replace(minute=30, second=0)).total_seconds() for t in firsts)
    assert offsets[0] >= 0 and offsets[-1] < HERD_SPREAD.total_seconds()
    assert len(set(offsets)) > 120  # 200 cases over 300 seconds: about 145 distinct seconds expected
    assert max(sum(1 for o in offsets if s <= o < s + 1) for s in range(300)) <= 6


def test_a_case_that_started_waiting_while_open_fires_at_its_exact_deadline():
    assert timer_for(CASE, SlaPolicy()).fire_at == timers_for(CASE, SlaPolicy())[0].fire_at


def test_a_deadline_is_named_after_the_case_opening_and_level_within_schedulers_limit():
    assert timer_for(CASE, SlaPolicy()).name == "public-1860000000000000102-r0-l1"
    assert timer_for(replace(CASE, reopened=3), SlaPolicy()).name.endswith("-r3-l1")
    assert len(timer_name("x" * 200, 1)) == 64
    assert re.fullmatch(r"[0-9A-Za-z_.-]{1,64}", timer_name("dm-chat-a:b#é", 0, 2))


def test_case_ids_that_fold_or_cut_alike_still_get_timers_of_their_own():
    folding = ("public-\u0661\u0662", "public-\u0663\u0664", "dm-chat-a:b", "dm-chat-a_b", "dm-chat-a#b")
    cut = ("dm-chat-" + "a" * 70 + "1", "dm-chat-" + "a" * 70 + "2", "dm-chat-1" + "a" * 70)

    names = [timer_name(case_id, 0) for case_id in (*folding, *cut)]

    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[0-9A-Za-z_.-]{1,64}", name) for name in names)


def test_backstop_timers_are_named_like_their_deadlines_and_never_cut_to_fit():
    plain = timers_for(CASE, SlaPolicy())
    long_ids = (
        "dm-chat-" + "a" * 70 + "1",
        "dm-chat-" + "a" * 70 + "2",
        "dm-chat-" + "b" * 45,
        "dm-chat-" + "c" * 47,
        "dm-chat-" + "d" * 50,
    )

    names = [timer.name for case_id in long_ids for timer in timers_for(replace(CASE, case_id=case_id), SlaPolicy())]

    assert [timer.name for timer in plain] == [
        f"public-1860000000000000102-r0-{s}" for s in ("l1", "l1-b", "l2", "l2-b")
    ]
    assert len(set(names)) == len(names) == len(plain) * len(long_ids)
    assert all(re.fullmatch(r"[0-9A-Za-z_.-]{1,64}", name) for name in names)
    pairs = zip(names[::2], names[1::2], strict=True)
    assert all(deadline + "-b" == backstop or "." in backstop for deadline, backstop in pairs)
    assert all(backstop.endswith(("-l1-b", "-l2-b")) for backstop in names[1::2])


def test_an_urgent_case_is_due_sooner():
    normal = timer_for(CASE, SlaPolicy())
    urgent = timer_for(replace(CASE, band="urgent"), SlaPolicy(urgent_minutes=30))

    assert urgent.fire_at < normal.fire_at and urgent.input["sla_text"] == "30 opening minutes"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (None, CASE, True),
        (CASE, replace(CASE, priority=90), False),
        (CASE, replace(CASE, reopened=1), True),
        (None, replace(CASE, waiting_since=None), False),
        (None, replace(CASE, status=CaseStatus.CLOSED), False),
        (None, None, False),
        (CASE, None, False),
    ],
)
def test_timers_start_only_when_a_case_starts_waiting(old, new, expected):
    assert needs_timer(old, new) is expected


def test_a_redelivered_change_starts_nothing_twice():
    timers = RecordingTimers()

    assert on_case_change(None, CASE, SlaPolicy(), timers) == "started"
    assert on_case_change(None, CASE, SlaPolicy(), timers) == "already started"
    assert on_case_change(CASE, CASE, SlaPolicy(), timers) == "skipped"


@pytest.mark.parametrize(("minutes", "text"), [(0, "0 min"), (45, "45 min"), (90, "1 h 30 min"), (1440, "1 d")])
def test_durations_read_naturally(minutes, text):
    assert human_duration(timedelta(minutes=minutes)) == text


def test_a_case_answered_before_its_deadline_cancels_the_deadline_and_its_backstop():
    timers = RecordingTimers()
    on_case_change(None, CASE, SlaPolicy(second_level_minutes=0), timers)
    answered = replace(CASE, waiting_since=None, status=CaseStatus.ANSWERED)

    assert on_case_change(CASE, answered, SlaPolicy(second_level_minutes=0), timers) == "cancelled"
    assert timers.cancelled == [timer_name(CASE.case_id, 0), timer_name(CASE.case_id, 0, backstop=True)]
    assert timers.started == {}


def test_with_a_manager_the_second_level_and_its_backstop_are_cancelled_too():
    closed = replace(CASE, status=CaseStatus.CLOSED)

    assert timers_to_cancel(CASE, closed, SlaPolicy(second_level_minutes=60)) == [
        timer_name(CASE.case_id, 0, 1), timer_name(CASE.case_id, 0, 1, backstop=True),
        timer_name(CASE.case_id, 0, 2), timer_name(CASE.case_id, 0, 2, backstop=True),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "new",
    [
        replace(CASE, priority=90),  # a follow-up while it waits
        replace(CASE, escalation_level=1),  # escalated, still waiting for the manager's deadline
    ],
)
def test_a_case_still_waiting_in_the_same_opening_cancels_nothing(new):
    timers = RecordingTimers()

    assert on_case_change(CASE, new, SlaPolicy(), timers) == "skipped" and timers.cancelled == []


def test_a_case_without_an_sla_or_that_never_waited_cancels_nothing():
    topic = waiting_case(channel="topic")

    assert timers_to_cancel(topic, replace(topic, waiting_since=None), SlaPolicy()) == []
    assert timers_to_cancel(None, CASE, SlaPolicy()) == []
    assert timers_to_cancel(replace(CASE, waiting_since=None), replace(CASE, waiting_since=None), SlaPolicy()) == []


def test_a_deleted_case_cancels_its_timers():
    assert timers_to_cancel(CASE, None, SlaPolicy(second_level_minutes=0)) == [
        timer_name(CASE.case_id, 0),
        timer_name(CASE.case_id, 0, backstop=True),
    ]


def test_waiting_again_in_a_new_opening_cancels_the_old_opening_and_starts_its_own():
    timers = RecordingTimers()
    policy = SlaPolicy(second_level_minutes=0)
    on_case_change(None, CASE, policy, timers)
    reopened = replace(CASE, reopened=1)

    assert on_case_change(CASE, reopened, policy, timers) == "started"
    assert timers.cancelled == [timer_name(CASE.case_id, 0), timer_name(CASE.case_id, 0, backstop=True)]
    assert set(timers.started) == {timer_name(CASE.case_id, 1), timer_name(CASE.case_id, 1, backstop=True)}


def test_a_redelivered_answer_cancels_again_and_finds_nothing_left():
    timers = RecordingTimers()
    policy = SlaPolicy(second_level_minutes=0)
    on_case_change(None, CASE, policy, timers)
    answered = replace(CASE, waiting_since=None, status=CaseStatus.ANSWERED)
    on_case_change(CASE, answered, policy, timers)

    assert on_case_change(CASE, answered, policy, timers) == "cancelled" and timers.started == {}
