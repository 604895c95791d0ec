"""X's 200 means the delivery is Lambda's to keep: the webhook answers once the ingester's invocation is queued, and
whatever goes wrong after that is retried by Lambda, kept for the failures queue, and stored once when sent again."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from carebird_local import local

from tests.helpers import fixture
from tests.integration.conftest import SECRET, item_count

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def refuse_invocations(deployed):
    """Lambda refusing the handover (the function missing, as after a broken deployment): a 404 at the transport."""

    def refused(request, **_):
        return local.lambda_refusal(request.url, 404, "ResourceNotFoundException", "Function not found")

    client = deployed.module.handoff.client()
    client.meta.events.unregister("before-send.lambda.Invoke", unique_id="carebird-async-lambda")
    client.meta.events.register_first("before-send.lambda.Invoke", refused, unique_id="refuse-handover")

    def stop_refusing():
        client.meta.events.unregister("before-send.lambda.Invoke", unique_id="refuse-handover")
        deployed.queue.attach(client)

    return stop_refusing


def test_a_verified_delivery_is_handed_to_the_ingester_in_one_invocation_and_stored_there(deployed):
    response = deployed.call(local.signed_delivery(fixture("aaa-mention.json"), SECRET))

    assert response["statusCode"] == 200
    assert json.loads(response["body"])["accepted"] > 0
    [invocation] = deployed.queue.invocations
    assert (
        invocation.function_name == "carebird-test-ingester" and invocation.payload["format"] == "carebird.delivery/1"
    )
    assert invocation.answer["outcomes"] == {"created": 1}
    assert deployed.store.get_case("public-1860000000000000101") is not None


def test_a_handover_lambda_refuses_is_a_503_and_x_redelivery_is_stored_once(deployed):
    delivery = local.signed_delivery(fixture("aaa-mention.json"), SECRET)
    stop_refusing = refuse_invocations(deployed)

    refused = deployed.call(delivery)

    assert refused["statusCode"] == 503 and item_count(deployed.dynamodb) == 0
    stop_refusing()
    assert deployed.post(delivery) == (200, {"feed": "aaa", "outcomes": {"created": 1}})
    assert deployed.post(delivery)[1]["outcomes"] == {"duplicate": 1}  # X's redelivery, after all


def test_an_outage_of_the_table_is_retried_by_lambda_then_kept_and_stored_once_sent_again(deployed, monkeypatch):
    delivery = local.signed_delivery(fixture("aaa-mention.json"), SECRET)
    throttled = ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}}, "Op")
    store = deployed.ingester.store
    monkeypatch.setattr(store, "lookup", lambda *a, **k: (_ for _ in ()).throw(throttled))

    response = deployed.call(delivery)

    assert response["statusCode"] == 200  # Lambda has it: X need not deliver again
    [invocation] = deployed.queue.failed
    assert len(invocation.errors) == 3 and item_count(deployed.dynamodb) == 0  # the first attempt and two retries
    monkeypatch.undo()
    on_failure_record = {"requestContext": {"condition": "RetriesExhausted"}, "requestPayload": invocation.payload}
    stored = deployed.ingester.lambda_handler(on_failure_record, local.LambdaContext())
    again = deployed.ingester.lambda_handler(on_failure_record, local.LambdaContext())
    assert (stored["outcomes"], again["outcomes"]) == ({"created": 1}, {"duplicate": 1})


def test_lambda_delivering_one_handover_twice_stores_it_once(deployed):
    deployed.call(local.signed_delivery(fixture("aaa-mention.json"), SECRET))
    stored = item_count(deployed.dynamodb)

    again = deployed.ingester.lambda_handler(deployed.queue.invocations[0].payload, local.LambdaContext())

    assert again["outcomes"] == {"duplicate": 1} and item_count(deployed.dynamodb) == stored


def test_the_webhook_cold_start_imports_neither_the_triage_nor_the_case_store():
    probe = (
        "import importlib.util, sys;"
        f"spec = importlib.util.spec_from_file_location('app', {str(ROOT / 'functions' / 'webhook' / 'app.py')!r});"
        "app = importlib.util.module_from_spec(spec); spec.loader.exec_module(app);"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('carebird.'))))"
    )
    env = {**os.environ, "X_SECRET_ARN": "arn:secret", "INGESTER_FUNCTION": "ingester",
           "AWS_DEFAULT_REGION": "eu-west-3", "PYTHONPATH": str(ROOT / "layers" / "carebird")}  # fmt: skip

    imported = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)

    modules = set(imported.stdout.split())
    assert {"carebird.app.webhook", "carebird.aws.handoff"} <= modules
    assert not {m for m in modules if m.split(".")[-1] in ("triage", "case_store", "delivery", "ingest", "normalise")}
