"""Escalator Lambda (SQS, batched): the deadlines the SLA workflow queued, one email per audience, then the mark."""

from __future__ import annotations

from typing import Any

from carebird import clock
from carebird import settings as configuration
from carebird.app.escalation import DueEscalation, escalate
from carebird.aws.escalation_ledger import DynamoEscalationLedger, SnsNotifier
from carebird.observability import Observability

observe = Observability(configuration.tracing())
logger = observe.logger
settings = configuration.escalator()
ledger = DynamoEscalationLedger(settings.cases_table)
notifier = SnsNotifier(settings.topics)


def parsed(records: list[dict[str, Any]]) -> list[tuple[str, DueEscalation]]:
    batch = []
    for record in records:
        try:
            batch.append((record["messageId"], DueEscalation.from_message(record["body"])))
        except (ValueError, KeyError, TypeError) as error:  # not the workflow's message: nothing to escalate
            logger.error("malformed escalation dropped", extra={"reason": str(error)[:200]})
    return batch


@observe.handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    outcome = escalate(parsed(event.get("Records", [])), ledger, notifier, clock.now)
    # deferred: SNS refused; the queue tries again (EscalationQueueAgeAlarm past 4 minutes, then the DLQ's alarm)
    log = logger.warning if outcome.deferred else logger.info
    log("escalations", extra={"emails": len(outcome.emails), "deferred": len(outcome.deferred)})
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in outcome.retry]}
