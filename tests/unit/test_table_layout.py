"""Issue 14: the table's layout is written once (carebird.table) and the template and the workflow agree with it."""

import json
from pathlib import Path

from carebird_local.local import load_template

from carebird import table
from carebird.cases import open_case
from carebird.ingest import IngestSettings
from carebird.model import CaseStatus, Family
from carebird.normalise import parse_delivery
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


def test_the_sla_workflow_reads_and_updates_the_case_item_by_the_codes_key():
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
