from dataclasses import replace
from datetime import UTC, datetime, timedelta

from carebird.domain.calendar import OpeningHours
from carebird.domain.cases import Case
from carebird.domain.kpi import bar_chart, compute, percentile, render_digest, stream_metrics
from carebird.domain.model import Author, Channel

HOURS = OpeningHours()  # Paris, Mon-Fri 09:00-18:00
T = datetime(2025, 11, 25, 8, 0, tzinfo=UTC)  # Tuesday 09:00 Paris


def case(
    n: int,
    opened_minutes: int,
    answered_after: int | None,
    channel=Channel.MENTION,
    topic="technical",
    escalated=False,
    acknowledged=False,
) -> Case:
    opened = T + timedelta(minutes=opened_minutes)
    return Case(
        case_id=f"public-{n}",
        customer=Author(str(n), f"user{n}"),
        family=channel.family,
        channel=channel,
        status="answered" if answered_after is not None else "open",
        opened_at=opened,
        last_activity_at=opened,
        waiting_since=None if answered_after is not None else opened,
        topic=topic,
        first_response_at=opened + timedelta(minutes=answered_after) if answered_after is not None else None,
        escalation_level=1 if escalated else 0,
        acknowledged_at="x" if acknowledged else None,
    )


CASES = [
    case(1, 0, 10),
    case(2, 5, 20, channel=Channel.DM, topic="commercial"),
    case(3, 30, 30),
    case(4, 60, 120, escalated=True),  # answered after 2 h: a breach
    case(5, 90, None, channel=Channel.QUOTE, topic="other", escalated=True),
    case(6, 480, 40, acknowledged=True),  # opened 17:00 Paris, answered 17:40
]
NOW = T + timedelta(hours=10)


def test_kpis_on_a_known_set_of_cases():
    report = compute(CASES, HOURS, 90, T, NOW)

    assert (report.cases, report.answered, report.unanswered) == (6, 5, 1)
    assert report.median_first_response == 30
    assert report.p90_first_response == 120
    assert report.breaches == 2 and report.escalated == 2 and report.acknowledged == 1
    assert report.by_channel == {"mention": 4, "dm": 1, "quote": 1}
    assert report.by_topic == {"technical": 4, "commercial": 1, "other": 1}
    assert report.busiest_hours == [(9, 3), (10, 2), (17, 1)]
    assert report.unanswered_cases == ["CB-5 @user5"]


def test_first_response_is_measured_in_opening_minutes():
    evening = replace(
        case(7, 0, None),
        opened_at=T + timedelta(hours=9, minutes=30),  # 18:30 Paris
        first_response_at=T + timedelta(days=1, minutes=15),
    )  # next day 09:15
    report = compute([evening], HOURS, 90, T, T + timedelta(days=2))

    assert report.median_first_response == 15


def test_cases_outside_the_window_are_left_out():
    assert compute(CASES, HOURS, 90, T + timedelta(hours=2), NOW).cases == 1


def test_percentiles_use_the_nearest_rank():
    assert percentile([], 0.5) is None
    assert percentile([5, 1, 3], 0.5) == 3
    assert percentile(list(range(1, 11)), 0.9) == 9


def test_the_digest_is_written_for_a_person():
    subject, body = render_digest(compute(CASES, HOURS, 90, T, NOW), HOURS, 90, "LumiereAide")

    assert (
        subject.startswith("[carebird] @LumiereAide digest Tue 25 Nov: 6 cases, 2 SLA breaches") and len(subject) < 100
    )
    assert "median 30 min, 90th percentile 120 min (SLA 90 min)" in body
    assert "SLA breaches: 2 (33%)" in body and "Top topics: technical 4, commercial 1, other 1" in body
    assert "Busiest hours: 09h (3), 10h (2), 17h (1)" in body and "  - CB-5 @user5" in body


def test_case_changes_emit_first_response_escalation_and_breach_metrics():
    opened = replace(case(1, 0, None, Channel.DM), opened_at=datetime(2025, 11, 25, 8, 0, tzinfo=UTC))
    answered = replace(opened, first_response_at=datetime(2025, 11, 25, 8, 25, tzinfo=UTC))
    escalated = replace(opened, escalation_level=1)

    assert [(p.name, p.value) for p in stream_metrics(opened, answered, HOURS)] == [("FirstResponseTime", 1500)]
    assert [p.name for p in stream_metrics(opened, escalated, HOURS)] == ["Escalations", "SlaBreaches"]
    assert [p.name for p in stream_metrics(escalated, replace(escalated, escalation_level=2), HOURS)] == ["Escalations"]
    assert stream_metrics(None, None, HOURS) == []
    assert [p.dimensions for p in stream_metrics(opened, answered, HOURS)] == [{"channel": "dm"}]


def test_the_terminal_chart_scales_bars():
    lines = bar_chart({"Mon": 10, "Tue": 5, "Wed": 0}, width=10)

    assert lines[0].startswith("Mon ██████████") and lines[1].startswith("Tue █████ ") and lines[2].endswith(" 0")


def test_noise_and_praise_are_counted_apart_and_never_as_unanswered_or_breaches():
    quiet = [
        replace(case(90, 0, None), status="noise", waiting_since=None),
        replace(case(91, 5, None), status="praise", waiting_since=None),
        case(92, 10, 30),
    ]

    report = compute(quiet, HOURS, 90, T - timedelta(days=1), T + timedelta(days=3))

    assert (report.cases, report.unanswered, report.breaches, report.noise, report.praise) == (1, 0, 0, 1, 1)


def test_each_case_is_held_to_its_own_channels_sla():
    from carebird.domain.sla import SlaPolicy

    policy = SlaPolicy(hours=HOURS)
    watched = [
        case(1, 0, None, channel=Channel.TOPIC),  # a topic watch has no SLA: waiting is no breach
        case(2, 0, 120, channel=Channel.CITATION),  # 120 of a citation's 240 minutes
        case(3, 0, 120),  # a mention answered after 120 of its 90 minutes
    ]

    report = compute(watched, HOURS, policy.minutes_for_case, T, NOW)

    assert report.breaches == 1
    assert compute(watched, HOURS, 90, T, NOW).breaches == 3  # one global SLA would count all three


def test_a_day_is_read_in_one_pass_without_holding_it():
    import tracemalloc

    def day():  # as the store pages through the day: one case at a time
        for n in range(5_000):
            yield case(n, n % 500, (n % 7) * 20 if n % 5 else None)

    tracemalloc.start()
    report = compute(day(), HOURS, 90, T, NOW)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert report.cases == 5_000 and report.unanswered == 1_000 and len(report.unanswered_cases) == 50
    assert peak < 1024 * 1024, peak  # the 5,000 cases themselves would take several times more
