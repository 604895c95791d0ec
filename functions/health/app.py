"""Health Lambda (scheduled): webhook valid, brand subscribed, activity arriving; repairs or alerts."""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools import Logger

from carebird import clock
from carebird import settings as configuration
from carebird.cursors import DynamoCursors
from carebird.health import alert_text, check_ingestion
from carebird.secrets import x_credentials
from carebird.store import DynamoCaseStore
from carebird.table import HEALTH_KEY, to_dynamo
from carebird.tracing import tracer_for
from carebird.xadmin import XAdmin
from carebird.xclient import XReader, XReadError

logger = Logger()  # service: POWERTOOLS_SERVICE_NAME, set by the template
tracer = tracer_for(configuration.tracing())
settings = configuration.health()
TABLE = settings.cases_table
store = DynamoCaseStore(TABLE)
cursors = DynamoCursors(TABLE)
hours = settings.hours
sns = boto3.client("sns")
SILENCE = settings.silence
READ_CAP = settings.daily_read_cap
BRAND_HANDLE = settings.brand_handle


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    now = clock.now()
    credentials = x_credentials(settings.secret_arn)
    latest = store.latest_case(now)  # one small Query, not the day's cases: 50,000 a day cost the same
    last_event = latest.last_activity_at if latest else None
    mentions = None
    # X bills every post read: ask for recent mentions only when the silence could be an outage worth an alert.
    silent = last_event is None or now - last_event >= SILENCE
    if silent and hours.is_open(now) and cursors.reserve_reads(now.date(), 10, READ_CAP):
        try:
            page = XReader(credentials).mentions(settings.brand_user_id, None, None, 10)  # an owned read: $0.001
            mentions = sum(
                1
                for post in page.get("data") or []
                if post.get("created_at", "") >= (now - SILENCE).strftime("%Y-%m-%dT%H:%M:%S")
            )
        except XReadError as exc:
            logger.warning("could not read recent mentions", extra={"reason": str(exc)})
    report = check_ingestion(
        XAdmin(credentials),
        last_event_at=last_event,
        recent_mentions=mentions,
        hours=hours,
        now=now,
        silence=SILENCE,
        feed=settings.feed,
        brand_user_id=settings.brand_user_id,
    )
    store.client.put_item(TableName=TABLE, Item=to_dynamo({**HEALTH_KEY, **report.as_item()}))
    if not report.healthy:
        subject, body = alert_text(report, BRAND_HANDLE)
        sns.publish(TopicArn=settings.alert_topic_arn, Subject=subject, Message=body)
    logger.info("health check", extra={"healthy": report.healthy, "problems": report.problems})
    return report.as_item()
