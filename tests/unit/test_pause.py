"""X stopping carebird: one pause, one alert, never a silent pause."""

from datetime import UTC, datetime

import pytest

from carebird.aws.pause import Brakes, Pause, StopKind

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


class State:
    def __init__(self):
        self.current = None

    def paused(self):
        return self.current

    def pause(self, kind, reason, now):
        if self.current:
            return False
        self.current = Pause(kind, reason, now)
        return True

    def resume(self):
        self.current = None


class Alerts:
    def __init__(self, fail=False):
        self.sent, self.fail = [], fail

    def alert(self, subject, body):
        if self.fail:
            raise ConnectionError("SNS unreachable")
        self.sent.append((subject, body))


def test_the_first_stop_pauses_and_alerts_and_the_next_ones_stay_quiet():
    state, alerts = State(), Alerts()
    brakes = Brakes(state, alerts, "ExampleUser", lambda: NOW)

    assert brakes.stop(StopKind.CREDITS_DEPLETED, "402") is True
    assert brakes.stop(StopKind.USAGE_CAP) is False and brakes.stop(StopKind.REVOKED) is False

    assert len(alerts.sent) == 1 and state.paused().kind == "credits_depleted"
    subject, body = alerts.sent[0]
    assert subject == "[carebird] X stopped automatic posting for @ExampleUser"
    assert "top up" in body and "carebird x resume" in body and "still stored" in body


def test_an_alert_that_cannot_be_sent_leaves_no_silent_pause():
    state = State()

    with pytest.raises(ConnectionError):
        Brakes(state, Alerts(fail=True), "ExampleUser", lambda: NOW).stop(StopKind.REVOKED)

    assert state.paused() is None  # the next caller X stops pauses again and alerts


def test_the_banner_says_what_happened_since_when_and_what_to_do():
    state = State()
    Brakes(state, Alerts(), "ExampleUser", lambda: NOW).stop(StopKind.REFRESH_REFUSED)

    assert state.paused().as_banner() == {
        "kind": "refresh_refused",
        "reason": "X refused to renew carebird's access token: run `carebird x authorize`",
        "since": "2026-12-07T10:00:00Z",
    }


def test_a_paused_desk_announces_nothing_and_keeps_the_occurrence_for_after_the_fix():
    from carebird.app.automation import Announced, announce
    from carebird.domain.model import XOutcome
    from tests.unit.test_automation import PARIS, SETTINGS, Claims, FakeX

    opening = datetime(2025, 11, 25, 9, tzinfo=PARIS)
    state, claims, x = State(), Claims(), FakeX()
    state.pause("credits_depleted", "top up", NOW)

    assert announce("opening", opening, SETTINGS, claims, x, state).status is Announced.PAUSED
    assert x.calls == [] and claims.claimed == set()

    state.resume()
    blocked = FakeX(post=XOutcome.BLOCKED)  # X stops carebird at the post itself: the claim is given back
    assert announce("opening", opening, SETTINGS, claims, blocked, state).status is Announced.PAUSED
    assert claims.claimed == set()
    assert announce("opening", opening, SETTINGS, claims, x, state).status is Announced.POSTED
