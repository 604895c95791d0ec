"""Poller Lambda (scheduled): the fallback for accounts without webhook access (mentions and DM events)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from carebird import clock
from carebird import settings as configuration
from carebird.cursors import DynamoCursors
from carebird.polling import run_poll
from carebird.store import DynamoCaseStore
from carebird.tracing import tracer_for
from carebird.xfactory import x_reader

logger = Logger()  # service: POWERTOOLS_SERVICE_NAME, set by the template
tracer = tracer_for(configuration.tracing())
settings = configuration.webhook()
watch = configuration.watch()
store = DynamoCaseStore(settings.cases_table, remember_cases=True)  # ingestion: see DynamoCaseStore
cursors = DynamoCursors(settings.cases_table)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    reader = x_reader(settings.secret_arn, settings.cases_table, settings.alert_topic_arn, settings.brand.handle)
    report = run_poll(watch, settings.brand, reader, cursors, store, settings.ingest, clock.now().date())
    logger.info("poll run", extra={"report": report})
    return report
