"""One cost model: README's month table is bench/costs.py's output for the inputs the last bench run measured, and
the model counts what the template and the code publish (alarms, metric series) rather than typed figures."""

import random
import re
from pathlib import Path

from bench import costs
from bench.report import claimed_vs_measured

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = (ROOT / "infra" / "template.yaml").read_text()


def _readme_table() -> str:
    text = (ROOT / "README.md").read_text()
    _, _, rest = text.partition(costs.README_BEGIN)
    table, found, _ = rest.partition(costs.README_END)
    assert found, "README has no cost table markers"
    return table.strip("\n")


def test_the_readme_cost_table_is_the_models_output_for_the_last_measured_inputs():
    # after a change to the template's alarms or to the model: `.venv/bin/python bench/run.py --readme-only`
    assert _readme_table() == costs.readme_month_table(costs.load_inputs(), TEMPLATE)


def test_the_bench_verdict_on_the_fixed_month_is_the_models_total_of_the_readme_table():
    month = costs.month(costs.load_inputs(), 100, TEMPLATE)
    verdicts = {name: met for name, _, _, met in claimed_vs_measured(
        {"fixed_cost_per_month_usd_100_cases_day": month["aws_month"]})}  # fmt: skip

    assert f"AWS ${month['aws_month']:.2f} + X" in _readme_table()
    assert verdicts["AWS a month at 100 cases/day, inbox open 9 h/day by 3 agents"] is (month["aws_month"] <= 1)


REFRESH = {"function_ms": 2, "calls": 2, "read_units": 2.0, "full_function_ms": 15, "full_calls": 3,
           "full_read_units": 4.5}  # fmt: skip


def test_the_inbox_pays_a_queue_read_only_for_refreshes_after_a_change_or_a_new_five_minute_slot():
    def inbox_line(**refresh):
        lines = costs.fixed_lines(100, 0.04, REFRESH | refresh, TEMPLATE, variable_queue_changes=3.4)
        return next(line for line in lines if line.name.startswith("inbox open"))

    refreshes, full = costs.inbox_refreshes(100, 3.4)

    assert 0 < full < refreshes / 2  # most refreshes of a small desk find nothing changed
    assert f"at most {full:,.0f} that read the queue" in inbox_line().how
    dearer_queue = inbox_line(full_read_units=104.5).usd - inbox_line().usd
    assert abs(dearer_queue - full * 100 * costs.REGIONS["us-east-1"]["dynamodb_read_unit"]) < 1e-9


def test_the_models_refresh_schedule_is_the_inbox_pages():
    script = (ROOT / "functions" / "inbox" / "static" / "inbox.js").read_text()
    steps = re.search(r"const REFRESH_STEPS_MS = \[([^\]]*)\]", script)

    assert steps and tuple(int(ms) // 1000 for ms in steps.group(1).split(",")) == costs.INBOX_REFRESH_STEPS


def test_a_watched_queue_backs_off_as_a_simulation_of_the_page_finds():
    """The closed form of `watched_queue` against the page's rule played out: random changes, a refresh after each
    step, the steps starting over at the refresh that shows a change."""
    rng = random.Random(30)
    for changes_per_second in (1 / 30, 1 / 95, 1 / 600):
        now, refreshes, changed, step = 0.0, 0, 0, 0
        next_change = rng.expovariate(changes_per_second)
        while now < 3_000_000:
            now += costs.INBOX_REFRESH_STEPS[min(step, len(costs.INBOX_REFRESH_STEPS) - 1)]
            refreshes += 1
            if next_change <= now:
                changed, step = changed + 1, 0
                while next_change <= now:
                    next_change += rng.expovariate(changes_per_second)
            else:
                step += 1
        rate, changed_rate = costs.watched_queue(changes_per_second)

        assert abs(refreshes / now / rate - 1) < 0.02, changes_per_second
        assert abs(changed / now / changed_rate - 1) < 0.03, changes_per_second


def test_a_quiet_desks_inbox_refreshes_less_than_every_15_s_and_a_busy_ones_as_often():
    every_15_s = 3 * 9 * 3600 * costs.MONTH_DAYS / 15

    assert costs.inbox_refreshes(100, 3.4)[0] < 0.7 * every_15_s
    assert abs(costs.inbox_refreshes(10_000, 3.4)[0] / every_15_s - 1) < 0.001


def test_the_month_counts_the_templates_alarms_and_the_published_metric_series():
    from carebird.aws.metrics import PUBLISHED

    fixed = {line.name: line for line in costs.fixed_lines(100, 0.04, REFRESH, TEMPLATE)}
    alarms = TEMPLATE.count("Type: AWS::CloudWatch::Alarm")

    assert fixed["CloudWatch alarms"].usd == max(alarms - 10, 0) * 0.10
    assert fixed["CloudWatch alarms"].how.startswith(f"{alarms} alarms")
    assert costs.filtered_metrics(TEMPLATE) == {"WebhookClientErrors"}  # two filters, one series
    assert costs.custom_metrics(TEMPLATE) == len(PUBLISHED) + 1 <= 10


def test_one_traffic_mix_prices_x_per_case_and_the_storm_sends_its_public_share():
    import random

    from bench.traffic import BRAND, storm_payloads
    from carebird.domain.model import Author

    payloads = storm_payloads(Author(*BRAND), 3000)
    kinds = [p.get("data", {}).get("event_type") for p in payloads]
    dms = sum(1 for p, kind in zip(payloads, kinds, strict=True)
              if "direct_message_events" in p or kind == "dm.received")  # fmt: skip
    random.seed()
    per_1000 = costs.x_per_1000_cases()

    assert abs(dms / len(payloads) - (1 - costs.MIX.public_share)) < 0.05
    assert per_1000["answers_from_the_inbox"] > per_1000["answers_typed_in_the_x_app"] > 0


def test_the_model_counts_lambdas_own_log_events_as_the_templates_logging_config_writes_them():
    # JSON format with system events at WARN: a successful invocation writes none of Lambda's own lines
    # (docs/reliability.md, "What is logged"); the text format wrote START, END and REPORT, ~330 B in three events
    config = re.search(r"\n    LoggingConfig:\n((?: {6}\S.*\n)+)", TEMPLATE)
    assert config, "the template's Globals set no LoggingConfig"
    filtered = "LogFormat: JSON" in config.group(1) and "SystemLogLevel: WARN" in config.group(1)
    expected = (0, 0) if filtered else (330, 3)
    counted = (costs.PLATFORM_LOG_BYTES, costs.PLATFORM_LOG_EVENTS)
    assert counted == expected
    per_case = costs.load_inputs()["per_case"]
    ingestion = next(
        line for line in costs.variable_lines(per_case, 4.0, 4000, "us-east-1") if "ingestion" in line.name
    )
    lines = sum(per_case["log_bytes"].values()) + costs.LOG_EVENT_OVERHEAD_BYTES * sum(per_case["log_lines"].values())
    assert abs(ingestion.usd - lines * 1000 / 1e9 * costs.REGIONS["us-east-1"]["logs_ingested_gb"]) < 1e-12
