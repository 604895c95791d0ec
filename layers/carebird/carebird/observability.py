"""One place for the functions' logging and tracing: every handler gets its logger, tracer and decorators here.

    observe = Observability(configuration.tracing())
    logger = observe.logger

    @observe.handler
    def lambda_handler(event, context): ...

The logger is powertools' (service from POWERTOOLS_SERVICE_NAME, set by the template; the Lambda context injected
and the state cleared on each invocation); the tracer is powertools' Tracer only when the stack's Tracing is Active
(carebird.aws.tracing: otherwise the X-Ray SDK is never imported). Metrics go through carebird.aws.metrics.

The template sends the logs in Lambda's JSON format (docs/reliability.md, "What is logged"), which reads a line's
level only next to an RFC 3339 timestamp, and whose application log level (INFO, or DEBUG with LogLevel DEBUG) is the
level powertools then takes: a stricter POWERTOOLS_LOG_LEVEL (WARNING, ERROR) is applied on top. A line does not
repeat what its log group already says (the function's name, ARN and memory size), nor an X-Ray trace id when there
are no traces to look it up in; it keeps the request id and cold_start.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar, cast

from carebird.aws.secrets import protect_logs
from carebird.aws.tracing import tracer_for
from carebird.settings import log_level_under_lambdas

Handler = TypeVar("Handler", bound=Callable[..., Any])
# What powertools' Lambda context adds to every line that the log group (one per function) already says.
FUNCTION_IDENTITY_KEYS = ("function_name", "function_arn", "function_memory_size")


class Observability:
    def __init__(self, tracing: bool) -> None:
        from aws_lambda_powertools import Logger

        without_trace_id: dict[str, Any] = {} if tracing else {"xray_trace_id": None}  # powertools' way to drop a key
        self.logger = Logger(use_rfc3339=True, **without_trace_id)
        configured = logging.getLevelName(log_level_under_lambdas() or "NOTSET")
        if isinstance(configured, int) and configured > self.logger.log_level:  # Lambda's level won: keep the stricter
            logging.getLogger(self.logger.name).setLevel(configured)
        protect_logs()  # Lambda's runtime sets the root logger to the application log level (DEBUG with LogLevel DEBUG)
        self.tracer = tracer_for(tracing)

    def handler(self, function: Handler) -> Handler:
        """The handler logged with its context (state cleared per invocation, the function's identity left to the
        log group) and traced when tracing is on."""
        traced = self.tracer.capture_lambda_handler(function)

        @functools.wraps(traced)
        def trimmed(*args: Any, **kwargs: Any) -> Any:
            self.logger.remove_keys(FUNCTION_IDENTITY_KEYS)
            return traced(*args, **kwargs)

        return cast(Handler, self.logger.inject_lambda_context(clear_state=True)(trimmed))
