"""Digest Lambda (EventBridge Scheduler, daily): the care KPIs of the last period, emailed through SNS."""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools import Logger

from carebird import clock
from carebird import settings as configuration
from carebird.kpi import render_digest
from carebird.kpi_counting import kpi_report
from carebird.store import DynamoCaseStore, KpiCounters
from carebird.tracing import tracer_for
from carebird.usage import DynamoUsage
from carebird.xbill import delivered_events, spend_line, week_usage

logger = Logger()  # service: POWERTOOLS_SERVICE_NAME, set by the template
tracer = tracer_for(configuration.tracing())
settings = configuration.digest()
policy = settings.policy
store = DynamoCaseStore(settings.cases_table)
usage = DynamoUsage(settings.cases_table)
sns = boto3.client("sns")


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    until = clock.now()
    since = until - settings.period
    report, _ = kpi_report(KpiCounters(store), store, policy, since, until)  # hourly counters + waiting cases
    usage.set_delivered(until.date(), delivered_events(report.messages_in, report.brand_posts))
    x_spend = spend_line(week_usage(usage.days(until.date(), 7)), settings.prices)
    subject, body = render_digest(report, policy.hours, policy.minutes, settings.brand_handle, x_spend)
    sns.publish(TopicArn=settings.topic_arn, Subject=subject, Message=body)
    logger.info("digest sent", extra={"cases": report.cases, "breaches": report.breaches})
    return {"cases": report.cases, "subject": subject, "x_spend": x_spend}
