"""The X adapter: one small client over tweepy with X's failures mapped to clear outcomes.

tweepy is imported only when a call is really made (never by the webhook). Text is checked with X's
weighted-length rules before any call. In dry-run mode nothing leaves the process: every call is
recorded instead (tests, the local demo, a first deployment).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from carebird.aws.pause import StopKind
from carebird.domain.model import XOutcome, XResult
from carebird.domain.textlength import MAX_WEIGHTED_LENGTH, parse_text
from carebird.errors import CarebirdError

POST_LIMIT = MAX_WEIGHTED_LENGTH
DM_LIMIT = 10_000
SERVER_ERROR_ATTEMPTS = 3
DUPLICATE_MARKERS = ("duplicate content", "status is a duplicate")
REPLY_RESTRICTED_MARKERS = ("reply to this conversation is not allowed", "not been mentioned or otherwise engaged")
USAGE_CAP_MARKERS = ("usagecapexceeded", "usage-capped", "usage cap")


API_HOST = "https://api.x.com"  # X's current host; tweepy still writes api.twitter.com (which answers too)
LEGACY_HOST = "https://api.twitter.com"


def on_current_host(client: Any) -> Any:
    """A tweepy client whose requests go to api.x.com (tweepy 4.17 hard-codes the old host)."""
    import requests

    class CurrentHost(requests.Session):
        def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
            if url.startswith(LEGACY_HOST):
                url = API_HOST + url[len(LEGACY_HOST) :]
            return super().request(method, url, *args, **kwargs)

    client.session = CurrentHost()
    return client


def dry_run_id() -> str:
    """An id shaped like X's (19 digits, starting 9: no real post has one yet), for what a dry run records."""
    return "9" + str(uuid.uuid4().int)[-18:]


@dataclass(frozen=True)
class RecordedCall:
    action: str
    text: str
    target: str | None = None


def check_post_text(text: str) -> str | None:
    """Why X would refuse this post text, or None when it is fine."""
    if not text.strip():
        return "empty text"
    parsed = parse_text(text)
    if not parsed.valid:
        return f"text is {parsed.weighted_length} weighted characters, X allows {POST_LIMIT}"
    return None


@dataclass
class XClient:
    """Post, reply in thread, DM and look users up as the brand (OAuth 1.0a user context)."""

    credentials: Mapping[str, str] = field(default_factory=dict)
    dry_run: bool = False
    client: Any = None
    sleep: Callable[[float], None] = time.sleep
    max_backoff_seconds: float = 4.0
    recorded: list[RecordedCall] = field(default_factory=list)
    tokens: Any = None  # oauth2.BrandTokens: the brand's OAuth 2.0 user context; None: the OAuth 1.0a keys
    on_stop: Callable[[StopKind, str], Any] = lambda kind, detail: None  # pause.Brakes.stop

    @property
    def user_auth(self) -> bool:
        """tweepy's OAuth 1.0a user context, unless the brand authorized carebird with OAuth 2.0."""
        return self.tokens is None or not self.tokens.authorized()

    def _tweepy(self) -> Any:
        if self.client is None:
            self.client = _tweepy_client(self.credentials)
        return _with_brand_token(self.client, self.tokens)

    # --- actions -------------------------------------------------------------------------------
    def post(self, text: str) -> XResult:
        return self._post(text, None)

    def reply(self, text: str, in_reply_to_id: str) -> XResult:
        return self._post(text, in_reply_to_id)

    def send_dm(self, participant_id: str, text: str) -> XResult:
        if not text.strip() or len(text) > DM_LIMIT:
            return XResult(XOutcome.INVALID, detail=f"a DM needs 1 to {DM_LIMIT} characters")
        if self.dry_run:
            self.recorded.append(RecordedCall("dm", text, participant_id))
            return XResult(XOutcome.RECORDED, post_id=dry_run_id())
        return self._call(
            lambda: self._tweepy().create_direct_message(
                participant_id=participant_id, text=text, user_auth=self.user_auth
            ),
            id_key="dm_event_id",
            resend_on_server_error=False,  # X has no duplicate check for DMs: a 5xx may follow a delivered one
        )

    def lookup_users(self, user_ids: list[str]) -> list[dict[str, Any]]:
        """Profiles (username, name, followers, verified) for up to 100 ids."""
        if self.dry_run or not user_ids:
            return []
        response = self._tweepy().get_users(
            ids=user_ids[:100], user_fields=["public_metrics", "verified", "name", "username"], user_auth=self.user_auth
        )
        return [dict(user.data) for user in response.data or []]

    # --- internals -----------------------------------------------------------------------------
    def _post(self, text: str, in_reply_to_id: str | None) -> XResult:
        problem = check_post_text(text)
        if problem:
            return XResult(XOutcome.INVALID, detail=problem)
        if self.dry_run:
            self.recorded.append(RecordedCall("reply" if in_reply_to_id else "post", text, in_reply_to_id))
            return XResult(XOutcome.RECORDED, post_id=dry_run_id())
        return self._call(
            lambda: self._tweepy().create_tweet(
                text=text, in_reply_to_tweet_id=in_reply_to_id, user_auth=self.user_auth
            ),
            id_key="id",
        )

    def _call(self, send: Callable[[], Any], id_key: str, resend_on_server_error: bool = True) -> XResult:
        import tweepy

        from carebird.x.oauth2 import AuthorizationLost, AuthorizationMissing, RefreshUnavailable

        delay, token_renewed = 0.5, False
        for attempt in range(1, SERVER_ERROR_ATTEMPTS + 1):
            try:
                response = send()
            except (AuthorizationLost, AuthorizationMissing) as exc:
                return XResult(XOutcome.BLOCKED, detail=str(exc))  # BrandTokens paused automation if X refused
            except RefreshUnavailable as exc:
                return XResult(XOutcome.RETRY_LATER, retry_at=datetime.now(UTC) + timedelta(minutes=1), detail=str(exc))
            except tweepy.TooManyRequests as exc:
                if _usage_capped(exc):
                    self.on_stop(StopKind.USAGE_CAP, _describe(exc))
                    return XResult(XOutcome.BLOCKED, detail=f"X usage cap reached: {_describe(exc)}"[:500])
                return XResult(XOutcome.RETRY_LATER, retry_at=_reset_time(exc), detail="rate limited by X")
            except tweepy.Forbidden as exc:
                return _forbidden(exc)
            except tweepy.TwitterServerError as exc:
                if not resend_on_server_error:
                    detail = f"X answered {_status(exc)}: the message may have been delivered, so it is not sent again"
                    return XResult(XOutcome.FAILED, detail=detail)
                if attempt == SERVER_ERROR_ATTEMPTS:
                    retry_at = datetime.now(UTC) + timedelta(minutes=1)
                    return XResult(XOutcome.RETRY_LATER, retry_at=retry_at, detail=f"X unavailable ({exc})")
                self.sleep(min(delay, self.max_backoff_seconds))
                delay *= 2
                continue
            except tweepy.HTTPException as exc:
                if _status(exc) == 401 and not self.user_auth and not token_renewed:
                    self.tokens.forget()  # replaced by another container's refresh: read the secret, try once more
                    token_renewed = True
                    continue
                if _status(exc) == 402:
                    self.on_stop(StopKind.CREDITS_DEPLETED, _describe(exc))
                    return XResult(XOutcome.BLOCKED, detail=f"X credits depleted (402): {_describe(exc)}"[:500])
                return XResult(XOutcome.FAILED, detail=_describe(exc))
            data = getattr(response, "data", None) or {}
            return XResult(XOutcome.SENT, post_id=str(data.get(id_key) or data.get("id") or ""))
        raise AssertionError("unreachable")


def _tweepy_client(credentials: Mapping[str, str], **options: Any) -> Any:
    import tweepy

    return on_current_host(
        tweepy.Client(
            bearer_token=credentials.get("bearer_token"),
            consumer_key=credentials.get("consumer_key"),
            consumer_secret=credentials.get("consumer_secret"),
            access_token=credentials.get("access_token"),
            access_token_secret=credentials.get("access_token_secret"),
            wait_on_rate_limit=False,  # never sleep up to 15 minutes inside a Lambda
            **options,
        )
    )


def _with_brand_token(client: Any, tokens: Any) -> Any:
    """With OAuth 2.0, tweepy sends the brand's access token as the bearer (user_auth=False): a fresh one each call."""
    if tokens is not None and tokens.authorized():
        client.bearer_token = tokens.access_token()
    return client


def _status(exc: Any) -> int:
    return int(getattr(getattr(exc, "response", None), "status_code", 0) or 0)


def _usage_capped(exc: Any) -> bool:
    """A 429 that is a usage cap (waiting a window does not help), not a rate limit: X's problem type
    (`.../usage-capped`), its title `UsageCapExceeded` or its detail say so."""
    body = str(getattr(getattr(exc, "response", None), "text", "") or "")
    return any(marker in f"{_describe(exc)} {body}".lower() for marker in USAGE_CAP_MARKERS)


def _forbidden(exc: Any) -> XResult:
    text = _describe(exc).lower()
    if any(marker in text for marker in DUPLICATE_MARKERS):
        return XResult(XOutcome.DUPLICATE, detail="X already has this exact text")
    if any(marker in text for marker in REPLY_RESTRICTED_MARKERS):
        return XResult(XOutcome.REPLY_NOT_ALLOWED, detail="X only lets this app reply to authors who mentioned it")
    return XResult(XOutcome.FAILED, detail=_describe(exc))


def _describe(exc: Any) -> str:
    messages = [*getattr(exc, "api_messages", []), *getattr(exc, "api_errors", [])]
    response = getattr(exc, "response", None)
    body = ""
    if response is not None:
        try:
            body = str(response.json())
        except ValueError:
            body = getattr(response, "text", "")
    return " ".join(str(m) for m in messages) or body or str(exc)


def _reset_time(exc: Any) -> datetime:
    headers = getattr(getattr(exc, "response", None), "headers", {}) or {}
    reset = headers.get("x-rate-limit-reset")
    if reset and str(reset).isdigit():
        return datetime.fromtimestamp(int(reset), tz=UTC)
    return datetime.now(UTC) + timedelta(minutes=15)


class XReadError(CarebirdError):
    """A read X refused or rate-limited; `retry_at` says when to try again, if X said."""

    def __init__(self, detail: str, retry_at: datetime | None = None) -> None:
        super().__init__(detail)
        self.retry_at = retry_at


# What a read asks X for, in the dialect of X's OpenAPI 2.167 (`post.fields`, `referenced_posts`), else in the one
# its examples and tweepy use (`tweet.fields`, `referenced_tweets.id`): a reader that gets 400 for the first falls
# back to the second for the rest of its life (one extra call per container at most). normalise reads both answers.
POST_FIELDS = ["created_at", "lang", "author_id", "entities", "in_reply_to_user_id", "conversation_id"]
FIELD_DIALECTS = (
    {
        "post.fields": ",".join([*POST_FIELDS, "referenced_posts", "note_post"]),
        "expansions": "author_id,referenced_posts",
    },
    {
        "tweet.fields": ",".join([*POST_FIELDS, "referenced_tweets", "note_tweet"]),
        "expansions": "author_id,referenced_tweets.id",
    },
)
USER_FIELDS = ["name", "username", "verified", "public_metrics"]


@dataclass
class XReader:
    """X reads (pay-per-use: each post read costs) as raw v2 JSON pages, for the watch and the poller."""

    credentials: Mapping[str, str] = field(default_factory=dict)
    client: Any = None
    tokens: Any = None  # oauth2.BrandTokens, as for XClient
    on_stop: Callable[[StopKind, str], Any] = lambda kind, detail: None
    dialect: int = 0  # index in FIELD_DIALECTS

    @property
    def user_auth(self) -> bool:
        return self.tokens is None or not self.tokens.authorized()

    def _tweepy(self) -> Any:
        if self.client is None:
            self.client = _tweepy_client(self.credentials, return_type=dict)
        return _with_brand_token(self.client, self.tokens)

    def _get(self, route: str, params: dict[str, Any], user_auth: bool, posts: bool = True) -> dict[str, Any]:
        """One GET on X's v2 API; post reads in the current field dialect, falling back once to the old one."""
        import tweepy

        from carebird.x.oauth2 import AuthorizationLost, AuthorizationMissing, RefreshUnavailable

        query = {k: v for k, v in params.items() if v is not None}
        try:
            fields = FIELD_DIALECTS[self.dialect] if posts else {}
            return self._tweepy().request("GET", route, params={**query, **fields}, user_auth=user_auth).json() or {}
        except (AuthorizationLost, AuthorizationMissing, RefreshUnavailable) as exc:
            raise XReadError(str(exc)) from exc
        except tweepy.TooManyRequests as exc:
            if _usage_capped(exc):
                self.on_stop(StopKind.USAGE_CAP, _describe(exc))
                raise XReadError(f"X usage cap reached: {_describe(exc)}"[:500]) from exc
            raise XReadError("rate limited by X", _reset_time(exc)) from exc
        except tweepy.BadRequest as exc:
            if posts and self.dialect + 1 < len(FIELD_DIALECTS):
                self.dialect += 1  # X refused the current field names: speak the older dialect from now on
                return self._get(route, params, user_auth, posts)
            raise XReadError(_describe(exc)) from exc
        except tweepy.HTTPException as exc:
            if _status(exc) == 402:
                self.on_stop(StopKind.CREDITS_DEPLETED, _describe(exc))
            raise XReadError(_describe(exc)) from exc

    def search_recent(
        self, query: str, since_id: str | None, next_token: str | None, max_results: int
    ) -> dict[str, Any]:
        params: dict[str, str | int | None] = {"query": query, "since_id": since_id, "next_token": next_token}
        params |= {"max_results": max(10, min(100, max_results)), "user.fields": ",".join(USER_FIELDS)}
        return self._get("/2/tweets/search/recent", params, user_auth=False)

    def mentions(
        self, user_id: str, since_id: str | None, pagination_token: str | None, max_results: int
    ) -> dict[str, Any]:
        """The brand's mentions: an owned read when the app's owner is the brand ($0.001 a post, not $0.005)."""
        params: dict[str, str | int | None] = {"since_id": since_id, "pagination_token": pagination_token}
        params |= {"max_results": max(5, min(100, max_results)), "user.fields": ",".join(USER_FIELDS)}
        return self._get(f"/2/users/{user_id}/mentions", params, user_auth=self.user_auth)

    def dm_events(self, pagination_token: str | None, max_results: int) -> dict[str, Any]:
        params = {
            "pagination_token": pagination_token,
            "max_results": max(1, min(100, max_results)),
            "event_types": "MessageCreate",
            "dm_event.fields": "id,text,event_type,created_at,sender_id,dm_conversation_id,participant_ids",
            "expansions": "sender_id",
            "user.fields": ",".join(USER_FIELDS),
        }
        return self._get("/2/dm_events", params, user_auth=self.user_auth, posts=False)
