"""Every error carebird raises on purpose derives from CarebirdError (tests/unit/test_architecture.py checks).

The errors several layers share live here (the storage outcomes the case writer raises and ingestion handles);
an error only one module raises may live beside it, still under CarebirdError. Each handler maps them to a status
in one place (the webhook's `handle_http`, the inbox's exception handlers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from carebird.domain.model import Message


class CarebirdError(Exception):
    """Base of every error carebird raises on purpose."""


class SignatureError(CarebirdError):
    """The request is not signed with the app's consumer secret."""


class PayloadError(CarebirdError):
    """The request body cannot be used (malformed, oversized, not an X delivery)."""


class ConfigurationError(CarebirdError):
    """The deployment is configured in a way carebird cannot run with."""


class StorageUnavailable(CarebirdError):
    """The case store cannot be reached or refuses work for now (throttling, outage): retry later."""


class StorageRefused(CarebirdError):
    """The case store refuses this item for good (too large, invalid): the event goes to the quarantine."""


class DuplicateMessage(CarebirdError):
    """The message is already stored: nothing to do."""


class ConcurrentUpdate(CarebirdError):
    """Another writer changed the case or its pointer first: read again and retry."""


class AnsweredEarly(CarebirdError):
    """The brand's answer to this message arrived first and was held: store the message answered."""

    def __init__(self, answer: Message) -> None:
        super().__init__(f"answered early by {answer.id}")
        self.answer = answer


class NotifierUnavailable(CarebirdError):
    """The email could not be published now (throttled, failed, timed out): try again at the next attempt."""
