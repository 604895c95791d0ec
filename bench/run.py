"""`make bench`: carebird's performance and cost figures, measured in one run on this machine.

A benchmark, not a test: it prints its rows (or, with --json, one JSON object on its last line) and rewrites the
measured section of docs/performance.md. The work lives in modules; this file only runs them in order:

- bench/traffic.py: the events sent (a case's mix, warm rounds, the storm's deliveries)
- bench/probes.py: the functions measured (built cold starts, webhook and ingester warm over HTTP and replayed,
  a case's whole bill through every function, the SLA workflow, the inbox queue, the KPIs at 50,000 cases a day), with
  bench/worker.py (the fresh interpreter's side), bench/loopback.py (AWS on loopback) and bench/capacity.py
  (DynamoDB's billed units)
- bench/storm.py: the concurrent storm and the webhook's property tests at bench size
- bench/costs.py: the AWS bill line by line (us-east-1) and X's per scenario; README's month table
- bench/report.py: claimed vs measured, docs/performance.md, the JSON object

Options: --quick (no fuzzing, no built-artifact cold start, a 2,000-event storm), --no-fuzz (everything but the
fuzzing, which checks properties and measures nothing the table shows), --json, --readme-only (rewrites README's
month table from bench/measured.json without measuring: after a change to the template's alarms or the model).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # `bench.*`, whether run as a script (make bench) or imported

from bench import costs, ingestion, probes, report, storm  # noqa: E402

STORM_EVENTS = int(os.environ.get("BENCH_STORM_EVENTS", "10000"))
SMALL_DESK_OPEN_CASES = 20  # a 100-cases-a-day desk's queue at a busy moment: what its inbox refreshes read


def bill(lifecycle: dict[str, Any], figures: dict[str, Any], inbox: dict[str, Any]) -> tuple:
    """Every cost line (us-east-1), the totals the goals name, and the rows that show them; the model's inputs are
    saved (bench/measured.json) and README's month table rewritten from them: one model, quoted everywhere."""
    template = (ROOT / "infra" / "template.yaml").read_text()
    over_http = {f: figures.get(f"{f}_cpu_ms_per_event_http") for f in costs.HTTP_PROBED}  # absent: not measured
    built = {f: figures.get(key) for f, key in costs.INIT_CPU_KEYS.items()}  # absent: not measured (--quick)
    inputs = costs.model_inputs(lifecycle, over_http, inbox, built)
    rows, figures = [], {}
    for per_day in (100, 10_000):
        month = costs.month(inputs, per_day, template)
        figures[f"fixed_{per_day}"] = round(month["aws_month"], 3)
        if per_day == 100:
            rows += [(f"AWS per 1,000 cases, us-east-1: {line.name}", f"${line.usd:.5f}  ({line.how})")
                     for line in month["variable"]]  # fmt: skip
            rows.append(("AWS per 1,000 cases, us-east-1: total", f"${month['per_1000']:.4f}"))
        rows += [(f"a month at {per_day:,} cases/day, us-east-1: {line.name}", f"${line.usd:.3f}  ({line.how})")
                 for line in month["fixed"]]  # fmt: skip
        rows.append((f"a month at {per_day:,} cases/day, us-east-1: total", f"${month['aws_month']:.2f}"))
    x = costs.x_per_1000_cases()
    rows += [(f"X per 1,000 cases: {scenario.replace('_', ' ')}", f"${usd:.2f}") for scenario, usd in x.items()]
    costs.MEASURED.write_text(json.dumps(inputs, indent=1, sort_keys=True) + "\n")
    report.write_readme_costs(costs.readme_month_table(inputs, template))
    return rows, {
        "cost_per_1000_cases_usd": round(costs.month(inputs, 100, template)["per_1000"], 5),
        "x_cost_per_1000_cases_usd": x,
        "fixed_cost_per_month_usd_100_cases_day": figures["fixed_100"],
        "fixed_cost_per_month_usd_10000_cases_day": figures["fixed_10000"],
    }


def main(argv: list[str]) -> None:
    if "--readme-only" in argv:
        template = (ROOT / "infra" / "template.yaml").read_text()
        report.write_readme_costs(costs.readme_month_table(costs.load_inputs(), template))
        return
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

    figures["metric_series_count"] = costs.custom_metrics((ROOT / "infra" / "template.yaml").read_text())
    if not quick:
        if "--no-fuzz" not in argv:
            section("fuzz", lambda: (storm.fuzz(), {}))
        section("built first event", probes.built_first_event)
    section("pipeline CPU", lambda: (probes.cpu_per_event(), {}))
    section("webhook and ingester", probes.handler_probes)  # their keys: /work/briefs/i30-keys.md
    section("escalation workflow", lambda: (lambda r: (r[0], {"transitions_per_case": r[1]}))(
        probes.transitions_per_path()))  # fmt: skip
    section("storm", lambda: storm.concurrent_storm(2_000 if quick else STORM_EVENTS))
    section("inbox", probes.inbox_probe)
    small_desk = section("inbox, small desk", lambda: probes.inbox_probe(open_cases=SMALL_DESK_OPEN_CASES))
    section("KPIs", probes.kpi_probe)
    lifecycle = section("a case's bill", probes.case_lifecycle)
    if lifecycle and small_desk:
        section("costs", lambda: bill(lifecycle, figures, small_desk["inbox_refresh"]))
    section("webhook hardening", ingestion.ingestion_rows)  # junk cost per million, the largest delivery
    report.write_doc(figures, rows)
    if "--json" in argv:
        report.print_json(figures)
        return
    report.print_rows(rows)
    print(f"{report.DOC.relative_to(ROOT)} updated")


if __name__ == "__main__":
    main(sys.argv[1:])
