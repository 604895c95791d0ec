"""The webhook or the ingester in a fresh interpreter: its cold start, and its CPU per kind of event once warm.

Run by bench/probes.py with the function's environment set: `worker.py webhook|ingester SECRET [mode]`. Prints
one JSON line.

- the webhook verifies a signed HTTP event and hands it over: one Lambda `Invoke` (InvocationType Event) per
  delivery; the ingester is fed the webhook's handovers (carebird.app.handoff.handoff_payload of the same bytes X
  signed, as Lambda passes them: the decoded JSON object) and stores them in DynamoDB.
- default: against AWS on loopback (AWS_ENDPOINT_URL: moto behind bench/loopback.py's keep-alive server, in the
  parent process): the CPU of the import and of the first event (webhook: secret, Lambda client, the Invoke;
  ingester: DynamoDB client, the writes); the reference `import boto3` + one DynamoDB client is measured by the
  parent in the same kind of interpreter.
- `--warm N`: then N rounds of traffic against the same loopback AWS: the handler's CPU per kind of event,
  botocore's HTTP transport included (moto runs in the parent, so its work is not counted here).
- `--record N FILE`, then `--replay N FILE` (AWS's side excluded, as issue 16 measured the handler): the same
  traffic runs once on moto's in-process emulation, which records AWS's answer to every request; a fresh
  interpreter then runs it again with each request answered from the recording (botocore's `before-send`), so
  the timed run executes carebird, powertools and botocore (serialise, sign, parse) and nothing else: no
  emulation, no socket. Requests must come in the recorded order, or the replay stops.
Every warm mode reports, per kind, the function's AWS calls (counted at its client's `_make_api_call`), the
DynamoDB write units (bench/capacity.py), the handover's size, and the metric series written; and the floors: one
warm DynamoDB GetItem and one warm Lambda Invoke (a typical handover) by themselves, on the same transport.
Not timed, in every mode: X's work (JSON and signature of the HTTP event), the webhook's and Lambda's (the handover
given to the ingester as the decoded JSON object Lambda's runtime passes it).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.traffic import first_mention, rounds_of_traffic  # noqa: E402  (after the path: run as a script)

FUNCTIONS = ("webhook", "ingester")
FLOOR_CALLS = 100


def load_function(name: str) -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"{name}_app", ROOT / "functions" / name / "app.py")
    assert spec and spec.loader
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)
    return app


def body_of(payload: dict) -> bytes:
    """The bytes X signs and sends for a payload (as carebird_local.local.signed_delivery encodes it)."""
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def handover(payload: dict) -> dict[str, Any]:
    """What the ingester receives for a delivery: the webhook's handover, as Lambda's runtime decodes it."""
    from carebird.app.handoff import handoff_payload

    return json.loads(handoff_payload(body_of(payload), datetime.now(UTC)))


def event_for(function: str, payload: dict, secret: str) -> dict[str, Any]:
    from carebird_local import local

    return local.signed_delivery(payload, secret) if function == "webhook" else handover(payload)


def sender(function: str, app: Any, emf: list[str]) -> Callable[[dict], None]:
    """Delivers an event to the handler, checks its answer, keeps its EMF lines."""
    from carebird_local import local

    context = local.LambdaContext(function_name=f"carebird-{function}")

    def send(event: dict) -> None:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            response = app.lambda_handler(event, context)
        emf.extend(line for line in out.getvalue().splitlines() if '"_aws"' in line)
        if function == "webhook":
            assert response["statusCode"] == 200 and '"accepted"' in response["body"], response
        else:
            assert response["outcomes"] and "quarantined" not in response["outcomes"], response  # stored, each

    return send


def function_client(function: str, app: Any) -> Any:
    """The client whose calls are the function's AWS calls per delivery."""
    return app.handoff.client() if function == "webhook" else app.store.client


def measure_warm(function: str, app: Any, send: Callable[[Any], None], rounds: int, run: str, secret: str) -> dict:
    """The handler's CPU, calls and write units per kind of event, and the CPU of one warm GetItem and Invoke."""
    from bench.capacity import Meter
    from carebird.app.handoff import handoff_payload
    from carebird.aws import sdk

    client = function_client(function, app)
    meter = Meter().attach(client)  # DynamoDB's write units (the webhook's Lambda client has none)
    cpu: dict[str, list[float]] = defaultdict(list)
    sdk_cpu: dict[str, list[float]] = defaultdict(list)
    calls: dict[str, dict[str, int]] = {}
    units: dict[str, int] = {}
    sizes: dict[str, int] = {}
    in_botocore, made = [0.0], Counter[str]()
    make_api_call = client._make_api_call

    def timed_call(operation: str, params: Any) -> Any:  # botocore's share: serialise, sign, send, parse
        made[operation] += 1
        started = time.process_time()
        try:
            return make_api_call(operation, params)
        finally:
            in_botocore[0] += time.process_time() - started

    client._make_api_call = timed_call
    for kind, payload in rounds_of_traffic(run, rounds):
        event = event_for(function, payload, secret)  # X's work, or the webhook's and Lambda's: not timed
        meter.reset()
        made.clear()
        in_botocore[0] = 0.0
        before = time.process_time()
        send(event)
        cpu[kind].append(time.process_time() - before)
        sdk_cpu[kind].append(in_botocore[0])
        _, units[kind] = meter.snapshot()
        calls[kind] = dict(made)
        sizes[kind] = len(handoff_payload(body_of(payload), datetime.now(UTC)))
    client._make_api_call = make_api_call
    per_kind = {
        kind: {"cpu_ms": statistics.median(samples) * 1000, "botocore_ms": statistics.median(sdk_cpu[kind]) * 1000,
               "calls": calls[kind], "write_units": units[kind], "handover_bytes": sizes[kind]}
        for kind, samples in cpu.items()
    }  # fmt: skip
    dynamodb = app.store.client if function == "ingester" else sdk.client("dynamodb")
    key = {"pk": {"S": "bench#none"}, "sk": {"S": "none"}}
    get_item_ms = _floor(lambda: dynamodb.get_item(TableName=os.environ["CASES_TABLE"], Key=key))
    report: dict[str, Any] = {"per_kind": per_kind, "sdk_call_cpu_ms": get_item_ms}
    if function == "webhook":  # one Invoke by itself: the handover of a typical new case, nothing of carebird's
        typical = handoff_payload(body_of(first_mention(run)), datetime.now(UTC))
        target = app.settings.ingester_function
        report["invoke_cpu_ms"] = _floor(lambda: client.invoke(FunctionName=target, InvocationType="Event",
                                                               Payload=typical))  # fmt: skip
        report["invoke_payload_bytes"] = len(typical)
    return report


def _floor(call: Callable[[], Any]) -> float:
    """Milliseconds of CPU of one warm call (the mean of FLOOR_CALLS after a first one)."""
    call()
    before = time.process_time()
    for _ in range(FLOOR_CALLS):
        call()
    return (time.process_time() - before) * 1000 / FLOOR_CALLS


def metric_series(emf: list[str]) -> list[str]:
    series = set()
    for line in emf:
        document = json.loads(line)
        for directive in document["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                dims = tuple(sorted((d, document.get(d)) for group in directive["Dimensions"] for d in group))
                series.add((directive["Namespace"], metric["Name"], dims))
    return sorted(f"{ns}/{name}{list(dims) or ''}" for ns, name, dims in series)


def request_identity(request: Any) -> str:
    """What a request asks: its X-Amz-Target (DynamoDB, Secrets Manager), else its method and path (Lambda)."""
    from urllib.parse import urlsplit

    target = dict(request.headers).get("X-Amz-Target", b"")
    target = target.decode() if isinstance(target, bytes) else str(target)
    return target or f"{request.method} {urlsplit(request.url).path}"


def record(function: str, secret: str, rounds: int, path: str) -> None:
    """Run the warm traffic on moto's in-process emulation and keep AWS's answer to every request, in order."""
    os.environ.pop("AWS_ENDPOINT_URL", None)
    import base64

    from carebird_local.motopatch import key_level_transaction_rollback
    from moto import mock_aws
    from moto.core.botocore_stubber import BotocoreStubber

    from bench.loopback import EVENT_ANSWERS, create_target_function

    answers: list[dict[str, Any]] = []
    process_request = BotocoreStubber.process_request

    def recorded(self: Any, request: Any) -> Any:
        response = process_request(self, request)
        status, headers, body = response
        raw = body if isinstance(body, bytes) else str(body).encode("utf-8")
        answers.append({"target": request_identity(request), "status": status,
                        "headers": {k: str(v) for k, v in dict(headers).items()},
                        "body": base64.b64encode(raw).decode()})  # fmt: skip
        return response

    BotocoreStubber.process_request = recorded  # type: ignore[method-assign]
    key_level_transaction_rollback()  # moto's whole-table copy per transaction would take minutes
    with mock_aws(config={"lambda": {"use_docker": False}}):  # Lambda's Invoke answered by moto, no container
        import boto3
        from carebird_local import local

        local.create_cases_table(boto3.client("dynamodb"), os.environ["CASES_TABLE"])
        os.environ["X_SECRET_ARN"] = local.create_x_secret(boto3.client("secretsmanager"), "probe-x", secret)
        create_target_function(boto3.client("iam"), boto3.client("lambda"), os.environ["INGESTER_FUNCTION"])
        from moto.awslambda_simple.models import lambda_simple_backends
        from moto.core import DEFAULT_ACCOUNT_ID

        backend = lambda_simple_backends[DEFAULT_ACCOUNT_ID][os.environ["AWS_DEFAULT_REGION"]]
        backend.lambda_simple_results_queue.extend([""] * EVENT_ANSWERS)  # 202 with no body, as Lambda answers
        answers.clear()
        app = load_function(function)
        send = sender(function, app, [])
        for payload in (first_mention("0"), *(payload for _, payload in rounds_of_traffic("0", rounds))):
            send(event_for(function, payload, secret))
    Path(path).write_text(json.dumps(answers))


def replay(function: str, secret: str, rounds: int, path: str) -> dict[str, Any]:
    """The same traffic, each request answered from the recording: nothing but carebird, powertools and botocore
    (serialise, sign, parse) runs, and no socket. A request that differs from the recorded one stops the run.
    After the traffic, the floors' calls are answered as AWS answers them: GetItem "no such item", Invoke 202."""
    import base64

    from botocore.awsrequest import AWSResponse

    answers = iter(json.loads(Path(path).read_text()))
    after_traffic = {
        "DynamoDB_20120810.GetItem": (200, b"{}", {"Content-Type": "application/x-amz-json-1.0"}),
        "invoke": (202, b"", {"Content-Type": "application/json"}),
    }

    class Recorded:
        def __init__(self, body: bytes) -> None:
            self.body = body

        def stream(self, **_: Any) -> Iterator[bytes]:
            yield self.body

        def read(self, *_: Any) -> bytes:
            body, self.body = self.body, b""
            return body

    def answer(request: Any, **_: Any) -> AWSResponse:
        target = request_identity(request)
        recorded = next(answers, None)
        if recorded is None:  # the floors
            kind = "invoke" if target.endswith("/invocations") else target
            status, body, headers = after_traffic[kind]
            headers = headers | {"x-amzn-RequestId": "floor"}
        else:
            if target != recorded["target"]:
                raise AssertionError(f"replay diverged: {target} where {recorded['target']} was recorded")
            status, body, headers = recorded["status"], base64.b64decode(recorded["body"]), recorded["headers"]
        return AWSResponse(request.url, status, headers, Recorded(body))  # type: ignore[arg-type]

    from botocore.handlers import BUILTIN_HANDLERS

    BUILTIN_HANDLERS.append(("before-send", answer))  # every session the function makes, as moto does
    app = load_function(function)
    emf: list[str] = []
    send = sender(function, app, emf)
    send(event_for(function, first_mention("0"), secret))
    report = measure_warm(function, app, send, rounds, "0", secret)
    report["metric_series"] = metric_series(emf)
    return report


class ColdContext:
    """The Lambda context of the first invocation, with nothing imported to build it."""

    memory_limit_in_mb = 512
    aws_request_id = "00000000-0000-4000-8000-000000000001"

    def __init__(self, function: str) -> None:
        self.function_name = f"carebird-{function}"
        self.invoked_function_arn = f"arn:aws:lambda:eu-west-3:123456789012:function:{self.function_name}"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 10_000


def cold(function: str, secret: str, argv: list[str]) -> dict[str, Any]:
    """The import and the first event (given by the parent: nothing imported here to build it), then --warm."""
    first_event = json.loads(os.environ["PROBE_FIRST_EVENT"])
    started = time.process_time()
    app = load_function(function)
    imported = time.process_time()
    with contextlib.redirect_stdout(io.StringIO()):
        response = app.lambda_handler(first_event, ColdContext(function))
    first = time.process_time()
    if function == "webhook":
        assert response["statusCode"] == 200 and '"accepted"' in response["body"], response
    else:
        assert response["outcomes"].get("created") == 1, response
    report: dict[str, Any] = {"import_cpu_s": imported - started, "first_event_cpu_s": first - started}
    if "--warm" in argv:
        emf: list[str] = []
        rounds = int(argv[argv.index("--warm") + 1])
        report |= measure_warm(function, app, sender(function, app, emf), rounds, str(time.time_ns())[-9:], secret)
        report["metric_series"] = metric_series(emf)
    return report


def main(argv: list[str]) -> None:
    function, secret = argv[0], argv[1]
    assert function in FUNCTIONS, function
    if "--record" in argv:
        at = argv.index("--record")
        record(function, secret, int(argv[at + 1]), argv[at + 2])
    elif "--replay" in argv:
        at = argv.index("--replay")
        print(json.dumps(replay(function, secret, int(argv[at + 1]), argv[at + 2])))
    else:
        print(json.dumps(cold(function, secret, argv)))


if __name__ == "__main__":
    main(sys.argv[1:])
