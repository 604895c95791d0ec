"""X reads with the brand's OAuth 2.0 token: the current host and field names, and X stopping carebird on a read.

The reader speaks X's current dialect at api.x.com through one generic GET, and acts as the brand when the brand
authorized carebird; a usage cap or a 402 on a read pauses automation like one on a post, and a lost
authorization is a read error, never a traceback.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from carebird.aws.pause import StopKind
from carebird.x.client import XReader, XReadError
from carebird.x.oauth2 import AuthorizationLost

MENTIONS = "https://api.x.com/2/users/42/mentions"
DMS = "https://api.x.com/2/dm_events"
CREDENTIALS = {"consumer_key": "ck", "consumer_secret": "cs", "access_token": "at", "access_token_secret": "ats"}
CREDENTIALS |= {"bearer_token": "app-bearer"}


class BrandToken:
    """The part of oauth2.BrandTokens a reader uses: authorized, then a token or the loss of it."""

    def __init__(self, token: str = "brand-access", lost: bool = False) -> None:
        self.token, self.lost = token, lost

    def authorized(self) -> bool:
        return True

    def access_token(self) -> str:
        if self.lost:
            raise AuthorizationLost("X refused the refresh token: run `carebird x authorize`")
        return self.token


def reader(tokens=None):
    stops = []
    read = XReader(credentials=CREDENTIALS, tokens=tokens, on_stop=lambda kind, detail: stops.append(kind))
    return read, stops


def test_an_authorized_brand_reads_its_mentions_at_api_x_com_with_its_own_token_in_xs_current_field_names():
    read, _ = reader(BrandToken())
    with responses.RequestsMock() as mocked:
        mocked.get(MENTIONS, json={"data": [], "meta": {"result_count": 0}})
        read.mentions("42", None, None, 10)
        (call,) = mocked.calls

    params = parse_qs(urlsplit(call.request.url).query)
    assert call.request.headers["Authorization"] == "Bearer brand-access"
    assert "referenced_posts" in params["post.fields"][0] and params["max_results"] == ["10"]


def test_before_the_brand_authorizes_its_dm_events_are_read_with_the_oauth1_keys_without_post_fields():
    read, _ = reader()
    with responses.RequestsMock() as mocked:
        mocked.get(DMS, json={"data": []})
        read.dm_events(None, 50)
        (call,) = mocked.calls

    params = parse_qs(urlsplit(call.request.url).query)
    assert call.request.headers["Authorization"].startswith("OAuth ")
    assert "post.fields" not in params and "tweet.fields" not in params and params["event_types"] == ["MessageCreate"]


@pytest.mark.parametrize(
    ("status", "problem", "kind"),
    [
        (429, {"title": "UsageCapExceeded", "type": "https://api.x.com/2/problems/usage-capped"}, StopKind.USAGE_CAP),
        (
            402,
            {"title": "Payment Required", "type": "https://api.x.com/2/problems/credits-depleted"},
            StopKind.CREDITS_DEPLETED,
        ),
    ],
)
def test_x_stopping_carebird_on_a_read_pauses_automation_and_is_a_read_error(status, problem, kind):
    read, stops = reader(BrandToken())
    with responses.RequestsMock() as mocked:
        mocked.get(MENTIONS, status=status, json=problem)
        with pytest.raises(XReadError):
            read.mentions("42", None, None, 10)

    assert stops == [kind]


def test_a_read_after_the_brand_lost_its_authorization_is_a_read_error_and_calls_nobody():
    read, _ = reader(BrandToken(lost=True))
    with responses.RequestsMock() as mocked:
        with pytest.raises(XReadError, match="refresh token"):
            read.mentions("42", None, None, 10)
        assert len(mocked.calls) == 0
