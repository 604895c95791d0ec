"""KPI metrics as CloudWatch embedded metric format (powertools), one place for names and their details.

Every metric is published without dimensions: one series per metric name (PUBLISHED, six in all; with the
webhook access log's one filtered metric, seven), inside CloudWatch's free tier of ten custom metrics. What only a
dashboard shows (refused requests, out-of-hours acknowledgements) is counted from log lines by Logs Insights.
The details (channel, topic, escalation level, ...) travel as
properties of the same log line: CloudWatch Logs Insights breaks the figures down by them at no metric cost,
and the digest and `carebird kpi` compute the per-channel and per-topic volumes from the table itself.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

NAMESPACE = "carebird"
# Every metric name the functions publish (tests/unit/test_metrics_published.py holds the code to it; the bench's
# cost model counts them): a new name is a paid series once the free ten are used.
PUBLISHED = (
    "MessagesReceived",
    "CasesOpened",
    "EventsQuarantined",
    "FirstResponseTime",
    "Escalations",
    "SlaBreaches",
)


def emit(name: str, value: float, unit: str = "Count", dimensions: Mapping[str, str] | None = None) -> None:
    """One metric, flushed as an EMF log line (honours POWERTOOLS_METRICS_DISABLED); `dimensions` become
    properties of the line, not CloudWatch dimensions (each dimension value would be a paid series)."""
    emit_together({name: value}, dimensions, unit)


def emit_together(values: Mapping[str, float], details: Mapping[str, str] | None = None, unit: str = "Count") -> None:
    """Several metrics of one happening (a stored message: MessagesReceived and CasesOpened) in one EMF line, with
    the details as its properties."""
    from aws_lambda_powertools.metrics import MetricUnit

    with _LINE:
        metrics = _metrics()
        for key, detail in (details or {}).items():
            metrics.add_metadata(key=key, value=detail)
        for name, value in values.items():
            metrics.add_metric(name=name, unit=MetricUnit(unit), value=value)
        metrics.flush_metrics()
        metrics.clear_metrics()  # flush clears them only when metrics are enabled


_LINE = threading.Lock()  # one line at a time through the one recorder
_recorder: list[Any] = []


def _metrics() -> Any:
    """One EphemeralMetrics per container (building one costs more than the line it writes), made on first use."""
    if not _recorder:
        from aws_lambda_powertools.metrics import EphemeralMetrics

        # service="": powertools would otherwise add POWERTOOLS_SERVICE_NAME as a dimension, a paid series each.
        _recorder.append(EphemeralMetrics(namespace=NAMESPACE, service=""))
    return _recorder[0]
