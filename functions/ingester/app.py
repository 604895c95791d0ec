"""Ingester Lambda: each delivery the webhook verified, triaged and stored as cases (invoked asynchronously).

Lambda invokes it with the webhook's handover (carebird.app.handoff), retries it twice on a failure and then keeps
the handover in the failures queue; every write is conditional, so a delivery stored twice changes nothing.
"""

from __future__ import annotations

from typing import Any

from carebird import settings as configuration
from carebird.app.delivery import Ingester, answer_handoff
from carebird.aws.case_store import DynamoCaseStore
from carebird.aws.outage_store import DynamoOutageLedger, SnsOutageAlerts
from carebird.domain.outages import OutageWatch
from carebird.observability import Observability

observe = Observability(configuration.tracing())
logger, settings = observe.logger, configuration.ingester()
store = DynamoCaseStore(settings.cases_table, remember_cases=True)  # ingestion: see DynamoCaseStore
outages = OutageWatch(DynamoOutageLedger(store), SnsOutageAlerts(configuration.outage_topic(), log=logger),
                      settings.outages, settings.ingest.rules)  # fmt: skip


def on_revoke(happened_at: Any) -> bool:  # the pause's adapters (carebird.aws.pause) imported on a revocation only
    from carebird.aws.pause import revocation_brakes

    return revocation_brakes(settings.cases_table, settings.alert_topic_arn, settings.brand.handle)(happened_at)


ingester = Ingester(settings, store, quarantine=store, on_revoke=on_revoke, outages=outages)


@observe.handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return answer_handoff(ingester, event, logger, lambda: context.get_remaining_time_in_millis() / 1000)
