"""Wiring a deployment to X (API v2): register the webhook, subscribe the brand, check, replay.

App-level calls use the bearer token. X Activity API subscriptions to private events are created with the
brand's OAuth 2.0 access token (`user_token`); the Account Activity API subscription in the brand's OAuth 1.0a
user context. X's failure codes become sentences a DevOps engineer can act on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from carebird.errors import CarebirdError

API = "https://api.x.com"
TIMEOUT = 30

EXPLANATIONS = {
    "CrcValidationFailed": "X could not validate the CRC challenge: check the URL answers GET ?crc_token= within "
    "3 s and that the secret's consumer_secret is the app's API secret",
    "UrlValidationFailed": "X refused the URL: it must be public HTTPS without a port (the WebhookUrl output)",
    "DuplicateUrlFailed": "this URL is already registered for the app: see `carebird x status`",
    "WebhookLimitExceeded": "the app already has its maximum number of webhooks: delete an old one first",
}


class XAdminError(CarebirdError):
    """An X API call failed; the message says why and what to do."""


@dataclass
class XAdmin:
    credentials: Mapping[str, str]
    session: Any = None
    api: str = API

    def __post_init__(self) -> None:
        if self.session is None:
            import requests

            self.session = requests.Session()

    # --- transport ---------------------------------------------------------------------------
    def _user_auth(self) -> Any:
        from requests_oauthlib import OAuth1

        c = self.credentials
        return OAuth1(c["consumer_key"], c["consumer_secret"], c["access_token"], c["access_token_secret"])

    def _call(
        self, method: str, path: str, *, user: bool = False, user_token: str = "", **kwargs: Any
    ) -> dict[str, Any]:
        bearer = user_token or self.credentials.get("bearer_token", "")
        headers = {} if user else {"Authorization": f"Bearer {bearer}"}
        response = self.session.request(
            method,
            self.api + path,
            headers=headers,
            timeout=TIMEOUT,
            auth=self._user_auth() if user else None,
            **kwargs,
        )
        try:
            body = response.json() if response.content else {}
        except ValueError:
            body = {"detail": response.text[:300]}
        if response.status_code >= 400 or (isinstance(body, dict) and body.get("errors") and not body.get("data")):
            raise XAdminError(explain(response.status_code, body))
        return body

    # --- operations ----------------------------------------------------------------------------
    def register(self, url: str) -> dict[str, Any]:
        return self._call("POST", "/2/webhooks", json={"url": url}).get("data", {})

    def webhooks(self) -> list[dict[str, Any]]:
        return self._call("GET", "/2/webhooks").get("data", []) or []

    def revalidate(self, webhook_id: str) -> dict[str, Any]:
        """PUT re-triggers the CRC check (after fixing the secret or the URL)."""
        return self._call("PUT", f"/2/webhooks/{webhook_id}").get("data", {})

    def subscribe(self, webhook_id: str) -> bool:
        body = self._call("POST", f"/2/account_activity/webhooks/{webhook_id}/subscriptions/all", user=True, json={})
        return bool(body.get("data", {}).get("subscribed"))

    def subscribed(self, webhook_id: str) -> bool:
        body = self._call("GET", f"/2/account_activity/webhooks/{webhook_id}/subscriptions/all", user=True)
        return bool(body.get("data", {}).get("subscribed"))

    # --- X Activity API ---------------------------------------------------------------------------
    def activity_subscriptions(self) -> list[dict[str, Any]]:
        """Every subscription of the app (all pages)."""
        found: list[dict[str, Any]] = []
        params: dict[str, Any] = {"max_results": 1000}
        for _ in range(50):
            body = self._call("GET", "/2/activity/subscriptions", params=params)
            found.extend(s for s in body.get("data") or [] if isinstance(s, dict))
            next_token = (body.get("meta") or {}).get("next_token")
            if not next_token:
                break
            params = {"max_results": 1000, "pagination_token": next_token}
        return found

    def create_activity_subscription(self, request: dict[str, Any], user_token: str) -> dict[str, Any]:
        """POST /2/activity/subscriptions in the brand's OAuth 2.0 context (private events need its consent)."""
        return self._call("POST", "/2/activity/subscriptions", user_token=user_token, json=request)

    def delete_activity_subscription(self, subscription_id: str) -> bool:
        body = self._call("DELETE", f"/2/activity/subscriptions/{subscription_id}")
        return bool((body.get("data") or {}).get("deleted"))

    def whoami(self, user_token: str = "") -> dict[str, Any]:
        """The account the user tokens act for: its numeric id is the stack's BrandUserId."""
        if user_token:
            return self._call("GET", "/2/users/me", user_token=user_token).get("data", {})
        return self._call("GET", "/2/users/me", user=True).get("data", {})

    def replay(self, webhook_id: str, since: datetime, until: datetime) -> dict[str, Any]:
        body = {"webhook_id": webhook_id, "from_date": f"{since:%Y%m%d%H%M}", "to_date": f"{until:%Y%m%d%H%M}"}
        return self._call("POST", "/2/webhooks/replay", json=body).get("data", {})

    def find(self, webhook_id: str | None) -> dict[str, Any]:
        """The webhook named, or the only one the app has."""
        hooks = self.webhooks()
        if webhook_id:
            for hook in hooks:
                if str(hook.get("id")) == str(webhook_id):
                    return hook
            raise XAdminError(f"no webhook {webhook_id} for this app; `carebird x status` lists them")
        if len(hooks) != 1:
            raise XAdminError(f"the app has {len(hooks)} webhooks: pass --webhook-id")
        return hooks[0]


def explain(status: int, body: Any) -> str:
    text = str(body)
    for code, sentence in EXPLANATIONS.items():
        if code in text:
            return f"{code}: {sentence}"
    if status == 401:
        return "X refused the credentials (401): check the bearer token and the app keys in the secret"
    if status == 403:
        return f"X forbids this for the app's access level (403): {_detail(body)}"
    if status == 402:
        return "X says the app's credits are depleted (402): top up in the developer console"
    if status == 429 and "usagecap" in text.lower().replace("-", ""):
        return "X usage cap reached (429 UsageCapExceeded): raise the cap in the developer console"
    if status == 429:
        return "X rate limit reached (429): wait for the window to reset and try again"
    return f"X answered {status}: {_detail(body)}"


def _detail(body: Any) -> str:
    if isinstance(body, dict):
        errors = body.get("errors") or []
        messages = [e.get("message") or e.get("detail") for e in errors if isinstance(e, dict)]
        return "; ".join(m for m in messages if m) or str(body.get("detail") or body.get("title") or body)
    return str(body)
