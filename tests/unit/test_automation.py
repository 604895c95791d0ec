from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from carebird.automation import Acknowledged, Announced, AutomationSettings, RetryLater, acknowledge, announce
from carebird.calendar import OpeningHours
from carebird.model import Via, XOutcome, XResult
from tests.helpers import EVENING_CASE_ITEM

PARIS = ZoneInfo("Europe/Paris")
SETTINGS = AutomationSettings(hours=OpeningHours(holidays=frozenset({date(2025, 12, 25)})), brand_handle="LumiereAide")
CASE = EVENING_CASE_ITEM
NIGHT = datetime(2025, 11, 25, 21, 31, tzinfo=PARIS)


class Claims:
    def __init__(self):
        self.claimed, self.completed = set(), {}

    def claim(self, key, now):
        if key in self.claimed:
            return False
        self.claimed.add(key)
        return True

    def complete(self, key, result, text):
        self.completed[key] = (result.outcome, text)

    def release(self, key):
        self.claimed.discard(key)


class FakeX:
    def __init__(self, reply=XOutcome.SENT, dm=XOutcome.SENT, post=XOutcome.SENT):
        self.outcomes = {"reply": reply, "dm": dm, "post": post}
        self.calls = []

    def _send(self, kind, text, target=None):
        self.calls.append((kind, target, text))
        return XResult(self.outcomes[kind], post_id=f"{kind}-{len(self.calls)}")

    def post(self, text):
        return self._send("post", text)

    def reply(self, text, in_reply_to_id):
        return self._send("reply", text, in_reply_to_id)

    def send_dm(self, participant_id, text):
        return self._send("dm", text, participant_id)


class Log:
    def __init__(self):
        self.records = []
        self.expected = []

    def expect_automated(self, customer_id, text, at):
        self.expected.append((customer_id, text))

    def record_acknowledgement(self, case_id, via, result, text, at):
        self.records.append((case_id, via, result.outcome))


def test_an_out_of_hours_case_is_acknowledged_once_by_reply():
    claims, x, log = Claims(), FakeX(), Log()

    first = acknowledge(CASE, NIGHT, SETTINGS, claims, x, log)
    second = acknowledge(CASE | {"case_id": "dm-2", "family": "dm", "channel": "dm"}, NIGHT, SETTINGS, claims, x, log)

    assert (first.status, first.via, second.status) == (Acknowledged.SENT, Via.REPLY, Acknowledged.ALREADY)
    assert [c[0] for c in x.calls] == ["reply"] and log.records == [("public-1", "reply", XOutcome.SENT)]


def test_a_refused_reply_falls_back_to_a_dm():
    x, log = FakeX(reply=XOutcome.REPLY_NOT_ALLOWED), Log()

    result = acknowledge(CASE, NIGHT, SETTINGS, Claims(), x, log)
    assert (result.status, result.via, str(result)) == (Acknowledged.SENT, Via.DM, "dm: sent")
    assert [(c[0], c[1]) for c in x.calls] == [("reply", "1"), ("dm", "42")]


def test_when_neither_reply_nor_dm_is_possible_it_is_left_to_a_person():
    x, log = FakeX(reply=XOutcome.REPLY_NOT_ALLOWED, dm=XOutcome.FAILED), Log()

    assert acknowledge(CASE, NIGHT, SETTINGS, Claims(), x, log).status is Acknowledged.LEFT_TO_A_PERSON
    assert log.records == [("public-1", "left to a person", XOutcome.FAILED)]


def test_rate_limits_are_retried_later_not_swallowed_and_the_claim_is_given_back():
    claims = Claims()
    with pytest.raises(RetryLater):
        acknowledge(CASE, NIGHT, SETTINGS, claims, FakeX(reply=XOutcome.RETRY_LATER), Log())

    assert acknowledge(CASE, NIGHT, SETTINGS, claims, FakeX(), Log()).via is Via.REPLY


def test_nothing_is_sent_during_opening_hours_or_when_switched_off():
    x = FakeX()
    daytime = CASE | {"opened_at": "2025-11-25T10:00:00Z"}

    assert (
        acknowledge(daytime, datetime(2025, 11, 25, 11, tzinfo=PARIS), SETTINGS, Claims(), x, Log()).status
        is Acknowledged.NOT_NEEDED
    )
    off = AutomationSettings(hours=SETTINGS.hours, brand_handle="x", acknowledgements=False)
    assert acknowledge(CASE, NIGHT, off, Claims(), x, Log()).status is Acknowledged.OFF
    assert x.calls == []


def test_an_announcement_is_posted_once_per_occurrence():
    claims, x = Claims(), FakeX()
    opening = datetime(2025, 11, 25, 9, tzinfo=PARIS)

    assert announce("opening", opening, SETTINGS, claims, x).status is Announced.POSTED
    assert announce("opening", opening, SETTINGS, claims, x).status is Announced.ALREADY
    assert len(x.calls) == 1


def test_an_announcement_x_already_has_counts_as_posted():
    claims = Claims()

    result = announce(
        "closing", datetime(2025, 11, 25, 18, tzinfo=PARIS), SETTINGS, claims, FakeX(post=XOutcome.DUPLICATE)
    )
    assert result.status is Announced.POSTED and result.x.outcome is XOutcome.DUPLICATE
    assert claims.completed["closing#2025-11-25"][0] is XOutcome.DUPLICATE


def test_a_rate_limited_announcement_raises_so_the_scheduler_retries():
    with pytest.raises(RetryLater):
        announce(
            "opening", datetime(2025, 11, 25, 9, tzinfo=PARIS), SETTINGS, Claims(), FakeX(post=XOutcome.RETRY_LATER)
        )


def test_only_a_text_ending_with_a_case_reference_can_be_an_acknowledgement():
    from carebird.announcements import ACKNOWLEDGEMENT, could_be_automatic

    for template in ACKNOWLEDGEMENT.values():
        text = template.format(name="Claire", next_opening="demain à 9h00", reference="CB-000042")
        assert could_be_automatic(text) and could_be_automatic("@claire " + text)
    assert not could_be_automatic("@claire Bonjour Claire, c'est réparé 🙂")
