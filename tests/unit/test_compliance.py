"""Customers' deletions: X's batch compliance results redact the posts carebird stored (domain, with fakes)."""

from datetime import UTC, datetime, timedelta

import pytest

from carebird.app.compliance import (
    GIVE_UP_AFTER,
    SUBMIT_EVERY,
    PendingJob,
    ResultsUnreadable,
    removed_posts,
    run_compliance,
)
from carebird.app.ingest import IngestSettings, apply_event
from carebird.domain.model import Author, Channel, Message
from tests.helpers import InMemoryCaseStore

NOW = datetime(2026, 12, 6, 6, 0, tzinfo=UTC)
WINDOW = timedelta(days=30)


class Store(InMemoryCaseStore):
    def __init__(self):
        super().__init__()
        self.jobs, self.last = [], None

    def compliance_jobs(self):
        return list(self.jobs)

    def save_compliance_jobs(self, jobs, last_submitted_at):
        self.jobs, self.last = list(jobs), last_submitted_at

    def last_compliance_submit(self):
        return self.last

    def customer_post_ids(self, since, until, limit, max_cases):
        ids = [m.id for ms in self.messages.values() for m in ms if not m.from_brand and m.channel is not Channel.DM]
        return [i for i in ids if i not in self.deleted_messages][:limit]


class FakeX:
    def __init__(self, status="in_progress", results=()):
        self.status, self.results, self.uploads, self.created, self.cancelled = status, list(results), [], 0, []

    def create_compliance_job(self, name):
        self.created += 1
        return {"id": f"job{self.created}", "upload_url": "https://up", "download_url": "https://down"}

    def upload_compliance_ids(self, upload_url, ids):
        self.uploads.append(list(ids))

    def compliance_job(self, job_id):
        return {"id": job_id, "status": self.status}

    def cancel_compliance_job(self, job_id):
        self.cancelled.append(job_id)

    def compliance_results(self, download_url):
        return iter(self.results)


def mention(post_id: str, text: str, at: datetime) -> Message:
    return Message(post_id, Channel.MENTION, Author("42", "claire"), text, at)


def line(post_id: str, reason: str = "deleted") -> str:
    return f'{{"id": "{post_id}", "action": "delete", "created_at": "2026-12-05T10:00:00.000Z", "reason": "{reason}"}}'


def stored(*texts: str) -> Store:
    store = Store()
    for n, text in enumerate(texts):
        apply_event(store, mention(f"10{n}", text, NOW - timedelta(hours=5 - n)), IngestSettings())
    return store


def test_a_run_submits_the_stored_customer_posts_once_per_period():
    store, x = stored("ma box ne marche plus", "toujours rien"), FakeX()

    first = run_compliance(store, x, NOW, WINDOW)
    second = run_compliance(store, x, NOW + timedelta(hours=1), WINDOW)
    later = run_compliance(store, x, NOW + SUBMIT_EVERY, WINDOW)

    assert (first.submitted, second.submitted) == (2, 0) and later.submitted == 2
    assert x.uploads[0] == ["100", "101"] and second.waiting == ["job1"]


def test_a_finished_job_redacts_the_deleted_posts_and_the_case_keeps_its_timeline():
    store, x = stored("mon numéro est le 06 12 34 56 78", "toujours rien"), FakeX()
    run_compliance(store, x, NOW, WINDOW)
    x.status, x.results = "complete", [line("100"), line("101", "scrub_geo")]

    report = run_compliance(store, x, NOW + timedelta(hours=1), WINDOW)

    assert (report.collected, report.redacted) == (1, 1) and store.jobs == []
    (case,) = store.cases.values()
    assert case.deleted_ids == {"100"} and "06 12 34 56 78" not in case.triage_text + case.preview
    assert case.inbound_count == 2  # the timeline keeps both messages; only the words of the deleted one go
    assert "100" in store.deleted_messages and "101" not in store.deleted_messages


def test_collecting_the_same_results_twice_changes_nothing_more():
    store, x = stored("à supprimer"), FakeX(status="complete", results=[line("100")])
    store.jobs = [PendingJob("j", NOW, "https://down", 1)]
    run_compliance(store, x, NOW, WINDOW)
    store.jobs = [PendingJob("j", NOW, "https://down", 1)]  # a retry that collected the same job again

    report = run_compliance(store, x, NOW, WINDOW)

    assert (report.redacted, report.already) == (0, 1)


def test_a_job_x_failed_or_never_finished_is_dropped_and_the_next_submission_covers_it():
    store = stored("bonjour")
    store.jobs = [PendingJob("old", NOW - GIVE_UP_AFTER - timedelta(minutes=1), "https://down", 1)]
    store.last = NOW - timedelta(hours=1)

    x = FakeX(status="in_progress")

    report = run_compliance(store, x, NOW, WINDOW)

    assert report.dropped == 1 and store.jobs == []
    assert x.cancelled == ["old"]  # X keeps one active job per type: left running, it would refuse every new one


def test_hostile_or_malformed_result_lines_are_refused_one_by_one():
    lines = [
        line("100"),
        "not json",
        '{"id": "\\uff11\\uff12\\uff13", "action": "delete"}',
        '{"id": "7; DROP"}',
        "[]",
        line("200"),
    ]

    removed, refused = removed_posts(lines)

    assert removed == {"100", "200"} and refused == 4


def test_nothing_is_submitted_when_no_customer_post_is_stored():
    x = FakeX()

    assert run_compliance(Store(), x, NOW, WINDOW).submitted == 0 and x.created == 0


class UnreadableResults(FakeX):
    """X says the job is complete, but its results cannot be read (download link expired, storage outage)."""

    def compliance_results(self, download_url):
        if download_url == "https://gone":
            raise RuntimeError("downloading X's compliance results failed: HTTP 403")
        return iter(self.results)


def test_a_job_whose_results_cannot_be_read_blocks_neither_the_other_jobs_nor_the_next_submission():
    store = stored("mon adresse est 3 rue des Lilas", "toujours rien")
    x = UnreadableResults(status="complete", results=[line("100")])
    store.jobs = [PendingJob("gone", NOW - timedelta(hours=13), "https://gone", 2),
                  PendingJob("fine", NOW - timedelta(hours=1), "https://down", 2)]  # fmt: skip
    store.last = NOW - SUBMIT_EVERY

    with pytest.raises(ResultsUnreadable, match="gone"):  # the function fails (its alarm), after doing the rest
        run_compliance(store, x, NOW, WINDOW)

    assert "100" in store.deleted_messages and x.uploads == [["101"]]
    assert [job.id for job in store.jobs] == ["gone", "job1"]  # tried again next hour
    later = run_compliance(store, x, NOW + GIVE_UP_AFTER, WINDOW)
    assert later.dropped == 1 and "gone" not in [job.id for job in store.jobs]  # never a job stuck for ever


def test_a_deleted_post_whose_words_the_case_keeps_only_in_part_loses_them_all():
    first = "Mon adresse est 3 rue des Lilas 75011 Paris et mon téléphone 06 12 34 56 78. " * 8  # 640 characters
    store = stored(first, "Toujours pas de nouvelles de ma commande. " * 15, "Bon alors ? " * 10)
    (case,) = store.cases.values()
    assert first not in case.triage_text and first[:200] in case.triage_text  # the window kept its head only
    x = FakeX(status="complete", results=[line("100")])
    store.jobs = [PendingJob("j", NOW, "https://down", 3)]

    run_compliance(store, x, NOW, WINDOW)

    (case,) = store.cases.values()
    assert "rue des Lilas" not in case.triage_text + case.preview and "06 12 34" not in case.triage_text
    assert "Toujours pas de nouvelles" in case.triage_text  # the other messages' words stay
