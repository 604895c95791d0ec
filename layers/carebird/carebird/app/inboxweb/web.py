"""What every inbox route shares: the desk's wiring (store, roster, templates, X), the request checks and the
JSON answers. In AWS every /inbox/api route sits behind the HTTP API's JWT authorizer (Cognito, team only): the
agent's identity comes from the verified token's claims, never from the request body, and the roster is read on
every call, so an agent removed from the team loses access at their next click. State-changing calls must be
JSON with a Bearer token and, when the browser says where it comes from, come from this origin."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.exceptions import BadRequestError, UnauthorizedError

from carebird import clock
from carebird.app.agentdesk import AgentDesk, NotOnTeam
from carebird.aws.case_store import DynamoCaseStore, KpiCounters
from carebird.aws.teamstore import DynamoTeam
from carebird.aws.usage import DynamoUsage
from carebird.domain import desk
from carebird.domain.desk import Member
from carebird.domain.replies import load_templates
from carebird.ports import AutomationState, InboxStore
from carebird.settings import InboxSettings

MAX_BODY = 20_000
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@dataclass
class Desk:
    """The inbox's wiring, made once per container: the only place the inbox names its DynamoDB adapters; the
    routes see the ports (carebird.ports.InboxStore, AutomationState)."""

    settings: InboxSettings
    static: Path
    store: InboxStore = field(init=False)
    team: DynamoTeam = field(init=False)
    templates: dict[str, dict[str, str]] = field(init=False)
    x: Any = None
    _table: DynamoCaseStore = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._table = DynamoCaseStore(self.settings.cases_table)
        self.store = self._table
        self.team = DynamoTeam(self._table)
        self.templates = load_templates()

    def usage(self) -> DynamoUsage:
        """The X calls carebird counted, day by day (on the store's client: one connection pool)."""
        return DynamoUsage(self.settings.cases_table, self._table.client)

    def kpi_counters(self) -> KpiCounters:
        """The KPI counters the dispatcher keeps (the KPI page reads them, never the cases)."""
        return KpiCounters(self._table)

    def automation(self) -> AutomationState:
        """Whether X stopped carebird's automatic posting (the banner)."""
        from carebird.aws.pause import DynamoAutomationState

        return DynamoAutomationState(self.settings.cases_table, self._table.client)

    def x_client(self) -> Any:
        """X, made on the first answer only (tweepy stays out of the page's cold start)."""
        if self.x is None:
            from carebird.x.factory import x_client as make

            settings = self.settings  # the brand's OAuth 2.0 token and X's stops (pause), metered (the X bill)
            self.x = make(
                settings.secret_arn,
                settings.automation.dry_run,
                settings.cases_table,
                settings.alert_topic_arn,
                settings.brand.handle,
            )
        return self.x

    def work(self) -> AgentDesk:
        return AgentDesk(self.store, self.team, clock.now, "inbox")


_desk: Desk | None = None


def wire(settings: InboxSettings, static: Path) -> Desk:
    global _desk
    _desk = Desk(settings, static)
    return _desk


def current() -> Desk:
    assert _desk is not None, "the inbox handler wires the desk at import"
    return _desk


def reply(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(
        status_code=status,
        content_type="application/json",
        body=json.dumps(body, ensure_ascii=False) if body is not None else "",
        headers={**SECURITY_HEADERS, "Cache-Control": "no-store", **(headers or {})},
    )


def identity(event: Any) -> str:
    """Who is acting: the verified token's e-mail (or user name), as API Gateway's JWT authorizer passed it."""
    context = event.raw_event.get("requestContext") or {}
    claims = ((context.get("authorizer") or {}).get("jwt") or {}).get("claims") or {}
    name = str(claims.get("email") or claims.get("cognito:username") or claims.get("username") or "").strip()
    if not name:
        raise UnauthorizedError("sign in first")
    return name[: desk.AGENT_LIMIT]


def member(event: Any) -> Member:
    """The signed-in agent as the roster knows them now; NotOnTeam (403) for anyone removed or never added."""
    found = current().team.member(identity(event))
    if found is None:
        raise NotOnTeam("you are not on the care team's roster (any more): ask your lead")
    return found


def body(event: Any) -> dict[str, Any]:
    """A state-changing request's JSON body, refused unless it is JSON sent from this page."""
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


def query(event: Any, name: str, limit: int = 100) -> str:
    return ((event.query_string_parameters or {}).get(name) or "").strip()[:limit]


def _etag(basis: Any) -> str:
    return '"' + hashlib.sha256(json.dumps(basis, ensure_ascii=False, default=str).encode()).hexdigest()[:32] + '"'


def _held(event: Any) -> str | None:
    """The version the page already has (its If-None-Match)."""
    return {k.lower(): v for k, v in (event.headers or {}).items()}.get("if-none-match")


def _not_modified(version: str) -> Response:
    return Response(
        status_code=304,
        content_type="application/json",
        body="",
        headers={**SECURITY_HEADERS, "Cache-Control": "no-store", "ETag": version},
    )


_settings_marks: dict[int, str] = {}


def shown_with(settings: InboxSettings) -> str:
    """A digest of the settings a queue row is drawn with (triage rules, SLA policy), once per container: a
    deployment that changes them redraws every page (their repr holds no address, so containers agree)."""
    if id(settings) not in _settings_marks:
        drawn_with = repr((settings.ingest.rules, settings.policy)).encode()
        _settings_marks[id(settings)] = hashlib.sha256(drawn_with).hexdigest()[:16]
    return _settings_marks[id(settings)]


def unchanged(event: Any, basis: Any) -> Response | None:
    """304 when the page already has the version `basis` makes (decided before anything else is read), else None."""
    version = _etag(basis)
    return _not_modified(version) if _held(event) == version else None


def versioned(event: Any, payload: dict[str, Any], basis: Any = None) -> Response:
    """The payload with its ETag, a digest of `basis` (what must change for the page to redraw; the payload
    itself when None), or 304 and no body when the page already has this version."""
    version = _etag(payload if basis is None else basis)
    if _held(event) == version:
        return _not_modified(version)
    return Response(
        status_code=200,
        content_type="application/json",
        body=json.dumps(payload, ensure_ascii=False),
        headers={**SECURITY_HEADERS, "Cache-Control": "no-store", "ETag": version},
    )
