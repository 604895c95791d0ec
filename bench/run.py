"""`make bench`: carebird's performance and cost figures, measured in one run on this machine.

A benchmark, not a test: it prints a table (medians over repeated runs) and writes nothing else.
Record the figures in docs/performance.md when they change.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FUNCTIONS = ("webhook", "dispatcher", "acknowledger", "announcer", "digest")
ENV = {
    "AWS_DEFAULT_REGION": "eu-west-3",
    "CASES_TABLE": "bench",
    "X_SECRET_ARN": "arn:aws:secretsmanager:x",
    "BRAND_USER_ID": "1500000000000000001",
    "BRAND_HANDLE": "LumiereAide",
    "STATE_MACHINE_ARN": "arn:aws:states:x",
    "DIGEST_TOPIC_ARN": "arn:aws:sns:x",
    "X_DRY_RUN": "true",
    "AWS_ACCESS_KEY_ID": "x",
    "AWS_SECRET_ACCESS_KEY": "x",
}
REPEAT_IMPORTS = int(os.environ.get("BENCH_IMPORT_RUNS", "9"))
STORM_EVENTS = int(os.environ.get("BENCH_STORM_EVENTS", "10000"))

# Public on-demand prices (USD, us-east-1, November 2026 price lists).
PRICE = {
    "lambda_request": 0.20 / 1e6,
    "lambda_gb_second_arm": 0.0000133334,
    "dynamodb_write_unit": 0.625 / 1e6,
    "dynamodb_read_unit": 0.125 / 1e6,
    "sfn_transition": 0.025 / 1000,  # Standard (the former design, kept for the comparison)
    "sfn_express_request": 1.00 / 1e6,
    "sfn_express_gb_second": 0.00001667,  # billed per 100 ms, 64 MB minimum
    "scheduler_invocation": 1.00 / 1e6,  # after 14 million free invocations a month
    "sns_publish": 0.50 / 1e6,
    "sns_email": 2.00 / 1e5,
    "x_post_read": 0.005,
    "x_summoned_reply": 0.010,
    "x_post": 0.015,
    "x_dm": 0.015,
}


def _import_seconds(statement: str) -> float:
    code = (
        f"import sys, time; sys.path.insert(0, {str(ROOT / 'functions')!r}); t = time.perf_counter(); "
        f"{statement}; print(time.perf_counter() - t)"
    )
    env = {**os.environ, **ENV, "PYTHONDONTWRITEBYTECODE": "0"}
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def interleaved_medians(statements: dict[str, str]) -> dict[str, float]:
    """Each statement in a fresh interpreter, round-robin (so machine noise hits all alike); medians."""
    for statement in statements.values():
        _import_seconds(statement)  # warm the pyc cache
    samples: dict[str, list[float]] = {name: [] for name in statements}
    for _ in range(REPEAT_IMPORTS):
        for name, statement in statements.items():
            samples[name].append(_import_seconds(statement))
    return {name: statistics.median(values) for name, values in samples.items()}


def cold_imports() -> list[tuple[str, str]]:
    statements = {
        "boto3": "import boto3",
        "client": "import boto3; boto3.client('dynamodb')",
        "tweepy": "import tweepy",
    }
    for name in FUNCTIONS:
        path = str(ROOT / "functions" / name / "app.py")
        statements[name] = (
            f"import importlib.util as u; s = u.spec_from_file_location('f', {path!r});"
            " m = u.module_from_spec(s); s.loader.exec_module(m)"
        )
    medians = interleaved_medians(statements)
    base = medians["boto3"]
    rows = [("import boto3 (reference)", f"{base * 1000:.0f} ms")]
    for name in FUNCTIONS:
        target = "  (target <= 1.3x)" if name == "webhook" else ""
        rows.append(
            (
                f"cold import functions/{name}",
                f"{medians[name] * 1000:.0f} ms = {medians[name] / base:.2f}x boto3{target}",
            )
        )
    rows.append(
        ("  + DynamoDB client, created on the webhook's first request", f"{(medians['client'] - base) * 1000:.0f} ms")
    )
    rows.append(("import tweepy (only announcer/acknowledger, lazily)", f"{medians['tweepy'] * 1000:.0f} ms"))
    return rows


def cpu_per_event() -> list[tuple[str, str]]:
    from carebird import signature
    from carebird.cases import open_case
    from carebird.normalise import Brand, parse_delivery
    from carebird.triage import TriageRules

    brand, rules = Brand("1500000000000000001", "LumiereAide"), TriageRules()
    fixtures = [
        "aaa-mention.json",
        "aaa-mention-influencer.json",
        "aaa-reply-to-brand-post.json",
        "aaa-quote.json",
        "aaa-dm-incoming.json",
        "aaa-extended-tweet.json",
        "xaa-post-mention.json",
        "xaa-dm-received.json",
    ]
    bodies = [(ROOT / "tests" / "fixtures" / name).read_bytes() for name in fixtures]
    signed = [(body, signature.sign("secret", body)) for body in bodies]

    from carebird.triage import _word_starts, fold, risks_of

    def pipeline() -> None:
        for body, header in signed:
            fold.cache_clear()  # every event a text never seen before: no help from the per-text caches
            risks_of.cache_clear()
            _word_starts.cache_clear()
            signature.verify("secret", body, header)
            for event in parse_delivery(json.loads(body), brand).events:
                open_case(event, rules)

    def json_only() -> None:
        for body, _ in signed:
            json.loads(body)

    def per_event(function: object, rounds: int = 400) -> float:
        samples = []
        for _ in range(7):
            start = time.perf_counter()
            for _ in range(rounds):
                function()  # type: ignore[operator]
            samples.append((time.perf_counter() - start) / (rounds * len(signed)))
        return statistics.median(samples)

    pipeline_s, json_s = per_event(pipeline), per_event(json_only)
    return [
        ("verify + parse + triage, per event (no AWS)", f"{pipeline_s * 1e3:.3f} ms  (target < 0.3 ms)"),
        ("  as a ratio to json.loads of the payload", f"{pipeline_s / json_s:.1f}x"),
    ]


def key_level_transaction_rollback() -> None:
    """Make moto's transaction rollback proportional to the transaction, so a 10,000-event storm finishes.

    moto deep-copies every table a transaction touches (once per action) to roll back on failure, which
    is quadratic in the table size. This keeps moto's own logic but snapshots only the items the
    transaction names, and restores those (and the stream) if it is cancelled. Bench only: the tests
    run unmodified moto.
    """
    import copy as _copy

    import moto.dynamodb.models as models
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    class NoTableCopies:
        def __getattr__(self, name: str) -> object:
            return getattr(_copy, name)

        @staticmethod
        def deepcopy(value: object, memo: object = None) -> object:
            return value if isinstance(value, Table) else _copy.deepcopy(value, memo)  # type: ignore[arg-type]

    models.copy = NoTableCopies()  # type: ignore[assignment]
    original = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self: object, transact_items: list[dict]) -> None:
        saved, shards = [], {}
        for entry in transact_items:
            op = next(iter(entry.values()))
            table = self.tables.get(op.get("TableName"))  # type: ignore[attr-defined]
            if table is None:
                continue
            key = op.get("Key") or op.get("Item") or {}
            hash_value = DynamoType(key[table.hash_key_attr])
            range_value = DynamoType(key[table.range_key_attr]) if table.has_range_key else None
            bucket = table.items.get(hash_value, {}) if table.has_range_key else table.items
            before = bucket.get(range_value if table.has_range_key else hash_value)
            saved.append((table, hash_value, range_value, _copy.deepcopy(before)))
            if table.stream_shard is not None:
                shards[table.name] = (table.stream_shard, len(table.stream_shard.items))
        try:
            original(self, transact_items)
        except Exception:
            for table, hash_value, range_value, before in reversed(saved):
                if table.has_range_key:
                    bucket = table.items[hash_value]
                    if before is None:
                        bucket.pop(range_value, None)
                    else:
                        bucket[range_value] = before
                elif before is None:
                    table.items.pop(hash_value, None)
                else:
                    table.items[hash_value] = before
            for shard, length in shards.values():
                del shard.items[length:]
            raise

    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def end_to_end() -> tuple[list[tuple[str, str]], dict[str, float]]:
    os.environ.update(AWS_DEFAULT_REGION="eu-west-3", TZ="UTC", POWERTOOLS_LOG_LEVEL="ERROR")
    time.tzset()
    import logging
    import random

    logging.getLogger("moto").setLevel(logging.CRITICAL)
    from moto import mock_aws

    key_level_transaction_rollback()
    from carebird import local
    from carebird import simulate as sim
    from carebird.demo import BRAND, PARIS
    from carebird.model import Author

    random.seed(7)
    calls: Counter[str] = Counter()
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        stack = local.EmbeddedStack("bench-secret", BRAND.id, BRAND.handle, "bench", settings={"X_DRY_RUN": "true"})
        stack.dynamodb.meta.events.register("before-call", lambda model, **_: calls.update([f"dynamodb.{model.name}"]))
        store_client = stack.webhook.webhook.store.client
        store_client.meta.events.register("before-call", lambda model, **_: calls.update([f"dynamodb.{model.name}"]))
        customers = [
            Author(str(1700000000000000000 + i), f"user{i}", f"User {i}", random.choice([12, 300, 5000, 90000]))
            for i in range(STORM_EVENTS // 3)
        ]
        start_day = sim.paris(sim.datetime(2025, 11, 25), "09:00").astimezone(PARIS)
        payloads = []
        for i in range(int(STORM_EVENTS * 0.9)):
            author, at = random.choice(customers), start_day + sim.timedelta(seconds=3 * i)
            kind = random.random()
            if kind < 0.55:
                payloads.append(sim.tweet(author, f"@LumiereAide ma box ne marche plus #{i}", at, BRAND))
            elif kind < 0.75:
                payloads.append(sim.dm(author, BRAND, f"Bonjour, question facture {i}", at, BRAND))
            elif kind < 0.9:
                payloads.append(sim.activity_post(author, f"@LumiereAide my fiber is down {i}", at, BRAND))
            else:
                payloads.append(sim.activity_dm(author, BRAND, f"refund please {i}", at, BRAND))
        payloads += random.sample(payloads, STORM_EVENTS - len(payloads))  # 10 % redeliveries
        random.shuffle(payloads)
        calls.clear()
        outcomes: Counter[str] = Counter()
        started = time.perf_counter()
        for index, payload in enumerate(payloads):
            response = stack.deliver(payload)
            if index % 50 == 0:
                stack.stream.next_event()  # consumed by the stream consumers in AWS; here read and dropped
            for key, value in json.loads(response["body"]).get("outcomes", {}).items():
                outcomes[key] += value
        elapsed = time.perf_counter() - started
        ingest_calls = Counter(calls)
        items = stack.dynamodb.scan(TableName="bench", Select="SPECIFIC_ATTRIBUTES", ProjectionExpression="sk,pk")
        keys = [i["pk"]["S"] for i in items["Items"]]
        while "LastEvaluatedKey" in items:
            items = stack.dynamodb.scan(
                TableName="bench", ProjectionExpression="sk,pk", ExclusiveStartKey=items["LastEvaluatedKey"]
            )
            keys += [i["pk"]["S"] for i in items["Items"]]
        messages = sum(1 for k in keys if k.startswith("MSGID#"))
        cases = sum(1 for k in keys if k.startswith("CASE#")) - messages  # CASE# holds cases and messages
        unique_messages = len(
            {
                sim.post_id_of(p)
                if "data" not in p or p["data"]["event_type"].startswith("post.")
                else p["data"]["payload"]["id"]
                for p in payloads
                if "direct_message_events" not in p
            }
            | {p["direct_message_events"][0]["id"] for p in payloads if "direct_message_events" in p}
        )
        lost = unique_messages - messages
        pairs = _conversation_pairs(payloads)
        customers, conversations = len({customer for customer, _ in pairs}), len(pairs)
        # SLA path: one execution, counted transitions and calls.
        calls.clear()
        case_id = stack.webhook.webhook.store.open_queue(1)[0].case_id
        item = stack.case_item(case_id)
        from carebird.sla import SlaPolicy, timer_for

        timer = timer_for(item, SlaPolicy())
        sfn_client = stack.dispatcher.timers.client
        sfn_client.meta.events.register("before-call", lambda model, **_: calls.update([f"states.{model.name}"]))
        stack.dispatcher.timers.start(timer)
        execution = stack.wait_for_executions()[0]
        history = stack.sfn.get_execution_history(executionArn=execution["executionArn"])["events"]
        transitions = sum(1 for e in history if e["type"].endswith("StateEntered"))
        tasks = Counter(e["type"] for e in history if e["type"] == "TaskScheduled")
    new_cases = outcomes["created"]
    per_case = {name: count / max(new_cases, 1) for name, count in ingest_calls.items()}
    rows = [
        (
            "storm: events sent (10% redeliveries)",
            f"{len(payloads)} in {elapsed:.1f} s = {len(payloads) / elapsed:.0f} events/s"
            " through the handler on in-process moto",
        ),
        ("storm: outcomes", ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))),
        ("storm: messages lost / duplicated", f"{max(lost, 0)} / {max(-lost, 0)} (of {unique_messages} distinct)"),
        (
            "storm: cases stored / conversations sent",
            f"{cases} cases for {customers} customers and {conversations} (customer, public or DM) pairs: "
            f"{'within bounds' if customers <= cases <= conversations else 'OUT OF BOUNDS'} (a DM continuing a "
            "live public conversation joins its case)",
        ),
        ("AWS calls per case, ingest", ", ".join(f"{k} {v:.2f}" for k, v in sorted(per_case.items()))),
        (
            "AWS calls per case, SLA path",
            f"CreateSchedule 1 per deadline, then one Express execution: state transitions {transitions}, "
            f"service tasks {sum(tasks.values())} (GetItem, UpdateItem, SNS Publish when escalated)",
        ),
    ]
    return rows, {
        "per_case": sum(per_case.values()),
        "transitions": transitions,
        "transact": per_case.get("dynamodb.TransactWriteItems", 0),
        "gets": per_case.get("dynamodb.GetItem", 0),
        "events_per_case": len(payloads) / max(new_cases, 1),
    }


def _conversation_pairs(payloads: list[dict]) -> set[tuple[str, str]]:
    return {
        (p["tweet_create_events"][0]["user"]["id_str"], "public")
        if "tweet_create_events" in p
        else (p["direct_message_events"][0]["message_create"]["sender_id"], "dm")
        if "direct_message_events" in p
        else (
            p["data"]["payload"].get("author_id") or p["data"]["payload"]["sender_id"],
            "public" if p["data"]["event_type"].startswith("post.") else "dm",
        )
        for p in payloads
    }


def costs(counts: dict[str, float]) -> list[tuple[str, str]]:
    per_1000 = 1000
    events = counts["events_per_case"] * per_1000
    lambda_cost = (
        events * PRICE["lambda_request"] + events * 0.5 * 0.05 * PRICE["lambda_gb_second_arm"]
    )  # 512 MB, 50 ms
    stream = 2 * per_1000 * 3 * (PRICE["lambda_request"] + 0.5 * 0.05 * PRICE["lambda_gb_second_arm"])  # 2 consumers
    writes = (
        counts["transact"] * per_1000 * 2 * 4 * 2 * PRICE["dynamodb_write_unit"]
    )  # 4 items x 2 (transaction) x ~2 KB
    reads = counts["gets"] * per_1000 * PRICE["dynamodb_read_unit"]
    # SLA path: one one-time schedule and one Express execution (≤ 0.3 s at 64 MB) per deadline.
    sfn = per_1000 * (PRICE["sfn_express_request"] + 0.3 * 0.064 * PRICE["sfn_express_gb_second"])
    scheduler = per_1000 * PRICE["scheduler_invocation"]  # 0 within the free tier; counted anyway
    standard = counts["transitions"] * per_1000 * PRICE["sfn_transition"]
    sns = 0.1 * per_1000 * (PRICE["sns_publish"] + PRICE["sns_email"])  # 10 % escalated
    aws = lambda_cost + stream + writes + reads + sfn + scheduler + sns
    x_reads = events * PRICE["x_post_read"]
    x_replies = per_1000 * PRICE["x_summoned_reply"]
    return [
        (
            "AWS cost per 1,000 cases (on-demand)",
            f"${aws:.3f}  (Lambda ${lambda_cost + stream:.3f}, DynamoDB ${writes + reads:.3f}, Step Functions "
            f"Express ${sfn:.4f} + Scheduler ${scheduler:.4f}, SNS ${sns:.4f}; the former Standard timer: "
            f"${standard:.3f})",
        ),
        (
            "X pay-per-use for the same traffic",
            f"${x_reads + x_replies:.2f} if every delivered event is billed as a "
            f"post read (${x_reads:.2f}) + one summoned reply per case "
            f"(${x_replies:.2f}); a reply with a link would cost 13x",
        ),
    ]


FUZZ_PROPERTIES = [
    "test_random_unsigned_requests_never_500_and_never_write",
    "test_signed_mutated_payloads_keep_every_valid_event",
    "test_a_single_flipped_byte_in_a_signed_body_is_refused",
    "test_whatever_the_crc_endpoint_signs_is_no_delivery_that_stores_anything",
]
FUZZ_EXAMPLES_PER_PROPERTY = 2_600  # x 4 properties: >= 10,000 generated inputs through the whole webhook


def fuzz() -> list[tuple[str, str]]:
    """The webhook's property tests at bench size: unsigned, mutated-and-signed, bit-flipped, CRC-derived."""
    import subprocess

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


def main() -> None:
    print(f"carebird bench — {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    rows = fuzz() + cold_imports() + cpu_per_event()
    e2e_rows, counts = end_to_end()
    rows += e2e_rows + costs(counts)
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
