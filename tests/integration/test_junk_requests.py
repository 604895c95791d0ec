"""Junk is billed a log line a minute, not a line each: forged signatures, bodies that are no delivery and junk CRC
tokens are refused with their status, counted, and reported in one sampled line (with the WebhookRejected metric)."""

import json
from collections import Counter

import pytest
from carebird_local import local

from carebird import webhook as webhook_module
from carebird.signature import SIGNATURE_HEADER

pytestmark = pytest.mark.integration


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def rejections(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(webhook_module.REJECTIONS, "clock", clock)
    monkeypatch.setattr(webhook_module.REJECTIONS, "counts", Counter())
    monkeypatch.setattr(webhook_module.REJECTIONS, "last_line", None)
    return clock


def junk(n: int) -> dict:
    if n % 3 == 0:
        return local.http_api_event("GET", query={"crc_token": "{not a token}"})
    headers = {SIGNATURE_HEADER: "sha256=Zm9yZ2Vk"} if n % 3 == 1 else {}
    return local.http_api_event("POST", body=b'{"for_user_id": "1"}', headers=headers)


def lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_a_thousand_junk_requests_are_refused_with_one_log_line_and_counted_in_the_next(
    capsys, caplog, deployed, rejections
):
    statuses = Counter(deployed.call(junk(n))["statusCode"] for n in range(1000))
    first_minute = [r.by_status for r in caplog.records if r.getMessage().startswith("requests refused")]
    rejections.now += 61
    deployed.call(junk(1))
    every_line = [r.by_status for r in caplog.records if r.getMessage().startswith("requests refused")]

    assert statuses == {401: 666, 400: 334}
    assert first_minute == [{"400": 1}]
    assert every_line == [{"400": 1}, {"400": 333, "401": 667}]
    metrics = [line["WebhookRejected"] for line in lines(capsys.readouterr().out) if "WebhookRejected" in line]
    assert metrics == [[1.0], [1000.0]]
