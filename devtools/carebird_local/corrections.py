"""Agents' corrections as labelled examples: what `carebird eval --from-corrections` exports.

Every "noise", "not noise", "urgent" and "not urgent" an agent says on a case is recorded with the case (its
activity). Exported in the format of the blind labelled sets (tests/fixtures/triage-eval/*.jsonl, see
docs/triage-eval.md), they let a team measure the rules on its own traffic: put the file next to the tuning
parts and run `make eval`. The latest correction of a case wins.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from carebird.domain.cases import Case

LABELS = {"noise": "noise", "not noise": "request", "urgent": "urgent", "not urgent": "request"}


def week_minute(moment: datetime, zone: ZoneInfo) -> int:
    """Minutes since the Monday 00:00 of the moment's week, local time (the labelled sets' `minute`)."""
    local = moment.astimezone(zone)
    monday = (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    return int((local - monday).total_seconds() // 60)


def labelled_example(case: Case, action: dict[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    """One case and an agent's correction of it, as a labelled record."""
    label = LABELS[str(action["action"])]
    return {
        "id": case.reference,
        "thread": None,
        "turn": 1,
        "role": "customer",
        "feed": "aaa",
        "channel": case.channel.value if case.channel.value in ("mention", "reply", "quote", "dm") else "mention",
        "lang": case.lang or "",
        "x_lang": None if case.family == "dm" else case.lang,
        "minute": week_minute(case.opened_at, zone),
        "author": {
            "handle": case.customer.handle,
            "name": case.customer.name,
            "name_kind": None,
            "followers": case.customer.followers,
            "following": case.customer.following,
            "verified": case.customer.verified,
            "account_days": 0,
            "previous_cases": len(case.history),
        },
        "text": case.triage_text,
        "label": label,
        "risk": None,
        "must_answer": label in ("request", "urgent"),
        "outage_group": None,
        "group_is_outage": None,
        "why": f"{action.get('agent', 'an agent')} said {action['action']} on {str(action.get('at', ''))[:10]}",
    }


def corrections(
    cases: Iterable[Case], activity_of: Callable[[str], list[dict[str, Any]]], zone: ZoneInfo
) -> Iterator[dict[str, Any]]:
    """The labelled examples of every case an agent corrected (its latest correction)."""
    for case in cases:
        said = [a for a in activity_of(case.case_id) if a.get("action") in LABELS]
        if said:
            yield labelled_example(case, said[-1], zone)
