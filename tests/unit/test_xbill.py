"""The X bill: X's prices in one place, what each call and delivery adds, and what a case costs on X."""

from datetime import date

import pytest

from carebird.domain.model import XOutcome, XResult
from carebird.domain.xbill import USAGE, MeteredX, XPrices, delivered_events, sent, spend_line, week_usage, x_cost


def test_the_default_prices_are_xs_published_pay_per_use_prices():
    prices = XPrices()

    assert (prices.post_event, prices.dm_event, prices.post, prices.post_with_url) == (0.005, 0.010, 0.015, 0.200)
    assert (prices.reply, prices.dm, prices.post_read, prices.owned_read) == (0.010, 0.015, 0.005, 0.001)


def test_a_brand_overrides_any_price_and_keeps_the_others():
    prices = XPrices.from_json('{"reply": 0.015, "post_event": 0}')

    assert (prices.reply, prices.post_event, prices.dm) == (0.015, 0.0, 0.015)


@pytest.mark.parametrize("text", ['{"replies": 1}', '{"reply": -1}', "[1]", '{"reply": "cheap"}'])
def test_unknown_negative_or_malformed_prices_are_refused(text):
    with pytest.raises(ValueError):
        XPrices.from_json(text)


def test_x_cost_prices_each_counted_thing_once():
    usage = {"post_event": 2, "reply": 1, "dm_event": 1}

    assert x_cost(usage) == pytest.approx(2 * 0.005 + 0.010 + 0.010)
    assert x_cost(usage, XPrices(reply=0.02)) == pytest.approx(0.04)
    assert x_cost({}) == 0
    with pytest.raises(ValueError):
        x_cost({"tweets": 3})


def test_only_what_x_really_did_is_billed():
    assert sent("reply", "Bonjour", XResult(XOutcome.SENT, "1")) == "reply"
    assert sent("post", "Voir https://lumiere.example", XResult(XOutcome.SENT, "1")) == "post_with_url"
    for outcome in (XOutcome.RECORDED, XOutcome.DUPLICATE, XOutcome.REPLY_NOT_ALLOWED, XOutcome.FAILED):
        assert sent("dm", "Bonjour", XResult(outcome)) is None


def test_delivered_events_come_from_the_customer_messages_and_the_brands_public_posts():
    assert delivered_events({"mention": 3, "reply": 1, "dm": 2, "quote": 1}, brand_posts=2) == {
        "post_event": 7,
        "dm_event": 2,
    }


class Meter:
    def __init__(self):
        self.counted = []

    def count(self, name, day, n=1):
        self.counted.append((name, day, n))


class X:
    def __init__(self, outcome):
        self.outcome, self.recorded = outcome, ["kept"]

    def post(self, text):
        return XResult(self.outcome, "1")

    def reply(self, text, in_reply_to_id):
        return XResult(self.outcome, "2")

    def send_dm(self, participant_id, text):
        return XResult(self.outcome, "3")


def test_the_metered_client_counts_each_sent_call_and_passes_the_rest_through():
    meter, day = Meter(), date(2026, 12, 6)
    x = MeteredX(X(XOutcome.SENT), meter, lambda: day)

    x.post("Bonjour !")
    x.reply("Merci", "9")
    x.send_dm("42", "Bonjour")

    assert meter.counted == [("post", day, 1), ("reply", day, 1), ("dm", day, 1)]
    assert x.recorded == ["kept"]


def test_a_failing_counter_never_costs_the_customer_their_message():
    class Broken:
        def count(self, name, day, n=1):
            raise RuntimeError("DynamoDB down")

    result = MeteredX(X(XOutcome.SENT), Broken(), lambda: date(2026, 12, 6)).reply("Merci", "9")

    assert result.done


def test_the_digest_line_adds_up_the_weeks_counters():
    week = week_usage([{"post_event": 10, "reply": 2, "expires_at": 1, "pk": "XUSAGE#x"}, {"post_event": 4}])

    assert week == {"post_event": 14, "reply": 2}
    assert spend_line(week) == "X spend this week: $0.090 (post_event 14, reply 2; 7 days)"


def test_every_usage_name_is_a_price():
    assert set(USAGE) == set(XPrices.__dataclass_fields__)


def test_the_readmes_cost_table_is_what_x_cost_says_of_each_scenario():
    from pathlib import Path

    from carebird.domain.xbill import CASE_SCENARIOS

    readme = Path(__file__).parents[2].joinpath("README.md").read_text(encoding="utf-8")
    rows = {
        "mention answered in the X app": "| a mention answered in the X app (the mention, the brand's reply delivered",
        "mention answered from the inbox": "| a mention answered from the inbox or `carebird reply`",
        "DM answered in the X app": "| a DM answered in the X app |",
        "DM answered from the inbox": "| a DM answered from the inbox |",
        "out-of-hours mention, acknowledged, answered in the X app": "| an out-of-hours mention, acknowledged, "
        "answered in the X app |",
        "out-of-hours mention, acknowledged, answered from the inbox": "| an out-of-hours mention, acknowledged, "
        "answered from the inbox |",
        "out-of-hours DM, acknowledged, answered from the inbox": "| an out-of-hours DM, acknowledged",
        "a day's opening and closing announcements": "| a day's opening and closing announcements",
        "an hour of health check during a silence (owned read of 10 mentions)": "| an hour of health check",
        "the daily deletion check (X's batch compliance jobs)": "| the daily deletion check",
    }
    for scenario, row in rows.items():
        line = next(line for line in readme.splitlines() if line.startswith(row))
        assert line.endswith(f"| ${x_cost(CASE_SCENARIOS[scenario]):.3f} |"), (scenario, line)
