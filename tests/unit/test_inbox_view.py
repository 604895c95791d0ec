"""The inbox's data as plain functions: filters, queue rows, templates per customer."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from carebird.app import inbox
from carebird.app.ingest import IngestSettings
from carebird.domain.calendar import OpeningHours
from carebird.domain.cases import open_case
from carebird.domain.kpi import first_response_figures
from carebird.domain.model import CaseStatus
from carebird.domain.sla import SlaPolicy
from carebird.x.normalise import parse_delivery
from tests.helpers import BRAND, fixture

HOURS = OpeningHours.from_settings("mon-fri 09:00-18:00", "Europe/Paris", "")
POLICY = SlaPolicy(minutes=90, hours=HOURS)
RULES = replace(IngestSettings().rules, hours=HOURS)


def a_case(name="aaa-mention.json"):
    (message,) = parse_delivery(fixture(name), BRAND).events
    return open_case(message, RULES)


def test_a_row_says_how_long_in_opening_minutes_and_when_the_sla_runs_out():
    case = a_case()  # Tuesday 09:00 UTC, 10:00 in Paris
    row = inbox.queue_row(case, datetime(2025, 11, 25, 10, 0, tzinfo=UTC), RULES, POLICY)

    assert (row["waiting_minutes"], row["sla_minutes"], row["due_in_minutes"]) == (60, 90, 30)
    assert row["ref"] == case.reference and row["reasons"] == list(case.reasons) and row["claimed_by"] is None
    overnight = inbox.queue_row(case, datetime(2025, 11, 26, 8, 30, tzinfo=UTC), RULES, POLICY)
    assert overnight["waiting_minutes"] == 8 * 60 + 30  # 10:00-18:00, then 09:00-09:30: the night does not count


def test_a_filter_stops_reading_at_its_cap_and_keeps_at_most_the_limit():
    closed = replace(a_case(), status=CaseStatus.CLOSED, waiting_since=None)
    read = []

    def newest_first():
        for n in range(100_000):
            read.append(n)
            yield replace(
                closed, case_id=f"public-{n}", last_activity_at=closed.last_activity_at - timedelta(minutes=n)
            )

    shown = inbox.select(newest_first(), "closed", None, read_cap=1_000)
    assert len(shown) == inbox.QUEUE_LIMIT and len(read) == inbox.QUEUE_LIMIT
    assert inbox.select(newest_first(), "noise", None, read_cap=1_000) == [] and len(read) == inbox.QUEUE_LIMIT + 1_000
    with pytest.raises(ValueError, match="view must be one of"):
        inbox.select([], "everything", None)
    with pytest.raises(ValueError, match="channel must be one of"):
        inbox.select([], "waiting", "fax")


def test_templates_are_filled_in_for_the_customer_in_their_language():
    case = a_case()
    filled = inbox.templates_for(case, {"hi": {"fr": "Bonjour {first_name} ({reference})", "en": "Hi {first_name}"}},
                                 POLICY, "fr", datetime(2025, 11, 25, 10, tzinfo=UTC))  # fmt: skip

    assert filled == [{"name": "hi", "text": f"Bonjour Claire ({case.reference})", "problem": ""}]
    too_long = inbox.templates_for(case, {"long": {"fr": "x" * 300}}, POLICY, "fr", datetime(2025, 11, 25, tzinfo=UTC))
    assert too_long[0]["text"] == "" and "280" in too_long[0]["problem"]


def test_a_deadline_reads_in_the_brands_zone_with_its_opening_minutes():
    friday_evening = datetime(2025, 11, 28, 17, 0, tzinfo=UTC)  # 18:00 in Paris, closed until Monday 09:00
    due = HOURS.add_open_minutes(friday_evening, 30)

    assert inbox.due_text(due, 30, friday_evening, HOURS) == "due Mon 09:30 (30 opening min)"
    assert inbox.due_text(due, 0, due, HOURS) == "overdue since 09:30"


def test_the_thread_puts_messages_notes_and_actions_in_time_order_with_who_sent_each_answer():
    case = replace(a_case(), acknowledged_at=None)
    messages = [
        {"message_id": "1", "direction": "in", "author_handle": "claire", "text": "?",
         "created_at": "2025-11-25T09:00:00Z"},
        {"message_id": "2", "direction": "out", "author_handle": "", "sent_by": "alice", "text": "ok",
         "created_at": "2025-11-25T09:05:00Z"},
        {"message_id": "3", "direction": "out", "author_handle": "LumiereAide", "text": "vu",
         "created_at": "2025-11-25T09:07:00Z"},
    ]  # fmt: skip
    activity = [
        {"at": "2025-11-25T09:04:00Z", "agent": "alice", "action": "claim", "detail": "", "source": "inbox"},
        {"at": "2025-11-25T09:05:00Z", "agent": "alice", "action": "reply", "detail": "by reply"},
        {"at": "2025-11-25T09:06:00Z", "agent": "bob", "action": "note", "detail": "VIP"},
    ]

    thread = inbox.thread(case, messages, activity, "LumiereAide")

    assert [(e["kind"], e.get("sent_by") or e.get("agent")) for e in thread] == [
        ("message", None), ("activity", "alice"), ("message", "alice"), ("note", "bob"), ("message", "the X app"),
    ]  # fmt: skip
    assert thread[2]["author"] == "LumiereAide"


def test_search_ignores_case_and_accents_and_needs_every_word():
    case = replace(a_case(), notes_text="Client fidèle", tags=("panne",))

    assert inbox.matches(case, inbox.search_words("BOX Fidele"))
    assert inbox.matches(case, inbox.search_words("#panne"))
    assert not inbox.matches(case, inbox.search_words("box remboursement"))


def test_the_per_agent_report_counts_first_responses_in_opening_and_clock_minutes():
    opened = datetime(2025, 11, 28, 16, 30, tzinfo=UTC)  # Friday 17:30 in Paris
    answered_monday = replace(
        a_case(), opened_at=opened, first_response_at=opened + timedelta(days=3), first_responder="alice"
    )
    by_app = replace(a_case(), opened_at=opened, first_response_at=opened + timedelta(minutes=10))

    report = first_response_figures([answered_monday, by_app], HOURS, opened, opened + timedelta(days=4)).per_agent

    assert report[0]["agent"] == "X app" or report[1]["agent"] == "X app"
    alice = next(r for r in report if r["agent"] == "alice")
    assert alice["answered"] == 1 and alice["median_first_response_calendar_minutes"] == 3 * 24 * 60
    assert alice["median_first_response_minutes"] == 30 + 510  # Friday 17:30-18:00 and Monday 09:00-17:30
