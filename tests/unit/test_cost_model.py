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
    ingestion = next(line for line in costs.variable_lines(per_case, {}, 4000, "us-east-1") if "ingestion" in line.name)
    lines = sum(per_case["log_bytes"].values()) + costs.LOG_EVENT_OVERHEAD_BYTES * sum(per_case["log_lines"].values())
    assert abs(ingestion.usd - lines * 1000 / 1e9 * costs.REGIONS["us-east-1"]["logs_ingested_gb"]) < 1e-12


# A case's bill as case_lifecycle measures it since the webhook hands each delivery to the ingester (round figures).
HANDED_OVER = {
    "stored_bytes": 4800.0,
    "invocations": {"webhook": 3.3, "ingester": 3.3, "acknowledger": 1.0, "dispatcher": 3.4},
    "cpu_ms": {"webhook": 0.9, "ingester": 3.0, "acknowledger": 3.4, "dispatcher": 3.7},
    "log_bytes": {"webhook": 0.0, "ingester": 1420.0, "acknowledger": 127.0, "dispatcher": 489.0},
    "log_lines": {"webhook": 0.0, "ingester": 5.3, "acknowledger": 0.4, "dispatcher": 2.0},
    "write_units": {"ingester": 31.4, "acknowledger": 2.8, "dispatcher": 20.6},
    "read_units": {"ingester": 1.3, "acknowledger": 0.8, "dispatcher": 3.4},
    "refused_writes": {"ingester": 0.4},
    "calls": {"webhook lambda:Invoke": 3.3, "webhook secretsmanager:GetSecretValue": 0.025,
              "ingester dynamodb:BatchGetItem": 1.4, "ingester dynamodb:GetItem": 0.4,
              "ingester dynamodb:TransactWriteItems": 3.4, "acknowledger dynamodb:GetItem": 0.8,
              "dispatcher dynamodb:TransactWriteItems": 3.4, "dispatcher scheduler:CreateSchedule": 2.0},
    "handover_bytes": {"mean": 2900.0, "largest": 4100},
}  # fmt: skip


def _lines(per_case=HANDED_OVER, over_http=None):
    return {line.name: line for line in costs.variable_lines(per_case, over_http or {}, 4800, "us-east-1")}


def test_lambda_requests_count_the_ingesters_invocation_for_every_delivery_handed_over():
    requests = _lines()["Lambda requests"]
    invocations = sum(HANDED_OVER["invocations"].values())

    assert abs(requests.usd - invocations * 1000 * costs.REGIONS["us-east-1"]["lambda_request"]) < 1e-12
    assert "ingester 3.3" in requests.how and "webhook 3.3" in requests.how


def test_the_webhooks_duration_is_its_cpu_and_its_wait_for_the_invokes_answer_and_the_ingesters_its_dynamodb_waits():
    gb_second = costs.REGIONS["us-east-1"]["lambda_gb_second_arm"]
    lines = _lines(over_http={"webhook": 1.2, "ingester": 4.5})
    webhook_ms = 3.3 * (1.2 + costs.BILLING_ROUNDING_MS) + 3.3 * costs.LAMBDA_INVOKE_WAIT_MS + 0.025 * 20
    ingester_ms = 3.3 * (4.5 + costs.BILLING_ROUNDING_MS) + (1.4 + 0.4 + 3.4) * costs.CALL_LATENCY_MS["dynamodb"]

    webhook, ingester = (
        lines["Lambda duration: webhook (arm64, 512 MB)"],
        lines["Lambda duration: ingester (arm64, 512 MB)"],
    )
    assert abs(webhook.usd - webhook_ms / 1000 * 0.5 * gb_second * 1000) < 1e-12
    assert abs(ingester.usd - ingester_ms / 1000 * 0.5 * gb_second * 1000) < 1e-12
    assert "1.20 ms over HTTP" in webhook.how and "lambda:Invoke x 30 ms" in webhook.how
    assert "4.50 ms over HTTP" in ingester.how and "dynamodb:TransactWriteItems x 6 ms" in ingester.how


def test_a_cpu_figure_the_probes_did_not_measure_over_http_is_said_so_and_the_bills_own_figure_used():
    webhook = _lines(over_http={"ingester": 4.5})["Lambda duration: webhook (arm64, 512 MB)"]

    assert "0.90 ms in process (over HTTP: not measured in this run)" in webhook.how
    assert costs.model_inputs(HANDED_OVER, {"webhook": None, "ingester": 4.5}, REFRESH)["cpu_ms_http"] == {
        "ingester": 4.5
    }


def test_lambdas_asynchronous_queue_is_no_line_of_its_own_and_a_handover_above_256_kb_costs_requests():
    lines = _lines()
    big = HANDED_OVER | {"handover_bytes": {"mean": 300_000.0, "largest": 300_000}}
    extra = _lines(big)["Lambda requests"].usd - lines["Lambda requests"].usd

    assert not [name for name in lines if "queue" in name.lower() and "escalation" not in name]  # no line of its own
    assert "3.3 handovers" in lines["Lambda requests"].how
    assert "asynchronous queue is not billed by itself" in lines["Lambda requests"].how
    assert abs(extra - 1 * 3.3 * 1000 * costs.REGIONS["us-east-1"]["lambda_request"]) < 1e-12  # 43 KB over: 1 chunk


def test_the_webhooks_and_the_ingesters_log_lines_are_both_billed():
    logs = _lines()["CloudWatch Logs ingestion"]
    counted = 1420 + 5.3 * costs.LOG_EVENT_OVERHEAD_BYTES + 127 + 0.4 * 26 + 489 + 2 * 26

    assert abs(logs.usd - counted * 1000 / 1e9 * costs.REGIONS["us-east-1"]["logs_ingested_gb"]) < 1e-12
    assert "ingester 1558 B" in logs.how and "webhook 0 B" in logs.how


def test_the_last_measured_bill_went_through_the_webhook_and_the_ingester():
    per_case = costs.load_inputs()["per_case"]
    calls = per_case["calls"]

    assert per_case["invocations"]["ingester"] >= per_case["invocations"]["webhook"] > 0
    assert calls["webhook lambda:Invoke"] == per_case["invocations"]["webhook"]
    assert not [key for key in calls if key.startswith("webhook dynamodb:")]


def test_cold_starts_are_the_invocations_after_an_idle_gap_as_a_simulation_of_random_arrivals_finds():
    rng = random.Random(30)
    for per_day, invocations in ((100, 3.3), (100, 1.0), (300, 1.5)):
        rate = per_day * invocations / (24 * 60)  # a minute
        now, last, cold, days = 0.0, -1e9, 0, 400
        while now < days * 24 * 60:
            now += rng.expovariate(rate)
            cold, last = cold + (now - last > costs.IDLE_RECLAIM_MINUTES), now

        expected = costs.cold_starts_a_month(per_day, invocations) / costs.MONTH_DAYS * days
        assert abs(cold / expected - 1) < 0.05, (per_day, invocations)


def test_a_cold_start_is_billed_its_built_first_events_cpu_at_the_memorys_cpu_share_and_unmeasured_ones_say_so():
    invocations = {"webhook": 3.3, "ingester": 3.3, "dispatcher": 3.4}
    gb_second = costs.REGIONS["us-east-1"]["lambda_gb_second_arm"]
    measured = costs.cold_start_line(100, invocations, {"webhook": 400.0, "ingester": 600.0}, "us-east-1")
    webhook_only = costs.cold_start_line(100, invocations, {"webhook": 400.0}, "us-east-1")
    share = costs.LAMBDA_FULL_VCPU_MB / 512
    webhook = costs.cold_starts_a_month(100, 3.3) * 0.4 * share * 0.5 * gb_second

    assert abs(webhook_only.usd - webhook) < 1e-12
    assert "not measured in this run, not counted: dispatcher" in webhook_only.how and "ingester (" in webhook_only.how
    assert "dispatcher" in measured.how and "the ingester's" in measured.how  # the dispatcher's stand-in
    assert "not measured" not in measured.how and measured.usd > webhook_only.usd


def test_the_month_counts_the_cold_starts_of_a_cases_functions():
    inputs = costs.model_inputs(HANDED_OVER, {}, REFRESH, {"webhook": 400.0, "ingester": 600.0})
    month = {line.name: line for line in costs.month(inputs, 100, TEMPLATE)["fixed"]}
    expected = costs.cold_start_line(100, HANDED_OVER["invocations"], inputs["init_cpu_ms"], "us-east-1")

    assert month["Lambda cold starts"] == expected and expected.usd > 0
