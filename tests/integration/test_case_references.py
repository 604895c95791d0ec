"""Every case has its own name: a reference claimed with the case, unique for the life of the table, resolved by
`carebird case`, the inbox search and the escalation email; references of cases stored before keep working."""

import copy

import pytest
from carebird_local.cli import main
from click.testing import CliRunner

from carebird.app.ingest import IngestSettings, apply_event
from carebird.aws.schema import case_to_item, reference_key, to_dynamo
from carebird.domain.cases import legacy_reference, reference_for
from carebird.x.normalise import parse_delivery
from tests.helpers import BRAND, fixture
from tests.integration.conftest import TABLE, create_deployed_stack
from tests.integration.test_inbox import Client
from tests.integration.test_sla import Stack

pytestmark = pytest.mark.integration
ALIKE = ("1860000000000123456", "1870000000000123456")  # different posts, the same last six digits


def mention(post_id: str, user_id: str, handle: str) -> dict:
    delivery = fixture("aaa-mention-influencer.json")
    tweet = delivery["tweet_create_events"][0]
    tweet.update(id=int(post_id), id_str=post_id)
    tweet["user"] = copy.deepcopy(tweet["user"]) | {"id": int(user_id), "id_str": user_id, "screen_name": handle}
    return delivery


def store_mentions(store) -> list:
    for n, post_id in enumerate(ALIKE):
        for event in parse_delivery(mention(post_id, f"16000000000000005{n}", f"customer{n}"), BRAND).events:
            apply_event(store, event, IngestSettings())
    return [store.get_case(f"public-{post_id}") for post_id in ALIKE]


def test_two_cases_whose_first_message_ids_end_alike_get_references_of_their_own(embedded):
    first, second = store_mentions(embedded.store)

    assert legacy_reference(first.case_id) == legacy_reference(second.case_id)  # the first form clashed here
    assert first.reference != second.reference
    assert embedded.store.case_by_reference(first.reference).case_id == first.case_id
    assert embedded.store.case_by_reference(second.reference).case_id == second.case_id


def test_a_reference_is_found_as_agents_type_it(embedded):
    case = store_mentions(embedded.store)[0]
    typed = " " + case.reference.lower().replace("0", "o").replace("1", "l") + " "

    assert embedded.store.case_by_reference(typed).case_id == case.case_id


def test_a_reference_another_case_holds_is_never_given_again(embedded):
    case_id = f"public-{ALIKE[0]}"
    taken = reference_for(case_id)
    embedded.store.client.put_item(
        TableName=TABLE, Item=to_dynamo({**reference_key(taken), "type": "reference", "case_id": "public-1"})
    )

    case = store_mentions(embedded.store)[0]

    assert case.reference == reference_for(case_id, 1) != taken
    assert embedded.store.case_by_reference(case.reference).case_id == case_id


def test_a_case_stored_with_the_first_form_of_reference_is_still_found_by_it(embedded):
    case = store_mentions(embedded.store)[0]
    item = case_to_item(case) | {"reference": "CB-123456"}  # as main stored every case before references were claimed
    embedded.store.client.put_item(TableName=TABLE, Item=to_dynamo(item))
    create_deployed_stack()

    found = CliRunner().invoke(main, ["case", "cb-123456", "--stack", "carebird"])

    assert embedded.store.case_by_reference("CB-123456").reference == "CB-123456"
    assert found.exit_code == 0 and case.case_id in found.output


@pytest.fixture
def inbox(embedded):
    """The inbox served locally over the embedded stack, as `carebird serve` runs it."""
    import threading

    from carebird_local.server import build_server

    http = build_server(embedded, "127.0.0.1", 0, report=lambda _line: None)
    threading.Thread(target=http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield Client(f"http://127.0.0.1:{http.server_port}"), embedded
    http.shutdown()


def test_carebird_case_and_the_inbox_search_resolve_the_reference_of_the_queue(inbox):
    client, embedded = inbox
    first, second = store_mentions(embedded.store)
    create_deployed_stack()

    shown = CliRunner().invoke(main, ["case", second.reference, "--stack", "carebird"])
    searched = client.get("search", q=second.reference.lower()).json()

    assert shown.exit_code == 0 and second.case_id in shown.output and first.case_id not in shown.output
    assert [c["id"] for c in searched["cases"]] == [second.case_id]


def test_each_escalation_email_names_its_own_case(aws):
    stack = Stack()
    for n, post_id in enumerate(ALIKE):
        stack.deliver_payload(mention(post_id, f"16000000000000005{n}", f"customer{n}"))
    stack.dispatch()
    stack.wait_for_executions()

    emails = [e["message"] for e in stack.team_emails()]
    references = [stack.case(f"public-{post_id}")["reference"] for post_id in ALIKE]
    blocks = [b for email in emails for b in email.split("\n--- ")[-len(ALIKE) :]]  # one block per case listed

    assert len(emails) == 1 and references[0] != references[1]  # both due together: one email lists the two
    for n, reference in enumerate(references):
        (block,) = [b for b in blocks if reference in b]
        assert f"@customer{n} " in block and f"Case: {reference}" in block
