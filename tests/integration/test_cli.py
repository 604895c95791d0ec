"""The carebird command: local server over loopback, deployed-stack reads on moto, X wiring with responses."""

import json
import os
import threading
from datetime import UTC, datetime

import pytest
import responses
from carebird_local.cli import main, parse_since
from carebird_local.server import build_server
from click.testing import CliRunner

from carebird import clock
from carebird.app.ingest import IngestSettings, apply_event
from carebird.x.normalise import parse_delivery
from tests.helpers import BRAND, FIXTURES, fixture
from tests.integration.conftest import SECRET, X_CREDENTIALS, create_deployed_stack

pytestmark = pytest.mark.integration
CREDENTIALS = X_CREDENTIALS


@pytest.fixture
def server(embedded):
    lines = []
    http = build_server(embedded, "127.0.0.1", 0, report=lines.append)
    thread = threading.Thread(target=http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}/webhook", embedded, lines
    http.shutdown()


def test_send_signs_a_payload_and_the_local_server_turns_it_into_a_case(server):
    url, stack, lines = server

    result = CliRunner().invoke(main, ["send", str(FIXTURES / "aaa-mention.json"), "--url", url, "--secret", SECRET])

    assert result.exit_code == 0, result.output
    status, body = result.output.split(" ", 1)
    assert status == "200" and json.loads(body)["accepted"] > 0  # the webhook's answer: handed to the ingester
    assert [c.customer.handle for c in stack.store.open_queue()] == ["claire_dupont"]
    assert lines and lines[0] == "POST /webhook -> 200 aaa delivery: 1 created"


def test_the_local_server_answers_the_crc_challenge_over_http(server):
    import requests

    url, _, _ = server
    response = requests.get(url, params={"crc_token": "abc"}, timeout=5)

    assert response.status_code == 200 and response.json()["response_token"].startswith("sha256=")


@pytest.mark.parametrize("length", ["abc", "-5", "99999999999"])
def test_the_local_server_answers_a_bad_content_length_with_a_clear_error(server, length):
    import socket

    url, _, _ = server
    port = int(url.split(":")[2].split("/")[0])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(f"POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n".encode())
        answer = b""
        while chunk := conn.recv(4096):  # the server answers and closes
            answer += chunk
        answer = answer.decode()

    assert answer.split(" ")[1] in ("400", "413") and "error" in answer


def test_one_slow_client_does_not_hold_up_the_others(server):
    import socket

    import requests

    url, _, _ = server
    port = int(url.split(":")[2].split("/")[0])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as slow:
        slow.sendall(b"POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{")  # and then nothing

        response = requests.get(url, params={"crc_token": "abc"}, timeout=3)

    assert response.status_code == 200


def test_serve_never_prints_a_secret_it_was_given(monkeypatch):
    import carebird_local.server

    def refuse(*_args, **_kwargs):
        raise OSError(98, "Address already in use")

    monkeypatch.setattr(carebird_local.server, "build_server", refuse)
    saved = dict(os.environ)  # serve configures the process for its embedded stack, as a command may
    try:
        result = CliRunner().invoke(main, ["serve", "--secret", "s3cr3t-value", "--port", "8080"])
    finally:
        os.environ.clear()
        os.environ.update(saved)

    assert result.exit_code == 1 and "cannot listen on 127.0.0.1:8080" in result.output
    assert "s3cr3t-value" not in result.output and "Traceback" not in result.output


def test_a_payload_signed_with_the_wrong_secret_is_refused(server):
    url, stack, _ = server

    result = CliRunner().invoke(main, ["send", str(FIXTURES / "aaa-mention.json"), "--url", url, "--secret", "nope"])

    assert result.exit_code == 1 and result.output.startswith("401")
    assert stack.store.open_queue() == []


@pytest.fixture
def deployed_stack(embedded):
    """A CloudFormation stack on moto whose outputs point at the embedded table and secret."""
    create_deployed_stack()
    for name in (
        "aaa-mention.json",
        "aaa-mention-influencer.json",
        "aaa-reply-to-brand-post.json",
        "aaa-brand-reply.json",
    ):
        for event in parse_delivery(fixture(name), BRAND).events:
            apply_event(embedded.store, event, IngestSettings())
    return embedded


def test_queue_reads_the_deployed_table_in_priority_order(deployed_stack):
    result = CliRunner().invoke(main, ["queue", "--stack", "carebird", "--json"])

    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["customer"] for r in rows] == ["maxtech", "sam_b"]
    assert rows[0]["link"] == "https://x.com/maxtech/status/1860000000000000102"


def test_quarantine_lists_what_could_not_be_stored_with_its_raw_json(deployed_stack):
    broken = fixture("aaa-mention.json")
    broken["tweet_create_events"][0]["timestamp_ms"] = "9" * 20
    assert deployed_stack.deliver(broken)["statusCode"] == 200

    listed = CliRunner().invoke(main, ["quarantine", "--stack", "carebird"])
    as_json = CliRunner().invoke(main, ["quarantine", "--stack", "carebird", "--json"])

    assert listed.exit_code == 0 and "timestamp_ms is not a time" in listed.output
    (item,) = json.loads(as_json.output)
    assert item["raw"] == broken["tweet_create_events"][0] and item["feed"] == "aaa"


def test_queue_all_lists_every_status_and_an_agent_can_undo_noise(deployed_stack):
    spam = fixture("aaa-mention.json")
    event = spam["tweet_create_events"][0]
    event.update(id_str="1870000000000000077", text="@LumiereAide crypto giveaway, DM me for the airdrop")
    event["user"] = event["user"] | {"id_str": "1600000000000000777", "screen_name": "spammy", "friends_count": 5000,
                                     "followers_count": 3, "created_at": "Mon Nov 24 10:00:00 +0000 2025"}  # fmt: skip
    deployed_stack.deliver(spam)

    waiting = json.loads(CliRunner().invoke(main, ["queue", "--stack", "carebird", "--json"]).output)
    clock.travel_to(datetime(2025, 11, 27, tzinfo=UTC))  # two days after the deliveries
    everything = json.loads(CliRunner().invoke(main, ["queue", "--stack", "carebird", "--all", "--days", "7",
                                                      "--json"]).output)  # fmt: skip

    assert "spammy" not in [r["author"] for r in waiting]
    by_author = {r["author"]: r for r in everything}
    assert by_author["spammy"]["status"] == "noise" and by_author["claire_dupont"]["status"] == "answered"
    assert {"ref", "priority", "reasons", "status", "channel", "author", "waiting_minutes"} <= set(everything[0])

    undone = CliRunner().invoke(main, ["mark", "public-1870000000000000077", "not-noise", "--stack", "carebird"])

    assert undone.exit_code == 0 and "is now open" in undone.output
    after = json.loads(CliRunner().invoke(main, ["queue", "--stack", "carebird", "--json"]).output)
    assert "spammy" in [r["author"] for r in after]


def test_kpi_holds_cases_to_the_deployed_stacks_own_sla_not_a_local_default(deployed_stack):
    """Claire waited 60 opening minutes (10:00 to 11:00 Paris): inside the default 90, outside a stack's 45."""
    create_deployed_stack("strict", {"SlaMinutes": "45", "OpeningHours": "mon-fri 09:00-18:00"})
    clock.travel_to(datetime(2025, 11, 27, tzinfo=UTC))
    window = ["--json", "--since", "7d"]

    default = json.loads(CliRunner().invoke(main, ["kpi", "--stack", "carebird", *window]).stdout)
    strict = json.loads(CliRunner().invoke(main, ["kpi", "--stack", "strict", *window]).stdout)

    assert (default["answered"], strict["answered"]) == (1, 1)
    assert strict["breaches"] == default["breaches"] + 1


def test_case_accepts_the_reference_shown_in_the_queue_and_the_emails(deployed_stack):
    rows = json.loads(CliRunner().invoke(main, ["queue", "--stack", "carebird", "--json"]).output)

    result = CliRunner().invoke(main, ["case", rows[0]["ref"], "--stack", "carebird"])

    assert result.exit_code == 0 and rows[0]["case"] in result.output
    unknown = CliRunner().invoke(main, ["case", "CB-999999", "--stack", "carebird"])
    assert unknown.exit_code == 1 and "no case CB-999999" in unknown.output


def test_case_shows_one_case_in_full(deployed_stack):
    result = CliRunner().invoke(main, ["case", "public-1860000000000000101", "--stack", "carebird"])

    assert result.exit_code == 0, result.output
    assert "@claire_dupont" in result.output and "first response 2025-11-25 10:00" in result.output
    assert "← @claire_dupont" in result.output and "→ @LumiereAide" in result.output


def test_an_unknown_stack_is_a_clear_error(embedded):
    result = CliRunner().invoke(main, ["queue", "--stack", "nope"])

    assert result.exit_code == 1 and "cannot read stack nope" in result.output


@responses.activate
def test_x_register_then_subscribe_with_the_deployed_credentials(deployed_stack):
    responses.post(
        "https://api.x.com/2/webhooks", json={"data": {"id": "99", "url": "https://h/webhook", "valid": True}}
    )
    responses.get(
        "https://api.x.com/2/webhooks", json={"data": [{"id": "99", "url": "https://h/webhook", "valid": True}]}
    )
    responses.post(
        "https://api.x.com/2/account_activity/webhooks/99/subscriptions/all", json={"data": {"subscribed": True}}
    )

    registered = CliRunner().invoke(main, ["x", "--stack", "carebird", "register", "https://h/webhook"])
    subscribed = CliRunner().invoke(main, ["x", "--stack", "carebird", "subscribe", "--feed", "aaa"])

    assert registered.exit_code == 0 and "webhook 99 registered, valid: True" in registered.output
    assert subscribed.exit_code == 0 and "subscribed to webhook 99" in subscribed.output
    assert responses.calls[0].request.headers["Authorization"] == "Bearer bt"
    assert responses.calls[2].request.headers["Authorization"].startswith(b"OAuth ")


@responses.activate
def test_x_failure_codes_become_clear_messages(tmp_path):
    credentials = tmp_path / "x.json"
    credentials.write_text(json.dumps(CREDENTIALS))
    responses.post(
        "https://api.x.com/2/webhooks",
        status=400,
        json={"errors": [{"message": "CrcValidationFailed"}], "title": "Invalid Request"},
    )

    result = CliRunner().invoke(main, ["x", "--credentials", str(credentials), "register", "https://h/webhook"])

    assert result.exit_code == 1
    assert "CrcValidationFailed: X could not validate the CRC challenge" in result.output


@responses.activate
def test_x_status_shows_validity_and_revalidates_an_invalid_webhook(tmp_path):
    credentials = tmp_path / "x.json"
    credentials.write_text(json.dumps(CREDENTIALS))
    responses.get(
        "https://api.x.com/2/webhooks", json={"data": [{"id": "7", "url": "https://h/webhook", "valid": False}]}
    )
    responses.get(
        "https://api.x.com/2/account_activity/webhooks/7/subscriptions/all", json={"data": {"subscribed": False}}
    )
    responses.put("https://api.x.com/2/webhooks/7", json={"data": {"valid": True}})

    result = CliRunner().invoke(
        main, ["x", "--credentials", str(credentials), "status", "--revalidate", "--feed", "aaa"]
    )

    assert result.exit_code == 0, result.output
    assert "valid=False brand subscribed=False" in result.output and "CRC check re-triggered for 7" in result.output


@responses.activate
def test_x_replay_asks_for_the_missed_window(tmp_path):
    credentials = tmp_path / "x.json"
    credentials.write_text(json.dumps(CREDENTIALS))
    responses.get("https://api.x.com/2/webhooks", json={"data": [{"id": "7", "valid": True}]})
    responses.post("https://api.x.com/2/webhooks/replay", json={"data": {"job_id": "j1"}})

    result = CliRunner().invoke(
        main,
        [
            "x",
            "--credentials",
            str(credentials),
            "replay",
            "--since",
            "2025-11-25T08:00:00Z",
            "--until",
            "2025-11-25T10:30:00Z",
        ],
    )

    assert result.exit_code == 0, result.output
    assert json.loads(responses.calls[1].request.body) == {
        "webhook_id": "7",
        "from_date": "202511250800",
        "to_date": "202511251030",
    }


def test_since_accepts_durations_and_timestamps():
    from datetime import UTC, datetime

    now = datetime(2025, 11, 25, 12, tzinfo=UTC)
    assert parse_since("2h", now) == datetime(2025, 11, 25, 10, tzinfo=UTC)
    assert parse_since("1d", now).day == 24
    assert parse_since("2025-11-25T09:00", now) == datetime(2025, 11, 25, 9, tzinfo=UTC)


def test_every_command_has_help():
    for command in (
        ["--help"],
        ["demo", "--help"],
        ["serve", "--help"],
        ["send", "--help"],
        ["queue", "--help"],
        ["case", "--help"],
        ["x", "register", "--help"],
        ["x", "replay", "--help"],
    ):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 0 and "Usage:" in result.output


@responses.activate
def test_x_whoami_gives_the_brand_user_id_to_deploy_with_from_the_sample_credentials_shape(tmp_path):
    # Given the README's sample credentials file, filled in
    sample = json.loads((FIXTURES.parents[1] / "infra" / "x-credentials.example.json").read_text())
    credentials = tmp_path / "x.json"
    credentials.write_text(json.dumps({key: f"filled-{key}" for key in sample}))
    responses.get(
        "https://api.x.com/2/users/me",
        json={"data": {"id": "2244994945", "name": "Developers", "username": "XDevelopers"}},  # X's docs example
    )

    # When the operator asks which account the tokens act for
    result = CliRunner().invoke(main, ["x", "--credentials", str(credentials), "whoami"])

    # Then the numeric id comes out, read with the user's OAuth 1.0a tokens
    assert result.exit_code == 0, result.output
    assert "BrandUserId=2244994945 BrandHandle=XDevelopers" in result.output
    assert responses.calls[0].request.headers["Authorization"].startswith(b"OAuth ")


def test_agents_are_invited_by_email_listed_and_removed_on_the_stacks_user_pool_and_roster(embedded):
    import boto3

    pool = boto3.client("cognito-idp").create_user_pool(PoolName="team", UsernameAttributes=["email"])["UserPool"]
    create_deployed_stack("carebird", outputs={"InboxUserPoolId": pool["Id"], "InboxUrl": "https://x/inbox"})

    from carebird.aws.teamstore import DynamoTeam

    invited = CliRunner().invoke(main, ["agents", "invite", "ana@brand.example", "--stack", "carebird"])
    again = CliRunner().invoke(main, ["agents", "invite", "ana@brand.example", "--lead", "--stack", "carebird"])
    listed = CliRunner().invoke(main, ["agents", "list", "--stack", "carebird"])
    on_roster = DynamoTeam(embedded.store).member("ana@brand.example")
    removed = CliRunner().invoke(main, ["agents", "remove", "ana@brand.example", "--stack", "carebird"])

    assert invited.exit_code == 0 and "https://x/inbox" in invited.output
    assert again.exit_code == 0 and "already invited" in again.output  # an older account joins the roster
    assert "ana@brand.example" in listed.output and "FORCE_CHANGE_PASSWORD" in listed.output and "lead" in listed.output
    assert on_roster is not None and on_roster.is_lead
    assert removed.exit_code == 0 and "signed out everywhere" in removed.output
    assert boto3.client("cognito-idp").list_users(UserPoolId=pool["Id"])["Users"] == []
    assert DynamoTeam(embedded.store).member("ana@brand.example") is None
    assert CliRunner().invoke(main, ["agents", "invite", "not-an-email", "--stack", "carebird"]).exit_code == 2
