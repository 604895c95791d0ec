"""X's documentation examples through the real webhook handler on moto, signed as X signs them."""

import json

import pytest
from carebird_local import local

from tests.integration.conftest import SECRET
from tests.unit.test_x_docs_conformance import DOCS, NOT_CONVERSATIONS

pytestmark = pytest.mark.integration


@pytest.fixture
def example_user_webhook(deployed, monkeypatch):
    """The deployed webhook for the X Activity page's subscribed account, @ExampleUser."""
    monkeypatch.setenv("BRAND_USER_ID", "1111111111111111111")
    monkeypatch.setenv("BRAND_HANDLE", "ExampleUser")
    module, queue = local.connected_webhook()

    def deliver(name):
        payload = json.loads((DOCS / name).read_text(encoding="utf-8"))
        return local.post_delivery(module, queue, local.signed_delivery(payload, SECRET))

    return deliver, deployed.store


def test_a_day_of_documented_x_activity_events_lands_as_the_desk_expects(example_user_webhook):
    deliver, store = example_user_webhook
    expected = {
        "post.create.json": {"ignored": 1},
        "post.mention.create.json": {"created": 1},
        "post.reply.create.derived.json": {"appended": 1},  # the same customer: her conversation goes on
        "chat.received.json": {"appended": 1},  # her private chat joins her live public conversation
        "chat.sent.json": {"answered": 1},
        "dm.received.json": {"appended": 1},
        "dm.sent.json": {"ignored": 1},  # to @XDevelopers, who wrote nothing
        "post.delete.json": {"ignored": 1},
        **{name: {"ignored": 1} for name in NOT_CONVERSATIONS},
    }

    answers = {name: deliver(name) for name in expected}

    assert {name: status for name, (status, _) in answers.items()} == dict.fromkeys(expected, 200)
    assert {name: body["outcomes"] for name, (_, body) in answers.items()} == expected
    case = store.get_case("public-2080765813578191303")
    assert case.customer.handle == "OtherUser" and case.inbound_count == 4
    assert case.awaiting_reply  # her DM after the XChat answer waits for the team
    assert store.quarantined() == []


@pytest.mark.parametrize("dialect", ["tweets", "posts"])
def test_both_spellings_of_xs_fields_answer_a_case_through_the_webhook(example_user_webhook, dialect):
    deliver, store = example_user_webhook

    mention = deliver(f"dialects/post.mention.create.{dialect}.json")
    answer = deliver(f"dialects/post.create.reply.derived.{dialect}.json")

    assert mention[0] == answer[0] == 200
    assert (mention[1]["outcomes"], answer[1]["outcomes"]) == ({"created": 1}, {"answered": 1})
    case = store.get_case("public-2080765813578191303")
    assert case.status == "answered" and case.first_response_at is not None
