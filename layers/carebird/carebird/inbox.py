"""The care team's inbox, as data: queue rows, a case in full, templates, KPIs by day. Plain functions.

Everything returned is JSON-ready and holds customer text as text: the page renders it with textContent, never
as HTML. Times are ISO UTC; waiting and SLA figures are opening minutes of the brand's calendar.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from carebird.announcements import language_of, when_text
from carebird.cases import Case
from carebird.desk import holder
from carebird.kpi import KpiReport
from carebird.model import CaseStatus, Family
from carebird.replies import TemplateError, coach, render
from carebird.sla import SlaPolicy
from carebird.textlength import MAX_WEIGHTED_LENGTH, weighted_length
from carebird.timeparse import to_iso
from carebird.triage import TriageRules, effective_priority

# The queue's status filters: "waiting" is the open queue (open and escalated cases whose customer waits).
STATUS_FILTERS = ("waiting", "answered", "escalated", "noise", "praise", "closed")
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
        "topic": case.topic,
        "priority": case.priority,
        "effective": effective_priority(case.priority, case.waiting_since, now, rules) if case.waiting_since else None,
        "reasons": list(case.reasons),
        "waiting": case.waiting_since is not None,
        "waiting_minutes": waiting,
        "sla_minutes": sla,
        "due_in_minutes": (sla - waiting) if sla and case.waiting_since else None,
        "claimed_by": holder(case, now),
        "preview": case.preview,
        "opened_at": _iso(case.opened_at),
        "last_activity_at": _iso(case.last_activity_at),
        "link": case.link,
    }


def select(cases: Iterable[Case], status: str, channel: str | None, read_cap: int | None = None) -> list[Case]:
    """The cases a filter shows (at most QUEUE_LIMIT): 'waiting' in the queue's order; the others from cases given
    newest first, reading no more than `read_cap` of them (a rare status on a busy desk never reads a month)."""
    if status not in STATUS_FILTERS:
        raise ValueError(f"status must be one of {', '.join(STATUS_FILTERS)}")
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
    """Most urgent first: the priority aged in opening minutes, then the longest wait."""
    return sorted(rows, key=lambda r: (-(r["effective"] or r["priority"]), -r["waiting_minutes"]))


def message_view(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": item.get("message_id"),
        "direction": item.get("direction"),
        "channel": item.get("channel"),
        "author": item.get("author_handle", ""),
        "text": item.get("text", ""),
        "at": item.get("created_at"),
        "deleted": bool(item.get("deleted_at")),
    }


def case_detail(
    case: Case,
    messages: list[dict[str, Any]],
    activity: list[dict[str, Any]],
    previous: list[Case],
    now: datetime,
    rules: TriageRules,
    policy: SlaPolicy,
) -> dict[str, Any]:
    """A case in full: the conversation (public and DM), the customer, why it ranks there, notes and who has it."""
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
        "answerable": answerable,
        "public_reply": answerable and case.family is Family.PUBLIC and bool(case.reply_to_id),
        "why_not_answerable": None
        if answerable
        else "X lets apps reply only to people who mentioned or quoted the brand: answer this one from the X app.",
    }


def templates_for(
    case: Case, templates: dict[str, dict[str, str]], policy: SlaPolicy, language: str, now: datetime
) -> list[dict[str, str]]:
    """Every template filled in for this customer (a template too long for them is left out, with why)."""
    lang = language_of(case.lang, language)
    next_opening = when_text(policy.hours.next_opening(now), policy.hours, lang, now)
    filled = []
    for name in sorted(templates):
        try:
            text = render(
                templates,
                name,
                lang,
                customer_name=case.customer.name,
                handle=case.customer.handle,
                reference=case.reference,
                next_opening=next_opening,
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
    report: KpiReport,
    cases: Iterable[Case],
    policy: SlaPolicy,
    channels_by_day: Mapping[str, Counter[str]] | None = None,
) -> dict[str, Any]:
    """The KPI page: first response, breaches, volume by day and channel (the chart's data), the volume from
    `channels_by_day` (the hourly counters, carebird.kpi_counting) or else from `cases`."""
    by_day: dict[str, Counter[str]] = {}
    day = report.since.astimezone(policy.hours.zone).date()
    while day <= report.until.astimezone(policy.hours.zone).date():
        by_day[day.isoformat()] = Counter()
        day += timedelta(days=1)
    for local_day, channels in (channels_by_day or {}).items():
        if local_day in by_day:
            by_day[local_day].update(channels)
    for case in cases:
        local_day = case.opened_at.astimezone(policy.hours.zone).date().isoformat()
        if local_day in by_day and case.status not in (CaseStatus.NOISE, CaseStatus.PRAISE):
            by_day[local_day][case.channel.value] += 1
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
        "by_day": [{"day": d, "channels": dict(c), "total": sum(c.values())} for d, c in by_day.items()],
        "sla_minutes": policy.minutes,
    }
