"""What a function's log line says under Lambda's JSON log format (infra/template.yaml's LoggingConfig;
docs/reliability.md, "What is logged"): a level Lambda can read, nothing the log group already says, and the
stricter of two log levels."""

import itertools
import json
from datetime import datetime

import pytest
from carebird_local import local

from carebird.observability import Observability

SERVICES = itertools.count()
TRACE_HEADER = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0"


@pytest.fixture
def lines(monkeypatch, capsys):
    """The JSON lines a handler wrapped by Observability writes, for a fresh logger (its own service name)."""
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", f"carebird-log-test-{next(SERVICES)}")
    monkeypatch.setenv("_X_AMZN_TRACE_ID", TRACE_HEADER)  # Lambda sets it on every invocation, traced or not

    def run(tracing: bool = False, invocations: int = 2) -> list[dict]:
        observe = Observability(tracing)

        @observe.handler
        def handler(event, context):
            observe.logger.info("delivery processed", extra={"case_id": "public-1"})
            observe.logger.warning("requests refused")

        for _ in range(invocations):
            handler({}, local.LambdaContext(function_name="carebird-webhook"))
        return [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    return run


def test_a_line_carries_a_level_and_an_rfc_3339_timestamp_lambda_can_read(lines):
    first = lines()[0]

    assert first["level"] == "INFO"
    # Lambda reads a JSON line's level only next to a valid RFC 3339 timestamp (else it files the line as INFO)
    assert datetime.fromisoformat(first["timestamp"]).utcoffset() is not None
    assert "T" in first["timestamp"]


def test_a_line_keeps_the_request_id_and_cold_start_and_leaves_the_functions_identity_to_its_log_group(lines):
    written = lines()

    assert all(isinstance(line["cold_start"], bool) for line in written)  # powertools: the first of the process
    assert all(line["function_request_id"] for line in written)
    assert written[0]["case_id"] == "public-1"
    assert not {"function_name", "function_arn", "function_memory_size", "xray_trace_id"} & set().union(*written)


def test_a_line_names_its_x_ray_trace_only_when_there_are_traces_to_find_it_in(lines, monkeypatch):
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")  # the Tracer made, nothing sent

    assert {line["xray_trace_id"] for line in lines(tracing=True)} == {"1-5759e988-bd862e3fe1be46a994272793"}


def test_a_stricter_log_level_holds_under_lambdas_application_log_level(lines, monkeypatch):
    # Lambda sets AWS_LAMBDA_LOG_LEVEL from ApplicationLogLevel (INFO), which powertools prefers to its own setting
    monkeypatch.setenv("AWS_LAMBDA_LOG_LEVEL", "INFO")
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "WARNING")

    assert [line["level"] for line in lines()] == ["WARNING", "WARNING"]


def test_lambdas_application_log_level_holds_when_the_stack_asks_for_info(lines, monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_LOG_LEVEL", "INFO")
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "INFO")

    assert [line["level"] for line in lines()] == ["INFO", "WARNING", "INFO", "WARNING"]
