"""A newcomer's first hour as README says it: `carebird serve`, then `send --now`, `queue` and `kpi` from another
terminal; several servers side by side; a killed server leaving nothing behind.

Every command runs in its own process, as typed in a terminal, with no AWS credentials.
"""

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
CAREBIRD = Path(sys.executable).with_name("carebird")
README = ROOT / "README.md"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(state: Path) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CAREBIRD_"))} | {
        "CAREBIRD_LOCAL_STATE": str(state),
        "AWS_CONFIG_FILE": "/nonexistent",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
    }


def run(state: Path, argv: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=ROOT, env=environment(state), capture_output=True, text=True, timeout=120)


class Served:
    """A `carebird serve` process; its console is read once it stops."""

    def __init__(self, state: Path, port: int, *extra: str) -> None:
        self.port = port
        self.process = subprocess.Popen(
            [str(CAREBIRD), "serve", "--port", str(port), *extra],
            cwd=ROOT,
            env=environment(state),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        deadline = time.time() + 90
        while time.time() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.lines.append(line)
            if "embedded AWS on" in line:
                return
        self.stop()
        raise AssertionError(f"serve did not start: {''.join(self.lines)}")

    def stop(self, sig: int = signal.SIGINT) -> str:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        out, _ = self.process.communicate(timeout=30)
        return "".join(self.lines) + (out or "")


@pytest.fixture
def state(tmp_path):
    return tmp_path / "state"


def readme_step_two() -> list[str]:
    """The commands of README's step 2 ("Try payloads"), in order, as a user would type them."""
    text = README.read_text(encoding="utf-8")
    step = text[text.index("2. **Try payloads**") : text.index("3. **Go live**")]
    blocks = re.findall(r"```sh\n(.*?)```", step, flags=re.DOTALL)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip().startswith(".venv/bin/")]


def test_readme_step_two_run_literally_gives_fresh_cases_and_kpis_that_count_the_queue(state):
    commands = readme_step_two()
    assert commands[0] == ".venv/bin/carebird serve" and any(" --now " in c for c in commands)
    port = free_port()  # README's 8080 may be taken on this machine: the same commands on another port
    argv = [shlex.split(command.replace("127.0.0.1:8080", f"127.0.0.1:{port}")) for command in commands[1:]]
    served = Served(state, port)
    try:
        outputs = {}
        for args in argv:
            args[0] = str(CAREBIRD)
            result = run(state, args)
            assert result.returncode == 0, (args, result.stdout, result.stderr)
            outputs[args[1]] = result.stdout
        waiting = json.loads(run(state, [str(CAREBIRD), "queue", "--local", "--json"]).stdout)
        every = json.loads(run(state, [str(CAREBIRD), "queue", "--local", "--all", "--json"]).stdout)
    finally:
        console = served.stop()

    assert waiting, "the recordings opened no case"
    for row in waiting:  # dated now: nobody has waited past the SLA, nothing was escalated
        assert row["status"] != "escalated" and row["waiting_minutes"] < 90, row
    assert "waiting" in outputs["queue"] and "escalated" not in outputs["queue"]
    counted = [r for r in every if r["status"] not in ("noise", "praise")]
    answered = [r for r in counted if r["status"] == "answered"]
    assert answered, "the brand's reply answered Claire's case"
    kpi = outputs["kpi"]
    assert f"Cases opened: {len(counted)} (answered {len(answered)}, still waiting {len(waiting)})" in kpi
    assert f"Waiting now (carebird queue): {len(waiting)}" in kpi
    # The console: one line per delivery, none of moto's access lines or JSON logs.
    deliveries = [line for line in console.splitlines() if "POST /webhook -> 200" in line]
    assert len(deliveries) == sum(1 for args in argv if args[1] == "send")
    assert not [line for line in console.splitlines() if line.lstrip().startswith("{") or '" 200 -' in line]


def test_two_servers_on_different_ports_keep_apart_and_local_port_picks_one(state):
    first, second = Served(state, free_port()), Served(state, free_port())
    try:
        both = run(state, [str(CAREBIRD), "queue", "--local"])
        assert both.returncode == 1 and "--local-port" in both.stderr
        assert str(first.port) in both.stderr and str(second.port) in both.stderr and "Traceback" not in both.stderr
        url = f"http://127.0.0.1:{second.port}/webhook"
        sent = run(
            state,
            [str(CAREBIRD), "send", "tests/fixtures/aaa-mention.json", "--now", "--url", url, "--secret",
             "local-consumer-secret"],
        )  # fmt: skip
        assert sent.returncode == 0, sent.stderr
        on_second = json.loads(run(state, [str(CAREBIRD), "queue", "--local-port", str(second.port), "--json"]).stdout)
        on_first = json.loads(run(state, [str(CAREBIRD), "queue", "--local-port", str(first.port), "--json"]).stdout)
        assert [r["author"] for r in on_second] == ["claire_dupont"] and on_first == []
    finally:
        first.stop()
        second.stop()
    assert list(state.glob("*.json")) == []  # each removed its own file on the way out


def test_a_killed_server_leaves_nothing_that_local_commands_would_follow(state):
    served = Served(state, free_port())
    served.stop(signal.SIGKILL)  # no chance to clean up
    assert len(list(state.glob("serve-*.json"))) == 1

    result = run(state, [str(CAREBIRD), "queue", "--local"])

    assert result.returncode == 1 and "no local stack is running" in result.stderr
    assert list(state.glob("serve-*.json")) == []


def test_a_server_stopped_by_sigterm_removes_its_state(state):
    served = Served(state, free_port())
    served.stop(signal.SIGTERM)

    assert list(state.glob("serve-*.json")) == []
