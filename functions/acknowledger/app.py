"""Acknowledger Lambda: new cases from the table stream; one courteous out-of-hours answer per closed period."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from carebird import clock
from carebird import settings as configuration
from carebird.app.streams import case_inserted
from carebird.aws.outbox import DynamoOutbox
from carebird.aws.pause import DynamoAutomationState
from carebird.observability import Observability
from carebird.x.factory import x_client

observe = Observability(configuration.tracing())
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
settings = configuration.acknowledger()
TABLE, BRAND = settings.cases_table, settings.automation.brand_handle
outbox, state = DynamoOutbox(TABLE), DynamoAutomationState(TABLE)
x = x_client(settings.secret_arn, settings.automation.dry_run, TABLE, settings.alert_topic_arn, BRAND)


def record_handler(record: DynamoDBRecord) -> str:
    inserted = record.event_name is not None and record.event_name.name == "INSERT"
    new_image = record.dynamodb.new_image if record.dynamodb else None
    return case_inserted(inserted, new_image, clock.now(), settings.automation, outbox, x, outbox, state)


@observe.handler
def lambda_handler(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
