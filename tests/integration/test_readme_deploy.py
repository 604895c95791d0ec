"""README's "Going live on AWS" followed to the letter: every command it names exists, with the flags it uses.

The chapter's commands (code blocks, inline `make …`/`.venv/bin/carebird …`, and what runs inside `$( … )`) are
checked against the real things: carebird's click commands, the Makefile's targets, the AWS CLI's operations and
parameters (botocore's service models, which the AWS CLI is generated from), and the SAM CLI's own help.
"""

import re
import shlex
import subprocess
from pathlib import Path

import click
import pytest
from carebird_local.cli import main

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
AWS_GLOBAL_OPTIONS = {"--query", "--output", "--region", "--profile", "--no-cli-pager"}


def chapter() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Going live on AWS")
    return text[start : text.index("\n## ", start + 1)]


def commands() -> list[str]:
    """Every command line of the chapter, with what runs inside `$( … )` as commands of their own."""
    text = chapter()
    lines = [line.strip() for block in re.findall(r"```sh\n(.*?)```", text, re.DOTALL) for line in block.splitlines()]
    lines += re.findall(r"`((?:make|\.venv/bin/carebird|\.venv-sam/bin/sam|aws) [^`]+)`", text)
    found = []
    for line in filter(None, lines):
        for inner in re.findall(r"\$\(([^()]*)\)", line):
            found.append(inner)
        found.append(re.sub(r'"?\$\([^()]*\)"?', "VALUE", line))
    return found


def carebird_command(args: list[str]) -> None:
    command: click.Command = main
    options: set[str] = set()
    remaining = list(args)
    while isinstance(command, click.Group):  # the group's own options (and their values), then the subcommand
        options |= {o for p in command.params for o in p.opts}
        takes_value = {o for p in command.params if isinstance(p, click.Option) and not p.is_flag for o in p.opts}
        while remaining and remaining[0].startswith("-"):
            if remaining.pop(0) in takes_value:
                remaining.pop(0)
        assert remaining, f"carebird {' '.join(args)}: no subcommand"
        name = remaining.pop(0)
        assert name in command.commands, f"carebird has no command {name!r} (in {' '.join(args)})"
        command = command.commands[name]
    options |= {o for p in command.params for o in p.opts}
    for word in args:
        flag = word.split("=", 1)[0]
        if flag.startswith("--"):
            assert flag in options, f"carebird {' '.join(args)}: no option {flag}"


def make_targets() -> set[str]:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Za-z][\w-]*):", makefile, flags=re.MULTILINE))


def aws_command(args: list[str]) -> None:
    import botocore.session
    from botocore import xform_name

    if args[0] == "configure":  # the AWS CLI's own command, not a service
        assert args[1:] in ([], ["sso"], ["list"]) or args[1:2] == ["set"], f"aws {' '.join(args)}"
        return
    session = botocore.session.get_session()
    service, operation = args[0], args[1]
    assert service in session.get_available_services(), f"aws {service}: no such service"
    model = session.get_service_model(service)
    by_cli_name = {xform_name(name, "-"): name for name in model.operation_names}
    assert operation in by_cli_name, f"aws {service} {operation}: no such operation"
    shape = model.operation_model(by_cli_name[operation]).input_shape
    members = {f"--{xform_name(name, '-')}" for name in (shape.members if shape else {})}
    for word in args[2:]:
        if word.startswith("--"):
            assert word in members | AWS_GLOBAL_OPTIONS, f"aws {service} {operation}: no option {word}"


def sam_command(args: list[str]) -> None:
    sam = ROOT / ".venv-sam" / "bin" / "sam"
    if not sam.exists():
        pytest.skip("the SAM CLI is not installed (make build installs it in .venv-sam)")
    shown = subprocess.run([str(sam), args[0], "--help"], capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, f"sam {args[0]}: {shown.stderr}"
    for word in args[1:]:
        if word.startswith("--"):
            assert re.search(rf"{re.escape(word)}\b", shown.stdout), f"sam {args[0]}: no option {word}"


def test_the_chapter_names_the_steps_a_new_account_needs():
    text = chapter()
    for needed in (
        "make preflight",
        "make deploy ARGS=--guided",
        "DryRun",
        "agents invite",
        "InboxUrl",
        "git pull",
        "deletion-protection INACTIVE",
        "DeletionPolicy: Retain",
        "delete-table",
        "two",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "infra/samconfig.example.toml",
        "unregister",
    ):
        assert needed in text, needed  # fmt: skip


def test_every_command_of_the_chapter_exists_with_the_flags_it_uses():
    checked = 0
    for line in commands():
        words = shlex.split(line)
        head, args = words[0], words[1:]
        if head == ".venv/bin/carebird":
            carebird_command(args)
        elif head == "make":
            targets = [a for a in args if "=" not in a]
            assert set(targets) <= make_targets(), f"make {' '.join(targets)}: no such target"
            assert all(a.split("=")[0] in ("ARGS", "PORT", "CREDENTIALS") for a in args if "=" in a), line
        elif head == "aws":
            aws_command(args)
        elif head == ".venv-sam/bin/sam":
            sam_command(args)
        elif head == "cp":
            assert (ROOT / args[0]).exists(), f"cp: no {args[0]}"
        elif head in ("rm", "export", "git"):
            pass
        else:
            raise AssertionError(f"the chapter runs {head!r}: teach this test what it is")
        checked += 1
    assert checked >= 15


def test_the_checker_notices_a_command_or_a_flag_that_does_not_exist():
    with pytest.raises(AssertionError, match="no option --nope"):
        carebird_command(["queue", "--stack", "carebird", "--nope"])
    with pytest.raises(AssertionError, match="no command"):
        carebird_command(["deploy", "--stack", "carebird"])
    with pytest.raises(AssertionError, match="no option --deletion-protected"):
        aws_command(["cognito-idp", "update-user-pool", "--user-pool-id", "x", "--deletion-protected", "INACTIVE"])


def test_personal_deploy_values_and_credentials_are_ignored_by_git():
    names = ["infra/samconfig.toml", "x.json", "my-credentials.json", "infra/x-credentials.example.json"]
    ignored = subprocess.run(["git", "check-ignore", "--no-index", *names], cwd=ROOT, capture_output=True, text=True)

    assert ignored.stdout.split() == names[:3]  # the example stays tracked
    tracked = subprocess.run(["git", "ls-files", "infra"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert "infra/samconfig.example.toml" in tracked and "infra/samconfig.toml" not in tracked
