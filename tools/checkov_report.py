"""`make checkov`: run checkov on the template and write its figures into docs/reliability.md, never typed by hand.

Replaces the text between the CHECKOV markers of docs/reliability.md with: the checkov version, the counts of
passed and failed checks, and one row per failed check with the resources it names and carebird's answer
(ANSWERS below). A failed check without an answer is written as such, and the run exits 1: a new finding is
either fixed in the template or answered here, in the same change.

Usage: python tools/checkov_report.py PATH_TO_CHECKOV
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "reliability.md"
TEMPLATE = ROOT / "infra" / "template.yaml"
BEGIN, END = "<!-- checkov: written by `make checkov` -->", "<!-- /checkov -->"

ANSWERS = {
    "CKV_AWS_117": "Nothing carebird reaches is in a VPC (DynamoDB, SNS, Step Functions, Scheduler, Secrets Manager, "
    "X): a VPC would need NAT gateways (about $35/month each) or endpoints, for no isolation gained.",
    "CKV_AWS_116": "checkov looks only for `DeadLetterQueue`. Stream consumers have `OnFailure` destinations on their "
    "event source mappings, the ingester and the scheduled functions `EventInvokeConfig` `OnFailure`, all to "
    "`FailuresQueue`, alarmed (`test_streams_that_keep_failing_go_to_the_failures_queue_with_an_alarm`); "
    "the webhook and the inbox are synchronous: their callers retry.",
    "CKV_AWS_115": "The webhook is bounded by its routes' throttles (50/s deliveries, 5/s CRC) and may reserve "
    "executions (`WebhookReservedConcurrency`, off by default: a reservation fails to deploy on accounts whose quota "
    "is 10); the ingester by the webhook's deliveries (Lambda queues what exceeds the account's concurrency), stream "
    "consumers by their shards, the others by their schedules.",
    "CKV_AWS_173": "The variables hold names and ARNs, no secret (credentials are read from Secrets Manager); Lambda "
    "encrypts them at rest with its AWS managed key.",
    "CKV_AWS_158": "Logs never hold message texts or secrets (`test_secrets_never_appear_in_the_logs_of_a_full_run`); "
    "CloudWatch Logs encrypts at rest by default. A customer managed key costs $1/month plus requests.",
    "CKV_AWS_119": "The table is encrypted at rest with the AWS managed key (`SSEEnabled`); a customer managed key "
    "adds $1/month and KMS requests on every read and write.",
    "CKV_AWS_149": "Encrypted with the AWS managed key; only the functions that use it may read it.",
    "CKV_AWS_27": "Every queue uses SQS managed server-side encryption (`SqsManagedSseEnabled`); checkov recognises "
    "only a KMS key.",
    "CKV_AWS_26": "CloudWatch alarms cannot publish to a topic under the AWS managed key. The alerts topic carries "
    "alarm names and figures only, never customer text; the topics that carry customer text are encrypted.",
}


def run_checkov(checkov: str) -> tuple[str, dict]:
    version = subprocess.run([checkov, "--version"], check=True, capture_output=True, text=True).stdout.strip()
    done = subprocess.run(
        [checkov, "-f", str(TEMPLATE), "--framework", "cloudformation", "-o", "json", "--quiet", "--compact"],
        capture_output=True,
        text=True,
    )
    if done.returncode not in (0, 1):  # 1: some checks failed, the normal case
        raise SystemExit(f"checkov failed ({done.returncode}): {done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    return version, report[0] if isinstance(report, list) else report


def section(version: str, report: dict) -> tuple[str, list[str]]:
    summary = report["summary"]
    failed: dict[str, list[str]] = defaultdict(list)
    names: dict[str, str] = {}
    for check in report["results"]["failed_checks"]:
        failed[check["check_id"]].append(check["resource"].split(".")[-1])
        names[check["check_id"]] = check["check_name"]
    unanswered = sorted(set(failed) - set(ANSWERS))
    lines = [
        BEGIN,
        f"`checkov -f infra/template.yaml` (checkov {version}): **{summary['passed']} passed, {summary['failed']} "
        f"failed**, in {len(failed)} checks. None is fixed by a change that would be right for this product; each "
        "is answered here.",
        "",
        "| check | resources | answer |",
        "|---|---|---|",
    ]
    for check_id in sorted(failed, key=lambda c: (-len(failed[c]), c)):
        resources = sorted(set(failed[check_id]))
        shown = ", ".join(resources) if len(resources) <= 3 else f"{len(resources)} resources"
        answer = ANSWERS.get(check_id, "**not answered yet**")
        lines.append(f"| {check_id} {names[check_id]} | {shown} | {answer} |")
    lines.append(END)
    return "\n".join(lines), unanswered


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    version, report = run_checkov(argv[0])
    text, unanswered = section(version, report)
    doc = DOC.read_text("utf-8")
    if BEGIN not in doc or END not in doc:
        raise SystemExit(f"{DOC.relative_to(ROOT)} has no checkov markers")
    head, _, rest = doc.partition(BEGIN)
    _, _, tail = rest.partition(END)
    DOC.write_text(head + text + tail, "utf-8")
    print(text.splitlines()[1])
    if unanswered:
        print(f"checks failed with no answer in tools/checkov_report.py: {', '.join(unanswered)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
