"""Compliance Lambda (hourly): customers' posts deleted on X lose their text here (X's batch compliance jobs)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from carebird import clock
from carebird import settings as configuration
from carebird.app.compliance import run_compliance
from carebird.aws.case_store import DynamoCaseStore
from carebird.aws.secrets import x_credentials
from carebird.observability import Observability
from carebird.x.compliance import XCompliance

observe = Observability(configuration.tracing())
logger = observe.logger
settings = configuration.compliance()
store = DynamoCaseStore(settings.cases_table)


@observe.handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    x = XCompliance(x_credentials(settings.secret_arn))
    report = run_compliance(store, x, clock.now(), settings.window, settings.ingest)
    logger.info("customers' deletions", extra=asdict(report))
    return asdict(report)
