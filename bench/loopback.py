"""moto's AWS on 127.0.0.1 behind an HTTP/1.1 keep-alive server, as AWS's endpoints keep connections open.

moto's own server (werkzeug's development server) answers every request with `Connection: close`, so each
botocore call there also pays a TCP connect and close that a Lambda function talking to DynamoDB does not.
This server keeps the connection open (and Nagle off, as botocore has it), so a probe measures the HTTP
transport a warm function really runs. Bench only.

Lambda's `Invoke` (the webhook's handover, InvocationType Event) is answered by moto itself, without Docker:
`lambda_without_docker()` sets the server's Lambda backend to moto's simple one (the server's equivalent of
`mock_aws(config={"lambda": {"use_docker": False}})`, through its /moto-api/config) and queues answers with no
body, so each Invoke travels to the server, which reads its payload and answers 202 and nothing else, as Lambda
does once the event is queued (moto's simple backend would otherwise echo the payload back). The target function
must exist there (`create_target_function`: a zip and an IAM role), as it must in AWS.
"""

from __future__ import annotations

import io
import json
import sys
import threading
import urllib.request
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit


class _WsgiHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    app: Any = None

    def log_message(self, *args: object) -> None:  # quiet: the bench prints its own table
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        host, port = self.server.server_address[:2]
        environ: dict[str, Any] = {
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote(url.path, "latin-1"),
            "QUERY_STRING": url.query,
            "RAW_URI": self.path,
            "REQUEST_URI": self.path,
            "SERVER_NAME": str(host),
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": self.request_version,
            "REMOTE_ADDR": self.client_address[0],
            "CONTENT_LENGTH": str(length),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in self.headers.items():
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE":
                environ["CONTENT_TYPE"] = value
            elif key != "CONTENT_LENGTH":
                environ[f"HTTP_{key}"] = value
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: object = None) -> Any:
            started[:] = [status, headers]
            return lambda data: None

        chunks = self.app(environ, start_response)
        try:
            payload = b"".join(chunks)
        finally:
            getattr(chunks, "close", lambda: None)()
        status, headers = started
        code, _, reason = status.partition(" ")
        self.send_response(int(code), reason)
        for name, value in headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _serve


EVENT_ANSWERS = 5_000  # Invoke answers queued: more than a probe's invocations (moto echoes the payload after)


def create_target_function(iam: Any, awslambda: Any, name: str) -> str:
    """The function the webhook hands over to, as moto needs it: an IAM role Lambda can assume, a zipped handler.
    Its ARN."""
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                      "Principal": {"Service": "lambda.amazonaws.com"}}]}  # fmt: skip
    role = iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("app.py", "def lambda_handler(event, context):\n    return None\n")
    created = awslambda.create_function(FunctionName=name, Runtime="python3.13", Role=role, Architectures=["arm64"],
                                        Handler="app.lambda_handler", Code={"ZipFile": code.getvalue()})  # fmt: skip
    return str(created["FunctionArn"])


class KeepAliveMotoServer:
    """Start with `start()`, address in `endpoint`, stop with `stop()`."""

    def __init__(self) -> None:
        from moto.server import DomainDispatcherApplication, create_backend_app

        handler = type("MotoHandler", (_WsgiHandler,), {"app": DomainDispatcherApplication(create_backend_app)})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> KeepAliveMotoServer:
        self._thread.start()
        return self

    def lambda_without_docker(self, region: str, answers: int = EVENT_ANSWERS) -> KeepAliveMotoServer:
        """Lambda's Invoke answered by moto's simple backend (no container), 202 with no body for `answers` calls."""
        from moto.core.config import default_user_config

        self._saved_lambda_config = dict(default_user_config["lambda"])
        self._post("/moto-api/config", {"lambda": {"use_docker": False}})
        self._post("/moto-api/static/lambda-simple/response", {"results": [""] * answers, "region": region})
        return self

    def _post(self, path: str, document: dict[str, Any]) -> None:
        request = urllib.request.Request(f"{self.endpoint}{path}", data=json.dumps(document).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})  # fmt: skip
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status in (200, 201), answer.status

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        saved = getattr(self, "_saved_lambda_config", None)
        if saved is not None:  # the process's other mocks get moto's default Lambda back
            from moto.core.config import default_user_config

            default_user_config["lambda"] = saved
