"""Nothing forged gets in, nothing real gets lost (the webhook on moto, in process)."""

import copy
import json
import threading

import pytest
from botocore.exceptions import ClientError
from carebird_local import local
from hypothesis import given
from hypothesis import strategies as st

from carebird.app.webhook import CRC_TOKEN
from carebird.errors import StorageUnavailable
from carebird.x.signature import SIGNATURE_HEADER, sign
from tests.helpers import fixture
from tests.integration.conftest import SECRET, item_count
from tests.integration.test_reliability import SLOW

pytestmark = pytest.mark.integration
MENTION_ID = "1860000000000000101"


def post(deployed, payload, secret=SECRET):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return deployed.post(local.http_api_event("POST", body=body, headers={SIGNATURE_HEADER: sign(secret, body)}))


def crc(deployed, token):
    response = deployed.call(local.http_api_event("GET", query={"crc_token": token}))
    return response["statusCode"], json.loads(response["body"])


# --- 1. the CRC endpoint is not a signing oracle ----------------------------------------------------


def test_a_json_body_sent_as_crc_token_is_refused_so_it_cannot_be_signed(deployed):
    forged = {"for_user_id": "1500000000000000001", "tweet_create_events": [fixture("aaa-mention.json")]}
    token = json.dumps(forged, separators=(",", ":"))

    status, body = crc(deployed, token)

    assert status == 400 and "format" in body["error"]
    assert "response_token" not in body


def test_a_token_in_x_format_is_answered(deployed):
    status, body = crc(deployed, "NDY5NjE4MjEtMTgxOS00MmI4LWI2YjItNTE2ZTBjMWVlOTdh")

    assert status == 200 and body["response_token"].startswith("sha256=")


def test_an_overlong_token_is_refused(deployed):
    assert crc(deployed, "A" * 257)[0] == 400


@SLOW
@given(token=st.from_regex(CRC_TOKEN, fullmatch=True))
def test_whatever_the_crc_endpoint_signs_is_no_delivery_that_stores_anything(deployed, token):
    # The attacker's best move: take the signature the endpoint gives for a token, POST that token as a body.
    status, body = crc(deployed, token)
    assert status == 200
    signature = body["response_token"]

    response = deployed.call(local.http_api_event("POST", body=token.encode(), headers={SIGNATURE_HEADER: signature}))

    assert response["statusCode"] == 400  # signed, but never a JSON object: no X delivery
    assert item_count(deployed.dynamodb) == 0


# --- 2. one malformed event never costs its neighbours ----------------------------------------------


def _two_mentions():
    """Claire's mention and a second, valid one from another customer, in one delivery."""
    delivery = fixture("aaa-mention.json")
    other = copy.deepcopy(delivery["tweet_create_events"][0])
    other.update(id=1860000000000000901, id_str="1860000000000000901")
    other["user"] = other["user"] | {"id": 1600000000000000901, "id_str": "1600000000000000901", "screen_name": "zoe"}
    delivery["tweet_create_events"].append(other)
    return delivery


BROKEN_FIELDS = {
    "timestamp_ms of 20 digits": lambda e: e.update(timestamp_ms="9" * 20),
    "id_str of 1,100 digits": lambda e: e.update(id_str="1" * 1100, id=None),
    "text that is an object": lambda e: e.update(text={"a": 1}),
    "user without an id": lambda e: e["user"].pop("id_str") and e["user"].pop("id"),
}


@pytest.mark.parametrize("breakage", BROKEN_FIELDS.values(), ids=list(BROKEN_FIELDS))
def test_a_malformed_event_is_quarantined_and_the_valid_one_beside_it_stored(deployed, breakage):
    delivery = _two_mentions()
    breakage(delivery["tweet_create_events"][1])

    status, body = post(deployed, delivery)

    assert status == 200 and body["outcomes"] == {"created": 1, "quarantined": 1}
    assert deployed.store.get_case(f"public-{MENTION_ID}") is not None
    quarantined = deployed.store.quarantined()
    assert len(quarantined) == 1 and "malformed" in quarantined[0]["reason"]
    assert json.loads(quarantined[0]["raw"]) == json.loads(json.dumps(delivery["tweet_create_events"][1]))
    assert post(deployed, delivery)[1]["outcomes"] == {"duplicate": 1, "quarantined": 1}  # X redelivers
    assert len(deployed.store.quarantined()) == 1  # kept once


BOUNDED_FIELDS = {
    "lang that is a number": lambda e: e.update(lang=0.0),
    "followers_count of 10**40": lambda e: e["user"].update(followers_count=10**40),
    "verified that is a string": lambda e: e["user"].update(verified="yes"),
    "screen_name with markup": lambda e: e["user"].update(screen_name="<script>"),
}


@pytest.mark.parametrize("oddity", BOUNDED_FIELDS.values(), ids=list(BOUNDED_FIELDS))
def test_an_odd_but_harmless_field_is_bounded_and_the_event_stored(deployed, oddity):
    delivery = _two_mentions()
    oddity(delivery["tweet_create_events"][1])

    status, body = post(deployed, delivery)

    assert status == 200 and body["outcomes"] == {"created": 2}
    case = deployed.store.get_case("public-1860000000000000901")
    assert case.customer.followers <= 10**12 and case.customer.handle in ("zoe", "")
    assert case.lang in (None, "fr")


def test_a_malformed_x_activity_envelope_is_quarantined_with_a_200(deployed):
    envelope = fixture("xaa-post-mention.json")
    envelope["data"]["filter"] = "1500000000000000001"  # a string where X sends an object

    status, body = post(deployed, envelope)

    assert status == 200 and body["outcomes"] == {"quarantined": 1}
    assert "filter" in deployed.store.quarantined()[0]["reason"]


def test_a_user_whose_public_metrics_is_a_string_still_gets_their_case(deployed):
    envelope = fixture("xaa-post-mention.json")
    envelope["data"]["includes"]["users"][0]["public_metrics"] = "2400"

    status, body = post(deployed, envelope)

    assert status == 200 and body["outcomes"] == {"created": 1}
    case = deployed.store.get_case("public-1860000000000000301")
    assert case.customer.handle == "nora_k" and case.customer.followers == 0


def test_a_storage_outage_fails_the_ingester_quarantines_nothing_and_its_next_attempt_lands(deployed):
    store = deployed.ingester.store
    real = store.client

    class Down:
        exceptions = real.exceptions

        def __getattr__(self, name):
            def fail(**_):
                raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "injected"}}, name)

            return fail

    store.client = Down()
    with pytest.raises(StorageUnavailable):  # every attempt failed: Lambda keeps the handover for the failures queue
        post(deployed, fixture("aaa-mention.json"))
    store.client = real

    assert item_count(deployed.dynamodb) == 0
    [kept] = deployed.queue.failed
    assert deployed.ingester.lambda_handler(kept.payload, local.LambdaContext())["outcomes"] == {"created": 1}


# --- 3-5. order and races ----------------------------------------------------------------------------


def test_a_brand_answer_delivered_before_the_mention_answers_it_when_it_arrives(deployed):
    assert post(deployed, fixture("aaa-brand-reply.json"))[1]["outcomes"] == {"held": 1}

    assert post(deployed, fixture("aaa-mention.json"))[1]["outcomes"] == {"created": 1}

    case = deployed.store.get_case(f"public-{MENTION_ID}")
    assert case.status == "answered" and case.first_response_at is not None and not case.awaiting_reply
    assert [m["direction"] for m in deployed.store.messages(case.case_id)] == ["in", "out"]
    assert deployed.store.open_queue() == []


def test_redelivering_the_first_message_of_a_closed_case_is_a_200_duplicate(deployed):
    from carebird.app.answering import close_case

    post(deployed, fixture("aaa-mention.json"))
    close_case(deployed.store, f"public-{MENTION_ID}")

    status, body = post(deployed, fixture("aaa-mention.json"))

    assert status == 200 and body["outcomes"] == {"duplicate": 1}


def test_a_deletion_racing_its_post_is_never_lost(deployed):
    """Real threads: the post and its deletion delivered at the same moment, many times over."""
    for attempt in range(8):
        post_body = fixture("aaa-reply-to-brand-post.json")
        deletion = fixture("aaa-tweet-delete.json")
        post_id = f"18600000000000{attempt:05d}"
        post_body["tweet_create_events"][0].update(id_str=post_id, id=int(post_id))
        deletion["tweet_delete_events"][0]["status"].update(id_str=post_id, id=int(post_id))
        results = []
        start = threading.Barrier(2)

        def send(payload, results=results, start=start):
            start.wait()
            results.append(post(deployed, payload)[0])

        threads = [threading.Thread(target=send, args=(p,)) for p in (post_body, deletion)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert results == [200, 200]
        case = deployed.store.get_case(f"public-{post_id}")
        # either the tombstone came first (the post stays out) or the post did (its case marks the deletion)
        assert case is None or post_id in case.deleted_ids, attempt


def test_racing_redeliveries_on_threads_store_each_message_once(deployed):
    payloads = [fixture(n) for n in ("aaa-mention.json", "aaa-extended-tweet.json", "aaa-brand-reply.json")] * 4
    start = threading.Barrier(len(payloads))
    statuses = []

    def send(payload):
        start.wait()
        statuses.append(post(deployed, payload)[0])

    threads = [threading.Thread(target=send, args=(p,)) for p in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # a 503 (conflict that never settled) makes X redeliver; after that every message is there once
    for payload in payloads[:3]:
        assert post(deployed, payload)[0] == 200
    # one case for Claire (named after whichever of her messages arrived first), each message in it once
    case = deployed.store.get_case(deployed.store.case_id_for_message(MENTION_ID))
    assert deployed.store.case_id_for_message("1860000000000000107") == case.case_id
    assert case.inbound_count == 2 and case.response_count == 1
    assert sorted(m["message_id"] for m in deployed.store.messages(case.case_id)) == [
        MENTION_ID, "1860000000000000106", "1860000000000000107"
    ]  # fmt: skip
    assert set(statuses) <= {200, 503}


# --- 6. big legal deliveries ---------------------------------------------------------------------


def test_a_delivery_of_many_mentions_is_stored_in_one_call(deployed):
    delivery = fixture("aaa-mention.json")
    template = delivery["tweet_create_events"][0]
    events = []
    for n in range(48):  # three times the conversations the webhook stores at once
        event = copy.deepcopy(template)
        event.update(id_str=f"18700000000000{n:05d}", id=None)
        event["user"] = event["user"] | {"id_str": f"16000000000{n:05d}", "id": None, "screen_name": f"c{n}"}
        events.append(event)
    delivery["tweet_create_events"] = events

    status, body = post(deployed, delivery)

    assert status == 200 and body["outcomes"] == {"created": 48}
    assert len(deployed.store.open_queue(limit=500)) == 48


# --- 8. least privilege, checked against what the ingester really does ------------------------------


def test_the_ingester_uses_only_the_table_actions_its_role_allows(deployed):
    from tests.integration.test_template import RESOURCES, _dynamodb_actions

    used: set[str] = set()
    transaction_ops = {
        "Put": "PutItem",
        "Update": "UpdateItem",
        "Delete": "DeleteItem",
        "ConditionCheck": "ConditionCheckItem",
    }

    def record(params, model, **_):
        if model.name == "TransactWriteItems":
            used.update(transaction_ops[next(iter(item))] for item in params["TransactItems"])
        else:
            used.add(model.name)

    client = deployed.ingester.store.client
    client.meta.events.register("before-parameter-build.dynamodb.*", record)
    for name in ("aaa-brand-reply.json", "aaa-mention.json", "aaa-mention.json", "aaa-extended-tweet.json",
                 "aaa-dm-incoming.json", "aaa-dm-outgoing.json", "aaa-tweet-delete.json", "xaa-post-delete.json",
                 "aaa-reply-to-brand-post.json", "aaa-tweet-delete.json"):  # fmt: skip
        assert post(deployed, fixture(name))[0] == 200
    broken = fixture("aaa-mention.json")
    broken["tweet_create_events"][0]["timestamp_ms"] = "9" * 20
    post(deployed, broken)  # the quarantine is written too

    allowed = {a.split(":")[1] for a in _dynamodb_actions(RESOURCES["IngesterFunction"])}
    assert used and used <= allowed, used - allowed
