"""`carebird serve`: the webhook on 127.0.0.1 (real HTTP) against the embedded stack."""

from __future__ import annotations

from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from carebird import local

MAX_REQUEST_BYTES = 2 * 1024 * 1024


def build_server(
    stack: local.EmbeddedStack, host: str = "127.0.0.1", port: int = 8080, report: Callable[[str], None] = print
) -> HTTPServer:
    """An HTTP server mapping each request to the HTTP API event the deployed webhook receives."""

    class WebhookHandler(BaseHTTPRequestHandler):
        def _handle(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = min(int(self.headers.get("content-length") or 0), MAX_REQUEST_BYTES)
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
            response = stack.webhook.lambda_handler(event, stack.context)
            if method == "POST" and response["statusCode"] == 200:
                stack.dispatch()
            self._reply(response)
            report(f"{method} {parts.path} -> {response['statusCode']} {response.get('body', '')[:160]}")

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

    return HTTPServer((host, port), WebhookHandler)
