"""The queue's views with their counts (an ETag: an unchanged queue answers 304 with no body), the team's
roster for assignment, status counts of the recent days, and free-text search."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.exceptions import BadRequestError
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from carebird import clock
from carebird.app import inbox
from carebird.app.inboxweb.web import current, member, query, reply, shown_with, unchanged, versioned

router = APIGatewayHttpRouter()


@router.get("/api/queue")
def queue() -> Response:
    event = router.current_event
    me, desk = member(event), current()
    view = query(event, "view") or query(event, "status") or "waiting"
    channel, tag, band = query(event, "channel") or None, query(event, "tag") or None, query(event, "band") or None
    if view not in inbox.VIEWS:
        raise BadRequestError(f"view must be one of {', '.join(inbox.VIEWS)}")
    now, settings = clock.now(), desk.settings
    basis = None
    if view in inbox.QUEUE_VIEWS:  # the queue's version first: an unchanged queue costs one small read
        page = [view, channel, tag, band, me.agent, shown_with(settings)]  # what this page shows the queue with
        basis = inbox.open_queue_version(desk.store.queue_version(), now, page)
        if (not_modified := unchanged(event, basis)) is not None:
            return not_modified
    try:
        if view in inbox.QUEUE_VIEWS:
            cases = inbox.select(desk.store.open_queue(inbox.QUEUE_LIMIT), "waiting", channel)
        else:
            newest = desk.store.cases_newest_first(now, inbox.HISTORY_DAYS)
            cases = inbox.select(newest, view, channel, read_cap=inbox.HISTORY_READ_CAP)
    except ValueError as exc:
        raise BadRequestError(str(exc)) from exc
    rows = [inbox.queue_row(c, now, settings.ingest.rules, settings.policy) for c in cases]
    rows = inbox.order_queue(rows) if view in inbox.QUEUE_VIEWS else rows
    counts = inbox.queue_counts(rows, me.agent) if view in inbox.QUEUE_VIEWS and not channel else None
    shown = inbox.narrow(rows, view, me.agent, tag, band)
    payload = {"view": view, "channel": channel, "tag": tag, "band": band, "cases": shown, "counts": counts}
    return versioned(event, payload | {"at": now.isoformat()}, basis or inbox.queue_version(payload, now))


@router.get("/api/counts")
def counts() -> Response:
    """How many cases of each status were opened in the last days (the views' counts beyond the open queue)."""
    event = router.current_event
    member(event)
    desk = current()
    newest = desk.store.cases_newest_first(clock.now(), inbox.HISTORY_DAYS)
    payload = inbox.status_counts(newest, inbox.HISTORY_READ_CAP) | {"days": inbox.HISTORY_DAYS}
    return versioned(event, payload)


@router.get("/api/team")
def team() -> Response:
    """The roster: whom a case can be assigned to, and who is a lead."""
    me = member(router.current_event)
    members = [{"agent": m.agent, "role": m.role} for m in current().team.members()]
    return reply(200, {"me": {"agent": me.agent, "role": me.role}, "members": members})


@router.get("/api/search")
def search() -> Response:
    """Free text over the brand's cases of the last days (customer words, notes, handle, name, reference, tags);
    a CB-… reference or an @handle also finds older cases through their indexes."""
    event = router.current_event
    member(event)
    desk, text = current(), query(event, "q")
    if not inbox.search_words(text):
        raise BadRequestError("type some words, an @handle or a CB-… reference")
    now, settings = clock.now(), desk.settings
    exact = []
    if text.upper().startswith("CB-"):
        exact = [c for c in [desk.store.case_by_reference(text)] if c]
    elif text.startswith("@"):
        exact = desk.store.cases_of_customer(text, inbox.SEARCH_LIMIT)
    found, read = inbox.search(desk.store.cases_newest_first(now, inbox.HISTORY_DAYS), text, inbox.HISTORY_READ_CAP)
    seen = {c.case_id for c in exact}
    cases = [*exact, *(c for c in found if c.case_id not in seen)][: inbox.SEARCH_LIMIT]
    rows = [inbox.queue_row(c, now, settings.ingest.rules, settings.policy) for c in cases]
    return reply(200, {"query": text, "cases": rows, "read": read, "days": inbox.HISTORY_DAYS})
