"""What carebird costs: every line of an AWS bill, from what the bench measured of the real functions, and X's.

The one cost model of the project: docs/performance.md and README's "What it costs a small brand" table quote it
(`make bench` writes both; tests/unit/test_cost_model.py holds README's table to `readme_month_table` of the
inputs the last run saved in bench/measured.json).

Inputs are measured (bench/probes.py `case_lifecycle`: invocations, calls, DynamoDB units with index copies, key
changes and refused writes, log bytes, CPU; the inbox's queue refresh; the bytes a case stores) or stated below as
assumptions with their reason; the traffic mix (MIX) is stated once here. Prices: one region's table, its source
and the date read.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MEASURED = Path(__file__).resolve().parent / "measured.json"  # the last run's inputs of the model (make bench)

# AWS on-demand prices (USD), one region: us-east-1, read from the AWS pricing pages listed in SOURCES on
# 2026-12-06 (the DynamoDB figures are those of the November 2024 on-demand price cut). Other regions differ by a
# few percent (DynamoDB and API Gateway cost more in most of Europe): price them from the same pages before
# quoting them; no second table is kept here unverified. Free tiers are handled apart (FREE_TIER), never folded
# into a price.
SOURCES = {
    "lambda": "https://aws.amazon.com/lambda/pricing/",
    "dynamodb": "https://aws.amazon.com/dynamodb/pricing/on-demand/",
    "api_gateway": "https://aws.amazon.com/api-gateway/pricing/",
    "step_functions": "https://aws.amazon.com/step-functions/pricing/",
    "scheduler": "https://aws.amazon.com/eventbridge/pricing/",
    "sns": "https://aws.amazon.com/sns/pricing/",
    "sqs": "https://aws.amazon.com/sqs/pricing/",
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
        "sqs_request": 0.40 / 1e6,  # standard queue (the first million requests a month are free: not deducted)
        "secret_month": 0.40,
        "secret_call": 0.05 / 1e4,
        "logs_ingested_gb": 0.50,
        "logs_stored_gb_month": 0.03,
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
    "lambda": 30.0,  # the webhook's handover: LAMBDA_INVOKE_WAIT_MS below
    "scheduler": 25.0,
    "secretsmanager": 20.0,
    "sns": 20.0,
}
# The webhook waits for Lambda's answer to its asynchronous Invoke (202 once the event is in Lambda's queue: the
# Invoke API reference, https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html). AWS publishes no latency
# for it; 30 ms is assumed: more than the 20-25 ms taken above for the other control-plane calls (SNS, Scheduler,
# Secrets Manager), five times DynamoDB's 6 ms, on the conservative side for a same-region call on a warm
# connection. Every 10 ms more adds about $0.0002 per 1,000 cases (3.3 deliveries a case at 512 MB).
LAMBDA_INVOKE_WAIT_MS = CALL_LATENCY_MS["lambda"]
# Lambda's asynchronous queue is not billed by itself: Lambda pricing (SOURCES["lambda"]) bills requests and
# duration; the ingester's invocation out of the queue is one request of the ingester, each retry another (counted
# when it happens: the bill's run has none). A payload above 256 KB is billed one more request per 64 KB beyond the
# first 256 KB (AWS's announcement of the 1 MB asynchronous payload, October 2025: not re-read from the pricing page
# this session); a handover of an everyday delivery is a few KB.
ASYNC_PAYLOAD_FREE_BYTES, ASYNC_PAYLOAD_CHUNK_BYTES = 256 * 1024, 64 * 1024
# Cold starts: since 1 August 2025 Lambda bills the INIT phase of ZIP functions on managed runtimes as duration, as it
# bills an invocation ("AWS Lambda standardizes billing for INIT Phase", AWS Compute Blog, April 2025). How often a
# function starts cold depends on the traffic, not linearly on the cases: it is a line of the month, not of the
# 1,000 cases. Assumed: an execution environment left idle IDLE_RECLAIM_MINUTES is gone (AWS documents no lifetime;
# 5 minutes is the short, pessimistic end of what is commonly observed), invocations arrive at random (Poisson)
# spread evenly over the day (a desk's traffic bunches in opening hours, which leaves fewer, longer gaps: fewer cold
# starts), one environment per function (a small desk's traffic never needs two at once).
IDLE_RECLAIM_MINUTES = 5.0
# The INIT phase's CPU, per function: the bench's built first event on python3.13 (bench/probes.py
# `built_first_event`: whole-process CPU of import + first event, more than the INIT phase alone); the stream
# consumers' is not measured: the ingester's stands for it (they import the same case store and powertools).
INIT_CPU_KEYS = {"webhook": "first_event_cpu_ms_built", "ingester": "first_event_cpu_ms_built_ingester"}
INIT_STAND_INS = {"acknowledger": "ingester", "dispatcher": "ingester"}
# billed as wall time at the function's memory: its CPU share (one full vCPU at 1,769 MB: Lambda's memory and
# computing power page), never more than one; any CPU boost Lambda may give an INIT phase is not counted on
LAMBDA_FULL_VCPU_MB = 1769
BILLING_ROUNDING_MS = 0.5  # Lambda bills whole milliseconds: half of one on average
# Lambda's own (system) log events of a successful invocation under the template's LoggingConfig (JSON format, system
# log level WARN): none. Lambda's log-level filtering page ("System log level event mapping",
# https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html) files an invocation's start
# and report at INFO and its runtimeDone at DEBUG, a failed, crashed or timed-out one's runtimeDone (and a failed
# init) at WARN: those are the only ones written, one event of about 300 B per failure, which a case's bill does not
# count (docs/reliability.md, "What is logged"). In the text format (no LoggingConfig) START, END and REPORT were
# three events and about 330 B an invocation.
PLATFORM_LOG_EVENTS = 0
PLATFORM_LOG_BYTES = 0
LOG_EVENT_OVERHEAD_BYTES = 26  # counted per log event by CloudWatch Logs
LOG_COMPRESSION = 0.15  # stored logs are billed compressed
EXPRESS_SECONDS, EXPRESS_GB = 0.1, 0.064  # one SLA check: under 100 ms, billed at the 64 MB minimum
ESCALATED_SHARE = 0.10  # cases whose deadline finds them waiting: the workflow updates the case and emails
ESCALATION_QUEUE_REQUESTS = 3  # SendMessage (the workflow), ReceiveMessage and DeleteMessage (the escalator's poller)
SCHEDULES_PER_DEADLINE = 2  # the deadline and its backstop (carebird.domain.sla.timers_for); the backstop of an
# escalated deadline finds the case escalated and stops: one escalation per deadline, not per schedule
STORAGE_OVERHEAD_BYTES = 100  # DynamoDB adds 100 bytes to every stored item and index entry
# The inbox's queue refresh (functions/inbox/static/inbox.js REFRESH_STEPS_MS, tests/unit/test_cost_model.py holds
# the two equal): 15 s while the queue changes or the agent works it, then 20, 30, 45 and 60 s while it stays the same
INBOX_REFRESH_STEPS = (15, 20, 30, 45, 60)
QUEUE_FIGURES_SLOT_SECONDS = 300  # an unchanged queue is read again in each 5-minute slot (inbox.FIGURES_FRESH_FOR)
MONTH_DAYS = 365 / 12
OPEN_DAYS_A_MONTH = MONTH_DAYS * 5 / 7  # the template's default opening days: Monday to Friday


@dataclass(frozen=True)
class Mix:
    """The traffic every figure of the model assumes (the bench's storm sends the same public/DM shares)."""

    public_share: float = 0.70  # public conversations; the rest are DMs
    out_of_hours_share: float = 0.40  # cases opened outside opening hours: acknowledged (AcknowledgeOutOfHours)
    follow_ups: float = 1.0  # customer messages after the first, per case
    agents: int = 3  # the inbox's queue shown `hours_a_day` by `agents`, every day of the month (never hidden)
    hours_a_day: float = 9
    # a quiet desk's day: the share of that time an agent works the queue at the keyboard (each key or click brings
    # the refresh back to 15 s); the rest of the time the page is watched, and backs off while nothing changes
    inbox_active_share: float = 0.25


MIX = Mix()


@dataclass(frozen=True)
class Line:
    name: str
    usd: float
    how: str


def _lambda_duration(per_case: dict[str, Any], function: str, cpu_ms: float, memory_gb: float) -> float:
    """GB-seconds of one function's invocations for one case: CPU plus the wall time of its AWS calls."""
    invocations = per_case["invocations"][function]
    return (invocations * (cpu_ms + BILLING_ROUNDING_MS) + _wait_ms(per_case, function)) / 1000 * memory_gb


def _wait_ms(per_case: dict[str, Any], function: str) -> float:
    """Milliseconds a function waits for the answers of its AWS calls in a case (CALL_LATENCY_MS per call)."""
    return sum(
        n * CALL_LATENCY_MS.get(key.split(" ", 1)[1].split(":")[0], 6.0)
        for key, n in per_case["calls"].items()
        if key.startswith(f"{function} ")
    )


def function_cpu(per_case: dict[str, Any], cpu_ms_http: dict[str, float]) -> dict[str, tuple[float, str]]:
    """Each function's CPU per invocation and where it comes from: over HTTP to AWS on loopback when the bench's
    probes measured it (bench/worker.py: `webhook_cpu_ms_per_event_http`, `ingester_cpu_ms_per_event_http`), else
    the bill's own run (bench/probes.py `case_lifecycle`: in process, moto's emulation excluded, no transport)."""
    found = {}
    for function in per_case["invocations"]:
        over_http, in_process = cpu_ms_http.get(function), per_case["cpu_ms"].get(function)
        if over_http is not None:
            found[function] = (over_http, f"{over_http:.2f} ms over HTTP")
        elif in_process is None:
            raise KeyError(f"no CPU figure for the {function} function: neither over HTTP nor in the bill's run")
        elif function in HTTP_PROBED:
            found[function] = (in_process, f"{in_process:.2f} ms in process (over HTTP: not measured in this run)")
        else:
            found[function] = (in_process, f"{in_process:.2f} ms in process")
    return found


HTTP_PROBED = ("webhook", "ingester")  # the functions the bench also measures over HTTP (bench/worker.py)


def _async_extra_requests(per_case: dict[str, Any]) -> float:
    """Requests billed for the handovers' payloads beyond 256 KB (one per started 64 KB chunk above it)."""
    largest = per_case.get("handover_bytes", {}).get("largest", 0)
    extra = max(0, math.ceil((largest - ASYNC_PAYLOAD_FREE_BYTES) / ASYNC_PAYLOAD_CHUNK_BYTES))
    return extra * per_case["invocations"].get("ingester", 0)  # pessimistic: every handover as large as the largest


def variable_lines(
    per_case: dict[str, Any], cpu_ms_http: dict[str, float], stored_bytes_per_case: float, region: str,
    memory_gb: float = 0.5,
) -> list[Line]:  # fmt: skip
    """AWS per 1,000 cases, line by line (the first month of storage of those cases included)."""
    price, cases = REGIONS[region], 1000
    invocations = per_case["invocations"]
    cpu = function_cpu(per_case, cpu_ms_http)
    duration = {f: _lambda_duration(per_case, f, cpu[f][0], memory_gb) for f in invocations}
    calls = per_case["calls"]
    schedules = sum(n for key, n in calls.items() if key.endswith("scheduler:CreateSchedule"))
    deleted = sum(n for key, n in calls.items() if key.endswith("scheduler:DeleteSchedule"))
    # A deleted schedule (its case answered before the deadline) never fires: no invocation, no execution. The bench
    # answers every case minutes after it opens; ESCALATED_SHARE of the deadlines find the case still waiting
    # instead: those schedules fire (the deadline and its backstop) and the deadline escalates, once.
    fired = max(schedules - deleted, 0) + ESCALATED_SHARE * deleted
    escalations = schedules / SCHEDULES_PER_DEADLINE * ESCALATED_SHARE
    logged = {
        f: per_case["log_bytes"].get(f, 0)
        + n * (PLATFORM_LOG_BYTES + PLATFORM_LOG_EVENTS * LOG_EVENT_OVERHEAD_BYTES)
        + per_case["log_lines"].get(f, 0) * LOG_EVENT_OVERHEAD_BYTES
        for f, n in invocations.items()
    }
    log_bytes = sum(logged.values())
    secret_calls = sum(n for key, n in per_case["calls"].items() if "secretsmanager:" in key)
    gb = stored_bytes_per_case * cases / 1e9
    wru, rru = sum(per_case["write_units"].values()), sum(per_case["read_units"].values())
    workflow_rru = 1.0  # each SLA check reads the case once (consistent GetItem of one small item)
    workflow_wru = escalations * 2 * 2  # an escalation's UpdateItem: the case, and its open-queue copy
    async_extra = _async_extra_requests(per_case)
    handovers = calls.get("webhook lambda:Invoke", 0)

    def seconds(function: str) -> str:
        waits = ", ".join(
            f"{n:.2f} {key.split(' ', 1)[1]} x {CALL_LATENCY_MS.get(key.split(' ', 1)[1].split(':')[0], 6.0):g} ms"
            for key, n in calls.items() if key.startswith(f"{function} ")
        )  # fmt: skip
        return (f"{invocations[function]:.1f} x ({cpu[function][1]} CPU + {BILLING_ROUNDING_MS} ms rounding)"
                f" + waits: {waits or 'none'}")  # fmt: skip

    consumers = [f for f in invocations if f not in ("webhook", "ingester")]
    lines = [
        Line(
            "Lambda requests",
            (sum(invocations.values()) + async_extra) * cases * price["lambda_request"],
            f"{sum(invocations.values()):.1f} invocations a case: "
            + ", ".join(f"{f} {n:.1f}" for f, n in sorted(invocations.items()))
            + f" (the ingester once per delivery handed over: {handovers:.1f} handovers; stream consumers one per "
            "record: no batching assumed); Lambda's asynchronous queue is not billed by itself, Lambda bills requests "
            f"and duration ({SOURCES['lambda']}); {async_extra:.1f} more for handovers above 256 KB",
        ),
    ]
    for name, functions in (("webhook", ["webhook"]), ("ingester", ["ingester"]), ("stream consumers", consumers)):
        present = [f for f in functions if f in invocations]
        if present:
            lines.append(Line(
                f"Lambda duration: {name} (arm64, {memory_gb * 1024:.0f} MB)",
                sum(duration[f] for f in present) * cases * price["lambda_gb_second_arm"],
                "; ".join(f"{f}: {seconds(f)}" for f in present) + " (waits assumed: CALL_LATENCY_MS)",
            ))  # fmt: skip
    lines += [
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
            (rru + fired * workflow_rru) * cases * price["dynamodb_read_unit"],
            f"{rru:.1f} RRU a case measured + {fired * workflow_rru:.1f} for the SLA checks",
        ),
        Line(
            "DynamoDB storage, first month",
            gb * price["dynamodb_storage_gb_month"],
            f"{stored_bytes_per_case / 1024:.1f} KB stored a case (items, index copies, 100 B overhead each)",
        ),
        Line("DynamoDB PITR, first month", gb * price["dynamodb_pitr_gb_month"], "the same bytes, backed up"),
        Line(
            "Step Functions Express (SLA checks)",
            fired
            * cases
            * (price["sfn_express_request"] + EXPRESS_SECONDS * EXPRESS_GB * price["sfn_express_gb_second"]),
            f"{fired:.1f} execution(s) a case: {schedules:.1f} one-time schedules made, {deleted:.1f} deleted when the "
            f"case was answered; {ESCALATED_SHARE:.0%} of deadlines come first (assumed): those fire",
        ),
        Line(
            "EventBridge Scheduler",
            fired * cases * price["scheduler_invocation"],
            f"{fired:.1f} invocation(s) a case (a deleted schedule is not billed; free for the first 14 million a "
            "month)",
        ),
        Line(
            "SNS (escalation emails)",
            escalations * cases * (price["sns_publish"] + price["sns_email"]),
            f"{ESCALATED_SHARE:.0%} of deadlines escalate (assumed), its backstop then stops: one publish, one email",
        ),
        Line(
            "SQS (escalation queue)",
            escalations * ESCALATION_QUEUE_REQUESTS * cases * price["sqs_request"],
            f"each escalation queued by the workflow and taken by the escalator: {ESCALATION_QUEUE_REQUESTS} requests "
            "at most (send, receive, delete; the escalator's idle long polls are inside the free million a month)",
        ),
        Line(
            "Secrets Manager calls",
            secret_calls * cases * price["secret_call"],
            f"{secret_calls:.2f} GetSecretValue a case measured (once per container)",
        ),
        Line(
            "CloudWatch Logs ingestion",
            log_bytes * cases / 1e9 * price["logs_ingested_gb"],
            f"{log_bytes / 1024:.1f} KB a case: the functions' lines measured ("
            + ", ".join(f"{f} {b:.0f} B" for f, b in sorted(logged.items()))
            + f", {LOG_EVENT_OVERHEAD_BYTES} B a line counted; Lambda's own events: only a failed invocation's, "
            "system log level WARN)",
        ),
        Line(
            "CloudWatch Logs storage, retained 30 days",
            log_bytes * cases / 1e9 * LOG_COMPRESSION * price["logs_stored_gb_month"],
            "compressed",
        ),
    ]
    return lines


SCENARIOS = {  # X's bill per case by who answers, each scenario named by carebird.domain.xbill.CASE_SCENARIOS
    "answers_typed_in_the_x_app": {
        "public": "mention answered in the X app",
        "public_out_of_hours": "out-of-hours mention, acknowledged, answered in the X app",
        "dm": "DM answered in the X app",
    },
    "answers_from_the_inbox": {
        "public": "mention answered from the inbox",
        "public_out_of_hours": "out-of-hours mention, acknowledged, answered from the inbox",
        "dm": "DM answered from the inbox",
        "dm_out_of_hours": "out-of-hours DM, acknowledged, answered from the inbox",
    },
}


def _x_case_costs(scenario: str) -> dict[str, float]:
    """X's bill of one case of each kind (public/DM, in/out of hours) and of a follow-up, in a scenario."""
    from carebird.domain.xbill import CASE_SCENARIOS, x_cost

    names = SCENARIOS[scenario]
    costs = {kind: x_cost(CASE_SCENARIOS[name]) for kind, name in names.items()}
    if "dm_out_of_hours" not in costs:  # answered in the X app: the DM plus carebird's acknowledgement DM, which
        acknowledgement = x_cost(CASE_SCENARIOS["out-of-hours DM, acknowledged, answered from the inbox"]) - x_cost(
            CASE_SCENARIOS["DM answered from the inbox"]
        )  # is what the out-of-hours DM adds to the inbox's answer
        costs["dm_out_of_hours"] = costs["dm"] + acknowledgement
    costs["follow_up_public"] = x_cost(CASE_SCENARIOS["customer follow-up post"])
    costs["follow_up_dm"] = x_cost(CASE_SCENARIOS["customer follow-up DM"])
    return costs


def x_per_case(scenario: str, mix: Mix = MIX) -> dict[str, float]:
    """X's bill per case in a scenario, by part: the cases themselves (the mix's public/DM and out-of-hours shares,
    acknowledgements included) and the customers' follow-ups."""
    c, ooh = _x_case_costs(scenario), mix.out_of_hours_share
    public = (1 - ooh) * c["public"] + ooh * c["public_out_of_hours"]
    dm = (1 - ooh) * c["dm"] + ooh * c["dm_out_of_hours"]
    return {
        "cases": mix.public_share * public + (1 - mix.public_share) * dm,
        "follow_ups": mix.follow_ups * (mix.public_share * c["follow_up_public"]
                                        + (1 - mix.public_share) * c["follow_up_dm"]),
    }  # fmt: skip


def x_per_1000_cases(mix: Mix = MIX) -> dict[str, float]:
    """X's bill per 1,000 cases, per scenario, from the domain's price table and case scenarios
    (carebird.domain.xbill: the README's X table prices the same ones), with the model's mix; redeliveries are free
    (X bills an event once per UTC day)."""
    return {scenario: round(1000 * sum(x_per_case(scenario, mix).values()), 2) for scenario in SCENARIOS}


def filtered_metrics(template: str) -> set[str]:
    """The metric names the template's log metric filters publish (no dimensions: one series per name, however many
    filters feed it)."""
    names = set()
    for block in template.split("Type: AWS::Logs::MetricFilter")[1:]:
        resource = re.split(r"\n  \S", block, maxsplit=1)[0]  # up to the template's next resource
        names.update(re.findall(r"MetricName: (\S+)", resource))
    return names


def custom_metrics(template: str) -> int:
    """Custom metric series carebird publishes: the functions' (carebird.aws.metrics.PUBLISHED, no dimensions) and the
    template's log metric filters'."""
    from carebird.aws.metrics import PUBLISHED

    return len(set(PUBLISHED) | filtered_metrics(template))


def queue_changes_per_second(per_day: int, queue_changes_a_case: float, mix: Mix = MIX) -> float:
    """Changes of the waiting queue while the inbox is open: each stream record of a waiting case (at most), all of
    them assumed to fall in the opening hours (agents answer then; the pessimistic side for a backing-off page)."""
    return per_day * queue_changes_a_case / (mix.hours_a_day * 3600)


def watched_queue(changes_per_second: float, steps: tuple[int, ...] = INBOX_REFRESH_STEPS) -> tuple[float, float]:
    """Refreshes a second of a queue page nobody touches, and of those the ones that find a change, for changes
    arriving at random (Poisson) at `changes_per_second`. After a refresh that shows a change the page waits
    steps[0], then steps[1]... (the last one repeated) until a refresh finds the next change: a renewal cycle
    holding E[K] = sum_k P(no change by t_k) refreshes over E[T] = sum_k step_k P(no change by t_(k-1)) seconds."""
    if changes_per_second <= 0:
        return 1 / steps[-1], 0.0
    refreshes = cycle = elapsed = 0.0
    for k in range(100_000):
        unchanged = math.exp(-changes_per_second * elapsed)  # no change yet at the k-th refresh of the cycle
        if unchanged < 1e-12:
            break
        step = steps[min(k, len(steps) - 1)]
        refreshes += unchanged
        cycle += step * unchanged
        elapsed += step
    return refreshes / cycle, 1 / cycle


def inbox_refreshes(per_day: int, queue_changes_a_case: float, mix: Mix = MIX) -> tuple[float, float]:
    """Queue refreshes a month, and how many of them read the queue (a change since the agent's last refresh, or a
    new 5-minute slot), for `mix.agents` tabs shown `mix.hours_a_day` every day: `mix.inbox_active_share` of the
    time at the keyboard (a refresh every steps[0] seconds), the rest watched (`watched_queue`)."""
    changes = queue_changes_per_second(per_day, queue_changes_a_case, mix)
    fastest, active = INBOX_REFRESH_STEPS[0], mix.inbox_active_share
    watched, watched_changed = watched_queue(changes)
    rate = active / fastest + (1 - active) * watched
    changed = active * (1 - math.exp(-changes * fastest)) / fastest + (1 - active) * watched_changed
    seconds = mix.agents * mix.hours_a_day * 3600 * MONTH_DAYS
    refreshes = seconds * rate
    return refreshes, min(refreshes, seconds * (changed + 1 / QUEUE_FIGURES_SLOT_SECONDS))


def cold_starts_a_month(per_day: int, invocations_a_case: float, idle_minutes: float = IDLE_RECLAIM_MINUTES) -> float:
    """Cold starts a month of one function invoked `invocations_a_case` times a case at `per_day` cases a day: the
    invocations that come more than `idle_minutes` after the one before (random arrivals over the whole day)."""
    a_day = per_day * invocations_a_case
    return a_day * math.exp(-a_day / (24 * 60) * idle_minutes) * MONTH_DAYS


def cold_start_line(per_day: int, invocations: dict[str, float], init_cpu_ms: dict[str, float], region: str,
                    memory_mb: int = 512) -> Line:  # fmt: skip
    """The month's cold starts of the per-case functions, their INIT phase billed at the function's memory."""
    price, share = REGIONS[region], max(1.0, LAMBDA_FULL_VCPU_MB / memory_mb)
    usd, parts, unmeasured = 0.0, [], []
    for function, n in sorted(invocations.items()):
        source = function if function in init_cpu_ms else INIT_STAND_INS.get(function)
        starts = cold_starts_a_month(per_day, n)
        if source not in init_cpu_ms:
            unmeasured.append(f"{function} ({starts:,.0f})")
            continue
        seconds = init_cpu_ms[source] / 1000 * share
        usd += starts * seconds * memory_mb / 1024 * price["lambda_gb_second_arm"]
        stand_in = "" if source == function else f", the {source}'s"
        parts.append(f"{function} {starts:,.0f} x {seconds:.2f} s ({init_cpu_ms[source]:.0f} ms CPU{stand_in})")
    how = (
        f"INIT billed as duration since August 2025; a cold start after {IDLE_RECLAIM_MINUTES:g} idle minutes "
        f"(assumed), its CPU the built first event's x{share:.2f} (the CPU share of {memory_mb} MB): "
        + ("; ".join(parts) or "none priced")
        + (f"; not measured in this run, not counted: {', '.join(unmeasured)}" if unmeasured else "")
        + f"; ${usd / share:.2f} if INIT runs with a whole vCPU; "
        f"${usd / (per_day * MONTH_DAYS) * 1000:.4f} per 1,000 of the month's cases"
    )
    return Line("Lambda cold starts", usd, how)


def fixed_lines(
    per_day: int,
    variable_per_1000: float,
    inbox_refresh: dict[str, float],
    template: str,
    region: str = "us-east-1",
    mix: Mix = MIX,
    variable_queue_changes: float = 4.0,
    invocations: dict[str, float] | None = None,
    init_cpu_ms: dict[str, float] | None = None,
) -> list[Line]:
    """A month at `per_day` cases: what runs whatever the traffic, the inbox open `mix.agents` x `mix.hours_a_day`
    every day of the month, and the month's variable cost; free tiers applied where AWS grants them to every
    account for good (metrics, alarms, dashboards). Alarms are the template's (ManagerEmail's included)."""
    price = REGIONS[region]
    alarms = template.count("Type: AWS::CloudWatch::Alarm")
    dashboards = template.count("Type: AWS::CloudWatch::Dashboard")
    metrics = custom_metrics(template)
    scheduled = round(MONTH_DAYS * (24 * 4 + 24 * 12 + 24 + 2))  # watcher /15 min, poller /5 min, health /hour,
    scheduled_seconds = scheduled * 0.15  # announcer, digest; each a few calls: ~150 ms billed (assumed)
    refreshes, full = inbox_refreshes(per_day, variable_queue_changes, mix)

    def refresh(kind: str) -> float:
        return (
            price["http_api_request"]
            + price["lambda_request"]
            + (inbox_refresh[f"{kind}function_ms"] + CALL_LATENCY_MS["dynamodb"] * inbox_refresh[f"{kind}calls"])
            / 1000
            * 0.5
            * price["lambda_gb_second_arm"]
            + inbox_refresh[f"{kind}read_units"] * price["dynamodb_read_unit"]
        )

    inbox = (refreshes - full) * refresh("") + full * refresh("full_")
    scheduled_logs_gb = scheduled * (PLATFORM_LOG_BYTES + 600) / 1e9
    lines = [
        Line("Secrets Manager secret", price["secret_month"], "the X credentials"),
        Line(
            "CloudWatch alarms",
            max(alarms - FREE_TIER["alarms"], 0) * price["alarm_month"],
            f"{alarms} alarms, {FREE_TIER['alarms']} free, ${price['alarm_month']:.2f} each after",
        ),
        Line(
            "CloudWatch metrics",
            max(metrics - FREE_TIER["metrics"], 0) * price["metric_month"],
            f"{metrics} custom metric series ({len(filtered_metrics(template))} of them from the access log's "
            f"filters), {FREE_TIER['metrics']} free",
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
            f"inbox open {mix.hours_a_day:g} h a day by {mix.agents} agents",
            inbox,
            f"{refreshes:,.0f} queue refreshes a month, every day: every {INBOX_REFRESH_STEPS[0]} s while the queue "
            f"changes or an agent works it (assumed {mix.inbox_active_share:.0%} of the time), backing off to "
            f"{INBOX_REFRESH_STEPS[-1]} s while it stays the same; unchanged ones "
            f"{inbox_refresh['read_units']:.1f} RRU and {inbox_refresh['function_ms']:.1f} ms, at most {full:,.0f} "
            "that read the queue "
            f"({inbox_refresh['full_read_units']:.1f} RRU, {inbox_refresh['full_function_ms']:.0f} ms)",
        ),
        Line(
            f"variable, {per_day:,} cases a day",
            variable_per_1000 * per_day * MONTH_DAYS / 1000,
            "the per-1,000-case lines above",
        ),
    ]
    if invocations:  # a case's functions start cold as the day's traffic leaves them idle
        lines.insert(-1, cold_start_line(per_day, invocations, init_cpu_ms or {}, region))
    return lines


def total(lines: list[Line]) -> float:
    return sum(line.usd for line in lines)


# --- the README's month for a small brand, from the inputs the last run measured (bench/measured.json) ---
README_BEGIN = "<!-- costs:begin (written by `make bench` from bench/costs.py and bench/measured.json) -->"
README_END = "<!-- costs:end -->"


def model_inputs(
    lifecycle: dict[str, Any], cpu_ms_http: dict[str, float | None], inbox_refresh: dict,
    init_cpu_ms: dict[str, float | None] | None = None,
) -> dict:  # fmt: skip
    """What the model needs of a run, as bench/measured.json keeps it: a case's bill (case_lifecycle), the CPU per
    invocation over HTTP of the functions the probes measured and their built first event's CPU (None or absent:
    not measured in this run), the inbox's refreshes."""
    return {
        "per_case": lifecycle,
        "cpu_ms_http": {function: ms for function, ms in cpu_ms_http.items() if ms is not None},
        "init_cpu_ms": {function: ms for function, ms in (init_cpu_ms or {}).items() if ms is not None},
        "inbox_refresh": inbox_refresh,
    }


def load_inputs() -> dict[str, Any]:
    return json.loads(MEASURED.read_text())


def month(inputs: dict[str, Any], per_day: int, template: str) -> dict[str, Any]:
    """The AWS lines per 1,000 cases and for a month at `per_day` cases, and X's month per scenario."""
    per_case = inputs["per_case"]
    variable = variable_lines(per_case, inputs["cpu_ms_http"], per_case["stored_bytes"], "us-east-1")
    changes = per_case["invocations"].get("dispatcher", 4.0)  # stream records a case makes, each may bump
    fixed = fixed_lines(per_day, total(variable), inputs["inbox_refresh"], template, variable_queue_changes=changes,
                        invocations=per_case["invocations"], init_cpu_ms=inputs.get("init_cpu_ms", {}))  # fmt: skip
    return {"variable": variable, "fixed": fixed, "per_1000": total(variable), "aws_month": total(fixed)}


def readme_month_table(inputs: dict[str, Any], template: str, per_day: int = 100, mix: Mix = MIX) -> str:
    """README's table of a small brand's month: AWS line by line and X per scenario, one model, one mix."""
    from carebird.domain.xbill import CASE_SCENARIOS, x_cost

    m = month(inputs, per_day, template)
    cases = per_day * MONTH_DAYS
    aws = {line.name: line for line in m["fixed"]}
    variable = aws.pop(f"variable, {per_day:,} cases a day")
    x = {scenario: x_per_case(scenario, mix) for scenario in SCENARIOS}
    announcements = OPEN_DAYS_A_MONTH * x_cost(CASE_SCENARIOS["a day's opening and closing announcements"])
    health_max = (
        OPEN_DAYS_A_MONTH
        * 9
        * x_cost(CASE_SCENARIOS["an hour of health check during a silence (owned read of 10 mentions)"])
    )
    rows = [
        "| item | how it is counted | answers typed in the X app | answers from the inbox |",
        "|---|---|---|---|",
        f"| AWS, per case | ${m['per_1000']:.4f} per 1,000 cases (`make bench`: every line of `bench/costs.py`, "
        f"measured through the real functions) for {cases:,.0f} cases | ${variable.usd:.2f} | ${variable.usd:.2f} |",
    ]
    rows += [f"| AWS: {line.name} | {line.how} | ${line.usd:.2f} | ${line.usd:.2f} |" for line in aws.values()]
    rows += [
        f"| X: the cases | {cases:,.0f} cases, {mix.public_share:.0%} public, {mix.out_of_hours_share:.0%} out of "
        "hours (acknowledged), each priced as its scenario in the table above | "
        + " | ".join(f"${x[s]['cases'] * cases:.2f}" for s in SCENARIOS)
        + " |",
        f"| X: follow-ups | {mix.follow_ups:g} customer message a case after the first | "
        + " | ".join(f"${x[s]['follow_ups'] * cases:.2f}" for s in SCENARIOS)
        + " |",
        f"| X: opening and closing announcements | {OPEN_DAYS_A_MONTH:.1f} opening days | "
        f"${announcements:.2f} | ${announcements:.2f} |",
        f"| X: health check reads | only while no event arrived for `SilenceMinutes` during opening hours: normally "
        f"none; at most 9 silent hours a day | $0 (at most ${health_max:.2f}) | $0 (at most ${health_max:.2f}) |",
        "| X: brand watch | off by default; each query reads at most `WatchDailyReadCap` (500) posts a day | $0 | $0 |",
    ]
    totals = {s: m["aws_month"] + sum(x[s].values()) * cases + announcements for s in SCENARIOS}
    shares = {s: 1 - m["aws_month"] / totals[s] for s in SCENARIOS}
    app, inbox = (totals[s] for s in SCENARIOS)
    rows += [
        f"| **total** | AWS ${m['aws_month']:.2f} + X | **${app:.2f}** | **${inbox:.2f}** |",
        "",
        f"X is {min(shares.values()):.1%} to {max(shares.values()):.1%} of it: "
        + ", ".join(f"${1000 * sum(x[s].values()):.2f}" for s in SCENARIOS)
        + f" per 1,000 cases against AWS's ${m['per_1000']:.4f}.",
    ]
    return "\n".join(rows)
