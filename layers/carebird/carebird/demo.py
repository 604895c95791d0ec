"""`carebird demo`: the sample X deliveries through the real webhook handler on embedded AWS (moto)."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from datetime import UTC, datetime
from importlib import resources
from typing import Any, TextIO

from carebird import local
from carebird.triage import TriageRules, effective_priority

BRAND_USER_ID = "1500000000000000001"
BRAND_HANDLE = "LumiereAide"
DEMO_SECRET = "demo-consumer-secret"
TABLE = "carebird-demo-cases"

# The day in the order it happens (what carebird should do is in the second column).
SCRIPT = [
    ("aaa-mention.json", "Claire's box is down: a technical case"),
    ("aaa-mention-influencer.json", "an influential verified account complains"),
    ("aaa-reply-to-brand-post.json", "Sam asks a price under a brand post"),
    ("aaa-quote.json", "Sam quotes the brand's post: a second message on his case"),
    ("aaa-mention.json", "X redelivers Claire's mention: nothing new"),
    ("aaa-retweet.json", "a retweet: ignored"),
    ("aaa-brand-reply.json", "the brand answers Claire in public"),
    ("aaa-dm-incoming.json", "Claire writes in DM: a DM case"),
    ("aaa-typing.json", "typing indicator: ignored"),
    ("aaa-extended-tweet.json", "a long post from Claire about her bill"),
    ("aaa-dm-outgoing.json", "the brand answers Claire's DM"),
    ("aaa-favorite.json", "a like: ignored"),
    ("aaa-tweet-delete.json", "Sam deletes his question"),
]


def _payload(name: str) -> Any:
    return json.loads(resources.files("carebird.demo_data").joinpath(name).read_text(encoding="utf-8"))


class _Colours:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.enabled else text


def run_demo(out: TextIO = sys.stdout, as_json: bool = False) -> int:
    """Run the sample day; return 0 when every delivery did what it should."""
    saved = dict(os.environ)
    try:
        return _run(out, as_json)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _run(out: TextIO, as_json: bool) -> int:
    os.environ.update(AWS_DEFAULT_REGION="eu-west-3", TZ="UTC", POWERTOOLS_LOG_LEVEL="ERROR")
    time.tzset()
    logging.getLogger("moto").setLevel(logging.CRITICAL)  # moto's ASL interpreter logs expected IsPresent misses
    from moto import mock_aws

    colour = _Colours(enabled=out.isatty() and not as_json)
    problems: list[str] = []
    log: list[dict[str, Any]] = []
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        stack = local.EmbeddedStack(DEMO_SECRET, BRAND_USER_ID, BRAND_HANDLE, TABLE)
        context = stack.context

        crc = stack.webhook.lambda_handler(local.http_api_event("GET", query={"crc_token": "demo"}), context)
        log.append({"step": "CRC challenge", "status": crc["statusCode"]})
        rejected = stack.webhook.lambda_handler(local.signed_delivery(_payload("aaa-mention.json"), "forged"), context)
        log.append({"step": "forged signature", "status": rejected["statusCode"]})
        if crc["statusCode"] != 200 or rejected["statusCode"] != 401:
            problems.append("CRC or signature check misbehaved")

        for name, story in SCRIPT:
            response = stack.deliver(_payload(name))
            body = json.loads(response["body"])
            log.append(
                {"step": story, "file": name, "status": response["statusCode"], "outcomes": body.get("outcomes")}
            )
            if response["statusCode"] != 200:
                problems.append(f"{name}: HTTP {response['statusCode']}")

        # The table's stream drives the SLA timers; the sample day is long past, so every deadline has passed.
        failures = stack.dispatch()["batchItemFailures"]
        executions = stack.wait_for_executions()
        emails = stack.team_emails()
        store = stack.webhook.webhook.store
        queue = store.open_queue()
        everything = [store.get_case(cid) for cid in _all_case_ids(stack.dynamodb)]
    time.tzset()

    escalated = {c.customer.handle for c in everything if c and c.escalation_level}
    if failures or any(e["status"] != "SUCCEEDED" for e in executions):
        problems.append("an SLA timer failed")
    if escalated != {"maxtech", "sam_b", "claire_dupont"} or len(emails) != 3:
        problems.append(f"expected one escalation for each unanswered case, got {len(emails)} for {sorted(escalated)}")
    if any("dm-" in e["message"] or "/messages/" in e["message"] for e in emails):
        problems.append("the answered DM case must not be escalated")
    now = datetime.now(UTC)
    rules = TriageRules()
    if not any(c.customer.handle == "maxtech" for c in queue[:1]):
        problems.append("the influential complaint should lead the queue")
    if any(c.customer.handle == "claire_dupont" and c.family == "dm" for c in queue):
        problems.append("the answered DM case should have left the queue")

    if as_json:
        json.dump(
            {
                "deliveries": log,
                "queue": [_case_json(c) for c in queue],
                "cases": [_case_json(c) for c in everything if c],
                "escalations": emails,
                "sla_executions": [{"name": e["name"], "status": e["status"]} for e in executions],
                "problems": problems,
            },
            out,
            indent=2,
        )
        out.write("\n")
        return 1 if problems else 0

    out.write(colour("carebird demo: sample X deliveries through the real webhook on embedded AWS\n\n", "1"))
    for entry in log:
        status = entry["status"]
        tint = "32" if status == 200 else "33" if status < 500 else "31"
        outcomes = ", ".join(f"{k} {v}" for k, v in (entry.get("outcomes") or {}).items())
        out.write(f"  {colour(str(status), tint)}  {entry['step']:<58} {outcomes}\n")
    out.write(colour("\nOpen queue (most urgent first, one Query on the OpenQueue index)\n", "1"))
    out.write(
        f"  {'#':>2} {'prio':>4} {'eff':>4}  {'case':<10} {'customer':<16} {'channel':<8} {'topic':<11} reasons\n"
    )
    for index, case in enumerate(queue, 1):
        eff = effective_priority(case.priority, case.waiting_since or now, now, rules)
        out.write(
            f"  {index:>2} {case.priority:>4} {eff:>4}  {case.reference:<10} @{case.customer.handle:<15} "
            f"{case.channel.value:<8} {case.topic:<11} {'; '.join(case.reasons[:4])}\n"
        )
    out.write(colour("\nAll cases\n", "1"))
    for case in everything:
        if case:
            answered = f"first response {case.first_response_at:%H:%M}" if case.first_response_at else "unanswered"
            deleted = f", {len(case.deleted_ids)} deleted post(s)" if case.deleted_ids else ""
            out.write(
                f"  {case.reference:<10} @{case.customer.handle:<15} {case.family:<6} {case.status:<9} "
                f"{case.inbound_count} msg, {answered}{deleted}\n"
            )
    out.write(
        colour(f"\nSLA timers: {len(executions)} Step Functions executions; escalation emails to the team:\n", "1")
    )
    for email in emails:
        out.write(colour(f"\n  Subject: {email['subject']}\n", "33"))
        out.write("".join(f"  | {line}\n" for line in email["message"].splitlines()))
    if problems:
        out.write(colour("\nProblems:\n  " + "\n  ".join(problems) + "\n", "31"))
        return 1
    out.write(colour("\nEverything behaved as expected (the answered DM case was not escalated).\n", "32"))
    return 0


def _all_case_ids(dynamodb: Any) -> list[str]:
    """Demo-only listing (a Scan is fine on a dozen items; the product reads the queue by Query)."""
    items = dynamodb.scan(TableName=TABLE, FilterExpression="sk = :c", ExpressionAttributeValues={":c": {"S": "CASE"}})
    return sorted(item["case_id"]["S"] for item in items["Items"])


def _case_json(case: Any) -> dict[str, Any]:
    return {
        "case_id": case.case_id,
        "reference": case.reference,
        "customer": case.customer.handle,
        "family": case.family,
        "channel": case.channel.value,
        "status": case.status,
        "priority": case.priority,
        "topic": case.topic,
        "reasons": list(case.reasons),
        "messages": case.inbound_count,
        "first_response_at": case.first_response_at.isoformat() if case.first_response_at else None,
        "deleted": sorted(case.deleted_ids),
    }
