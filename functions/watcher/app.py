"""Watcher Lambda (scheduled): brand watch by X recent search, citations and topics become cases."""

from __future__ import annotations

from typing import Any

from carebird import clock
from carebird import settings as configuration
from carebird.app.polling import run_watch
from carebird.aws.case_store import DynamoCaseStore
from carebird.aws.cursors import DynamoCursors
from carebird.observability import Observability
from carebird.x.factory import x_reader

observe = Observability(configuration.tracing())
settings, secret_arn = configuration.ingester(), configuration.x_secret()
watch = configuration.watch()
store = DynamoCaseStore(settings.cases_table, remember_cases=True)  # ingestion: see DynamoCaseStore
cursors = DynamoCursors(settings.cases_table)


@observe.handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    reader = x_reader(secret_arn, settings.cases_table, settings.alert_topic_arn, settings.brand.handle)
    report = run_watch(watch, settings.brand, reader, cursors, store, settings.ingest, clock.now().date())
    observe.logger.info("watch run", extra={"report": report})
    return report
