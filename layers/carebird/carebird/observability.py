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

import json
from collections.abc import Callable
from typing import Any, TypeVar

from carebird.aws.tracing import tracer_for

Handler = TypeVar("Handler", bound=Callable[..., Any])


# The first character of any JSON text json.loads accepts (NaN and Infinity included), whitespace aside.
_JSON_STARTS = frozenset('{["-0123456789tfnNI')


def json_message(message: dict[str, Any] | str | bool | int | float) -> Any:
    """powertools' logger decodes a log line's message when it is JSON text; for a plain sentence ("delivery
    processed") json.loads fails and its error is caught: about a tenth of a log line's CPU for nothing. A message
    that cannot be JSON is returned as it is, as that failure returns it; anything else goes to json.loads."""
    if not isinstance(message, str) or message.lstrip()[:1] not in _JSON_STARTS:
        return message  # what json.loads' failure would leave
    return json.loads(message)


class Observability:
    def __init__(self, tracing: bool) -> None:
        from aws_lambda_powertools import Logger

        self.logger = Logger(json_deserializer=json_message)
        self.tracer = tracer_for(tracing)

    def handler(self, function: Handler) -> Handler:
        """The handler logged with its context (state cleared per invocation) and traced when tracing is on."""
        traced = self.tracer.capture_lambda_handler(function)
        logged: Handler = self.logger.inject_lambda_context(clear_state=True)(traced)
        return logged
