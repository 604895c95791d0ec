"""The embedded local runtime: provision moto from infra/template.yaml and call the real handlers.

Used by `carebird demo` and by the integration tests, so both exercise the template's own table
definition and the functions exactly as deployed.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from carebird.signature import SIGNATURE_HEADER, sign

PROJECT_ROOT = Path(__file__).resolve().parents[3]
TEMPLATE_PATH = PROJECT_ROOT / "infra" / "template.yaml"
FUNCTIONS_DIR = PROJECT_ROOT / "functions"


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """The SAM template as data; CloudFormation short tags become their long forms."""
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
    document = {
        "consumer_key": "local-consumer-key",
        "consumer_secret": consumer_secret,
        "access_token": "local-access-token",
        "access_token_secret": "local-access-token-secret",
        "bearer_token": "local-bearer-token",
    }
    return secretsmanager.create_secret(Name=name, SecretString=json.dumps(document))["ARN"]


def load_function(name: str) -> ModuleType:
    """Import functions/<name>/app.py afresh under a unique module name (its cold start)."""
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

    def __post_init__(self) -> None:
        self.aws_request_id = self.aws_request_id or str(uuid.uuid4())

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 10_000


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
        "rawQueryString": "&".join(f"{k}={v}" for k, v in (query or {}).items()),
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
