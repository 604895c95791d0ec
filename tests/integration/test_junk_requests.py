"""Junk is billed a log line a minute, not a line each: forged signatures, bodies that are no delivery and junk CRC
tokens are refused with their status, counted, and reported in one sampled line (no metric of their own: the access
log's WebhookClientErrors counts them)."""

from collections import Counter

import pytest
from carebird_local import local

from carebird.app import webhook as webhook_module
from carebird.aws import metrics
from carebird.x.signature import SIGNATURE_HEADER

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


def test_a_thousand_junk_requests_are_refused_with_one_log_line_and_counted_in_the_next(
    caplog, deployed, rejections, monkeypatch
):
    emitted = []
    monkeypatch.setattr(metrics, "emit", lambda name, value, *a, **k: emitted.append((name, value)))
    statuses = Counter(deployed.call(junk(n))["statusCode"] for n in range(1000))
    first_minute = [r.by_status for r in caplog.records if r.getMessage().startswith("requests refused")]
    rejections.now += 61
    deployed.call(junk(1))
    every_line = [r.by_status for r in caplog.records if r.getMessage().startswith("requests refused")]

    assert statuses == {401: 666, 400: 334}
    assert first_minute == [{"400": 1}]
    assert every_line == [{"400": 1}, {"400": 333, "401": 667}]
    assert emitted == []  # no paid series for junk: the access log's metric filter counts the refusals


def test_refusals_and_throttling_on_the_webhook_route_raise_the_one_alarm():
    from carebird_local.local import load_template

    resources = load_template()["Resources"]
    access_format = resources["WebhookApi"]["Properties"]["AccessLogSettings"]["Format"]
    filters = {
        r["Properties"]["FilterPattern"]: r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Logs::MetricFilter"
    }
    refusals = filters['{ ($.path = "/webhook") && ($.status = "4*") }']
    throttled = filters['{ $.status = "429" }']
    alarm = resources["WebhookClientErrorsAlarm"]["Properties"]

    assert '"status":"$context.status"' in access_format and '"path":"$context.path"' in access_format
    for fed in (refusals, throttled):  # one metric, one series, one alarm
        assert fed["LogGroupName"] == {"Ref": "WebhookAccessLogGroup"}
        (transformation,) = fed["MetricTransformations"]
        assert (transformation["MetricNamespace"], transformation["MetricName"]) == ("carebird", alarm["MetricName"])
    assert alarm["Namespace"] == "carebird" and alarm["AlarmActions"] == [{"Ref": "AlertsTopic"}]
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold" and alarm["Statistic"] == "Sum"
    # fifty refusals in the alarm's window do not raise it, fifty-one do; one 429 (maybe one of X's deliveries) does
    weight = {
        name: float(f["MetricTransformations"][0]["MetricValue"]) for name, f in (("4xx", refusals), ("429", throttled))
    }
    assert 50 * weight["4xx"] <= alarm["Threshold"] < 51 * weight["4xx"]
    assert weight["429"] > alarm["Threshold"]


def test_the_crc_checks_and_the_deliveries_are_throttled_apart():
    from carebird_local.local import load_template

    routes = load_template()["Resources"]["WebhookApi"]["Properties"]["RouteSettings"]

    assert set(routes) == {"POST /webhook", "GET /webhook"}
    assert routes["GET /webhook"]["ThrottlingRateLimit"] < routes["POST /webhook"]["ThrottlingRateLimit"]
