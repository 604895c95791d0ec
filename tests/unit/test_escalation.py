"""The escalator's rules with in-memory ports: publish before marking, one sender per escalation, batching."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from carebird.app.escalation import (
    MAX_CASES_PER_EMAIL,
    DueEscalation,
    NotifierUnavailable,
    escalate,
    render,
)

NOW = datetime(2025, 11, 24, 8, 30, tzinfo=UTC)
LEASE = timedelta(minutes=3)


class MemoryLedger:
    """Cases as plain items; claims with the outbox's rules (a stale unsent claim may be retaken)."""

    def __init__(self, cases):
        self.cases = {c["case_id"]: dict(c) for c in cases}
        self.claims = {}  # key -> (status, claimed_at)
        self.marks = []

    def case(self, case_id):
        return dict(self.cases[case_id]) if case_id in self.cases else None

    def claim(self, key, now):
        held = self.claims.get(key)
        if held and (held[0] == "sent" or held[1] > now - LEASE):
            return False
        self.claims[key] = ("claimed", now)
        return True

    def release(self, key):
        if self.claims.get(key, ("",))[0] == "claimed":
            del self.claims[key]

    def was_sent(self, key):
        return self.claims.get(key, ("",))[0] == "sent"

    def mark_sent(self, key):
        self.claims[key] = ("sent", self.claims[key][1])

    def mark_escalated(self, case_id, reopened, level, now):
        case = self.cases[case_id]
        if "queue" not in case or case["reopened"] != reopened or case["escalation_level"] >= level:
            return False
        case.update(status="escalated", escalation_level=level)
        self.marks.append((case_id, level))
        return True


class MemoryNotifier:
    def __init__(self, failing=False):
        self.failing, self.sent, self.attempts = failing, [], 0

    def publish(self, audience, subject, body):
        self.attempts += 1
        if self.failing:
            raise NotifierUnavailable("Throttled")
        self.sent.append((audience, subject, body))


def waiting(n, **changes):
    return {
        "case_id": f"public-{n}",
        "queue": "OPEN",
        "reopened": 0,
        "escalation_level": 0,
        "status": "open",
        "priority": 40 + n % 50,
        "customer_handle": f"client{n}",
        "customer_name": f"Client {n}",
        "reference": f"CB-{n:06d}",
        "triage_text": "ma box ne marche plus " * 5,
        "link": f"https://x.com/client{n}/status/{n}",
    } | changes


def due(n, level="1", reopened=0):
    return (f"m-{n}-{level}", DueEscalation(f"public-{n}", level, reopened, {"waited_text": "1 h 30 min"}))


def test_the_email_is_published_before_the_case_is_marked_and_a_failed_publish_marks_nothing():
    ledger, notifier = MemoryLedger([waiting(1)]), MemoryNotifier(failing=True)

    outcome = escalate([due(1)], ledger, notifier, lambda: NOW)

    assert outcome.retry == ["m-1-1"] and outcome.deferred == ["public-1"]  # handed back: the next attempt
    assert ledger.marks == [] and ledger.cases["public-1"]["status"] == "open"
    assert ledger.claims == {}  # the claim is released so the next attempt may take it at once


def test_the_next_attempt_after_a_failed_publish_sends_once_and_marks_once():
    ledger = MemoryLedger([waiting(1)])
    escalate([due(1)], ledger, MemoryNotifier(failing=True), lambda: NOW)
    notifier = MemoryNotifier()

    outcome = escalate([due(1)], ledger, notifier, lambda: NOW + timedelta(minutes=3))

    assert outcome.retry == [] and len(notifier.sent) == 1 and ledger.marks == [("public-1", 1)]


def test_a_redelivered_deadline_after_the_email_sends_nothing_again():
    ledger, notifier = MemoryLedger([waiting(1)]), MemoryNotifier()
    escalate([due(1)], ledger, notifier, lambda: NOW)

    again = escalate([due(1)], ledger, notifier, lambda: NOW + timedelta(seconds=5))

    assert len(notifier.sent) == 1 and again.retry == [] and again.done == ["public-1"]


def test_while_another_attempt_holds_the_claim_the_deadline_is_handed_back_not_sent_twice():
    ledger, notifier = MemoryLedger([waiting(1)]), MemoryNotifier()
    assert ledger.claim(DueEscalation("public-1", "1", 0).claim_key, NOW)  # a concurrent escalator publishing now

    outcome = escalate([due(1)], ledger, notifier, lambda: NOW + timedelta(seconds=1))

    assert notifier.sent == [] and outcome.retry == ["m-1-1"]


def test_an_attempt_that_published_but_stopped_before_marking_is_completed_without_a_second_email():
    ledger, notifier = MemoryLedger([waiting(1)]), MemoryNotifier()
    key = DueEscalation("public-1", "1", 0).claim_key
    ledger.claim(key, NOW)
    ledger.mark_sent(key)  # the Lambda timed out right after SNS accepted the email

    outcome = escalate([due(1)], ledger, notifier, lambda: NOW + timedelta(minutes=3))

    assert notifier.sent == [] and ledger.marks == [("public-1", 1)] and outcome.retry == []


def test_answered_or_reopened_cases_send_nothing():
    answered = waiting(1)
    del answered["queue"]
    ledger, notifier = MemoryLedger([answered, waiting(2, reopened=1)]), MemoryNotifier()

    outcome = escalate([due(1), due(2, reopened=0)], ledger, notifier, lambda: NOW)

    assert notifier.sent == [] and sorted(outcome.done) == ["public-1", "public-2"]


def test_a_batch_of_many_cases_for_one_audience_is_one_email_listing_them_all():
    cases = [waiting(n) for n in range(60)]
    ledger, notifier = MemoryLedger(cases), MemoryNotifier()

    escalate([due(n) for n in range(60)], ledger, notifier, lambda: NOW)

    assert len(notifier.sent) == 1
    audience, subject, body = notifier.sent[0]
    assert audience == "1" and subject.startswith("[carebird] SLA breach: 60 cases unanswered") and len(subject) < 100
    assert all(f"Case: CB-{n:06d}" in body for n in range(60)) and body.count("--- ") == 60
    assert len(ledger.marks) == 60


def test_more_cases_than_one_email_holds_are_split_and_each_listed_once():
    count = MAX_CASES_PER_EMAIL + 5
    ledger, notifier = MemoryLedger([waiting(n) for n in range(count)]), MemoryNotifier()

    escalate([due(n) for n in range(count)], ledger, notifier, lambda: NOW)

    listed = [line for _, _, body in notifier.sent for line in body.splitlines() if "Case: CB-" in line]
    assert len(notifier.sent) == 2 and len(listed) == count
    assert all(len(body.encode()) < 256 * 1024 for _, _, body in notifier.sent)


def test_after_one_failed_publish_the_rest_of_the_batch_is_not_tried_during_the_outage():
    ledger = MemoryLedger([waiting(1), waiting(2) | {"escalation_level": 1}])
    notifier = MemoryNotifier(failing=True)

    outcome = escalate([due(1), due(2, level="2")], ledger, notifier, lambda: NOW)

    assert notifier.attempts == 1 and sorted(outcome.retry) == ["m-1-1", "m-2-2"]


def test_the_manager_hears_of_a_case_only_after_the_team_was_emailed_even_in_the_same_batch():
    ledger, notifier = MemoryLedger([waiting(1), waiting(2)]), MemoryNotifier()
    ledger.claims[DueEscalation("public-2", "1", 0).claim_key] = ("claimed", NOW)  # team email of 2 in flight

    outcome = escalate([due(1, level="2"), due(1), due(2, level="2")], ledger, notifier, lambda: NOW)

    assert [a for a, _, _ in notifier.sent] == ["1", "2"]  # case 1: team, then manager
    assert outcome.retry == ["m-2-2"]  # case 2's manager email waits for its team email


@pytest.mark.parametrize(
    "body",
    [
        "[]",
        json.dumps({"case_id": "x" * 500, "level": "1"}),
        json.dumps({"case_id": "public-1", "level": "3"}),
        json.dumps({"case_id": "public-1", "level": "1", "reopened": "-1"}),
        json.dumps({"case_id": "public-\uff11", "level": "1"}),  # a fullwidth digit
        json.dumps({"level": "1"}),
    ],
)
def test_a_queued_deadline_that_is_not_the_workflows_shape_is_refused(body):
    with pytest.raises(ValueError):
        DueEscalation.from_message(body)


def test_a_queued_deadlines_texts_are_bounded():
    parsed = DueEscalation.from_message(json.dumps({"case_id": "public-1", "waited_text": "9" * 10_000}))

    assert len(parsed.texts["waited_text"]) == 200 and parsed.level == "1" and parsed.reopened == 0


def test_one_case_is_the_full_escalation_with_the_customers_words_unabridged():
    subject, body = render([(due(7)[1], waiting(7, triage_text="x" * 5000))])

    assert subject == "[carebird] SLA breach P47 @client7 unanswered for 1 h 30 min"
    assert "x" * 5000 in body and "Case: CB-000007" in body


def test_the_email_says_why_the_case_ranks_from_the_reasons_the_case_item_keeps():
    reasons = ["urgent band: safety", "repeat contact: 1 more message(s)"]
    _, body = render([(due(7)[1], waiting(7, reasons=reasons))])
    _, without = render([(due(8)[1], waiting(8))])

    assert "Priority 47: urgent band: safety; repeat contact: 1 more message(s)\n" in body
    assert "Priority 48: \n" in without


def test_a_subject_never_carries_line_breaks_or_passes_99_characters():
    subject, _ = render([(due(1)[1], waiting(1, customer_handle="a\nb" + "c" * 200))])

    assert "\n" not in subject and len(subject) <= 99


def test_the_sns_notifier_spaces_its_emails_a_second_apart_and_reports_a_refused_publish_as_unavailable():
    from botocore.exceptions import ClientError

    from carebird.aws.escalation_ledger import MIN_PUBLISH_INTERVAL, SnsNotifier

    now, slept, published = [100.0], [], []

    class Sns:
        refuse = False

        def publish(self, **request):
            if self.refuse:
                raise ClientError({"Error": {"Code": "Throttled", "Message": "Rate exceeded"}}, "Publish")
            published.append((now[0], request["TopicArn"]))

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    sns = Sns()
    notifier = SnsNotifier({"1": "arn:team", "2": "arn:manager"}, client=sns, clock=lambda: now[0], sleep=sleep)
    for audience in ("1", "2", "1"):
        notifier.publish(audience, "subject", "body")
    sns.refuse = True

    with pytest.raises(NotifierUnavailable):
        notifier.publish("1", "subject", "body")
    assert [at for at, _ in published] == [100.0, 101.0, 102.0] and slept == [MIN_PUBLISH_INTERVAL] * 3
    assert [topic for _, topic in published] == ["arn:team", "arn:manager", "arn:team"]
