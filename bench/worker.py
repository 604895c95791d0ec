"""The webhook in a fresh interpreter: its cold start, and its CPU per kind of event once warm.

Run by bench/probes.py with the function's environment set. Prints one JSON line.

- default: against AWS on loopback (AWS_ENDPOINT_URL: moto behind bench/loopback.py's keep-alive server, in the
  parent process): the CPU of the import and of the first event (secret, clients, writes), and of the
  reference `import boto3` + one DynamoDB client is measured by the parent in the same kind of interpreter.
- `--warm N`: then N rounds of traffic against the same loopback AWS: the handler's CPU per kind of event,
  botocore's HTTP transport included (moto runs in the parent, so its work is not counted here).
- `--record N FILE`, then `--replay N FILE` (AWS's side excluded, as issue 16 measured the handler): the same
  traffic runs once on moto's in-process emulation, which records AWS's answer to every request; a fresh
  interpreter then runs it again with each request answered from the recording (botocore's `before-send`), so
  the timed run executes carebird, powertools and botocore (serialise, sign, parse) and nothing else: no
  emulation, no socket. Requests must come in the recorded order, or the replay stops.
Every warm mode reports calls and write units per kind (bench/capacity.py) and the metric series written.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.traffic import first_mention, rounds_of_traffic  # noqa: E402  (after the path: run as a script)


def load_webhook() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("webhook_app", ROOT / "functions" / "webhook" / "app.py")
    assert spec and spec.loader
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)
    return app


def sender(app: Any, emf: list[str]) -> Callable[[dict], None]:
    """Delivers a signed HTTP event to the handler, keeps its EMF lines."""
    from carebird_local import local

    context = local.LambdaContext(function_name="carebird-webhook")

    def send(event: dict) -> None:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            response = app.lambda_handler(event, context)
        emf.extend(line for line in out.getvalue().splitlines() if '"_aws"' in line)
        assert response["statusCode"] == 200, response

    return send


def measure_warm(app: Any, send: Callable[[Any], None], rounds: int, run: str, secret: str) -> dict[str, Any]:
    """The handler's CPU, calls and write units per kind of event, and the CPU of one botocore GetItem."""
    from bench.capacity import Meter

    meter = Meter().attach(app.store.client)
    cpu: dict[str, list[float]] = defaultdict(list)
    sdk: dict[str, list[float]] = defaultdict(list)
    calls: dict[str, dict[str, int]] = {}
    units: dict[str, int] = {}
    in_botocore = [0.0]
    make_api_call = app.store.client._make_api_call

    def timed_call(*args: Any, **kwargs: Any) -> Any:  # botocore's share: serialise, sign, send, parse
        started = time.process_time()
        try:
            return make_api_call(*args, **kwargs)
        finally:
            in_botocore[0] += time.process_time() - started

    app.store.client._make_api_call = timed_call
    from carebird_local import local

    for kind, payload in rounds_of_traffic(run, rounds):
        signed = local.signed_delivery(payload, secret)  # X's work: JSON and signature, not timed
        meter.reset()
        in_botocore[0] = 0.0
        before = time.process_time()
        send(signed)
        cpu[kind].append(time.process_time() - before)
        sdk[kind].append(in_botocore[0])
        calls[kind], units[kind] = meter.snapshot()
    app.store.client._make_api_call = make_api_call
    per_kind = {
        kind: {"cpu_ms": statistics.median(samples) * 1000, "botocore_ms": statistics.median(sdk[kind]) * 1000,
               "calls": calls[kind], "write_units": units[kind]}
        for kind, samples in cpu.items()
    }  # fmt: skip
    client, key = app.store.client, {"pk": {"S": "bench#none"}, "sk": {"S": "none"}}
    client.get_item(TableName=app.store.table, Key=key)
    before = time.process_time()
    for _ in range(100):
        client.get_item(TableName=app.store.table, Key=key)
    sdk_call_ms = (time.process_time() - before) * 10  # one botocore call: the floor
    return {"per_kind": per_kind, "sdk_call_cpu_ms": sdk_call_ms}


def metric_series(emf: list[str]) -> list[str]:
    series = set()
    for line in emf:
        document = json.loads(line)
        for directive in document["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                dims = tuple(sorted((d, document.get(d)) for group in directive["Dimensions"] for d in group))
                series.add((directive["Namespace"], metric["Name"], dims))
    return sorted(f"{ns}/{name}{list(dims) or ''}" for ns, name, dims in series)


def record(secret: str, rounds: int, path: str) -> None:
    """Run the warm traffic on moto's in-process emulation and keep AWS's answer to every request, in order."""
    os.environ.pop("AWS_ENDPOINT_URL", None)
    import base64

    from carebird_local.motopatch import key_level_transaction_rollback
    from moto import mock_aws
    from moto.core.botocore_stubber import BotocoreStubber

    answers: list[dict[str, Any]] = []
    process_request = BotocoreStubber.process_request

    def recorded(self: Any, request: Any) -> Any:
        response = process_request(self, request)
        status, headers, body = response
        raw = body if isinstance(body, bytes) else str(body).encode("utf-8")
        target = dict(request.headers).get("X-Amz-Target", b"")
        answers.append({"target": target.decode() if isinstance(target, bytes) else str(target), "status": status,
                        "headers": {k: str(v) for k, v in dict(headers).items()},
                        "body": base64.b64encode(raw).decode()})  # fmt: skip
        return response

    BotocoreStubber.process_request = recorded  # type: ignore[method-assign]
    key_level_transaction_rollback()  # moto's whole-table copy per transaction would take minutes
    with mock_aws():
        import boto3
        from carebird_local import local

        local.create_cases_table(boto3.client("dynamodb"), os.environ["CASES_TABLE"])
        os.environ["X_SECRET_ARN"] = local.create_x_secret(boto3.client("secretsmanager"), "probe-x", secret)
        answers.clear()
        app = load_webhook()
        send = sender(app, [])
        for payload in (first_mention("0"), *(payload for _, payload in rounds_of_traffic("0", rounds))):
            send(local.signed_delivery(payload, secret))
    Path(path).write_text(json.dumps(answers))


def replay(secret: str, rounds: int, path: str) -> dict[str, Any]:
    """The same traffic, each request answered from the recording: nothing but carebird, powertools and botocore
    (serialise, sign, parse) runs, and no socket. A request that differs from the recorded one stops the run."""
    import base64

    from botocore.awsrequest import AWSResponse
    from carebird_local import local

    answers = iter(json.loads(Path(path).read_text()))
    empty_item = {"target": "DynamoDB_20120810.GetItem", "status": 200, "body": base64.b64encode(b"{}").decode(),
                  "headers": {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "floor"}}  # fmt: skip

    class Recorded:
        def __init__(self, body: bytes) -> None:
            self.body = body

        def stream(self, **_: Any) -> Iterator[bytes]:
            yield self.body

        def read(self, *_: Any) -> bytes:
            body, self.body = self.body, b""
            return body

    def answer(request: Any, **_: Any) -> AWSResponse:
        recorded = next(answers, empty_item)  # after the traffic: the GetItem floor, answered "no such item"
        target = request.headers.get("X-Amz-Target", b"")
        target = target.decode() if isinstance(target, bytes) else str(target)
        if target != recorded["target"]:
            raise AssertionError(f"replay diverged: {target} where {recorded['target']} was recorded")
        body = base64.b64decode(recorded["body"])
        return AWSResponse(request.url, recorded["status"], recorded["headers"], Recorded(body))  # type: ignore[arg-type]

    from botocore.handlers import BUILTIN_HANDLERS

    BUILTIN_HANDLERS.append(("before-send", answer))  # every session the function makes, as moto does
    app = load_webhook()
    emf: list[str] = []
    send = sender(app, emf)
    send(local.signed_delivery(first_mention("0"), secret))
    report = measure_warm(app, send, rounds, "0", secret)
    report["metric_series"] = metric_series(emf)
    return report


class ColdContext:
    """The Lambda context of the first invocation, with nothing imported to build it."""

    function_name = "carebird-webhook"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-3:123456789012:function:carebird-webhook"
    aws_request_id = "00000000-0000-4000-8000-000000000001"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 10_000


def main() -> None:
    secret = sys.argv[1]
    if "--record" in sys.argv:
        at = sys.argv.index("--record")
        record(secret, int(sys.argv[at + 1]), sys.argv[at + 2])
        return
    if "--replay" in sys.argv:
        at = sys.argv.index("--replay")
        print(json.dumps(replay(secret, int(sys.argv[at + 1]), sys.argv[at + 2])))
        return
    first_delivery = json.loads(os.environ["PROBE_FIRST_DELIVERY"])  # signed by the parent: no helper imported here
    started = time.process_time()
    app = load_webhook()
    imported = time.process_time()
    with contextlib.redirect_stdout(io.StringIO()):
        response = app.lambda_handler(first_delivery, ColdContext())
    first_event = time.process_time()
    assert response["statusCode"] == 200 and '"created"' in response["body"], response
    report: dict[str, Any] = {"import_cpu_s": imported - started, "first_event_cpu_s": first_event - started}
    emf: list[str] = []
    send = sender(app, emf)
    run = str(time.time_ns())[-9:]
    if "--warm" in sys.argv:
        rounds = int(sys.argv[sys.argv.index("--warm") + 1])
        report |= measure_warm(app, send, rounds, run, secret)
        report["metric_series"] = metric_series(emf)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
