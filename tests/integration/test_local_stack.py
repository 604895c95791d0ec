"""A newcomer can `serve`, `send`, then `queue`, `case`, `reply` and `kpi` offline with `--local`.

The stack commands run in their own process (as from a second terminal), with no AWS credentials at all: they
reach the embedded AWS of the serving process over loopback and read the stack's own configuration.
"""

import json
import os
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from carebird_local import local
from carebird_local.server import build_server

from carebird.x.signature import SIGNATURE_HEADER, sign
from tests.helpers import FIXTURES
from tests.integration.conftest import SECRET

pytestmark = pytest.mark.integration
CAREBIRD = Path(sys.executable).with_name("carebird")


@pytest.fixture
def embedded_settings():
    return {"OPENING_HOURS": "mon-sun 00:00-24:00", "SLA_MINUTES": "45"}


@pytest.fixture
def served(embedded, tmp_path, monkeypatch):
    monkeypatch.setenv("CAREBIRD_LOCAL_STATE", str(tmp_path / "local.json"))
    exposed = local.ExposedStack(embedded)
    http = build_server(embedded, "127.0.0.1", 0, report=lambda _line: None)
    threading.Thread(target=http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{http.server_port}/webhook", embedded, tmp_path / "local.json"
    http.shutdown()
    exposed.close()


def carebird(state: Path, *args: str) -> subprocess.CompletedProcess:
    """The command in a fresh process, as a second terminal runs it: no AWS credentials, no region."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | {
        "CAREBIRD_LOCAL_STATE": str(state),
        "AWS_CONFIG_FILE": "/nonexistent",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
    }
    return subprocess.run([str(CAREBIRD), *args], env=env, capture_output=True, text=True, timeout=120)


def send(url: str, name: str) -> None:
    import requests

    body = (FIXTURES / name).read_bytes()
    response = requests.post(url, data=body, timeout=10, headers={SIGNATURE_HEADER: sign(SECRET, body)})
    assert response.status_code == 200, response.text


def test_serve_send_then_queue_case_reply_and_kpi_work_offline_on_the_local_stack(served):
    url, stack, state = served
    send(url, "aaa-mention.json")
    send(url, "aaa-mention-influencer.json")

    queued = carebird(state, "queue", "--local", "--json")
    assert queued.returncode == 0, queued.stderr
    rows = json.loads(queued.stdout)
    assert [r["author"] for r in rows] == ["maxtech", "claire_dupont"]
    assert {"ref", "priority", "reasons", "status", "channel", "author", "waiting_minutes"} <= set(rows[0])
    top = rows[0]
    # A year-old mention is long past its 45-minute SLA: the local state machine has escalated it already.
    assert top["ref"].startswith("CB-") and top["status"] == "escalated" and top["channel"] == "mention"
    # Waiting time counted in the stack's own hours (open round the clock), not the default mon-fri 09-18.
    waited = (datetime.now(UTC) - stack.store.get_case(top["case"]).waiting_since).total_seconds()
    assert top["waiting_minutes"] >= 0.99 * waited / 60 - 1

    shown = carebird(state, "case", top["ref"], "--local")
    assert shown.returncode == 0, shown.stderr
    assert top["case"] in shown.stdout and "@maxtech" in shown.stdout

    replied = carebird(state, "reply", top["ref"], "--template", "investigating", "--local", "--yes")
    assert replied.returncode == 0, replied.stderr
    assert "dry run (local stack)" in replied.stdout and "answered" in replied.stdout
    after = json.loads(carebird(state, "queue", "--local", "--json").stdout)
    assert [r["author"] for r in after] == ["claire_dupont"]

    kpis = carebird(state, "kpi", "--local", "--json", "--since", "2025-11-01T00:00:00Z")
    assert kpis.returncode == 0, kpis.stderr
    report = json.loads(kpis.stdout)
    assert report["cases"] == 2 and report["answered"] == 1
    # The stack's SLA is 45 minutes: both customers waited a year, so both count as breaches.
    assert report["breaches"] == 2


def test_without_a_running_serve_local_commands_say_what_to_do(tmp_path):
    result = carebird(tmp_path / "absent.json", "queue", "--local")

    assert result.returncode == 1 and "carebird serve" in result.stderr and "Traceback" not in result.stderr


def test_a_command_needs_a_stack_or_local(tmp_path):
    result = carebird(tmp_path / "absent.json", "queue")

    assert result.returncode == 2 and "--stack NAME" in result.stderr and "--local" in result.stderr
