"""Measurements of the functions themselves: the webhook cold and warm and the ingester warm (in fresh interpreters,
bench/worker.py), the built webhook's and ingester's first events on the Lambda runtime's Python, the escalation
workflow's transitions, the inbox's queue and the KPIs at scale.

Every CPU figure is process CPU (`time.process_time`, or the child's rusage for whole processes), never wall time.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.traffic import CASE_MIX

ROOT = Path(__file__).resolve().parents[1]
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


def cpu_per_event() -> list[tuple[str, str]]:
    from carebird.domain.cases import open_case
    from carebird.domain.triage import TriageRules
    from carebird.x import signature
    from carebird.x.normalise import Brand, parse_delivery

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

    from carebird.domain.triage import fold, risks_of

    def pipeline() -> None:
        for body, header in signed:
            fold.cache_clear()  # every event a text never seen before: no help from the per-text caches
            risks_of.cache_clear()
            signature.verify("secret", body, header)
            for event in parse_delivery(json.loads(body), brand).events:
                open_case(event, rules)

    def json_only() -> None:
        for body, _ in signed:
            json.loads(body)

    events = [event for body, _ in signed for event in parse_delivery(json.loads(body), brand).events]

    def triage_only() -> None:
        for event in events:
            fold.cache_clear()
            risks_of.cache_clear()
            open_case(event, rules)  # the triage of the message, and the case built around it

    def per_event(function: object, rounds: int = 400) -> float:
        samples = []
        for _ in range(7):
            start = time.perf_counter()
            for _ in range(rounds):
                function()  # type: ignore[operator]
            samples.append((time.perf_counter() - start) / (rounds * len(signed)))
        return statistics.median(samples)

    pipeline_s, json_s, triage_s = per_event(pipeline), per_event(json_only), per_event(triage_only)
    return [
        ("verify + parse + triage, per event (no AWS)", f"{pipeline_s * 1e3:.3f} ms  (target < 0.3 ms)"),
        (
            "  of which the triage of one message (and its case built), caches cleared",
            f"{triage_s * 1e3:.3f} ms  (goal < 0.5 ms)",
        ),
        ("  as a ratio to json.loads of the payload", f"{pipeline_s / json_s:.1f}x"),
    ]


def transitions_per_path() -> tuple[list[tuple[str, str]], dict[str, int]]:
    """The escalation workflow's state transitions for each path, from real executions on moto."""
    os.environ.update(AWS_DEFAULT_REGION="eu-west-3", TZ="UTC", POWERTOOLS_LOG_LEVEL="ERROR")
    time.tzset()
    from carebird_local import local
    from carebird_local import simulate as sim
    from carebird_local.demo import BRAND
    from moto import mock_aws

    from carebird import clock, settings
    from carebird.aws.schema import case_from_item
    from carebird.domain.model import Author
    from carebird.domain.sla import timers_for

    found: dict[str, int] = {}
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        stack = local.EmbeddedStack("bench-secret", BRAND.id, BRAND.handle, "bench-sla",
                                    settings={"X_DRY_RUN": "true", "SECOND_LEVEL_MINUTES": "60"})  # fmt: skip
        at = sim.datetime(2025, 11, 25, 9, 0, tzinfo=sim.UTC)
        clock.travel_to(at + sim.timedelta(days=1))  # received a day later: every deadline past, the times kept
        for n, path in enumerate(("answered", "escalated", "manager")):
            customer = Author(f"16000000000000000{n}", f"path{n}", "Path", 100)
            mention = sim.tweet(customer, "@LumiereAide ma box ne marche plus", at, BRAND)
            stack.deliver(mention)
            queue = stack.store.open_queue(10)
            case_id = next(c.case_id for c in queue if c.customer.id == customer.id)
            item = stack.case_item(case_id)
            if path == "answered":
                stack.deliver(sim.tweet(BRAND, f"@{customer.handle} on regarde", at + sim.timedelta(minutes=5), BRAND,
                                        in_reply_to=(sim.post_id_of(mention), customer)))  # fmt: skip
            level = 2 if path == "manager" else 1
            if level == 2:
                stack.timers.start(timers_for(case_from_item(item), settings.sla_policy())[0])
                stack.wait_for_executions()
                item = stack.case_item(case_id)
            before = {e["executionArn"] for e in stack.executions()}
            timer = next(
                t for t in timers_for(case_from_item(item), settings.sla_policy()) if t.input.get("level") == str(level)
            )
            stack.timers.start(timer)
            stack.wait_for_executions()
            execution = next(e for e in stack.executions() if e["executionArn"] not in before)
            history = stack.sfn.get_execution_history(executionArn=execution["executionArn"])["events"]
            found[path] = sum(1 for e in history if e["type"].endswith("StateEntered"))
    clock.reset()
    rows = [
        ("escalation workflow: state transitions per deadline",
         ", ".join(f"{path} {count}" for path, count in found.items()) + " (one Express execution each)"),
    ]  # fmt: skip
    return rows, found


def _probe_environment(endpoint: str, aws: dict[str, str], function: str = "webhook") -> dict[str, str]:
    return {
        **os.environ,
        **ENV,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        **aws,  # CASES_TABLE, X_SECRET_ARN, INGESTER_FUNCTION on the loopback server (_loopback_aws)
        "OUTAGE_TOPIC_ARN": "arn:aws:sns:eu-west-3:123456789012:probe-team",  # published to on an outage only
        "POWERTOOLS_SERVICE_NAME": f"carebird-{function}",
        "POWERTOOLS_METRICS_NAMESPACE": "carebird",
        "POWERTOOLS_LOG_LEVEL": "INFO",
        "PYTHONPATH": str(ROOT),
    }


def _weighted_cpu(per_kind: dict[str, dict], figure: str = "cpu_ms") -> float:
    """A figure per event over the handler mix (per case: new case, follow-up, brand reply; a fifth redelivered...)."""
    return sum(per_kind[k][figure] * w for k, w in CASE_MIX.items()) / sum(CASE_MIX.values())


def _weighted_calls(per_kind: dict[str, dict]) -> float:
    return sum(sum(per_kind[k]["calls"].values()) * w for k, w in CASE_MIX.items()) / sum(CASE_MIX.values())


def _first_event(function: str, secret: str) -> dict[str, Any]:
    """A first mention never seen by the table: as X signs it (webhook) or as the webhook hands it over (ingester)."""
    from bench.traffic import first_mention
    from bench.worker import event_for

    return event_for(function, first_mention(f"{time.time_ns() % 10**9:09d}"), secret)


def _replayed(function: str, env: dict[str, str], rounds: int) -> dict:
    """The warm traffic recorded on moto in-process, then replayed from the recording in a fresh interpreter."""
    import tempfile

    probe = [sys.executable, str(ROOT / "bench" / "worker.py"), function, "s3cret"]
    with tempfile.TemporaryDirectory() as scratch:
        recording = str(Path(scratch) / "answers.json")
        for mode in ("--record", "--replay"):
            done = subprocess.run([*probe, mode, str(rounds), recording], env=env, capture_output=True, text=True)
            if done.returncode:
                raise RuntimeError(f"{function} {mode} failed: {done.stderr[-1500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _loopback_aws(server: Any, name: str) -> dict[str, str]:
    """The probes' AWS on the loopback server: the table, the X secret, the ingester to hand over to, all named after
    `name` (moto's backends are the process's: each probe its own names). The functions' environment for them."""
    import boto3
    from carebird_local import local

    from bench.loopback import create_target_function

    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                    region_name=ENV["AWS_DEFAULT_REGION"])  # fmt: skip
    server.lambda_without_docker(ENV["AWS_DEFAULT_REGION"])
    local.create_cases_table(session.client("dynamodb", endpoint_url=server.endpoint), name)
    awslambda = session.client("lambda", endpoint_url=server.endpoint)
    create_target_function(session.client("iam", endpoint_url=server.endpoint), awslambda, f"{name}-ingester")
    awslambda.get_function(FunctionName=f"{name}-ingester")  # the handover's target exists, as in AWS
    secrets = session.client("secretsmanager", endpoint_url=server.endpoint)
    secret_arn = local.create_x_secret(secrets, f"{name}-x", "s3cret")
    return {"CASES_TABLE": name, "X_SECRET_ARN": secret_arn, "INGESTER_FUNCTION": f"{name}-ingester"}


def handler_probes(warm_rounds: int = 60) -> tuple[list[tuple[str, str]], dict[str, object]]:
    """The webhook and the ingester in fresh interpreters (bench/worker.py): the webhook cold against loopback AWS;
    both warm, over HTTP to loopback moto and replayed from a recording."""
    from carebird_local.motopatch import key_level_transaction_rollback

    from bench.loopback import KeepAliveMotoServer

    key_level_transaction_rollback()  # as every probe: moto's whole-table copy made a transaction wait 140-380 ms
    server = KeepAliveMotoServer().start()
    try:
        aws = _loopback_aws(server, "probe")
        env = {f: _probe_environment(server.endpoint, aws, f) for f in ("webhook", "ingester")}

        def run(function: str, *args: str) -> dict:
            done = subprocess.run([sys.executable, str(ROOT / "bench" / "worker.py"), function, "s3cret", *args],
                                  env={**env[function],
                                       "PROBE_FIRST_EVENT": json.dumps(_first_event(function, "s3cret"))},
                                  check=False, capture_output=True, text=True)  # fmt: skip
            if done.returncode:
                raise RuntimeError(f"{function} probe failed: {done.stderr[-1500:]}")
            return json.loads(done.stdout.strip().splitlines()[-1])

        def reference_cpu(code: str) -> float:
            timed = f"import time; {code}; print(time.process_time())"
            done = subprocess.run([sys.executable, "-c", timed], env=env["webhook"], check=True, capture_output=True,
                                  text=True)  # fmt: skip
            return float(done.stdout.strip())

        run("webhook")  # warm the .pyc files, as a Lambda image has them
        firsts, imports, boto3_alone, sdk_floor = [], [], [], []
        for _ in range(REPEAT_IMPORTS):
            report = run("webhook")
            firsts.append(report["first_event_cpu_s"])
            imports.append(report["import_cpu_s"])
            boto3_alone.append(reference_cpu("import boto3"))
            sdk_floor.append(reference_cpu("import boto3; boto3.client('dynamodb')"))
        webhook_http = run("webhook", "--warm", str(warm_rounds))
        ingester_http = run("ingester", "--warm", str(warm_rounds))
    finally:
        server.stop()
    webhook_replay = _replayed("webhook", env["webhook"], rounds=warm_rounds)
    ingester_replay = _replayed("ingester", env["ingester"], rounds=warm_rounds)
    first, alone, floor = (statistics.median(v) for v in (firsts, boto3_alone, sdk_floor))
    figures = {
        "first_event_ratio": first / floor,
        "first_event_ratio_vs_import_boto3": first / alone,
        **_webhook_figures(webhook_replay, webhook_http),
        **_ingester_figures(ingester_replay, ingester_http),
    }
    rows = [
        ("CPU of `import boto3`, fresh interpreter (reference)", f"{alone * 1000:.0f} ms"),
        ("CPU of `import boto3` + one DynamoDB client, fresh interpreter (the SDK's floor)", f"{floor * 1000:.0f} ms"),
        (
            "webhook, first event after a cold start: import + secret + Lambda client + the handover (CPU, source)",
            f"{first * 1000:.0f} ms = {first / floor:.2f}x the SDK's floor; "
            f"{first / alone:.2f}x `import boto3` alone; the module's import alone "
            f"{statistics.median(imports) / alone:.2f}x",
        ),
        *_handler_rows("webhook", webhook_replay, webhook_http, figures),
        *_handler_rows("ingester", ingester_replay, ingester_http, figures),
        ("metric series written (EMF, all event kinds: the ingester's)",
         f"{len(ingester_http['metric_series'])}: " + ", ".join(ingester_http["metric_series"])),
    ]  # fmt: skip
    return rows, figures


def _webhook_figures(replayed: dict, http: dict) -> dict[str, Any]:
    """The webhook's JSON keys (/work/briefs/i30-keys.md): per delivery, weighted over the case's mix."""
    calls = _weighted_calls(http["per_kind"])
    return {
        "webhook_cpu_ms_per_event_http": round(_weighted_cpu(http["per_kind"]), 3),
        "webhook_cpu_ms_per_event_replay": round(_weighted_cpu(replayed["per_kind"]), 3),
        "webhook_own_cpu_ms_per_event": round(
            _weighted_cpu(replayed["per_kind"]) - _weighted_cpu(replayed["per_kind"], "botocore_ms"), 3
        ),
        "botocore_call_floor_ms": round(replayed["sdk_call_cpu_ms"], 3),
        "botocore_call_floor_ms_http": round(http["sdk_call_cpu_ms"], 3),
        "webhook_aws_floor_ms_per_event_http": round(calls * http["sdk_call_cpu_ms"], 3),
        "lambda_invoke_cpu_ms_http": round(http["invoke_cpu_ms"], 3),
        "lambda_invoke_cpu_ms_replay": round(replayed["invoke_cpu_ms"], 3),
        "lambda_invoke_payload_bytes": http["invoke_payload_bytes"],
        "calls_per_event": {kind: sum(f["calls"].values()) for kind, f in http["per_kind"].items()},
        "handover_bytes_per_event": {kind: f["handover_bytes"] for kind, f in http["per_kind"].items()},
    }


def _ingester_figures(replayed: dict, http: dict) -> dict[str, Any]:
    """The ingester's JSON keys (/work/briefs/i30-keys.md): per handover, weighted over the case's mix."""
    per_kind = {
        kind: {"cpu_ms_http": round(f["cpu_ms"], 3), "cpu_ms_replay": round(replayed["per_kind"][kind]["cpu_ms"], 3),
               "botocore_ms_replay": round(replayed["per_kind"][kind]["botocore_ms"], 3), "calls": f["calls"],
               "write_units": f["write_units"]}
        for kind, f in http["per_kind"].items()
    }  # fmt: skip
    return {
        "ingester_cpu_ms_per_event_http": round(_weighted_cpu(http["per_kind"]), 3),
        "ingester_cpu_ms_per_event_replay": round(_weighted_cpu(replayed["per_kind"]), 3),
        "ingester_own_cpu_ms_per_event": round(
            _weighted_cpu(replayed["per_kind"]) - _weighted_cpu(replayed["per_kind"], "botocore_ms"), 3
        ),
        "ingester_calls_per_event": {kind: sum(f["calls"].values()) for kind, f in http["per_kind"].items()},
        "ingester_calls_weighted": round(_weighted_calls(http["per_kind"]), 3),
        "ingester_write_units_per_event": {kind: f["write_units"] for kind, f in http["per_kind"].items()},
        "ingester_per_kind": per_kind,
        "ingester_botocore_call_floor_ms_http": round(http["sdk_call_cpu_ms"], 3),
    }


def _handler_rows(function: str, replayed: dict, http: dict, figures: dict[str, Any]) -> list[tuple[str, str]]:
    """A function's rows: its CPU per event both ways, its floors, each kind of event."""
    rows = [
        (f"{function}: whole handler CPU per event, warm, weighted mix (AWS's answers replayed: no emulation, "
         f"no socket)", f"{figures[f'{function}_cpu_ms_per_event_replay']:.2f} ms, of which carebird's own (less "
         f"botocore) {figures[f'{function}_own_cpu_ms_per_event']:.2f} ms"),
        ("  the same with botocore's HTTP transport to AWS on loopback (keep-alive)",
         f"{figures[f'{function}_cpu_ms_per_event_http']:.2f} ms"),
    ]  # fmt: skip
    if function == "webhook":
        rows += [
            ("  one botocore DynamoDB GetItem (the floor's unit): answered in-process / over HTTP on loopback",
             f"{replayed['sdk_call_cpu_ms']:.2f} / {http['sdk_call_cpu_ms']:.2f} ms CPU; the floor of the webhook's "
             f"calls over HTTP: {figures['webhook_aws_floor_ms_per_event_http']:.2f} ms per delivery"),
            (f"  one botocore Lambda Invoke (Event, a {http['invoke_payload_bytes']:,}-byte handover): answered "
             f"in-process / over HTTP on loopback (moto's Lambda without Docker: 202, no body)",
             f"{replayed['invoke_cpu_ms']:.2f} / {http['invoke_cpu_ms']:.2f} ms CPU"),
        ]  # fmt: skip
    for kind, found in replayed["per_kind"].items():
        calls = ", ".join(f"{name} {count}" for name, count in sorted(found["calls"].items())) or "none"
        extra = (f"{found['handover_bytes']:,}-byte handover" if function == "webhook"
                 else f"{found['write_units']} write units")  # fmt: skip
        rows.append((f"  {function}: {kind}", f"{found['cpu_ms']:.2f} ms CPU, of which botocore "
                     f"{found['botocore_ms']:.2f} ({http['per_kind'][kind]['cpu_ms']:.2f} over HTTP), "
                     f"{sum(found['calls'].values())} calls ({calls}), {extra}"))  # fmt: skip
    return rows


def inbox_probe(open_cases: int = 500, runs: int = 15) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    """The inbox's server time (the function, DynamoDB on moto in process) for a queue of `open_cases` waiting
    cases: the queue API (one Query of the open-queue index, then the rows) and a case in full."""
    from datetime import UTC, datetime, timedelta

    from carebird_local import local
    from carebird_local.demo import BRAND
    from carebird_local.motopatch import key_level_transaction_rollback
    from moto import mock_aws

    from carebird import clock
    from carebird.app.ingest import IngestSettings, apply_event
    from carebird.domain.model import Author, Channel, Message

    key_level_transaction_rollback()
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        stack = local.EmbeddedStack("bench-secret", BRAND.id, BRAND.handle, "bench-inbox",
                                    settings={"OPENING_HOURS": "mon-sun 00:00-24:00"})  # fmt: skip
        start = datetime(2025, 11, 25, 8, 0, tzinfo=UTC)
        settings = IngestSettings()
        texts = ("ma box ne marche plus depuis ce matin", "ma facture est fausse, je veux un remboursement",
                 "colis jamais reçu, commande 4411", "pas de réseau 4G dans mon quartier")  # fmt: skip
        for n in range(open_cases):
            author = Author(f"17{n:017d}", f"client{n}", f"Client {n}", followers=(n * 37) % 5000)
            text = f"@{BRAND.handle} {texts[n % len(texts)]}"
            at = start + timedelta(seconds=n)
            message = Message(id=f"19{n:017d}", channel=Channel.MENTION, author=author, text=text, created_at=at)
            apply_event(stack.store, message, settings)
        stack.store.bump_queue_version()  # what the dispatcher does for each of those cases' stream records
        clock.travel_to(start + timedelta(hours=2))
        from carebird.aws.teamstore import DynamoTeam

        DynamoTeam(stack.store).add("bench@brand.example")  # the inbox serves the team's roster only
        event = local.http_api_event("GET", "/inbox/api/queue")
        event["requestContext"]["authorizer"] = {"jwt": {"claims": {"email": "bench@brand.example"}}}
        one = local.http_api_event("GET", f"/inbox/api/cases/public-19{0:017d}")
        one["requestContext"]["authorizer"] = event["requestContext"]["authorizer"]

        from moto.core.botocore_stubber import BotocoreStubber

        emulated = [0.0]  # seconds spent inside moto's DynamoDB emulation (not carebird, not botocore)
        real_call = BotocoreStubber.__call__

        def timed_emulation(self: object, *args: object, **kwargs: object) -> object:
            began = time.perf_counter()
            try:
                return real_call(self, *args, **kwargs)
            finally:
                emulated[0] += time.perf_counter() - began

        BotocoreStubber.__call__ = timed_emulation  # type: ignore[method-assign]

        def timed(request: dict) -> float:
            """Milliseconds of the function's own time: its code, botocore's request and parsing, not moto."""
            emulated[0] = 0.0
            began = time.perf_counter()
            response = stack.inbox.lambda_handler(request, stack.context)
            assert response["statusCode"] in (200, 304), response
            return (time.perf_counter() - began - emulated[0]) * 1000

        timed(event)  # warm, as a second agent's refresh would be
        queue_ms = statistics.median(timed(event) for _ in range(runs))
        case_ms = statistics.median(timed(one) for _ in range(runs))
        full = stack.inbox.lambda_handler(event, stack.context)
        shown = len(json.loads(full["body"])["cases"])
        unchanged = {**event, "headers": {**event["headers"], "if-none-match": full["headers"]["ETag"]}}
        refresh_ms = statistics.median(timed(unchanged) for _ in range(runs))
        from bench.capacity import Ledger, item_size

        ledger = Ledger.for_template(local.load_template())
        restore = ledger.install()
        try:  # what each kind of refresh calls and reads, as DynamoDB bills it
            ledger.running = "unchanged"
            unchanged_reply = stack.inbox.lambda_handler(unchanged, stack.context)
            ledger.running = "full"
            stack.inbox.lambda_handler(event, stack.context)
        finally:
            restore()
        BotocoreStubber.__call__ = real_call  # type: ignore[method-assign]

        waiting = stack.dynamodb.scan(TableName="bench-inbox", FilterExpression="attribute_exists(queue)")["Items"]
        queue_bytes = sum(item_size(item) for item in waiting)
        clock.reset()
    pages = -(-queue_bytes // 1_048_576)

    def calls(kind: str) -> int:
        return sum(n for (function, _, _), n in ledger.calls.items() if function == kind)

    rows = [
        (f"inbox queue API, {open_cases} open cases: the function's time (median of {runs})",
         f"{queue_ms:.0f} ms, {shown} rows (carebird + botocore; moto's own DynamoDB emulation excluded)"),
        ("inbox queue API: what DynamoDB reads for it", f"{queue_bytes / 1024:.0f} KB in {pages} Query page(s)"),
        ("inbox case API, a case in full: the function's time", f"{case_ms:.0f} ms"),
        ("inbox queue refresh, unchanged (If-None-Match)",
         f"{unchanged_reply['statusCode']}, {len(unchanged_reply.get('body') or '')} bytes of body against "
         f"{len(full['body']) // 1024} KB; {refresh_ms:.1f} ms, {calls('unchanged')} calls, "
         f"{ledger.read_units['unchanged']:.1f} RRU (the queue read: {ledger.read_units['full']:.1f} RRU)"),
    ]  # fmt: skip
    refresh = {  # an unchanged refresh (304 from the queue's version) and one that reads the queue
        "function_ms": refresh_ms, "calls": calls("unchanged"), "read_units": ledger.read_units["unchanged"],
        "full_function_ms": queue_ms, "full_calls": calls("full"), "full_read_units": ledger.read_units["full"],
    }  # fmt: skip
    return rows, {f"inbox_queue_ms_{open_cases}_open": round(queue_ms, 1), "inbox_case_ms": round(case_ms, 1),
                  "inbox_queue_query_pages": pages, "inbox_refresh": refresh}  # fmt: skip


BUILD = ROOT / ".aws-sam" / "build"
LAMBDA_VENV = ROOT / ".venv-lambda"
# What the managed runtime runs for a cold start of a built function: its folder (/var/task), then the layer
# (/opt/python), then the runtime's own boto3 (here a virtualenv holding only boto3); no writable bytecode cache
# (-B: /opt and /var/task are read-only, so a missing or stale .pyc is compiled again at every cold start).
# The webhook's first delivery is handed over to the loopback Lambda (moto's, without Docker: 202); the ingester's
# first handover is stored in the loopback DynamoDB.
_FIRST_EVENT = """
import json, os, sys
sys.path[:0] = [os.environ["PROBE_FUNCTION_DIR"], os.environ["PROBE_LAYER_DIR"]]
import app
class Context:
    function_name = os.environ["POWERTOOLS_SERVICE_NAME"]
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-3:123456789012:function:" + function_name
    aws_request_id = "00000000-0000-4000-8000-000000000001"
    @staticmethod
    def get_remaining_time_in_millis():
        return 10000
sys.stdout = open(os.devnull, "w")
response = app.lambda_handler(json.loads(os.environ["PROBE_FIRST_EVENT"]), Context())
if "statusCode" in response:
    assert response["statusCode"] == 200 and '"accepted"' in response["body"], response
else:
    assert response["outcomes"] == {"created": 1}, response
"""
_SDK_FLOOR = "import boto3; boto3.client('dynamodb')"
_BUILT = {"webhook": "WebhookFunction", "ingester": "IngesterFunction"}


def _process_cpu(argv: list[str], env: dict[str, str]) -> float:
    """Seconds of CPU (user + system) of a whole child process, from its start to its exit (os.wait4)."""
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"{argv[-1][:60]!r} failed: {child.stderr.read().decode()[-800:] if child.stderr else ''}")
    return usage.ru_utime + usage.ru_stime


def built_first_event(runs: int = REPEAT_IMPORTS) -> tuple[list[tuple[str, str]], dict[str, float]]:
    """The built webhook's first event on the runtime's Python (make build), against the SDK's floor; and the built
    ingester's, against the same floor (reported, no goal: X never waits for the ingester).

    Numerator and denominator are the same measure of the same interpreter: whole-process CPU of a fresh
    `python3.13 -I -B -c ...`, interpreter start-up included. The webhook's numerator imports the built function
    with its layer, reads the secret, creates its Lambda client and hands the first mention over (one Invoke to
    moto's Lambda on loopback, in this process, so its work is not counted); the ingester's imports the built
    function and stores the first mention's handover (DynamoDB on loopback); the denominator runs `import boto3`
    and creates one DynamoDB client. Each round measures the three in turn; ratios are paired by round."""
    python = LAMBDA_VENV / "bin" / "python"
    missing = [name for name in _BUILT.values() if not (BUILD / name / "app.py").exists()]
    if missing or not python.exists():
        return [("built artifact: first event", "not measured: run `make build` and `make artifact-test` first")], {}
    from carebird_local.motopatch import key_level_transaction_rollback

    from bench.loopback import KeepAliveMotoServer

    subprocess.run([str(python), "-m", "compileall", "-q", str(LAMBDA_VENV / "lib")], check=False)  # as the runtime
    compiled = sum(1 for _ in (BUILD / "CarebirdLayer").rglob("*.cpython-313.pyc"))
    key_level_transaction_rollback()  # the loopback moto answers a transaction as the other probes' moto does
    server = KeepAliveMotoServer().start()
    try:
        aws = _loopback_aws(server, "built")
        env = {}
        for function, folder in _BUILT.items():
            env[function] = {**_probe_environment(server.endpoint, aws, function),
                             "PROBE_FUNCTION_DIR": str(BUILD / folder),
                             "PROBE_LAYER_DIR": str(BUILD / "CarebirdLayer" / "python")}  # fmt: skip
            env[function].pop("PYTHONPATH", None)
        firsts: dict[str, list[float]] = {function: [] for function in _BUILT}
        floors: list[float] = []
        for n in range(runs + 1):
            measured = {}
            for function in _BUILT:
                run_env = {**env[function], "PROBE_FIRST_EVENT": json.dumps(_first_event(function, "s3cret"))}
                measured[function] = _process_cpu([str(python), "-I", "-B", "-c", _FIRST_EVENT], run_env)
            floor = _process_cpu([str(python), "-I", "-B", "-c", _SDK_FLOOR], env["webhook"])
            if n:  # the first round only brings the files into the page cache
                for function, cpu in measured.items():
                    firsts[function].append(cpu)
                floors.append(floor)
    finally:
        server.stop()
    floor = statistics.median(floors)
    first = {function: statistics.median(cpu) for function, cpu in firsts.items()}
    ratio = {function: statistics.median(sorted(f / s for f, s in zip(cpu, floors, strict=True)))
             for function, cpu in firsts.items()}  # fmt: skip
    rows = [
        ("built webhook (make build), first event: whole-process CPU of a fresh python3.13 -I -B (the delivery "
         "verified and handed over: one Lambda Invoke to loopback)",
         f"{first['webhook'] * 1000:.0f} ms = {ratio['webhook']:.2f}x the SDK's floor (median of {runs} paired "
         f"ratios; goal <= 1.4x); {compiled} compiled modules in the built layer"),
        ("built ingester, first event: import + the first handover stored on loopback DynamoDB, same method",
         f"{first['ingester'] * 1000:.0f} ms = {ratio['ingester']:.2f}x the SDK's floor (median of {runs} paired "
         "ratios; no goal: X never waits for it, Lambda's queue does)"),
        ("  the SDK's floor: `import boto3` + one DynamoDB client, same interpreter and method",
         f"{floor * 1000:.0f} ms"),
    ]  # fmt: skip
    return rows, {"first_event_ratio_built": ratio["webhook"], "first_event_cpu_ms_built": first["webhook"] * 1000,
                  "first_event_ratio_built_ingester": ratio["ingester"],
                  "first_event_cpu_ms_built_ingester": first["ingester"] * 1000,
                  "sdk_floor_cpu_ms": floor * 1000, "built_layer_compiled_modules": compiled}  # fmt: skip


def _stored_bytes(dynamodb: Any, table: str, ledger: Any) -> int:
    """What the table stores: every item and index entry, with DynamoDB's 100 bytes of overhead each."""
    from bench.capacity import _index_copy, item_size

    total, kwargs = 0, {"TableName": table}
    while True:
        page = dynamodb.scan(**kwargs)
        for item in page["Items"]:
            total += item_size(item) + 100
            for keys, projected in ledger.indexes.values():
                copy = _index_copy(item, keys, projected)
                total += item_size(copy) + 100 if copy else 0
        if "LastEvaluatedKey" not in page:
            return total
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def case_lifecycle(cases: int = 40) -> tuple[list[tuple[str, str]], dict[str, object]]:
    """Cases through the real functions on moto, as deployed (SLA schedules, metrics and logs on): per case, every
    AWS call of every function, DynamoDB's billed units (bench/capacity.py's Ledger), the bytes each function
    logs and its CPU (moto's emulation excluded). Each case: a mention, a follow-up, the brand's answer in the
    thread; every fifth mention and every tenth answer redelivered; the stream handed to both consumers after
    each event (one invocation per record: the worst case of batching).

    Each delivery goes through the webhook and, by its Lambda `Invoke` (InvocationType Event), through the ingester
    (carebird_local.local.AsyncLambda queues the handover and runs the ingester on it once the webhook has answered,
    as EmbeddedStack connects them). The Invoke is the webhook's call; everything the ingester does (its calls, CPU,
    log lines, and each attempt an invocation) is the ingester's (an invocation run inside another, were the queue
    ever to run one there, would be taken out of the caller's CPU)."""
    import contextlib
    import io
    from datetime import timedelta
    from types import SimpleNamespace

    from carebird_local import local
    from carebird_local import simulate as sim
    from carebird_local.demo import BRAND
    from carebird_local.motopatch import key_level_transaction_rollback
    from moto import mock_aws
    from moto.core.botocore_stubber import BotocoreStubber

    from bench.capacity import Ledger
    from bench.costs import MIX
    from bench.traffic import FIRST_MESSAGES, START

    os.environ.update(AWS_DEFAULT_REGION="eu-west-3", TZ="UTC")
    time.tzset()
    key_level_transaction_rollback()
    ledger = Ledger.for_template(local.load_template())
    log_bytes: dict[str, int] = {}
    log_lines: dict[str, int] = {}
    invocations: dict[str, int] = {}
    cpu: dict[str, float] = {}
    emulated = [0.0]  # seconds inside moto's emulation since the probe began (never reset: frames take differences)
    real_stub = BotocoreStubber.__call__

    def timed_stub(self: object, *args: object, **kwargs: object) -> object:
        began = time.process_time()
        try:
            return real_stub(self, *args, **kwargs)
        finally:
            emulated[0] += time.process_time() - began

    class Captured(io.TextIOBase):
        """stdout for the whole probe: the functions' loggers keep the stream they were created with."""

        buffer_: io.StringIO = io.StringIO()

        def write(self, text: str) -> int:
            return self.buffer_.write(text)

    captured = Captured()
    frames: list[dict[str, float]] = []  # the invocations running: the webhook's, the ingester's inside its Invoke

    def run(function: str, call: object, *args: object) -> object:
        """One invocation of `function`: its CPU less moto's emulation and less the invocations nested in it (the
        ingester inside the webhook's Invoke), its log lines, its calls (ledger.running)."""
        outer_running, outer_buffer = ledger.running, captured.buffer_
        ledger.running, captured.buffer_ = function, io.StringIO()
        frame = {"nested_cpu": 0.0, "nested_emulated": 0.0, "emulated": emulated[0]}
        frames.append(frame)
        began = time.process_time()
        try:
            return call(*args)  # type: ignore[operator]
        finally:
            inclusive, emulation = time.process_time() - began, emulated[0] - frame["emulated"]
            frames.pop()
            own_emulation = emulation - frame["nested_emulated"]
            cpu[function] = cpu.get(function, 0.0) + inclusive - frame["nested_cpu"] - own_emulation
            if frames:  # nested: the caller's CPU leaves this one out
                frames[-1]["nested_cpu"] += inclusive
                frames[-1]["nested_emulated"] += emulation
            lines = captured.buffer_.getvalue().splitlines()
            log_bytes[function] = log_bytes.get(function, 0) + sum(len(line.encode()) + 1 for line in lines)
            log_lines[function] = log_lines.get(function, 0) + len(lines)
            invocations[function] = invocations.get(function, 0) + 1
            ledger.running, captured.buffer_ = outer_running, outer_buffer

    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}), contextlib.redirect_stdout(captured):
        import boto3

        boto3.client("scheduler").create_schedule_group(Name="bench-sla")
        stack = local.EmbeddedStack("bench-secret", BRAND.id, BRAND.handle, "bench-bill", settings={
            "X_DRY_RUN": "true", "SCHEDULE_GROUP": "bench-sla", "POWERTOOLS_METRICS_DISABLED": "false",
            "POWERTOOLS_LOG_LEVEL": "INFO", "SCHEDULER_ROLE_ARN": "arn:aws:iam::123456789012:role/bench-scheduler",
        })  # fmt: skip
        import logging

        for handler in [h for lg in logging.Logger.manager.loggerDict.values() for h in getattr(lg, "handlers", [])]:
            if isinstance(handler, logging.StreamHandler):  # loggers made by earlier sections keep their stream
                handler.setStream(captured)  # type: ignore[arg-type]
        for name, made in logging.Logger.manager.loggerDict.items():  # ... and their level (the storm's is ERROR):
            if isinstance(made, logging.Logger) and name.startswith("carebird"):  # the functions' loggers as deployed
                made.setLevel(logging.INFO)
        ingester = stack.ingester
        metered_ingester = SimpleNamespace(  # Lambda's queue invokes the ingester: each attempt metered as its own
            lambda_handler=lambda event, context: run("ingester", ingester.lambda_handler, event, context)
        )
        stack.lambda_queue.route(stack.webhook.settings.ingester_function, metered_ingester)  # type: ignore[arg-type]
        BotocoreStubber.__call__ = timed_stub  # type: ignore[method-assign]
        restore = ledger.install()
        try:

            def deliver(payload: dict) -> None:
                signed = local.signed_delivery(payload, stack.consumer_secret)
                handed = len(stack.lambda_queue.invocations)
                response = run("webhook", stack.webhook.lambda_handler, signed, stack.context)
                assert response["statusCode"] == 200, response  # type: ignore[index]
                stack.run_ingester()  # Lambda invokes the ingester on the queued handover
                (invocation,) = stack.lambda_queue.invocations[handed:]  # one handover per delivery, stored
                assert not invocation.failed, invocation.errors
                event = stack.stream.next_event()
                for record in event["Records"]:  # one record per invocation; the filters pass case items only
                    if record["dynamodb"]["Keys"]["sk"]["S"] != "CASE":
                        continue
                    one = {"Records": [record]}
                    if record["eventName"] == "INSERT":  # the acknowledger's filter: new cases only
                        run("acknowledger", stack.acknowledger.lambda_handler, one, stack.context)
                    run("dispatcher", stack.dispatcher.lambda_handler, one, stack.context)

            from carebird import clock
            from carebird.domain.model import Author

            for n in range(cases):
                customer = Author(f"17{n:017d}", f"bill{n}", "Client", 300)
                # the cost model's share of cases out of hours (acknowledged): 22:00 in Paris instead of 10:00
                out_of_hours = (n % 10) < 10 * MIX.out_of_hours_share
                at = START + timedelta(minutes=3 * n, hours=12 if out_of_hours else 0)
                clock.travel_to(at)  # the functions' "now" is the case's time, not the day the bench runs
                first = FIRST_MESSAGES[n % len(FIRST_MESSAGES)]  # everyday requests: no outage (bench/traffic.py)
                mention = sim.tweet(customer, f"@LumiereAide {first} #{n}", at, BRAND)
                follow = sim.tweet(customer, "@LumiereAide toujours rien", at + timedelta(minutes=1), BRAND)
                answer = sim.tweet(BRAND, f"@{customer.handle} on regarde", at + timedelta(minutes=2), BRAND,
                                   in_reply_to=(sim.post_id_of(follow), customer))  # fmt: skip
                deliver(mention)
                deliver(follow)
                if n % 5 == 0:
                    deliver(mention)
                deliver(answer)
                if n % 10 == 0:
                    deliver(answer)
        finally:
            restore()
            BotocoreStubber.__call__ = real_stub  # type: ignore[method-assign]
            from carebird import clock

            clock.reset()
        stored = _stored_bytes(stack.dynamodb, "bench-bill", ledger)
        # each handover's payload in bytes, as carebird.app.handoff writes it (json.dumps, ASCII)
        handovers = [len(json.dumps(invocation.payload)) for invocation in stack.lambda_queue.invocations]
    per_case = {
        "stored_bytes": stored / cases,
        "invocations": {f: v / cases for f, v in invocations.items()},
        "cpu_ms": {f: cpu[f] * 1000 / invocations[f] for f in invocations},
        "log_bytes": {f: v / cases for f, v in log_bytes.items()},
        "log_lines": {f: v / cases for f, v in log_lines.items()},
        "write_units": {f: v / cases for f, v in ledger.write_units.items()},
        "read_units": {f: v / cases for f, v in ledger.read_units.items()},
        "refused_writes": {f: v / cases for f, v in ledger.refused.items()},
        "calls": {f"{f} {s}:{op}": v / cases for (f, s, op), v in sorted(ledger.calls.items())},
        "handover_bytes": {"mean": statistics.mean(handovers), "largest": max(handovers)},
    }
    rows = [
        (f"a case's bill, measured ({cases} cases through the real functions on moto)",
         f"{sum(per_case['invocations'].values()):.1f} invocations, "
         f"{sum(per_case['write_units'].values()):.1f} WRU, {sum(per_case['read_units'].values()):.1f} RRU, "
         f"{sum(per_case['log_bytes'].values()) / 1024:.1f} KB of function logs, "
         f"{per_case['stored_bytes'] / 1024:.1f} KB stored per case; handovers to the ingester "
         f"{per_case['handover_bytes']['mean']:.0f} B on average, {per_case['handover_bytes']['largest']} B at most"),
    ]  # fmt: skip
    for function in sorted(invocations):
        calls = ", ".join(f"{k.split(' ', 1)[1]} {v:.2f}" for k, v in per_case["calls"].items()
                          if k.startswith(f"{function} "))  # fmt: skip
        rows.append((f"  {function} per case",
                     f"{per_case['invocations'][function]:.2f} invocations x {per_case['cpu_ms'][function]:.1f} ms "
                     f"CPU (in process, moto's emulation excluded); WRU {per_case['write_units'].get(function, 0):.1f}"
                     f", RRU {per_case['read_units'].get(function, 0):.1f}; logs {per_case['log_bytes'][function]:.0f}"
                     f" B ({per_case['log_lines'][function]:.1f} lines); calls: {calls or 'none'}"))  # fmt: skip
    return rows, per_case


LAMBDA_FULL_VCPU_MB = 1769  # Lambda gives a function one full vCPU at 1,769 MB, a share in proportion below


def kpi_probe(
    per_day: int = 50_000, days: int = 31, waiting: int = 500, runs: int = 5, agents: int = 20
) -> tuple[list, dict]:
    """The inbox's KPI page for `days` days at `per_day` cases a day (`kpi_counting.kpi_page`, `inbox.kpi_view`
    and the X usage of those days, as the route runs them), and the KPI report alone (`kpi_counting.kpi_report`,
    what the digest runs): their time (moto's emulation excluded), scaled to the deployed memory size's CPU
    share, and what DynamoDB reads for them.

    The counters are written as the dispatcher leaves them for such a month: every hour's cases spread over 5
    channels, 8 topics and first responses over 0-599 minutes in widened buckets; every day's first responses
    spread over `agents` agents, each with its row of opening- and clock-minute buckets; `waiting` cases wait in
    the queue."""
    import random
    from datetime import UTC, datetime, timedelta

    from carebird_local import local
    from carebird_local.demo import BRAND
    from carebird_local.motopatch import key_level_transaction_rollback
    from moto import mock_aws
    from moto.core.botocore_stubber import BotocoreStubber

    from bench.capacity import item_size
    from carebird import clock
    from carebird.app.ingest import IngestSettings, apply_event
    from carebird.aws.schema import KPI_AGENT_ROW, KPI_COUNTER_PREFIX, kpi_agent_key, kpi_hour_key, to_dynamo
    from carebird.domain.kpi import agent_bucket, first_response_bucket
    from carebird.domain.model import Author, Channel, Message

    os.environ.update(AWS_DEFAULT_REGION="eu-west-3", TZ="UTC", POWERTOOLS_LOG_LEVEL="ERROR")
    time.tzset()
    key_level_transaction_rollback()
    random.seed(3)
    until = datetime(2025, 12, 26, 12, 0, tzinfo=UTC)
    memory = int(local.load_template()["Globals"]["Function"]["MemorySize"])
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        stack = local.EmbeddedStack("bench-secret", BRAND.id, BRAND.handle, "bench-kpi",
                                    settings={"OPENING_HOURS": "mon-sun 00:00-24:00"})  # fmt: skip
        per_hour = per_day // 24
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.dynamodb.models import dynamodb_backends

        backend = dynamodb_backends[DEFAULT_ACCOUNT_ID]["eu-west-3"]
        channels, topics = ("mention", "dm", "reply", "quote", "citation"), [f"topic{n}" for n in range(8)]
        for hour in range(days * 24 + 1):
            start = until - timedelta(hours=hour)
            counters = {"cases": per_hour, "answered": per_hour * 9 // 10, "escalated": per_hour // 20}
            counters |= {"breached": per_hour // 10, "acknowledged": per_hour // 50, "noise": per_hour // 10}
            counters |= {f"channel:{c}": per_hour // len(channels) for c in channels}
            counters |= {f"topic:{t}": per_hour // len(topics) for t in topics}
            for _ in range(counters["answered"]):
                bucket = f"frt:{first_response_bucket(min(random.expovariate(1 / 60), 599))}"  # as the dispatcher
                counters[bucket] = counters.get(bucket, 0) + 1
            item = kpi_hour_key(start.strftime("%Y-%m-%dT%H")) | {
                f"{KPI_COUNTER_PREFIX}{name}": value for name, value in counters.items()
            }
            backend.put_item("bench-kpi", to_dynamo(item))  # setup, not measured: past moto's HTTP emulation
        agent_days: list[dict[str, int]] = []  # an agent's day of first responses, in buckets (drawn once per
        team_day: dict[str, int] = {}  # agent, every day alike), and the team's in clock minutes
        for _ in range(agents):
            buckets: dict[str, int] = {}
            for _ in range(per_day * 9 // 10 // agents):
                opening, clock_minutes = min(random.expovariate(1 / 60), 599), min(random.expovariate(1 / 90), 2999)
                for name in (f"o{agent_bucket(opening)}", f"c{agent_bucket(clock_minutes)}"):
                    buckets[name] = buckets.get(name, 0) + 1
                fine = f"c{first_response_bucket(clock_minutes)}"
                team_day[fine] = team_day.get(fine, 0) + 1
            agent_days.append(buckets)
        for day in range(days + 1):  # every agent's row of a local day (UTC here), and the team's
            local_day = (until - timedelta(days=day)).date().isoformat()
            named = [(f"agent{n}@brand.example", buckets) for n, buckets in enumerate(agent_days)]
            for agent, buckets in [("", team_day), *named]:  # "": the team's row
                item = kpi_agent_key(local_day, agent) | {
                    f"{KPI_COUNTER_PREFIX}{name}": value for name, value in buckets.items()
                }
                backend.put_item("bench-kpi", to_dynamo(item))
        settings = IngestSettings()
        for n in range(waiting):
            author = Author(f"17{n:017d}", f"client{n}", f"Client {n}", followers=n % 5000)
            at = until - timedelta(minutes=n)
            message = Message(id=f"19{n:017d}", channel=Channel.MENTION, author=author,
                              text=f"@{BRAND.handle} ma box ne marche plus", created_at=at)  # fmt: skip
            apply_event(stack.store, message, settings)
        clock.travel_to(until)
        from carebird import settings as configuration
        from carebird.app.inbox import kpi_view
        from carebird.app.inboxweb.insights import local_midnight
        from carebird.app.kpi_counting import kpi_page, kpi_report
        from carebird.aws.case_store import KpiCounters
        from carebird.aws.usage import DynamoUsage

        policy = configuration.sla_policy()
        emulated, read = [0.0], [0]
        real_call = BotocoreStubber.__call__

        def timed_emulation(self: object, *args: object, **kwargs: object) -> object:
            began = time.process_time()
            try:
                return real_call(self, *args, **kwargs)
            finally:
                emulated[0] += time.process_time() - began

        BotocoreStubber.__call__ = timed_emulation  # type: ignore[method-assign]
        samples, page_samples = [], []
        since = local_midnight(until, policy.hours.zone, days - 1)  # the page's window: whole local days
        try:
            for _ in range(runs + 1):
                emulated[0] = 0.0
                began = time.process_time()
                report, _ = kpi_report(
                    KpiCounters(stack.store), stack.store, policy, until - timedelta(days=days), until
                )
                samples.append(time.process_time() - began - emulated[0])
                emulated[0] = 0.0
                began = time.process_time()
                page_report, by_day, first = kpi_page(KpiCounters(stack.store), stack.store, policy, since, until)
                view = kpi_view(page_report, by_day, first, policy, days)
                DynamoUsage("bench-kpi", stack.store.client).days(until.date(), days)  # the page's X spend
                page_samples.append(time.process_time() - began - emulated[0])
        finally:
            BotocoreStubber.__call__ = real_call  # type: ignore[method-assign]
        rows_read = [
            item
            for page in stack.dynamodb.get_paginator("query").paginate(
                TableName="bench-kpi", KeyConditionExpression="pk = :k", ExpressionAttributeValues={":k": {"S": "KPI"}}
            )
            for item in page["Items"]
        ]
        read[0] = sum(item_size(i) for i in rows_read)
        clock.reset()
    share = max(1.0, LAMBDA_FULL_VCPU_MB / memory)
    cpu_ms, page_cpu_ms = statistics.median(samples[1:]) * 1000, statistics.median(page_samples[1:]) * 1000
    assert report.cases > 0 and view["cases"] > 0 and len(view["per_agent"]) == agents, view["per_agent"]
    assert view["median_first_response_calendar_minutes"] is not None, view
    agent_rows = [i for i in rows_read if i["sk"]["S"].startswith(KPI_AGENT_ROW)]  # a day more than the page's
    hour_rows = [i for i in rows_read if not i["sk"]["S"].startswith(KPI_AGENT_ROW)]
    hour_kb, agent_kb = (sum(item_size(i) for i in part) / 1024 for part in (hour_rows, agent_rows))
    rows = [
        (f"KPI page for {days} days at {per_day:,} cases/day ({view['cases']:,} cases, {agents} agents)",
         f"{page_cpu_ms:.0f} ms CPU here = {page_cpu_ms * share:.0f} ms at {memory} MB (x{share:.2f}: Lambda's CPU "
         f"share); reads {len(hour_rows)} hourly rows ({hour_kb:.0f} KB) + {days * (agents + 1)} day rows of "
         f"first responses, the agents' and the team's (about {agent_kb / len(agent_rows) * days * (agents + 1):.0f}"
         f" KB) + {waiting} waiting cases + {days} days of X usage (goal <= 2 s)"),
        (f"KPI report for {days} days (the digest's, hourly rows only)",
         f"{cpu_ms:.0f} ms CPU here = {cpu_ms * share:.0f} ms at {memory} MB"),
    ]  # fmt: skip
    return rows, {"kpi_month_ms_50k_per_day": round(page_cpu_ms * share, 1),
                  "kpi_month_cpu_ms_here": round(page_cpu_ms, 1),
                  "kpi_month_rows_read": len(hour_rows) + days * (agents + 1), "kpi_month_bytes_read": read[0],
                  "kpi_report_month_ms_50k_per_day": round(cpu_ms * share, 1)}  # fmt: skip
