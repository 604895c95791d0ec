"""KPI metrics as CloudWatch embedded metric format (powertools), one place for names and dimensions."""

from __future__ import annotations

from collections.abc import Mapping

NAMESPACE = "carebird"


def emit(name: str, value: float, unit: str = "Count", dimensions: Mapping[str, str] | None = None) -> None:
    """One metric with its own dimensions, flushed as an EMF log line (honours POWERTOOLS_METRICS_DISABLED)."""
    from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

    metrics = EphemeralMetrics(namespace=NAMESPACE)
    for key, dimension in (dimensions or {}).items():
        metrics.add_dimension(name=key, value=dimension)
    metrics.add_metric(name=name, unit=MetricUnit(unit), value=value)
    metrics.flush_metrics()
