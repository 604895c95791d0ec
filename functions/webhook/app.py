"""Webhook Lambda: X account activity in, triaged cases out (HTTP API payload 2.0 or Function URL).

Two routes only (GET CRC, POST deliveries), so routing is a few lines in carebird.app.webhook rather than
powertools' event handler, whose import would add about 45 ms to the 77 ms this module takes to import: more
than half again (measured in fresh interpreters, best of nine, CPython 3.11 on this project's CI machine).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from carebird import clock
from carebird import settings as configuration
from carebird.app.webhook import Webhook, answer_http
from carebird.aws.case_store import DynamoCaseStore
from carebird.aws.outage_store import DynamoOutageLedger, SnsOutageAlerts
from carebird.aws.secrets import consumer_secret
from carebird.domain.outages import OutageWatch
from carebird.observability import Observability

observe = Observability(configuration.tracing())
logger, settings = observe.logger, configuration.webhook()
store = DynamoCaseStore(settings.cases_table, remember_cases=True)  # ingestion: see DynamoCaseStore
outages = OutageWatch(DynamoOutageLedger(store), SnsOutageAlerts(configuration.outage_topic(), log=logger),
                      settings.outages, settings.ingest.rules)  # fmt: skip
secret = partial(consumer_secret, settings.secret_arn)  # read when a delivery is to be checked


def on_revoke(happened_at: Any) -> bool:  # the pause's adapters (carebird.aws.pause) imported on a revocation only
    from carebird.aws.pause import revocation_brakes

    return revocation_brakes(settings.cases_table, settings.alert_topic_arn, settings.brand.handle)(happened_at)


webhook = Webhook(settings, store, secret, quarantine=store, now=clock.now, on_revoke=on_revoke, outages=outages)


@observe.handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return answer_http(webhook, event, logger, lambda: context.get_remaining_time_in_millis() / 1000)
