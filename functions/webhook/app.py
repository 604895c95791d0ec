"""Webhook Lambda: X account activity in, triaged cases out (HTTP API, payload format 2.0)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types

from carebird.config import WebhookSettings
from carebird.errors import ConfigurationError, PayloadError, SignatureError
from carebird.metrics import emit
from carebird.secrets import consumer_secret
from carebird.signature import SIGNATURE_HEADER
from carebird.store import DynamoCaseStore
from carebird.webhook import Webhook

logger = Logger(service="carebird-webhook")
app = APIGatewayHttpResolver()
settings = WebhookSettings.from_env()
webhook = Webhook(settings, DynamoCaseStore(settings.cases_table), lambda: consumer_secret(settings.secret_arn))


def _error(status: int, message: str) -> Response:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body={"error": message})


@app.get("/webhook")
def crc_challenge() -> dict[str, str]:
    return webhook.challenge(app.current_event.get_query_string_value("crc_token"))


@app.post("/webhook")
def receive_activity() -> dict[str, Any]:
    summary = webhook.receive(app.current_event.raw_event, app.current_event.headers.get(SIGNATURE_HEADER))
    logger.info("delivery processed", extra={"summary": summary.as_body()})
    for name, dimensions in summary.metrics():
        emit(name, 1, dimensions=dimensions)
    return summary.as_body()


@app.exception_handler(SignatureError)
def unauthorised(error: SignatureError) -> Response:
    logger.warning("rejected unsigned delivery", extra={"reason": str(error)})
    return _error(401, str(error))


@app.exception_handler(PayloadError)
def bad_request(error: PayloadError) -> Response:
    logger.warning("rejected delivery", extra={"reason": str(error)})
    return _error(400, str(error))


@app.exception_handler(ConfigurationError)
def misconfigured(error: ConfigurationError) -> Response:
    logger.error("configuration error", extra={"reason": str(error)})
    return _error(503, "carebird is not configured yet")


@app.exception_handler(Exception)
def unavailable(error: Exception) -> Response:
    logger.exception("delivery not stored; X will retry")
    return _error(503, "temporarily unavailable, retry later")


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
