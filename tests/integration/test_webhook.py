import base64
import hashlib
import hmac
import json

import pytest
from carebird_local import local

from carebird.x.signature import SIGNATURE_HEADER, sign
from tests.helpers import fixture
from tests.integration.conftest import SECRET, TABLE, item_count

pytestmark = pytest.mark.integration


def deliver(deployed, name_or_payload, **kwargs):
    payload = fixture(name_or_payload) if isinstance(name_or_payload, str) else name_or_payload
    return deployed.post(local.signed_delivery(payload, SECRET, **kwargs))


def test_crc_challenge_answers_with_the_hmac_of_the_token(deployed):
    response = deployed.call(local.http_api_event("GET", query={"crc_token": "abc123"}))

    expected = base64.b64encode(hmac.new(SECRET.encode(), b"abc123", hashlib.sha256).digest()).decode()
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {"response_token": "sha256=" + expected}


def test_crc_without_a_token_is_a_400(deployed):
    response = deployed.call(local.http_api_event("GET"))

    assert response["statusCode"] == 400
    assert "crc_token" in json.loads(response["body"])["error"]


def test_a_signed_mention_opens_a_case(deployed):
    status, body = deliver(deployed, "aaa-mention.json")

    assert status == 200 and body["outcomes"] == {"created": 1}
    case = deployed.store.get_case("public-1860000000000000101")
    assert case.customer.handle == "claire_dupont" and case.topic == "technical"
    assert [m["text"][:12] for m in deployed.store.messages(case.case_id)] == ["@LumiereAide"]


def test_a_base64_encoded_body_is_verified_on_its_decoded_bytes(deployed):
    status, body = deliver(deployed, "aaa-mention.json", base64_encoded=True)

    assert status == 200 and body["outcomes"] == {"created": 1}


@pytest.mark.parametrize("signature", [None, "sha256=Zm9yZ2Vk", "not-even-close"])
def test_forged_or_missing_signatures_are_401_and_write_nothing(deployed, signature):
    body = json.dumps(fixture("aaa-mention.json")).encode()
    headers = {SIGNATURE_HEADER: signature} if signature else {}

    response = deployed.call(local.http_api_event("POST", body=body, headers=headers))

    assert response["statusCode"] == 401
    assert item_count(deployed.dynamodb) == 0


def test_a_signature_made_with_another_secret_is_401(deployed):
    response = deployed.call(local.signed_delivery(fixture("aaa-mention.json"), "someone-elses-secret"))

    assert response["statusCode"] == 401 and item_count(deployed.dynamodb) == 0


def test_redelivery_creates_no_second_case_or_message(deployed):
    deliver(deployed, "aaa-mention.json")
    before = item_count(deployed.dynamodb)

    for _ in range(3):
        status, body = deliver(deployed, "aaa-mention.json")
        assert status == 200 and body["outcomes"] == {"duplicate": 1}

    assert item_count(deployed.dynamodb) == before
    assert len(deployed.store.open_queue()) == 1


def test_a_dm_conversation_is_its_own_case_and_the_brand_dm_answers_it(deployed):
    deliver(deployed, "aaa-dm-incoming.json")

    status, body = deliver(deployed, "aaa-dm-outgoing.json")

    assert status == 200 and body["outcomes"] == {"answered": 1}
    dm = deployed.store.get_case("dm-1860000000000000201")
    assert dm.status == "answered" and dm.first_response_at is not None
    assert [m["direction"] for m in deployed.store.messages(dm.case_id)] == ["in", "out"]
    assert deployed.store.open_queue() == []


def test_a_dm_continuing_a_public_mention_is_one_case_answered_by_the_brand_dm(deployed):
    deliver(deployed, "aaa-mention.json")
    assert deliver(deployed, "aaa-dm-incoming.json")[1]["outcomes"] == {"appended": 1}

    status, body = deliver(deployed, "aaa-dm-outgoing.json")

    assert status == 200 and body["outcomes"] == {"answered": 1}
    case = deployed.store.get_case("public-1860000000000000101")
    assert case.status == "answered" and case.link.startswith("https://x.com/claire_dupont/status/")
    assert [m["channel"] for m in deployed.store.messages(case.case_id)] == ["mention", "dm", "dm"]
    assert deployed.store.get_case("dm-1860000000000000201") is None and deployed.store.open_queue() == []


def test_the_brand_reply_answers_the_case_and_opens_none(deployed):
    deliver(deployed, "aaa-mention.json")

    _, body = deliver(deployed, "aaa-brand-reply.json")

    assert body["outcomes"] == {"answered": 1}
    case = deployed.store.get_case("public-1860000000000000101")
    assert case.status == "answered" and case.first_response_at.isoformat().startswith("2025-11-25T10:00")
    assert deployed.store.open_queue() == []


def test_a_deleted_post_is_marked_deleted_on_its_case_and_message(deployed):
    deliver(deployed, "aaa-reply-to-brand-post.json")

    _, body = deliver(deployed, "aaa-tweet-delete.json")

    assert body["outcomes"] == {"deleted": 1}
    case = deployed.store.get_case("public-1860000000000000103")
    assert case.deleted_ids == {"1860000000000000103"} and case.preview == "[post deleted by the customer]"
    assert deployed.store.messages("public-1860000000000000103")[0]["deleted_at"] == "2025-11-25T10:20:00Z"


def test_the_open_queue_is_one_query_in_priority_order(deployed):
    deliver(deployed, "aaa-mention.json")
    deliver(deployed, "aaa-reply-to-brand-post.json")
    deliver(deployed, "aaa-mention-influencer.json")

    queue = deployed.store.open_queue()

    assert [c.customer.handle for c in queue] == ["maxtech", "claire_dupont", "sam_b"]


def test_the_x_activity_api_feed_lands_in_the_same_cases(deployed):
    for name in ("xaa-post-mention.json", "xaa-dm-received.json", "xaa-brand-reply.json"):
        status, _ = deliver(deployed, name)
        assert status == 200

    public = deployed.store.get_case("public-1860000000000000301")
    assert public.status == "answered" and public.customer.handle == "nora_k"
    assert public.inbound_count == 2  # her DM continued the conversation; the brand's reply answered both
    assert deployed.store.open_queue() == []


def test_events_of_unused_types_are_200_and_ignored(deployed):
    for name in ("aaa-favorite.json", "aaa-typing.json", "aaa-retweet.json", "xaa-follow.json"):
        status, body = deliver(deployed, name)
        assert status == 200 and set(body["outcomes"]) == {"ignored"}
    assert item_count(deployed.dynamodb) == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty body"),
        (b"[1, 2]", "JSON object"),
        ("\u00e9".encode("latin-1"), "JSON object"),
    ],
)
def test_bodies_that_are_no_json_object_are_400_with_a_clear_message(deployed, body, message):
    # (a signed object that fails to decode is split and kept: tests/integration/test_poison_deliveries.py)
    response = deployed.call(
        local.http_api_event("POST", body=body, headers={SIGNATURE_HEADER: sign(SECRET, body)}, base64_encoded=True)
    )

    assert response["statusCode"] == 400
    assert message in json.loads(response["body"])["error"]


def test_an_oversized_body_is_400(deployed):
    huge = json.dumps({"for_user_id": "1500000000000000001", "padding": "x" * 600_000}).encode()

    response = deployed.call(local.http_api_event("POST", body=huge, headers={SIGNATURE_HEADER: sign(SECRET, huge)}))

    assert response["statusCode"] == 400 and "larger than" in json.loads(response["body"])["error"]


def test_invalid_base64_is_400(deployed):
    event = local.http_api_event("POST", body=b"{}", headers={SIGNATURE_HEADER: sign(SECRET, b"{}")})
    event.update(body="%%% not base64 %%%", isBase64Encoded=True)

    assert deployed.call(event)["statusCode"] == 400


def test_a_missing_table_fails_the_ingester_never_the_webhook_and_lambda_keeps_the_delivery(deployed):
    deployed.dynamodb.delete_table(TableName=TABLE)

    response = deployed.call(local.signed_delivery(fixture("aaa-mention.json"), SECRET))

    assert response["statusCode"] == 200  # X's part is done: the delivery is Lambda's to keep
    [kept] = deployed.queue.failed
    assert len(kept.errors) == 3 and "ResourceNotFoundException" in str(kept.errors[-1])


def test_an_unconfigured_secret_is_503_not_a_crash(deployed, monkeypatch):
    import boto3

    boto3.client("secretsmanager").put_secret_value(
        SecretId=deployed.module.settings.secret_arn, SecretString=json.dumps({"consumer_secret": ""})
    )
    from carebird.aws import secrets

    secrets.forget()

    response = deployed.call(local.http_api_event("GET", query={"crc_token": "t"}))

    assert response["statusCode"] == 503


def test_unknown_routes_and_methods_are_clear_404_and_405(deployed):
    assert deployed.call(local.http_api_event("GET", "/admin"))["statusCode"] == 404
    response = deployed.call(local.http_api_event("DELETE"))
    assert response["statusCode"] == 405 and "GET (CRC) or POST" in json.loads(response["body"])["error"]
