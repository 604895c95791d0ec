"""The webhook under fuzzing and injected faults keeps every event, and secrets never reach the logs."""

import json
import logging
import os

import pytest
from botocore.exceptions import ClientError
from carebird_local import local
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carebird.app.ingest import IngestSettings, apply_event
from carebird.x.normalise import parse_delivery
from carebird.x.signature import SIGNATURE_HEADER, sign
from tests.helpers import BRAND, fixture
from tests.integration.conftest import SECRET, item_count

pytestmark = pytest.mark.integration
FIXTURE_NAMES = [
    "aaa-mention.json",
    "aaa-multi.json",
    "aaa-dm-incoming.json",
    "aaa-quote.json",
    "aaa-tweet-delete.json",
    "xaa-post-mention.json",
    "xaa-dm-received.json",
    "aaa-brand-reply.json",
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)


def mutate(document, path_choices, value):
    """Replace one value somewhere in a fixture with an arbitrary one; the keys leading to it."""
    node, trail = document, []
    for choice in path_choices:
        if isinstance(node, dict) and node:
            key = sorted(node)[choice % len(node)]
        elif isinstance(node, list) and node:
            key = choice % len(node)
        else:
            break
        trail.append(key)
        if not isinstance(node[key], dict | list):
            node[key] = value
            return document, trail
        node = node[key]
    return document, []


# The customer messages each fixture carries (its README says what carebird must do with it), by where they
# sit in the delivery: a mutation elsewhere must never cost them their case.
CUSTOMER_MESSAGES = {
    "aaa-mention.json": {("tweet_create_events", 0): "1860000000000000101"},
    "aaa-multi.json": {
        ("tweet_create_events", 0): "1860000000000000101",
        ("tweet_create_events", 1): "1860000000000000102",
    },
    "aaa-dm-incoming.json": {("direct_message_events", 0): "1860000000000000201"},
    "aaa-quote.json": {("tweet_create_events", 0): "1860000000000000104"},
    "xaa-post-mention.json": {("data", "payload"): "1860000000000000301"},
    "xaa-dm-received.json": {("data", "payload"): "1860000000000000401"},
}
# change these and the whole delivery may rightly go elsewhere (another account, another event type)
ENVELOPE = {("data", "event_type"), ("data", "filter"), ("for_user_id",)}


# `make test` tries 120 inputs per property; `make bench` sets CAREBIRD_FUZZ_EXAMPLES for >= 10,000 in all.
FUZZ_EXAMPLES = int(os.environ.get("CAREBIRD_FUZZ_EXAMPLES") or 120)
SLOW = settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SLOW
@given(
    body=st.binary(max_size=2000),
    signature=st.one_of(st.none(), st.text(max_size=60)),
    base64_encoded=st.booleans(),
    method=st.sampled_from(["POST", "GET"]),
)
def test_random_unsigned_requests_never_500_and_never_write(deployed, body, signature, base64_encoded, method):
    headers = {SIGNATURE_HEADER: signature} if signature is not None else {}
    event = local.http_api_event(method, body=body, headers=headers, base64_encoded=True)
    if not base64_encoded:  # a text body, as API Gateway passes UTF-8 payloads
        event.update(body=body.decode("utf-8", "replace"), isBase64Encoded=False)

    response = deployed.call(event)

    assert response["statusCode"] in (200, 400, 401), response
    assert item_count(deployed.dynamodb) == 0


@SLOW
@given(
    name=st.sampled_from(FIXTURE_NAMES), path=st.lists(st.integers(0, 50), min_size=1, max_size=8), value=json_values
)
def test_signed_mutated_payloads_keep_every_valid_event(deployed, name, path, value):
    document, touched = mutate(fixture(name), path, value)
    body = json.dumps(document).encode()

    status, answer = deployed.post(
        local.http_api_event("POST", body=body, headers={SIGNATURE_HEADER: sign(SECRET, body)})
    )

    # a signed delivery is always accepted and stored: valid events kept, the rest quarantined or ignored with a reason
    assert status == 200, answer
    outcomes = answer["outcomes"]
    if "quarantined" in outcomes:
        assert deployed.store.quarantined(), "a quarantined event must be listed with its raw JSON"
    for place, message_id in CUSTOMER_MESSAGES.get(name, {}).items():
        in_envelope = any(tuple(touched[: len(prefix)]) == prefix for prefix in ENVELOPE)
        if tuple(touched[:2]) != place and not in_envelope:
            assert deployed.store.case_id_for_message(message_id), (touched, message_id, outcomes)


@SLOW
@given(name=st.sampled_from(FIXTURE_NAMES), flip=st.integers(0, 10_000))
def test_a_single_flipped_byte_in_a_signed_body_is_refused(deployed, name, flip):
    body = bytearray(json.dumps(fixture(name)).encode())
    signature = sign(SECRET, bytes(body))
    body[flip % len(body)] ^= 0x01

    response = deployed.call(
        local.http_api_event("POST", body=bytes(body), headers={SIGNATURE_HEADER: signature}, base64_encoded=True)
    )

    assert response["statusCode"] == 401 and item_count(deployed.dynamodb) == 0


class Flaky:
    """A DynamoDB client that throttles or fails every n-th write (what AWS does under load)."""

    def __init__(self, client, every: int, code: str):
        self.client, self.every, self.code, self.calls = client, every, code, 0
        self.exceptions = client.exceptions

    def transact_write_items(self, **kwargs):
        self.calls += 1
        if self.calls % self.every == 0:
            raise ClientError({"Error": {"Code": self.code, "Message": "injected"}}, "TransactWriteItems")
        return self.client.transact_write_items(**kwargs)

    def __getattr__(self, name):
        return getattr(self.client, name)


@pytest.mark.parametrize(
    "code", ["ProvisionedThroughputExceededException", "ThrottlingException", "InternalServerError"]
)
def test_storage_faults_fail_the_ingester_whose_retries_store_every_case_once(deployed, code):
    """X gets its 200 at once; the ingester fails on the injected faults and Lambda's retries (two, then the
    failures queue) store every delivery, each message once."""
    store = deployed.ingester.store
    store.client = Flaky(store.client, every=3, code=code)
    names = [
        "aaa-mention.json",
        "aaa-mention-influencer.json",
        "aaa-reply-to-brand-post.json",
        "aaa-quote.json",
        "aaa-dm-incoming.json",
        "aaa-brand-reply.json",
        "aaa-dm-outgoing.json",
        "aaa-tweet-delete.json",
    ]
    statuses = [deployed.call(local.signed_delivery(fixture(name), SECRET))["statusCode"] for name in names]

    assert statuses == [200] * len(names)
    attempts = [1 + len(invocation.errors) for invocation in deployed.queue.invocations]
    assert max(attempts) > 1 and deployed.queue.failed == []  # some retried, none given up on
    store.client = store.client.client
    cases = {
        c: store.get_case(c)
        for c in (
            "public-1860000000000000101",
            "public-1860000000000000102",
            "public-1860000000000000103",
        )
    }
    assert all(cases.values())
    assert cases["public-1860000000000000103"].inbound_count == 2  # reply + quote, each once
    assert cases["public-1860000000000000101"].status == "answered"  # in public, then by DM (Claire's DM joined)
    assert cases["public-1860000000000000101"].response_count == 2
    assert [m["message_id"] for m in store.messages("public-1860000000000000101")] == [
        "1860000000000000101",
        "1860000000000000106",
        "1860000000000000201",
        "1860000000000000202",
    ]


def test_interleaved_redeliveries_never_duplicate(deployed):
    """Every event applied three times, interleaved, one after another (true threads: test_hostile_input)."""
    store = deployed.ingester.store
    events = [
        e
        for name in ("aaa-mention.json", "aaa-extended-tweet.json", "aaa-brand-reply.json")
        for e in parse_delivery(fixture(name), BRAND).events
    ]

    for _ in range(3):  # every event applied three times, interleaved
        for event in events:
            apply_event(store, event, IngestSettings())

    case = store.get_case("public-1860000000000000101")
    assert case.inbound_count == 2 and case.response_count == 1
    assert len(store.messages(case.case_id)) == 3


def test_step_functions_unavailable_then_back_starts_exactly_one_timer(aws):
    from tests.integration.test_sla import Stack

    stack = Stack()
    stack.deliver("aaa-mention-influencer.json")
    event = stack.stream.next_event()
    client = stack.timers.client

    class Down:
        exceptions = client.exceptions

        def start_execution(self, **_):
            raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "injected"}}, "StartExecution")

    stack.timers.client = Down()
    failed = stack.dispatch(event)["batchItemFailures"]
    stack.timers.client = client
    retried = stack.dispatch(event)["batchItemFailures"]
    again = stack.dispatch(event)["batchItemFailures"]

    assert len(failed) == 1 and retried == [] and again == []
    stack.wait_for_executions()
    assert len(stack.executions()) == 1 and len(stack.team_emails()) == 1


def test_a_workflow_that_cannot_queue_its_escalation_fails_visibly_marks_nothing_and_the_backstop_sends_it(aws):
    """The escalation queue is missing for the whole of the first execution (its retries spent inside Express's
    cap): that execution fails (SlaExecutionsFailedAlarm), the case is not escalated; the backstop timer emails it."""
    from datetime import timedelta

    from carebird import clock
    from tests.integration.test_sla import Stack

    stack = Stack()
    working = stack.state_machine
    broken = local.create_sla_state_machine(
        stack.sfn, {"CasesTable": stack.table_name, "EscalationQueueUrl": stack.escalation_queue + "-gone"}, "broken"
    )
    stack.timers.state_machine_arn = stack.state_machine = broken
    with local.ExpressCap() as cap:
        stack.deliver("aaa-mention-influencer.json")
        stack.dispatch()
        executions = stack.wait_for_executions()

    assert [e["status"] for e in executions] == ["FAILED"] and cap.timed_out == 0
    assert stack.case("public-1860000000000000102")["escalation_level"] == "0" and stack.team_emails() == []

    stack.timers.state_machine_arn = stack.state_machine = working  # the queue is back
    assert stack.timers.fire_due(clock.now() + timedelta(minutes=31)) == 1  # the backstop timer
    stack.wait_for_executions()
    assert len(stack.team_emails()) == 1 and stack.case("public-1860000000000000102")["escalation_level"] == "1"


def test_streams_that_keep_failing_go_to_the_failures_queue_with_an_alarm():
    resources = local.load_template()["Resources"]
    for function in ("DispatcherFunction", "AcknowledgerFunction"):
        stream = next(iter(resources[function]["Properties"]["Events"].values()))["Properties"]
        assert stream["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": ["FailuresQueue", "Arn"]}
        assert stream["FunctionResponseTypes"] == ["ReportBatchItemFailures"] and stream["MaximumRetryAttempts"] > 0
    alarm = resources["FailuresAlarm"]["Properties"]
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["FailuresQueue", "QueueName"]}}]
    assert alarm["AlarmActions"] == [{"Ref": "AlertsTopic"}]


def test_secrets_never_appear_in_the_logs_of_a_full_run(aws, caplog, capfd, monkeypatch):
    """The whole demo day at DEBUG: no credential value may show in any log line or output."""
    import io

    from carebird_local.demo import DEMO_SECRET, run_demo

    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "DEBUG")
    caplog.set_level(logging.DEBUG)
    # powertools keeps the level of a logger it already configured (earlier tests made them at INFO)
    for service in ("webhook", "dispatcher", "acknowledger", "announcer"):
        monkeypatch.setattr(logging.getLogger(f"carebird-{service}"), "level", logging.DEBUG)
    out = io.StringIO()

    run_demo(out, as_json=True)

    captured = capfd.readouterr()
    everything = "\n".join([caplog.text, captured.out, captured.err, out.getvalue()])
    # carebird's loggers really ran at DEBUG, and what they wrote was captured
    carebird_levels = {r.levelname for r in caplog.records if r.name.startswith("carebird")}
    assert "DEBUG" in carebird_levels and "delivery processed" in everything
    for secret in (DEMO_SECRET, "local-access-token-secret", "local-bearer-token", "local-access-token"):
        assert secret not in everything
