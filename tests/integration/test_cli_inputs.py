"""Every input a newcomer gets wrong is one line naming the input and what would be right, a non-zero exit, no
traceback, and nothing done first (no network call, no 4 s of building)."""

import json
import threading

import pytest
import requests
import responses
from carebird_local.cli import main
from carebird_local.server import build_server, host_allowed
from click.testing import CliRunner

from carebird.x.signature import SIGNATURE_HEADER, sign
from tests.helpers import FIXTURES
from tests.integration.conftest import SECRET

pytestmark = pytest.mark.integration
EXAMPLE = FIXTURES.parents[1] / "infra" / "x-credentials.example.json"


def fails_in_one_line(args, named, *, input=None):
    result = CliRunner().invoke(main, args, input=input)
    text = result.output  # stdout and stderr as the terminal shows them
    assert result.exit_code != 0, text
    assert "Traceback" not in text and "unexpected error" not in text, text
    problem = [line for line in text.splitlines() if line.startswith("Error")]
    assert len(problem) == 1 and named in problem[0], text
    return problem[0]


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ('{"consumer_key": "abc", "consumer_sec', "not valid JSON"),
        ("", "is empty"),
        ('["consumer_key", "consumer_secret"]', "JSON list"),
        ('{"consumer_key": "abc"}', "missing consumer_secret"),
        ('{"consumer_key": 3, "consumer_secret": "a", "access_token": "b", "access_token_secret": "c", '
         '"bearer_token": "d"}', "consumer_key must be a string"),
    ],
)  # fmt: skip
def test_a_broken_credentials_file_is_named_with_what_is_wrong(tmp_path, content, why):
    path = tmp_path / "x.json"
    path.write_text(content, encoding="utf-8")

    line = fails_in_one_line(["x", "--credentials", str(path), "whoami"], "x.json")

    assert why in line


@responses.activate  # no URL registered: any request to X would fail the test with ConnectionError
def test_the_example_credentials_with_placeholders_are_refused_before_any_network_call():
    line = fails_in_one_line(["x", "--credentials", str(EXAMPLE), "whoami"], "placeholder")

    assert "consumer_key" in line and len(responses.calls) == 0


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["serve", "--port", "99999"], "--port"),
        (["serve", "--host", "0.0.0.0"], "--secret"),  # the published secret, off loopback
        (["demo", "--port", "0"], "--port"),
        (["send", str(FIXTURES / "aaa-mention.json"), "--url", "not-a-url", "--secret", "s"], "--url"),
        (["send", str(FIXTURES / "aaa-mention.json"), "--url", "http://127.0.0.1:99999/webhook", "--secret", "s"],
         "--url"),
        (["send", str(FIXTURES / "nope.json"), "--url", "http://127.0.0.1:8080/webhook", "--secret", "s"], "FILE"),
        (["queue", "--limit", "-3", "--local"], "--limit"),
        (["queue", "--limit", "0", "--local"], "--limit"),
        (["quarantine", "--limit", "0", "--local"], "--limit"),
        (["kpi", "--since", "2030-01-01", "--local"], "--since"),
        (["kpi", "--since", "yesterday", "--local"], "--since"),
        (["kpi", "--since", "999999999999d", "--local"], "--since"),  # past datetime's range
        (["kpi", "--since", "9999999999m", "--local"], "--since"),
        (["kpi", "--since", "99999d", "--local"], "--since"),  # one query per day: 100,000 queries
        (["kpi", "--since", "1970-01-01", "--local"], "--since"),
        (["x", "replay", "--since", "999999999999d"], "--since"),
        (["queue", "--local-port", "70000"], "--local-port"),
    ],
)  # fmt: skip
def test_a_bad_option_is_one_line_naming_it_before_anything_runs(args, named):
    fails_in_one_line(args, named)


def test_send_now_of_a_file_that_is_not_json_names_the_file(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")

    fails_in_one_line(["send", str(path), "--now", "--url", "http://127.0.0.1:9/webhook", "--secret", "s"], "broken")


class TestWithADeployedStack:
    @pytest.fixture(autouse=True)
    def stack(self, embedded):
        from tests.integration.conftest import create_deployed_stack

        create_deployed_stack()
        embedded.deliver(json.loads((FIXTURES / "aaa-mention.json").read_text()))

    def test_reply_without_a_terminal_says_to_add_yes(self):
        line = fails_in_one_line(["reply", "public-1860000000000000101", "hello", "--stack", "carebird"], "--yes")

        assert "terminal" in line


@pytest.fixture
def served(embedded):
    lines: list[str] = []
    http = build_server(embedded, "127.0.0.1", 0, report=lines.append)
    threading.Thread(target=http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{http.server_port}", lines
    http.shutdown()
    http.server_close()


def raw_request(base: str, head: bytes) -> bytes:
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as conn:
        conn.sendall(head)
        answer = b""
        while chunk := conn.recv(4096):
            answer += chunk
    return answer


def test_a_non_ascii_bearer_token_is_a_400_not_a_traceback(served):
    base, lines = served
    port = base.rsplit(":", 1)[1]
    head = f"GET /inbox/api/queue HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer é€\r\n"
    answer = raw_request(base, head.encode("utf-8") + b"Connection: close\r\n\r\n")

    assert answer.startswith(b"HTTP/1.0 400") or answer.startswith(b"HTTP/1.1 400"), answer[:200]
    assert b"ASCII" in answer and not any("Traceback" in line for line in lines)


def test_a_request_for_another_host_name_is_refused_so_dns_rebinding_cannot_sign_in(served):
    base, lines = served
    refused = requests.post(
        f"{base}/inbox/dev/sign-in", json={"name": "mallory"}, headers={"Host": "evil.example"}, timeout=10
    )
    allowed = requests.post(f"{base}/inbox/dev/sign-in", json={"name": "ana"}, timeout=10)

    assert refused.status_code == 400 and "token" not in refused.text
    assert allowed.status_code == 200 and "token" in allowed.json()
    assert any("evil.example" in line for line in lines)


@pytest.mark.parametrize(
    ("header", "allowed"),
    [("127.0.0.1:8080", True), ("localhost:8080", True), ("[::1]:8080", True), ("localhost", True),
     ("evil.example:8080", False), ("evil.example", False), ("127.0.0.1:8081", False), ("", False),
     ("127.0.0.1.evil.example:8080", False)],
)  # fmt: skip
def test_the_host_header_must_name_loopback_on_the_servers_port(header, allowed):
    assert host_allowed(header, 8080) is allowed


def test_a_server_off_loopback_signs_in_only_with_its_secret(embedded):
    with pytest.raises(ValueError, match="secret"):
        build_server(embedded, "0.0.0.0", 0, report=lambda _line: None)
    http = build_server(embedded, "0.0.0.0", 0, report=lambda _line: None, sign_in_secret="team-s3cret")
    threading.Thread(target=http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{http.server_port}/inbox/dev/sign-in"
        anyone = requests.post(base, json={"name": "mallory"}, headers={"Host": "evil.example"}, timeout=10)
        published = requests.post(base, json={"name": "mallory", "passphrase": "local-consumer-secret"}, timeout=10)
        team = requests.post(base, json={"name": "ana", "passphrase": "team-s3cret"}, timeout=10)
    finally:
        http.shutdown()
        http.server_close()

    assert anyone.status_code == 401 and published.status_code == 401
    assert team.status_code == 200 and team.json()["token"]


def test_the_console_shows_one_line_per_delivery(served):
    base, lines = served
    body = (FIXTURES / "aaa-mention.json").read_bytes()
    requests.post(f"{base}/webhook", data=body, headers={SIGNATURE_HEADER: sign(SECRET, body)}, timeout=10)

    assert [line for line in lines if "/webhook" in line] == ["POST /webhook -> 200 aaa delivery: 1 created"]


def test_aws_region_alone_is_enough_for_stack_commands(embedded, monkeypatch):
    from tests.integration.conftest import create_deployed_stack

    create_deployed_stack()
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.setenv("AWS_REGION", "eu-west-3")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")

    result = CliRunner().invoke(main, ["queue", "--stack", "carebird", "--json"])

    assert result.exit_code == 0, result.output


def test_without_any_region_the_error_names_both_variables_and_the_profile(monkeypatch):
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")

    line = fails_in_one_line(["queue", "--stack", "carebird"], "AWS_REGION")

    assert "AWS_DEFAULT_REGION" in line and "profile default" in line


@pytest.mark.parametrize("command", [["demo"], ["serve"]])
def test_demo_and_serve_outside_a_clone_say_they_need_one(command, monkeypatch, tmp_path):
    from carebird_local import local

    monkeypatch.setattr(local, "TEMPLATE_PATH", tmp_path / "infra" / "template.yaml")

    line = fails_in_one_line(command, "template.yaml")

    assert "clone" in line


def test_the_console_shows_the_acknowledgement_carebird_would_post(served):
    from datetime import UTC, datetime

    from carebird_local.redate import redate_payload

    from carebird import clock

    saturday = datetime(2025, 11, 29, 12, 0, tzinfo=UTC)  # the team is closed: one courteous acknowledgement
    clock.travel_to(saturday)
    base, lines = served
    body = json.dumps(redate_payload(json.loads((FIXTURES / "aaa-mention.json").read_text()), saturday)).encode()
    requests.post(f"{base}/webhook", data=body, headers={SIGNATURE_HEADER: sign(SECRET, body)}, timeout=10)

    posts = [line for line in lines if "would post on X (dry run)" in line]
    assert len(posts) == 1 and "reply 'Bonjour, merci pour votre message !" in posts[0]
    assert "Claire" not in posts[0]  # X's automation rules: no customer's name in what carebird posts by itself
