"""The bench's bill and storm follow a delivery where the code sends it: through the webhook's Lambda Invoke to the
ingester (bench/probes.py `case_lifecycle`, bench/storm.py). Each runs in a fresh interpreter, as `make bench`
runs them (they patch botocore, moto and the loggers for the whole process)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _bench(code: str) -> dict:
    script = f"import json, sys; sys.path.insert(0, {str(ROOT)!r})\n{code}\nprint(json.dumps(found))"
    env = {**os.environ, "AWS_DEFAULT_REGION": "eu-west-3", "POWERTOOLS_LOG_LEVEL": "ERROR"}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=True, timeout=300)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_cases_bill_counts_the_invoke_as_the_webhooks_call_and_the_storing_as_the_ingesters():
    per_case = _bench("from bench.probes import case_lifecycle\n_, found = case_lifecycle(2)")
    calls, invocations = per_case["calls"], per_case["invocations"]
    webhook_calls = {key for key in calls if key.startswith("webhook ")}

    assert invocations["ingester"] == invocations["webhook"] == calls["webhook lambda:Invoke"]  # one each a delivery
    assert webhook_calls <= {"webhook lambda:Invoke", "webhook secretsmanager:GetSecretValue"}
    assert calls["ingester dynamodb:TransactWriteItems"] > 0 and per_case["write_units"]["ingester"] > 0
    assert "webhook" not in per_case["write_units"] and per_case["log_bytes"]["ingester"] > 0
    assert 0 < per_case["cpu_ms"]["webhook"] < per_case["cpu_ms"]["ingester"]  # the ingester's CPU not the webhook's
    assert 500 < per_case["handover_bytes"]["mean"] <= per_case["handover_bytes"]["largest"] < 256 * 1024


def test_every_handover_ingested_twice_leaves_the_table_and_the_stream_as_ingested_once():
    found = _bench("from bench.storm import twice_delivered_changes_nothing\n"
                   "rows, found = twice_delivered_changes_nothing(24)\nfound['row'] = rows[0][1]")  # fmt: skip

    assert found["twice_delivered_changes_nothing"] is True, found["row"]
    assert " 0 items" not in found["row"]
