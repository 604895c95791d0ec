"""`make preflight`: what a first deployment needs, checked offline, each missing piece named with its fix."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
GOOD_CREDENTIALS = {
    "consumer_key": "xvz1evFS4wEEPTGEFPHBog",
    "consumer_secret": "L8qq9PZyRg6ieKGEKhZolGC0vJWLw8iEJ88DRdyOg",
    "access_token": "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
    "access_token_secret": "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
    "bearer_token": "AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid",
}


def preflight(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    tools = tmp_path / "bin"
    tools.mkdir(exist_ok=True)
    (tools / "aws").write_text("#!/bin/sh\n", encoding="utf-8")
    (tools / "aws").chmod(0o755)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CAREBIRD_"))}
    base |= {
        "HOME": str(tmp_path),
        "PATH": f"{tools}:{os.environ['PATH']}",
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "CREDENTIALS": str(tmp_path / "x.json"),
        "CAREBIRD_SAMCONFIG": str(tmp_path / "samconfig.toml"),
        "LAMBDA_PYTHON": sys.executable,
    }
    return subprocess.run(
        [sys.executable, str(ROOT / "tools" / "preflight.py")], env=base | env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip


def test_a_bare_machine_is_told_each_missing_piece_with_its_fix(tmp_path):
    result = preflight(tmp_path)

    assert result.returncode == 1 and "Traceback" not in result.stderr
    missing = [line for line in result.stdout.splitlines() if "MISSING" in line]
    assert any("AWS region" in line and "AWS_REGION" in line for line in missing)
    assert any("AWS credentials" in line and "aws configure" in line for line in missing)
    assert any("x.json" in line and "x-credentials.example.json" in line for line in missing)
    assert "make deploy ARGS=--guided" in result.stdout  # no deploy values saved yet: what will be asked


def test_a_ready_machine_passes_with_the_region_from_aws_region_and_a_dry_first_day(tmp_path):
    (tmp_path / "credentials").write_text("[default]\naws_access_key_id = AKIA\naws_secret_access_key = s\n")
    (tmp_path / "x.json").write_text(json.dumps(GOOD_CREDENTIALS))
    (tmp_path / "samconfig.toml").write_text(
        'version = 0.1\n[default.deploy.parameters]\nparameter_overrides = "BrandUserId=\\"1500000000000000001\\" '
        'BrandHandle=\\"LumiereAide\\" TeamEmail=\\"care@brand.example\\" DryRun=\\"true\\""\n'
    )

    result = preflight(tmp_path, AWS_REGION="eu-west-3")

    assert result.returncode == 0, result.stdout
    assert "region eu-west-3 (from AWS_REGION" in result.stdout and "DryRun=true" in result.stdout


def test_placeholders_unknown_parameters_and_refused_values_are_named(tmp_path):
    (tmp_path / "config").write_text("[profile ops]\nregion = eu-west-1\nsso_session = corp\n")
    (tmp_path / "x.json").write_text((ROOT / "infra" / "x-credentials.example.json").read_text())
    (tmp_path / "samconfig.toml").write_text(
        'version = 0.1\n[default.deploy.parameters]\nparameter_overrides = "BrandId=1 BrandHandle=x DryRun=maybe"\n'
    )

    result = preflight(tmp_path, AWS_PROFILE="ops")

    out = result.stdout
    assert result.returncode == 1
    assert "region eu-west-1 (from profile ops" in out and "SSO, role or process" in out
    assert "consumer_key is still a placeholder" in out
    assert "BrandId is not a parameter of the template" in out
    assert "BrandUserId has no value" in out and "TeamEmail has no value" in out
    assert "DryRun='maybe': allowed true, false" in out


def ready_machine(tmp_path: Path, overrides: str) -> None:
    (tmp_path / "credentials").write_text("[default]\naws_access_key_id = AKIA\naws_secret_access_key = s\n")
    (tmp_path / "x.json").write_text(json.dumps(GOOD_CREDENTIALS))
    (tmp_path / "samconfig.toml").write_text(
        'version = 0.1\n[default.deploy.parameters]\nparameter_overrides = "BrandUserId=\\"1500000000000000001\\" '
        f'BrandHandle=\\"LumiereAide\\" TeamEmail=\\"care@brand.example\\" {overrides}"\n'
    )


def test_a_samconfig_that_is_not_toml_is_named_not_taken_for_no_values_saved(tmp_path):
    ready_machine(tmp_path, "")
    (tmp_path / "samconfig.toml").write_text("version = 0.1\n[default.deploy.parameters\n")

    result = preflight(tmp_path, AWS_REGION="eu-west-3")

    assert result.returncode == 1, result.stdout
    assert "samconfig.toml is not valid TOML" in result.stdout
    assert "no deploy values saved yet" not in result.stdout


def test_a_number_below_the_templates_minimum_is_refused_as_cloudformation_would(tmp_path):
    ready_machine(tmp_path, 'SlaMinutes=\\"-5\\" UrgentSlaMinutes=\\"soon\\"')

    result = preflight(tmp_path, AWS_REGION="eu-west-3")

    assert result.returncode == 1, result.stdout
    assert "SlaMinutes='-5' is below the template's minimum 1" in result.stdout
    assert "UrgentSlaMinutes='soon' is not a number" in result.stdout


def test_only_dryrun_false_is_announced_as_posting_for_real_and_the_dry_day_is_step_10(tmp_path):
    ready_machine(tmp_path, 'DryRun=\\"maybe\\"')
    refused = preflight(tmp_path, AWS_REGION="eu-west-3").stdout
    ready_machine(tmp_path, 'DryRun=\\"true\\"')
    dry = preflight(tmp_path, AWS_REGION="eu-west-3").stdout

    assert "DryRun='maybe': allowed true, false" in refused and "DryRun=false" not in refused
    assert "(README, go-live 10)" in dry
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "10. **The dry first day, then the switch**" in readme


def test_the_readme_claims_no_more_than_preflight_can_know_offline():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    assert "says which value is deployed" not in readme  # it reads infra/samconfig.toml, never the stack
    assert "`make preflight` shows the value `infra/samconfig.toml` gives the next deploy" in readme
