"""The inbox's data as plain functions: filters, queue rows, templates per customer."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from carebird import inbox
from carebird.calendar import OpeningHours
from carebird.cases import open_case
from carebird.ingest import IngestSettings
from carebird.model import CaseStatus
from carebird.normalise import parse_delivery
from carebird.sla import SlaPolicy
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
