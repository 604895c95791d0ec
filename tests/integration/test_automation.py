"""Announcer and acknowledger handlers on the embedded stack (moto, X in dry run or mocked with responses)."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import responses
from carebird_local.local import load_template

from carebird import clock
from tests.helpers import fixture, stamped

pytestmark = pytest.mark.integration
NIGHT_ONLY = {
    "OPENING_HOURS": "mon-sun 09:00-18:00",
    "TIME_ZONE": "Europe/Paris",
    "PRIVACY_POLICY_URL": "https://lumiere.example/confidentialite",
}


@pytest.fixture
def embedded_settings():
    return NIGHT_ONLY


@pytest.fixture
def stack(embedded):
    return embedded


def at_night(name: str, moment: datetime) -> dict:
    return stamped(fixture(name), moment)


EVENING = datetime(2025, 11, 25, 20, 30, tzinfo=UTC)  # 21:30 in Paris, the team left at 18:00


def test_an_evening_mention_gets_one_reply_and_a_second_contact_nothing_more(stack):
    clock.travel_to(EVENING + timedelta(minutes=1))
    stack.deliver(at_night("aaa-mention.json", EVENING))
    stack.deliver(at_night("aaa-dm-incoming.json", EVENING + timedelta(minutes=5)))

    stack.dispatch()

    calls = stack.acknowledgements()
    assert [(c.action, c.target) for c in calls] == [("reply", "1860000000000000101")]
    assert calls[0].text.startswith("Bonjour, merci") and "demain à 9h00" in calls[0].text
    case = stack.case_item("public-1860000000000000101")
    assert case["ack_via"] == "reply" and case["acknowledged_at"] and "first_response_at" not in case
    assert case["status"] == "open" and case["queue"] == "OPEN"  # an acknowledgement is not an answer


def test_a_redelivered_stream_record_sends_no_second_acknowledgement(stack):
    clock.travel_to(EVENING + timedelta(minutes=1))
    stack.deliver(at_night("aaa-mention.json", EVENING))
    event = stack.stream.next_event()

    stack.dispatch(event)
    stack.dispatch(event)

    assert len(stack.acknowledgements()) == 1


def test_the_echo_of_the_acknowledgement_answers_nothing(stack):
    clock.travel_to(EVENING + timedelta(minutes=1))
    stack.deliver(at_night("aaa-mention.json", EVENING))
    stack.dispatch()
    outbox = stack.acknowledger.outbox.get("ack#1600000000000000002#20251126T0800")
    echo = at_night("aaa-brand-reply.json", EVENING + timedelta(minutes=1))
    echo["tweet_create_events"][0].update(id_str=outbox["post_id"], text=outbox["text"])

    stack.deliver(echo)
    body = stack.ingested()

    assert body["outcomes"] == {"ignored": 1}  # recognised as carebird's own post, not an answer
    assert "first_response_at" not in stack.case_item("public-1860000000000000101")


def test_a_night_dm_is_acknowledged_by_dm_with_the_privacy_link_and_its_echo_answers_nothing(stack):
    clock.travel_to(EVENING + timedelta(minutes=1))
    stack.deliver(at_night("aaa-dm-incoming.json", EVENING))
    stack.dispatch()
    ((call,),) = [stack.acknowledgements()]
    assert call.action == "dm" and "Confidentialité : https://lumiere.example/confidentialite" in call.text
    outbox = stack.acknowledger.outbox.get("ack#1600000000000000002#20251126T0800")
    echo = at_night("aaa-dm-outgoing.json", EVENING + timedelta(minutes=1))
    wrapped = outbox["text"].replace("https://lumiere.example/confidentialite", "https://t.co/Zx81kQ")
    echo["direct_message_events"][0]["id"] = "1860000000000000777"  # X's id for the DM, not the dry run's
    echo["direct_message_events"][0]["message_create"]["message_data"]["text"] = wrapped

    stack.deliver(echo)
    body = stack.ingested()

    assert body["outcomes"] == {"ignored": 1}  # carebird's own DM, its link wrapped by X: not an answer
    (case,) = stack.store.cases_opened_between(EVENING - timedelta(hours=1), EVENING)
    assert case.first_response_at is None


def test_no_acknowledgement_during_opening_hours(stack):
    daytime = datetime(2025, 11, 25, 10, tzinfo=UTC)
    clock.travel_to(daytime + timedelta(minutes=1))
    stack.deliver(at_night("aaa-mention.json", daytime))

    stack.dispatch()

    assert stack.acknowledgements() == []


def test_a_case_opened_in_opening_hours_costs_the_acknowledger_no_log_line_and_an_evening_one_does(stack, monkeypatch):
    from carebird.app import streams

    lines = []
    monkeypatch.setattr(streams.logger, "info", lambda message, **kwargs: lines.append((message, kwargs)))
    daytime = datetime(2025, 11, 25, 10, tzinfo=UTC)
    clock.travel_to(daytime + timedelta(minutes=1))
    stack.deliver(at_night("aaa-mention.json", daytime))
    stack.dispatch()
    assert [m for m, _ in lines if m == "out-of-hours acknowledgement"] == []

    clock.travel_to(EVENING + timedelta(minutes=1))
    stack.deliver(at_night("aaa-mention-influencer.json", EVENING))
    stack.dispatch()

    sent = [kwargs["extra"] for m, kwargs in lines if m == "out-of-hours acknowledgement"]
    assert len(sent) == 1 and sent[0]["acknowledged_via"] == "reply"


def an_evening_mention_with_a_real_x_client(stack, monkeypatch):
    """The acknowledger talks to X through tweepy (HTTP mocked by responses) about an evening mention."""
    from carebird.x.client import XClient

    credentials = {"consumer_key": "k", "consumer_secret": "s", "access_token": "t", "access_token_secret": "u"}
    monkeypatch.setattr(stack.acknowledger, "x", XClient(credentials=credentials))
    clock.travel_to(EVENING + timedelta(minutes=1))
    stack.deliver(at_night("aaa-mention.json", EVENING))


def test_a_refused_reply_is_recorded_on_the_case_and_no_dm_goes_to_a_public_only_customer(stack, monkeypatch):
    an_evening_mention_with_a_real_x_client(stack, monkeypatch)
    with responses.RequestsMock() as x:
        x.post(
            "https://api.x.com/2/tweets",
            status=403,
            json={
                "detail": "Reply to this conversation is not allowed because you have not been mentioned or otherwise "
                "engaged by the author of the post you are replying to.",
                "status": 403,
            },
        )

        response = stack.dispatch()

        assert [c.request.url for c in x.calls] == ["https://api.x.com/2/tweets"]  # and no DM
    assert response["batchItemFailures"] == []
    assert stack.case_item("public-1860000000000000101")["ack_via"] == "reply refused by X: left to a person"


def test_a_customer_who_wrote_stop_gets_no_acknowledgement_the_next_night(stack):
    clock.travel_to(EVENING + timedelta(minutes=1))
    stop = at_night("aaa-dm-incoming.json", EVENING)
    stop["direct_message_events"][0]["message_create"]["message_data"]["text"] = "STOP"
    stack.deliver(stop)
    stack.dispatch()
    next_night = EVENING + timedelta(days=1)
    clock.travel_to(next_night + timedelta(minutes=1))

    stack.deliver(at_night("aaa-mention.json", next_night))
    stack.dispatch()

    assert stack.acknowledgements() == []


def test_a_rate_limited_acknowledgement_is_retried_by_the_stream_then_sent_once(stack, monkeypatch):
    an_evening_mention_with_a_real_x_client(stack, monkeypatch)
    event = stack.stream.next_event()
    with responses.RequestsMock() as x:
        x.post("https://api.x.com/2/tweets", status=429, headers={"x-rate-limit-reset": "1764104400"})
        failures = stack.acknowledger.lambda_handler(event, stack.context)["batchItemFailures"]
    assert len(failures) == 1  # reported to Lambda, which retries the record

    with responses.RequestsMock() as x:
        x.post("https://api.x.com/2/tweets", status=201, json={"data": {"id": "992"}})
        assert stack.acknowledger.lambda_handler(event, stack.context)["batchItemFailures"] == []
        assert stack.acknowledger.lambda_handler(event, stack.context)["batchItemFailures"] == []
        assert len(x.calls) == 1


def test_announcements_are_posted_once_per_occurrence_in_dry_run(stack):
    opening = stack.announce("opening", "2025-11-25T08:00:00Z")
    again = stack.announce("opening", "2025-11-25T08:00:00Z")
    closing = stack.announce("closing", "2025-11-25T17:00:00Z")

    assert (opening["outcome"], again["outcome"], closing["outcome"]) == ("posted", "already posted", "posted")
    assert (opening["x"], again["x"]) == ("recorded", None)
    texts = [c.text for c in stack.announcements()]
    assert len(texts) == 2 and "mardi 25 novembre" in texts[0] and "demain à 9h00" in texts[1]


def with_announcement_schedules(stack, **settings):
    import boto3

    scheduler = boto3.client("scheduler")
    scheduler.create_schedule_group(Name="carebird-announcements")
    stack.reload(
        "announcer",
        ANNOUNCEMENT_SCHEDULE_GROUP="carebird-announcements",
        ANNOUNCEMENT_ROLE_ARN="arn:aws:iam::123456789012:role/announcements",
        **settings,
    )
    return scheduler


def schedules(scheduler) -> dict:
    names = [s["Name"] for s in scheduler.list_schedules(GroupName="carebird-announcements")["Schedules"]]
    return {n: scheduler.get_schedule(Name=n, GroupName="carebird-announcements") for n in names}


def test_the_nightly_plan_schedules_the_calendars_own_times_saturday_included_and_only_once(stack):
    """Hours that the old default crons (09:00/18:00 Mon-Fri) got wrong: 10:00-19:00 and a Saturday morning."""
    scheduler = with_announcement_schedules(stack, OPENING_HOURS="mon-fri 10:00-19:00; sat 10:00-13:00")
    clock.travel_to(datetime(2025, 11, 28, 0, 5, tzinfo=UTC))  # Friday 01:05 in Paris

    first = stack.announcer.lambda_handler({"kind": "plan"}, stack.context)
    again = stack.announcer.lambda_handler({"kind": "plan"}, stack.context)

    planned = schedules(scheduler)
    assert sorted((s["ScheduleExpression"], json.loads(s["Target"]["Input"])["kind"]) for s in planned.values()) == [
        ("at(2025-11-28T09:00:00)", "opening"),  # Friday 10:00 Paris
        ("at(2025-11-28T18:00:00)", "closing"),  # Friday 19:00
        ("at(2025-11-29T09:00:00)", "opening"),  # Saturday 10:00
        ("at(2025-11-29T12:00:00)", "closing"),  # Saturday 13:00
    ]
    assert (first["created"], again["created"]) == (4, 0)
    one = next(iter(planned.values()))
    assert one["ScheduleExpressionTimezone"] == "UTC" and one["ActionAfterCompletion"] == "DELETE"
    assert one["Target"]["Arn"] == stack.context.invoked_function_arn


def test_the_announcer_plans_schedules_that_scheduler_dead_letters_into_the_alarmed_queue(stack):
    failures = "arn:aws:sqs:eu-west-3:123456789012:carebird-failures"
    scheduler = with_announcement_schedules(stack, ANNOUNCEMENT_DEAD_LETTER_ARN=failures)
    clock.travel_to(datetime(2025, 11, 28, 0, 5, tzinfo=UTC))

    stack.announcer.lambda_handler({"kind": "plan"}, stack.context)

    planned = schedules(scheduler)
    assert planned and all(s["Target"]["DeadLetterConfig"] == {"Arn": failures} for s in planned.values())


def test_a_planned_schedule_fires_the_announcement_the_calendar_expects(stack):
    scheduler = with_announcement_schedules(stack, OPENING_HOURS="mon-fri 10:00-19:00; sat 10:00-13:00")
    clock.travel_to(datetime(2025, 11, 29, 0, 5, tzinfo=UTC))  # Saturday
    stack.announcer.lambda_handler({"kind": "plan"}, stack.context)
    closing = next(s for s in schedules(scheduler).values() if "closing" in s["Name"])

    clock.travel_to(datetime(2025, 11, 29, 12, 0, tzinfo=UTC))
    fired = stack.announcer.lambda_handler(json.loads(closing["Target"]["Input"]), stack.context)

    assert fired["outcome"] == "posted"
    assert "lundi 1 décembre à 10h00" in stack.announcements()[-1].text


def test_the_plan_runs_nightly_in_the_brand_time_zone_and_no_hand_kept_cron_remains():
    template = load_template()
    events = template["Resources"]["AnnouncerFunction"]["Properties"]["Events"]

    assert not {"OpeningSchedule", "ClosingSchedule"} & set(template["Parameters"])
    assert list(events) == ["DailyPlan"]
    props = events["DailyPlan"]["Properties"]
    assert props["ScheduleExpressionTimezone"] == {"Ref": "TimeZone"} and json.loads(props["Input"]) == {"kind": "plan"}


def test_an_echo_faster_than_the_post_id_guard_is_still_recognised_by_its_text(stack):
    clock.travel_to(EVENING + timedelta(minutes=1))
    stack.deliver(at_night("aaa-mention.json", EVENING))
    stack.dispatch()
    text = stack.acknowledgements()[0].text
    echo = at_night("aaa-brand-reply.json", EVENING + timedelta(minutes=1))
    echo["tweet_create_events"][0].update(id_str="1870000000000000777", text=f"@claire_dupont {text}")

    stack.deliver(echo)
    body = stack.ingested()

    assert body["outcomes"] == {"ignored": 1}
    assert "first_response_at" not in stack.case_item("public-1860000000000000101")
