"""What `sam build` produces, invoked the way Lambda runs it (issue 11).

Every function of `.aws-sam/build/template.yaml` is imported by a clean python3.13 interpreter whose path holds
only the function's built folder, the built layer's `python/` and what the managed runtime provides (a
virtualenv with boto3 alone, no setuptools), and invoked with one representative event against embedded AWS
(moto's server on 127.0.0.1). `make test` builds first; run alone with `make artifact-test`.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from carebird_local import local

from carebird.app.handoff import handoff_payload
from carebird.aws.schema import agent_key
from carebird.x.signature import sign

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / ".aws-sam" / "build"
RUNNER = Path(__file__).with_name("runner.py")
FIXTURES = ROOT / "tests" / "fixtures"
CONSUMER_SECRET = "artifact-consumer-secret"
REGION = "eu-west-3"
SETTINGS = {  # parameters without a default, the watch exercising a real X read, posts made through tweepy
    "DryRun": "false",
    "BrandUserId": "1500000000000000001",
    "BrandHandle": "LumiereAide",
    "WatchQueries": json.dumps([{"name": "brand", "terms": ["Lumière"], "channel": "citation"}]),
}


def _runtime_python() -> str:
    python = os.environ.get("CAREBIRD_LAMBDA_PYTHON", "")
    if not python or not Path(python).exists():
        pytest.fail("CAREBIRD_LAMBDA_PYTHON must name the runtime interpreter (make artifact-test creates it)")
    return python


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    if not (BUILD / "template.yaml").exists():
        pytest.fail("no .aws-sam/build/template.yaml: run `make build` first (make test does)")
    return local.load_template(BUILD / "template.yaml")


@pytest.fixture(scope="module")
def aws(monkeypatch_module: pytest.MonkeyPatch) -> dict[str, str]:
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    env = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }
    for name, value in env.items():
        monkeypatch_module.setenv(name, value)
    yield env
    server.stop()


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def stack(built: dict[str, Any], aws: dict[str, str]) -> dict[str, str]:
    """The resources the functions' environment names, provisioned on the moto server."""
    table = "carebird-cases"
    local.create_cases_table(boto3.client("dynamodb"), table, built)
    secret_arn = local.create_x_secret(boto3.client("secretsmanager"), "carebird-x", CONSUMER_SECRET)
    sns = boto3.client("sns")
    team = sns.create_topic(Name="carebird-team")["TopicArn"]
    manager = sns.create_topic(Name="carebird-manager")["TopicArn"]
    sqs = boto3.client("sqs")
    escalations = sqs.create_queue(QueueName="carebird-escalations")["QueueUrl"]
    escalations_arn = sqs.get_queue_attributes(QueueUrl=escalations, AttributeNames=["QueueArn"])["Attributes"]
    machine = local.create_sla_state_machine(
        boto3.client("stepfunctions"), {"CasesTable": table, "EscalationQueueUrl": escalations}
    )
    ingester = _lambda_function_on_moto("carebird-ingester")  # the webhook's handovers answered 202, as Lambda does
    boto3.client("scheduler").create_schedule_group(Name="carebird-sla")
    boto3.client("scheduler").create_schedule_group(Name="carebird-announcements")
    return {
        "AnnouncementScheduleGroup": "carebird-announcements",
        "AnnouncementSchedulerRole.Arn": "arn:aws:iam::123456789012:role/carebird-announcements",
        "InboxUserPoolDomain": "carebird-1a2b3c4d",
        "InboxUserPoolClient": "1example23456789client",
        "AWS::Region": REGION,
        "CasesTable": table,
        "XCredentials": secret_arn,
        "TeamTopic": team,
        "ManagerTopic": manager,
        "EscalationQueue": escalations,
        "EscalationQueue.Arn": escalations_arn["QueueArn"],
        "SlaStateMachine": machine,
        "SlaScheduleGroup": "carebird-sla",
        "SlaSchedulerRole.Arn": "arn:aws:iam::123456789012:role/carebird-sla-scheduler",
        "FailuresQueue.Arn": "arn:aws:sqs:eu-west-3:123456789012:carebird-failures",
        "IngesterFunction": ingester,
    }


def _lambda_function_on_moto(name: str) -> str:
    """A function on the moto server that takes asynchronous invocations (202) without running anything (no Docker)."""
    import io
    import zipfile

    import requests

    requests.post(
        f"{os.environ['AWS_ENDPOINT_URL']}/moto-api/config", json={"lambda": {"use_docker": False}}, timeout=10
    )
    role = boto3.client("iam").create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("app.py", "def lambda_handler(event, context):\n    return None\n")
    boto3.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.13",
        Role=role,
        Handler="app.lambda_handler",
        Code={"ZipFile": code.getvalue()},
    )
    return name


def _resolve(value: Any, template: dict[str, Any], resources: dict[str, str]) -> str:
    """A CloudFormation value as a fresh deployment resolves it (parameter defaults, local resource names)."""
    if isinstance(value, str | int | float):
        return str(value)
    if "Ref" in value:
        name = value["Ref"]
        if name in resources:
            return resources[name]
        parameter = template["Parameters"][name]
        return str(SETTINGS.get(name, parameter.get("Default", "")))
    if "Fn::GetAtt" in value:
        return resources[".".join(value["Fn::GetAtt"])]
    if "Fn::Sub" in value:
        import re

        return re.sub(r"\$\{([^}]+)\}", lambda m: resources[m.group(1)], value["Fn::Sub"])
    if "Fn::If" in value:
        _condition, _when_true, when_false = value["Fn::If"]
        return _resolve(when_false, template, resources)  # optional features (manager, polling) off by default
    raise AssertionError(f"artifact test cannot resolve {value}")


def _environment(template: dict[str, Any], name: str, resources: dict[str, str]) -> dict[str, str]:
    variables = {
        **template["Globals"]["Function"]["Environment"]["Variables"],
        **template["Resources"][name]["Properties"].get("Environment", {}).get("Variables", {}),
    }
    return {key: _resolve(value, template, resources) for key, value in variables.items()}


def invoke(
    template: dict[str, Any], name: str, resources: dict[str, str], events: list[Any], layer: Path | None = None
) -> dict[str, Any]:
    """Run one built function in a clean runtime interpreter; its JSON report."""
    properties = template["Resources"][name]["Properties"]
    assert template["Globals"]["Function"]["Runtime"] == "python3.13"
    event_file = BUILD.parent / f"artifact-{name}.json"
    event_file.write_text(json.dumps(events), encoding="utf-8")
    layer_dir = layer or BUILD / template["Resources"]["CarebirdLayer"]["Properties"]["ContentUri"]
    env = {
        "PATH": "/usr/bin:/bin",
        "TZ": "UTC",
        "LAMBDA_TASK_ROOT": str(BUILD / properties["CodeUri"]),
        "AWS_LAMBDA_FUNCTION_NAME": name,
        **{k: v for k, v in os.environ.items() if k.startswith("AWS_")},
        **_environment(template, name, resources),
        "POWERTOOLS_METRICS_DISABLED": "true",
    }
    completed = subprocess.run(
        [_runtime_python(), "-I", str(RUNNER), str(BUILD / properties["CodeUri"]), str(layer_dir),
         properties.get("Handler", "app.lambda_handler"), str(event_file)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    last_line = (completed.stdout.strip().splitlines() or ["{}"])[-1]
    report = json.loads(last_line) if last_line.startswith("{") else {"ok": False, "error": completed.stderr[-3000:]}
    report["stderr"] = completed.stderr[-2000:]
    return report


def _functions(template: dict[str, Any]) -> list[str]:
    return sorted(k for k, v in template["Resources"].items() if v["Type"] == "AWS::Serverless::Function")


def _signed_post(payload: bytes) -> dict[str, Any]:
    return local.http_api_event(
        "POST", body=payload, headers={"x-twitter-webhooks-signature": sign(CONSUMER_SECRET, payload)}
    )


def _as_agent(event: dict[str, Any]) -> dict[str, Any]:
    """What API Gateway's JWT authorizer adds to an inbox request once Cognito's token checked out."""
    event["requestContext"]["authorizer"] = {"jwt": {"claims": {"email": "alice@brand.example"}, "scopes": None}}
    return event


def _case_record(table: str) -> dict[str, Any]:
    items = boto3.client("dynamodb").scan(TableName=table)["Items"]
    case = next(item for item in items if item["sk"]["S"] == "CASE")
    return {
        "eventID": "1",
        "eventName": "INSERT",
        "eventSource": "aws:dynamodb",
        "awsRegion": REGION,
        "dynamodb": {"Keys": {"pk": case["pk"], "sk": case["sk"]}, "NewImage": case, "SequenceNumber": "1",
                     "StreamViewType": "NEW_AND_OLD_IMAGES", "ApproximateCreationDateTime": 1764000000},
        "eventSourceARN": f"arn:aws:dynamodb:{REGION}:123456789012:table/{table}/stream/2026-11-29T00:00:00.000",
    }  # fmt: skip


def test_the_build_has_every_function_of_the_template(built):
    source = local.load_template()
    assert _functions(built) == _functions(source)
    assert (BUILD / "CarebirdLayer" / "python" / "carebird" / "__init__.py").exists()


def test_the_built_layer_ships_no_development_tooling(built):
    layer = BUILD / "CarebirdLayer" / "python"
    shipped = {path.relative_to(layer).with_suffix("").as_posix() for path in (layer / "carebird").rglob("*.py")}
    source_root = ROOT / "layers" / "carebird"
    source = {
        path.relative_to(source_root).with_suffix("").as_posix() for path in (source_root / "carebird").rglob("*.py")
    }

    assert shipped == source
    assert not (layer / "carebird_local").exists()
    assert not {"cli", "demo", "local", "simulate", "server"} & {name.rpartition("/")[2] for name in shipped}
    assert not any((layer / name).exists() for name in ("click", "moto", "yaml"))


def shipped_packages(layer: Path) -> set[str]:
    """`name==version` of every distribution installed in a built layer's python/ (from its .dist-info)."""
    import re

    found = set()
    for metadata in layer.glob("*.dist-info/METADATA"):
        fields = dict(re.findall(r"^(Name|Version): (.+)$", metadata.read_text(encoding="utf-8"), flags=re.M))
        found.add(f"{fields['Name'].lower().replace('_', '-').replace('.', '-')}=={fields['Version'].strip()}")
    return found


def locked_packages() -> set[str]:
    lock = ROOT / "layers" / "carebird" / "requirements.txt"
    return {line.strip() for line in lock.read_text(encoding="utf-8").splitlines() if "==" in line}


def test_the_built_layer_ships_exactly_the_lock_and_nothing_the_runtime_provides(built):
    layer = BUILD / "CarebirdLayer" / "python"
    shipped = shipped_packages(layer)

    assert shipped == locked_packages()
    assert not any((layer / name).exists() for name in ("boto3", "botocore", "s3transfer", "dateutil", "six.py"))
    owned = {"carebird", "__pycache__"} | {  # every top-level entry belongs to a locked distribution (its RECORD)
        row.split(",", 1)[0].split("/", 1)[0]
        for record in layer.glob("*.dist-info/RECORD")
        for row in record.read_text(encoding="utf-8").splitlines()
    }
    assert {p.name for p in layer.iterdir()} - owned == set()


def test_a_layer_holding_a_package_the_lock_does_not_fails_the_check(tmp_path):
    layer = tmp_path / "python"
    shutil.copytree(BUILD / "CarebirdLayer" / "python", layer)
    stray = layer / "six-1.17.0.dist-info"
    stray.mkdir()
    (stray / "METADATA").write_text("Metadata-Version: 2.1\nName: six\nVersion: 1.17.0\n", encoding="utf-8")

    assert shipped_packages(layer) - locked_packages() == {"six==1.17.0"}


def test_every_built_function_imports_and_handles_a_representative_event(built, stack):
    mention = (FIXTURES / "aaa-mention.json").read_bytes()
    monday_opening = "2026-11-30T08:00:00Z"  # 09:00 in Europe/Paris, the template's default opening
    events: dict[str, list[Any]] = {
        "WebhookFunction": [local.http_api_event("GET", query={"crc_token": "abcDEF123"}), _signed_post(mention)],
        "AnnouncerFunction": [{"kind": "plan"}, {"kind": "opening", "scheduled_time": monday_opening}],
        "DigestFunction": [{}],
        "WatcherFunction": [{}],
        "PollerFunction": [{}],
        "HealthFunction": [{}],
        "ComplianceFunction": [{}],
    }
    reports: dict[str, dict[str, Any]] = {}
    reports["WebhookFunction"] = invoke(built, "WebhookFunction", stack, events["WebhookFunction"])
    handover = json.loads(handoff_payload(mention, datetime.now(UTC)))  # what the webhook handed to Lambda
    reports["IngesterFunction"] = invoke(built, "IngesterFunction", stack, [handover])
    record = _case_record(stack["CasesTable"])  # the stream consumers get the case the ingester stored
    events["DispatcherFunction"] = events["AcknowledgerFunction"] = [{"Records": [record]}]
    deadline = {"case_id": "public-1860000000000000101", "level": "1", "reopened": "0", "waited_text": "1 h 30 min"}
    events["EscalatorFunction"] = [local.escalation_event(
        [{"MessageId": "m-1", "ReceiptHandle": "r-1", "Body": json.dumps(deadline)}], stack["EscalationQueue.Arn"]
    )]  # fmt: skip
    roster = {**agent_key("alice@brand.example"), "type": "agent", "agent": "alice@brand.example", "role": "agent"}
    boto3.resource("dynamodb").Table(stack["CasesTable"]).put_item(Item=roster)  # the inbox answers the team only
    events["InboxFunction"] = [
        local.http_api_event("GET", "/inbox"),
        _as_agent(local.http_api_event("GET", "/inbox/api/queue")),
        _as_agent(local.http_api_event("POST", "/inbox/api/cases/public-1860000000000000101/reply",
                                       body=json.dumps({"text": "Bonjour Claire, c'est réparé !"}).encode())),
    ]  # fmt: skip
    for name in _functions(built):
        if name not in reports:
            reports[name] = invoke(built, name, stack, events[name])
    failures = {name: r.get("error") or r["stderr"] for name, r in reports.items() if not r["ok"]}
    assert not failures, json.dumps(failures, indent=1)
    assert set(reports) == set(_functions(built)), "a function of the template has no representative event"

    crc, delivery = reports["WebhookFunction"]["result"]
    assert crc["statusCode"] == 200 and json.loads(crc["body"])["response_token"].startswith("sha256=")
    assert delivery["statusCode"] == 200 and json.loads(delivery["body"]) == {"accepted": len(mention)}
    assert reports["IngesterFunction"]["result"] == [{"feed": "aaa", "outcomes": {"created": 1}}]
    for consumer in ("DispatcherFunction", "AcknowledgerFunction"):
        assert reports[consumer]["result"] == [{"batchItemFailures": []}], consumer
    schedules = boto3.client("scheduler").list_schedules(GroupName="carebird-sla")["Schedules"]
    assert sorted(s["Name"] for s in schedules) == [  # the deadline and its backstop, scheduled
        "public-1860000000000000101-r0-l1",
        "public-1860000000000000101-r0-l1-b",
    ]
    assert reports["EscalatorFunction"]["result"] == [{"batchItemFailures": []}]  # emailed through SNS
    plan, opening = reports["AnnouncerFunction"]["result"]
    assert opening == {"kind": "opening", "outcome": "posted", "x": "sent"}  # posted through tweepy
    planned = boto3.client("scheduler").list_schedules(GroupName="carebird-announcements")["Schedules"]
    assert plan["created"] == len(planned) > 0  # the day's announcements, planned from the calendar
    page, queue, answer = reports["InboxFunction"]["result"]
    assert page["statusCode"] == 200 and "Content-Security-Policy" in page["headers"]
    assert queue["statusCode"] == 200 and json.loads(queue["body"])["cases"][0]["author"] == "claire_dupont"
    assert answer["statusCode"] == 200 and json.loads(answer["body"])["via"] == "reply"  # through tweepy
    (compliance,) = reports["ComplianceFunction"]["result"]
    assert compliance["submitted"] == 1  # the customer post the webhook stored, sent to X's batch compliance job
    for name, report in reports.items():
        assert str(BUILD) in report["module"], f"{name} was not imported from the build"


def test_a_build_missing_a_dependency_fails_the_artifact_test(built, stack, tmp_path):
    # The same watcher invocation, with tweepy dropped from the built layer: the test must notice.
    layer = tmp_path / "layer"
    shutil.copytree(BUILD / "CarebirdLayer", layer)
    shutil.rmtree(layer / "python" / "tweepy")
    report = invoke(built, "WatcherFunction", stack, [{}], layer=layer)
    assert not report["ok"]
    assert "No module named 'tweepy'" in report["error"]


def test_with_tracing_active_the_tracer_runs_on_the_runtimes_botocore(built):
    # aws-xray-sdk ships without the botocore it declares: the runtime's own is the one it patches
    layer = BUILD / "CarebirdLayer" / "python"
    code = (
        f"import sys; sys.path.insert(0, {str(layer)!r})\n"
        "from carebird.aws.tracing import tracer_for\n"
        "tracer = tracer_for(True)\n"
        "import aws_xray_sdk, botocore\n"
        f"assert not botocore.__file__.startswith({str(layer)!r}), botocore.__file__\n"
        "print(type(tracer).__name__, aws_xray_sdk.__file__.startswith(sys.path[0]))\n"
    )
    env = {
        "POWERTOOLS_SERVICE_NAME": "carebird-test",
        "AWS_DEFAULT_REGION": REGION,
        "PATH": os.environ["PATH"],
        "PYTHONDONTWRITEBYTECODE": "1",
    }  # fmt: skip (the build stays as sam built it)
    result = subprocess.run([_runtime_python(), "-c", code], env=env, capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["Tracer", "True"]
