"""Reliability at bench size: the concurrent storm (the real webhook on threads, redeliveries racing their
originals, the dispatcher draining the stream) and the webhook's property tests with thousands of examples."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from bench.traffic import conversation_pairs, storm_payloads

ROOT = Path(__file__).resolve().parents[1]


def concurrent_storm(events: int) -> tuple[list[tuple[str, str]], dict[str, object]]:
    """The real webhook on 4 threads, redeliveries racing their originals, while the dispatcher drains the
    stream and creates one-time SLA schedules (moto's EventBridge Scheduler) as it would in AWS."""
    import logging
    import threading
    from concurrent.futures import ThreadPoolExecutor

    os.environ.update(AWS_DEFAULT_REGION="eu-west-3", TZ="UTC", POWERTOOLS_LOG_LEVEL="ERROR")
    time.tzset()
    logging.getLogger("moto").setLevel(logging.CRITICAL)
    from carebird_local.motopatch import key_level_transaction_rollback, serialise_aws_calls
    from moto import mock_aws

    key_level_transaction_rollback()
    lock = serialise_aws_calls()
    from carebird_local import local
    from carebird_local.demo import BRAND

    from carebird.aws.schema import MESSAGE_ID_PREFIX

    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        import boto3

        scheduler = boto3.client("scheduler")
        scheduler.create_schedule_group(Name="bench-sla")
        stack = local.EmbeddedStack(
            "bench-secret", BRAND.id, BRAND.handle, "bench",
            settings={
                "X_DRY_RUN": "true", "SCHEDULE_GROUP": "bench-sla",
                "SCHEDULER_ROLE_ARN": "arn:aws:iam::123456789012:role/bench-scheduler",
            },
        )  # fmt: skip
        payloads = storm_payloads(BRAND, events)
        from carebird_local import simulate as sim

        from carebird import clock

        # received just after the storm's last post (Tuesday, open hours): the posts keep their own times
        clock.travel_to(sim.paris(sim.datetime(2025, 11, 25), "09:00") + sim.timedelta(seconds=3 * events))
        outcomes: Counter[str] = Counter()
        outcomes_lock = threading.Lock()
        done = threading.Event()
        dispatched = Counter()

        def deliver(payload: dict) -> None:
            response = stack.deliver(payload)
            assert response["statusCode"] == 200, response
            with outcomes_lock:
                outcomes.update(json.loads(response["body"]).get("outcomes", {}))

        def drain() -> None:
            while True:
                with lock:
                    event = stack.stream.next_event()
                if event["Records"]:
                    failures = stack.dispatch(event)["batchItemFailures"]
                    dispatched.update(records=len(event["Records"]), failures=len(failures))
                elif done.is_set():
                    return
                else:
                    time.sleep(0.02)

        dispatcher = threading.Thread(target=drain)
        dispatcher.start()
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(deliver, payloads))
        elapsed = time.perf_counter() - started
        done.set()
        dispatcher.join()

        keys = []
        kwargs: dict = {"TableName": "bench", "ProjectionExpression": "pk,sk,#q"}
        kwargs["ExpressionAttributeNames"] = {"#q": "queue"}
        while True:
            page = stack.dynamodb.scan(**kwargs)
            keys += page["Items"]
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        clock.reset()
        stored = sum(1 for k in keys if k["pk"]["S"].startswith(MESSAGE_ID_PREFIX))
        cases = sum(1 for k in keys if k["sk"]["S"] == "CASE")
        waiting = sum(1 for k in keys if k["sk"]["S"] == "CASE" and "queue" in k)
        schedules = []
        paginator = scheduler.get_paginator("list_schedules")
        for page in paginator.paginate(GroupName="bench-sla"):
            schedules += [s["Name"] for s in page["Schedules"]]
    from carebird_local.simulate import message_id_of

    distinct = {message_id_of(p) for p in payloads}
    pairs = conversation_pairs(payloads)
    lost = max(len(distinct) - stored, 0)
    duplicated = max(stored - len(distinct), 0)
    customers = len({customer for customer, _ in pairs})
    rows = [
        (
            "concurrent storm: events (10 % redeliveries racing their originals), 4 threads",
            f"{len(payloads)} in {elapsed:.1f} s = {len(payloads) / elapsed:.0f} events/s, dispatcher running",
        ),
        ("concurrent storm: outcomes", ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))),
        ("concurrent storm: messages lost / duplicated", f"{lost} / {duplicated} (of {len(distinct)} distinct)"),
        (
            "concurrent storm: cases / conversations",
            f"{cases} cases for {customers} customers and {len(pairs)} (customer, family) pairs "
            f"({'within bounds' if customers <= cases <= len(pairs) else 'OUT OF BOUNDS'})",
        ),
        (
            "concurrent storm: SLA schedules",
            f"{len(schedules)} one-time schedules for {waiting} waiting cases, {len(set(schedules))} distinct; "
            f"{dispatched['records']} stream records, {dispatched['failures']} failed; no execution waits",
        ),
    ]
    return rows, {
        "lost": lost,
        "duplicated": duplicated,
        "events_per_second": len(payloads) / elapsed,
        "schedules": len(schedules),
        "waiting_cases": waiting,
        "cases_in_bounds": customers <= cases <= len(pairs),
    }


FUZZ_PROPERTIES = [
    "test_random_unsigned_requests_never_500_and_never_write",
    "test_signed_mutated_payloads_keep_every_valid_event",
    "test_a_single_flipped_byte_in_a_signed_body_is_refused",
    "test_whatever_the_crc_endpoint_signs_is_no_delivery_that_stores_anything",
]
FUZZ_EXAMPLES_PER_PROPERTY = 2_600  # x 4 properties: >= 10,000 generated inputs through the whole webhook


def fuzz() -> list[tuple[str, str]]:
    """The webhook's property tests at bench size: unsigned, mutated-and-signed, bit-flipped, CRC-derived."""
    selection = " or ".join(FUZZ_PROPERTIES)
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/integration/test_reliability.py",
         "tests/integration/test_hostile_input.py", "-k", selection],
        env={**os.environ, "CAREBIRD_FUZZ_EXAMPLES": str(FUZZ_EXAMPLES_PER_PROPERTY)},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    outcome = completed.stdout.strip().splitlines()[-1] if completed.stdout.strip() else completed.stderr[-300:]
    total = FUZZ_EXAMPLES_PER_PROPERTY * len(FUZZ_PROPERTIES)
    verdict = "all properties held" if completed.returncode == 0 else f"FAILED: {outcome}"
    return [
        ("fuzz: generated inputs through the whole webhook on moto", f"{total:,} ({len(FUZZ_PROPERTIES)} properties)"),
        ("fuzz: result", f"{verdict} in {seconds:.0f} s"),
    ]
