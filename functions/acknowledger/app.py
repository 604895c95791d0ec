"""Acknowledger Lambda: new cases from the table stream; one courteous out-of-hours answer per closed period."""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from carebird import clock
from carebird.automation import AutomationSettings, acknowledge
from carebird.metrics import emit
from carebird.outbox import DynamoOutbox
from carebird.xfactory import x_client_from_env

logger = Logger(service="carebird-acknowledger")
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
settings = AutomationSettings.from_env()
outbox = DynamoOutbox(os.environ["CASES_TABLE"])
x = x_client_from_env(dry_run=settings.dry_run)


def record_handler(record: DynamoDBRecord) -> str:
    case = record.dynamodb.new_image if record.dynamodb else None
    if record.event_name is None or record.event_name.name != "INSERT" or not case or case.get("sk") != "CASE":
        return "skipped"
    outcome = acknowledge(case, clock.now(), settings, outbox, x, outbox)
    if outcome.startswith(("reply:", "dm:")):
        emit("Acknowledgements", 1, dimensions={"via": outcome.split(":")[0]})
    logger.info("out-of-hours acknowledgement", extra={"case_id": case.get("case_id"), "outcome": outcome})
    return outcome


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
