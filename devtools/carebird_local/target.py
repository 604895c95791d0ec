"""Where a stack command works: a deployed stack, or the local one `carebird serve` keeps running.

Either way the command reads the stack's own configuration: CloudFormation's outputs (table, secret, brand)
and parameters (SLA minutes, opening hours, triage rules...), turned into the same settings the functions
read (carebird.settings), so `queue`, `kpi` and `reply` see the desk as the deployment configured it.
`carebird serve` publishes its embedded stack the same way and leaves its address in a state file.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from carebird import settings as configuration
from carebird.cases import Case

LOCAL_STATE_ENV = "CAREBIRD_LOCAL_STATE"
LOCAL_STACK_NAME = "carebird-local"


class TargetError(Exception):
    """The stack cannot be reached or read; the message says what to do."""


def local_state_path() -> Path:
    """Where `carebird serve` writes the address of its embedded AWS (CAREBIRD_LOCAL_STATE overrides it)."""
    return Path(os.environ.get(LOCAL_STATE_ENV) or Path(tempfile.gettempdir()) / "carebird-local.json")


@dataclass
class Stack:
    name: str
    outputs: dict[str, str]
    parameters: dict[str, str]
    endpoint: str | None = None  # the local embedded AWS; None: the account of the caller's credentials
    region: str | None = None
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def local(self) -> bool:
        return self.endpoint is not None

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = make_client(service, self.endpoint, self.region)
        return self._clients[service]

    def environment(self) -> dict[str, str]:
        """The stack's configuration as the functions' settings (parameters not given keep their defaults)."""
        env = {s.name: self.parameters[s.parameter] for s in configuration.SETTINGS if s.parameter in self.parameters}
        env.update(
            CASES_TABLE=self.outputs.get("CasesTableName", ""),
            X_SECRET_ARN=self.outputs.get("XSecretArn", ""),
            BRAND_USER_ID=self.outputs.get("BrandUserId", env.get("BRAND_USER_ID", "")),
            BRAND_HANDLE=self.outputs.get("BrandHandle", env.get("BRAND_HANDLE", "")),
        )
        if self.parameters.get("ManagerEmail", "") == "":
            env["SECOND_LEVEL_MINUTES"] = "0"  # as the template does: no manager, no second level
        return env

    @property
    def table(self) -> str:
        if not self.outputs.get("CasesTableName"):
            raise TargetError(f"stack {self.name} has no CasesTableName output: is it a carebird stack?")
        return self.outputs["CasesTableName"]

    def store(self) -> Any:
        from carebird.store import DynamoCaseStore

        return DynamoCaseStore(self.table, self.client("dynamodb"))

    def x_credentials(self) -> dict[str, str]:
        arn = self.outputs.get("XSecretArn")
        if not arn:
            raise TargetError(f"stack {self.name} has no XSecretArn output")
        return json.loads(self.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"])

    def find_case(self, case_id_or_reference: str) -> Case | None:
        """A case by its id, or by the CB-… reference the emails and the queue show."""
        store = self.store()
        wanted = case_id_or_reference.strip()
        if wanted.upper().startswith("CB-"):
            return store.case_by_reference(wanted)
        return store.get_case(wanted)


def make_client(service: str, endpoint: str | None, region: str | None) -> Any:
    import boto3

    if endpoint is None:
        return boto3.client(service, region_name=region) if region else boto3.client(service)
    # The embedded AWS accepts any key: these are moto's, never the caller's real credentials.
    return boto3.client(
        service, endpoint_url=endpoint, region_name=region, aws_access_key_id="local", aws_secret_access_key="local"
    )


def open_stack(name: str | None, local: bool) -> Stack:
    """The stack to work on: `--stack NAME` (deployed) or `--local` (the one `carebird serve` runs)."""
    endpoint = region = None
    if local:
        path = local_state_path()
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise TargetError("no local stack is running: start one with `carebird serve` (then try again)") from exc
        endpoint, region, name = state["endpoint"], state["region"], state["stack"]
    assert name is not None
    cloudformation = make_client("cloudformation", endpoint, region)
    try:
        described = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
    except Exception as exc:  # botocore's ClientError, credential and connection errors alike
        if local:
            raise TargetError(
                f"the local stack at {endpoint} does not answer: is `carebird serve` still running?"
            ) from exc
        raise TargetError(f"cannot read stack {name}: {exc}") from exc
    return Stack(
        name=name,
        outputs={o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])},
        parameters={p["ParameterKey"]: p.get("ParameterValue", "") for p in described.get("Parameters", [])},
        endpoint=endpoint,
        region=region,
    )
