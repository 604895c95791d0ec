import io
import json

import pytest

from carebird.demo import run_demo

pytestmark = pytest.mark.integration


def test_the_demo_runs_the_sample_day_and_reports_the_queue(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    out = io.StringIO()

    code = run_demo(out, as_json=True)

    report = json.loads(out.getvalue())
    assert code == 0, report["problems"]
    assert report["queue"][0]["customer"] == "maxtech"
    assert {c["case_id"] for c in report["cases"]} == {
        "public-1860000000000000101",
        "public-1860000000000000102",
        "public-1860000000000000103",
        "dm-1860000000000000201",
    }
    assert {d["status"] for d in report["deliveries"]} == {200, 401}
    escalated = sorted(e["subject"].split("@")[1].split()[0] for e in report["escalations"])
    assert escalated == ["claire_dupont", "maxtech", "sam_b"]  # the answered DM case is not escalated
    assert all(e["status"] == "SUCCEEDED" for e in report["sla_executions"])
