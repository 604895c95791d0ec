"""What the table's stream sets off, one record at a time: SLA timers and KPI metrics (the dispatcher), and the
out-of-hours acknowledgement of a new case (the acknowledger).

The stream hands over DynamoDB images; they are decoded here, at the edge (carebird.aws.schema.case_image: the one
test of "is a case"): the SLA timers, the KPI metrics and the counters read a Case; the acknowledgement still
reads the case item (carebird.app.automation, a use case).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from aws_lambda_powertools import Logger

from carebird.app.automation import Acknowledged, AutomationSettings, acknowledge
from carebird.app.kpi_counting import Counters, count_case_change
from carebird.aws.metrics import emit
from carebird.aws.schema import case_from_item, case_image, queue_changed
from carebird.domain.cases import Case
from carebird.domain.kpi import stream_metrics
from carebird.domain.sla import SlaPolicy, on_case_change
from carebird.ports import AcknowledgementLog, AutomationState, Claims, Poster, Timers

logger = Logger(child=True)  # the function's logger (powertools), its service and context
Image = Mapping[str, Any] | None


class QueueVersion(Protocol):
    """The open queue's version the inbox's refresh reads first (carebird.aws.case_store.DynamoCaseStore)."""

    def bump_queue_version(self) -> None: ...


def case_changed(
    old_image: Image, new_image: Image, policy: SlaPolicy, timers: Timers, counters: Counters, queue: QueueVersion
) -> str:
    """A case item changed: its KPI metrics emitted, its SLA timers started when it starts waiting, its opening
    hour's KPI counters kept (the KPI page's and the digest's), the open queue's version moved when the case is or
    was waiting."""
    old, new = case_image(old_image), case_image(new_image)
    old_case, new_case = decoded(old), decoded(new)
    for point in stream_metrics(old_case, new_case, policy.hours):
        emit(point.name, point.value, point.unit, point.dimensions)
    outcome = on_case_change(old_case, new_case, policy, timers)  # first: a retried record finds its timer started
    count_case_change(counters, old_case, new_case, policy)
    if queue_changed(old, new):  # last: the inbox's pages redraw after the case and its timer are settled
        queue.bump_queue_version()
    if outcome not in ("skipped", "cancelled"):  # a deadline cancelled (the case answered) needs no line
        logger.info("sla timer", extra={"outcome": outcome, "case_id": (new or {}).get("case_id")})
    return outcome


def decoded(item: Image) -> Case | None:
    """A case item as the domain's Case (None stays None)."""
    return case_from_item(dict(item)) if item else None


def case_inserted(
    inserted: bool,
    new_image: Image,
    now: datetime,
    settings: AutomationSettings,
    claims: Claims,
    x: Poster,
    record: AcknowledgementLog,
    state: AutomationState,
) -> str:
    """A new case: one courteous out-of-hours answer per closed period when it is due."""
    case = case_image(new_image)
    if not inserted or not case:
        return "skipped"
    result = acknowledge(case, now, settings, claims, x, record, state)
    if result.status in (Acknowledged.NOT_NEEDED, Acknowledged.OFF):  # the desk open, or acknowledgements off:
        return str(result)  # nothing to say (a line per case opened in hours was 0.3 KB of logs a case)
    line = {"case_id": case.get("case_id"), "outcome": str(result)}
    if result.status is Acknowledged.SENT and result.via:  # the dashboard counts these (Logs Insights, no metric)
        line["acknowledged_via"] = result.via.value
    logger.info("out-of-hours acknowledgement", extra=line)
    return str(result)
