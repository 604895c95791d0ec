"""Webhook Lambda: X account activity in, triaged cases out (HTTP API payload 2.0 or Function URL).

Two routes only (GET CRC, POST deliveries), so routing is a few lines in carebird.webhook rather than
powertools' event handler, whose import would add about 45 ms to the 77 ms this module takes to import: more
than half again (measured in fresh interpreters, best of nine, CPython 3.11 on this project's CI machine).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from carebird import clock
from carebird import settings as configuration
from carebird.metrics import emit, emit_together
from carebird.outage_store import DynamoOutageLedger, SnsOutageAlerts
from carebird.outages import OutageWatch
from carebird.pause import revocation_brakes
from carebird.secrets import consumer_secret
from carebird.store import DynamoCaseStore
from carebird.tracing import tracer_for
from carebird.webhook import Webhook, handle_http

logger = Logger()  # service: POWERTOOLS_SERVICE_NAME, set by the template
tracer = tracer_for(configuration.tracing())
settings = configuration.webhook()
store = DynamoCaseStore(settings.cases_table, remember_cases=True)  # ingestion: see DynamoCaseStore
on_revoke = revocation_brakes(settings.cases_table, settings.alert_topic_arn, settings.brand.handle)
outages = OutageWatch(DynamoOutageLedger(store), SnsOutageAlerts(configuration.outage_topic(), log=logger),
                      settings.outages, settings.ingest.rules)  # fmt: skip
webhook = Webhook(
    settings,
    store,
    lambda: consumer_secret(settings.secret_arn),
    quarantine=store,
    now=clock.now,
    on_revoke=on_revoke,
    outages=outages,
)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    response = handle_http(webhook, event, logger, lambda: context.get_remaining_time_in_millis() / 1000)
    # refusals: counted in their sampled log line; the access log's WebhookClientErrors metric carries the alarm
    summary, _refused = response.pop("summary", None), response.pop("refused", 0)
    for values, details in summary.metrics() if summary else ():
        emit_together(values, details)
    if response["statusCode"] >= 500:
        emit("WebhookUnavailable", 1)  # a 503 is a normal Lambda response: this metric carries the alarm
    return response
