"""Customers' deletions end to end: the compliance function on moto, X's batch compliance answered at the transport."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import responses
from carebird_local import local

from carebird import clock
from tests.helpers import fixture, stamped

pytestmark = pytest.mark.integration
JOBS = "https://api.x.com/2/compliance/jobs"
UPLOAD = "https://storage.googleapis.com/twttr-tweet-compliance/1460/upload?signed=1"
DOWNLOAD = "https://storage.googleapis.com/twttr-tweet-compliance/1460/download?signed=1"
MENTION_ID = "1860000000000000101"
MORNING = datetime(2025, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture
def stack(embedded):
    clock.travel_to(MORNING)
    embedded.deliver(stamped(fixture("aaa-mention.json"), MORNING - timedelta(minutes=5)))
    return embedded


def job(status: str) -> dict:
    return {
        "data": {
            "id": "1460",
            "type": "tweets",
            "name": "carebird-20251125T0900",
            "status": status,
            "upload_url": UPLOAD,
            "download_url": DOWNLOAD,
            "created_at": "2025-11-25T09:00:00.000Z",
        }
    }


def test_a_post_the_customer_deleted_on_x_loses_its_text_and_the_case_keeps_its_timeline(stack):
    function = local.load_function("compliance")
    with responses.RequestsMock() as x:
        x.post(JOBS, json=job("created"))
        x.put(UPLOAD, status=200)
        submitted = function.lambda_handler({}, stack.context)
        create = json.loads(x.calls[0].request.body)
        uploaded = x.calls[1].request.body
        upload_headers = x.calls[1].request.headers
    assert submitted["submitted"] == 1 and create["type"] == "tweets"
    assert uploaded == f"{MENTION_ID}\n".encode()
    assert "Authorization" not in upload_headers  # the app's bearer never goes to a storage host

    clock.travel_to(MORNING + timedelta(hours=1))
    with responses.RequestsMock() as x:
        x.get(f"{JOBS}/1460", json=job("complete"))
        x.get(
            DOWNLOAD,
            body=json.dumps({"id": MENTION_ID, "action": "delete", "created_at": "2025-11-25T08:55:00.000Z",
                             "redacted_at": "2025-11-25T09:30:00.000Z", "reason": "deleted"}) + "\n",
        )  # fmt: skip
        collected = function.lambda_handler({}, stack.context)

    assert (collected["collected"], collected["redacted"]) == (1, 1)
    case = stack.store.get_case(f"public-{MENTION_ID}")
    (message,) = stack.store.messages(case.case_id)
    assert "text" not in message and message["deleted_at"]  # the timeline keeps the message, without its words
    assert "box internet" not in case.preview + case.triage_text and MENTION_ID in case.deleted_ids

    clock.travel_to(MORNING + timedelta(hours=2))
    with responses.RequestsMock() as x:  # nothing pending, next submission not due: no call to X at all
        again = function.lambda_handler({}, stack.context)
    assert again == {
        "submitted": 0,
        "collected": 0,
        "dropped": 0,
        "redacted": 0,
        "already": 0,
        "waiting": [],
        "unreadable": [],
    }


def test_a_storage_url_that_is_not_https_is_refused(stack):
    function = local.load_function("compliance")
    with responses.RequestsMock() as x:
        x.post(JOBS, json={"data": {**job("created")["data"], "upload_url": "http://evil.example/up"}})
        with pytest.raises(Exception, match="not https"):
            function.lambda_handler({}, stack.context)


def test_x_current_upload_and_download_urls_on_api_x_com_get_the_apps_bearer(stack):
    """X's integration guide: the signed URLs are on api.x.com now and "must also carry your Authorization: Bearer
    header" (the older Google Cloud Storage URLs took none)."""
    from responses import matchers

    upload, download = f"{JOBS}/1460/upload?token=u1", f"{JOBS}/1460/download?token=d1"
    bearer = matchers.header_matcher({"Authorization": "Bearer local-bearer-token"})
    current = {"data": {**job("created")["data"], "upload_url": upload, "download_url": download}}
    function = local.load_function("compliance")
    with responses.RequestsMock() as x:
        x.post(JOBS, json=current)
        x.put(upload, status=200, match=[bearer])
        assert function.lambda_handler({}, stack.context)["submitted"] == 1

    clock.travel_to(MORNING + timedelta(hours=1))
    line = {"id": MENTION_ID, "action": "delete", "created_at": "2025-11-25T08:55:00.000Z", "reason": "deleted"}
    with responses.RequestsMock() as x:
        x.get(f"{JOBS}/1460", json={"data": {**current["data"], "status": "complete"}})
        x.get(download, body=json.dumps(line) + "\n", match=[bearer])
        assert function.lambda_handler({}, stack.context)["redacted"] == 1
