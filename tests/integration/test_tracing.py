"""powertools' Tracer on every function when the stack's Tracing is Active; with PassThrough (the
default) the X-Ray SDK is not even imported, so the webhook's cold start does not pay for it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from carebird_local import local

from tests.unit.test_settings import environment_of, functions

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def test_with_tracing_active_every_function_has_powertools_tracer_and_still_works(embedded, monkeypatch):
    from aws_lambda_powertools import Tracer

    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "false")
    webhook = embedded.reload("webhook")
    dispatcher = embedded.reload("dispatcher")

    assert isinstance(webhook.observe.tracer, Tracer) and isinstance(dispatcher.observe.tracer, Tracer)
    from tests.helpers import fixture

    assert embedded.deliver(fixture("aaa-mention.json"))["statusCode"] == 200
    assert embedded.dispatch()["batchItemFailures"] == []


@pytest.mark.parametrize(("folder", "resource"), list(functions()), ids=lambda v: v if isinstance(v, str) else "")
def test_the_template_turns_tracing_off_by_default_for_every_function(folder, resource):
    assert environment_of(resource)["POWERTOOLS_TRACE_DISABLED"] == "true"


@pytest.mark.parametrize("function", ["webhook", "ingester"])
def test_with_tracing_off_a_cold_start_never_imports_the_xray_sdk(function):
    env = {k: v for k, v in os.environ.items() if not k.startswith("POWERTOOLS_TRACE")} | {
        "AWS_DEFAULT_REGION": "eu-west-3",
        "CASES_TABLE": "t",
        "X_SECRET_ARN": "arn:aws:secretsmanager:eu-west-3:123456789012:secret:x",
        "INGESTER_FUNCTION": "carebird-ingester",
        "BRAND_USER_ID": "1",
        "BRAND_HANDLE": "b",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "functions" / function), str(ROOT / "layers" / "carebird")]),
    }
    probe = "import sys, app; print(sorted(m for m in sys.modules if m.startswith(('aws_xray_sdk', 'wrapt'))))"
    result = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    assert local.service_names()["webhook"] == "carebird-webhook"
