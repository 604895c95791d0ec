"""Escalator Lambda (SQS, batched): the deadlines the SLA workflow queued, one email per audience, then the mark."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from carebird import clock
from carebird import settings as configuration
from carebird.escalation import DueEscalation, escalate
from carebird.escalation_ledger import DynamoEscalationLedger, SnsNotifier
from carebird.metrics import emit
from carebird.tracing import tracer_for

logger = Logger()  # service: POWERTOOLS_SERVICE_NAME, set by the template
tracer = tracer_for(configuration.tracing())
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


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    outcome = escalate(parsed(event.get("Records", [])), ledger, notifier, clock.now)
    if outcome.deferred:
        emit("EscalationsDeferred", len(outcome.deferred))
    logger.info("escalations", extra={"emails": len(outcome.emails), "deferred": len(outcome.deferred)})
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in outcome.retry]}
