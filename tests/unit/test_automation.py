from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from carebird.app.automation import Acknowledged, Announced, AutomationSettings, RetryLater, acknowledge, announce
from carebird.domain.announcements import could_be_automatic
from carebird.domain.calendar import OpeningHours
from carebird.domain.model import Via, XOutcome, XResult
from tests.helpers import EVENING_CASE_ITEM

PARIS = ZoneInfo("Europe/Paris")
SETTINGS = AutomationSettings(hours=OpeningHours(holidays=frozenset({date(2025, 12, 25)})), brand_handle="LumiereAide")
CASE = EVENING_CASE_ITEM
NIGHT = datetime(2025, 11, 25, 21, 31, tzinfo=PARIS)
WITH_POLICY = AutomationSettings(
    hours=SETTINGS.hours, brand_handle="LumiereAide", privacy_policy_url="https://lumiere.example/confidentialite"
)


class Claims:
    def __init__(self):
        self.claimed, self.completed = set(), {}

    def claim(self, key, now):
        if key in self.claimed:
            return False
        self.claimed.add(key)
        return True

    def complete(self, key, result, text):
        self.completed[key] = (result.outcome, text)

    def release(self, key):
        self.claimed.discard(key)


class FakeX:
    def __init__(self, reply=XOutcome.SENT, dm=XOutcome.SENT, post=XOutcome.SENT):
        self.outcomes = {"reply": reply, "dm": dm, "post": post}
        self.calls = []

    def _send(self, kind, text, target=None):
        self.calls.append((kind, target, text))
        return XResult(self.outcomes[kind], post_id=f"{kind}-{len(self.calls)}")

    def post(self, text):
        return self._send("post", text)

    def reply(self, text, in_reply_to_id):
        return self._send("reply", text, in_reply_to_id)

    def send_dm(self, participant_id, text):
        return self._send("dm", text, participant_id)


class Log:
    def __init__(self, opted_out=()):
        self.records = []
        self.expected = []
        self.opted_out_customers = set(opted_out)

    def opted_out(self, customer_id):
        return customer_id in self.opted_out_customers

    def expect_automated(self, customer_id, text, at):
        self.expected.append((customer_id, text))

    def record_acknowledgement(self, case_id, via, result, text, at):
        self.records.append((case_id, via, result.outcome))


def test_an_out_of_hours_case_is_acknowledged_once_by_reply():
    claims, x, log = Claims(), FakeX(), Log()

    first = acknowledge(CASE, NIGHT, SETTINGS, claims, x, log)
    dm_case = CASE | {"case_id": "dm-2", "family": "dm", "channel": "dm"}
    second = acknowledge(dm_case, NIGHT, WITH_POLICY, claims, x, log)

    assert (first.status, first.via, second.status) == (Acknowledged.SENT, Via.REPLY, Acknowledged.ALREADY)
    assert [c[0] for c in x.calls] == ["reply"] and log.records == [("public-1", "reply", XOutcome.SENT)]


def test_a_refused_public_acknowledgement_is_recorded_on_the_case_and_never_turned_into_a_dm():
    x, log = FakeX(reply=XOutcome.REPLY_NOT_ALLOWED), Log()

    result = acknowledge(CASE, NIGHT, SETTINGS, Claims(), x, log)

    assert (result.status, result.via) == (Acknowledged.LEFT_TO_A_PERSON, Via.REPLY)
    assert [(c[0], c[1]) for c in x.calls] == [("reply", "1")]  # no DM to someone who only posted publicly
    assert log.records == [("public-1", "reply refused by X: left to a person", XOutcome.REPLY_NOT_ALLOWED)]


def test_a_public_case_with_no_post_to_reply_to_gets_no_automated_message():
    x = FakeX()

    result = acknowledge(CASE | {"reply_to_id": None}, NIGHT, SETTINGS, Claims(), x, Log())

    assert result.status is Acknowledged.NOT_NEEDED and x.calls == []


DM_CASE = CASE | {"case_id": "dm-7", "family": "dm", "channel": "dm", "reply_to_id": None}


def test_a_customer_who_dmed_first_gets_an_automated_dm_with_the_privacy_policy_link():
    x, log = FakeX(), Log()

    result = acknowledge(DM_CASE, NIGHT, WITH_POLICY, Claims(), x, log)

    assert (result.status, result.via) == (Acknowledged.SENT, Via.DM)
    ((kind, target, text),) = x.calls
    assert (kind, target) == ("dm", "42")
    assert "\nConfidentialité : https://lumiere.example/confidentialite\n(réf. CB-000001)" in text
    assert could_be_automatic(text) and log.expected == [("42", text)]  # its echo is known as carebird's own


def test_the_echo_of_an_automated_dm_is_known_even_with_its_link_wrapped_by_x():
    from carebird.aws.schema import automated_text_key

    x = FakeX()
    acknowledge(DM_CASE, NIGHT, WITH_POLICY, Claims(), x, Log())
    ((_, _, sent),) = x.calls
    echoed = sent.replace("https://lumiere.example/confidentialite", "https://t.co/AbC123xyZ")

    assert automated_text_key("42", echoed) == automated_text_key("42", sent)


def test_a_dm_that_x_refuses_is_left_to_a_person_and_recorded():
    x, log = FakeX(dm=XOutcome.FAILED), Log()

    assert acknowledge(DM_CASE, NIGHT, WITH_POLICY, Claims(), x, log).status is Acknowledged.LEFT_TO_A_PERSON
    assert log.records == [("dm-7", "refused by X: left to a person", XOutcome.FAILED)]


def test_no_automated_dm_is_sent_before_the_brand_sets_its_privacy_policy_link():
    x, claims = FakeX(), Claims()

    result = acknowledge(DM_CASE, NIGHT, SETTINGS, claims, x, Log())

    assert result.status is Acknowledged.NO_PRIVACY_POLICY and x.calls == [] and claims.claimed == set()


def test_a_customer_who_opted_out_gets_no_automated_message_on_any_channel():
    x, log = FakeX(), Log(opted_out={"42"})

    public = acknowledge(CASE, NIGHT, WITH_POLICY, Claims(), x, log)
    private = acknowledge(DM_CASE, NIGHT, WITH_POLICY, Claims(), x, log)

    assert public.status is private.status is Acknowledged.OPTED_OUT
    assert x.calls == [] and log.records == []


def test_one_interaction_gets_at_most_one_automated_reply_whatever_the_redeliveries():
    claims, x, log = Claims(), FakeX(), Log()

    results = [acknowledge(CASE, NIGHT, SETTINGS, claims, x, log) for _ in range(3)]
    follow_up = acknowledge(CASE | {"case_id": "public-2", "reply_to_id": "2"}, NIGHT, SETTINGS, claims, x, log)

    assert [r.status for r in results] == [Acknowledged.SENT, Acknowledged.ALREADY, Acknowledged.ALREADY]
    assert follow_up.status is Acknowledged.ALREADY and len(x.calls) == 1


def test_the_automatic_reply_carries_no_profile_text_of_the_customer():
    x = FakeX()
    hostile = CASE | {"customer_name": "https://evil.example/phish", "customer_handle": "phisher", "lang": "en"}

    acknowledge(hostile, NIGHT, SETTINGS, Claims(), x, Log())

    ((_, _, text),) = x.calls
    assert "evil" not in text and "phish" not in text and "Claire" not in text
    assert text.startswith("Hi, thanks for your message!")


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"channel": "quote"}, "a quote"),
        ({"triage_text": "Mon colis https://t.co/abc n'est pas arrivé"}, "a link"),
        ({"triage_text": "regardez www.promo-lumiere.xyz"}, "a link"),
        ({"triage_text": "Bande d'abrutis, toujours en panne"}, "abuse"),
        ({"triage_text": "fuck you @LumiereAide"}, "abuse"),
        ({"status": "noise"}, "noise"),
        ({"kind": "noise"}, "noise"),
    ],
)
def test_no_acknowledgement_to_quotes_links_abuse_or_noise(change, why):
    x = FakeX()

    result = acknowledge(CASE | change, NIGHT, SETTINGS, Claims(), x, Log())

    assert result.status is Acknowledged.NOT_NEEDED, why
    assert x.calls == []


def test_ordinary_complaints_that_only_look_rude_once_folded_are_still_acknowledged():
    x = FakeX()
    calm = CASE | {"triage_text": "Train en retard, pneu crevé, la technique ne répond pas. C'est con !"}

    assert acknowledge(calm, NIGHT, SETTINGS, Claims(), x, Log()).status is Acknowledged.SENT


def test_rate_limits_are_retried_later_not_swallowed_and_the_claim_is_given_back():
    claims = Claims()
    with pytest.raises(RetryLater):
        acknowledge(CASE, NIGHT, SETTINGS, claims, FakeX(reply=XOutcome.RETRY_LATER), Log())

    assert acknowledge(CASE, NIGHT, SETTINGS, claims, FakeX(), Log()).via is Via.REPLY


def test_nothing_is_sent_during_opening_hours_or_when_switched_off():
    x = FakeX()
    daytime = CASE | {"opened_at": "2025-11-25T10:00:00Z"}

    assert (
        acknowledge(daytime, datetime(2025, 11, 25, 11, tzinfo=PARIS), SETTINGS, Claims(), x, Log()).status
        is Acknowledged.NOT_NEEDED
    )
    off = AutomationSettings(hours=SETTINGS.hours, brand_handle="x", acknowledgements=False)
    assert acknowledge(CASE, NIGHT, off, Claims(), x, Log()).status is Acknowledged.OFF
    assert x.calls == []


def test_an_announcement_is_posted_once_per_occurrence():
    claims, x = Claims(), FakeX()
    opening = datetime(2025, 11, 25, 9, tzinfo=PARIS)

    assert announce("opening", opening, SETTINGS, claims, x).status is Announced.POSTED
    assert announce("opening", opening, SETTINGS, claims, x).status is Announced.ALREADY
    assert len(x.calls) == 1


def test_an_announcement_x_already_has_counts_as_posted():
    claims = Claims()

    result = announce(
        "closing", datetime(2025, 11, 25, 18, tzinfo=PARIS), SETTINGS, claims, FakeX(post=XOutcome.DUPLICATE)
    )
    assert result.status is Announced.POSTED and result.x.outcome is XOutcome.DUPLICATE
    assert claims.completed["closing#2025-11-25"][0] is XOutcome.DUPLICATE


def test_a_rate_limited_announcement_raises_so_the_scheduler_retries():
    with pytest.raises(RetryLater):
        announce(
            "opening", datetime(2025, 11, 25, 9, tzinfo=PARIS), SETTINGS, Claims(), FakeX(post=XOutcome.RETRY_LATER)
        )


def test_only_a_text_ending_with_a_case_reference_can_be_an_acknowledgement():
    from carebird.domain.announcements import ACKNOWLEDGEMENT, could_be_automatic

    for template in ACKNOWLEDGEMENT.values():
        text = template.format(name="Claire", next_opening="demain à 9h00", reference="CB-000042")
        assert could_be_automatic(text) and could_be_automatic("@claire " + text)
    assert not could_be_automatic("@claire Bonjour Claire, c'est réparé 🙂")


@pytest.mark.parametrize("references", ["referenced_tweets", "referenced_posts"])
def test_no_acknowledgement_to_a_mention_that_quotes_someone_elses_post(references):
    from carebird.app.ingest import IngestSettings, apply_event
    from carebird.aws.schema import case_to_item
    from carebird.x.normalise import parse_delivery
    from tests.helpers import BRAND, InMemoryCaseStore

    at = NIGHT.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    quoted = {"id": "1900000000000000002", "author_id": "666", "text": "Free gift cards: https://t.co/phish"}
    post = {
        "id": "1900000000000000003",
        "author_id": "42",
        "text": f"@{BRAND.handle} is this really you?",
        "created_at": at,
        "entities": {"mentions": [{"username": BRAND.handle, "id": BRAND.user_id}]},
        references: [{"type": "quoted", "id": quoted["id"]}],
    }
    includes = {"users": [{"id": "42", "username": "claire", "name": "Claire"}], "posts": [quoted]}
    body = {"data": {"event_type": "post.mention.create", "filter": {"user_id": BRAND.user_id}, "payload": post,
                     "includes": includes}}  # fmt: skip
    (message,) = parse_delivery(body, BRAND).events
    store = InMemoryCaseStore()
    apply_event(store, message, IngestSettings())
    (case,) = store.cases.values()
    x = FakeX()

    result = acknowledge(case_to_item(case), NIGHT, SETTINGS, Claims(), x, Log())

    assert message.channel.value == "mention" and result.status is Acknowledged.NOT_NEEDED and x.calls == []


def test_no_automated_dm_answers_an_encrypted_chat_whose_words_and_opt_out_carebird_cannot_read():
    from carebird.x.normalise import parse_delivery
    from tests.helpers import BRAND, fixture

    body = fixture("x-docs/chat.received.json")
    body["data"]["filter"]["user_id"] = BRAND.user_id
    body["data"]["payload"]["conversation_id"] = f"2222222222222222222:{BRAND.user_id}"
    (message,) = parse_delivery(body, BRAND).events
    chat_case = CASE | {"family": "dm", "channel": "dm", "reply_to_id": None, "preview": message.text,
                        "triage_text": message.text}  # fmt: skip
    x = FakeX()

    result = acknowledge(chat_case, NIGHT, WITH_POLICY, Claims(), x, Log())

    assert message.encrypted and result.status is Acknowledged.NOT_NEEDED and x.calls == []
