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
from typing import Any

from bench.traffic import conversation_pairs, storm_payloads

ROOT = Path(__file__).resolve().parents[1]


TWICE_DELIVERED_EVENTS = 200  # the sequential comparison's deliveries (twice_delivered_changes_nothing)
DUPLICATED_HANDOVERS_EVERY = 10  # one handover in ten Lambda delivers twice: one in twenty racing, one in twenty late
WRITES = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")


class TwiceDelivered:
    """The ingester as Lambda's asynchronous queue invokes it, delivering some handovers twice: "Occasionally, your
    function may receive the same event multiple times, even if no error occurs" (Lambda's Invoke API reference,
    https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html). One handover in `every` is invoked a second
    time: half of those started alongside the first (racing it on another thread), half once it has answered. The
    second invocations' answers, errors and successful writes are kept apart, by kind ("racing", "late")."""

    def __init__(self, ingester: Any, every: int, pool: Any) -> None:
        import itertools
        import threading

        self.ingester, self.every, self.pool = ingester, every, pool
        self.count = itertools.count()
        self.answers: dict[str, list[Any]] = {"racing": [], "late": []}
        self.errors: list[BaseException] = []
        self.writes: dict[str, Counter[str]] = {"racing": Counter(), "late": Counter()}
        self.second = threading.local()  # set on the thread running a second invocation
        self.pending: list[Any] = []

    def lambda_handler(self, event: dict, context: Any) -> Any:
        n = next(self.count) % (2 * self.every)
        if n == 0:
            self.pending.append(self.pool.submit(self._again, "racing", event, context))
        answer = self.ingester.lambda_handler(event, context)
        if n == self.every:
            self.pending.append(self.pool.submit(self._again, "late", event, context))
        return answer

    @property
    def delivered(self) -> int:
        return sum(len(answers) for answers in self.answers.values()) + len(self.errors)

    def _again(self, kind: str, event: dict, context: Any) -> None:
        import copy

        self.second.kind = kind
        try:
            self.answers[kind].append(self.ingester.lambda_handler(copy.deepcopy(event), context))
        except Exception as error:  # Lambda would retry it: kept, and counted against the storm
            self.errors.append(error)
        finally:
            self.second.kind = None

    def wait(self) -> None:
        for future in self.pending:
            future.result()

    def count_write(self, operation: str) -> None:
        kind = getattr(self.second, "kind", None)
        if kind and operation in WRITES:
            self.writes[kind][operation] += 1


def _serialise_aws_calls(on_success: Any) -> tuple[Any, Any]:
    """One AWS call at a time, as carebird_local.motopatch.serialise_aws_calls (each request is atomic in AWS;
    moto's backends are not thread-safe: races between calls still happen), undone after the storm;
    `on_success(operation)` is told of every call that returned. Returns (lock, undo)."""
    import threading

    from botocore.client import BaseClient

    lock, real = threading.RLock(), BaseClient._make_api_call

    def one_at_a_time(self: Any, operation_name: str, api_params: dict) -> Any:
        with lock:
            answer = real(self, operation_name, api_params)
        on_success(operation_name)
        return answer

    BaseClient._make_api_call = one_at_a_time  # type: ignore[method-assign]
    return lock, lambda: setattr(BaseClient, "_make_api_call", real)


def concurrent_storm(events: int) -> tuple[list[tuple[str, str]], dict[str, object]]:
    """The real webhook on 4 threads, redeliveries racing their originals, each delivery handed over to the real
    ingester by the webhook's Lambda Invoke (AsyncLambda queues it; each thread then runs its own handover, so
    ingesters run at once as Lambda runs concurrent events) and one handover in ten delivered twice by Lambda
    (TwiceDelivered), while the dispatcher drains the stream and creates one-time SLA schedules (moto's
    EventBridge Scheduler) as it would in AWS."""
    import logging
    import threading
    from concurrent.futures import ThreadPoolExecutor

    os.environ.update(AWS_DEFAULT_REGION="eu-west-3", TZ="UTC", POWERTOOLS_LOG_LEVEL="ERROR")
    time.tzset()
    logging.getLogger("moto").setLevel(logging.CRITICAL)
    from carebird_local.motopatch import key_level_transaction_rollback
    from moto import mock_aws

    key_level_transaction_rollback()
    from carebird_local import local
    from carebird_local.demo import BRAND

    from carebird.aws.schema import MESSAGE_ID_PREFIX

    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}), ThreadPoolExecutor(2) as seconds:
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
        twice = TwiceDelivered(stack.ingester, DUPLICATED_HANDOVERS_EVERY, seconds)
        stack.lambda_queue.route(stack.webhook.settings.ingester_function, twice)  # type: ignore[arg-type]
        lock, undo = _serialise_aws_calls(twice.count_write)
        payloads = storm_payloads(BRAND, events)
        from carebird_local import simulate as sim

        from carebird import clock

        # received just after the storm's last post (Tuesday, open hours): the posts keep their own times
        clock.travel_to(sim.paris(sim.datetime(2025, 11, 25), "09:00") + sim.timedelta(seconds=3 * events))
        done = threading.Event()
        dispatched = Counter()

        def deliver(payload: dict) -> None:
            signed = local.signed_delivery(payload, stack.consumer_secret)
            response = stack.webhook.lambda_handler(signed, stack.context)
            assert response["statusCode"] == 200, response
            stack.lambda_queue.run_pending(queued_here=True)  # Lambda runs this thread's handover: threads at once

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
        try:
            with ThreadPoolExecutor(max_workers=4) as pool:
                list(pool.map(deliver, payloads))
            twice.wait()
            elapsed = time.perf_counter() - started
        finally:
            done.set()
            dispatcher.join()
            undo()
        outcomes: Counter[str] = Counter()
        for invocation in stack.lambda_queue.invocations:
            outcomes.update((invocation.answer or {}).get("outcomes", {}))
        second_outcomes: dict[str, Counter[str]] = {kind: Counter() for kind in twice.answers}
        for kind, answers in twice.answers.items():
            for answer in answers:
                second_outcomes[kind].update(answer.get("outcomes", {}))
        failed_handovers = len(stack.lambda_queue.failed) + len(twice.errors)
        every = [outcomes, *second_outcomes.values()]
        stored_by_answers = sum(c["created"] + c["appended"] for c in every)
        created_by_answers = sum(c["created"] for c in every)

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
    handovers = len(stack.lambda_queue.invocations)
    rows = [
        (
            "concurrent storm: events (10 % redeliveries racing their originals), 4 threads",
            f"{len(payloads)} in {elapsed:.1f} s = {len(payloads) / elapsed:.0f} events/s, dispatcher running; each "
            "verified by the webhook and handed to the ingester (Lambda Invoke, queued and run by AsyncLambda)",
        ),
        ("concurrent storm: outcomes", ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))),
        (
            "concurrent storm: handovers Lambda delivered twice (one in ten: half racing the first, half after it)",
            f"{twice.delivered} of {handovers}, failed handovers {failed_handovers}; "
            + "; ".join(
                f"{kind} ({len(twice.answers[kind])}): second outcomes "
                + (", ".join(f"{k} {v}" for k, v in sorted(second_outcomes[kind].items())) or "none")
                + f", writes that succeeded {sum(twice.writes[kind].values())}"
                for kind in twice.answers
            ),
        ),
        ("concurrent storm: messages lost / duplicated", f"{lost} / {duplicated} (of {len(distinct)} distinct)"),
        (
            "concurrent storm: messages stored by first and second deliveries together (created + appended)",
            f"{stored_by_answers} for {stored} messages in the table, {created_by_answers} cases opened for {cases} "
            f"cases ({'each once' if (stored_by_answers, created_by_answers) == (stored, cases) else 'MISMATCH'})",
        ),
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
    twice_rows, twice_figures = twice_delivered_changes_nothing(TWICE_DELIVERED_EVENTS)
    return rows + twice_rows, twice_figures | {
        "lost": lost,
        "duplicated": duplicated,
        "events_per_second": len(payloads) / elapsed,
        "schedules": len(schedules),
        "waiting_cases": waiting,
        "cases_in_bounds": customers <= cases <= len(pairs),
        "storm_handovers": handovers,
        "storm_handovers_delivered_twice": twice.delivered,
        "storm_late_second_deliveries_writes": sum(twice.writes["late"].values()),
        "storm_failed_handovers": failed_handovers,
    }


def _sequential_run(payloads: list[dict], handler_runs: int) -> tuple[list, list]:
    """The payloads delivered one by one through the webhook, each handover run `handler_runs` times by the
    ingester (Lambda delivering it again after it answered), the stream handed to the consumers after each delivery;
    time frozen at the storm's moment, so two runs can be compared item by item. Returns (the table's items, the
    stream records the consumers were given: name, keys and new image), both sorted."""
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from carebird_local import local
    from carebird_local import simulate as sim
    from carebird_local.demo import BRAND
    from moto import mock_aws

    import carebird.clock as clock_module

    moment = sim.paris(sim.datetime(2025, 11, 25), "09:00").astimezone(UTC) + sim.timedelta(hours=3)

    class Frozen(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
            return moment if tz is None or tz is UTC else moment.astimezone(tz)

    real_datetime = clock_module.datetime
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        import boto3

        boto3.client("scheduler").create_schedule_group(Name="bench-sla")
        stack = local.EmbeddedStack("bench-secret", BRAND.id, BRAND.handle, "twice", settings={
            "X_DRY_RUN": "true", "SCHEDULE_GROUP": "bench-sla",
            "SCHEDULER_ROLE_ARN": "arn:aws:iam::123456789012:role/bench-scheduler",
        })  # fmt: skip
        ingester = stack.ingester

        def again(event: dict, context: Any) -> Any:
            import copy

            answers = [ingester.lambda_handler(copy.deepcopy(event), context) for _ in range(handler_runs)]
            return answers[0]

        stack.lambda_queue.route(stack.webhook.settings.ingester_function, SimpleNamespace(lambda_handler=again))  # type: ignore[arg-type]
        records: list = []
        clock_module.datetime = Frozen  # type: ignore[misc]
        clock_module.reset()
        try:
            for payload in payloads:
                assert stack.deliver(payload)["statusCode"] == 200
                event = stack.stream.next_event()
                records += [
                    json.dumps([r["eventName"], r["dynamodb"]["Keys"], r["dynamodb"].get("NewImage")], sort_keys=True)
                    for r in event["Records"]
                ]
                stack.dispatch(event)
        finally:
            clock_module.datetime = real_datetime  # type: ignore[misc]
        assert not stack.lambda_queue.failed, stack.lambda_queue.failed[0].errors
        items, kwargs = [], {"TableName": "twice"}
        while True:
            page = stack.dynamodb.scan(**kwargs)
            items += [json.dumps(item, sort_keys=True) for item in page["Items"]]
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return sorted(items), sorted(records)


def twice_delivered_changes_nothing(events: int = 300) -> tuple[list[tuple[str, str]], dict[str, object]]:
    """The same deliveries (the storm's traffic, X's redeliveries included) twice, one at a time: once with every
    handover ingested once, once with every handover ingested twice (Lambda delivering each event again). The
    table's items and the stream records the consumers receive must be the same, item for item."""
    from carebird_local.demo import BRAND

    payloads = storm_payloads(BRAND, events)
    once, twice = _sequential_run(payloads, 1), _sequential_run(payloads, 2)
    same = once == twice
    differing = len(set(once[0]) ^ set(twice[0])) + len(set(once[1]) ^ set(twice[1]))
    rows = [
        (
            f"every handover delivered twice by Lambda ({events} deliveries, one at a time, time frozen)",
            f"table and stream {'identical' if same else 'DIFFERENT'} to every handover delivered once: "
            f"{len(once[0])} items, {len(once[1])} stream records" + ("" if same else f", {differing} differing"),
        )
    ]
    return rows, {"twice_delivered_changes_nothing": same}


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
