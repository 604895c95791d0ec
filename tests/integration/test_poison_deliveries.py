"""Deliveries X signs but that do not decode as JSON: the valid events beside the poison are stored, the poison is
kept once in the quarantine and X gets a 200 (a redelivery would fail the same way), never a 400 for the whole
delivery nor a failed ingester on every attempt. A delivery too large to store in time stops before the timeout."""

import copy
import json
import time
from dataclasses import dataclass, replace

import pytest
from carebird_local import local

from carebird.app.delivery import OutOfTime
from carebird.app.handoff import handoff_payload
from carebird.x.signature import SIGNATURE_HEADER, sign
from tests.helpers import fixture
from tests.integration.conftest import FIXTURES_RECEIVED_AT, SECRET

pytestmark = pytest.mark.integration
MENTION_ID = "1860000000000000101"
MARKER = "POISON-MARKER"


def _two_mentions_with(poison: bytes, field: str = "text") -> bytes:
    """Claire's valid mention, then another customer's whose `field` is the raw bytes `poison`."""
    delivery = fixture("aaa-mention.json")
    other = copy.deepcopy(delivery["tweet_create_events"][0])
    other.update(id=1860000000000000901, id_str="1860000000000000901")
    other["user"] = other["user"] | {"id": 1600000000000000901, "id_str": "1600000000000000901", "screen_name": "zoe"}
    if field == "id":
        other.pop("id_str")
    other[field] = MARKER
    delivery["tweet_create_events"].append(other)
    return json.dumps(delivery).encode().replace(json.dumps(MARKER).encode(), poison)


def post(deployed, body: bytes):
    """The webhook's status and the ingester's answer."""
    event = local.http_api_event("POST", body=body, headers={SIGNATURE_HEADER: sign(SECRET, body)}, base64_encoded=True)
    return deployed.post(event)


POISONS = {
    "an invalid UTF-8 byte": (b'"caf\xe9 cr\xe8me"', "text"),
    "a number of 4,301 digits": (b"9" * 4301, "id"),
    "nesting 990 deep": (b"[" * 990 + b"]" * 990, "text"),
    "nesting 100,000 deep": (b"[" * 100_000 + b"]" * 100_000, "text"),
    "an unpaired surrogate": (b'"broken \\ud800 text"', "text"),
}


@pytest.mark.parametrize(("poison", "field"), POISONS.values(), ids=list(POISONS))
def test_a_poisoned_event_is_quarantined_once_and_its_valid_neighbour_stored(deployed, poison, field):
    body = _two_mentions_with(poison, field)

    status, answer = post(deployed, body)
    redelivered = post(deployed, body)

    assert (status, answer["outcomes"]) == (200, {"created": 1, "quarantined": 1})
    assert deployed.store.get_case(f"public-{MENTION_ID}") is not None
    assert redelivered == (200, {"feed": "aaa", "outcomes": {"duplicate": 1, "quarantined": 1}})
    quarantined = deployed.store.quarantined()
    assert len(quarantined) == 1 and len(quarantined[0]["raw"]) <= 100_000


def test_an_invalid_byte_names_itself_and_the_event_it_sits_in(deployed):
    post(deployed, _two_mentions_with(b'"caf\xe9"'))

    (kept,) = deployed.store.quarantined()

    assert kept["reason"] == "tweet_create_events[1] is not valid JSON: invalid UTF-8 byte 0xe9"
    assert "caf\\xe9" in json.loads(kept["raw"]) and '"zoe"' in json.loads(kept["raw"])


def test_a_truncated_body_that_cannot_be_split_is_quarantined_whole_with_a_200(deployed):
    body = json.dumps(fixture("aaa-mention.json")).encode()[:-40]

    status, answer = post(deployed, body)

    assert (status, answer["outcomes"]) == (200, {"quarantined": 1})
    (kept,) = deployed.store.quarantined()
    assert kept["reason"].startswith("body is not valid JSON") and kept["raw"] == json.dumps(body.decode())


@dataclass
class Countdown:
    """A Lambda context whose remaining time drops by `step` seconds at each look."""

    left: float
    step: float
    function_name: str = "carebird-ingester"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:eu-west-3:123456789012:function:carebird-ingester"
    aws_request_id: str = "countdown"

    def get_remaining_time_in_millis(self) -> int:
        self.left -= self.step
        return int(self.left * 1000)


def test_a_delivery_too_large_to_store_in_time_stops_before_the_timeout_and_the_next_attempt_finishes(
    deployed, monkeypatch
):
    ingester = deployed.ingester.ingester
    monkeypatch.setattr(ingester, "settings", replace(ingester.settings, parallelism=1))  # one event per look
    delivery = fixture("aaa-mention.json")
    template = delivery["tweet_create_events"][0]
    delivery["tweet_create_events"] = []
    for n in range(6):
        event = copy.deepcopy(template) | {"id": None, "id_str": f"18600000000000009{n:02d}"}
        event["user"] = template["user"] | {"id": None, "id_str": f"16000000000000009{n:02d}"}
        delivery["tweet_create_events"].append(event)
    body = json.dumps(delivery).encode()

    handover = json.loads(handoff_payload(body, FIXTURES_RECEIVED_AT))

    with pytest.raises(OutOfTime):  # Lambda invokes the ingester again with the same handover
        deployed.ingester.lambda_handler(handover, Countdown(left=5.5, step=1.0))  # three events, then 2 s of margin
    finished = deployed.ingester.lambda_handler(handover, local.LambdaContext())

    assert deployed.store.get_case("public-1860000000000000900") is not None
    assert finished == {"feed": "aaa", "outcomes": {"duplicate": 3, "created": 3}}


def test_a_raw_event_the_store_refuses_is_quarantined_as_its_reason_and_an_excerpt(deployed, monkeypatch):
    from carebird.errors import StorageRefused

    store = deployed.ingester.ingester.quarantine
    real = store.quarantine

    def refuses_large_raws(reason, raw, feed, received_at):
        if len(str(raw)) > 3000:
            raise StorageRefused("DynamoDB put_item: ValidationException: Item size has exceeded the maximum")
        return real(reason, raw, feed, received_at)

    monkeypatch.setattr(store, "quarantine", refuses_large_raws)
    body = _two_mentions_with(b'"' + b"x" * 5000 + b'\xff"')

    status, answer = post(deployed, body)

    assert (status, answer["outcomes"]) == (200, {"created": 1, "quarantined": 1})
    (kept,) = deployed.store.quarantined()
    assert "raw refused by the store: StorageRefused" in kept["reason"] and len(json.loads(kept["raw"])) == 2000


def test_a_string_left_open_is_quarantined_in_time_whatever_it_escapes(deployed):
    body = b'{"for_user_id": "1", "tweet_create_events": [{"text": "' + b'\\"' * 16_000 + b"]}"

    started = time.perf_counter()
    status, answer = post(deployed, body)

    assert time.perf_counter() - started < 5  # searched quadratically: 30 s for these 32 kB
    assert (status, answer["outcomes"]) == (200, {"quarantined": 1})


@pytest.mark.parametrize(
    "after", [b"garbage", b'{"for_user_id": "1"}', b"\x00\xff"], ids=["text", "an object", "bytes"]
)
def test_a_delivery_followed_by_more_data_is_stored_and_what_follows_quarantined(deployed, after):
    body = json.dumps(fixture("aaa-mention.json")).encode() + after

    status, answer = post(deployed, body)

    assert (status, answer["outcomes"]) == (200, {"created": 1, "quarantined": 1})
    assert deployed.store.get_case(f"public-{MENTION_ID}") is not None
    assert [q["reason"] for q in deployed.store.quarantined()] == ["body has data after its JSON object"]
