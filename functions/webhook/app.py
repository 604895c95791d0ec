"""Webhook Lambda: X account activity in, triaged cases out (HTTP API payload 2.0 or Function URL).

Two routes only (GET CRC, POST deliveries), so routing is a few lines in carebird.webhook rather than
powertools' event handler, whose import would add about 45 ms to the 77 ms this module takes to import: more
than half again (measured in fresh interpreters, best of nine, CPython 3.11 on this project's CI machine).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from carebird import clock
from carebird import settings as configuration
from carebird.observability import Observability
from carebird.outage_store import DynamoOutageLedger, SnsOutageAlerts
from carebird.outages import OutageWatch
from carebird.pause import revocation_brakes
from carebird.secrets import consumer_secret
from carebird.store import DynamoCaseStore
from carebird.webhook import Webhook, answer_http

observe = Observability(configuration.tracing())
logger, settings = observe.logger, configuration.webhook()
store = DynamoCaseStore(settings.cases_table, remember_cases=True)  # ingestion: see DynamoCaseStore
on_revoke = revocation_brakes(settings.cases_table, settings.alert_topic_arn, settings.brand.handle)
outages = OutageWatch(DynamoOutageLedger(store), SnsOutageAlerts(configuration.outage_topic(), log=logger),
                      settings.outages, settings.ingest.rules)  # fmt: skip
secret = partial(consumer_secret, settings.secret_arn)  # read when a delivery is to be checked
webhook = Webhook(settings, store, secret, quarantine=store, now=clock.now, on_revoke=on_revoke, outages=outages)


@observe.handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return answer_http(webhook, event, logger, lambda: context.get_remaining_time_in_millis() / 1000)
