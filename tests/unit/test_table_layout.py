"""The table's layout is written once (carebird.aws.schema) and the template and the workflow agree with it."""

import json
from pathlib import Path

import pytest
from carebird_local.local import load_template
from hypothesis import given, settings
from hypothesis import strategies as st

from carebird.app.ingest import IngestSettings
from carebird.aws import schema as table
from carebird.domain.cases import open_case
from carebird.domain.model import CaseStatus, Family
from carebird.x.normalise import parse_delivery
from tests.helpers import BRAND, fixture

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = load_template()["Resources"]
TABLE = RESOURCES["CasesTable"]["Properties"]


def test_the_templates_keys_and_indexes_are_the_ones_the_code_uses():
    assert [k["AttributeName"] for k in TABLE["KeySchema"]] == [table.PARTITION_KEY, table.SORT_KEY]
    indexes = {i["IndexName"]: [k["AttributeName"] for k in i["KeySchema"]] for i in TABLE["GlobalSecondaryIndexes"]}
    assert indexes == {
        table.QUEUE_INDEX: ["queue", "queue_rank"],
        table.DAY_INDEX: ["day", "opened_at"],
        table.REFERENCE_INDEX: ["reference"],
        table.CUSTOMER_INDEX: ["handle_key", "opened_at"],
    }


def test_the_stream_filters_are_the_codes_case_filters():
    def pattern(function):
        stream = next(iter(RESOURCES[function]["Properties"]["Events"].values()))["Properties"]
        (only,) = stream["FilterCriteria"]["Filters"]
        return json.loads(only["Pattern"])

    assert pattern("DispatcherFunction") == table.STREAM_CASE_FILTER
    assert pattern("AcknowledgerFunction") == table.STREAM_NEW_CASE_FILTER


def test_the_sla_workflow_reads_the_case_item_by_the_codes_key():
    definition = (ROOT / "infra" / "statemachines" / "sla.asl.json").read_text()
    keys = [
        state["Parameters"]["Key"]
        for state in json.loads(definition)["States"].values()
        if "Key" in state.get("Parameters", {})
    ]
    assert keys and all(k["pk"] == {"S.$": "States.Format('CASE#{}', $.case_id)"} for k in keys)
    assert all(k["sk"] == {"S": table.CASE_SK} for k in keys)
    assert table.case_key("x") == {"pk": "CASE#x", "sk": table.CASE_SK}


def test_a_case_survives_its_codec_with_typed_status_and_family():
    (message,) = parse_delivery(fixture("aaa-mention.json"), BRAND).events
    case = open_case(message, IngestSettings().rules)

    item = table.case_to_item(case)
    again = table.case_from_item(table.from_dynamo(table.to_dynamo(item)))

    assert again == case
    assert again.status is CaseStatus.OPEN and again.family is Family.PUBLIC
    assert item["handle_key"] == "claire_dupont" and item["reference"] == case.reference
    assert table.case_image(item) is item and table.case_image({"pk": "MSGID#1", "sk": "MSGID"}) is None


def test_a_new_case_stores_no_default_or_derived_attribute_and_reads_back_the_same():
    from dataclasses import replace

    (message,) = parse_delivery(fixture("aaa-mention.json"), BRAND).events
    case = open_case(message, IngestSettings().rules)
    quiet = replace(case, customer=replace(case.customer, following=0, verified=False), response_count=0)

    stored = table.to_dynamo(table.case_to_item(quiet))

    assert not {"reasons_text", "response_count", "customer_following", "customer_verified"} & set(stored)
    assert table.case_from_item(table.from_dynamo(stored)) == quiet
    plain = table.case_from_item(table.case_to_item(quiet))  # the plain item too (its absent values are None)
    assert (plain.customer, plain.response_count) == (quiet.customer, 0)


ATTRIBUTE_VALUES = st.recursive(
    st.none() | st.booleans() | st.text(max_size=8) | st.integers(min_value=-(10**40), max_value=10**40)
    | st.decimals(allow_nan=False, allow_infinity=False, places=3) | st.binary(max_size=4)
    | st.frozensets(st.text(max_size=4), min_size=1, max_size=3).map(set)
    | st.sampled_from(list(CaseStatus)),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3),
    max_leaves=12,
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(ATTRIBUTE_VALUES)
def test_the_item_codec_writes_what_boto3s_serializer_writes(value):
    from boto3.dynamodb.types import TypeSerializer

    try:
        expected = TypeSerializer().serialize(value)
    except Exception as refused:  # what boto3 refuses (a number DynamoDB cannot hold) stays refused
        with pytest.raises(type(refused)):
            table.attribute_value(value)
        return
    assert table.attribute_value(value) == expected


def test_only_a_case_that_is_or_was_waiting_changes_the_open_queue():
    from carebird.aws.schema import queue_changed

    waiting = {"pk": "CASE#1", "sk": "CASE", "queue": "OPEN"}
    closed = {"pk": "CASE#1", "sk": "CASE", "status": "closed"}
    guard = {"pk": "MSG#1", "sk": "MSG", "queue": "OPEN"}

    assert queue_changed(None, waiting) and queue_changed(waiting, closed) and queue_changed(waiting, None)
    assert queue_changed(waiting, {**waiting, "claimed_by": "lea"}) and queue_changed(
        waiting, {**waiting, "tags": ["x"]}
    )
    assert not queue_changed(closed, {**closed, "notes": 1}) and not queue_changed(None, guard)
    acknowledged = {**waiting, "acknowledged_at": "2025-11-25T22:00:00Z", "ack_via": "reply", "version": 2}
    assert not queue_changed(waiting, acknowledged) and not queue_changed(waiting, waiting)


def test_what_the_open_queue_leaves_unshown_changes_no_queue_row():
    from dataclasses import replace
    from datetime import UTC, datetime

    from carebird.app import inbox
    from carebird.domain.sla import SlaPolicy

    (message,) = parse_delivery(fixture("aaa-mention.json"), BRAND).events
    case = open_case(message, IngestSettings().rules)
    changed = replace(case, version=case.version + 3, acknowledged_at="2025-11-25T22:00:00Z", ack_via="reply",
                      triage_text=case.triage_text + " encore", inbound_count=case.inbound_count + 1,
                      history=(*case.history, ("2025-11-20T10:00:00Z", "closed")))  # fmt: skip
    before, after = table.case_to_item(case), table.case_to_item(changed)
    now, rules, policy = datetime(2025, 11, 25, 12, tzinfo=UTC), IngestSettings().rules, SlaPolicy()

    assert {name for name in after if after[name] != before[name]} == set(table.QUEUE_UNSHOWN)
    assert inbox.queue_row(changed, now, rules, policy) == inbox.queue_row(case, now, rules, policy)


def test_a_band_reason_is_stored_without_its_fixed_tail_and_read_back_whole_and_older_items_read_as_stored():
    from carebird.domain.cases import AGENT_NOT_URGENT
    from carebird.domain.triage import NORMAL_BAND, URGENT_BAND, band_reason

    reasons = (band_reason(URGENT_BAND, "safety (gas)"), "topic technical: panne (+10)", "base 20")
    normal = (band_reason(NORMAL_BAND), "base 20")

    assert table.stored_reasons(reasons)[0] == "urgent band (safety (gas))"
    assert table.stored_reasons(normal)[0] == "request band"
    assert table.read_reasons(table.stored_reasons(reasons)) == reasons
    assert table.read_reasons(table.stored_reasons(normal)) == normal
    assert table.read_reasons([*reasons, AGENT_NOT_URGENT]) == (*reasons, AGENT_NOT_URGENT)  # written whole before
    assert table.stored_reasons((AGENT_NOT_URGENT,)) == [AGENT_NOT_URGENT]


def test_the_case_item_keeps_nothing_derivable_and_its_raw_view_has_the_link_and_whole_reasons():
    (message,) = parse_delivery(fixture("aaa-mention.json"), BRAND).events
    case = open_case(message, IngestSettings().rules)

    stored = table.to_dynamo(table.case_to_item(case))

    assert not {"link", "answerable_by_api", "reopened"} & set(stored)
    view = table.case_view(table.from_dynamo(stored))
    assert view["link"] == case.link and tuple(view["reasons"]) == case.reasons


def test_only_the_open_queue_projects_every_attribute_the_other_indexes_their_keys():
    projections = {i["IndexName"]: i["Projection"]["ProjectionType"] for i in TABLE["GlobalSecondaryIndexes"]}

    assert projections == {table.QUEUE_INDEX: "ALL", table.DAY_INDEX: "KEYS_ONLY",
                           table.REFERENCE_INDEX: "KEYS_ONLY", table.CUSTOMER_INDEX: "KEYS_ONLY"}  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=6), ATTRIBUTE_VALUES | st.just(set()) | st.just(frozenset()) | st.just([]),
                       max_size=8))  # fmt: skip
def test_an_item_in_typed_form_is_boto3s_serialization_of_its_present_attributes(item):
    from boto3.dynamodb.types import TypeSerializer

    present = {name: value for name, value in item.items() if value is not None and value != set() and value != []}
    try:
        expected = {name: TypeSerializer().serialize(value) for name, value in present.items()}
    except Exception as refused:  # what boto3 refuses stays refused
        with pytest.raises(type(refused)):
            table.to_dynamo(item)
        return
    assert table.to_dynamo(item) == expected
