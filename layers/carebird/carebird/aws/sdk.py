"""boto3 clients made lazily by the adapters, all from boto3's default session and under one lock.

One session per process: botocore then reads its endpoint data and settings once, whichever client comes first
(a second session would read them again: about 30 ms of CPU in a cold start). Creating clients from the default
session is not thread-safe, and the webhook stores a delivery's conversations in parallel: hence the lock.
"""

from __future__ import annotations

import threading
from typing import Any

_lock = threading.Lock()


def client(service: str, **kwargs: Any) -> Any:
    """A client for `service` from boto3's default session."""
    import boto3

    with _lock:
        return boto3.client(service, **kwargs)
