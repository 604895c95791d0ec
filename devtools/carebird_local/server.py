"""`carebird serve`: the webhook on 127.0.0.1 (real HTTP) against the embedded stack."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import secrets
import threading
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qsl, urlsplit

from carebird.aws.teamstore import DynamoTeam
from carebird_local import local

MAX_REQUEST_BYTES = 2 * 1024 * 1024
CLIENT_TIMEOUT_SECONDS = 10


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost (a name such as 127.0.0.1.evil.example is not)."""
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_allowed(header: str | None, port: int) -> bool:
    """A loopback server answers only requests addressed to loopback (its Host header), so a web page whose name
    an attacker re-points at 127.0.0.1 (DNS rebinding) can neither sign in nor read the inbox."""
    if not header:
        return False
    value = header.strip().lower()
    if value.startswith("["):  # [::1] or [::1]:8080
        name, _, rest = value[1:].partition("]")
        given = rest.removeprefix(":")
    else:
        name, _, given = value.partition(":")
    if given and given != str(port):
        return False
    return is_loopback(name)


def build_server(
    stack: local.EmbeddedStack,
    host: str = "127.0.0.1",
    port: int = 8080,
    report: Callable[[str], None] = print,
    sign_in_secret: str | None = None,
) -> ThreadingHTTPServer:
    """An HTTP server mapping each request to the HTTP API event the deployed webhook receives.

    One thread per connection, so a slow client holds up nobody; the embedded AWS (moto) is not thread-safe,
    so requests reach the stack one at a time, once their body has fully arrived. On loopback it answers only
    requests whose Host is loopback; off loopback the development sign-in needs `sign_in_secret` (required).
    """
    if not is_loopback(host) and not sign_in_secret:
        raise ValueError("a server off loopback needs a sign-in secret")
    stack_lock = threading.Lock()
    signing_key = secrets.token_bytes(32)  # development sign-in tokens die with this server
    posted = [0]  # how many of the stack's dry-run X calls the console has shown

    def show_posts() -> None:
        """One console line per post, reply or DM carebird would have made on X since the last request."""
        calls = stack.x_calls()
        for call in calls[posted[0] :]:
            report(f"  would post on X (dry run): {call.action} {call.text[:100]!r}")
        posted[0] = len(calls)

    def inbox_request(method: str, path: str, event: dict[str, Any], body: bytes | None) -> dict[str, Any] | None:
        """What API Gateway does before the inbox function: the JWT check on /inbox/api (here, the development
        sign-in's token), and the development sign-in itself, which exists only in this local server."""
        if path == "/inbox/dev/sign-in" and method == "POST":
            try:
                asked = json.loads(body or b"{}")
                name, lead = str(asked.get("name") or "").strip(), asked.get("lead") is True
                given = str(asked.get("passphrase") or "")
            except (ValueError, AttributeError):
                name, lead, given = "", False, ""
            if not 0 < len(name) <= 60:
                return _error(400, "give an agent name (1 to 60 characters)")
            if sign_in_secret and not hmac.compare_digest(given.encode("utf-8"), sign_in_secret.encode("utf-8")):
                return _error(401, "this server listens off loopback: give its --secret as the passphrase")
            with stack_lock:  # the development sign-in puts the agent on the roster (Cognito + invite in AWS)
                team = DynamoTeam(stack.store)
                if team.member(name) is None or lead:
                    team.add(name, "lead" if lead else "agent")
            return {
                "statusCode": 200,
                "headers": {"Content-Type": "application/json", "Cache-Control": "no-store"},
                "body": json.dumps({"token": dev_token(signing_key, name), "development": True}),
            }
        if path.startswith("/inbox/api/"):
            header = next((v for k, v in event["headers"].items() if k.lower() == "authorization"), "")
            if not header.isascii():
                return _error(400, "the Authorization header must be ASCII (Bearer TOKEN)")
            agent = dev_agent(signing_key, header.removeprefix("Bearer ").strip())
            if agent is None:
                return {
                    "statusCode": 401,
                    "headers": {"Content-Type": "application/json"},
                    "body": '{"message":"Unauthorized"}',
                }
            event["requestContext"]["authorizer"] = {"jwt": {"claims": {"email": agent, "dev": "true"}, "scopes": None}}
        return None

    class WebhookHandler(BaseHTTPRequestHandler):
        timeout = CLIENT_TIMEOUT_SECONDS  # a client that stops sending is dropped, not waited for

        def _length(self) -> int | None:
            """The declared body length, or None after answering 400/413 for one that cannot be used."""
            declared = self.headers.get("content-length") or "0"
            if not declared.isdigit():
                self._reply(_error(400, f"Content-Length must be a non-negative integer, got {declared[:20]!r}"))
                return None
            if int(declared) > MAX_REQUEST_BYTES:
                self._reply(_error(413, f"body larger than {MAX_REQUEST_BYTES} bytes"))
                return None
            return int(declared)

        def _handle(self, method: str) -> None:
            parts = urlsplit(self.path)
            port = cast(ThreadingHTTPServer, self.server).server_port
            if is_loopback(host) and not host_allowed(self.headers.get("host"), port):
                report(f"{method} {parts.path} -> 400 refused: Host {str(self.headers.get('host'))[:60]!r}")
                self._reply(_error(400, "this server answers requests to 127.0.0.1 or localhost only (Host)"))
                return
            length = self._length()
            if length is None:
                return
            body = self.rfile.read(length) if length else None
            # The body travels base64-encoded, as API Gateway does for bytes: exactly what X signed.
            query = dict(parse_qsl(parts.query)) or None
            event = local.http_api_event(
                method,
                parts.path or "/",
                body=body,
                headers=dict(self.headers.items()),
                query=query,
                base64_encoded=body is not None,
            )
            if parts.path == "/inbox" or parts.path.startswith("/inbox/"):
                response = inbox_request(method, parts.path, event, body)
                if response is None:
                    with stack_lock:
                        response = stack.inbox.lambda_handler(event, stack.context)
                        if method == "POST" and response["statusCode"] < 300:
                            stack.dispatch()  # the stream consumers react to what the agent did
                        if method == "POST" or response["statusCode"] >= 400:  # not the page's 15 s refresh
                            report(f"{method} {parts.path} -> {response['statusCode']}")
                        show_posts()
                else:
                    report(f"{method} {parts.path} -> {response['statusCode']}")
                self._reply(response)
                return
            with stack_lock:
                response = stack.webhook.lambda_handler(event, stack.context)
                ingested = stack.run_ingester()  # Lambda runs the ingester on what the webhook handed over
                if method == "POST" and response["statusCode"] == 200:
                    stack.dispatch()
                report(delivery_line(method, parts.path, response, ingested))
                show_posts()
            self._reply(response)  # after the report lines: a client that saw its answer finds it reported

        def _reply(self, response: dict[str, Any]) -> None:
            payload = (response.get("body") or "").encode("utf-8")
            self.send_response(response["statusCode"])
            for name, value in (response.get("headers") or {"Content-Type": "application/json"}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _answer(self, method: str) -> None:
            try:
                self._handle(method)
            except Exception as exc:  # one line on the console and a 500, never a traceback
                report(f"{method} {self.path[:80]} -> 500 {type(exc).__name__}: {str(exc)[:160]}")
                with contextlib.suppress(OSError):  # the client may be gone
                    self._reply(_error(500, "the local server failed on this request (see its console)"))

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

        def log_message(self, format: str, *args: Any) -> None:
            return

    return ThreadingHTTPServer((host, port), WebhookHandler)


def delivery_line(method: str, path: str, response: dict[str, Any], ingested: Sequence[Any] = ()) -> str:
    """One console line per request to the webhook: what X's delivery became in the ingester (created, duplicate...)."""
    status = response["statusCode"]
    try:
        body = json.loads(response.get("body") or "{}")
    except ValueError:
        body = {}
    if method == "POST" and status == 200 and ingested:
        failed = [invocation for invocation in ingested if invocation.failed]
        if failed:
            error = failed[-1].errors[-1]
            failure = f"{type(error).__name__}: {str(error)[:100]}"
            return f"{method} {path} -> {status} handed over; the ingester failed: {failure}"
        answer = ingested[-1].answer if isinstance(ingested[-1].answer, dict) else {}
        counted = ", ".join(f"{n} {k}" for k, n in (answer.get("outcomes") or {}).items() if n) or "nothing to store"
        return f"{method} {path} -> {status} {answer.get('feed', '')} delivery: {counted}"
    if method == "GET" and status == 200:
        return f"{method} {path} -> {status} CRC challenge answered"
    reason = body.get("error") or body.get("message") if isinstance(body, dict) else None
    return f"{method} {path} -> {status}{' ' + str(reason)[:120] if reason else ''}"


def dev_token(key: bytes, name: str) -> str:
    """A development sign-in token: the agent's name, signed with the server's key (not a JWT, not for AWS)."""
    payload = base64.urlsafe_b64encode(name.encode("utf-8")).decode("ascii")
    signature = hmac.new(key, payload.encode("ascii"), hashlib.sha256).hexdigest()
    return f"dev.{payload}.{signature}"


def dev_agent(key: bytes, token: str) -> str | None:
    """The agent a development token names, or None when it was not made by this server."""
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != "dev" or not token.isascii():
        return None
    expected = hmac.new(key, parts[1].encode("ascii"), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, parts[2]):
        return None
    try:
        return base64.urlsafe_b64decode(parts[1].encode("ascii")).decode("utf-8")
    except ValueError:
        return None


def _error(status: int, message: str) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"error": message}),
    }
