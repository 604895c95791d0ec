"""Where a stack command works: a deployed stack, or the local one `carebird serve` keeps running.

Either way the command reads the stack's own configuration: CloudFormation's outputs (table, secret, brand)
and parameters (SLA minutes, opening hours, triage rules...), turned into the same settings the functions
read (carebird.settings), so `queue`, `kpi` and `reply` see the desk as the deployment configured it.
`carebird serve` publishes its embedded stack the same way and leaves its address in a state file.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from carebird import settings as configuration
from carebird.domain.cases import Case

LOCAL_STATE_ENV = "CAREBIRD_LOCAL_STATE"
LOCAL_STACK_NAME = "carebird-local"


class TargetError(Exception):
    """The stack cannot be reached or read; the message says what to do."""


def local_state_dir() -> Path:
    """Where each `carebird serve` leaves the address of its embedded AWS, one file per port: the user's own state
    directory ($XDG_STATE_HOME/carebird, else ~/.local/state/carebird); CAREBIRD_LOCAL_STATE names another one."""
    chosen = os.environ.get(LOCAL_STATE_ENV)
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "carebird"


def local_state_path(port: int) -> Path:
    """The state file of the server listening on `port`."""
    return local_state_dir() / f"serve-{port}.json"


def _alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def running_servers() -> dict[int, dict[str, Any]]:
    """The local servers running now, by port; a file left by a server that died (killed, crashed) is removed."""
    servers: dict[int, dict[str, Any]] = {}
    directory = local_state_dir()
    for path in sorted(directory.glob("serve-*.json")) if directory.is_dir() else []:
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
            port, pid = int(state["port"]), state["pid"]
            if not all(isinstance(state.get(key), str) for key in ("endpoint", "region", "stack")):
                raise ValueError("not the shape a server writes")
        except (OSError, ValueError, KeyError, TypeError):
            path.unlink(missing_ok=True)  # not a state file a server wrote: nothing can use it
            continue
        if _alive(pid):
            servers[port] = state
        else:
            path.unlink(missing_ok=True)
    return servers


def choose_local_server(port: int | None) -> dict[str, Any]:
    """The state of the server `--local` means: the only one running, or the one on `port`."""
    servers = running_servers()
    if not servers:
        raise TargetError("no local stack is running: start one with `carebird serve` (then try again)")
    if port is not None:
        if port not in servers:
            running = ", ".join(str(p) for p in servers)
            raise TargetError(f"no local stack serves port {port}; running: {running}")
        return servers[port]
    if len(servers) > 1:
        running = ", ".join(str(p) for p in servers)
        raise TargetError(f"{len(servers)} local stacks are running (ports {running}): pick one with --local-port PORT")
    return next(iter(servers.values()))


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
        from carebird.aws.case_store import DynamoCaseStore

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
        # boto3 reads AWS_DEFAULT_REGION and the profile's region, not AWS_REGION (which SDKs and the AWS CLI v2 do):
        # honour it too, so the one variable README suggests works everywhere.
        region = region or os.environ.get("AWS_REGION") or None
        return boto3.client(service, region_name=region) if region else boto3.client(service)
    # The embedded AWS accepts any key: these are moto's, never the caller's real credentials.
    return boto3.client(
        service, endpoint_url=endpoint, region_name=region, aws_access_key_id="local", aws_secret_access_key="local"
    )


def open_stack(name: str | None, local: bool, local_port: int | None = None) -> Stack:
    """The stack to work on: `--stack NAME` (deployed) or `--local` (the one `carebird serve` runs, or the one
    on `local_port` when several do)."""
    endpoint = region = None
    if local:
        state = choose_local_server(local_port)
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
