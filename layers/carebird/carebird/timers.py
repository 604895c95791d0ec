"""Step Functions adapter: one Standard execution per case opening, named for idempotency."""

from __future__ import annotations

import json
from typing import Any

from carebird.sla import TimerStart


class StepFunctionsTimers:
    """Starts SLA executions; an execution that already exists counts as started."""

    def __init__(self, state_machine_arn: str, client: Any = None) -> None:
        if client is None:
            import boto3
            from botocore.config import Config

            client = boto3.client("stepfunctions", config=Config(retries={"mode": "standard", "max_attempts": 5}))
        self.state_machine_arn = state_machine_arn
        self.client = client

    def start(self, timer: TimerStart) -> bool:
        """True when this call started the execution, False when it was already there."""
        try:
            self.client.start_execution(
                stateMachineArn=self.state_machine_arn, name=timer.name, input=json.dumps(timer.input)
            )
        except self.client.exceptions.ExecutionAlreadyExists:
            return False
        return True
