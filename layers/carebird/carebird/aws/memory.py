"""What an ingesting container remembers of the cases it last wrote or read, so a follow-up skips the reads.

Never authoritative: every write made from a remembered case is conditional on that case's version (and on
the message's id guard), so a copy another writer made stale fails its write, is forgotten here, and the
caller reads the table afresh. Bounded (least recently used first out) and thread-safe (the webhook stores
the conversations of one delivery in parallel).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from carebird.domain.cases import Case

REMEMBERED_CASES = 512  # a few hundred KB per container


class RecentCases:
    """Cases at the version last seen, each customer's current case per family, and which case holds a message.

    A customer's current case is known only from what the table said (a pointer read by a lookup, or written by
    this container): a case found another way, through a reply or a deletion, may be an older one.
    """

    def __init__(self, size: int = REMEMBERED_CASES) -> None:
        self.size = size
        self._cases: OrderedDict[str, Case] = OrderedDict()
        self._current: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._holders: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def case(self, case_id: str) -> Case | None:
        with self._lock:
            case = self._cases.get(case_id)
            if case is not None:
                self._cases.move_to_end(case_id)
            return case

    def read_through(self, case_id: str, read: Callable[[str], Case | None]) -> Case | None:
        """The remembered case, else `read` it from the table and remember it."""
        case = self.case(case_id)
        if case is None and (case := read(case_id)) is not None:
            self.seen(case)
        return case

    def current(self, customer_id: str, family: str) -> Case | None:
        """The customer's current case of this family, if both the pointer and the case are remembered."""
        return self._case_via(self._current, (customer_id, family))

    def holding(self, message_id: str) -> Case | None:
        """The case that holds this stored message, if remembered."""
        return self._case_via(self._holders, message_id)

    def _case_via(self, index: OrderedDict, key: object) -> Case | None:
        with self._lock:
            case_id = index.get(key)
        return self.case(case_id) if case_id else None

    def stored(self, message_id: str) -> bool:
        """The message is in the table: this container stored it, or read its id guard (guards never expire)."""
        with self._lock:
            return message_id in self._holders

    def seen(self, case: Case) -> None:
        """The case as the table has it now (just read, or just written at this version)."""
        with self._lock:
            _put(self._cases, case.case_id, case, self.size)

    def points(self, customer_id: str, family: str, case_id: str) -> None:
        """The table's pointer: this customer's conversations of this family go to this case."""
        with self._lock:
            _put(self._current, (customer_id, family), case_id, self.size * 2)

    def holds(self, case_id: str, *message_ids: str) -> None:
        with self._lock:
            for message_id in message_ids:
                _put(self._holders, message_id, case_id, self.size * 8)

    def forget(self, case_id: str) -> None:
        """A write from this copy failed: the next one reads the case afresh."""
        with self._lock:
            self._cases.pop(case_id, None)

    def clear(self) -> None:
        with self._lock:
            self._cases.clear()
            self._current.clear()
            self._holders.clear()


class RemembersCases:
    """The CaseStore's questions to the container's memory, for a store with `recent` (None: it remembers nothing)."""

    recent: RecentCases | None = None

    def remembered_case(self, customer_id: str, family: str) -> Case | None:
        """The customer's current case of this family as this container last saw it, without a read (or None)."""
        return self.recent.current(customer_id, family) if self.recent is not None else None

    def remembered_case_holding(self, message_id: str) -> Case | None:
        """The case holding this message as this container last saw it, without a read (or None)."""
        return self.recent.holding(message_id) if self.recent is not None else None

    def remembers_stored(self, message_id: str) -> bool:
        """This container stored the message (or read its id guard): a redelivery, known without a call."""
        return self.recent is not None and self.recent.stored(message_id)


def _put(entries: OrderedDict, key: object, value: object, size: int) -> None:
    entries[key] = value
    entries.move_to_end(key)
    while len(entries) > size:
        entries.popitem(last=False)
