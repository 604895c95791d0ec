"""Health Lambda (scheduled): webhook valid, brand subscribed, activity arriving; repairs or alerts."""

from __future__ import annotations

from typing import Any

from carebird import clock
from carebird import settings as configuration
from carebird.app.health import run_health_check
from carebird.aws.case_store import DynamoCaseStore
from carebird.aws.cursors import DynamoCursors, DynamoHealthLog
from carebird.aws.pause import SnsAlerts
from carebird.aws.secrets import x_credentials
from carebird.observability import Observability
from carebird.x.admin import XAdmin
from carebird.x.client import XReader

observe = Observability(configuration.tracing())
settings = configuration.health()
store, cursors = DynamoCaseStore(settings.cases_table), DynamoCursors(settings.cases_table)
log, alerts = DynamoHealthLog(settings.cases_table, cursors.client), SnsAlerts(settings.alert_topic_arn)


@observe.handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    credentials = x_credentials(settings.secret_arn)
    report = run_health_check(
        settings, store, cursors, XReader(credentials), XAdmin(credentials), log, alerts, clock.now()
    )
    observe.logger.info("health check", extra={"healthy": report.healthy, "problems": report.problems})
    return report.as_item()
