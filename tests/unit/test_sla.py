import re
from datetime import timedelta

import pytest

from carebird.sla import SlaPolicy, human_duration, needs_timer, on_case_change, timer_for, timer_name, timers_for

CASE = {
    "sk": "CASE",
    "case_id": "public-1860000000000000102",
    "status": "open",
    "reopened": 0,
    "waiting_since": "2025-11-21T16:30:00Z",
}  # Friday 17:30 in Paris


class RecordingTimers:
    def __init__(self):
        self.started = {}

    def start(self, timer):
        if timer.name in self.started:
            return False
        self.started[timer.name] = timer.input
        return True


def test_a_friday_evening_case_is_due_monday_at_ten_paris_time():
    timer = timer_for(CASE, SlaPolicy(second_level_minutes=0))

    assert timer.input["due_at"] == "2025-11-24T09:00:00Z" and timer.fire_at.isoformat() == "2025-11-24T09:00:00+00:00"
    assert timer.input["due_local"] == "Mon 24 Nov 2025 10:00 (Europe/Paris)"
    assert timer.input["waited_text"] == "2 d 16 h 30 min"
    assert timer.input["waited_open_minutes"] == "90"
    assert "second_due_at" not in timer.input


def test_the_second_level_is_its_own_deadline_a_further_period_of_opening_time_later():
    first, second = timers_for(CASE, SlaPolicy(second_level_minutes=60))

    assert (first.input["level"], second.input["level"]) == ("1", "2")
    assert second.fire_at.isoformat() == "2025-11-24T10:00:00+00:00"
    assert second.input["second_waited_open_minutes"] == "150" and second.name.endswith("-r0-l2")


def test_without_a_manager_there_is_one_deadline():
    assert [t.input["level"] for t in timers_for(CASE, SlaPolicy(second_level_minutes=0))] == ["1"]


def test_a_deadline_is_named_after_the_case_opening_and_level_within_schedulers_limit():
    assert timer_for(CASE, SlaPolicy()).name == "public-1860000000000000102-r0-l1"
    assert timer_for(CASE | {"reopened": 3}, SlaPolicy()).name.endswith("-r3-l1")
    assert len(timer_name("x" * 200, 1)) == 64
    assert re.fullmatch(r"[0-9A-Za-z_.-]{1,64}", timer_name("dm-chat-a:b#é", 0, 2))


def test_case_ids_that_fold_or_cut_alike_still_get_timers_of_their_own():
    folding = ("public-\u0661\u0662", "public-\u0663\u0664", "dm-chat-a:b", "dm-chat-a_b", "dm-chat-a#b")
    cut = ("dm-chat-" + "a" * 70 + "1", "dm-chat-" + "a" * 70 + "2", "dm-chat-1" + "a" * 70)

    names = [timer_name(case_id, 0) for case_id in (*folding, *cut)]

    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[0-9A-Za-z_.-]{1,64}", name) for name in names)


def test_an_urgent_case_is_due_sooner():
    normal = timer_for(CASE, SlaPolicy())
    urgent = timer_for(CASE | {"band": "urgent"}, SlaPolicy(urgent_minutes=30))

    assert urgent.fire_at < normal.fire_at and urgent.input["sla_text"] == "30 opening minutes"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (None, CASE, True),
        (CASE, CASE | {"priority": 90}, False),
        (CASE, CASE | {"reopened": 1}, True),
        (None, CASE | {"waiting_since": None}, False),
        (None, CASE | {"status": "closed"}, False),
        (None, {"sk": "MSG#x", "case_id": "y"}, False),
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
