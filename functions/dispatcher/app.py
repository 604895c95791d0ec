"""Dispatcher Lambda: the table's stream in, one SLA timer (Step Functions execution) per waiting case out, the
hourly KPI counters kept (carebird.app.kpi_counting), and the open queue's version the inbox's refresh reads first
(carebird.app.streams)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from carebird import clock
from carebird import settings as configuration
from carebird.app.streams import case_changed
from carebird.aws.case_store import DynamoCaseStore, KpiCounters
from carebird.aws.timers import timers_for_dispatcher
from carebird.observability import Observability

observe = Observability(configuration.tracing())
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
settings = configuration.dispatcher()
timers = timers_for_dispatcher(settings, clock.now)  # one-time schedules; the local runtime's timers without them
store = DynamoCaseStore(settings.cases_table)
counters = KpiCounters(store)


def record_handler(record: DynamoDBRecord) -> str:
    change = record.dynamodb
    old, new = (change.old_image, change.new_image) if change else (None, None)
    return case_changed(old, new, settings.policy, timers, counters, store)


@observe.handler
def lambda_handler(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
