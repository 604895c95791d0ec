"""The bench's verdicts come from its figures: each goal holds, fails or is unmeasured with the figure it names."""

from bench import costs
from bench.report import claimed_vs_measured

MET = {
    "cost_per_1000_cases_usd": 0.04,
    "fixed_cost_per_month_usd_100_cases_day": 0.9,
    "first_event_ratio_built": 1.3,
    "webhook_cpu_ms_per_event_http": 2.0,
    "webhook_aws_floor_ms_per_event_http": 1.5,
    "webhook_own_cpu_ms_per_event": 0.25,
    "calls_per_event": {"duplicate": 1, "new_case": 1, "follow_up": 1, "brand_reply": 1},
    "ingester_calls_per_event": {"duplicate": 0, "new_case": 2, "follow_up": 1, "brand_reply": 1},
    "kpi_month_ms_50k_per_day": 900.0,
    "inbox_queue_ms_500_open": 120.0,
    "lost": 0,
    "duplicated": 0,
    "metric_series_count": 2,
}
MISSED = {
    "cost_per_1000_cases_usd": 0.06,
    "fixed_cost_per_month_usd_100_cases_day": 1.2,
    "first_event_ratio_built": 2.6,
    "webhook_cpu_ms_per_event_http": 3.0,
    "webhook_own_cpu_ms_per_event": 0.5,
    "calls_per_event": {"duplicate": 1, "new_case": 2, "follow_up": 1, "brand_reply": 1},
    "ingester_calls_per_event": {"duplicate": 1, "new_case": 3, "follow_up": 1, "brand_reply": 1},
    "kpi_month_ms_50k_per_day": 2500.0,
    "inbox_queue_ms_500_open": 400.0,
    "lost": 1,
    "metric_series_count": 12,
}


def test_every_goal_holds_on_figures_that_meet_it():
    assert [met for *_, met in claimed_vs_measured(MET)] == [True] * 10


def test_every_goal_fails_when_its_own_figure_misses_it():
    for key, value in MISSED.items():
        verdicts = {name: met for name, _, _, met in claimed_vs_measured(MET | {key: value})}
        assert list(verdicts.values()).count(False) == 1, key


def test_a_figure_the_run_did_not_measure_is_no_pass():
    verdicts = [met for *_, met in claimed_vs_measured({})]
    assert verdicts == [None] * 10


def test_the_bill_names_each_line_once_and_grows_with_what_was_measured():
    measured = {
        "invocations": {"webhook": 3.3, "dispatcher": 3.0, "acknowledger": 1.0},
        "cpu_ms": {"dispatcher": 3.0, "acknowledger": 0.4},
        "log_bytes": {"webhook": 1800, "dispatcher": 600, "acknowledger": 450},
        "log_lines": {"webhook": 5, "dispatcher": 2, "acknowledger": 1},
        "write_units": {"webhook": 37, "dispatcher": 8},
        "read_units": {"webhook": 0.5, "dispatcher": 2},
        "calls": {
            "webhook dynamodb:TransactWriteItems": 3,
            "webhook secretsmanager:GetSecretValue": 0.1,
            "dispatcher scheduler:CreateSchedule": 1,
        },
    }
    for region in costs.REGIONS:
        lines = costs.variable_lines(measured, {"webhook": 3.0}, 5000, region)
        more_writes = costs.variable_lines(
            measured | {"write_units": {"webhook": 74, "dispatcher": 8}}, {"webhook": 3.0}, 5000, region
        )
        assert all(line.usd > 0 for line in lines) and len({line.name for line in lines}) == len(lines)
        assert costs.total(more_writes) > costs.total(lines)
