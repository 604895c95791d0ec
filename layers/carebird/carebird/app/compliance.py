"""Customers' deletions honoured: posts deleted on X lose their text in carebird within hours (X's developer policy).

X tells an app about its users' deletions only through batch compliance jobs (x-api/compliance/batch-compliance):
the app uploads the post ids it stores, X answers with those deleted (or whose author turned protected, was
suspended...). Each run of the compliance function (hourly) collects the jobs X has finished and redacts what they
name, then, when the last job is older than SUBMIT_EVERY, submits the ids of the customer posts carebird stored in
its window. The case keeps its timeline (a message deleted at a time, its text gone) through the same path as a
deletion X delivers: ingest's Deletion.

Plain use case: X and storage come in through the two small ports below; time is passed in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from carebird.app.ingest import IngestSettings, Outcome, apply_event
from carebird.domain.model import Deletion
from carebird.domain.xrules import MAX_IDS, MAX_LINE, MAX_RESULT_LINES, PendingJob
from carebird.errors import CarebirdError
from carebird.ports import CaseStore

SUBMIT_EVERY = timedelta(hours=12)  # with an hourly collection: a deletion on X is redacted here within ~13 h
GIVE_UP_AFTER = timedelta(days=2)  # a job X never finished (its upload expired): dropped, the next one covers it
MAX_CASES = 20_000  # cases read per submission (one small Query each: ~100 s of the function's 300 s at most)
NOT_THE_TEXT = frozenset({"scrub_geo"})  # reasons that concern something else than the post's words
POST_ID = re.compile(r"[0-9]{1,19}")


@dataclass(frozen=True)
class ComplianceReport:
    submitted: int = 0  # ids uploaded in a new job (0: none due)
    collected: int = 0  # jobs whose results were applied
    dropped: int = 0  # jobs X failed or let expire
    redacted: int = 0  # messages whose text carebird removed
    already: int = 0  # named by X, but redacted before (or never stored)
    waiting: list[str] = field(default_factory=list)  # jobs X is still working on (or whose results failed to read)
    unreadable: list[str] = field(default_factory=list)  # complete jobs whose results could not be read: retried


class ResultsUnreadable(CarebirdError):
    """X's results of a finished job could not be read this run: the job is tried again, never blocking the rest."""


class ComplianceX(Protocol):
    """X's batch compliance endpoints (xadmin.XAdmin in production)."""

    def create_compliance_job(self, name: str) -> dict[str, Any]: ...
    def upload_compliance_ids(self, upload_url: str, ids: list[str]) -> None: ...
    def compliance_job(self, job_id: str) -> dict[str, Any]: ...
    def cancel_compliance_job(self, job_id: str) -> None: ...
    def compliance_results(self, download_url: str) -> Iterable[str]: ...


class ComplianceStore(CaseStore, Protocol):
    """What the job needs from storage, besides ingest's case store (store.DynamoCaseStore)."""

    def compliance_jobs(self) -> list[PendingJob]: ...
    def save_compliance_jobs(self, jobs: list[PendingJob], last_submitted_at: datetime | None) -> None: ...
    def last_compliance_submit(self) -> datetime | None: ...
    def customer_post_ids(self, since: datetime, until: datetime, limit: int, max_cases: int) -> list[str]: ...


def removed_posts(lines: Iterable[str]) -> tuple[set[str], int]:
    """The post ids X's results say carebird must forget (deleted, protected, suspended...), and the lines refused.

    X's format: one JSON object per line, {"id", "action": "delete", "reason", "created_at", "redacted_at"}."""
    removed: set[str] = set()
    refused = 0
    for count, line in enumerate(lines):
        if count >= MAX_RESULT_LINES:
            refused += 1
            break
        if not line.strip():
            continue
        try:
            row = json.loads(line[:MAX_LINE]) if len(line) <= MAX_LINE else None
        except ValueError:
            row = None
        post_id = str(row.get("id", "")) if isinstance(row, dict) else ""
        if not POST_ID.fullmatch(post_id) or not isinstance(row, dict):
            refused += 1
            continue
        if row.get("action") == "delete" and row.get("reason") not in NOT_THE_TEXT:
            removed.add(post_id)
    return removed, refused


def run_compliance(
    store: ComplianceStore,
    x: ComplianceX,
    now: datetime,
    window: timedelta,
    ingest: IngestSettings | None = None,
) -> ComplianceReport:
    """Collect what X finished, redact it, and submit a new job when one is due. Safe to run any number of times."""
    report = _submit(store, x, now, window, _collect(store, x, now, ingest or IngestSettings()))
    if report.unreadable:  # after the other jobs and the submission: a failing download never blocks them
        raise ResultsUnreadable(f"X's compliance results unreadable, retried next run: {'; '.join(report.unreadable)}")
    return report


def _submit(store: ComplianceStore, x: ComplianceX, now: datetime, window: timedelta, report: ComplianceReport
            ) -> ComplianceReport:  # fmt: skip
    last = store.last_compliance_submit()
    if last is not None and now - last < SUBMIT_EVERY:
        return report
    ids = store.customer_post_ids(now - window, now, MAX_IDS, MAX_CASES)
    if not ids:
        store.save_compliance_jobs(store.compliance_jobs(), now)
        return report
    job = x.create_compliance_job(f"carebird-{now:%Y%m%dT%H%M}")
    x.upload_compliance_ids(str(job["upload_url"]), ids)
    pending = PendingJob(str(job["id"]), now, str(job["download_url"]), len(ids))
    store.save_compliance_jobs([*store.compliance_jobs(), pending], now)
    return replace(report, submitted=len(ids))


def _cancel(x: ComplianceX, job_id: str) -> None:
    try:
        x.cancel_compliance_job(job_id)
    except Exception:  # already finished or gone on X's side: nothing holds the slot
        return


def _collect(store: ComplianceStore, x: ComplianceX, now: datetime, ingest: IngestSettings) -> ComplianceReport:
    pending = store.compliance_jobs()
    if not pending:
        return ComplianceReport()
    kept: list[PendingJob] = []
    collected = dropped = redacted = already = 0
    waiting: list[str] = []
    unreadable: list[str] = []
    for job in pending:
        status = str(x.compliance_job(job.id).get("status", ""))
        if status == "complete":
            try:
                removed, _ = removed_posts(x.compliance_results(job.download_url))
            except Exception as exc:  # an expired link, a storage outage, an oversized answer: this job only
                if now - job.created_at > GIVE_UP_AFTER:
                    dropped += 1  # the later jobs carry the same ids
                else:
                    kept.append(job)
                    waiting.append(job.id)
                    unreadable.append(f"{job.id}: {type(exc).__name__}: {str(exc)[:200]}")
                continue
            for post_id in sorted(removed):
                outcome = apply_event(store, Deletion(post_id, "", now, by_brand=False), ingest).outcome
                redacted += outcome is Outcome.DELETED
                already += outcome is not Outcome.DELETED
            collected += 1
        elif status in ("failed", "expired"):
            dropped += 1
        elif now - job.created_at > GIVE_UP_AFTER:
            _cancel(x, job.id)  # X keeps one active job per type: a job left running would refuse every new one
            dropped += 1
        else:
            kept.append(job)
            waiting.append(job.id)
    store.save_compliance_jobs(kept, store.last_compliance_submit())
    return ComplianceReport(0, collected, dropped, redacted, already, waiting, unreadable)
