"""The brand's OAuth 2.0 access token: used while fresh, refreshed once, stored before use, refusals stop."""

from datetime import UTC, datetime, timedelta

import pytest

from carebird.x.oauth2 import (
    REFRESH_MARGIN,
    Authorization,
    AuthorizationLost,
    AuthorizationMissing,
    BrandToken,
    BrandTokens,
    RefreshRefused,
    RefreshUnavailable,
)

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


class Vault:
    def __init__(self, token=None):
        self.document = {"client_id": "cid", "client_secret": ""}
        if token:
            self.document["oauth2"] = token.as_secret()
        self.reads = 0

    def read(self):
        self.reads += 1
        return dict(self.document)

    def store_token(self, token):
        self.document["oauth2"] = token.as_secret()


class Claims:
    def __init__(self):
        self.items = {}

    def claim(self, token, holder, now):
        return self.items.setdefault(token, {"holder": holder})["holder"] == holder

    def settle(self, token, outcome):
        self.items[token]["outcome"] = outcome

    def release(self, token, holder, now):
        self.items.pop(token, None)

    def outcome(self, token):
        return self.items.get(token, {}).get("outcome")


def token(n, expires_at):
    return BrandToken(f"access-{n}", f"refresh-{n}", expires_at, "tweet.read offline.access", "1")


def tokens(vault, claims=None, clock=lambda: NOW, refresh=None, lost=None):
    return BrandTokens(
        vault, claims or Claims(), clock, on_lost=lost or (lambda detail: None), refresh=refresh or renew,
        sleep=lambda seconds: None, wait_attempts=2,
    )  # fmt: skip


def renew(client_id, client_secret, stale, now):
    n = int(stale.refresh_token.split("-")[1]) + 1
    return token(n, now + timedelta(hours=2))


def test_a_fresh_token_is_used_as_stored_and_then_from_memory():
    vault = Vault(token(1, NOW + timedelta(hours=1)))
    brand = tokens(vault)

    assert brand.access_token() == brand.access_token() == "access-1" and vault.reads == 1


def test_a_token_about_to_expire_is_refreshed_and_its_successor_stored_first():
    vault = Vault(token(1, NOW + REFRESH_MARGIN - timedelta(seconds=1)))

    assert tokens(vault).access_token() == "access-2"
    assert vault.document["oauth2"]["refresh_token"] == "refresh-2"


def test_a_container_that_lost_the_claim_uses_what_the_winner_stored():
    vault, claims, spent = Vault(token(1, NOW)), Claims(), []
    claims.claim("refresh-1", "the other container", NOW)  # the other container is spending refresh-1
    reads = vault.read

    def winner_stores_after_the_first_read():
        document = reads()
        if vault.reads == 1:
            vault.store_token(token(2, NOW + timedelta(hours=2)))
        return document

    vault.read = winner_stores_after_the_first_read

    assert tokens(vault, claims, refresh=lambda *a: spent.append(a)).access_token() == "access-2"
    assert spent == []  # it never spent refresh-1 itself


def test_a_refused_refresh_is_recorded_on_the_claim_and_stops_automation_once():
    vault, claims, stops = Vault(token(1, NOW)), Claims(), []

    def refuse(*args):
        raise RefreshRefused("X refused the token request (400: Value passed for the token was invalid.)")

    with pytest.raises(AuthorizationLost):
        tokens(vault, claims, refresh=refuse, lost=stops.append).access_token()
    with pytest.raises(AuthorizationLost, match="another container"):
        tokens(vault, claims, refresh=refuse, lost=stops.append).access_token()

    assert claims.outcome("refresh-1") == "refused" and len(stops) == 2  # each reports it: Brakes alerts once


def test_a_refusal_whose_alert_failed_is_paused_and_alerted_by_the_next_container():
    from carebird.aws.pause import Brakes, StopKind
    from tests.unit.test_pause import Alerts, State

    vault, claims, state = Vault(token(1, NOW)), Claims(), State()

    def refuse(*args):
        raise RefreshRefused("X refused the token request (400: Value passed for the token was invalid.)")

    def container(alerts):
        brakes = Brakes(state, alerts, "LumiereAide", lambda: NOW)
        return tokens(vault, claims, refresh=refuse, lost=lambda detail: brakes.stop(StopKind.REFRESH_REFUSED, detail))

    with pytest.raises(ConnectionError):
        container(Alerts(fail=True)).access_token()  # SNS out at the moment X refused: no silent pause left
    alerts = Alerts()
    with pytest.raises(AuthorizationLost, match="another container"):
        container(alerts).access_token()

    assert state.paused() is not None and state.paused().kind == "refresh_refused" and len(alerts.sent) == 1


def test_x_out_of_reach_frees_the_claim_for_the_next_attempt():
    vault, claims = Vault(token(1, NOW)), Claims()

    def outage(*args):
        raise RefreshUnavailable("X's token endpoint answered 503")

    with pytest.raises(RefreshUnavailable):
        tokens(vault, claims, refresh=outage).access_token()

    assert tokens(vault, claims).access_token() == "access-2"


def test_no_authorization_yet_says_what_to_run():
    with pytest.raises(AuthorizationMissing, match="carebird x authorize"):
        tokens(Vault()).access_token()


def test_a_redirect_from_another_attempt_or_a_refusal_is_not_exchanged():
    attempt = Authorization("cid", "", "http://127.0.0.1:8765/callback")

    assert attempt.code_from(f"http://127.0.0.1:8765/callback?state={attempt.state}&code=abc") == "abc"
    with pytest.raises(AuthorizationLost, match="state"):
        attempt.code_from("http://127.0.0.1:8765/callback?state=forged&code=abc")
    with pytest.raises(AuthorizationLost, match="access_denied"):
        attempt.code_from(f"http://127.0.0.1:8765/callback?state={attempt.state}&error=access_denied")


def test_the_authorize_address_asks_for_pkce_and_the_scopes_carebird_needs():
    attempt = Authorization("cid", "", "http://127.0.0.1:8765/callback")

    assert attempt.url.startswith("https://x.com/i/oauth2/authorize?response_type=code&client_id=cid")
    assert "code_challenge_method=S256" in attempt.url and "offline.access" in attempt.url
    assert "dm.read" in attempt.url and "tweet.write" in attempt.url


def test_a_container_started_before_the_authorization_picks_it_up_within_minutes():
    moments = [NOW]
    vault = Vault()
    brand = tokens(vault, clock=lambda: moments[-1])

    assert brand.authorized() is False
    vault.store_token(token(1, NOW + timedelta(hours=2)))  # `carebird x authorize` meanwhile
    moments.append(NOW + timedelta(minutes=1))
    assert brand.authorized() is False and vault.reads == 1  # not looked at again yet
    moments.append(NOW + timedelta(minutes=6))
    assert brand.authorized() is True and brand.access_token() == "access-1"
