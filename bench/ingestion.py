"""Ingestion under attack and at its limit: what a million junk requests cost the brand, and how long the largest
delivery the webhook accepts takes at the deployed memory size: the webhook's handover, then the ingester's storing.

Both run the functions in-process on moto (`python bench/ingestion.py` alone, or within `make bench`). Junk is the
webhook's alone (a refused request is never handed over).

Time at the deployed memory size is a model, stated: Lambda gives a function CPU in proportion to its memory
(1,769 MB = one vCPU, AWS Lambda docs), so CPU measured here x 1769 / MemorySize, plus AWS's latency per call
(CALL_LATENCY_MS, assumed, the same for Lambda's answer to the Invoke and for DynamoDB) over the calls the function
makes at once. For the largest delivery AWS's answers are given at once in-process (no moto, no socket): Lambda's
202 to the webhook's Invoke, DynamoDB's to the ingester; the CPU measured is the functions' own, botocore's
included, and the ingester's includes the runtime's decoding of the handover's JSON (billed, outside the handler).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.costs import PLATFORM_LOG_BYTES  # noqa: E402  (Lambda's own log events of an invocation: one fact)

FULL_VCPU_MB = 1769
CALL_LATENCY_MS = 8  # as bench/run.py: wall time a DynamoDB call adds in the same region, assumed
JUNK_REQUESTS = int(os.environ.get("BENCH_JUNK_REQUESTS", "3000"))
PRICE = {
    "http_api_request": 1.00 / 1e6,  # HTTP API, first 300 million a month
    "lambda_request": 0.20 / 1e6,
    "lambda_gb_second_arm": 0.0000133334,
    "log_ingest_gb": 0.50,
}
SECRET = "bench-consumer-secret"
BRAND_ID, BRAND_HANDLE = "1500000000000000001", "LumiereAide"


class CountingStream(io.TextIOBase):
    """stdout while the function runs: counts what it would send to CloudWatch Logs."""

    def __init__(self) -> None:
        self.bytes = 0

    def write(self, text: str) -> int:
        self.bytes += len(text.encode("utf-8"))
        return len(text)


def _deployment() -> tuple[Any, Any, dict[str, Any]]:
    """The template's memory size and timeouts, and the webhook and ingester modules loaded on moto with a table
    and the X secret."""
    import boto3
    from carebird_local import local

    template = local.load_template()
    memory = int(template["Globals"]["Function"]["MemorySize"])
    timeout = int(template["Globals"]["Function"]["Timeout"])
    ingester = template["Resources"]["IngesterFunction"]["Properties"]
    local.create_cases_table(boto3.client("dynamodb"), "bench-ingestion")
    secret_arn = local.create_x_secret(boto3.client("secretsmanager"), "bench-ingestion-x", SECRET)
    os.environ.update(CASES_TABLE="bench-ingestion", X_SECRET_ARN=secret_arn, BRAND_USER_ID=BRAND_ID,
                      BRAND_HANDLE=BRAND_HANDLE, INGESTER_FUNCTION="bench-ingestion-ingester",
                      OUTAGE_TOPIC_ARN="arn:aws:sns:eu-west-3:123456789012:bench-team")  # fmt: skip
    deployed = {"memory_mb": memory, "timeout_s": timeout,
                "ingester_memory_mb": int(ingester.get("MemorySize", memory)),
                "ingester_timeout_s": int(ingester.get("Timeout", timeout))}  # fmt: skip
    return local.load_function("webhook"), local.load_function("ingester"), deployed


def _access_log_line_bytes() -> int:
    """The access log line of one refused request, rendered from the template's format with typical values."""
    from carebird_local import local

    line = local.load_template()["Resources"]["WebhookApi"]["Properties"]["AccessLogSettings"]["Format"]
    typical = {"$context.requestId": "Jx0ABCDEFGHIJKL=", "$context.identity.sourceIp": "203.0.113.200",
               "$context.requestTime": "06/Dec/2026:05:31:49 +0000", "$context.httpMethod": "POST",
               "$context.path": "/webhook", "$context.status": "401", "$context.responseLength": "61",
               "$context.integrationLatency": "3", "$context.integrationErrorMessage": "-"}  # fmt: skip
    for variable, value in sorted(typical.items(), key=lambda kv: -len(kv[0])):
        line = line.replace(variable, value)
    return len(line.encode()) + 1


def junk_cost(module: Any, deployed: dict[str, Any]) -> dict[str, float]:
    """JUNK_REQUESTS forged POSTs through the handler: CPU, log bytes, and the brand's bill per million."""
    from carebird_local import local

    from carebird.x.signature import SIGNATURE_HEADER

    context = local.LambdaContext(function_name="carebird-webhook")
    body = json.dumps({"for_user_id": BRAND_ID, "tweet_create_events": [{"text": "x" * 200}]}).encode()
    event = local.http_api_event("POST", body=body, headers={SIGNATURE_HEADER: "sha256=Zm9yZ2VkIHNpZ25hdHVyZQ=="})
    module.lambda_handler(event, context)  # the secret read once, as a warm container has it
    stream, saved = CountingStream(), sys.stdout
    sys.stdout = stream
    try:
        for handler in module.logger.handlers:
            handler.setStream(stream)
        cpu, wall = time.process_time(), time.perf_counter()
        statuses = {module.lambda_handler(event, context)["statusCode"] for _ in range(JUNK_REQUESTS)}
        cpu, wall = (time.process_time() - cpu) / JUNK_REQUESTS, (time.perf_counter() - wall) / JUNK_REQUESTS
    finally:
        sys.stdout = saved
        for handler in module.logger.handlers:
            handler.setStream(saved)
    assert statuses == {401}, statuses
    at_memory_ms = cpu * 1000 * FULL_VCPU_MB / deployed["memory_mb"]
    billed_ms = max(1, math.ceil(at_memory_ms))  # Lambda bills whole milliseconds
    log_bytes = stream.bytes / JUNK_REQUESTS
    access_bytes = _access_log_line_bytes()
    per_million = {
        "api_gateway": PRICE["http_api_request"] * 1e6,
        "lambda_requests": PRICE["lambda_request"] * 1e6,
        "lambda_duration": billed_ms / 1000 * deployed["memory_mb"] / 1024 * PRICE["lambda_gb_second_arm"] * 1e6,
        "function_logs": log_bytes * 1e6 / 1e9 * PRICE["log_ingest_gb"],
        "access_log": access_bytes * 1e6 / 1e9 * PRICE["log_ingest_gb"],
        "platform_logs": PLATFORM_LOG_BYTES * 1e6 / 1e9 * PRICE["log_ingest_gb"],
    }
    return {"cpu_ms": cpu * 1000, "wall_ms": wall * 1000, "at_memory_ms": at_memory_ms, "billed_ms": billed_ms,
            "log_bytes": log_bytes, "access_log_bytes": access_bytes, "per_million": per_million,
            "total_per_million": sum(per_million.values())}  # fmt: skip


def largest_delivery(max_bytes: int) -> bytes:
    """The largest body the webhook accepts, filled with mentions from distinct customers: each a new case, the
    most work per byte a legal delivery asks (no event shares a conversation, so nothing is cheaper than a create)."""
    from tests.helpers import fixture

    template = fixture("aaa-mention.json")
    tweet = template["tweet_create_events"][0]
    events: list[dict[str, Any]] = []
    size = len(json.dumps(template))
    n = 0
    while True:
        event = tweet | {"id": None, "id_str": str(1870000000000000000 + n)}
        event["user"] = tweet["user"] | {"id": None, "id_str": str(1700000000000000000 + n), "screen_name": f"c{n}"}
        grown = size + len(json.dumps(event)) + 2
        if grown > max_bytes:
            break
        events.append(event)
        size, n = grown, n + 1
    return json.dumps(template | {"tweet_create_events": events}).encode()


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Any:
        return iter([self.body])

    def read(self, *_: Any) -> bytes:
        body, self.body = self.body, b""
        return body


def _answer_at_once(client: Any, status: int, body: bytes, seen: list[bytes]) -> None:
    """Every call of `client` answered at once in-process (no moto, no socket); each request's body kept in `seen`."""
    from botocore.awsrequest import AWSResponse
    from moto.core.models import botocore_stubber

    def answered(request: Any, **_: Any) -> Any:
        seen.append(request.body if isinstance(request.body, bytes) else bytes(request.body or b""))
        return AWSResponse(request.url, status, {"x-amzn-RequestId": "at-once"}, _Raw(body))

    client.meta.events.unregister("before-send", botocore_stubber)  # moto answers nothing here
    client.meta.events.register_first("before-send", answered)


def largest_delivery_time(webhook: Any, ingester: Any, deployed: dict[str, Any]) -> dict[str, float]:
    """The largest legal delivery once through the webhook (verified, handed over: its handover within Lambda's 1 MB
    asserted) and once through the ingester (decoded, triaged, stored): CPU, calls, and the model's time at the
    deployed memory size, the ingester's against its timeout."""
    from carebird_local import local

    from carebird.app.delivery import STOP_MARGIN_SECONDS, decode_delivery
    from carebird.app.handoff import MAX_PAYLOAD_BYTES

    body = largest_delivery(webhook.settings.max_body_bytes)
    handed: list[bytes] = []
    _answer_at_once(webhook.handoff.client(), 202, b"", handed)  # Lambda's answer once the event is queued
    webhook_context = local.LambdaContext(function_name="carebird-webhook")
    signed = local.signed_delivery(body, SECRET)
    cpu = time.process_time()
    response = webhook.lambda_handler(signed, webhook_context)
    webhook_cpu = time.process_time() - cpu
    assert response["statusCode"] == 200 and len(handed) == 1, response
    payload = handed[0]
    assert len(payload) <= MAX_PAYLOAD_BYTES, f"the handover is {len(payload):,} bytes, over Lambda's 1 MB"
    stored: list[bytes] = []
    _answer_at_once(ingester.store.client, 200, b"{}", stored)  # an empty table that takes every write
    parse_cpu = time.process_time()
    decode_delivery(body)
    parse_cpu = time.process_time() - parse_cpu
    poisoned = body.replace(b'"c7"', b'"c\xe9"', 1)
    salvage_cpu = time.process_time()
    assert decode_delivery(poisoned)[1], "the poisoned body must be split"
    salvage_cpu = time.process_time() - salvage_cpu
    context = local.LambdaContext(function_name="carebird-ingester")
    with contextlib.redirect_stdout(io.StringIO()):  # its log and metric lines, one per case: not the bench's output
        cpu = time.process_time()
        answer = ingester.lambda_handler(json.loads(payload), context)  # the runtime's decoding included: billed
        ingester_cpu = time.process_time() - cpu
    events = len(json.loads(body)["tweet_create_events"])
    assert answer["outcomes"].get("created") == events, answer["outcomes"]
    webhook_scale = FULL_VCPU_MB / deployed["memory_mb"]
    scale = FULL_VCPU_MB / deployed["ingester_memory_mb"]
    at_once = min(ingester.settings.parallelism, events)
    at_memory = ingester_cpu * scale + len(stored) * CALL_LATENCY_MS / 1000 / at_once
    budget = deployed["ingester_timeout_s"] - STOP_MARGIN_SECONDS
    return {"bytes": len(body), "handover_bytes": len(payload), "events": events,
            "webhook_cpu_s": webhook_cpu, "webhook_at_memory_s": webhook_cpu * webhook_scale + CALL_LATENCY_MS / 1000,
            "cpu_s": ingester_cpu, "calls": len(stored), "at_once": at_once, "at_memory_s": at_memory,
            "parse_at_memory_s": parse_cpu * scale, "salvage_at_memory_s": salvage_cpu * scale,
            "budget_s": budget}  # fmt: skip


def ingestion_rows() -> tuple[list[tuple[str, str]], dict[str, Any]]:
    """`make bench`'s ingestion section: junk cost per million, the largest delivery's time at the deployed memory."""
    from moto import mock_aws

    saved = dict(os.environ)
    os.environ.update(AWS_DEFAULT_REGION="eu-west-3", AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x",
                      POWERTOOLS_METRICS_NAMESPACE="carebird")  # fmt: skip
    try:
        with mock_aws():
            webhook, ingester, deployed = _deployment()
            junk = junk_cost(webhook, deployed)
            largest = largest_delivery_time(webhook, ingester, deployed)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    parts = ", ".join(f"{name} ${cost:.3f}" for name, cost in junk["per_million"].items())
    memory = deployed["ingester_memory_mb"]
    rows = [
        ("junk request (forged signature): CPU here / at the deployed memory",
         f"{junk['cpu_ms']:.3f} ms / {junk['at_memory_ms']:.2f} ms (billed {junk['billed_ms']} ms at "
         f"{deployed['memory_mb']} MB); logs {junk['log_bytes']:.1f} B/request (sampled), access log "
         f"{junk['access_log_bytes']} B"),
        ("junk requests: cost to the brand per million", f"${junk['total_per_million']:.2f} ({parts}; Lambda's "
         f"own log events {PLATFORM_LOG_BYTES} B: a refused request is a successful invocation; system logs at WARN)"),
        ("largest legal delivery (MAX_BODY_BYTES as deployed)", f"{largest['bytes']:,} bytes = {largest['events']} "
         f"mentions from distinct customers (each a new case); its handover {largest['handover_bytes']:,} bytes "
         f"(asserted within Lambda's 1,048,576 for an asynchronous invocation)"),
        (f"  the webhook's handover of it at {deployed['memory_mb']} MB (CPU here x {FULL_VCPU_MB}/"
         f"{deployed['memory_mb']} + {CALL_LATENCY_MS} ms for Lambda's answer, assumed)",
         f"{largest['webhook_at_memory_s'] * 1000:.0f} ms ({largest['webhook_cpu_s'] * 1000:.0f} ms CPU here: "
         f"signature, base64, one Invoke) against its {deployed['timeout_s']} s timeout"),
        (f"  the ingester's storing of it at {memory} MB (CPU here x {FULL_VCPU_MB}/{memory} + "
         f"{CALL_LATENCY_MS} ms a call / {largest['at_once']} at once)",
         f"{largest['at_memory_s']:.1f} s ({largest['calls']} DynamoDB calls) against the {largest['budget_s']:.0f} s "
         f"before the stop ({deployed['ingester_timeout_s']} s timeout): "
         + ("fits" if largest["at_memory_s"] <= largest["budget_s"] else
            "stops cleanly, Lambda's retry of the handover finishes")),
        (f"  decoding it whole / split around one invalid byte, at {memory} MB",
         f"{largest['parse_at_memory_s'] * 1000:.0f} ms / {largest['salvage_at_memory_s'] * 1000:.0f} ms"),
    ]  # fmt: skip
    figures = {"junk_cost_per_million_usd": round(junk["total_per_million"], 3),
               "junk_log_bytes_per_request": round(junk["log_bytes"], 2),
               "largest_delivery_events": largest["events"],
               "largest_delivery_handover_bytes": largest["handover_bytes"],
               "largest_delivery_webhook_ms_at_memory": round(largest["webhook_at_memory_s"] * 1000, 1),
               "largest_delivery_seconds_at_memory": round(largest["at_memory_s"], 2)}  # fmt: skip
    return rows, figures


if __name__ == "__main__":
    found, _ = ingestion_rows()
    width = max(len(name) for name, _ in found)
    for name, value in found:
        print(f"{name:<{width}}  {value}")
