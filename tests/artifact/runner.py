"""Invoke one built Lambda function the way the python3.13 managed runtime does (run by the runtime's interpreter).

Usage: python -I runner.py <function dir> <layer dir> <handler> <event JSON file>

sys.path is what Lambda gives a function: its own folder (/var/task), then the layer's `python/` (/opt/python),
then the runtime's own packages (here: a virtualenv holding only boto3). X's HTTP API is answered by canned
responses at the transport (what `responses` does in the other tests; the runtime image has no `responses`),
and any other host but 127.0.0.1 is refused, so a function that reaches for the internet fails here.
Prints one JSON line: {"ok": true, "result": ...} or {"ok": false, "error": ...}.
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import json
import sys
import traceback
import uuid
from urllib.parse import urlparse

X_HOSTS = {"api.twitter.com", "api.x.com", "upload.twitter.com"}


def x_answer(method: str, url: str) -> tuple[int, dict]:
    path = urlparse(url).path
    if "/webhooks" in path and "subscriptions" in path:
        return 200, {"data": {"subscribed": True}}
    if path.endswith("/2/webhooks") or "/webhooks" in path:
        return 200, {"data": [{"id": "1", "url": "https://example.org/webhook", "valid": True}], "meta": {}}
    if "/users/me" in path:
        return 200, {"data": {"id": "1500000000000000001", "username": "LumiereAide", "name": "Lumière"}}
    if method == "POST" and path.endswith("/2/compliance/jobs"):  # a batch compliance job, its signed URLs on X's host
        job = "1800000000000000001"
        return 200, {"data": {"id": job, "type": "tweets", "status": "created",
                              "upload_url": f"https://api.x.com/2/compliance/upload/{job}",
                              "download_url": f"https://api.x.com/2/compliance/download/{job}"}}  # fmt: skip
    if method == "POST" and path.endswith("/2/tweets"):
        return 201, {"data": {"id": "1900000000000000001", "text": "ok"}}
    if method == "POST" and "/dm_conversations" in path:
        return 201, {"data": {"dm_conversation_id": "1-2", "dm_event_id": "1900000000000000002"}}
    return 200, {"data": [], "meta": {"result_count": 0}}


def guard_network() -> None:
    import requests
    from requests.adapters import HTTPAdapter
    from requests.models import Response

    real_send = HTTPAdapter.send

    def send(self, request, **kwargs):  # type: ignore[no-untyped-def]
        host = urlparse(request.url).hostname or ""
        if host in X_HOSTS:
            status, body = x_answer(request.method or "GET", request.url)
            response = Response()
            response.status_code, response.url, response.request = status, request.url, request
            response.headers["content-type"] = "application/json"
            response.raw = io.BytesIO(json.dumps(body).encode())
            response.encoding = "utf-8"
            return response
        if host not in ("127.0.0.1", "localhost"):
            raise requests.ConnectionError(f"artifact test: no network beyond loopback ({host})")
        return real_send(self, request, **kwargs)

    HTTPAdapter.send = send


class Context:
    function_name = "carebird-artifact"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-3:123456789012:function:carebird-artifact"
    aws_request_id = str(uuid.uuid4())

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 10_000


def main() -> int:
    function_dir, layer_dir, handler, event_file = sys.argv[1:5]
    sys.path[:0] = [function_dir, f"{layer_dir}/python"]
    forbidden = [
        name for name in ("setuptools", "pkg_resources", "moto", "responses") if importlib.util.find_spec(name)
    ]
    if forbidden:
        print(json.dumps({"ok": False, "error": f"runtime interpreter carries {forbidden}: not a clean runtime"}))
        return 1
    module_name, function_name = handler.rsplit(".", 1)
    try:
        module = importlib.import_module(module_name)
        guard_network()
        with open(event_file, encoding="utf-8") as events:
            results = [getattr(module, function_name)(event, Context()) for event in json.load(events)]
    except BaseException:
        print(json.dumps({"ok": False, "error": traceback.format_exc()[-3000:]}))
        return 1
    print(json.dumps({"ok": True, "result": results, "module": module.__file__}, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
