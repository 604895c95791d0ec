"""One place for the functions' logging and tracing: every handler gets its logger, tracer and decorators here.

    observe = Observability(configuration.tracing())
    logger = observe.logger

    @observe.handler
    def lambda_handler(event, context): ...

The logger is powertools' (service from POWERTOOLS_SERVICE_NAME, set by the template; the Lambda context injected
and the state cleared on each invocation); the tracer is powertools' Tracer only when the stack's Tracing is Active
(carebird.aws.tracing: otherwise the X-Ray SDK is never imported). Metrics go through carebird.aws.metrics.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from carebird.aws.tracing import tracer_for

Handler = TypeVar("Handler", bound=Callable[..., Any])


class Observability:
    def __init__(self, tracing: bool) -> None:
        from aws_lambda_powertools import Logger

        self.logger = Logger()
        self.tracer = tracer_for(tracing)

    def handler(self, function: Handler) -> Handler:
        """The handler logged with its context (state cleared per invocation) and traced when tracing is on."""
        traced = self.tracer.capture_lambda_handler(function)
        logged: Handler = self.logger.inject_lambda_context(clear_state=True)(traced)
        return logged
