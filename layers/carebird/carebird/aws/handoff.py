"""The webhook's handover to the ingester: one asynchronous Lambda invocation (InvocationType Event).

Lambda answers 202 once the payload is in its own queue: from then on Lambda invokes the ingester, retries it twice on
a failure and keeps the payload in the failures queue after that (the template's EventInvokeConfig). Anything but a
202 raises, so the webhook answers 503 and X delivers again.
"""

from __future__ import annotations

from typing import Any

from carebird.errors import CarebirdError

ACCEPTED = 202


class HandoffRefused(CarebirdError):
    """Lambda did not queue the delivery: the webhook answers 503 and X delivers it again."""


class LambdaHandoff:
    def __init__(self, function_name: str, lambda_client: Any = None) -> None:
        self.function_name = function_name
        self._client = lambda_client

    def client(self) -> Any:
        """The Lambda client, made on the first handover (a CRC challenge or a refused request needs none). Two
        attempts of at most 1 s to connect and 1.5 s to read: an Invoke that hangs is a 503 within about 5 s, inside
        the webhook's 10 s (botocore's own defaults wait 60 s to read, three times); X retries a delivery not
        answered within 3 s anyway (docs/reliability.md)."""
        if self._client is None:
            from botocore.config import Config

            from carebird.aws import sdk

            retries = {"mode": "standard", "total_max_attempts": 2}
            patience = Config(connect_timeout=1, read_timeout=1.5, retries=retries)
            self._client = sdk.client("lambda", config=patience)
        return self._client

    def hand_over(self, payload: bytes) -> None:
        answer = self.client().invoke(FunctionName=self.function_name, InvocationType="Event", Payload=payload)
        answer["Payload"].read()  # empty for a 202; unread, it keeps its connection out of the pool: a new TLS
        # connection for every delivery (measured on loopback: 300 handovers, 300 connections; read: one)
        if answer.get("StatusCode") != ACCEPTED:
            raise HandoffRefused(f"Lambda answered {answer.get('StatusCode')} to the handover, not {ACCEPTED}")
