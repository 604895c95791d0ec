"""Digest Lambda (EventBridge Scheduler, daily): the care KPIs of the last period, emailed through SNS
(carebird.app.digest)."""

from __future__ import annotations

from typing import Any

from carebird import clock
from carebird import settings as configuration
from carebird.app.digest import send_digest
from carebird.aws.case_store import DynamoCaseStore, KpiCounters
from carebird.aws.pause import SnsAlerts
from carebird.aws.usage import DynamoUsage
from carebird.observability import Observability

observe = Observability(configuration.tracing())
settings = configuration.digest()
store = DynamoCaseStore(settings.cases_table)
counters, usage, topic = KpiCounters(store), DynamoUsage(settings.cases_table), SnsAlerts(settings.topic_arn)


@observe.handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    sent = send_digest(settings, counters, store, usage, topic, clock.now())
    observe.logger.info("digest sent", extra={"cases": sent["cases"], "breaches": sent.pop("breaches")})
    return sent
