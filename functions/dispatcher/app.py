"""Dispatcher Lambda: the table's stream in, one SLA timer (Step Functions execution) per waiting case out, the
hourly KPI counters kept (carebird.kpi_counting), and the open queue's version the inbox's refresh reads first."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from carebird import clock
from carebird import settings as configuration
from carebird.kpi import stream_metrics
from carebird.kpi_counting import count_case_change
from carebird.metrics import emit
from carebird.sla import on_case_change
from carebird.store import DynamoCaseStore, KpiCounters
from carebird.table import queue_changed
from carebird.timers import ImmediateTimers, SchedulerTimers
from carebird.tracing import tracer_for

logger = Logger()  # service: POWERTOOLS_SERVICE_NAME, set by the template
tracer = tracer_for(configuration.tracing())
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
settings = configuration.dispatcher()
policy = settings.policy
store = DynamoCaseStore(settings.cases_table)
counters = KpiCounters(store)
timers: SchedulerTimers | ImmediateTimers
if settings.schedule_group:  # deployed: one-time schedules start the workflow at each deadline
    timers = SchedulerTimers(
        settings.schedule_group,
        settings.state_machine_arn,
        settings.scheduler_role_arn,
        settings.dead_letter_arn or None,
    )
else:  # the embedded local runtime has no scheduler: past deadlines start at once, later ones wait to be fired
    timers = ImmediateTimers(settings.state_machine_arn, now=clock.now)


def record_handler(record: DynamoDBRecord) -> str:
    change = record.dynamodb
    old, new = (change.old_image, change.new_image) if change else (None, None)
    for point in stream_metrics(old, new, policy.hours):
        emit(point.name, point.value, point.unit, point.dimensions)
    outcome = on_case_change(old, new, policy, timers)  # first: a retried record finds its timer started
    count_case_change(counters, old, new, policy)  # the KPI page's and the digest's hourly counters
    if queue_changed(old, new):  # last: the inbox's pages redraw after the case and its timer are settled
        store.bump_queue_version()
    if outcome != "skipped":
        logger.info("sla timer", extra={"outcome": outcome, "case_id": (change.new_image or {}).get("case_id")})
    return outcome


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
