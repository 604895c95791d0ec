"""Digest Lambda (EventBridge Scheduler, daily): the care KPIs of the last period, emailed through SNS."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import boto3
from aws_lambda_powertools import Logger

from carebird import clock
from carebird.kpi import compute, render_digest
from carebird.sla import SlaPolicy
from carebird.store import DynamoCaseStore

logger = Logger(service="carebird-digest")
policy = SlaPolicy.from_env()
store = DynamoCaseStore(os.environ["CASES_TABLE"])
sns = boto3.client("sns")
TOPIC_ARN = os.environ["DIGEST_TOPIC_ARN"]
PERIOD = timedelta(hours=float(os.environ.get("DIGEST_PERIOD_HOURS") or 24))


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    until = clock.now()
    since = until - PERIOD
    report = compute(store.cases_opened_between(since, until), policy.hours, policy.minutes_for_case, since, until)
    subject, body = render_digest(report, policy.hours, policy.minutes, os.environ.get("BRAND_HANDLE", ""))
    sns.publish(TopicArn=TOPIC_ARN, Subject=subject, Message=body)
    logger.info("digest sent", extra={"cases": report.cases, "breaches": report.breaches})
    return {"cases": report.cases, "subject": subject}
