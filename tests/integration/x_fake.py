"""A fake X for going live: OAuth 2.0 token endpoint, X Activity API subscriptions, webhooks, posts.

Answered at the transport (`responses`), with the shapes of X's OpenAPI spec and quickstart pages
(tests/fixtures/x-docs). Every request carebird sends is checked as it arrives: subscription requests against the
OpenAPI 2.167 schemas and security schemes, token requests against the documented form fields. Refresh tokens are
single-use, as on X: a spent one is refused.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema
import responses

from carebird import clock
from tests.helpers import FIXTURES

DOCS = FIXTURES / "x-docs"
GO_LIVE = DOCS / "go-live"  # X's OpenAPI spec and pages for subscriptions and tokens
SPEC = json.loads((GO_LIVE / "x-api-v2.167-activity.json").read_text(encoding="utf-8"))
TOKEN_DOCS = json.loads((GO_LIVE / "oauth2-token.json").read_text(encoding="utf-8"))
QUICKSTART = json.loads((GO_LIVE / "activity-subscriptions.quickstart.json").read_text(encoding="utf-8"))
OAUTH2 = SPEC["components"]["securitySchemes"]["OAuth2UserToken"]["flows"]["authorizationCode"]
APP_BEARER = "bt"
WEBHOOK_ID = "1976325569252868099"


def openapi_errors(schema_name: str, instance: Any) -> list[str]:
    """What in `instance` breaks the spec's schema `schema_name` (its $refs resolved inside the spec)."""
    validator = jsonschema.Draft7Validator({**SPEC, "$ref": f"#/components/schemas/{schema_name}"})
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(instance)]


def form_errors(kind: str, form: dict[str, str]) -> list[str]:
    validator = jsonschema.Draft7Validator(TOKEN_DOCS["token_requests"][kind])
    return [e.message for e in validator.iter_errors(form)]


def security_of(method: str, path: str) -> set[str]:
    """The security schemes the spec allows for this operation."""
    return {name for requirement in SPEC["paths"][path][method.lower()]["security"] for name in requirement}


class FakeX:
    def __init__(self, brand_id: str, brand_handle: str, client_id: str = "cid", client_secret: str = "") -> None:
        self.brand = {"id": brand_id, "name": "Example", "username": brand_handle}
        self.client_id, self.client_secret = client_id, client_secret
        self.violations: list[str] = []
        self.codes: dict[str, str] = {}  # authorization code -> code_challenge
        self.access: dict[str, Any] = {}  # access token -> expiry
        self.refresh_tokens: set[str] = set()
        self.spent: list[str] = []
        self.refused: list[str] = []
        self.refuse_refresh = False
        self.refresh_delay = 0.0
        self.invalidate_on_refresh = False  # whether a refresh also ends the access tokens issued before
        self.subscriptions: list[dict[str, Any]] = []
        self.posts: list[dict[str, Any]] = []
        self.post_answer: tuple[int, dict[str, Any]] | None = None
        self.on_post: Callable[[str], None] = lambda bearer: None
        self.lock = threading.Lock()
        self.ids = itertools.count(1976325569252868200)

    # --- the browser's side: what X does when the brand signs in and approves -----------------------------
    def approve(self, authorize_url: str) -> str:
        """The redirect X sends the browser to after the brand approved carebird."""
        url = urlsplit(authorize_url)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if f"{url.scheme}://{url.netloc}{url.path}" != "https://x.com/i/oauth2/authorize":
            self.violations.append(f"authorize URL {url.netloc}{url.path}")
        missing = set(TOKEN_DOCS["authorize_parameters"]) - set(query)
        if missing:
            self.violations.append(f"authorize URL lacks {sorted(missing)}")
        unknown = set(query.get("scope", "").split()) - set(OAUTH2["scopes"])
        if unknown or query.get("code_challenge_method") != "S256" or query.get("response_type") != "code":
            self.violations.append(f"authorize URL: scopes {unknown}, method {query.get('code_challenge_method')}")
        code = f"code-{next(self.ids)}"
        self.codes[code] = query.get("code_challenge", "")
        self.granted_scope = query.get("scope", "")
        return f"{query['redirect_uri']}?state={query['state']}&code={code}"

    # --- the API ----------------------------------------------------------------------------------------------
    def install(self, mock: responses.RequestsMock | Any = responses) -> FakeX:
        mock.add_callback(responses.POST, OAUTH2["tokenUrl"], callback=self._token)
        mock.add_callback(responses.GET, "https://api.x.com/2/users/me", callback=self._me)
        mock.add_callback(responses.GET, "https://api.x.com/2/webhooks", callback=self._webhooks)
        mock.add_callback(responses.GET, "https://api.x.com/2/activity/subscriptions", callback=self._list)
        mock.add_callback(responses.POST, "https://api.x.com/2/activity/subscriptions", callback=self._create)
        mock.add_callback(
            responses.DELETE,
            re.compile(r"https://api\.x\.com/2/activity/subscriptions/\w+"),
            callback=self._delete,
        )
        mock.add_callback(responses.POST, re.compile(r"https://api\.(x|twitter)\.com/2/tweets"), callback=self._post)
        return self

    def _issue(self) -> dict[str, Any]:
        n = next(self.ids)
        access, refresh = f"access-{n}", f"refresh-{n}"
        self.access[access] = clock.now() + timedelta(seconds=7200)
        self.refresh_tokens.add(refresh)
        return {**TOKEN_DOCS["token_response"], "access_token": access, "refresh_token": refresh}

    def _client_kind(self, request: Any, form: dict[str, str]) -> str:
        header = request.headers.get("Authorization", "")
        if header.startswith("Basic "):
            if base64.b64decode(header[6:]).decode() != f"{self.client_id}:{self.client_secret}":
                self.violations.append("token request: wrong Basic credentials")
            return "confidential"
        if form.get("client_id") != self.client_id:
            self.violations.append("token request: a public client must send its client_id")
        return "public"

    def _token(self, request: Any) -> tuple[int, dict[str, str], str]:
        form = {k: v[0] for k, v in parse_qs(request.body).items()}
        if request.headers.get("Content-Type") != "application/x-www-form-urlencoded":
            self.violations.append(f"token request content type {request.headers.get('Content-Type')}")
        kind = self._client_kind(request, form)
        if form.get("grant_type") == "authorization_code":
            self.violations += form_errors(f"authorization_code_{kind}", form)
            challenge = self.codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "").encode()
            expected = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).decode().rstrip("=")
            if challenge is None or challenge != expected:
                return 400, {}, json.dumps(TOKEN_DOCS["token_refusal"])
            return 200, {}, json.dumps({**self._issue(), "scope": self.granted_scope})
        self.violations += form_errors(f"refresh_{kind}", form)
        with self.lock:
            token = form.get("refresh_token", "")
            if self.refuse_refresh or token not in self.refresh_tokens:
                self.refused.append(token)
                return 400, {}, json.dumps(TOKEN_DOCS["token_refusal"])
            self.refresh_tokens.discard(token)  # single-use
            self.spent.append(token)
            if self.invalidate_on_refresh:
                self.access.clear()
        time.sleep(self.refresh_delay)
        return 200, {}, json.dumps(self._issue())

    def _bearer(self, request: Any) -> str:
        return request.headers.get("Authorization", "").removeprefix("Bearer ")

    def _user(self, request: Any) -> bool:
        token = self._bearer(request)
        return token in self.access and clock.now() < self.access[token]

    def _me(self, request: Any) -> tuple[int, dict[str, str], str]:
        if not self._user(request):
            return 401, {}, json.dumps({"title": "Unauthorized", "status": 401})
        return 200, {}, json.dumps({"data": self.brand})

    def _webhooks(self, request: Any) -> tuple[int, dict[str, str], str]:
        hook = {"id": WEBHOOK_ID, "url": "https://example.com/webhook", "valid": True}
        return 200, {}, json.dumps({"data": [hook], "meta": {"result_count": 1}})

    def _list(self, request: Any) -> tuple[int, dict[str, str], str]:
        self._check_security(request, "GET", "/2/activity/subscriptions")
        body = {"data": self.subscriptions, "meta": {"total_subscriptions": len(self.subscriptions)}}
        self.violations += openapi_errors("GetActivitySubscriptionsResponse", {"data": self.subscriptions})
        return 200, {}, json.dumps(body)

    def _create(self, request: Any) -> tuple[int, dict[str, str], str]:
        self._check_security(request, "POST", "/2/activity/subscriptions")
        body = json.loads(request.body)
        errors = openapi_errors("CreateActivitySubscriptionRequest", body)
        if errors:
            self.violations += [f"create subscription: {e}" for e in errors]
            return 400, {}, json.dumps({"errors": [{"message": e} for e in errors]})
        if not self._user(request):
            self.violations.append("a private event subscription needs the brand's OAuth 2.0 token")
        if any(s["event_type"] == body["event_type"] and s["filter"] == body["filter"] for s in self.subscriptions):
            return 409, {}, json.dumps({"title": "Conflict", "detail": "DuplicateSubscription"})
        now = clock.now().strftime("%Y-%m-%dT%H:%M:%S.000Z")
        made = {"subscription_id": str(next(self.ids)), **body, "created_at": now, "updated_at": now}
        self.subscriptions.append(made)
        answer = {"data": {"subscription": made}}
        self.violations += openapi_errors("CreateActivitySubscriptionResponse", answer)
        return 200, {}, json.dumps(answer)

    def _delete(self, request: Any) -> tuple[int, dict[str, str], str]:
        self._check_security(request, "DELETE", "/2/activity/subscriptions/{subscription_id}")
        subscription_id = request.url.rsplit("/", 1)[-1]
        if not subscription_id.isdigit() or len(subscription_id) > 19:
            self.violations.append(f"delete: subscription_id {subscription_id!r} breaks ^[0-9]{{1,19}}$")
        before = len(self.subscriptions)
        self.subscriptions = [s for s in self.subscriptions if s["subscription_id"] != subscription_id]
        return 200, {}, json.dumps({**QUICKSTART["delete"], "data": {"deleted": len(self.subscriptions) < before}})

    def _check_security(self, request: Any, method: str, path: str) -> None:
        allowed = security_of(method, path)
        used = (
            "OAuth2UserToken" if self._user(request) else "BearerToken" if self._bearer(request) == APP_BEARER else ""
        )
        if used not in allowed:
            self.violations.append(f"{method} {path} with {used or 'no credentials'}: the spec allows {allowed}")

    def _post(self, request: Any) -> tuple[int, dict[str, str], str]:
        bearer = self._bearer(request)
        self.on_post(bearer)
        if self.post_answer is not None:
            status, body = self.post_answer
            return status, {}, json.dumps(body)
        if not self._user(request):
            return 401, {}, json.dumps({"title": "Unauthorized", "status": 401, "detail": "Unauthorized"})
        post = {"id": str(next(self.ids)), "text": json.loads(request.body)["text"]}
        self.posts.append({**post, "bearer": bearer})
        return 201, {}, json.dumps({"data": {**post, "edit_history_tweet_ids": [post["id"]]}})
