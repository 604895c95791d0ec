"""Going live on the X Activity API from the operator's machine: authorize the brand, subscribe, show the state.

`carebird x authorize` runs OAuth 2.0 Authorization Code with PKCE (carebird.x.oauth2.Authorization): X redirects
the browser to a loopback address this process listens on, or, in a shell without a browser, the operator pastes
the address the browser was sent to. The tokens go straight into the stack's secret, never to a file or the
terminal. `carebird x subscribe` then makes X's subscriptions match what carebird needs (carebird.x.subscriptions).
"""

from __future__ import annotations

import http.server
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from carebird import clock
from carebird.aws.pause import DynamoAutomationState
from carebird.x import subscriptions as xsubscriptions
from carebird.x.oauth2 import (
    Authorization,
    AuthorizationLost,
    BrandToken,
    BrandTokens,
    RefreshClaims,
    RefreshRefused,
    RefreshUnavailable,
    SecretVault,
    digest,
)

CALLBACK_PATH = "/callback"
LOOPBACK_WAIT_SECONDS = 300


class GoLiveError(Exception):
    """Something the operator must fix; the message says what."""


def redirect_uri(port: int) -> str:
    return f"http://127.0.0.1:{port}{CALLBACK_PATH}"


class _Callback(http.server.BaseHTTPRequestHandler):
    """Takes X's redirect once, answers the browser in a sentence, keeps the query for the exchange."""

    received: list[str]

    def do_GET(self) -> None:
        if urlsplit(self.path).path != CALLBACK_PATH:
            self.send_error(404)
            return
        self.received.append(self.path)
        body = b"carebird: X answered. You can close this tab and go back to the terminal.\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # the query holds the code: never printed
        return


def wait_for_redirect(port: int, ready: Callable[[], None], timeout: float = LOOPBACK_WAIT_SECONDS) -> str:
    """Listen on 127.0.0.1:`port` until X redirects the browser there; `ready` runs once listening."""
    received: list[str] = []
    handler = type("Callback", (_Callback,), {"received": received})
    try:
        server = http.server.HTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise GoLiveError(f"cannot listen on 127.0.0.1:{port} ({exc.strerror}): pass --port or --paste") from exc
    server.timeout = 1
    try:
        ready()
        waited = 0.0
        while not received and waited < timeout:
            server.handle_request()
            waited += server.timeout
    finally:
        server.server_close()
    if not received:
        raise GoLiveError("X did not redirect to carebird in time: run `carebird x authorize` again")
    return received[0]


@dataclass
class Secret:
    """The stack's X secret through the operator's AWS credentials."""

    vault: SecretVault
    document: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, stack: Any) -> Secret:
        arn = stack.outputs.get("XSecretArn")
        if not arn:
            raise GoLiveError(f"stack {stack.name} has no XSecretArn output")
        vault = SecretVault(arn, stack.client("secretsmanager"))
        return cls(vault, vault.read())


def authorize(
    stack: Any,
    admin_for: Callable[[dict[str, Any]], Any],
    client_id: str,
    client_secret: str,
    port: int,
    get_redirect: Callable[[Authorization], str],
    session: Any = None,
) -> tuple[BrandToken, dict[str, Any]]:
    """The whole authorization: tokens for the stack's brand account, stored in its secret, automation resumed."""
    secret = Secret.of(stack)
    client_id = client_id or str(secret.document.get("client_id") or "")
    client_secret = client_secret or str(secret.document.get("client_secret") or "")
    if not client_id:
        raise GoLiveError(
            "no OAuth 2.0 Client ID: pass --client-id (developer console, Keys and tokens, OAuth 2.0 Client ID)"
        )
    attempt = Authorization(client_id, client_secret, redirect_uri(port), session=session)
    try:
        token = attempt.exchange(get_redirect(attempt), clock.now())
    except (AuthorizationLost, RefreshRefused, RefreshUnavailable) as exc:
        raise GoLiveError(f"{exc} (nothing was stored)") from exc
    user = admin_for(secret.document).whoami(user_token=token.access_token)
    brand_id = stack.outputs.get("BrandUserId", "")
    if brand_id and str(user.get("id")) != brand_id:
        raise GoLiveError(
            f"@{user.get('username')} authorized carebird, but this stack serves account {brand_id}: sign in to X "
            "as the brand account and run `carebird x authorize` again (nothing was stored)"
        )
    token = BrandToken(token.access_token, token.refresh_token, token.expires_at, token.scope, str(user.get("id")))
    document = {**secret.vault.read(), "client_id": client_id, "client_secret": client_secret}
    secret.vault.write({**document, "oauth2": token.as_secret()}, digest(token.refresh_token))
    DynamoAutomationState(stack.table, stack.client("dynamodb")).resume(clock.now())  # older revocations: past
    return token, user


def brand_tokens(stack: Any) -> BrandTokens:
    """The brand's tokens as the functions use them (the CLI refreshes the same way, through the same claims)."""
    secret = Secret.of(stack)
    if BrandToken.from_secret(secret.document) is None:
        raise GoLiveError("the brand has not authorized carebird with OAuth 2.0 yet: run `carebird x authorize`")
    return BrandTokens(secret.vault, RefreshClaims(stack.table, stack.client("dynamodb")), clock.now)


@dataclass
class SubscribeReport:
    created: list[tuple[str, str]] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            *(f"created {event} ({sid})" for event, sid in self.created),
            *(f"removed {event} ({sid}): carebird's, no longer needed" for event, sid in self.removed),
            *(f"unchanged {event} ({sid})" for event, sid in self.kept),
            *self.blocked,
            f"{len(self.created)} created, {len(self.removed)} removed, {len(self.kept)} unchanged"
            + (f", {len(self.blocked)} blocked" if self.blocked else ""),
            f"{', '.join(xsubscriptions.APP_WIDE_EVENTS)}: app-wide, delivered to the webhook without a subscription",
        ]


def subscribe(admin: Any, tokens: BrandTokens, user_id: str, webhook_id: str) -> SubscribeReport:
    """Make X's subscriptions for the brand what carebird needs: remove carebird's stale ones, then create."""
    wants = xsubscriptions.wanted(user_id, webhook_id)
    plan = xsubscriptions.plan(admin.activity_subscriptions(), wants)
    report = SubscribeReport(kept=[(s.get("event_type", ""), str(s.get("subscription_id"))) for s in plan.keep])
    for stale in plan.remove:
        admin.delete_activity_subscription(str(stale["subscription_id"]))
        report.removed.append((str(stale.get("event_type")), str(stale["subscription_id"])))
    for want, holder in plan.blocked:
        report.blocked.append(
            f"blocked {want.event_type}: subscription {holder.get('subscription_id')} (not carebird's) already "
            f"holds this filter on webhook {holder.get('webhook_id') or '(stream)'}: delete it to let carebird in"
        )
    if plan.create:
        user_token = tokens.access_token()
        for want in plan.create:
            made = xsubscriptions.subscription_of(admin.create_activity_subscription(want.request(), user_token))
            report.created.append((want.event_type, str(made.get("subscription_id", "?"))))
    return report
