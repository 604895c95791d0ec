"""The page: a static shell holding no data and no secret, under a strict Content-Security-Policy."""

from __future__ import annotations

import html

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from carebird.app.inboxweb.web import SECURITY_HEADERS, current

router = APIGatewayHttpRouter()
TYPES = {"index.html": "text/html; charset=utf-8", "inbox.js": "text/javascript; charset=utf-8",
         "inbox.css": "text/css; charset=utf-8"}  # fmt: skip


def content_security_policy() -> str:
    auth_url = current().settings.auth_url
    connect = "'self'" + (f" {auth_url}" if auth_url else "")
    return (
        f"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src {connect}; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def static_file(name: str) -> Response:
    settings = current().settings
    text = (current().static / name).read_text(encoding="utf-8")
    if name == "index.html":
        text = text.replace("{{auth_url}}", html.escape(settings.auth_url, quote=True))
        text = text.replace("{{client_id}}", html.escape(settings.client_id, quote=True))
        text = text.replace("{{brand}}", html.escape(settings.brand.handle, quote=True))
    headers = {**SECURITY_HEADERS, "Content-Security-Policy": content_security_policy(), "Cache-Control": "no-cache"}
    return Response(status_code=200, content_type=TYPES[name], body=text, headers=headers)


@router.get("/")
def page() -> Response:
    return static_file("index.html")


@router.get("/static/inbox.js")
def script() -> Response:
    return static_file("inbox.js")


@router.get("/static/inbox.css")
def stylesheet() -> Response:
    return static_file("inbox.css")
