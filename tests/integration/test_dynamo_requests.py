"""The case store's requests written with one json.dumps (carebird.aws.dynamo.typed_json_requests) are exactly the
requests botocore's walk of the operation's shapes writes, on the webhook's own traffic (moto, real handler)."""

import base64
import copy
import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.config import Config
from carebird_local import local
from carebird_local import simulate as sim

from carebird.aws import dynamo
from carebird.domain.model import Author
from carebird.x.signature import SIGNATURE_HEADER, sign
from tests.integration.conftest import SECRET, TABLE

pytestmark = pytest.mark.integration
BRAND = Author("1500000000000000001", "LumiereAide", "Lumière")
CLAIRE = Author("1700000000000000042", "claire", "Claire", 120)
START = datetime(2025, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture
def compared(deployed):
    """Every request the ingester's store serialises, with what botocore's own walk writes for it."""
    serializer = deployed.ingester.store.client._serializer
    assert type(serializer).__qualname__ == "_TypedJsonSerializer"  # the function's own module copy (cold start)
    pairs = []
    direct = serializer.serialize_to_request

    def both(parameters, operation_model):
        written = direct(parameters, operation_model)
        walked = serializer.shaped.serialize_to_request(parameters, operation_model)
        pairs.append((operation_model.name, copy.deepcopy(written), walked))  # botocore adds to it once sent
        return written

    serializer.serialize_to_request = both
    return pairs


def deliver(deployed, payload):
    body = json.dumps(payload).encode()
    status, answer = deployed.post(
        local.http_api_event("POST", body=body, headers={SIGNATURE_HEADER: sign(SECRET, body)})
    )
    assert status == 200, answer
    return answer["outcomes"]


def test_the_ingesters_requests_written_with_json_dumps_equal_botocores_byte_for_byte(deployed, compared):
    dana = Author("1700000000000000043", "dana", "Dana \u00e9\u00e8 \U0001f600", 5000)
    mention = sim.tweet(CLAIRE, "@LumiereAide ma facture est fausse \u20ac \U0001f621", START, BRAND)
    follow = sim.tweet(CLAIRE, "@LumiereAide toujours rien", START + timedelta(minutes=3), BRAND)
    answer = sim.tweet(BRAND, "@claire on regarde", START + timedelta(minutes=5), BRAND,
                       in_reply_to=(sim.post_id_of(follow), CLAIRE))  # fmt: skip
    early = sim.tweet(BRAND, "@dana c'est fait", START + timedelta(minutes=7), BRAND,
                      in_reply_to=("1990000000000000001", dana))  # fmt: skip
    outcomes = [deliver(deployed, p) for p in (mention, follow, mention, answer, early)]
    outcomes.append(deliver(deployed, sim.dm(dana, BRAND, 'Bonjour, ma box "clignote"\n?', START, BRAND)))
    deployed.ingester.store.recent.clear()  # another container: the full path's reads
    later = sim.tweet(CLAIRE, "@LumiereAide et alors ?", START + timedelta(minutes=9), BRAND)
    outcomes.append(deliver(deployed, later))

    assert outcomes == [{"created": 1}, {"appended": 1}, {"duplicate": 1}, {"answered": 1}, {"held": 1},
                        {"created": 1}, {"appended": 1}]  # fmt: skip
    operations = {name for name, _, _ in compared}
    assert {"BatchGetItem", "TransactWriteItems", "GetItem", "PutItem"} <= operations
    for name, written, walked in compared:
        assert written == walked, name


def test_a_request_json_cannot_write_goes_through_botocores_walk(aws):
    client = dynamo.typed_json_requests(boto3.client("dynamodb", config=Config(parameter_validation=False)))
    local.create_cases_table(boto3.client("dynamodb"), TABLE)
    operation = client.meta.service_model.operation_model("PutItem")
    item = {"pk": {"S": "BLOB"}, "sk": {"S": "BLOB"}, "raw": {"B": b"\x00\xff"}}

    written = client._serializer.serialize_to_request({"TableName": TABLE, "Item": item}, operation)
    client.put_item(TableName=TABLE, Item=item)

    assert json.loads(written["body"])["Item"]["raw"] == {"B": base64.b64encode(b"\x00\xff").decode()}
    stored = client.get_item(TableName=TABLE, Key={"pk": {"S": "BLOB"}, "sk": {"S": "BLOB"}})["Item"]
    assert stored["raw"] == {"B": b"\x00\xff"}


def test_a_client_that_validates_its_parameters_keeps_botocores_serializer(aws):
    client = boto3.client("dynamodb")
    shaped = client._serializer

    assert dynamo.typed_json_requests(client)._serializer is shaped
