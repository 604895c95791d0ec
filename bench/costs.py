"""What carebird costs: every line of an AWS bill, from what the bench measured of the real functions, and X's.

Inputs are measured (bench/probes.py `case_lifecycle`: invocations, calls, DynamoDB units with index copies, key
changes and refused writes, log bytes, CPU; the inbox's queue refresh; the bytes a case stores) or stated below as
assumptions with their reason. Prices: the tables below, one per region, with their source and the date read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# AWS on-demand prices (USD). us-east-1: read from the AWS pricing pages listed in SOURCES on 2026-12-06 (the
# DynamoDB figures are those of the November 2024 on-demand price cut). eu-west-3 (Paris): the same pages' regional
# tables as transcribed for this project in December 2026; re-check them against the AWS Pricing Calculator before
# quoting them to a customer. Free tiers are handled apart (FREE_TIER), never folded into a price.
SOURCES = {
    "lambda": "https://aws.amazon.com/lambda/pricing/",
    "dynamodb": "https://aws.amazon.com/dynamodb/pricing/on-demand/",
    "api_gateway": "https://aws.amazon.com/api-gateway/pricing/",
    "step_functions": "https://aws.amazon.com/step-functions/pricing/",
    "scheduler": "https://aws.amazon.com/eventbridge/pricing/",
    "sns": "https://aws.amazon.com/sns/pricing/",
    "secrets_manager": "https://aws.amazon.com/secrets-manager/pricing/",
    "cloudwatch": "https://aws.amazon.com/cloudwatch/pricing/",
    "xray": "https://aws.amazon.com/xray/pricing/",
}
PRICES_READ = "2026-12-06"
REGIONS: dict[str, dict[str, float]] = {
    "us-east-1": {
        "lambda_request": 0.20 / 1e6,
        "lambda_gb_second_arm": 0.0000133334,
        "dynamodb_write_unit": 0.625 / 1e6,
        "dynamodb_read_unit": 0.125 / 1e6,
        "dynamodb_storage_gb_month": 0.25,
        "dynamodb_pitr_gb_month": 0.20,
        "http_api_request": 1.00 / 1e6,
        "sfn_express_request": 1.00 / 1e6,
        "sfn_express_gb_second": 0.00001667,
        "scheduler_invocation": 1.00 / 1e6,
        "sns_publish": 0.50 / 1e6,
        "sns_email": 2.00 / 1e5,
        "secret_month": 0.40,
        "secret_call": 0.05 / 1e4,
        "logs_ingested_gb": 0.50,
        "logs_stored_gb_month": 0.03,
        "metric_month": 0.30,
        "alarm_month": 0.10,
        "dashboard_month": 3.00,
        "xray_trace": 5.00 / 1e6,
    },
    "eu-west-3": {
        "lambda_request": 0.20 / 1e6,
        "lambda_gb_second_arm": 0.0000133334,
        "dynamodb_write_unit": 0.7375 / 1e6,
        "dynamodb_read_unit": 0.1475 / 1e6,
        "dynamodb_storage_gb_month": 0.297,
        "dynamodb_pitr_gb_month": 0.2376,
        "http_api_request": 1.11 / 1e6,
        "sfn_express_request": 1.00 / 1e6,
        "sfn_express_gb_second": 0.00001667,
        "scheduler_invocation": 1.00 / 1e6,
        "sns_publish": 0.50 / 1e6,
        "sns_email": 2.00 / 1e5,
        "secret_month": 0.40,
        "secret_call": 0.05 / 1e4,
        "logs_ingested_gb": 0.53,
        "logs_stored_gb_month": 0.0318,
        "metric_month": 0.30,
        "alarm_month": 0.10,
        "dashboard_month": 3.00,
        "xray_trace": 5.00 / 1e6,
    },
}
FREE_TIER = {"metrics": 10, "alarms": 10, "dashboards": 3, "logs_gb": 5, "scheduler_invocations": 14_000_000}

# Stated assumptions (not measurable on moto), each with its reason.
CALL_LATENCY_MS = {  # wall time an AWS call adds to a function's billed duration, same region, warm connection
    "dynamodb": 6.0,
    "scheduler": 25.0,
    "secretsmanager": 20.0,
    "sns": 20.0,
}
BILLING_ROUNDING_MS = 0.5  # Lambda bills whole milliseconds: half of one on average
PLATFORM_LOG_BYTES = 330  # Lambda's START, END and REPORT lines of every invocation (their fixed formats)
LOG_EVENT_OVERHEAD_BYTES = 26  # counted per log event by CloudWatch Logs
LOG_COMPRESSION = 0.15  # stored logs are billed compressed
EXPRESS_SECONDS, EXPRESS_GB = 0.1, 0.064  # one SLA check: under 100 ms, billed at the 64 MB minimum
ESCALATED_SHARE = 0.10  # cases whose deadline finds them waiting: the workflow updates the case and emails
PUBLIC_SHARE = 0.70  # public conversations (the storm's mix: 70 % posts, 30 % DMs)
STORAGE_OVERHEAD_BYTES = 100  # DynamoDB adds 100 bytes to every stored item and index entry
INBOX_REFRESH_SECONDS = 15


@dataclass(frozen=True)
class Line:
    name: str
    usd: float
    how: str


def _lambda_duration(per_case: dict[str, Any], function: str, cpu_ms: float, memory_gb: float) -> float:
    """GB-seconds of one function's invocations for one case: CPU plus the wall time of its AWS calls."""
    calls = per_case["calls"]
    wait_ms = sum(
        n * CALL_LATENCY_MS.get(key.split(" ", 1)[1].split(":")[0], 6.0)
        for key, n in calls.items()
        if key.startswith(f"{function} ")
    )
    invocations = per_case["invocations"][function]
    return (invocations * (cpu_ms + BILLING_ROUNDING_MS) + wait_ms) / 1000 * memory_gb


def variable_lines(
    per_case: dict[str, Any], webhook_cpu_ms: float, stored_bytes_per_case: float, region: str, memory_gb: float = 0.5
) -> list[Line]:
    """AWS per 1,000 cases, line by line (the first month of storage of those cases included)."""
    price, cases = REGIONS[region], 1000
    invocations = per_case["invocations"]
    gb_seconds = sum(
        _lambda_duration(per_case, f, webhook_cpu_ms if f == "webhook" else per_case["cpu_ms"][f], memory_gb)
        for f in invocations
    )
    schedules = sum(n for key, n in per_case["calls"].items() if key.endswith("scheduler:CreateSchedule"))
    escalations = schedules * ESCALATED_SHARE
    log_bytes = (
        sum(per_case["log_bytes"].values())
        + sum(n * (PLATFORM_LOG_BYTES + 3 * LOG_EVENT_OVERHEAD_BYTES) for n in invocations.values())
        + sum(n * LOG_EVENT_OVERHEAD_BYTES for n in per_case["log_lines"].values())
    )
    secret_calls = sum(n for key, n in per_case["calls"].items() if "secretsmanager:" in key)
    gb = stored_bytes_per_case * cases / 1e9
    wru, rru = sum(per_case["write_units"].values()), sum(per_case["read_units"].values())
    workflow_rru = 1.0  # each SLA check reads the case once (consistent GetItem of one small item)
    workflow_wru = ESCALATED_SHARE * 2 * 2  # an escalation's UpdateItem: the case, and its open-queue copy
    return [
        Line(
            "Lambda requests",
            sum(invocations.values()) * cases * price["lambda_request"],
            f"{sum(invocations.values()):.1f} invocations a case (webhook {invocations.get('webhook', 0):.1f}, "
            "stream consumers one per record: no batching assumed)",
        ),
        Line(
            "Lambda duration (arm64, 512 MB)",
            gb_seconds * cases * price["lambda_gb_second_arm"],
            f"measured CPU (webhook {webhook_cpu_ms:.2f} ms over HTTP) + {CALL_LATENCY_MS['dynamodb']:.0f} ms per "
            "DynamoDB call waited (assumed) + rounding",
        ),
        Line(
            "HTTP API requests",
            invocations.get("webhook", 0) * cases * price["http_api_request"],
            "one per delivery X makes",
        ),
        Line(
            "DynamoDB writes",
            (wru + workflow_wru) * cases * price["dynamodb_write_unit"],
            f"{wru:.1f} WRU a case measured (transactions doubled, index copies, key changes as delete + put, "
            f"refused writes, KPI counters) + {workflow_wru:.1f} for escalations",
        ),
        Line(
            "DynamoDB reads",
            (rru + schedules * workflow_rru) * cases * price["dynamodb_read_unit"],
            f"{rru:.1f} RRU a case measured + {schedules * workflow_rru:.1f} for the SLA checks",
        ),
        Line(
            "DynamoDB storage, first month",
            gb * price["dynamodb_storage_gb_month"],
            f"{stored_bytes_per_case / 1024:.1f} KB stored a case (items, index copies, 100 B overhead each)",
        ),
        Line("DynamoDB PITR, first month", gb * price["dynamodb_pitr_gb_month"], "the same bytes, backed up"),
        Line(
            "Step Functions Express (SLA checks)",
            schedules
            * cases
            * (price["sfn_express_request"] + EXPRESS_SECONDS * EXPRESS_GB * price["sfn_express_gb_second"]),
            f"{schedules:.1f} one-time schedule(s) a case, each one execution",
        ),
        Line(
            "EventBridge Scheduler",
            schedules * cases * price["scheduler_invocation"],
            f"{schedules:.1f} invocation(s) a case (free for the first 14 million a month)",
        ),
        Line(
            "SNS (escalation emails)",
            escalations * cases * (price["sns_publish"] + price["sns_email"]),
            f"{ESCALATED_SHARE:.0%} of deadlines escalate (assumed): one publish, one email",
        ),
        Line(
            "Secrets Manager calls",
            secret_calls * cases * price["secret_call"],
            f"{secret_calls:.2f} GetSecretValue a case measured (once per container)",
        ),
        Line(
            "CloudWatch Logs ingestion",
            log_bytes * cases / 1e9 * price["logs_ingested_gb"],
            f"{log_bytes / 1024:.1f} KB a case: the functions' lines measured + Lambda's START/END/REPORT",
        ),
        Line(
            "CloudWatch Logs storage, retained 30 days",
            log_bytes * cases / 1e9 * LOG_COMPRESSION * price["logs_stored_gb_month"],
            "compressed",
        ),
    ]


def x_per_1000_cases() -> dict[str, float]:
    """X's bill per 1,000 cases, per scenario, from the domain's price table and case scenarios
    (carebird.domain.xbill: the README's X table prices the same ones): each case is a first message, one answer and
    one follow-up from the customer, 70 % public and 30 % DMs; redeliveries are free (X bills an event once per UTC
    day)."""
    from carebird.domain.xbill import CASE_SCENARIOS, x_cost

    def per_case(public: str, dm: str) -> float:
        follow_up_public, follow_up_dm = (
            CASE_SCENARIOS["customer follow-up post"],
            CASE_SCENARIOS["customer follow-up DM"],
        )
        return PUBLIC_SHARE * (x_cost(CASE_SCENARIOS[public]) + x_cost(follow_up_public)) + (1 - PUBLIC_SHARE) * (
            x_cost(CASE_SCENARIOS[dm]) + x_cost(follow_up_dm)
        )

    return {
        "answers_typed_in_the_x_app": round(
            1000 * per_case("mention answered in the X app", "DM answered in the X app"), 2
        ),
        "answers_from_the_inbox": round(
            1000 * per_case("mention answered from the inbox", "DM answered from the inbox"), 2
        ),
    }


def fixed_lines(
    per_day: int,
    variable_per_1000: float,
    inbox_refresh: dict[str, float],
    template: str,
    region: str,
    metric_series: int,
    agents: int = 3,
    hours_a_day: float = 9,
) -> list[Line]:
    """A month at `per_day` cases: what runs whatever the traffic, the inbox open `agents` x `hours_a_day`, and the
    month's variable cost; free tiers applied where AWS grants them to every account (metrics, alarms, logs)."""
    price = REGIONS[region]
    alarms = template.count("Type: AWS::CloudWatch::Alarm")
    dashboards = template.count("Type: AWS::CloudWatch::Dashboard")
    scheduled = 30 * (24 * 4 + 24 * 12 + 24 + 2)  # watcher /15 min, poller /5 min, health /hour, announcer, digest
    scheduled_seconds = scheduled * 0.15  # each a few calls: ~150 ms billed (assumed)
    refreshes = agents * hours_a_day * 30 * 3600 / INBOX_REFRESH_SECONDS
    inbox = refreshes * (
        price["http_api_request"]
        + price["lambda_request"]
        + (inbox_refresh["function_ms"] + CALL_LATENCY_MS["dynamodb"] * inbox_refresh["calls"])
        / 1000
        * 0.5
        * price["lambda_gb_second_arm"]
        + inbox_refresh["read_units"] * price["dynamodb_read_unit"]
    )
    scheduled_logs_gb = scheduled * (PLATFORM_LOG_BYTES + 600) / 1e9
    return [
        Line("Secrets Manager secret", price["secret_month"], "the X credentials"),
        Line(
            "CloudWatch alarms",
            max(alarms - FREE_TIER["alarms"], 0) * price["alarm_month"],
            f"{alarms} alarms, {FREE_TIER['alarms']} free",
        ),
        Line(
            "CloudWatch metrics",
            max(metric_series - FREE_TIER["metrics"], 0) * price["metric_month"],
            f"{metric_series} custom metric series, {FREE_TIER['metrics']} free",
        ),
        Line(
            "CloudWatch dashboards",
            max(dashboards - FREE_TIER["dashboards"], 0) * price["dashboard_month"],
            f"{dashboards} dashboard(s), {FREE_TIER['dashboards']} free",
        ),
        Line(
            "scheduled functions",
            scheduled * price["lambda_request"]
            + scheduled_seconds * 0.5 * price["lambda_gb_second_arm"]
            + scheduled_logs_gb * price["logs_ingested_gb"],
            f"{scheduled:,} invocations a month (watcher, poller, health, announcer, digest)",
        ),
        Line(
            f"inbox open {hours_a_day:g} h a day by {agents} agents",
            inbox,
            f"{refreshes:,.0f} queue refreshes a month (every {INBOX_REFRESH_SECONDS} s), "
            f"{inbox_refresh['read_units']:.1f} RRU and {inbox_refresh['function_ms']:.0f} ms each",
        ),
        Line(
            f"variable, {per_day:,} cases a day",
            variable_per_1000 * per_day * 30 / 1000,
            "the per-1,000-case lines above",
        ),
    ]


def total(lines: list[Line]) -> float:
    return sum(line.usd for line in lines)
