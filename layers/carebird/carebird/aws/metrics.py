"""KPI metrics as CloudWatch embedded metric format (powertools), one place for names and their details.

Every metric is published without dimensions: one series per metric name (eight in all), inside
CloudWatch's free tier of ten custom metrics. The details (channel, topic, escalation level, ...) travel as
properties of the same log line: CloudWatch Logs Insights breaks the figures down by them at no metric cost,
and the digest and `carebird kpi` compute the per-channel and per-topic volumes from the table itself.
"""

from __future__ import annotations

from collections.abc import Mapping

NAMESPACE = "carebird"


def emit(name: str, value: float, unit: str = "Count", dimensions: Mapping[str, str] | None = None) -> None:
    """One metric, flushed as an EMF log line (honours POWERTOOLS_METRICS_DISABLED); `dimensions` become
    properties of the line, not CloudWatch dimensions (each dimension value would be a paid series)."""
    emit_together({name: value}, dimensions, unit)


def emit_together(values: Mapping[str, float], details: Mapping[str, str] | None = None, unit: str = "Count") -> None:
    """Several metrics of one happening (a stored message: MessagesReceived and CasesOpened) in one EMF line, with
    the details as its properties."""
    from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

    # service="": powertools would otherwise add POWERTOOLS_SERVICE_NAME as a dimension, a paid series per function.
    metrics = EphemeralMetrics(namespace=NAMESPACE, service="")
    for key, detail in (details or {}).items():
        metrics.add_metadata(key=key, value=detail)
    for name, value in values.items():
        metrics.add_metric(name=name, unit=MetricUnit(unit), value=value)
    metrics.flush_metrics()
