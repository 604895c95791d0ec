"""What ingestion costs in DynamoDB calls and write units, per kind of event (moto, real handler)."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from carebird_local import local
from carebird_local import simulate as sim

from bench.capacity import Meter, item_size
from carebird.domain.model import Author
from carebird.x.signature import SIGNATURE_HEADER, sign
from tests.integration.conftest import SECRET, TABLE

pytestmark = pytest.mark.integration
BRAND = Author("1500000000000000001", "LumiereAide", "Lumière")
CLAIRE = Author("1700000000000000042", "claire", "Claire", 120)
START = datetime(2025, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture
def metered(deployed):
    meter = Meter().attach(deployed.ingester.store.client)

    def send(payload):
        body = json.dumps(payload).encode()
        meter.reset()
        headers = {SIGNATURE_HEADER: sign(SECRET, body)}
        status, answer = deployed.post(local.http_api_event("POST", body=body, headers=headers))
        assert status == 200, answer
        return answer["outcomes"], meter.snapshot()

    return send


def test_a_new_case_costs_two_calls_its_redelivery_none_here_and_one_elsewhere(metered, deployed):
    mention = sim.tweet(CLAIRE, "@LumiereAide quand arrive la nouvelle box ?", START, BRAND)

    created, (calls, _) = metered(mention)
    redelivered, (again, _) = metered(mention)
    deployed.ingester.store.recent.clear()  # the redelivery lands in another container
    elsewhere, (read_only, units) = metered(mention)

    assert created == {"created": 1} and calls == {"BatchGetItem": 1, "TransactWriteItems": 1}
    assert redelivered == {"duplicate": 1} and again == {}  # this container stored it: no call at all
    assert elsewhere == {"duplicate": 1} and read_only == {"BatchGetItem": 1} and units == 0


def test_a_failure_report_costs_one_more_write_the_outage_ledger_its_redelivery_none(metered):
    mention = sim.tweet(CLAIRE, "@LumiereAide ma box ne marche plus", START, BRAND)

    created, (calls, _) = metered(mention)
    redelivered, (again, _) = metered(mention)

    assert created == {"created": 1}
    assert calls == {"BatchGetItem": 1, "TransactWriteItems": 1, "UpdateItem": 1}  # the report counted once
    assert redelivered == {"duplicate": 1} and again == {}


def test_in_a_warm_container_a_follow_up_and_a_brand_answer_cost_one_call_their_redeliveries_none(metered):
    mention = sim.tweet(CLAIRE, "@LumiereAide ma box ne marche plus", START, BRAND)
    metered(mention)
    follow_up = sim.tweet(CLAIRE, "@LumiereAide toujours rien", START + timedelta(minutes=5), BRAND)
    answer = sim.tweet(
        BRAND, "@claire on regarde ça", START + timedelta(minutes=9), BRAND,
        in_reply_to=(sim.post_id_of(follow_up), CLAIRE),
    )  # fmt: skip

    appended, (follow_calls, _) = metered(follow_up)
    follow_again, (follow_redelivery_calls, _) = metered(follow_up)
    answered, (answer_calls, _) = metered(answer)
    again, (redelivery_calls, _) = metered(answer)

    # The case this container wrote last is remembered: one write, conditional on its version and the message's
    # id guard; what it stored itself it knows to be stored: a redelivery costs no call.
    assert appended == {"appended": 1} and follow_calls == {"TransactWriteItems": 1}
    assert follow_again == {"duplicate": 1} and follow_redelivery_calls == {}
    assert answered == {"answered": 1} and answer_calls == {"TransactWriteItems": 1}
    assert again == {"duplicate": 1} and redelivery_calls == {}


def test_a_redelivery_a_container_stored_elsewhere_is_refused_by_its_id_guard_in_the_one_write(metered, deployed):
    mention = sim.tweet(CLAIRE, "@LumiereAide ma box ne marche plus", START, BRAND)
    follow_up = sim.tweet(CLAIRE, "@LumiereAide toujours rien", START + timedelta(minutes=5), BRAND)
    metered(mention)
    metered(follow_up)
    store = deployed.ingester.store
    store.recent._holders.clear()  # the follow-up was stored by another container; this one still has the case

    again, (calls, _) = metered(follow_up)

    assert again == {"duplicate": 1} and calls == {"TransactWriteItems": 1}
    assert deployed.store.get_case(deployed.store.open_case_id(CLAIRE.id, "public")).inbound_count == 2


def test_a_container_that_never_saw_the_case_reads_it_first(metered, deployed):
    metered(sim.tweet(CLAIRE, "@LumiereAide ma box ne marche plus", START, BRAND))
    deployed.ingester.store.recent.clear()  # another container: it never saw this case

    appended, (calls, _) = metered(sim.tweet(CLAIRE, "@LumiereAide toujours rien", START + timedelta(minutes=5), BRAND))

    assert appended == {"appended": 1} and calls == {"BatchGetItem": 1, "GetItem": 1, "TransactWriteItems": 1}


def test_a_copy_made_stale_by_another_writer_fails_its_write_and_the_retry_reads_afresh(metered, deployed):
    """The SLA workflow (or the inbox, another container) changed the case: the remembered copy must not win."""
    metered(sim.tweet(CLAIRE, "@LumiereAide ma box ne marche plus", START, BRAND))
    case_id = deployed.store.open_case_id(CLAIRE.id, "public")
    deployed.dynamodb.update_item(  # what the escalation does: a new status and version
        TableName=TABLE, Key={"pk": {"S": f"CASE#{case_id}"}, "sk": {"S": "CASE"}},
        UpdateExpression="SET #s = :e, escalation_level = :one, version = version + :one",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":e": {"S": "escalated"}, ":one": {"N": "1"}},
    )  # fmt: skip

    appended, (calls, _) = metered(sim.tweet(CLAIRE, "@LumiereAide toujours rien", START + timedelta(minutes=5), BRAND))

    assert appended == {"appended": 1}
    assert calls == {"TransactWriteItems": 2, "BatchGetItem": 1, "GetItem": 1}  # the stale try, then read afresh
    case = deployed.store.get_case(case_id)
    assert case.escalation_level == 1 and case.inbound_count == 2  # the escalation kept, the follow-up added


def test_write_units_per_follow_up_do_not_grow_with_the_conversation(metered, deployed):
    words = "@LumiereAide " + "toujours pas de connexion, la box clignote en rouge depuis ce matin. " * 4
    metered(sim.tweet(CLAIRE, words, START, BRAND))
    units = []
    for minute in range(1, 41):
        _, (_, written) = metered(sim.tweet(CLAIRE, words, START + timedelta(minutes=minute), BRAND))
        units.append(written)

    case_id = deployed.store.open_case_id(CLAIRE.id, "public")
    case_item = deployed.dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": f"CASE#{case_id}"}, "sk": {"S": "CASE"}})
    assert units[3] == units[-1], units  # the 4th follow-up costs what the 40th does
    assert item_size(case_item["Item"]) < 3 * 1024  # a bounded case item


def test_a_brand_answer_to_a_case_made_stale_elsewhere_is_read_afresh_and_answers_it(metered, deployed):
    follow_up = sim.tweet(CLAIRE, "@LumiereAide ma box ne marche plus", START, BRAND)
    metered(follow_up)
    case_id = deployed.store.open_case_id(CLAIRE.id, "public")
    deployed.dynamodb.update_item(  # an agent's note: a new version
        TableName=TABLE, Key={"pk": {"S": f"CASE#{case_id}"}, "sk": {"S": "CASE"}},
        UpdateExpression="SET version = version + :one", ExpressionAttributeValues={":one": {"N": "1"}},
    )  # fmt: skip
    answer = sim.tweet(
        BRAND, "@claire on regarde ça", START + timedelta(minutes=9), BRAND,
        in_reply_to=(sim.post_id_of(follow_up), CLAIRE),
    )  # fmt: skip

    answered, (calls, _) = metered(answer)

    assert answered == {"answered": 1}
    assert calls == {"TransactWriteItems": 2, "BatchGetItem": 1, "GetItem": 1}
    assert deployed.store.get_case(case_id).first_response_at is not None


def test_the_secret_and_the_table_are_reached_through_one_sdk_session(metered, deployed):
    """A second botocore session would read the endpoint data again: about 30 ms of each cold start."""
    from carebird.aws import secrets

    metered(sim.tweet(CLAIRE, "@LumiereAide ma box ne marche plus", START, BRAND))  # the secret is read first

    secrets_client = secrets.client()
    assert secrets_client.meta.service_model.service_name == "secretsmanager"
    assert secrets_client._loader is deployed.ingester.store.client._loader
