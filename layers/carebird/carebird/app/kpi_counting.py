"""Use case: a case change from the table's stream, counted in its opening hour's KPI counters (carebird.domain.kpi).

Run by the dispatcher for every case record. A change that leaves the case's contribution as it was (most
follow-ups, claims, notes) costs nothing; one that changes it (opened, answered, escalated, acknowledged,
marked noise) reads the case's counted mark and writes mark and counters in one transaction, so a record
delivered twice, or an older one after a newer, is counted once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from typing import Protocol

from carebird.domain.cases import Case
from carebird.domain.kpi import (
    FirstResponseFigures,
    KpiReport,
    channels_by_day,
    contribution,
    first_response_figures_from_counters,
    opening_hour,
    report_from_counters,
)
from carebird.domain.sla import SlaPolicy


class Counters(Protocol):
    def count(self, case_id: str, version: int, hour: str, contribution: dict[str, int]) -> bool: ...


def count_case_change(counters: Counters, old: Case | None, new: Case | None, policy: SlaPolicy) -> str:
    """ "counted", "unchanged" (nothing to count) or "already counted". The stream's images arrive decoded
    (carebird.app.streams): None for anything but a case."""
    if new is None:
        return "unchanged"
    after = contribution(new, policy.hours, policy.minutes_for_case)
    if old is not None and contribution(old, policy.hours, policy.minutes_for_case) == after:
        return "unchanged"
    done = counters.count(new.case_id, new.version, opening_hour(new), after)
    return "counted" if done else "already counted"


WAITING_READ = 1000  # waiting cases read for their breach as of now (the most urgent first); escalated ones are
# counted already, so only waiting cases past their SLA and not yet escalated beyond these could be missed


class CounterReader(Protocol):
    def hourly(self, since: datetime, until: datetime) -> Iterator[tuple[str, dict[str, int]]]: ...


class WaitingCases(Protocol):
    def open_queue(self, limit: int = 100) -> list[Case]: ...


def kpi_report(
    counters: CounterReader, queue: WaitingCases, policy: SlaPolicy, since: datetime, until: datetime
) -> tuple[KpiReport, dict[str, Counter[str]]]:
    """The KPI report of [since, until] and its cases per local day and channel: one Query of the hourly counters
    (744 small rows for 31 days) and one of the waiting cases, whatever the traffic."""
    hourly = list(counters.hourly(since, until))
    waiting = queue.open_queue(WAITING_READ)
    report = report_from_counters(hourly, waiting, policy.hours, policy.minutes_for_case, since, until)
    return report, channels_by_day(hourly, policy.hours)


class PageCounters(CounterReader, Protocol):
    def first_responses(self, first_day: date, last_day: date) -> Iterator[tuple[str, str, dict[str, int]]]: ...


def kpi_page(
    counters: PageCounters, queue: WaitingCases, policy: SlaPolicy, since: datetime, until: datetime
) -> tuple[KpiReport, dict[str, Counter[str]], FirstResponseFigures]:
    """The inbox's KPI page for [since, until] (whole local days to now): the report and its cases per local day
    and channel (`kpi_report`), and the first responses in clock minutes and per agent from the agents' rows of
    those days (one Query: a row per agent and day). Three Queries, whatever the traffic."""
    report, by_day = kpi_report(counters, queue, policy, since, until)
    zone = policy.hours.zone
    rows = counters.first_responses(since.astimezone(zone).date(), until.astimezone(zone).date())
    return report, by_day, first_response_figures_from_counters(rows)
