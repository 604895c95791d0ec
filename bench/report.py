"""The bench's output: the claimed-vs-measured table (every verdict computed from a figure), the rows of the run,
docs/performance.md's measured section, and the one JSON object `--json` prints last."""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "performance.md"
README = ROOT / "README.md"
BEGIN, END = "<!-- bench:begin (written by `make bench`) -->", "<!-- bench:end -->"
JSON_KEYS = (
    "cost_per_1000_cases_usd", "x_cost_per_1000_cases_usd",
    "fixed_cost_per_month_usd_100_cases_day", "fixed_cost_per_month_usd_10000_cases_day", "transitions_per_case",
    "first_event_ratio_built", "first_event_cpu_ms_built", "sdk_floor_cpu_ms",
    "first_event_ratio_built_ingester", "first_event_cpu_ms_built_ingester",
    "webhook_cpu_ms_per_event_http", "webhook_cpu_ms_per_event_replay", "botocore_call_floor_ms",
    "botocore_call_floor_ms_http", "webhook_aws_floor_ms_per_event_http", "webhook_own_cpu_ms_per_event",
    "lambda_invoke_cpu_ms_http", "lambda_invoke_cpu_ms_replay", "calls_per_event", "handover_bytes_per_event",
    "ingester_cpu_ms_per_event_http", "ingester_cpu_ms_per_event_replay", "ingester_own_cpu_ms_per_event",
    "ingester_calls_per_event", "ingester_calls_weighted", "ingester_write_units_per_event", "ingester_per_kind",
    "kpi_month_ms_50k_per_day", "kpi_report_month_ms_50k_per_day",
    "kpi_month_rows_read",
    "inbox_queue_ms_500_open", "lost", "duplicated", "events_per_second", "metric_series_count",
    "junk_cost_per_million_usd", "largest_delivery_events", "largest_delivery_handover_bytes",
    "largest_delivery_webhook_ms_at_memory", "largest_delivery_seconds_at_memory",
)  # fmt: skip


def _check(name: str, goal: str, shown: str, met: Callable[[], bool], figures: dict[str, Any]) -> tuple:
    """One row; a figure the run did not measure (a --quick run, no build) is 'not measured', never a pass."""
    try:
        verdict: bool | None = met()
    except KeyError:
        verdict, shown = None, "not measured in this run"
    return name, goal, shown, verdict


def claimed_vs_measured(f: dict[str, Any]) -> list[tuple[str, str, str, bool | None]]:
    calls = f.get("ingester_calls_per_event", {})  # the DynamoDB calls moved with the writes to the ingester
    return [
        _check("AWS cost per 1,000 cases (us-east-1), every line", "≤ $0.05",
               f"${f.get('cost_per_1000_cases_usd', 0):.4f}",
               lambda: f["cost_per_1000_cases_usd"] <= 0.05, f),
        _check("AWS a month at 100 cases/day, inbox open 9 h/day by 3 agents", "≤ $1",
               f"${f.get('fixed_cost_per_month_usd_100_cases_day', 0):.2f}",
               lambda: f["fixed_cost_per_month_usd_100_cases_day"] <= 1, f),
        _check("first event of the built webhook vs `import boto3` + one client (python3.13, whole process)",
               "≤ 1.4x", f"{f.get('first_event_ratio_built', 0):.2f}x ({f.get('first_event_cpu_ms_built', 0):.0f} "
               f"vs {f.get('sdk_floor_cpu_ms', 0):.0f} ms)", lambda: f["first_event_ratio_built"] <= 1.4, f),
        _check("webhook CPU per event over HTTP vs the floor of the AWS calls it makes", "≤ 1.5x",
               f"{f.get('webhook_cpu_ms_per_event_http', 0):.2f} ms vs "
               f"{f.get('webhook_aws_floor_ms_per_event_http', 0):.2f} ms",
               lambda: f["webhook_cpu_ms_per_event_http"] <= 1.5 * f["webhook_aws_floor_ms_per_event_http"], f),
        _check("carebird's own CPU per event (the handler less botocore, replayed)", "≤ 0.3 ms",
               f"{f.get('webhook_own_cpu_ms_per_event', 0):.2f} ms",
               lambda: f["webhook_own_cpu_ms_per_event"] <= 0.3, f),
        _check("ingester's DynamoDB calls: duplicate / new case / follow-up / brand reply (warm); the webhook's: one "
               "Lambda Invoke per delivery", "≤1 / ≤2 / ≤2 / ≤2; 1",
               " / ".join(str(calls.get(k, "?")) for k in ("duplicate", "new_case", "follow_up", "brand_reply"))
               + f"; {max(f.get('calls_per_event', {'?': '?'}).values())}",
               lambda: calls["duplicate"] <= 1 and max(calls[k] for k in ("new_case", "follow_up", "brand_reply"))
               <= 2 and max(f["calls_per_event"].values()) <= 1, f),
        _check("KPIs for 31 days at 50,000 cases/day, function time at the deployed memory", "≤ 2 s",
               f"{f.get('kpi_month_ms_50k_per_day', 0):.0f} ms ({f.get('kpi_month_rows_read', 0)} rows read)",
               lambda: f["kpi_month_ms_50k_per_day"] <= 2000, f),
        _check("inbox queue, 500 open cases, the function's time", "≤ 300 ms",
               f"{f.get('inbox_queue_ms_500_open', 0):.0f} ms", lambda: f["inbox_queue_ms_500_open"] <= 300, f),
        _check("concurrent storm: lost / duplicated messages", "0 / 0",
               f"{f.get('lost', '?')} / {f.get('duplicated', '?')}",
               lambda: f["lost"] == 0 and f["duplicated"] == 0, f),
        _check("custom metric series (carebird.aws.metrics.PUBLISHED + the template's metric filters)",
               "≤ 10 (free tier)", str(f.get("metric_series_count", "?")),
               lambda: f["metric_series_count"] <= 10, f),
    ]  # fmt: skip


def write_doc(figures: dict[str, Any], rows: list[tuple[str, str]]) -> None:
    """Replace the measured section of docs/performance.md with this run's figures."""
    lines = [BEGIN, "", f"Last run: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}.",
             "", "| measure | goal | measured | |", "|---|---|---|---|"]  # fmt: skip
    for name, goal, measured, met in claimed_vs_measured(figures):
        mark = "not measured" if met is None else "✔" if met else "✘"
        lines.append(f"| {name} | {goal} | {measured} | {mark} |")
    lines += ["", "<details><summary>Every figure of the run</summary>", "", "| measure | figure |", "|---|---|"]
    lines += [f"| {name.strip()} | {value.replace('|', '/')} |" for name, value in rows]
    lines += ["", "</details>", "", END]
    text = DOC.read_text()
    if BEGIN not in text:
        text += f"\n{BEGIN}\n{END}\n"
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    DOC.write_text(head + "\n".join(lines) + tail)


def write_readme_costs(table: str) -> None:
    """Replace README's month table (between its markers) with the model's."""
    from bench.costs import README_BEGIN, README_END

    text = README.read_text()
    head, _, rest = text.partition(README_BEGIN)
    _, _, tail = rest.partition(README_END)
    README.write_text(f"{head}{README_BEGIN}\n{table}\n{README_END}{tail}")


def print_rows(rows: list[tuple[str, str]]) -> None:
    print(f"carebird bench — {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


def print_json(figures: dict[str, Any]) -> None:
    """The run's figures as one JSON object on the last line of output."""
    print(json.dumps({key: figures[key] for key in JSON_KEYS if key in figures}, default=str))
