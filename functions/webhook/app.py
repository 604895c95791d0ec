"""Webhook Lambda: X account activity in, verified and handed to the ingester (HTTP API payload 2.0 or Function URL).

X waits for this answer: the function checks the signature and hands the delivery over in one asynchronous
invocation of the ingester (carebird.app.handoff), which triages and stores it. It imports neither the triage nor
the case store, and makes no DynamoDB call. Two routes only (GET CRC, POST deliveries), so routing is a few lines in
carebird.app.webhook rather than powertools' event handler, whose import would add about 45 ms to a cold start.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from carebird import clock
from carebird import settings as configuration
from carebird.app.webhook import Webhook, answer_http
from carebird.aws.handoff import LambdaHandoff
from carebird.aws.secrets import consumer_secret
from carebird.observability import Observability

observe = Observability(configuration.tracing())
logger, settings = observe.logger, configuration.webhook()
secret = partial(consumer_secret, settings.secret_arn)  # read when a delivery is to be checked
handoff = LambdaHandoff(settings.ingester_function)
webhook = Webhook(settings, secret, handoff, now=clock.now)


@observe.handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return answer_http(webhook, event, logger)
