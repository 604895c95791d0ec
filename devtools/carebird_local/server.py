"""`carebird serve`: the webhook on 127.0.0.1 (real HTTP) against the embedded stack."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from carebird_local import local

MAX_REQUEST_BYTES = 2 * 1024 * 1024
CLIENT_TIMEOUT_SECONDS = 10


def build_server(
    stack: local.EmbeddedStack, host: str = "127.0.0.1", port: int = 8080, report: Callable[[str], None] = print
) -> ThreadingHTTPServer:
    """An HTTP server mapping each request to the HTTP API event the deployed webhook receives.

    One thread per connection, so a slow client holds up nobody; the embedded AWS (moto) is not thread-safe,
    so requests reach the stack one at a time, once their body has fully arrived.
    """
    stack_lock = threading.Lock()

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
            with stack_lock:
                response = stack.webhook.lambda_handler(event, stack.context)
                if method == "POST" and response["statusCode"] == 200:
                    stack.dispatch()
            report(f"{method} {parts.path} -> {response['statusCode']} {response.get('body', '')[:160]}")
            self._reply(response)  # after the report line: a client that saw its answer finds it reported

        def _reply(self, response: dict[str, Any]) -> None:
            payload = (response.get("body") or "").encode("utf-8")
            self.send_response(response["statusCode"])
            for name, value in (response.get("headers") or {"Content-Type": "application/json"}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def log_message(self, format: str, *args: Any) -> None:
            return

    return ThreadingHTTPServer((host, port), WebhookHandler)


def _error(status: int, message: str) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"error": message}),
    }
