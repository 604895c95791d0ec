"""`make bench`: carebird's performance and cost figures, measured in one run on this machine.

A benchmark, not a test: it prints its rows (or, with --json, one JSON object on its last line) and rewrites the
measured section of docs/performance.md. The work lives in modules; this file only runs them in order:

- bench/traffic.py: the events sent (a case's mix, warm rounds, the storm's deliveries)
- bench/probes.py: the functions measured (built cold start, webhook warm over HTTP and replayed, a case's whole
  bill through every function, the SLA workflow, the inbox queue, the KPIs at 50,000 cases a day), with
  bench/worker.py (the fresh interpreter's side), bench/loopback.py (AWS on loopback) and bench/capacity.py
  (DynamoDB's billed units)
- bench/storm.py: the concurrent storm and the webhook's property tests at bench size
- bench/costs.py: the AWS bill line by line (us-east-1, eu-west-3) and X's per scenario
- bench/report.py: claimed vs measured, docs/performance.md, the JSON object

Options: --quick (no fuzzing, no built-artifact cold start, a 2,000-event storm), --json.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # `bench.*`, whether run as a script (make bench) or imported

from bench import costs, ingestion, probes, report, storm  # noqa: E402
from bench.traffic import CASE_MIX  # noqa: E402

STORM_EVENTS = int(os.environ.get("BENCH_STORM_EVENTS", "10000"))
SMALL_DESK_OPEN_CASES = 20  # a 100-cases-a-day desk's queue at a busy moment: what its inbox refreshes read


def webhook_figures(probe: dict[str, Any]) -> dict[str, Any]:
    """The webhook's CPU per event against the floor of the AWS calls it makes (same transport, same run)."""
    per_kind = probe["per_kind"]
    weight = sum(CASE_MIX.values())
    calls = sum(sum(per_kind[k]["calls"].values()) * w for k, w in CASE_MIX.items()) / weight
    return {
        "webhook_cpu_ms_per_event_http": round(probe["handler_cpu_ms_per_event_over_http"], 3),
        "webhook_cpu_ms_per_event_replay": round(probe["handler_cpu_ms_per_event"], 3),
        "botocore_call_floor_ms": round(probe["sdk_call_cpu_ms"], 3),
        "botocore_call_floor_ms_http": round(probe["sdk_call_cpu_ms_http"], 3),
        "webhook_aws_floor_ms_per_event_http": round(calls * probe["sdk_call_cpu_ms_http"], 3),
        "webhook_own_cpu_ms_per_event": round(probe["handler_cpu_ms_per_event"] - probe["botocore_ms_per_event"], 3),
        "calls_per_event": {kind: sum(f["calls"].values()) for kind, f in per_kind.items()},
        "write_units_per_event": {kind: f["write_units"] for kind, f in per_kind.items()},
        "metric_series_count": len(probe["metric_series"]),
    }


def bill(lifecycle: dict[str, Any], webhook_cpu_ms: float, inbox: dict[str, Any], metric_series: int) -> tuple:
    """Every cost line per region, the totals the goals name, and the rows that show them."""
    template = (ROOT / "infra" / "template.yaml").read_text()
    rows, figures, by_region = [], {}, {}
    for region in costs.REGIONS:
        variable = costs.variable_lines(lifecycle, webhook_cpu_ms, lifecycle["stored_bytes"], region)
        by_region[region] = round(costs.total(variable), 5)
        rows += [(f"AWS per 1,000 cases, {region}: {line.name}", f"${line.usd:.5f}  ({line.how})") for line in variable]
        rows.append((f"AWS per 1,000 cases, {region}: total", f"${costs.total(variable):.4f}"))
        for per_day in (100, 10_000):
            fixed = costs.fixed_lines(per_day, costs.total(variable), inbox, template, region, metric_series)
            figures.setdefault(f"fixed_{per_day}", {})[region] = round(costs.total(fixed), 3)
            rows += [(f"a month at {per_day:,} cases/day, {region}: {line.name}", f"${line.usd:.3f}  ({line.how})")
                     for line in fixed]  # fmt: skip
            rows.append((f"a month at {per_day:,} cases/day, {region}: total", f"${costs.total(fixed):.2f}"))
    x = costs.x_per_1000_cases()
    rows += [(f"X per 1,000 cases: {scenario.replace('_', ' ')}", f"${usd:.2f}") for scenario, usd in x.items()]
    return rows, {
        "cost_per_1000_cases_usd": by_region["us-east-1"],
        "cost_per_1000_cases_usd_by_region": by_region,
        "x_cost_per_1000_cases_usd": x,
        "fixed_cost_per_month_usd_100_cases_day": figures["fixed_100"]["us-east-1"],
        "fixed_cost_per_month_usd_10000_cases_day": figures["fixed_10000"]["us-east-1"],
        "fixed_cost_per_month_usd_by_region": figures,
    }


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    rows: list[tuple[str, str]] = []
    figures: dict[str, Any] = {}

    def section(name: str, measure: Callable[[], tuple[list[tuple[str, str]], dict[str, Any]]]) -> dict[str, Any]:
        """One section's rows and figures; a section that fails says so in its row (its figures stay unmeasured,
        and the verdicts that need them say 'not measured') and the run goes on."""
        try:
            found_rows, found = measure()
        except Exception as exc:
            rows.append((f"{name}: FAILED", f"{type(exc).__name__}: {str(exc)[:300]}"))
            return {}
        rows.extend(found_rows)
        figures.update(found)
        return found

    if not quick:
        section("fuzz", lambda: (storm.fuzz(), {}))
        section("built first event", probes.built_first_event)
    section("pipeline CPU", lambda: (probes.cpu_per_event(), {}))
    probe = section("webhook", probes.handler_probes)
    if probe:
        figures.update(webhook_figures(probe))
    section("escalation workflow", lambda: (lambda r: (r[0], {"transitions_per_case": r[1]}))(
        probes.transitions_per_path()))  # fmt: skip
    section("storm", lambda: storm.concurrent_storm(2_000 if quick else STORM_EVENTS))
    section("inbox", probes.inbox_probe)
    small_desk = section("inbox, small desk", lambda: probes.inbox_probe(open_cases=SMALL_DESK_OPEN_CASES))
    section("KPIs", probes.kpi_probe)
    lifecycle = section("a case's bill", probes.case_lifecycle)
    if lifecycle and small_desk and "webhook_cpu_ms_per_event_http" in figures:
        section("costs", lambda: bill(lifecycle, figures["webhook_cpu_ms_per_event_http"],
                                      small_desk["inbox_refresh"], figures["metric_series_count"]))  # fmt: skip
    section("webhook hardening", ingestion.ingestion_rows)  # junk cost per million, the largest delivery
    report.write_doc(figures, rows)
    if "--json" in argv:
        report.print_json(figures)
        return
    report.print_rows(rows)
    print(f"{report.DOC.relative_to(ROOT)} updated")


if __name__ == "__main__":
    main(sys.argv[1:])
