"""The X adapter against tweepy's real HTTP layer, mocked with `responses` (nothing leaves the machine)."""

import json

import pytest
import responses

from carebird.x.client import XClient, XOutcome, check_post_text

TWEETS = "https://api.x.com/2/tweets"
DMS = "https://api.x.com/2/dm_conversations/with/42/messages"
CREDENTIALS = {
    "consumer_key": "ck",
    "consumer_secret": "cs",
    "access_token": "at",
    "access_token_secret": "ats",
    "bearer_token": "bt",
}


@pytest.fixture
def x():
    sleeps = []
    client = XClient(credentials=CREDENTIALS, sleep=sleeps.append)
    client.sleeps = sleeps
    with responses.RequestsMock() as mocked:
        client.http = mocked
        yield client


def test_a_reply_is_posted_in_thread(x):
    x.http.post(TWEETS, json={"data": {"id": "777", "text": "ok"}}, status=201)

    result = x.reply("Bonjour Claire 🙂", "1860000000000000101")

    assert result.outcome is XOutcome.SENT and result.post_id == "777"
    sent = json.loads(x.http.calls[0].request.body)
    assert sent == {"text": "Bonjour Claire 🙂", "reply": {"in_reply_to_tweet_id": "1860000000000000101"}}
    assert x.http.calls[0].request.headers["Authorization"].startswith("OAuth ")


def test_a_dm_is_sent_to_the_participant(x):
    x.http.post(DMS, json={"data": {"dm_conversation_id": "1-42", "dm_event_id": "555"}}, status=201)

    result = x.send_dm("42", "Bonjour")

    assert result.outcome is XOutcome.SENT and result.post_id == "555"


def test_rate_limit_means_retry_after_the_reset_time_without_sleeping(x):
    x.http.post(TWEETS, json={"title": "Too Many Requests"}, status=429, headers={"x-rate-limit-reset": "1764064800"})

    result = x.post("Bonjour")

    assert result.outcome is XOutcome.RETRY_LATER and result.retry_at.isoformat() == "2025-11-25T10:00:00+00:00"
    assert x.sleeps == []


def test_server_errors_are_retried_with_backoff_then_succeed(x):
    x.http.post(TWEETS, status=503)
    x.http.post(TWEETS, json={"data": {"id": "9"}}, status=201)

    assert x.post("Bonjour").outcome is XOutcome.SENT
    assert x.sleeps == [0.5]


def test_persistent_server_errors_end_as_retry_later(x):
    for _ in range(3):
        x.http.post(TWEETS, status=500)

    result = x.post("Bonjour")

    assert result.outcome is XOutcome.RETRY_LATER and x.sleeps == [0.5, 1.0]


def test_a_duplicate_post_counts_as_already_done(x):
    x.http.post(
        TWEETS,
        status=403,
        json={
            "detail": "You are not allowed to create a Tweet with duplicate content.",
            "title": "Forbidden",
            "status": 403,
        },
    )

    assert x.post("Bonjour").outcome is XOutcome.DUPLICATE


def test_the_reply_restriction_is_recognised(x):
    x.http.post(
        TWEETS,
        status=403,
        json={
            "detail": "Reply to this conversation is not allowed because you have not been mentioned or otherwise "
            "engaged by the author of the post you are replying to.",
            "status": 403,
            "title": "Forbidden",
        },
    )

    assert x.reply("Bonjour", "1").outcome is XOutcome.REPLY_NOT_ALLOWED


def test_other_refusals_fail_clearly_without_crashing(x):
    x.http.post(TWEETS, status=401, json={"title": "Unauthorized", "detail": "Unauthorized", "status": 401})

    result = x.post("Bonjour")

    assert result.outcome is XOutcome.FAILED and "Unauthorized" in result.detail


def test_text_is_checked_with_x_weighted_length_before_any_call(x):
    long_text = "é" * 281
    emoji_text = "🙂" * 141  # emoji weigh 2

    assert x.post(long_text).outcome is XOutcome.INVALID
    assert x.post(emoji_text).outcome is XOutcome.INVALID
    assert x.post("   ").outcome is XOutcome.INVALID
    assert len(x.http.calls) == 0
    assert check_post_text("a" * 256 + " https://example.com/" + "x" * 100) is None  # a URL weighs 23


def test_dry_run_records_and_never_calls_x():
    client = XClient(dry_run=True)

    with responses.RequestsMock() as mocked:
        assert client.post("Bonjour").outcome is XOutcome.RECORDED
        assert client.send_dm("42", "Bonjour").outcome is XOutcome.RECORDED
        assert len(mocked.calls) == 0
    assert [(c.action, c.target) for c in client.recorded] == [("post", None), ("dm", "42")]


SEARCH = "https://api.x.com/2/tweets/search/recent"


def test_reads_go_to_api_x_com_and_ask_for_the_post_fields_of_xs_current_spec():
    from carebird.x.client import XReader

    with responses.RequestsMock() as mocked:
        mocked.get(SEARCH, json={"data": [], "meta": {"result_count": 0}})
        XReader(credentials=CREDENTIALS).search_recent("@LumiereAide", None, None, 10)
        (call,) = mocked.calls

    from urllib.parse import parse_qs, urlsplit

    params = parse_qs(urlsplit(call.request.url).query)
    assert call.request.url.startswith(SEARCH)
    assert "referenced_posts" in params["post.fields"][0] and params["expansions"] == ["author_id,referenced_posts"]
    assert "tweet.fields" not in params


def test_a_reader_that_x_refuses_the_new_field_names_speaks_the_old_dialect_from_then_on():
    from urllib.parse import parse_qs, urlsplit

    from carebird.x.client import XReader

    reader = XReader(credentials=CREDENTIALS)
    with responses.RequestsMock() as mocked:
        mocked.get(
            SEARCH,
            status=400,
            json={"errors": [{"parameters": {"post.fields": ["..."]}, "message": "The query parameter is not one of"}]},
        )
        mocked.get(SEARCH, json={"data": [], "meta": {"result_count": 0}})
        mocked.get(SEARCH, json={"data": [], "meta": {"result_count": 0}})
        reader.search_recent("@LumiereAide", None, None, 10)
        reader.search_recent("@LumiereAide", None, None, 10)
        asked = [parse_qs(urlsplit(c.request.url).query) for c in mocked.calls]

    assert ["post.fields" in a for a in asked] == [True, False, False]
    assert asked[1]["expansions"] == ["author_id,referenced_tweets.id"] and "note_tweet" in asked[2]["tweet.fields"][0]


def test_posting_goes_to_api_x_com():
    with responses.RequestsMock() as mocked:
        mocked.post(TWEETS, json={"data": {"id": "5"}}, status=201)
        result = XClient(credentials=CREDENTIALS).post("Bonjour !")
        url = mocked.calls[0].request.url

    assert result.post_id == "5" and url == "https://api.x.com/2/tweets"


def test_a_dm_x_answers_with_a_server_error_is_never_sent_twice(x):
    x.http.post(DMS, status=503)  # X may have delivered it: DMs have no duplicate check to stop a second copy

    result = x.send_dm("42", "Bonjour, merci pour votre message ! (réf. CB-123456)")

    assert result.outcome is XOutcome.FAILED and "not sent again" in result.detail
    assert len(x.http.calls) == 1 and x.sleeps == []
