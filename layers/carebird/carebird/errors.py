"""Named domain errors; the webhook maps each to an HTTP status in one place."""


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
