"""Lambda's synchronous `Invoke` and its on-failure records, in process, for the tools that work on them.

`SyncLambda` answers an `Invoke` with InvocationType RequestResponse at botocore's transport (`before-send`), as
`carebird_local.local.AsyncLambda` does for Event invocations: it runs the named function's `lambda_handler` and
answers as Lambda does, 200 with the handler's JSON, or 200 with `X-Amz-Function-Error: Unhandled` and the error's
`errorMessage` and `errorType` when the handler raised. `on_failure_record` is the invocation record Lambda sends to
an asynchronous invocation's on-failure destination once its attempts are spent.
"""

from __future__ import annotations

import json
import traceback
import uuid
from collections.abc import Mapping
from datetime import datetime
from types import ModuleType
from typing import Any

from carebird_local.local import LambdaContext, invoked, lambda_answer, lambda_refusal


class SyncLambda:
    """Synchronous invocations of in-process functions, answered at the transport; every call kept in `calls`."""

    def __init__(self) -> None:
        self.functions: dict[str, tuple[ModuleType, LambdaContext]] = {}
        self.calls: list[tuple[str, Any]] = []

    def route(self, function_name: str, module: ModuleType) -> None:
        self.functions[function_name] = (module, LambdaContext(function_name=function_name))

    def attach(self, client: Any) -> Any:
        client.meta.events.register_first("before-send.lambda.Invoke", self._invoke, unique_id="carebird-sync-lambda")
        return client

    def _invoke(self, request: Any, **_: Any) -> Any:
        name, kind = invoked(request)
        if kind != "RequestResponse":
            return None  # an asynchronous invocation: AsyncLambda's
        if name not in self.functions:
            return lambda_refusal(request.url, 404, "ResourceNotFoundException", f"Function not found: {name}")
        module, context = self.functions[name]
        event = json.loads(request.body)
        self.calls.append((name, event))
        headers = {"X-Amz-Executed-Version": "$LATEST", "x-amzn-RequestId": context.aws_request_id}
        try:
            answer = json.dumps(module.lambda_handler(event, context)).encode()
        except Exception as error:  # Lambda answers 200 and names the error in a header and the payload
            answer = json.dumps({"errorMessage": str(error), "errorType": type(error).__name__}).encode()
            headers["X-Amz-Function-Error"] = "Unhandled"
        return lambda_answer(request.url, 200, headers, answer)


def on_failure_record(
    function_arn: str, payload: Mapping[str, Any], error: BaseException, attempts: int, at: datetime
) -> dict[str, Any]:
    """The invocation record Lambda sends to the on-failure destination of an asynchronous invocation whose attempts
    all failed, in the shape of AWS's example ("Example invocation record",
    https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html)."""
    request_id = str(uuid.uuid4())
    return {
        "version": "1.0",
        "timestamp": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "requestContext": {
            "requestId": request_id,
            "functionArn": f"{function_arn}:$LATEST",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": attempts,
        },
        "requestPayload": dict(payload),
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "responsePayload": {  # the Python runtime's error answer: its message, type and stack trace
            "errorMessage": str(error),
            "errorType": type(error).__name__,
            "requestId": request_id,
            "stackTrace": traceback.format_tb(error.__traceback__),
        },
    }
