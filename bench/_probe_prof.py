"""One cold start of the webhook, in a fresh interpreter, against AWS on loopback (moto's server).

Run by bench/run.py with AWS_ENDPOINT_URL and the function's environment set. Prints one JSON line:
the CPU of the import and the first event (secret, clients, writes) and, with --warm, per kind of event
the handler's CPU (this process only: moto's server runs in the parent), DynamoDB calls and write units,
and the metric series its EMF lines would create.
"""

from __future__ import annotations

import contextlib
import io
import json
import statistics
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    started = time.process_time()
    import importlib.util

    spec = importlib.util.spec_from_file_location("webhook_app", ROOT / "functions" / "webhook" / "app.py")
    assert spec and spec.loader
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)
    imported = time.process_time()

    from carebird_local import local
    from carebird_local import simulate as sim

    from carebird.model import Author

    secret = sys.argv[1]
    brand = Author("1500000000000000001", "LumiereAide", "Lumière")
    context = local.LambdaContext(function_name="carebird-webhook")
    run = str(time.time_ns())[-9:]
    start = datetime(2025, 11, 25, 9, 0, tzinfo=UTC)
    emf: list[str] = []

    def send(payload: dict) -> dict:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            response = app.lambda_handler(local.signed_delivery(payload, secret), context)
        emf.extend(line for line in out.getvalue().splitlines() if '"_aws"' in line)
        assert response["statusCode"] == 200, response
        return response

    first_author = Author(f"17{run}000", f"first{run}", "First", 120)
    send(sim.tweet(first_author, "@LumiereAide ma box ne marche plus", start, brand))
    first_event = time.process_time()
    report: dict = {"import_cpu_s": imported - started, "first_event_cpu_s": first_event - started}

    if "--warm" in sys.argv:
        from bench.capacity import Meter

        meter = Meter()
        if "--meter" in sys.argv: meter.attach(app.store.client)
        sdk = [0.0]
        client = app.store.client
        original = client._make_api_call
        def timed(*a, **k):
            t = time.process_time()
            try:
                return original(*a, **k)
            finally:
                sdk[0] += time.process_time() - t
        client._make_api_call = timed
        sdk_by_kind = defaultdict(list)
        cpu: dict[str, list[float]] = defaultdict(list)
        calls: dict[str, dict[str, int]] = {}
        units: dict[str, int] = {}

        def measure(kind: str, payload: dict) -> None:
            meter.reset()
            sdk[0] = 0.0
            before = time.process_time()
            send(payload)
            cpu[kind].append(time.process_time() - before)
            sdk_by_kind[kind].append(sdk[0])
            calls[kind], units[kind] = meter.snapshot()

        for n in range(int(sys.argv[sys.argv.index("--warm") + 1])):
            customer = Author(f"18{run}{n:05d}", f"c{run}{n}", "Client", 300)
            at = start + timedelta(minutes=n)
            mention = sim.tweet(customer, f"@LumiereAide ma box ne marche plus depuis ce matin #{n}", at, brand)
            follow = sim.tweet(customer, "@LumiereAide toujours rien, aidez-moi", at + timedelta(minutes=1), brand)
            answer = sim.tweet(
                brand, f"@{customer.handle} on regarde ça tout de suite", at + timedelta(minutes=2), brand,
                in_reply_to=(sim.post_id_of(follow), customer),
            )  # fmt: skip
            measure("new_case", mention)
            measure("follow_up", follow)
            measure("duplicate", mention)
            measure("brand_reply", answer)
            measure("brand_reply_duplicate", answer)
            dm_customer = Author(f"19{run}{n:05d}", f"d{run}{n}", "DM", 40)
            measure("new_dm_case", sim.dm(dm_customer, brand, "Bonjour, facture ?", at, brand))
        report["per_kind"] = {
            kind: {
                "cpu_ms": statistics.median(samples) * 1000,
                "calls": calls[kind],
                "write_units": units[kind], "sdk_ms": statistics.median(sdk_by_kind[kind]) * 1000,
            }
            for kind, samples in cpu.items()
        }
        key = {"pk": {"S": "bench#none"}, "sk": {"S": "none"}}
        client = app.store.client
        client.get_item(TableName=app.store.table, Key=key)
        before = time.process_time()
        for _ in range(100):
            client.get_item(TableName=app.store.table, Key=key)
        report["sdk_call_cpu_ms"] = (time.process_time() - before) * 10  # one botocore call: the floor
        series = set()
        for line in emf:
            document = json.loads(line)
            for directive in document["_aws"]["CloudWatchMetrics"]:
                for metric in directive["Metrics"]:
                    dims = tuple(sorted((d, document.get(d)) for group in directive["Dimensions"] for d in group))
                    series.add((directive["Namespace"], metric["Name"], dims))
        report["metric_series"] = sorted(f"{ns}/{name}{list(dims) or ''}" for ns, name, dims in series)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
