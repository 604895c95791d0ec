"""`make preflight`: what a first deployment needs, checked offline, each missing piece named with its fix.

No network and no AWS call: the tools on this machine, the Python versions, the AWS region and the shape of the
AWS credentials as boto3 and SAM will find them, the X credentials file, and the deploy values in
infra/samconfig.toml against the template's parameters. Exit status 1 when something required is missing.
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "layers" / "carebird"), str(ROOT / "devtools")]

SAMCONFIG = Path(os.environ.get("CAREBIRD_SAMCONFIG") or ROOT / "infra" / "samconfig.toml")
OVERRIDE = r'([A-Za-z0-9]+)=(?:"((?:[^"\\]|\\.)*)"|(\S*))'  # SAM's parameter_overrides: Name="value" Name=value
AWS_CLI_INSTALL = "https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html"


class Report:
    def __init__(self) -> None:
        self.missing = 0

    def ok(self, text: str) -> None:
        print(f"  ok       {text}")

    def warn(self, text: str) -> None:
        print(f"  note     {text}")

    def fail(self, text: str) -> None:
        self.missing += 1
        print(f"  MISSING  {text}")


def check_tools(report: Report) -> None:
    print("tools")
    report.ok(f"python {sys.version.split()[0]} for the CLI and the tests (.venv)")
    lambda_python = os.environ.get("LAMBDA_PYTHON", "")
    if lambda_python and Path(lambda_python).exists():
        report.ok(f"python3.13 for sam build: {lambda_python}")
    else:
        report.fail("python3.13 (the Lambda runtime's) for `make build`: pyenv install 3.13, or LAMBDA_PYTHON=/path")
    if (ROOT / ".venv-sam" / "bin" / "sam").exists():
        report.ok("SAM CLI in .venv-sam")
    else:
        report.warn("SAM CLI not installed yet: `make build` installs it in .venv-sam (about 340 MB)")
    if shutil.which("aws"):
        report.ok("AWS CLI (aws) for the secret, the teardown")
    else:
        report.fail(f"AWS CLI (aws), used by README's go-live steps 6 and 13: install it from {AWS_CLI_INSTALL}")


def aws_config(path_variable: str, default: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    path = Path(os.environ.get(path_variable) or Path.home() / ".aws" / default)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as exc:
        print(f"  MISSING  {path} cannot be read: {str(exc).splitlines()[0]}")
    return parser


def samconfig() -> dict | str:
    """The saved deploy values, or why the file cannot be read (check_parameters says it)."""
    try:
        return tomllib.loads(SAMCONFIG.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return str(exc)


def samconfig_value(key: str) -> str | None:
    if not SAMCONFIG.exists():
        return None
    config = samconfig()
    if isinstance(config, str):
        return None
    for section in ("deploy", "global"):
        value = config.get("default", {}).get(section, {}).get("parameters", {}).get(key)
        if value is not None:
            return str(value)
    return None


def check_aws(report: Report) -> None:
    print("AWS (read from this machine, no call made)")
    profile = os.environ.get("AWS_PROFILE") or "default"
    config = aws_config("AWS_CONFIG_FILE", "config")
    credentials = aws_config("AWS_SHARED_CREDENTIALS_FILE", "credentials")
    section = "default" if profile == "default" else f"profile {profile}"
    profile_region = config.get(section, "region", fallback=None)
    sources = [
        ("AWS_REGION", os.environ.get("AWS_REGION")),
        ("AWS_DEFAULT_REGION", os.environ.get("AWS_DEFAULT_REGION")),
        (f"profile {profile}", profile_region),
        ("infra/samconfig.toml", samconfig_value("region")),
    ]
    given = [(name, value) for name, value in sources if value]
    if given:
        name, value = given[0]
        report.ok(f"region {value} (from {name}; `make deploy` passes it to SAM as --region)")
        if len({v for _, v in given}) > 1:
            report.warn("regions differ: " + ", ".join(f"{n}={v}" for n, v in given) + f"; {value} is used")
    else:
        report.fail("AWS region: export AWS_REGION=eu-west-3 (or AWS_DEFAULT_REGION, or `aws configure set region`)")
    if os.environ.get("AWS_ACCESS_KEY_ID") and os.environ.get("AWS_SECRET_ACCESS_KEY"):
        report.ok("AWS credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY")
    elif credentials.has_option(profile, "aws_access_key_id") and credentials.has_option(
        profile, "aws_secret_access_key"
    ):
        report.ok(f"AWS credentials of profile {profile} (access key in the credentials file)")
    elif config.has_section(section) and any(
        config.has_option(section, key) for key in ("sso_session", "sso_start_url", "role_arn", "credential_process")
    ):
        report.ok(f"AWS credentials of profile {profile} (SSO, role or process: `aws sso login` if expired)")
    else:
        report.fail(f"AWS credentials for profile {profile}: run `aws configure` (or `aws configure sso`)")


def check_x_credentials(report: Report) -> None:
    from carebird_local.credentials import CredentialsFileError, read_credentials_file

    print("X credentials")
    path = Path(os.environ.get("CREDENTIALS") or ROOT / "x.json")
    if not path.exists():
        report.fail(f"{path.name}: cp infra/x-credentials.example.json x.json, then fill it in (README, go-live 1)")
        return
    try:
        read_credentials_file(path)
    except CredentialsFileError as exc:
        report.fail(str(exc))
        return
    report.ok(f"{path.name}: every key present, no placeholder left (its values are not checked with X here)")


def template_parameters() -> dict[str, dict]:
    from carebird_local.local import load_template

    return load_template(ROOT / "infra" / "template.yaml")["Parameters"]


def check_parameters(report: Report) -> None:
    print("deploy values (infra/samconfig.toml against infra/template.yaml)")
    parameters = template_parameters()
    required = sorted(name for name, spec in parameters.items() if "Default" not in spec)
    problem = samconfig() if SAMCONFIG.exists() else None
    if isinstance(problem, str):
        report.fail(f"{SAMCONFIG.name} is not valid TOML ({problem}): fix it, or delete it and redo the guided deploy")
        return
    overrides = samconfig_value("parameter_overrides")
    if overrides is None:
        report.warn(f"no deploy values saved yet: `make deploy ARGS=--guided` asks for them ({', '.join(required)})")
        return
    given = {key: quoted or bare for key, quoted, bare in re.findall(OVERRIDE, overrides)}
    for name in sorted(set(given) - set(parameters)):
        report.fail(f"{name} is not a parameter of the template (a typo, or one removed by an upgrade)")
    for name in required:
        if not given.get(name):
            report.fail(f"{name} has no value (make deploy ARGS=--guided, or edit parameter_overrides)")
    for name, value in sorted(given.items()):
        spec = parameters.get(name, {})
        if "AllowedValues" in spec and value not in [str(v) for v in spec["AllowedValues"]]:
            report.fail(f"{name}={value!r}: allowed {', '.join(map(str, spec['AllowedValues']))}")
        elif "AllowedPattern" in spec and value and not re.fullmatch(spec["AllowedPattern"], value):
            report.fail(f"{name}={value!r} does not match {spec['AllowedPattern']}")
        elif spec.get("Type") == "Number":
            check_number(report, name, value, spec)
    if given.get("DryRun", "true") == "true":
        report.ok("DryRun=true: nothing is posted on X until you switch it (README, go-live 10)")
    elif given["DryRun"] == "false":
        report.warn("DryRun=false: carebird posts on X as soon as the secret is filled")
    if not report.missing:
        report.ok(f"{len(given)} values, every required parameter given")


def check_number(report: Report, name: str, value: str, spec: dict) -> None:
    """What CloudFormation refuses of a Number parameter: not a number, or outside MinValue/MaxValue."""
    try:
        number = float(value)
    except ValueError:
        report.fail(f"{name}={value!r} is not a number")
        return
    if "MinValue" in spec and number < float(spec["MinValue"]):
        report.fail(f"{name}={value!r} is below the template's minimum {spec['MinValue']}")
    elif "MaxValue" in spec and number > float(spec["MaxValue"]):
        report.fail(f"{name}={value!r} is above the template's maximum {spec['MaxValue']}")


def main() -> int:
    report = Report()
    for check in (check_tools, check_aws, check_x_credentials, check_parameters):
        check(report)
    if report.missing:
        print(f"\n{report.missing} thing(s) missing: fix them, then `make preflight` again.")
        return 1
    print("\nReady for `make deploy` (first time: make deploy ARGS=--guided).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
