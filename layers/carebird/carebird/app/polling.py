"""Watch and polling runs: page through X, feed every post to the same ingestion, keep the cursors."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

from carebird.app.ingest import IngestSettings, apply_event
from carebird.app.watch import (
    WatchSettings,
    messages_from_dm_events,
    messages_from_mentions,
    messages_from_search,
    search_query,
)
from carebird.domain.model import Message
from carebird.ports import CaseStore, Cursors
from carebird.x.normalise import Brand

MAX_PAGES = 10


def _pages(
    feed: str,
    fetch: Callable[[str | None, str | None], dict[str, Any]],
    cursors: Cursors,
    day: date,
    page_size: int,
    cap: int,
    report: Counter[str],
) -> list[dict[str, Any]]:
    """Pages newer than the feed's cursor, within the daily read budget; the cursor moves past what was read."""
    since, token, pages, newest = cursors.since(feed), None, [], None
    for _ in range(MAX_PAGES):
        if not cursors.reserve_reads(day, page_size, cap):
            report["read cap reached"] += 1
            break
        page = fetch(since, token)
        read = len(page.get("data") or [])
        cursors.refund_reads(day, page_size - read)
        report[f"{feed} posts read"] += read
        pages.append(page)
        meta = page.get("meta") or {}
        if meta.get("newest_id") and (newest is None or int(meta["newest_id"]) > int(newest)):
            newest = str(meta["newest_id"])
        token = meta.get("next_token")
        if not token:
            break
    if newest:
        cursors.advance(feed, newest)
    return pages


def _ingest(messages: list[Message], store: CaseStore, ingest: IngestSettings, report: Counter[str]) -> None:
    for message in messages:
        report[apply_event(store, message, ingest).outcome.value] += 1


def _search(reader: Any, text: str, max_results: int, since: str | None, token: str | None) -> dict[str, Any]:
    return reader.search_recent(text, since, token, max_results)


def run_watch(
    settings: WatchSettings,
    brand: Brand,
    reader: Any,
    cursors: Cursors,
    store: CaseStore,
    ingest: IngestSettings,
    day: date,
) -> dict[str, int]:
    """Every saved search once: citations and topics become cases (channel citation / topic)."""
    report: Counter[str] = Counter()
    for query in settings.queries:
        text = search_query(query, brand)
        pages = _pages(
            f"watch#{query.name}",
            partial(_search, reader, text, settings.max_results),
            cursors,
            day,
            settings.max_results,
            settings.daily_read_cap,
            report,
        )
        for page in pages:
            _ingest(messages_from_search(page, brand, query.channel), store, ingest, report)
    return dict(report)


def run_poll(
    settings: WatchSettings,
    brand: Brand,
    reader: Any,
    cursors: Cursors,
    store: CaseStore,
    ingest: IngestSettings,
    day: date,
) -> dict[str, int]:
    """The polling fallback: mentions timeline and DM events, through the webhook's own normaliser and writer."""
    report: Counter[str] = Counter()
    mentions = _pages(
        "poll#mentions",
        lambda since, token: reader.mentions(brand.user_id, since, token, settings.max_results),
        cursors,
        day,
        settings.max_results,
        settings.daily_read_cap,
        report,
    )
    for page in mentions:
        _ingest(messages_from_mentions(page, brand), store, ingest, report)
    # DM events have no since_id: pages come newest first, and the dedupe guard drops what is already stored.
    if cursors.reserve_reads(day, settings.max_results, settings.daily_read_cap):
        page = reader.dm_events(None, settings.max_results)
        cursors.refund_reads(day, settings.max_results - len(page.get("data") or []))
        report["dm events read"] += len(page.get("data") or [])
        _ingest(sorted(messages_from_dm_events(page, brand), key=lambda m: m.created_at), store, ingest, report)
    else:
        report["read cap reached"] += 1
    return dict(report)
