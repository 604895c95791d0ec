"""Static checks of infra/template.yaml: the contract other parts rely on."""

import json
import re

from carebird_local.local import load_template

TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]


def test_functions_run_python_3_13_on_arm64_with_the_shared_layer():
    function = TEMPLATE["Globals"]["Function"]

    assert function["Runtime"] == "python3.13"
    assert function["Architectures"] == ["arm64"]
    assert {"Ref": "CarebirdLayer"} in function["Layers"]


def test_the_cases_table_has_pitr_encryption_a_stream_and_the_sparse_queue_index():
    props = RESOURCES["CasesTable"]["Properties"]

    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert props["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    index = {i["IndexName"]: i for i in props["GlobalSecondaryIndexes"]}["OpenQueue"]
    assert [k["AttributeName"] for k in index["KeySchema"]] == ["queue", "queue_rank"]


def test_the_webhook_gets_the_configuration_contract_names():
    env = {
        **TEMPLATE["Globals"]["Function"]["Environment"]["Variables"],
        **RESOURCES["WebhookFunction"]["Properties"]["Environment"]["Variables"],
    }

    assert {"CASES_TABLE", "X_SECRET_ARN", "BRAND_USER_ID", "BRAND_HANDLE"} <= set(env)
    assert not any("secret" in str(value).lower() and "Ref" not in str(value) for value in env.values())


def test_the_webhook_serves_get_and_post_and_the_url_is_an_output():
    events = RESOURCES["WebhookFunction"]["Properties"]["Events"].values()

    assert {(e["Properties"]["Method"], e["Properties"]["Path"]) for e in events} == {
        ("GET", "/webhook"),
        ("POST", "/webhook"),
    }
    assert "/webhook" in TEMPLATE["Outputs"]["WebhookUrl"]["Value"]["Fn::Sub"]


def test_hand_written_statements_name_their_actions_and_scope_table_access_to_the_table():
    for name, resource in RESOURCES.items():
        for policy in resource.get("Properties", {}).get("Policies", []) or []:
            for statement in policy.get("Statement", []) if isinstance(policy, dict) else []:
                assert all("*" not in action for action in statement["Action"]), name
                if any(a.startswith("dynamodb:") for a in statement["Action"]):
                    resources = (
                        statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
                    )
                    assert all("CasesTable" in json.dumps(r) for r in resources), name


def test_deploys_ship_the_built_template_and_no_region_is_pinned_silently():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    makefile = (root / "Makefile").read_text()
    deploy_recipe = makefile.split("\ndeploy:", 1)[1].split("\n\n", 1)[0]
    assert (
        "--template-file $(BUILT_TEMPLATE)" in deploy_recipe
        and "BUILT_TEMPLATE := .aws-sam/build/template.yaml" in makefile
    )
    readme = (root / "README.md").read_text()
    readme_deploys = [line for line in readme.splitlines() if "bin/sam deploy" in line]
    assert all("--template-file .aws-sam/build/template.yaml" in line for line in readme_deploys)
    assert "make deploy ARGS=--guided" in readme  # README deploys through the recipe above
    assert "region =" not in (root / "infra" / "samconfig.example.toml").read_text()  # yours, in your own samconfig


def test_what_ships_is_pinned_in_one_lock_and_functions_list_nothing_of_their_own():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    lock = [line for line in (root / "layers" / "carebird" / "requirements.txt").read_text().splitlines()]
    pins = [line for line in lock if line and not line.startswith("#")]
    assert pins and all("==" in line for line in pins)
    assert {"aws-lambda-powertools", "tweepy"} <= {line.split("==")[0] for line in pins}
    for requirements in (root / "functions").glob("*/requirements.txt"):
        assert all(line.startswith("#") for line in requirements.read_text().splitlines() if line), requirements


def _dynamodb_actions(resource: dict) -> set[str]:
    actions: set[str] = set()
    for policy in resource["Properties"].get("Policies", []):
        assert not {"DynamoDBCrudPolicy", "DynamoDBReadPolicy", "DynamoDBWritePolicy"} & set(policy), policy
        for statement in policy.get("Statement", []) if isinstance(policy, dict) else []:
            actions |= {a for a in statement["Action"] if a.startswith("dynamodb:")}
    return actions


def test_every_function_and_the_workflow_get_only_the_table_actions_they_use():
    expected = {
        "WebhookFunction": set(),  # it verifies and hands over: the ingester stores
        "IngesterFunction": {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"},
        "AnnouncerFunction": {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"},
        "AcknowledgerFunction": {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"},
        "DigestFunction": {"dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:BatchGetItem"},  # + the bill's counters
        "ComplianceFunction": {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"},
        "WatcherFunction": {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"},
        "PollerFunction": {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"},
        "HealthFunction": {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"},
        "DispatcherFunction": {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"},  # KPI rows only
        "InboxFunction": {
            "dynamodb:GetItem",
            "dynamodb:BatchGetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:Query",
        },
        "EscalatorFunction": {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"},
        "SlaStateMachine": {"dynamodb:GetItem"},
    }
    assert {name: _dynamodb_actions(RESOURCES[name]) for name in expected} == expected


def test_the_dispatcher_writes_only_the_kpi_rows_and_the_queue_version():
    statements = [
        statement
        for policy in RESOURCES["DispatcherFunction"]["Properties"]["Policies"]
        for statement in policy.get("Statement", [])
        if any(str(action).startswith("dynamodb:") for action in statement["Action"])
    ]
    assert [s["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"] for s in statements] == [
        ["KPI", "KPIMARK#*", "QUEUE"]
    ]


def test_failures_are_visible_logs_are_kept_and_customer_text_is_encrypted():
    functions = [n for n, r in RESOURCES.items() if r["Type"] == "AWS::Serverless::Function"]
    groups = {
        r["Properties"]["LogGroupName"]["Fn::Sub"]: r for r in RESOURCES.values() if r["Type"] == "AWS::Logs::LogGroup"
    }
    for name in functions:
        assert groups[f"/aws/lambda/${{{name}}}"]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert RESOURCES["SlaStateMachine"]["Properties"]["Logging"]["Level"] == "ERROR"
    assert "AccessLogSettings" in RESOURCES["WebhookApi"]["Properties"]
    scheduled = ("AnnouncerFunction", "DigestFunction", "WatcherFunction", "PollerFunction", "HealthFunction")
    for name in (*scheduled, "ComplianceFunction"):
        on_failure = RESOURCES[name]["Properties"]["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]
        assert on_failure["Destination"] == {"Fn::GetAtt": ["FailuresQueue", "Arn"]}, name
    alarms = {n: r["Properties"] for n, r in RESOURCES.items() if r["Type"] == "AWS::CloudWatch::Alarm"}
    assert {"WebhookServerErrorsAlarm", "QuarantineAlarm", "FailuresAlarm"} <= set(alarms)
    server_errors = alarms["WebhookServerErrorsAlarm"]  # the API's 5xx: the function's own 503s are among them
    assert (server_errors["Namespace"], server_errors["MetricName"]) == ("AWS/ApiGateway", "5xx")
    assert {"Name": "ApiId", "Value": {"Ref": "WebhookApi"}} in server_errors["Dimensions"]
    assert all(a["AlarmActions"] == [{"Ref": "AlertsTopic"}] for a in alarms.values())
    for topic in ("TeamTopic", "ManagerTopic"):
        assert RESOURCES[topic]["Properties"]["KmsMasterKeyId"] == "alias/aws/sns"


def test_every_schedule_scheduler_cannot_deliver_after_its_retries_lands_in_the_alarmed_failures_queue():
    failures = {"Fn::GetAtt": ["FailuresQueue", "Arn"]}
    schedules = {
        f"{name}.{event_name}": event["Properties"]
        for name, resource in RESOURCES.items()
        if resource["Type"] == "AWS::Serverless::Function"
        for event_name, event in resource["Properties"].get("Events", {}).items()
        if event["Type"] == "ScheduleV2"
    }
    assert len(schedules) >= 6  # announcer's plan, digest, watcher, poller, health, compliance
    # SAM gives the schedule role it generates sqs:SendMessage on the Arn (no role of our own is passed)
    for name, props in schedules.items():
        assert props.get("DeadLetterConfig") == {"Arn": failures} and "RoleArn" not in props, name
        # a passing refusal is retried first: one failed invocation alone would hold the alarm up until handled
        assert props["RetryPolicy"]["MaximumRetryAttempts"] >= 1, name
    # the announcer's one-time schedules (carebird.aws.timers) and the SLA timers dead-letter there too, each role
    # allowed to send to that queue only
    announcer = RESOURCES["AnnouncerFunction"]["Properties"]["Environment"]["Variables"]
    assert announcer["ANNOUNCEMENT_DEAD_LETTER_ARN"] == failures
    dispatcher = RESOURCES["DispatcherFunction"]["Properties"]["Environment"]["Variables"]
    assert dispatcher["SCHEDULE_DEAD_LETTER_ARN"] == failures
    for role in ("AnnouncementSchedulerRole", "SlaSchedulerRole"):
        statements = [s for p in RESOURCES[role]["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]]
        sends = [s for s in statements if "sqs:SendMessage" in str(s["Action"])]
        assert [(s["Action"], s["Resource"]) for s in sends] == [("sqs:SendMessage", failures)], role


def _watched_table() -> list[tuple[str, list[str]]]:
    """docs/reliability.md's "What is watched": each silent failure and the alarms it names."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "reliability.md").read_text()
    section = text.split("\n## What is watched\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.split(" | ") for line in section.splitlines() if line.startswith("| ") and "---" not in line]
    return [(cells[0].strip("| "), re.findall(r"`(\w+Alarm)`", cells[1])) for cells in rows[1:]]


def test_every_silent_failure_the_reliability_report_lists_has_an_alarm_that_tells_the_operator_what_to_do():
    alarms = {n: r for n, r in RESOURCES.items() if r["Type"] == "AWS::CloudWatch::Alarm"}
    table = _watched_table()

    assert len(table) >= 13 and all(named for _, named in table)  # every listed failure names its alarm
    for failure, named in table:
        for name in named:
            assert name in alarms, f"{failure}: {name} is not in the template"
            props = alarms[name]["Properties"]
            assert props["AlarmActions"] == [{"Ref": "AlertsTopic"}], name
            assert "What to do:" in props["AlarmDescription"], f"{name} does not tell the operator what to do"
    assert {name for _, named in table for name in named} == set(alarms)  # and no alarm the report leaves out
    # CloudWatch's free tier: 10 alarm metrics, the manager's alarm included; each alarm here reads one metric
    assert len(alarms) <= 10 and all("Metrics" not in a["Properties"] for a in alarms.values())


def test_the_inbox_is_for_the_team_only_behind_cognitos_jwt_authorizer():
    routes = {
        r["Properties"]["RouteKey"]: r["Properties"]
        for r in RESOURCES.values()
        if r["Type"] == "AWS::ApiGatewayV2::Route"
    }
    inbox = {key: route for key, route in routes.items() if " /inbox" in key}
    # Only the page and its static files load without a token: they hold no data and no secret.
    assert {k for k, r in inbox.items() if r["AuthorizationType"] == "NONE"} == {
        "GET /inbox",
        "GET /inbox/static/{file}",
    }
    for key in ("GET /inbox/api/{proxy+}", "POST /inbox/api/{proxy+}"):
        assert inbox[key]["AuthorizationType"] == "JWT" and inbox[key]["AuthorizerId"] == {"Ref": "InboxAuthorizer"}
    assert not any("dev" in key for key in routes), "the development sign-in exists only in the local server"
    authorizer = RESOURCES["InboxAuthorizer"]["Properties"]
    assert authorizer["JwtConfiguration"]["Audience"] == [{"Ref": "InboxUserPoolClient"}]
    assert "InboxUserPool" in authorizer["JwtConfiguration"]["Issuer"]["Fn::Sub"]
    pool = RESOURCES["InboxUserPool"]["Properties"]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True  # invited, never self signed up
    client = RESOURCES["InboxUserPoolClient"]["Properties"]
    assert client["GenerateSecret"] is False and client["AllowedOAuthFlows"] == ["code"]
    # The webhook stays open to X (its signature is its check).
    webhook_events = RESOURCES["WebhookFunction"]["Properties"]["Events"]
    assert all("Auth" not in e["Properties"] for e in webhook_events.values())


def test_the_failures_alarm_tells_the_operator_to_empty_its_queue_or_a_later_failure_raises_no_new_email():
    # The alarm reads how many messages the queue holds: while one stays, it stays in ALARM, and CloudWatch emails
    # only on a change of state. One queue now takes the stream consumers', the scheduled functions' and the SLA
    # timers' failures, so a digest failure left there would silence an SLA timer's for the queue's 14 days.
    failures = RESOURCES["FailuresAlarm"]["Properties"]
    assert failures["MetricName"] == "ApproximateNumberOfMessagesVisible"
    description = failures["AlarmDescription"]
    assert "delete" in description and "no new email" in description


def test_the_server_errors_alarm_says_the_inbox_shares_its_api_so_the_operator_looks_at_the_right_function():
    # WebhookUnavailable (the webhook's own 503s) is gone: the API's 5xx is the only signal, and it counts the
    # inbox's routes too, which are integrated on the same API.
    assert RESOURCES["InboxIntegration"]["Properties"]["ApiId"] == {"Ref": "WebhookApi"}
    server_errors = RESOURCES["WebhookServerErrorsAlarm"]["Properties"]
    assert {"Name": "ApiId", "Value": {"Ref": "WebhookApi"}} in server_errors["Dimensions"]
    assert "inbox" in server_errors["AlarmDescription"]


def test_lambda_logs_only_its_failure_events_and_never_drops_a_line_the_metrics_or_the_dashboard_read():
    # LoggingConfig (docs/reliability.md, "What is logged"): JSON logs, system events at WARN (a failed, timed-out or
    # crashed invocation and a failed init, not START/END/REPORT), the functions' lines at INFO at most: powertools'
    # EMF lines carry no "level", which Lambda reads as INFO, so a higher application level would drop the metrics.
    logging = TEMPLATE["Globals"]["Function"]["LoggingConfig"]
    assert (logging["LogFormat"], logging["SystemLogLevel"]) == ("JSON", "WARN")
    assert logging["ApplicationLogLevel"] == {"Fn::If": ["LogLevelDebug", "DEBUG", "INFO"]}
    assert TEMPLATE["Conditions"]["LogLevelDebug"] == {"Fn::Equals": [{"Ref": "LogLevel"}, "DEBUG"]}
    functions = [r["Properties"] for r in RESOURCES.values() if r["Type"] == "AWS::Serverless::Function"]
    assert all("LoggingConfig" not in f for f in functions)  # no function sends its logs elsewhere or at INFO
    # the metric filters read the API's access log, which LoggingConfig does not touch; the dashboard's queries read
    # keys of the functions' JSON lines (an EMF line's metric, an acknowledgement's detail), which it keeps as they are
    filters = [r["Properties"] for r in RESOURCES.values() if r["Type"] == "AWS::Logs::MetricFilter"]
    assert filters and all(f["LogGroupName"] == {"Ref": "WebhookAccessLogGroup"} for f in filters)
    queries = re.findall(r'"query": "([^"]*)"', RESOURCES["CareDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"])
    assert queries and all(re.search(r"filter ispresent\((acknowledged_via|CasesOpened)\)", q) for q in queries)


def _statements(function: str) -> list[tuple[str, object]]:
    """Every (action, resource) a function's role is given, SAM's policy templates by their name."""
    granted: list[tuple[str, object]] = []
    for policy in RESOURCES[function]["Properties"].get("Policies", []):
        for statement in policy.get("Statement", []):
            granted += [(action, statement["Resource"]) for action in statement["Action"]]
        granted += [(name, argument) for name, argument in policy.items() if name != "Statement"]
    return granted


def test_the_webhook_may_invoke_the_ingester_only_and_read_the_secret_and_touches_no_table():
    granted = _statements("WebhookFunction")

    assert sorted(granted, key=str) == sorted(
        [
            ("lambda:InvokeFunction", {"Fn::GetAtt": ["IngesterFunction", "Arn"]}),  # the exact function, no wildcard
            ("AWSSecretsManagerGetSecretValuePolicy", {"SecretArn": {"Ref": "XCredentials"}}),
        ],
        key=str,
    )
    environment = RESOURCES["WebhookFunction"]["Properties"]["Environment"]["Variables"]
    assert environment["INGESTER_FUNCTION"] == {"Ref": "IngesterFunction"}
    assert not {"CASES_TABLE", "OUTAGE_TOPIC_ARN"} & set(environment)


def test_the_ingester_stores_and_alerts_but_reads_no_secret_and_invokes_nothing():
    granted = _statements("IngesterFunction")
    actions = {action for action, _ in granted}

    assert actions == {
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "SNSPublishMessagePolicy",
    }
    table = [{"Fn::GetAtt": ["CasesTable", "Arn"]}]
    assert all(resource == table for action, resource in granted if action.startswith("dynamodb"))
    assert ("SNSPublishMessagePolicy", {"TopicName": {"Fn::GetAtt": ["TeamTopic", "TopicName"]}}) in granted
    assert "Events" not in RESOURCES["IngesterFunction"]["Properties"]  # no URL, no schedule: the webhook invokes it


def test_the_ingester_retries_twice_keeps_events_an_hour_then_sends_them_to_the_alarmed_failures_queue():
    config = RESOURCES["IngesterFunction"]["Properties"]["EventInvokeConfig"]

    # an hour, not Lambda's default six: a backlog held back by throttling reaches the alarmed queue within the hour
    assert (config["MaximumRetryAttempts"], config["MaximumEventAgeInSeconds"]) == (2, 3600)
    assert config["DestinationConfig"]["OnFailure"] == {
        "Type": "SQS",  # SAM gives the role sqs:SendMessage on this queue alone
        "Destination": {"Fn::GetAtt": ["FailuresQueue", "Arn"]},
    }
    # a failure record carries the delivery as base64: the queue takes SQS's largest message, not its 256 KiB default
    assert RESOURCES["FailuresQueue"]["Properties"]["MaximumMessageSize"] == 1_048_576
    alarm = RESOURCES["FailuresAlarm"]["Properties"]
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["FailuresQueue", "QueueName"]}}]
    assert "ingester" in alarm["AlarmDescription"] and "carebird redrive" in alarm["AlarmDescription"]
    # what the operator needs to store them again (carebird redrive) is in the outputs
    assert TEMPLATE["Outputs"]["IngesterFunctionName"]["Value"] == {"Ref": "IngesterFunction"}
    assert TEMPLATE["Outputs"]["FailuresQueueUrl"]["Value"] == {"Ref": "FailuresQueue"}
