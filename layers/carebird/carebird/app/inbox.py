"""The care team's inbox, as data: queue rows, a case in full, templates, KPIs by day. Plain functions.

Everything returned is JSON-ready and holds customer text as text: the page renders it with textContent, never
as HTML. Times are ISO UTC; waiting and SLA figures are opening minutes of the brand's calendar.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from carebird.domain.announcements import language_of, when_text
from carebird.domain.calendar import OpeningHours
from carebird.domain.cases import Case
from carebird.domain.desk import holder
from carebird.domain.kpi import AGENT_PRECISION, FIRST_RESPONSE_PRECISION, FirstResponseFigures, KpiReport
from carebird.domain.model import Family
from carebird.domain.replies import TemplateError, coach, greeting_for, render
from carebird.domain.sla import SlaPolicy
from carebird.domain.textlength import MAX_WEIGHTED_LENGTH, weighted_length
from carebird.domain.timeparse import to_iso
from carebird.domain.triage import TriageRules, band_order, effective_priority

# The queue's views: "waiting" is the open queue (open and escalated cases whose customer waits); "mine" and
# "unassigned" are parts of it; the others are statuses of the cases opened in the last HISTORY_DAYS days.
STATUS_FILTERS = ("waiting", "answered", "escalated", "pending", "noise", "praise", "closed")
QUEUE_VIEWS = ("waiting", "mine", "unassigned")
VIEWS = (*QUEUE_VIEWS, *STATUS_FILTERS[1:])
SEARCH_LIMIT = 50
CHANNEL_FILTERS = ("mention", "reply", "quote", "dm", "citation", "topic")
QUEUE_LIMIT = 500
HISTORY_DAYS = 30  # how far back the non-waiting filters look
HISTORY_READ_CAP = 5_000  # cases read at most to fill a non-waiting filter
PREVIOUS_CASES = 10
DRAFT_LIMIT = 10_000  # a DM may be that long; a public reply is held to X's 280 weighted characters
WATCH_CHANNELS = ("citation", "topic")


def _iso(moment: datetime | None) -> str | None:
    return to_iso(moment) if moment else None


def queue_row(case: Case, now: datetime, rules: TriageRules, policy: SlaPolicy) -> dict[str, Any]:
    """One line of the queue: who, how urgent and why, how long they wait, when the SLA runs out, who has it."""
    hours = policy.hours
    waiting = int(hours.open_minutes_between(case.waiting_since, now)) if case.waiting_since else 0
    sla = policy.minutes_for_case(case)
    due_at = hours.add_open_minutes(case.waiting_since, sla) if sla and case.waiting_since else None
    return {
        "id": case.case_id,
        "ref": case.reference,
        "author": case.customer.handle,
        "name": case.customer.name,
        "followers": case.customer.followers,
        "verified": case.customer.verified,
        "channel": case.channel.value,
        "family": case.family.value,
        "status": case.status.value,
        "kind": case.kind,
        "band": case.band,
        "topic": case.topic,
        "priority": case.priority,
        "effective": effective_priority(case.priority, case.waiting_since, now, rules) if case.waiting_since else None,
        "reasons": list(case.reasons),
        "waiting": case.waiting_since is not None,
        "waiting_minutes": waiting,
        "sla_minutes": sla,
        "due_in_minutes": (sla - waiting) if sla and case.waiting_since else None,
        "due_at": _iso(due_at),
        "due_text": due_text(due_at, sla - waiting, now, hours) if due_at else None,
        "waiting_calendar_minutes": int((now - case.waiting_since).total_seconds() // 60) if case.waiting_since else 0,
        "tags": list(case.tags),
        "lang": case.lang,
        "claimed_by": holder(case, now),
        "preview": case.preview,
        "opened_at": _iso(case.opened_at),
        "last_activity_at": _iso(case.last_activity_at),
        "link": case.link,
    }


def due_text(due_at: datetime, due_in_minutes: int, now: datetime, hours: OpeningHours) -> str:
    """The deadline as a person reads it, in the brand's zone and in opening minutes: `due Mon 09:30 (30 opening
    min)`, `due 14:05 (25 opening min)` today, `overdue since 09:30` once passed."""
    local, today = due_at.astimezone(hours.zone), now.astimezone(hours.zone).date()
    moment = f"{local:%H:%M}" if local.date() == today else f"{local:%a %H:%M}"
    if due_in_minutes <= 0:
        return f"overdue since {moment}"
    return f"due {moment} ({due_in_minutes} opening min)"


def select(cases: Iterable[Case], status: str, channel: str | None, read_cap: int | None = None) -> list[Case]:
    """The cases a filter shows (at most QUEUE_LIMIT): 'waiting' in the queue's order; the others from cases given
    newest first, reading no more than `read_cap` of them (a rare status on a busy desk never reads a month)."""
    if status not in STATUS_FILTERS:
        raise ValueError(f"view must be one of {', '.join(VIEWS)}")
    if channel and channel not in CHANNEL_FILTERS:
        raise ValueError(f"channel must be one of {', '.join(CHANNEL_FILTERS)}")
    chosen: list[Case] = []
    for read, case in enumerate(cases, start=1):
        if (not channel or case.channel.value == channel) and (
            case.awaiting_reply if status == "waiting" else case.status.value == status
        ):
            chosen.append(case)
            if len(chosen) >= QUEUE_LIMIT:
                break
        if read_cap is not None and read >= read_cap:
            break
    return chosen if status == "waiting" else sorted(chosen, key=lambda c: c.last_activity_at, reverse=True)


def order_queue(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Urgent band first, whatever the priorities; inside a band the priority aged in opening minutes, then the
    longest wait (then the case id: one order for equal cases, so an unchanged queue keeps its version)."""
    return sorted(
        rows,
        key=lambda r: (band_order(r["band"]), -(r["effective"] or r["priority"]), -r["waiting_minutes"], r["id"]),
    )


def message_view(item: dict[str, Any], brand_handle: str = "") -> dict[str, Any]:
    """One message as the thread shows it: a brand answer is written by the brand's account, and says who sent
    it: the agent (inbox, CLI), carebird (its acknowledgement) or the X app (an answer posted outside carebird)."""
    outgoing = item.get("direction") == "out"
    sent_by = item.get("sent_by") or ("carebird (automatic acknowledgement)" if item.get("automatic") else None)
    return {
        "id": item.get("message_id"),
        "direction": item.get("direction"),
        "channel": item.get("channel"),
        "author": (brand_handle or item.get("author_handle", "")) if outgoing else item.get("author_handle", ""),
        "sent_by": (sent_by or "the X app") if outgoing else None,
        "text": item.get("text", ""),
        "lang": item.get("lang"),
        "at": item.get("created_at"),
        "deleted": bool(item.get("deleted_at")),
    }


def thread(
    case: Case, messages: list[dict[str, Any]], activity: list[dict[str, Any]], brand_handle: str
) -> list[dict[str, Any]]:
    """The whole case in time order: the customer's messages, the brand's answers with who sent them, internal
    notes and what agents did (an answer's own activity entry is left out: the answer itself is there)."""
    entries = [{"kind": "message", **message_view(m, brand_handle)} for m in messages]
    acknowledged = any(m.get("automatic") for m in messages)
    if case.acknowledged_at and not acknowledged:  # sent before carebird kept its text on the case
        entries.append({"kind": "acknowledgement", "at": case.acknowledged_at, "via": case.ack_via,
                        "author": brand_handle, "sent_by": "carebird (automatic acknowledgement)"})  # fmt: skip
    for item in activity:
        if item.get("action") == "reply":
            continue
        kind = "note" if item.get("action") == "note" else "activity"
        entries.append({"kind": kind, "at": item.get("at"), "agent": item.get("agent"), "action": item.get("action"),
                        "detail": item.get("detail", ""), "source": item.get("source", "")})  # fmt: skip
    return sorted(entries, key=lambda e: e.get("at") or "")


def case_detail(
    case: Case,
    messages: list[dict[str, Any]],
    activity: list[dict[str, Any]],
    previous: list[Case],
    now: datetime,
    rules: TriageRules,
    policy: SlaPolicy,
    brand_handle: str = "",
    opted_out_at: str | None = None,
) -> dict[str, Any]:
    """A case in full: the conversation (public and DM), the customer, why it ranks there, notes and who has it,
    and what carebird did or may do on its own (its acknowledgement, the customer's opt-out of automation)."""
    answerable = case.channel.value not in WATCH_CHANNELS
    return {
        **queue_row(case, now, rules, policy),
        "customer": {
            "id": case.customer.id,
            "handle": case.customer.handle,
            "name": case.customer.name,
            "followers": case.customer.followers,
            "following": case.customer.following,
            "verified": case.customer.verified,
            "since": _iso(case.customer.created_at),
            "previous_cases": [
                {"id": c.case_id, "ref": c.reference, "status": c.status.value, "opened_at": _iso(c.opened_at)}
                for c in previous
                if c.case_id != case.case_id
            ][:PREVIOUS_CASES],
        },
        "conversation": [message_view(m) for m in messages],
        "thread": thread(case, messages, activity, brand_handle),
        "notes": [
            {"agent": a.get("agent"), "text": a.get("detail", ""), "at": a.get("at")}
            for a in activity
            if a.get("action") == "note"
        ],
        "activity": [
            {"agent": a.get("agent"), "action": a.get("action"), "detail": a.get("detail", ""), "at": a.get("at")}
            for a in activity
        ],
        "first_response_at": _iso(case.first_response_at),
        "automation": {
            "acknowledged_at": case.acknowledged_at,
            "acknowledgement": case.ack_via,  # "reply", "dm", or why none went out ("reply refused by X: ...")
            "opted_out_at": opted_out_at,  # the customer wrote "stop": nothing automated reaches them
        },
        "answerable": answerable,
        "public_reply": answerable and case.family is Family.PUBLIC and bool(case.reply_to_id),
        "why_not_answerable": None
        if answerable
        else "X lets apps reply only to people who mentioned or quoted the brand: answer this one from the X app.",
    }


def templates_for(
    case: Case, templates: dict[str, dict[str, str]], policy: SlaPolicy, language: str, now: datetime
) -> list[dict[str, str]]:
    """The templates that fit now, filled in for this customer: one saying when the team is back (`{next_opening}`)
    only while the desk is closed; the greeting by the hour in the brand's zone. A template too long for them is
    listed with why."""
    lang = language_of(case.lang, language)
    hours = policy.hours
    is_open = hours.is_open(now)
    next_opening = "" if is_open else when_text(hours.next_opening(now), hours, lang, now)
    greeting = greeting_for(lang, now.astimezone(hours.zone).hour)
    filled = []
    for name in sorted(templates):
        if is_open and any("{next_opening}" in text for text in templates[name].values()):
            continue
        try:
            text = render(
                templates,
                name,
                lang,
                customer_name=case.customer.name,
                handle=case.customer.handle,
                reference=case.reference,
                next_opening=next_opening,
                greeting=greeting,
            )
        except TemplateError as exc:
            filled.append({"name": name, "text": "", "problem": str(exc)})
            continue
        filled.append({"name": name, "text": text, "problem": ""})
    return filled


def coach_view(text: str, case: Case | None, public: bool) -> dict[str, Any]:
    """The reply coach's advice and X's weighted length for a draft, as the agent types."""
    text = text[:DRAFT_LIMIT]
    report = coach(
        text,
        customer_name=case.customer.name if case else "",
        handle=case.customer.handle if case else "",
        public=public,
        language=case.lang if case else None,
    )
    length = weighted_length(text)
    return {
        "weighted_length": length,
        "limit": MAX_WEIGHTED_LENGTH if public else DRAFT_LIMIT,
        "too_long": public and length > MAX_WEIGHTED_LENGTH,
        "advice": [{"rule": a.rule, "applied": a.applied, "message": a.message} for a in report.advice],
        "cues": list(report.cues),
    }


def kpi_view(
    report: KpiReport, by_day: dict[str, Counter[str]], first: FirstResponseFigures, policy: SlaPolicy, days: int = 7
) -> dict[str, Any]:
    """The KPI page: first response (opening and calendar minutes), breaches, per agent, volume by day and
    channel (the chart's data: the `days` local days ending today, the cases the report counts, noise and praise
    left out). From the counters, first responses are counted in buckets: `first_response_precision` says how for the
    team's figures, `per_agent_precision` for each agent's medians."""
    chart: dict[str, Counter[str]] = {}
    day = report.until.astimezone(policy.hours.zone).date() - timedelta(days=days - 1)
    while day <= report.until.astimezone(policy.hours.zone).date():
        chart[day.isoformat()] = by_day.get(day.isoformat(), Counter())
        day += timedelta(days=1)
    return {
        "since": _iso(report.since),
        "until": _iso(report.until),
        "cases": report.cases,
        "answered": report.answered,
        "unanswered": report.unanswered,
        "median_first_response_minutes": report.median_first_response,
        "p90_first_response_minutes": report.p90_first_response,
        "breaches": report.breaches,
        "breach_rate": round(report.breach_rate, 3),
        "escalated": report.escalated,
        "noise": report.noise,
        "praise": report.praise,
        "by_channel": report.by_channel,
        "by_topic": report.by_topic,
        "by_day": [{"day": d, "channels": dict(c), "total": sum(c.values())} for d, c in chart.items()],
        "sla_minutes": policy.minutes,
        "days": days,
        "median_first_response_calendar_minutes": first.median_calendar,
        "p90_first_response_calendar_minutes": first.p90_calendar,
        "per_agent": first.per_agent,
        "first_response_precision": FIRST_RESPONSE_PRECISION,
        "per_agent_precision": AGENT_PRECISION,
    }


# --- views, counts, search ---------------------------------------------------------------------------------------
def narrow(
    rows: list[dict[str, Any]], view: str, agent: str, tag: str | None, band: str | None
) -> list[dict[str, Any]]:
    """The rows of one view of the open queue ('mine', 'unassigned' or all), then of one tag and band."""
    if view == "mine":
        rows = [r for r in rows if r["claimed_by"] == agent]
    elif view == "unassigned":
        rows = [r for r in rows if not r["claimed_by"]]
    if tag:
        rows = [r for r in rows if tag in r["tags"]]
    if band:
        rows = [r for r in rows if r["band"] == band]
    return rows


def queue_counts(rows: list[dict[str, Any]], agent: str) -> dict[str, Any]:
    """What the views of the open queue hold: all waiting, mine, unassigned, by channel, tag and band."""
    return {
        "waiting": len(rows),
        "mine": sum(1 for r in rows if r["claimed_by"] == agent),
        "unassigned": sum(1 for r in rows if not r["claimed_by"]),
        "channel": dict(Counter(r["channel"] for r in rows)),
        "tag": dict(Counter(t for r in rows for t in r["tags"])),
        "band": dict(Counter(r["band"] for r in rows)),
    }


def status_counts(cases: Iterable[Case], read_cap: int) -> dict[str, Any]:
    """How many cases of each status were opened in the days read (at most `read_cap` cases)."""
    counts: Counter[str] = Counter()
    read = 0
    for read, case in enumerate(cases, start=1):
        counts[case.status.value] += 1
        if read >= read_cap:
            break
    return {"statuses": {s: counts.get(s, 0) for s in STATUS_FILTERS[1:]}, "read": read, "capped": read >= read_cap}


FIGURES_FRESH_FOR = timedelta(minutes=5)  # the queue's minute figures are redrawn at least this often


def queue_version(payload: dict[str, Any], now: datetime) -> list[Any]:
    """What an unchanged queue keeps: its cases and their state (claims, tags, statuses, deadlines), and the
    current 5-minute slot (waiting figures and the aging order move; any case's change shows at once). The page's
    ETag digests it."""
    slot = int(now.timestamp() // FIGURES_FRESH_FOR.total_seconds())
    cases = sorted((r["id"], r["status"], r["claimed_by"] or "", r["tags"], r["due_at"] or "", r["last_activity_at"],
                    r["priority"]) for r in payload["cases"])  # fmt: skip
    return [slot, payload["view"], payload["channel"], payload["tag"], payload["band"], payload["counts"], cases]


def open_queue_version(changes: int, now: datetime, shown: list[Any]) -> list[Any]:
    """What an open-queue page's ETag digests without reading the queue: the queue's version (the dispatcher adds
    one for every change of a case that is or was waiting), the current 5-minute slot (waiting figures and the
    aging order move), and what the page shows: its view, filters, agent (the "mine" counts) and settings."""
    slot = int(now.timestamp() // FIGURES_FRESH_FOR.total_seconds())
    return ["open-queue", changes, slot, *shown]


def folded(text: str) -> str:
    """Text compared the way people search: case, accents and the @ of handles ignored."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def matches(case: Case, words: list[str]) -> bool:
    """Every word of the query is somewhere in the case: the customer's words, notes, handle, name, reference, tags."""
    parts = (case.triage_text, case.preview, case.notes_text, case.customer.handle, case.customer.name,
             case.reference, case.case_id, " ".join(case.tags), case.topic)  # fmt: skip
    haystack = folded(" ".join(parts))
    return all(word in haystack for word in words)


def search_words(query: str) -> list[str]:
    return [w for w in folded(query).replace("@", " ").replace("#", " ").split() if w][:8]


def search(cases: Iterable[Case], query: str, read_cap: int) -> tuple[list[Case], int]:
    """Cases matching a free-text query, newest first as read, and how many cases were read."""
    words = search_words(query)
    found: list[Case] = []
    read = 0
    for read, case in enumerate(cases, start=1):
        if words and matches(case, words):
            found.append(case)
            if len(found) >= SEARCH_LIMIT:
                break
        if read >= read_cap:
            break
    return found, read
