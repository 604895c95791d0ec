"""Ingestion under attack and at its limit: what a million junk requests cost the brand, and how long the largest
delivery the webhook accepts takes at the deployed memory size.

Both run the webhook function in-process on moto (`python bench/ingestion.py` alone, or within `make bench`).

Time at the deployed memory size is a model, stated: Lambda gives a function CPU in proportion to its memory
(1,769 MB = one vCPU, AWS Lambda docs), so CPU measured here x 1769 / MemorySize, plus DynamoDB's latency per call
(CALL_LATENCY_MS, assumed as in bench/run.py) over the calls the function makes at once. For the largest delivery
DynamoDB's answers are given at once in-process (no moto, no socket), so the CPU measured is the function's own.
"""

from __future__ import annotations

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


def _deployment() -> tuple[Any, dict[str, Any]]:
    """The template's memory size and the webhook module loaded on moto with a table and secret."""
    import boto3
    from carebird_local import local

    template = local.load_template()
    memory = int(template["Globals"]["Function"]["MemorySize"])
    timeout = int(template["Globals"]["Function"]["Timeout"])
    local.create_cases_table(boto3.client("dynamodb"), "bench-ingestion")
    secret_arn = local.create_x_secret(boto3.client("secretsmanager"), "bench-ingestion-x", SECRET)
    os.environ.update(CASES_TABLE="bench-ingestion", X_SECRET_ARN=secret_arn, BRAND_USER_ID=BRAND_ID,
                      BRAND_HANDLE=BRAND_HANDLE)  # fmt: skip
    return local.load_function("webhook"), {"memory_mb": memory, "timeout_s": timeout}


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
    @staticmethod
    def stream() -> Any:
        return iter([b"{}"])


def largest_delivery_time(module: Any, deployed: dict[str, Any]) -> dict[str, float]:
    """The largest legal delivery through the handler once: its events, CPU, DynamoDB calls, and the model's time
    at the deployed memory size against the timeout."""
    from carebird_local import local

    from carebird.app.webhook import STOP_MARGIN_SECONDS, decode_delivery

    settings = module.webhook.settings
    body = largest_delivery(settings.max_body_bytes)
    calls = {"count": 0}

    def answered_at_once(**_: Any) -> Any:
        """DynamoDB's answer to every call, without a round trip or moto's work: an empty table that takes every
        write (each event a new case). The CPU measured is the function's own, botocore's included."""
        from botocore.awsrequest import AWSResponse

        calls["count"] += 1
        return AWSResponse("https://dynamodb", 200, {}, _Raw())

    from moto.core.models import botocore_stubber

    module.store.client.meta.events.unregister("before-send", botocore_stubber)  # moto answers nothing here
    module.store.client.meta.events.register_first("before-send.dynamodb", answered_at_once)
    parse_cpu = time.process_time()
    decode_delivery(body)
    parse_cpu = time.process_time() - parse_cpu
    poisoned = body.replace(b'"c7"', b'"c\xe9"', 1)
    salvage_cpu = time.process_time()
    assert decode_delivery(poisoned)[1], "the poisoned body must be split"
    salvage_cpu = time.process_time() - salvage_cpu
    context = local.LambdaContext(function_name="carebird-webhook")
    cpu, wall = time.process_time(), time.perf_counter()
    response = module.lambda_handler(local.signed_delivery(body, SECRET), context)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    events = len(json.loads(body)["tweet_create_events"])
    scale = FULL_VCPU_MB / deployed["memory_mb"]
    at_memory = cpu * scale + calls["count"] * CALL_LATENCY_MS / 1000 / min(settings.parallelism, events)
    budget = deployed["timeout_s"] - STOP_MARGIN_SECONDS
    return {"bytes": len(body), "events": events, "status": response["statusCode"], "cpu_s": cpu, "wall_s": wall,
            "calls": calls["count"], "at_memory_s": at_memory, "parse_at_memory_s": parse_cpu * scale,
            "salvage_at_memory_s": salvage_cpu * scale, "budget_s": budget}  # fmt: skip


def ingestion_rows() -> tuple[list[tuple[str, str]], dict[str, Any]]:
    """`make bench`'s ingestion section: junk cost per million, the largest delivery's time at the deployed memory."""
    from moto import mock_aws

    saved = dict(os.environ)
    os.environ.update(AWS_DEFAULT_REGION="eu-west-3", AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x",
                      POWERTOOLS_METRICS_NAMESPACE="carebird")  # fmt: skip
    try:
        with mock_aws():
            module, deployed = _deployment()
            junk = junk_cost(module, deployed)
            largest = largest_delivery_time(module, deployed)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    parts = ", ".join(f"{name} ${cost:.3f}" for name, cost in junk["per_million"].items())
    rows = [
        ("junk request (forged signature): CPU here / at the deployed memory",
         f"{junk['cpu_ms']:.3f} ms / {junk['at_memory_ms']:.2f} ms (billed {junk['billed_ms']} ms at "
         f"{deployed['memory_mb']} MB); logs {junk['log_bytes']:.1f} B/request (sampled), access log "
         f"{junk['access_log_bytes']} B"),
        ("junk requests: cost to the brand per million", f"${junk['total_per_million']:.2f} ({parts}; Lambda's "
         f"own log events {PLATFORM_LOG_BYTES} B: a refused request is a successful invocation; system logs at WARN)"),
        ("largest legal delivery", f"{largest['bytes']:,} bytes = {largest['events']} mentions from distinct "
         f"customers (each a new case); {largest['calls']} DynamoDB calls; status {largest['status']}"),
        (f"  its time at {deployed['memory_mb']} MB (CPU here x {FULL_VCPU_MB}/{deployed['memory_mb']} + "
         f"{CALL_LATENCY_MS} ms a call / {min(module.webhook.settings.parallelism, largest['events'])} at once)",
         f"{largest['at_memory_s']:.1f} s against the {largest['budget_s']:.0f} s before the stop "
         f"({deployed['timeout_s']} s timeout): "
         + ("fits" if largest["at_memory_s"] <= largest["budget_s"] else "stops cleanly, X's redelivery finishes")),
        ("  decoding it whole / split around one invalid byte, at the deployed memory",
         f"{largest['parse_at_memory_s'] * 1000:.0f} ms / {largest['salvage_at_memory_s'] * 1000:.0f} ms"),
    ]  # fmt: skip
    figures = {"junk_cost_per_million_usd": round(junk["total_per_million"], 3),
               "junk_log_bytes_per_request": round(junk["log_bytes"], 2),
               "largest_delivery_events": largest["events"],
               "largest_delivery_seconds_at_memory": round(largest["at_memory_s"], 2)}  # fmt: skip
    return rows, figures


if __name__ == "__main__":
    found, _ = ingestion_rows()
    width = max(len(name) for name, _ in found)
    for name, value in found:
        print(f"{name:<{width}}  {value}")
