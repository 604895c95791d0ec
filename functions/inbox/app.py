"""Inbox Lambda: the care team's web page (a static shell) and the JSON API it works the queue with.

In AWS every /inbox/api route sits behind the HTTP API's JWT authorizer (Cognito, team only): the agent's
identity comes from the verified token's claims, never from the request body. The shell itself holds no data
and no secret. State-changing calls must be JSON with a Bearer token and, when the browser says where it comes
from, come from this origin: a cross-site form or link can change nothing (no cookies are used at all).
"""

from __future__ import annotations

import html
import json
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import (
    BadRequestError,
    NotFoundError,
    ServiceError,
    UnauthorizedError,
)

from carebird import clock, desk, inbox
from carebird import settings as configuration
from carebird.answering import answer_case
from carebird.errors import StorageUnavailable
from carebird.kpi_counting import kpi_report
from carebird.replies import load_templates
from carebird.store import DynamoCaseStore, KpiCounters
from carebird.table import activity_item
from carebird.tracing import tracer_for

logger = Logger()  # service: POWERTOOLS_SERVICE_NAME, set by the template
tracer = tracer_for(configuration.tracing())
settings = configuration.inbox()
store = DynamoCaseStore(settings.cases_table)
templates = load_templates()
app = APIGatewayHttpResolver(strip_prefixes=["/inbox"])
STATIC = Path(__file__).with_name("static")
MAX_BODY = 20_000
_x: Any = None

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def content_security_policy() -> str:
    connect = "'self'" + (f" {settings.auth_url}" if settings.auth_url else "")
    return (
        f"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src {connect}; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def x_client() -> Any:
    """X, made on the first answer only (tweepy stays out of the page's cold start)."""
    global _x
    if _x is None:
        from carebird.xfactory import x_client as make

        _x = make(settings.secret_arn, settings.automation.dry_run)
    return _x


def reply(status: int, body: Any) -> Response:
    return Response(
        status_code=status,
        content_type="application/json",
        body=json.dumps(body, ensure_ascii=False),
        headers={**SECURITY_HEADERS, "Cache-Control": "no-store"},
    )


def agent() -> str:
    """Who is acting: the verified token's e-mail (or user name), as API Gateway's JWT authorizer passed it."""
    context = app.current_event.raw_event.get("requestContext") or {}
    claims = ((context.get("authorizer") or {}).get("jwt") or {}).get("claims") or {}
    name = str(claims.get("email") or claims.get("cognito:username") or claims.get("username") or "").strip()
    if not name:
        raise UnauthorizedError("sign in first")
    return name[: desk.AGENT_LIMIT]


def body() -> dict[str, Any]:
    """A state-changing request's JSON body, refused unless it is JSON sent from this page."""
    event = app.current_event
    headers = {k.lower(): v for k, v in (event.headers or {}).items()}
    if not headers.get("content-type", "").startswith("application/json"):
        raise BadRequestError("send JSON (Content-Type: application/json)")
    origin = headers.get("origin")
    if origin and urlsplit(origin).netloc != headers.get("host", ""):
        raise UnauthorizedError("cross-site request refused")
    raw = event.decoded_body or ""
    if len(raw) > MAX_BODY:
        raise BadRequestError(f"body larger than {MAX_BODY} characters")
    try:
        data = json.loads(raw or "{}")
    except ValueError as exc:
        raise BadRequestError("body is not valid JSON") from exc
    if not isinstance(data, dict):
        raise BadRequestError("body must be a JSON object")
    return data


def case_or_404(case_id: str) -> Any:
    case = store.get_case(case_id)
    if case is None:
        raise NotFoundError(f"no case {case_id}")
    return case


def apply(case_id: str, action: Any) -> Any:
    """Save an agent's action on the case (versioned, so two agents' actions never overwrite each other)."""
    case = case_or_404(case_id)
    done = action(case)
    item = activity_item(case.case_id, clock.now(), agent(), done.action, done.detail)
    if done.case is case:
        store.record(item)
    else:
        store.save_case(done.case, case.version, activity=item)
    return done


# --- the page ------------------------------------------------------------------------------------------------
def static_file(name: str, content_type: str) -> Response:
    text = (STATIC / name).read_text(encoding="utf-8")
    if name == "index.html":
        text = text.replace("{{auth_url}}", html.escape(settings.auth_url, quote=True))
        text = text.replace("{{client_id}}", html.escape(settings.client_id, quote=True))
        text = text.replace("{{brand}}", html.escape(settings.brand.handle, quote=True))
    headers = {**SECURITY_HEADERS, "Content-Security-Policy": content_security_policy(), "Cache-Control": "no-cache"}
    return Response(status_code=200, content_type=content_type, body=text, headers=headers)


@app.get("/")
def page() -> Response:
    return static_file("index.html", "text/html; charset=utf-8")


@app.get("/static/inbox.js")
def script() -> Response:
    return static_file("inbox.js", "text/javascript; charset=utf-8")


@app.get("/static/inbox.css")
def stylesheet() -> Response:
    return static_file("inbox.css", "text/css; charset=utf-8")


# --- the API (JWT-authorized in AWS) ---------------------------------------------------------------------------
@app.get("/api/queue")
def queue() -> Response:
    agent()
    query = app.current_event.query_string_parameters or {}
    status, channel = query.get("status") or "waiting", query.get("channel") or None
    now = clock.now()
    try:
        if status == "waiting":
            cases = inbox.select(store.open_queue(inbox.QUEUE_LIMIT), status, channel)
        else:
            newest = store.cases_newest_first(now, inbox.HISTORY_DAYS)
            cases = inbox.select(newest, status, channel, read_cap=inbox.HISTORY_READ_CAP)
    except ValueError as exc:
        raise BadRequestError(str(exc)) from exc
    rows = [inbox.queue_row(c, now, settings.ingest.rules, settings.policy) for c in cases]
    ordered = inbox.order_queue(rows) if status == "waiting" else rows
    return reply(200, {"status": status, "channel": channel, "cases": ordered, "at": clock.now().isoformat()})


@app.get("/api/cases/<case_id>")
def case_view(case_id: str) -> Response:
    agent()
    case = case_or_404(case_id)
    previous = store.cases_of_customer(case.customer.handle, inbox.PREVIOUS_CASES + 1) if case.customer.handle else []
    detail = inbox.case_detail(
        case,
        store.messages(case.case_id),
        store.activity(case.case_id),
        previous,
        clock.now(),
        settings.ingest.rules,
        settings.policy,
    )
    detail["templates"] = inbox.templates_for(
        case, templates, settings.policy, settings.automation.language, clock.now()
    )
    return reply(200, detail)


@app.post("/api/cases/<case_id>/claim")
def claim(case_id: str) -> Response:
    body()
    done = apply(case_id, lambda case: desk.claim(case, agent(), clock.now()))
    return reply(200, {"claimed_by": done.case.claimed_by})


@app.post("/api/cases/<case_id>/assign")
def assign(case_id: str) -> Response:
    colleague = str(body().get("agent") or "")
    done = apply(case_id, lambda case: desk.assign(case, agent(), colleague, clock.now()))
    return reply(200, {"claimed_by": done.case.claimed_by})


@app.post("/api/cases/<case_id>/release")
def release(case_id: str) -> Response:
    body()
    apply(case_id, lambda case: desk.release(case, agent(), clock.now()))
    return reply(200, {"claimed_by": None})


@app.post("/api/cases/<case_id>/close")
def close(case_id: str) -> Response:
    body()
    done = apply(case_id, lambda case: desk.close_by(case, agent(), clock.now()))
    return reply(200, {"status": done.case.status.value})


@app.post("/api/cases/<case_id>/noise")
def noise(case_id: str) -> Response:
    is_noise = bool(body().get("noise", True))
    done = apply(case_id, lambda case: desk.mark_noise_by(case, agent(), is_noise, settings.ingest.rules, clock.now()))
    return reply(200, {"status": done.case.status.value})


@app.post("/api/cases/<case_id>/notes")
def add_note(case_id: str) -> Response:
    text = str(body().get("text") or "")
    done = apply(case_id, lambda case: desk.note(case, agent(), text))
    return reply(201, {"note": done.detail})


@app.post("/api/cases/<case_id>/reply")
def answer(case_id: str) -> Response:
    data = body()
    text, by_dm = str(data.get("text") or "").strip(), bool(data.get("by_dm"))
    if not text:
        raise BadRequestError("write an answer first")
    who = agent()
    case = case_or_404(case_id)
    if case.channel.value in inbox.WATCH_CHANNELS:
        raise BadRequestError(f"X lets apps reply only to people who addressed the brand: answer from {case.link}")
    advice = inbox.coach_view(text, case, public=not by_dm and case.family.value == "public")
    if advice["too_long"]:
        raise BadRequestError(f"{advice['weighted_length']} weighted characters: X allows {advice['limit']}")
    claimed = desk.before_answer(case, who, clock.now())  # a colleague's case: 409, nothing is sent
    if claimed.case != case:
        store.save_case(claimed.case, case.version, activity=activity_item(case.case_id, clock.now(), who, "claim"))
    outcome = answer_case(
        store, case, text, x_client(), clock.now(), settings.brand.user_id, who, by_dm, settings.ingest
    )
    via = outcome.via.value if outcome.via else ""
    store.record(activity_item(case.case_id, clock.now(), who, "reply" if outcome.answered else "reply failed", via))
    if not outcome.answered:
        return reply(502, {"error": outcome.message})
    return reply(200, {"sent": True, "via": via, "message": outcome.message})


@app.post("/api/coach")
def coach() -> Response:
    agent()
    data = body()
    case = store.get_case(str(data["case_id"])) if data.get("case_id") else None
    public = not data.get("by_dm") and (case is None or case.family.value == "public")
    return reply(200, inbox.coach_view(str(data.get("text") or ""), case, public))


@app.get("/api/search")
def search() -> Response:
    agent()
    query = ((app.current_event.query_string_parameters or {}).get("q") or "").strip()[:100]
    if not query:
        raise BadRequestError("search by @handle or CB-… reference")
    if query.upper().startswith("CB-"):
        found = store.case_by_reference(query)
        cases = [found] if found else []
    else:
        cases = store.cases_of_customer(query, 50)
    now = clock.now()
    return reply(
        200, {"query": query, "cases": [inbox.queue_row(c, now, settings.ingest.rules, settings.policy) for c in cases]}
    )


@app.get("/api/kpi")
def kpis() -> Response:
    agent()
    try:
        days = max(1, min(31, int((app.current_event.query_string_parameters or {}).get("days") or 7)))
    except ValueError as exc:
        raise BadRequestError("days must be a whole number") from exc
    until = clock.now()
    report, by_day = kpi_report(KpiCounters(store), store, settings.policy, until - timedelta(days=days), until)
    return reply(200, inbox.kpi_view(report, (), settings.policy, by_day))


# --- errors: a clear message and the right status, never a stack trace ---------------------------------------
@app.exception_handler(desk.ClaimedByAnother)
def claimed_by_another(exc: desk.ClaimedByAnother) -> Response:
    since = exc.since.isoformat() if exc.since else None
    return reply(409, {"error": f"{exc.agent} is working on this case", "claimed_by": exc.agent, "since": since})


@app.exception_handler(desk.NotAllowed)
def not_allowed(exc: desk.NotAllowed) -> Response:
    return reply(400, {"error": str(exc)})


@app.exception_handler(StorageUnavailable)
def storage_unavailable(exc: StorageUnavailable) -> Response:
    logger.warning("storage unavailable", extra={"reason": str(exc)})
    return reply(503, {"error": "the case store is busy: try again in a moment"})


@app.exception_handler(Exception)
def unexpected(exc: Exception) -> Response:
    from carebird.ingest import ConcurrentUpdate

    if isinstance(exc, ConcurrentUpdate):
        return reply(409, {"error": "the case changed meanwhile: reload it and try again"})
    if isinstance(exc, ServiceError):  # 400, 401, 404 raised on purpose above
        return reply(exc.status_code, {"error": exc.msg})
    logger.exception("inbox request failed")
    return reply(500, {"error": "something went wrong; the team's logs have the details"})


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
