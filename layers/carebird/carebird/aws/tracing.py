"""X-Ray tracing with powertools' Tracer when the stack's Tracing is Active; nothing at all otherwise.

Importing the X-Ray SDK costs about 0.2 s of every cold start (measured in docs/performance.md), even with the
Tracer disabled; so with Tracing=PassThrough the functions get a stand-in whose decorators return the function
unchanged, and the SDK is never imported.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class NoTracer:
    """The stand-in: the Tracer's decorators and annotations, doing nothing."""

    def capture_lambda_handler(self, handler: Callable[..., Any] | None = None, **_options: Any) -> Any:
        return handler if handler is not None else (lambda wrapped: wrapped)

    def capture_method(self, method: Callable[..., Any] | None = None, **_options: Any) -> Any:
        return method if method is not None else (lambda wrapped: wrapped)

    def put_annotation(self, key: str, value: Any) -> None:
        """Nothing to annotate without a trace."""


def tracer_for(enabled: bool) -> Any:
    """powertools' Tracer (service from POWERTOOLS_SERVICE_NAME; boto3 and requests patched) or the stand-in."""
    if not enabled:
        return NoTracer()
    from aws_lambda_powertools import Tracer

    return Tracer()
