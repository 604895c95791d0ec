"""The brand's OAuth 2.0 authorization on X (Authorization Code with PKCE), and its refresh.

The X Activity API delivers a brand's private events (mentions, replies, quotes, DMs, chat) only to an app the
account authorized with OAuth 2.0. Its access tokens live two hours; `offline.access` adds a refresh token that is
single-use: each refresh returns a new one, and the old one is spent. So:

- the tokens live in the stack's secret (key `oauth2`), beside the app's `client_id`/`client_secret`, never in a
  file or a log (`secrets.protect_logs` keeps requests-oauthlib's DEBUG lines, which print tokens, silent);
- a function refreshes before the access token expires (`REFRESH_MARGIN`), and stores the new refresh token in
  the secret BEFORE it uses the new access token;
- two containers never spend the same refresh token: the one whose conditional write claims it in DynamoDB
  (table.refresh_claim_key) spends it, the others wait for the secret to hold its successor and use that;
- a refresh X refuses pauses automatic posting and alerts once (pause.Brakes), the claim recording the refusal
  so the waiting containers stop too.

The HTTP side is requests-oauthlib (already in the layer: tweepy depends on it), imported only when a token is
fetched or refreshed, never by the webhook.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from carebird.aws.schema import from_dynamo, refresh_claim_key, to_dynamo
from carebird.domain.timeparse import from_iso, to_iso
from carebird.errors import CarebirdError

AUTHORIZE_URL = "https://x.com/i/oauth2/authorize"
TOKEN_URL = "https://api.x.com/2/oauth2/token"
# Read mentions, replies, quotes and posts (tweet.read), DMs and XChat (dm.read: X's scope for dm.* and chat.*
# subscriptions), profiles (users.read); answer (tweet.write, dm.write); stay authorized (offline.access).
SCOPES = ("tweet.read", "users.read", "dm.read", "tweet.write", "dm.write", "offline.access")
SECRET_KEY = "oauth2"
REFRESH_MARGIN = timedelta(minutes=5)  # refresh when less than this is left of the two hours
CLAIM_LEASE = timedelta(seconds=60)  # a claimant that crashed before X answered frees the token after this
CLAIM_DAYS = 3
RECHECK = timedelta(minutes=5)  # how often a container not yet authorized looks at the secret again
WAIT_ATTEMPTS = 12  # 6 s at most: within the inbox's 10 s timeout
WAIT_SECONDS = 0.5
TIMEOUT = 20


class AuthorizationMissing(CarebirdError):
    """The secret holds no OAuth 2.0 tokens yet: `carebird x authorize`."""


class AuthorizationLost(CarebirdError):
    """X refused the refresh token (revoked, spent, expired): someone must run `carebird x authorize` again."""


class RefreshUnavailable(CarebirdError):
    """X could not be reached, or another container is still refreshing: try again later."""


class RefreshRefused(CarebirdError):
    """X answered the refresh with a refusal (4xx): the refresh token is no good."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class BrandToken:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: datetime
    scope: str = ""
    user_id: str = ""

    def fresh(self, now: datetime) -> bool:
        return now < self.expires_at - REFRESH_MARGIN

    def as_secret(self) -> dict[str, str]:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": to_iso(self.expires_at),
            "scope": self.scope,
            "user_id": self.user_id,
        }

    @classmethod
    def from_secret(cls, document: Mapping[str, Any]) -> BrandToken | None:
        stored = document.get(SECRET_KEY)
        if not isinstance(stored, dict) or not stored.get("access_token") or not stored.get("refresh_token"):
            return None
        return cls(
            access_token=str(stored["access_token"]),
            refresh_token=str(stored["refresh_token"]),
            expires_at=from_iso(str(stored["expires_at"])),
            scope=str(stored.get("scope", "")),
            user_id=str(stored.get("user_id", "")),
        )

    @classmethod
    def from_response(cls, response: Mapping[str, Any], now: datetime, user_id: str = "") -> BrandToken:
        """X's token response (RFC 6749 §5.1: token_type, expires_in, access_token, scope, refresh_token)."""
        if not response.get("access_token") or not response.get("refresh_token"):
            raise RefreshRefused("X's token response has no refresh token: was offline.access granted?")
        scope = response.get("scope", "")
        return cls(
            access_token=str(response["access_token"]),
            refresh_token=str(response["refresh_token"]),
            expires_at=now + timedelta(seconds=int(response.get("expires_in") or 7200)),
            scope=" ".join(scope) if isinstance(scope, list) else str(scope),
            user_id=user_id,
        )


# --- the X side: requests-oauthlib ---------------------------------------------------------------------------
def _session(client_id: str, redirect_uri: str | None = None, scope: tuple[str, ...] | None = None) -> Any:
    from requests_oauthlib import OAuth2Session

    from carebird.aws.secrets import protect_logs

    protect_logs()
    session = OAuth2Session(client_id, redirect_uri=redirect_uri, scope=list(scope) if scope else None, pkce="S256")

    def refuse_or_retry(response: Any) -> Any:
        """X's refusals (4xx) and outages (5xx, 429) told apart before oauthlib parses the body."""
        if response.status_code >= 500 or response.status_code == 429:
            raise RefreshUnavailable(f"X's token endpoint answered {response.status_code}")
        if response.status_code >= 400:
            raise RefreshRefused(f"X refused the token request ({response.status_code}: {_oauth_error(response)})")
        return response

    session.register_compliance_hook("access_token_response", refuse_or_retry)
    session.register_compliance_hook("refresh_token_response", refuse_or_retry)
    return session


def _oauth_error(response: Any) -> str:
    try:
        body = response.json()
    except ValueError:
        return "no details"
    if not isinstance(body, dict):
        return "no details"
    return str(body.get("error_description") or body.get("error") or body.get("title") or "no details")[:200]


def _client_auth(client_id: str, client_secret: str) -> tuple[Any, dict[str, str]]:
    """Confidential clients authenticate with HTTP Basic; public clients send client_id in the body (X's docs)."""
    if client_secret:
        from requests.auth import HTTPBasicAuth

        return HTTPBasicAuth(client_id, client_secret), {}
    return None, {"client_id": client_id}


@dataclass
class Authorization:
    """One authorization attempt: the URL to open, and the exchange of X's redirect for tokens."""

    client_id: str
    client_secret: str
    redirect_uri: str
    session: Any = None
    url: str = ""
    state: str = ""

    def __post_init__(self) -> None:
        if self.session is None:
            self.session = _session(self.client_id, self.redirect_uri, SCOPES)
        self.url, self.state = self.session.authorization_url(AUTHORIZE_URL)

    def code_from(self, redirect: str) -> str:
        """The authorization code of X's redirect (the whole URL, or its query), once its state is checked."""
        query = parse_qs(urlsplit(redirect.strip()).query if "?" in redirect else redirect.strip().lstrip("?"))
        if query.get("error"):
            raise AuthorizationLost(f"X did not authorize carebird: {query['error'][0][:100]}")
        if query.get("state", [""])[0] != self.state:
            raise AuthorizationLost("the redirect's state is not this attempt's: start `carebird x authorize` again")
        code = query.get("code", [""])[0]
        if not code:
            raise AuthorizationLost("the redirect carries no authorization code")
        return code

    def exchange(self, redirect: str, now: datetime) -> BrandToken:
        """Trade the code for tokens (X gives 30 seconds to do it)."""
        auth, _ = _client_auth(self.client_id, self.client_secret)
        try:
            response = self.session.fetch_token(
                TOKEN_URL,
                code=self.code_from(redirect),
                auth=auth,
                include_client_id=not self.client_secret,
                timeout=TIMEOUT,
            )
        except Warning as changed:  # oauthlib warns when X grants other scopes than asked: the token still stands
            response = getattr(changed, "token", None) or {}
        return BrandToken.from_response(response, now)


def refresh_with_x(client_id: str, client_secret: str, stale: BrandToken, now: datetime) -> BrandToken:
    """Spend `stale`'s refresh token for a new pair. Raises RefreshRefused or RefreshUnavailable."""
    import requests

    auth, extra = _client_auth(client_id, client_secret)
    try:
        response = _session(client_id).refresh_token(
            TOKEN_URL, refresh_token=stale.refresh_token, auth=auth, timeout=TIMEOUT, **extra
        )
    except requests.RequestException as exc:
        raise RefreshUnavailable(f"X's token endpoint could not be reached: {type(exc).__name__}") from exc
    return BrandToken.from_response(response, now, stale.user_id)


# --- the AWS side: the secret and the claims -----------------------------------------------------------------
class SecretVault:
    """The stack's X secret, read fresh (no cache: the refresh token may have changed in another container)."""

    def __init__(self, secret_arn: str, client: Any = None) -> None:
        if client is None:
            from carebird.aws import sdk

            client = sdk.client("secretsmanager")
        self.secret_arn = secret_arn
        self.client = client

    def read(self) -> dict[str, Any]:
        import json

        return json.loads(self.client.get_secret_value(SecretId=self.secret_arn)["SecretString"])

    def write(self, document: Mapping[str, Any], request_token: str) -> None:
        """A new current version; the same request token makes a retried write a no-op, not a second version."""
        import json

        self.client.put_secret_value(
            SecretId=self.secret_arn, SecretString=json.dumps(document), ClientRequestToken=request_token[:64]
        )

    def store_token(self, token: BrandToken) -> None:
        """The secret as it is now, with `token` in it (the other keys untouched)."""
        document = self.read()
        self.write({**document, SECRET_KEY: token.as_secret()}, digest(token.refresh_token))


class RefreshClaims:
    """Who spends a refresh token: a conditional write on the token's digest (table.refresh_claim_key)."""

    def __init__(self, table_name: str, client: Any = None) -> None:
        if client is None:
            from carebird.aws import sdk

            client = sdk.client("dynamodb")
        self.table = table_name
        self.client = client

    def claim(self, refresh_token: str, holder: str, now: datetime) -> bool:
        item = {
            **refresh_claim_key(refresh_token),
            "type": "refresh_claim",
            "holder": holder,
            "claimed_at": to_iso(now),
            "lease_until": to_iso(now + CLAIM_LEASE),
            "expires_at": int((now + timedelta(days=CLAIM_DAYS)).timestamp()),
        }
        try:
            self.client.put_item(
                TableName=self.table,
                Item=to_dynamo(item),
                # a token is spent once: a claim ends only by its lease running out with no outcome recorded
                ConditionExpression=(
                    "attribute_not_exists(pk) OR (attribute_not_exists(outcome) AND lease_until < :now)"
                ),
                ExpressionAttributeValues=to_dynamo({":now": to_iso(now)}),
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def settle(self, refresh_token: str, outcome: str) -> None:
        self.client.update_item(
            TableName=self.table,
            Key=to_dynamo(refresh_claim_key(refresh_token)),
            UpdateExpression="SET outcome = :o",
            ExpressionAttributeValues=to_dynamo({":o": outcome}),
        )

    def release(self, refresh_token: str, holder: str, now: datetime) -> None:
        """X could not be reached: let the next attempt (this container's or another's) spend the token."""
        with contextlib.suppress(self.client.exceptions.ConditionalCheckFailedException):
            self.client.update_item(
                TableName=self.table,
                Key=to_dynamo(refresh_claim_key(refresh_token)),
                UpdateExpression="SET lease_until = :over",
                ConditionExpression="holder = :h AND attribute_not_exists(outcome)",
                ExpressionAttributeValues=to_dynamo({":h": holder, ":over": to_iso(now - CLAIM_LEASE)}),
            )

    def outcome(self, refresh_token: str) -> str | None:
        found = self.client.get_item(
            TableName=self.table, Key=to_dynamo(refresh_claim_key(refresh_token)), ConsistentRead=True
        )
        return from_dynamo(found["Item"]).get("outcome") if "Item" in found else None


# --- the use case: a valid access token, whatever the containers around ------------------------------------------
Refresh = Callable[[str, str, BrandToken, datetime], BrandToken]


@dataclass
class BrandTokens:
    """A valid access token for the brand, refreshed before it expires, each refresh token spent once."""

    vault: Any  # SecretVault
    claims: Any  # RefreshClaims
    now: Callable[[], datetime]
    on_lost: Callable[[str], Any] = lambda detail: None  # pause.Brakes.stop(REFRESH_REFUSED, ...)
    refresh: Refresh = refresh_with_x
    sleep: Callable[[float], None] = time.sleep
    holder: str = field(default_factory=lambda: uuid.uuid4().hex)
    wait_attempts: int = WAIT_ATTEMPTS
    wait_seconds: float = WAIT_SECONDS
    held: BrandToken | None = field(default=None, repr=False)  # the token in use (seeded from a secret read)
    checked_at: datetime | None = field(default=None, repr=False)

    def authorized(self) -> bool:
        """Whether the brand authorized carebird with OAuth 2.0. Until it has, the secret is looked at again every
        few minutes, so containers started before `carebird x authorize` switch to the brand's token by themselves."""
        if self.held is not None:
            return True
        now = self.now()
        if self.checked_at is not None and now - self.checked_at < RECHECK:
            return False
        self.checked_at = now
        self.held = BrandToken.from_secret(self.vault.read())
        return self.held is not None

    def access_token(self) -> str:
        now = self.now()
        if self.held is not None and self.held.fresh(now):
            return self.held.access_token
        document = self.vault.read()
        token = BrandToken.from_secret(document)
        if token is None:
            raise AuthorizationMissing("no OAuth 2.0 authorization in the X secret: run `carebird x authorize`")
        if not token.fresh(now):
            token = self._refresh(document, token)
        self.held = token
        return token.access_token

    def forget(self) -> None:
        """Drop the token held in memory (X said it is no longer valid): the next call reads the secret."""
        self.held, self.checked_at = None, None

    def _refresh(self, document: Mapping[str, Any], stale: BrandToken) -> BrandToken:
        if self.claims.claim(stale.refresh_token, self.holder, self.now()):
            return self._spend(document, stale)
        return self._await_successor(stale)

    def _spend(self, document: Mapping[str, Any], stale: BrandToken) -> BrandToken:
        client_id, client_secret = str(document.get("client_id") or ""), str(document.get("client_secret") or "")
        try:
            fresh = self.refresh(client_id, client_secret, stale, self.now())
        except RefreshRefused as exc:
            self.claims.settle(stale.refresh_token, "refused")
            self.on_lost(str(exc))
            raise AuthorizationLost(str(exc)) from exc
        except Exception:
            self.claims.release(stale.refresh_token, self.holder, self.now())
            raise
        self._store(fresh)  # the new refresh token is safe before the new access token is used
        self.claims.settle(stale.refresh_token, "stored")
        return fresh

    def _store(self, fresh: BrandToken) -> None:
        for attempt in range(3):
            try:
                self.vault.store_token(fresh)
                return
            except Exception:
                if attempt == 2:
                    raise
                self.sleep(self.wait_seconds)

    def _await_successor(self, stale: BrandToken) -> BrandToken:
        """Another container is spending the token: use what it stores."""
        for _ in range(self.wait_attempts):
            if self.claims.outcome(stale.refresh_token) == "refused":
                detail = "X refused to refresh the access token (seen by another container)"
                self.on_lost(detail)  # paused and alerted once (Brakes), also when the refuser's alert failed
                raise AuthorizationLost(detail)
            successor = BrandToken.from_secret(self.vault.read())
            if successor is not None and successor.refresh_token != stale.refresh_token:
                return successor
            self.sleep(self.wait_seconds)
        raise RefreshUnavailable("another container is still refreshing the access token")
