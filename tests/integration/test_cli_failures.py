"""Every command fails with one clear line and a non-zero exit, never a traceback (click's runner)."""

import json
from datetime import UTC, datetime

import pytest
from carebird_local.cli import main
from click.testing import CliRunner

from carebird import clock
from tests.helpers import FIXTURES

pytestmark = pytest.mark.integration


def run(*args, **env):
    result = CliRunner().invoke(main, list(args), env=env or None)
    assert "Traceback" not in result.output and "Traceback" not in (result.stderr or ""), result.output
    return result


def test_a_stack_command_without_an_aws_region_says_what_to_set(monkeypatch):
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")

    result = run("queue", "--stack", "carebird")

    assert result.exit_code == 1 and "region" in result.output.lower()


@pytest.mark.parametrize("window", ["yesterday", "last week", "7 days"])
def test_a_window_that_is_not_one_is_a_usage_error(window):
    result = run("kpi", "--since", window, "--stack", "carebird")

    assert result.exit_code == 2 and "is not a window" in result.output and "24h" in result.output


def test_send_to_a_server_that_is_down_says_so():
    result = run("send", str(FIXTURES / "aaa-mention.json"), "--url", "http://127.0.0.1:9/webhook", "--secret", "s")

    assert result.exit_code == 1 and "cannot reach the server" in result.output


def test_send_without_a_secret_is_a_usage_error():
    result = run("send", str(FIXTURES / "aaa-mention.json"), "--url", "http://127.0.0.1:9/webhook")

    assert result.exit_code == 2 and "--secret" in result.output


def test_an_unexpected_error_is_one_line_unless_debugging(monkeypatch):
    import carebird_local.cli

    def boom(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(carebird_local.cli, "open_stack", boom)

    result = run("kpi", "--stack", "carebird")

    assert result.exit_code == 1 and "unexpected error (RuntimeError): disk on fire" in result.output


@pytest.mark.parametrize(
    "command",
    [["demo"], ["serve"], ["send"], ["queue"], ["quarantine"], ["mark"], ["case"], ["reply"], ["close"], ["kpi"],
     ["agents"], ["agents", "invite"], ["agents", "list"], ["agents", "remove"], ["x"], ["x", "register"],
     ["x", "whoami"], ["x", "subscribe"], ["x", "status"], ["x", "replay"]],
)  # fmt: skip
def test_every_command_has_help_with_an_example(command):
    result = run(*command, "--help")

    assert result.exit_code == 0 and "Example:" in result.output


class TestWithADeployedStack:
    @pytest.fixture(autouse=True)
    def stack(self, embedded):
        from tests.integration.conftest import create_deployed_stack

        create_deployed_stack()
        embedded.deliver(json.loads((FIXTURES / "aaa-mention.json").read_text()))
        self.embedded = embedded

    def test_close_of_an_unknown_case_exits_1(self):
        result = run("close", "nope", "--stack", "carebird")

        assert result.exit_code == 1 and "no case nope" in result.output

    def test_case_and_reply_of_an_unknown_case_exit_1(self):
        assert run("case", "nope", "--stack", "carebird").exit_code == 1
        assert run("reply", "nope", "hi", "--stack", "carebird", "--yes").exit_code == 1

    def test_reply_with_an_unknown_template_names_the_known_ones(self):
        result = run("reply", "public-1860000000000000101", "--template", "nope", "--stack", "carebird", "--yes")

        assert result.exit_code == 1 and "no template 'nope'; known:" in result.output and "fixed" in result.output

    def test_reply_without_text_or_template_lists_the_templates(self):
        result = run("reply", "public-1860000000000000101", "--stack", "carebird")

        assert result.exit_code == 2 and "templates:" in result.output

    def test_kpi_json_prints_only_json_and_the_brand_handle_heads_the_text(self):
        clock.travel_to(datetime(2025, 11, 27, tzinfo=UTC))  # two days after the delivery
        as_json = CliRunner().invoke(main, ["kpi", "--since", "7d", "--stack", "carebird", "--json"])
        text = run("kpi", "--since", "7d", "--stack", "carebird")

        assert json.loads(as_json.stdout)["cases"] == 1 and "reading" in as_json.stderr
        assert "@LumiereAide" in text.output and "@brand" not in text.output

    def test_mark_of_an_unknown_case_exits_1(self):
        assert run("mark", "nope", "noise", "--stack", "carebird").exit_code == 1
