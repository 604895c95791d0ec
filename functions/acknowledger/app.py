"""Acknowledger Lambda: new cases from the table stream; one courteous out-of-hours answer per closed period."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from carebird import clock
from carebird import settings as configuration
from carebird.automation import Acknowledged, acknowledge
from carebird.outbox import DynamoOutbox
from carebird.pause import DynamoAutomationState
from carebird.table import case_image
from carebird.tracing import tracer_for
from carebird.xfactory import x_client

logger = Logger()  # service: POWERTOOLS_SERVICE_NAME, set by the template
tracer = tracer_for(configuration.tracing())
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
settings = configuration.acknowledger()
TABLE, BRAND = settings.cases_table, settings.automation.brand_handle
outbox = DynamoOutbox(settings.cases_table)
x = x_client(settings.secret_arn, settings.automation.dry_run, TABLE, settings.alert_topic_arn, BRAND)
state = DynamoAutomationState(TABLE)


def record_handler(record: DynamoDBRecord) -> str:
    case = case_image(record.dynamodb.new_image if record.dynamodb else None)
    if record.event_name is None or record.event_name.name != "INSERT" or not case:
        return "skipped"
    result = acknowledge(case, clock.now(), settings.automation, outbox, x, outbox, state)
    line = {"case_id": case.get("case_id"), "outcome": str(result)}
    if result.status is Acknowledged.SENT and result.via:  # the dashboard counts these (Logs Insights, no metric)
        line["acknowledged_via"] = result.via.value
    logger.info("out-of-hours acknowledgement", extra=line)
    return str(result)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
