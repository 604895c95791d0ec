"""A case in full, and what agents do with it: claim, assign to a colleague on the roster, release, take over
(a lead), close, noise, pending, tags, notes, answers (one nonce each), and the same actions on a selection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.exceptions import BadRequestError, NotFoundError
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from carebird import clock
from carebird.app import inbox
from carebird.app.agentdesk import Answer
from carebird.app.inboxweb.web import body, current, member, reply
from carebird.domain import desk
from carebird.domain.desk import Action, Member

router = APIGatewayHttpRouter()
BULK_LIMIT = 100
BULK_ACTIONS = ("noise", "close", "assign", "tag", "pending", "release")


@router.get("/api/cases/<case_id>")
def case_view(case_id: str) -> Response:
    member(router.current_event)
    work, settings, store = current().work(), current().settings, current().store
    case = work.case(case_id)
    handle = case.customer.handle
    previous = store.cases_of_customer(handle, inbox.PREVIOUS_CASES + 1) if handle else []
    now = clock.now()
    detail = inbox.case_detail(case, store.messages(case.case_id), store.activity(case.case_id), previous, now,
                               settings.ingest.rules, settings.policy, settings.brand.handle,
                               opted_out_at=store.opted_out_at(case.customer.id))  # fmt: skip
    detail["templates"] = inbox.templates_for(case, current().templates, settings.policy,
                                              settings.automation.language, now)  # fmt: skip
    return reply(200, detail)


def rule_for(action: str, me: Member, data: dict[str, Any]) -> Callable[[Any], Action]:
    """The desk rule an action name stands for, with its arguments from the request."""
    now, rules = clock.now(), current().settings.ingest.rules
    if action == "claim":
        return lambda case: desk.claim(case, me.agent, now)
    if action == "take-over":
        if not me.is_lead:
            raise desk.NotAllowed("only a lead can take over a colleague's case")
        return lambda case: desk.take_over(case, me, now)
    if action == "assign":
        team = current().team.members()
        return lambda case: desk.assign(case, me, str(data.get("agent") or ""), team, now)
    if action == "release":
        return lambda case: desk.release(case, me, now)
    if action == "close":
        return lambda case: desk.close_by(case, me.agent, now)
    if action == "noise":
        return lambda case: desk.mark_noise_by(case, me.agent, bool(data.get("noise", True)), rules, now)
    if action == "urgent":
        return lambda case: desk.mark_urgent_by(case, me.agent, bool(data.get("urgent", True)), rules, now)
    if action == "pending":
        return lambda case: desk.set_pending(case, me.agent, now)
    if action == "tag":
        return lambda case: desk.set_tags(case, me.agent, _words(data.get("add")), _words(data.get("remove")))
    if action == "notes":
        return lambda case: desk.note(case, me.agent, str(data.get("text") or ""))
    raise NotFoundError(f"no action {action}")


def _words(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.replace(",", " ").split()
    return [str(v) for v in value] if isinstance(value, list) else []


@router.post("/api/cases/<case_id>/<action>")
def act(case_id: str, action: str) -> Response:
    event = router.current_event
    data, me = body(event), member(event)
    if action == "reply":
        return answer(case_id, me, data)
    done = current().work().act(case_id, me.agent, rule_for(action, me, data))
    case = done.case
    state = {"status": case.status.value, "claimed_by": desk.holder(case, clock.now()), "tags": list(case.tags)}
    state["band"] = case.band
    return reply(201 if action == "notes" else 200, state | {"action": done.action, "detail": done.detail})


def answer(case_id: str, me: Member, data: dict[str, Any]) -> Response:
    """Post an agent's answer once per nonce; 409 asks for a confirmation or names the colleague holding it."""
    request = Answer(str(data.get("text") or ""), bool(data.get("by_dm")), str(data.get("nonce") or ""),
                     bool(data.get("confirm")))  # fmt: skip
    settings = current().settings
    done = current().work().answer(case_id, me, request, current().x_client, settings.brand, settings.ingest)
    if not done.sent and not done.repeated:
        return reply(502, {"error": done.message})
    return reply(200, {"sent": done.sent, "via": done.via, "message": done.message, "repeated": done.repeated})


@router.post("/api/bulk")
def bulk() -> Response:
    """One action on a selection of cases: each case written at its own version with its own activity entry;
    a case that refuses (a colleague's, changed meanwhile) is reported and leaves the others done."""
    event = router.current_event
    data, me = body(event), member(event)
    action, ids = str(data.get("action") or ""), data.get("cases")
    if action not in BULK_ACTIONS:
        raise BadRequestError(f"action must be one of {', '.join(BULK_ACTIONS)}")
    if not isinstance(ids, list) or not 0 < len(ids) <= BULK_LIMIT:
        raise BadRequestError(f"select 1 to {BULK_LIMIT} cases")
    work, rule = current().work(), rule_for(action, me, data)
    done, refused = [], []
    for case_id in dict.fromkeys(str(i) for i in ids):
        try:
            work.act(case_id, me.agent, rule)
            done.append(case_id)
        except Exception as exc:  # one case's refusal never costs its neighbours
            refused.append({"case": case_id, "error": _why(exc)})
    return reply(200, {"action": action, "done": done, "refused": refused})


def _why(exc: Exception) -> str:
    if isinstance(exc, desk.ClaimedByAnother):
        return f"{exc.agent} is working on this case"
    if isinstance(exc, desk.NotAllowed | LookupError):
        return str(exc)
    from carebird.app.ingest import ConcurrentUpdate

    if isinstance(exc, ConcurrentUpdate):
        return "the case changed meanwhile: try again"
    raise exc


@router.post("/api/coach")
def coach() -> Response:
    event = router.current_event
    data = body(event)
    member(event)
    case = current().store.get_case(str(data["case_id"])) if data.get("case_id") else None
    public = not data.get("by_dm") and (case is None or case.family.value == "public")
    return reply(200, inbox.coach_view(str(data.get("text") or ""), case, public))
