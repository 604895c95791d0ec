"""The embedded local runtime: provision moto from infra/template.yaml and call the real handlers.

Used by `carebird demo` and by the integration tests, so both exercise the template's own table
definition and the functions exactly as deployed.
"""

from __future__ import annotations

import base64
import functools
import importlib.util
import io
import json
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

from carebird.x.signature import SIGNATURE_HEADER, sign

PROJECT_ROOT = Path(__file__).resolve().parents[2]  # devtools/carebird_local/local.py in a clone of the project
TEMPLATE_PATH = PROJECT_ROOT / "infra" / "template.yaml"
FUNCTIONS_DIR = PROJECT_ROOT / "functions"


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """The SAM template as data; CloudFormation short tags become their long forms (parsed once per file)."""
    import copy

    return copy.deepcopy(_parsed_template(path, path.stat().st_mtime_ns))


@functools.cache
def _parsed_template(path: Path, _modified: int) -> dict[str, Any]:
    import yaml

    class CfnLoader(yaml.SafeLoader):
        pass

    def construct(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
        name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if suffix == "GetAtt":
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {name: value}

    CfnLoader.add_multi_constructor("!", construct)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=CfnLoader)


def create_cases_table(dynamodb: Any, table_name: str, template: dict[str, Any] | None = None) -> None:
    """Create the table from the template's own CasesTable definition (keys, index, stream)."""
    props = (template or load_template())["Resources"]["CasesTable"]["Properties"]
    dynamodb.create_table(
        TableName=table_name,
        AttributeDefinitions=props["AttributeDefinitions"],
        KeySchema=props["KeySchema"],
        GlobalSecondaryIndexes=props["GlobalSecondaryIndexes"],
        BillingMode=props["BillingMode"],
        StreamSpecification={"StreamEnabled": True, **props["StreamSpecification"]},
    )


def create_x_secret(secretsmanager: Any, name: str, consumer_secret: str) -> str:
    """A Secrets Manager secret shaped like the deployed one; returns its ARN."""
    from carebird.aws.secrets import protect_logs

    protect_logs()
    document = {
        "consumer_key": "local-consumer-key",
        "consumer_secret": consumer_secret,
        "access_token": "local-access-token",
        "access_token_secret": "local-access-token-secret",
        "bearer_token": "local-bearer-token",
    }
    return secretsmanager.create_secret(Name=name, SecretString=json.dumps(document))["ARN"]


@functools.cache
def service_names() -> dict[str, str]:
    """Each function's POWERTOOLS_SERVICE_NAME as the template sets it, by the function's folder."""
    names = {}
    for resource in load_template()["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            props = resource["Properties"]
            folder = props["CodeUri"].rstrip("/").split("/")[-1]
            names[folder] = props["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"]
    return names


def load_function(name: str) -> ModuleType:
    """Import functions/<name>/app.py afresh under a unique module name (its cold start), with the service name
    its Lambda has (the rest of its environment is the caller's, as EmbeddedStack sets it)."""
    import os

    os.environ["POWERTOOLS_SERVICE_NAME"] = service_names().get(name, f"carebird-{name}")
    module_name = f"carebird_function_{name}"
    sys.modules.pop(module_name, None)
    spec = importlib.util.spec_from_file_location(module_name, FUNCTIONS_DIR / name / "app.py")
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"no function named {name}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


@dataclass
class LambdaContext:
    """Enough of the Lambda context object for powertools."""

    function_name: str = "carebird-local"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:eu-west-3:123456789012:function:carebird-local"
    aws_request_id: str = ""
    timeout_ms: int = 10_000  # the function's Timeout (the template's Globals: 10 s)

    def __post_init__(self) -> None:
        self.aws_request_id = self.aws_request_id or str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return self.timeout_ms


class ResponseBody(io.BytesIO):
    """A response body botocore can read whole or stream (an answer's `raw`): the handover's 202 has none."""

    def stream(self, **_: Any) -> Any:
        yield self.read()


def lambda_answer(url: str, status: int, headers: dict[str, str], body: bytes = b"") -> Any:
    """An answer of Lambda's API at botocore's transport (what a `before-send` handler returns)."""
    from botocore.awsrequest import AWSResponse

    return AWSResponse(url, status, headers, ResponseBody(body))


def lambda_refusal(url: str, status: int, error_type: str, message: str) -> Any:
    """Lambda refusing an Invoke: its status, its error type in `x-amzn-ErrorType`, its message."""
    body = json.dumps({"Type": "User", "message": message}).encode()
    return lambda_answer(url, status, {"x-amzn-ErrorType": error_type, "Content-Type": "application/json"}, body)


def invoked(request: Any) -> tuple[str, str]:
    """The function an `Invoke` request names and its invocation type (RequestResponse when it says none)."""
    from urllib.parse import unquote

    kind = request.headers.get("X-Amz-Invocation-Type") or "RequestResponse"
    name = unquote(request.url.split("/functions/", 1)[1].split("/", 1)[0])
    return name, kind.decode() if isinstance(kind, bytes) else kind


@dataclass
class Invocation:
    """One asynchronous invocation as Lambda ran it: the payload, each attempt's answer or error."""

    function_name: str
    payload: Any
    answer: Any = None
    errors: list[BaseException] = field(default_factory=list)
    queued_by: int = 0  # the thread whose call queued it

    @property
    def failed(self) -> bool:
        return self.answer is None and bool(self.errors)


ASYNC_PAYLOAD_LIMIT = 1_048_576  # "For asynchronous invocations, the maximum payload size is 1 MB" (Lambda's Invoke)


class AsyncLambda:
    """Lambda's asynchronous invocations, in process: an `Invoke` with InvocationType Event is answered at botocore's
    transport with a 202 once the event is queued here, as Lambda answers; `run_pending` then runs each queued event's
    function, as Lambda does moments later, with the retries of the template's EventInvokeConfig (an event that fails
    every attempt is kept in `failed`, where Lambda sends it to the failures queue). The webhook's own code, its Lambda
    client included, runs as deployed: only Lambda's queue is replaced. Events run after the call that queued them,
    never inside it (a test's serialised AWS calls would otherwise wait on themselves)."""

    def __init__(self, retries: int | None = None) -> None:
        template = load_template()["Resources"]["IngesterFunction"]["Properties"]
        self.retries = template["EventInvokeConfig"]["MaximumRetryAttempts"] if retries is None else retries
        self.timeout_ms = int(template["Timeout"]) * 1000
        self.functions: dict[str, tuple[ModuleType, LambdaContext]] = {}
        self.invocations: list[Invocation] = []
        self.pending: list[Invocation] = []
        self._lock = threading.Lock()

    def route(self, function_name: str, module: ModuleType) -> None:
        self.functions[function_name] = (module, LambdaContext(function_name=function_name, timeout_ms=self.timeout_ms))

    def attach(self, client: Any) -> None:
        client.meta.events.register_first("before-send.lambda.Invoke", self._queue, unique_id="carebird-async-lambda")

    @property
    def failed(self) -> list[Invocation]:
        return [invocation for invocation in self.invocations if invocation.failed]

    def run_pending(self, queued_here: bool = False) -> list[Invocation]:
        """Run the queued events (in the order queued), or only those this thread's calls queued: threads that each
        deliver then run their own handover run the ingester at the same time, as Lambda runs concurrent events."""
        here = threading.get_ident()
        with self._lock:
            ran = [i for i in self.pending if not queued_here or i.queued_by == here]
            self.pending = [i for i in self.pending if i not in ran]
        if len(ran) > 1:  # Lambda runs queued events in as many execution environments as they need, at once
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=min(len(ran), 8)) as environments:
                list(environments.map(self.run, ran))
        else:
            for invocation in ran:
                self.run(invocation)
        return ran

    def run(self, invocation: Invocation) -> Invocation:
        module, context = self.functions[invocation.function_name]
        for _attempt in range(1 + self.retries):
            try:
                invocation.answer = module.lambda_handler(invocation.payload, context)
                break
            except Exception as error:  # Lambda retries the event, then keeps it for the failures queue
                invocation.errors.append(error)
        return invocation

    def _queue(self, request: Any, **_: Any) -> Any:
        name, kind = invoked(request)
        if kind != "Event":
            return None  # a synchronous invocation: not this queue's
        if name not in self.functions:
            return lambda_refusal(request.url, 404, "ResourceNotFoundException", f"Function not found: {name}")
        if len(request.body) > ASYNC_PAYLOAD_LIMIT:  # Lambda's answer to an event too large to queue
            return lambda_refusal(
                request.url, 413, "RequestTooLargeException", "Request must be smaller than 1048576 bytes"
            )
        invocation = Invocation(name, json.loads(request.body), queued_by=threading.get_ident())
        with self._lock:
            self.invocations.append(invocation)
            self.pending.append(invocation)
        return lambda_answer(request.url, 202, {"x-amzn-RequestId": str(uuid.uuid4())})


def connect_webhook(webhook: ModuleType, ingester: ModuleType, queue: AsyncLambda | None = None) -> AsyncLambda:
    """The webhook's handovers to the ingester through Lambda's asynchronous queue (in process: AsyncLambda)."""
    queue = queue or AsyncLambda()
    queue.route(webhook.settings.ingester_function, ingester)
    queue.attach(webhook.handoff.client())
    return queue


def connected_webhook() -> tuple[ModuleType, AsyncLambda]:
    """A fresh cold start of the webhook and of the ingester it hands deliveries to, connected (settings: the
    environment as it is)."""
    ingester = load_function("ingester")
    webhook = load_function("webhook")
    return webhook, connect_webhook(webhook, ingester)


def post_delivery(
    webhook: ModuleType, queue: AsyncLambda, event: dict[str, Any], context: Any = None
) -> tuple[int, Any]:
    """The webhook's status and what the ingester did with the delivery (its answer: feed and outcomes), or the
    webhook's own body when nothing was handed over (a refusal, a CRC answer); raises what the ingester raised on
    every attempt, as Lambda would keep it for the failures queue."""
    response = webhook.lambda_handler(event, context or LambdaContext(function_name="carebird-webhook"))
    ran = queue.run_pending(queued_here=True)
    if not ran:
        return response["statusCode"], json.loads(response["body"])
    invocation = ran[-1]
    if invocation.failed:
        raise invocation.errors[-1]
    return response["statusCode"], invocation.answer


def http_api_event(
    method: str,
    path: str = "/webhook",
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    base64_encoded: bool = False,
) -> dict[str, Any]:
    """An API Gateway HTTP API (payload format 2.0) event, as the webhook receives it."""
    text = None
    if body is not None:
        text = base64.b64encode(body).decode("ascii") if base64_encoded else body.decode("utf-8")
    return {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": urlencode(query or {}),
        "queryStringParameters": query,
        "headers": {"content-type": "application/json", **{k.lower(): v for k, v in (headers or {}).items()}},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": "localhost",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "carebird-local",
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": f"{method} {path}",
            "stage": "$default",
        },
        "body": text,
        "isBase64Encoded": base64_encoded,
    }


def signed_delivery(payload: Any, consumer_secret: str, *, base64_encoded: bool = False) -> dict[str, Any]:
    """A POST event carrying `payload`, signed as X signs it."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return http_api_event(
        "POST", body=body, headers={SIGNATURE_HEADER: sign(consumer_secret, body)}, base64_encoded=base64_encoded
    )


def create_sla_state_machine(
    stepfunctions: Any,
    substitutions: dict[str, str],
    name: str = "carebird-sla",
    template: dict[str, Any] | None = None,
) -> str:
    """The SLA state machine from the template's DefinitionUri, with its DefinitionSubstitutions applied."""
    resource = (template or load_template())["Resources"]["SlaStateMachine"]["Properties"]
    definition = (TEMPLATE_PATH.parent / resource["DefinitionUri"]).read_text(encoding="utf-8")
    for key in resource["DefinitionSubstitutions"]:
        definition = definition.replace("${" + key + "}", substitutions[key])
    return stepfunctions.create_state_machine(
        name=name, definition=definition, roleArn="arn:aws:iam::123456789012:role/carebird-sla", type=resource["Type"]
    )["stateMachineArn"]


def parse_each_definition_once() -> None:
    """moto parses a state machine's ASL again for every execution (ANTLR in pure Python: a third of a second);
    its parsed program keeps no execution state (that lives in each execution's environment), so the embedded
    stack parses each definition once. Installed once per process."""
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    if getattr(ExecutionWorker, "_carebird_cached", False):
        return
    parse = functools.lru_cache(maxsize=32)(AmazonStateLanguageParser.parse)

    def entrypoint(worker: Any) -> Any:
        return parse(worker._evaluation_details.state_machine_details.definition)[0]

    ExecutionWorker._get_evaluation_entrypoint = entrypoint  # type: ignore[method-assign,assignment]
    ExecutionWorker._carebird_cached = True  # type: ignore[attr-defined]


class PacedClock:
    """The escalator's pacing clock, locally: its waits pass at once and are added to the clock, so a test sees
    when each email would have gone out (seconds from the simulation clock) without sleeping through them."""

    def __init__(self) -> None:
        self.waited = 0.0
        self.sent: list[tuple[float, str, str]] = []  # (seconds, audience, subject) of every email published

    def __call__(self) -> float:
        from carebird import clock

        return clock.now().timestamp() + self.waited

    def sleep(self, seconds: float) -> None:
        self.waited += max(seconds, 0.0)


EXPRESS_CAP_SECONDS = 300  # AWS stops an Express execution after five minutes (ExecutionsTimedOut)


class ExpressCap:
    """Express's five-minute cap on moto, which has none: while installed, the workflow's retry waits pass on
    the simulation clock (carebird.clock travels forward) instead of sleeping, and an execution whose waits pass
    300 s is stopped there, as AWS stops it. moto runs each execution in its own thread: waits add up per thread.
    """

    def __init__(self, limit: float = EXPRESS_CAP_SECONDS) -> None:
        import weakref

        self.limit = limit
        self.waited: weakref.WeakKeyDictionary[Any, float] = weakref.WeakKeyDictionary()  # by thread object
        self.timed_out = 0

    def sleep(self, seconds: float) -> None:
        import threading
        from datetime import timedelta

        from carebird import clock

        thread = threading.current_thread()  # the object, not its ident: a finished thread's ident is reused
        self.waited[thread] = self.waited.get(thread, 0.0) + seconds
        if self.waited[thread] > self.limit:
            self.timed_out += 1
            raise TimeoutError(f"Express execution past {self.limit:.0f} s: stopped (ExecutionsTimedOut)")
        clock.travel_to(clock.now() + timedelta(seconds=seconds))

    def __enter__(self) -> ExpressCap:
        from types import SimpleNamespace

        from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

        self._module, self._time = retrier_decl, retrier_decl.time
        retrier_decl.time = SimpleNamespace(sleep=self.sleep)  # type: ignore[assignment]
        return self

    def __exit__(self, *_: object) -> None:
        self._module.time = self._time


class SnsOutage:
    """SNS failing (InternalError on every publish, whoever calls it) until `until` on the simulation clock."""

    def __init__(self, until: Any) -> None:
        self.until, self.refused = until, 0

    def __enter__(self) -> SnsOutage:
        from moto.sns.exceptions import InternalError
        from moto.sns.models import SNSBackend

        from carebird import clock

        self._real = real = SNSBackend.publish
        outage = self

        def publish(backend: Any, *args: Any, **kwargs: Any) -> Any:
            if clock.now() < outage.until:
                outage.refused += 1
                raise InternalError("SNS unavailable (simulated outage)")
            return real(backend, *args, **kwargs)

        SNSBackend.publish = publish  # type: ignore[method-assign,assignment]
        return self

    def __exit__(self, *_: object) -> None:
        from moto.sns.models import SNSBackend

        SNSBackend.publish = self._real  # type: ignore[method-assign]


def escalation_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """SQS messages as Lambda's SQS event source hands them to the escalator."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": queue_arn.split(":")[3],
            }
            for m in messages
        ]
    }


def create_inbox(sns: Any, sqs: Any, topic_name: str) -> tuple[str, str]:
    """An SNS topic with an SQS queue subscribed, standing in for the team's mailbox; (topic ARN, queue URL)."""
    topic_arn = sns.create_topic(Name=topic_name)["TopicArn"]
    queue_url = sqs.create_queue(QueueName=f"{topic_name}-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    return topic_arn, queue_url


def read_inbox(sqs: Any, queue_url: str) -> list[dict[str, str]]:
    """Emails delivered so far (subject and message), removed from the inbox."""
    emails: list[dict[str, str]] = []
    while True:
        batch = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not batch:
            return emails
        for message in batch:
            envelope = json.loads(message["Body"])
            emails.append({"subject": envelope.get("Subject", ""), "message": envelope["Message"]})
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


class StreamReader:
    """Reads the table's stream as Lambda receives it, from moto's own stream shard.

    moto records a real DynamoDB stream (NEW_AND_OLD_IMAGES) but its dynamodbstreams endpoint is not
    reachable with current botocore, so the records are read from the backend directly. moto swaps the
    table object when it rolls a failed transaction back, so the table is looked up on every read.
    """

    def __init__(self, dynamodb: Any, table_name: str) -> None:
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.dynamodb.models import dynamodb_backends

        self.backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][dynamodb.meta.region_name]
        self.table_name = table_name
        self.stream_arn = dynamodb.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
        self.last_sequence = 0

    def next_event(self) -> dict[str, Any]:
        """Every record not read yet, as a Lambda DynamoDB stream event."""
        records = []
        shard = self.backend.tables[self.table_name].stream_shard
        assert shard is not None, "the table's stream is enabled when the stack is made"
        for item in shard.items:
            record = json.loads(json.dumps(item.to_json(), default=str))
            sequence = int(record["dynamodb"]["SequenceNumber"])
            if sequence <= self.last_sequence:
                continue
            self.last_sequence = sequence
            record["dynamodb"]["ApproximateCreationDateTime"] = int(time.time())
            record["eventSourceARN"] = self.stream_arn
            records.append(record)
        # Read records leave the shard, as a real stream trims them: moto deep-copies the shard (and the
        # table each record points to) on every transaction, so an ever-growing shard makes it quadratic.
        shard.starting_sequence_number += len(shard.items)
        shard.items = []
        return {"Records": records}


def template_defaults(template: dict[str, Any]) -> dict[str, str]:
    """The functions' settings as a fresh deployment has them: the template's parameter defaults."""
    parameters = template["Parameters"]
    return {
        "SLA_MINUTES": str(parameters["SlaMinutes"]["Default"]),
        "OPENING_HOURS": parameters["OpeningHours"]["Default"],
        "TIME_ZONE": parameters["TimeZone"]["Default"],
        "HOLIDAYS": parameters["Holidays"]["Default"],
        "ANNOUNCE_LANGUAGE": parameters["AnnounceLanguage"]["Default"],
        "ACK_ENABLED": parameters["AcknowledgeOutOfHours"]["Default"],
    }


class EmbeddedStack:
    """The deployed stack, in process on moto: table, secret, topics, SLA state machine and functions.

    Call inside `mock_aws(config={"stepfunctions": {"execute_state_machine": True}})` with TZ=UTC.
    It sets the functions' configuration in os.environ (as Lambda would); `settings` override it
    (SLA_MINUTES, OPENING_HOURS, ...). Callers restore the environment afterwards.
    """

    def __init__(
        self,
        consumer_secret: str,
        brand_user_id: str,
        brand_handle: str,
        table_name: str = "carebird-cases",
        settings: dict[str, str] | None = None,
    ) -> None:
        import os

        import boto3

        self.consumer_secret = consumer_secret
        self.table_name = table_name
        self.environ = os.environ
        self.dynamodb, self.sqs, self.sfn = boto3.client("dynamodb"), boto3.client("sqs"), boto3.client("stepfunctions")
        sns = boto3.client("sns")
        parse_each_definition_once()
        template = load_template()
        create_cases_table(self.dynamodb, table_name, template)
        secret_arn = self.secret_arn = create_x_secret(
            boto3.client("secretsmanager"), f"{table_name}-x", consumer_secret
        )
        team_topic, self.team_inbox = create_inbox(sns, self.sqs, f"{table_name}-team")
        manager_topic, self.manager_inbox = create_inbox(sns, self.sqs, f"{table_name}-manager")
        self.escalation_queue = self.sqs.create_queue(QueueName=f"{table_name}-escalations")["QueueUrl"]
        self.escalation_queue_arn = self.sqs.get_queue_attributes(
            QueueUrl=self.escalation_queue, AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        escalator_source = template["Resources"]["EscalatorFunction"]["Properties"]["Events"]["Deadlines"]["Properties"]
        self.escalation_batch_size = int(escalator_source["BatchSize"])
        self.state_machine = create_sla_state_machine(
            self.sfn,
            {"CasesTable": table_name, "EscalationQueueUrl": self.escalation_queue},
            name=f"{table_name}-sla",
            template=template,
        )
        os.environ.update(
            {
                "CASES_TABLE": table_name,
                "X_SECRET_ARN": secret_arn,
                "INGESTER_FUNCTION": f"{table_name}-ingester",
                "BRAND_USER_ID": brand_user_id,
                "BRAND_HANDLE": brand_handle,
                "STATE_MACHINE_ARN": self.state_machine,
                "TEAM_TOPIC_ARN": team_topic,
                "MANAGER_TOPIC_ARN": manager_topic,
                **template_defaults(template),
                "SECOND_LEVEL_MINUTES": "0",
                "X_DRY_RUN": "true",
                "POWERTOOLS_METRICS_DISABLED": "true",  # EMF lines would flood the terminal locally
                **(settings or {}),
            }
        )
        self.context = LambdaContext()
        self.ingester = load_function("ingester")
        self.webhook = load_function("webhook")
        self.lambda_queue = connect_webhook(self.webhook, self.ingester)
        self.dispatcher: Any = load_function("dispatcher")
        self.acknowledger = load_function("acknowledger")
        self.announcer = load_function("announcer")
        self.inbox = load_function("inbox")
        self.escalator = load_function("escalator")
        self.pace = PacedClock()
        self.escalator.notifier.clock, self.escalator.notifier.sleep = self.pace, self.pace.sleep
        self.stream = StreamReader(self.dynamodb, table_name)

    def publish(self, name: str) -> str:
        """A CloudFormation stack (on the embedded AWS) describing this one as a deployment would: its outputs and
        its parameters at the values the functions run with, so stack commands read it like a deployed stack."""
        import json

        import boto3

        from carebird import settings as configuration

        parameters = {
            s.parameter: self.environ[s.name] for s in configuration.SETTINGS if s.parameter and s.name in self.environ
        }
        outputs = {
            "CasesTableName": self.table_name,
            "XSecretArn": self.secret_arn,
            "BrandUserId": self.environ["BRAND_USER_ID"],
            "BrandHandle": self.environ["BRAND_HANDLE"],
        }
        template = {
            "Parameters": {name: {"Type": "String"} for name in parameters},
            "Resources": {"Placeholder": {"Type": "AWS::SQS::Queue"}},  # a stack needs one resource
            "Outputs": {key: {"Value": value} for key, value in outputs.items()},
        }
        boto3.client("cloudformation").create_stack(
            StackName=name,
            TemplateBody=json.dumps(template),
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        )
        return name

    def reload(self, function: str, **settings: str) -> ModuleType:
        """A new cold start of one function with changed settings."""
        self.environ.update(settings)
        module = load_function(function)
        setattr(self, function, module)
        if function in ("webhook", "ingester"):
            self.lambda_queue.functions.clear()
            connect_webhook(self.webhook, self.ingester, self.lambda_queue)
        return module

    def deliver(self, payload: Any) -> dict[str, Any]:
        """POST a signed delivery to the webhook, then let Lambda run the ingester it handed it to; the webhook's raw
        HTTP response (the ingester's answer: `ingested`)."""
        response = self.webhook.lambda_handler(signed_delivery(payload, self.consumer_secret), self.context)
        self.lambda_queue.run_pending()
        return response

    def run_ingester(self) -> list[Invocation]:
        """Lambda running the ingester on what the webhook handed over since the last run (in order)."""
        return self.lambda_queue.run_pending()

    def ingested(self) -> dict[str, Any]:
        """What the ingester answered for the latest delivery handed over (its outcomes)."""
        latest = self.lambda_queue.invocations[-1]
        if latest.failed:
            raise latest.errors[-1]
        return latest.answer

    def dispatch(self, event: dict[str, Any] | None = None) -> dict[str, Any]:
        """Hand the stream records written since the last call to both stream consumers.

        Returns the dispatcher's batch response; the acknowledger's is kept in `last_acknowledger_response`.
        """
        event = event or self.stream.next_event()
        if not event["Records"]:  # Lambda never invokes a stream consumer with an empty batch
            self.last_acknowledger_response: dict[str, Any] = {"batchItemFailures": []}
            return {"batchItemFailures": []}
        self.last_acknowledger_response = self.acknowledger.lambda_handler(event, self.context)
        response = self.dispatcher.lambda_handler(event, self.context)
        self.escalate()  # deadlines already past ran at once (ImmediateTimers): their escalations go out now
        return response

    def announce(self, kind: str, scheduled_time: str) -> dict[str, Any]:
        """What EventBridge Scheduler sends the announcer at a scheduled occurrence."""
        return self.announcer.lambda_handler({"kind": kind, "scheduled_time": scheduled_time}, self.context)

    def plan_announcements(self) -> list[dict[str, str]]:
        """What the announcer's nightly planning run schedules (locally nothing is created: the caller fires them)."""
        return self.announcer.lambda_handler({"kind": "plan"}, self.context)["planned"]

    @property
    def store(self) -> Any:
        """The case store on the stack's table (what the functions read and write)."""
        from carebird.aws.case_store import DynamoCaseStore

        return DynamoCaseStore(self.table_name, self.dynamodb)

    @property
    def timers(self) -> Any:
        """The local runtime's SLA timers (EventBridge Scheduler's part): pending deadlines, fired on demand."""
        return self.dispatcher.timers

    @timers.setter
    def timers(self, timers: Any) -> None:
        """Another scheduler for the dispatcher (the demo's, which fires deadlines on its simulated clock)."""
        self.dispatcher.timers = timers

    def acknowledgements(self) -> list[Any]:
        """What the acknowledger would have sent on X (dry run)."""
        return list(self.acknowledger.x.recorded)

    def announcements(self) -> list[Any]:
        """What the announcer would have posted on X (dry run)."""
        return list(self.announcer.x.recorded)

    def x_calls(self) -> list[Any]:
        """Everything the functions would have posted on X (dry run)."""
        answers = self.inbox.desk.x.recorded if self.inbox.desk.x is not None else []
        return [*self.acknowledger.x.recorded, *self.announcer.x.recorded, *answers]

    def escalate(self) -> dict[str, int]:
        """One pass of Lambda's SQS event source over the escalation queue: batches of the template's BatchSize
        to the escalator; what it handed back is visible again for the next pass (in AWS: after the queue's
        visibility timeout, the next attempt). Counts of messages handled and handed back."""
        handled = retried = 0
        returned: list[str] = []
        while True:
            messages: list[dict[str, Any]] = []
            while len(messages) < self.escalation_batch_size:
                got = self.sqs.receive_message(
                    QueueUrl=self.escalation_queue, MaxNumberOfMessages=10, AttributeNames=["All"]
                ).get("Messages", [])
                if not got:
                    break
                messages += got
            if not messages:
                break
            self._record_publishes()
            failures = self.escalator.lambda_handler(
                escalation_event(messages, self.escalation_queue_arn), self.context
            )["batchItemFailures"]
            failed = {f["itemIdentifier"] for f in failures}
            for message in messages:
                if message["MessageId"] in failed:
                    returned.append(message["ReceiptHandle"])
                else:
                    self.sqs.delete_message(QueueUrl=self.escalation_queue, ReceiptHandle=message["ReceiptHandle"])
            handled, retried = handled + len(messages) - len(failed), retried + len(failed)
        for receipt in returned:
            self.sqs.change_message_visibility(
                QueueUrl=self.escalation_queue, ReceiptHandle=receipt, VisibilityTimeout=0
            )
        return {"handled": handled, "retried": retried}

    def _record_publishes(self) -> None:
        """Keep when each email is published (PacedClock.sent), by wrapping the escalator's SNS client once."""
        client = self.escalator.notifier.client
        if getattr(client, "_carebird_recorded", False):
            return
        publish = client.publish

        def recorded(**kwargs: Any) -> Any:
            answer = publish(**kwargs)
            self.pace.sent.append((self.pace(), kwargs["TopicArn"], kwargs.get("Subject", "")))
            return answer

        client.publish, client._carebird_recorded = recorded, True

    def executions(self) -> list[dict[str, Any]]:
        return self.sfn.list_executions(stateMachineArn=self.state_machine)["executions"]

    def wait_for_executions(self, timeout: float = 30) -> list[dict[str, Any]]:
        deadline = time.time() + timeout
        while time.time() < deadline:
            executions = [self.sfn.describe_execution(executionArn=e["executionArn"]) for e in self.executions()]
            if all(e["status"] != "RUNNING" for e in executions):
                self.escalate()  # what the executions queued, as the escalator's event source delivers it
                return executions
            time.sleep(0.05)
        raise TimeoutError("SLA executions still running")

    def team_emails(self) -> list[dict[str, str]]:
        return read_inbox(self.sqs, self.team_inbox)

    def manager_emails(self) -> list[dict[str, str]]:
        return read_inbox(self.sqs, self.manager_inbox)

    def case_item(self, case_id: str) -> dict[str, Any]:
        from boto3.dynamodb.types import TypeDeserializer

        from carebird.aws.schema import case_key

        key = {name: {"S": value} for name, value in case_key(case_id).items()}
        item = self.dynamodb.get_item(TableName=self.table_name, Key=key)["Item"]
        return {k: TypeDeserializer().deserialize(v) for k, v in item.items()}


class ExposedStack:
    """The embedded stack's AWS made reachable on loopback for other processes (`carebird queue --local`...).

    A moto server thread shares the in-process backends, so what the functions store is what the commands read;
    the stack is published as a CloudFormation stack, and its address is left in the local state file.
    """

    def __init__(
        self, stack: EmbeddedStack, port: int = 0, name: str = "carebird-local", served_port: int | None = None
    ) -> None:
        """`served_port`: the port of the server that exposes it (its state file's key); default: moto's own."""
        import json
        import os

        from moto.server import ThreadedMotoServer

        from carebird_local.target import local_state_path, running_servers

        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        self.server.start()
        host, bound = self.server.get_host_and_port()
        self.endpoint = f"http://{host}:{bound}"
        self.name = stack.publish(name)
        running_servers()  # clears what servers that died left behind
        key = served_port if served_port is not None else bound
        self.state = local_state_path(key)
        self.state.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        region = os.environ.get("AWS_DEFAULT_REGION", "eu-west-3")
        state = {"endpoint": self.endpoint, "region": region, "stack": self.name, "port": key, "pid": os.getpid()}
        temporary = self.state.with_suffix(".tmp")
        temporary.write_text(json.dumps(state), encoding="utf-8")
        temporary.replace(self.state)  # a reader never sees half a file

    def close(self) -> None:
        self.state.unlink(missing_ok=True)
        self.server.stop()
