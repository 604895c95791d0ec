from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from carebird.domain.announcements import plan_acknowledgement, plan_announcement, plan_day, plan_days
from carebird.domain.calendar import OpeningHours
from carebird.domain.textlength import weighted_length
from tests.helpers import EVENING_CASE_ITEM

PARIS = ZoneInfo("Europe/Paris")
HOURS = OpeningHours(holidays=frozenset({date(2025, 12, 25)}))


def paris(*args):
    return datetime(*args, tzinfo=PARIS)


def test_the_opening_post_names_the_day_and_the_closing_time():
    plan = plan_announcement("opening", paris(2025, 11, 25, 9), HOURS, "fr", "LumiereAide")

    assert plan.kind == "opening" and plan.occurrence == "opening#2025-11-25"
    assert "mardi 25 novembre" in plan.text and "18h00" in plan.text


def test_the_closing_post_says_when_the_team_is_back():
    tuesday = plan_announcement("closing", paris(2025, 11, 25, 18), HOURS, "fr", "LumiereAide")
    friday = plan_announcement("closing", paris(2025, 11, 28, 18), HOURS, "en", "LumiereAide")

    assert "demain à 9h00" in tuesday.text
    assert "Monday 1 December at 9:00" in friday.text


def test_on_a_holiday_the_opening_post_is_a_holiday_message_and_no_closing_is_posted():
    opening = plan_announcement("opening", paris(2025, 12, 25, 9), HOURS, "fr", "LumiereAide")

    assert opening.kind == "holiday" and "demain à 9h00" in opening.text
    assert plan_announcement("closing", paris(2025, 12, 25, 18), HOURS, "fr", "LumiereAide") is None
    assert plan_announcement("opening", paris(2025, 12, 25, 9), HOURS, "fr", "x", holiday_message=False) is None


def test_a_schedule_that_disagrees_with_the_calendar_posts_nothing():
    assert plan_announcement("opening", paris(2025, 11, 29, 9), HOURS, "fr", "x") is None  # Saturday
    assert plan_announcement("closing", paris(2025, 11, 25, 15), HOURS, "fr", "x") is None  # mid-afternoon


def test_announcements_vary_never_repeat_and_fit_in_a_post_without_links():
    texts = [
        plan_announcement(kind, paris(2025, 11, day, hour), HOURS, language, "LumiereAide").text
        for day in range(24, 29)
        for kind, hour in (("opening", 9), ("closing", 18))
        for language in ("fr", "en")
    ]

    assert len(set(texts)) == len(texts)
    assert all(weighted_length(t) <= 280 and "http" not in t for t in texts)
    assert len({t.split()[0] for t in texts}) > 2  # several wordings, not one template


def test_unknown_kinds_are_refused():
    with pytest.raises(ValueError):
        plan_announcement("lunch", paris(2025, 11, 25, 12), HOURS, "fr", "x")


CASE = EVENING_CASE_ITEM


def test_an_out_of_hours_case_gets_an_acknowledgement_with_the_next_opening_and_no_profile_text():
    plan = plan_acknowledgement(CASE, HOURS, paris(2025, 11, 25, 21, 31))

    assert plan.text.startswith("Bonjour, merci") and "Claire" not in plan.text
    assert "demain à 9h00" in plan.text and "CB-000001" in plan.text
    assert plan.reply_to_id == "1" and plan.claim_key == "ack#42#20251126T0800"
    assert weighted_length(plan.text) <= 280


def test_no_acknowledgement_during_opening_hours_or_once_the_team_is_back():
    assert plan_acknowledgement(CASE | {"opened_at": "2025-11-25T10:00:00Z"}, HOURS, paris(2025, 11, 25, 11)) is None
    assert plan_acknowledgement(CASE, HOURS, paris(2025, 11, 26, 9, 5)) is None


def test_cases_nobody_addressed_to_the_brand_never_get_an_automatic_public_reply():
    assert plan_acknowledgement(CASE | {"channel": "citation"}, HOURS, paris(2025, 11, 25, 21, 31)) is None
    assert plan_acknowledgement(CASE | {"channel": "topic"}, HOURS, paris(2025, 11, 25, 21, 31)) is None


def test_a_dm_case_is_acknowledged_by_dm_in_english_when_the_customer_writes_english():
    plan = plan_acknowledgement(
        CASE | {"family": "dm", "channel": "dm", "lang": "en"}, HOURS, paris(2025, 11, 25, 21, 31)
    )

    assert plan.reply_to_id is None and plan.text.startswith("Hi, thanks")


def test_the_claim_key_is_shared_by_every_case_of_one_customer_in_one_closed_period():
    evening = plan_acknowledgement(CASE, HOURS, paris(2025, 11, 25, 21, 31))
    night = plan_acknowledgement(
        CASE | {"opened_at": "2025-11-26T02:00:00Z", "family": "dm"}, HOURS, paris(2025, 11, 26, 3)
    )

    assert evening.claim_key == night.claim_key


@pytest.mark.parametrize("status", ["noise", "praise"])
def test_noise_and_praise_are_never_acknowledged(status):
    case = CASE | {"status": status, "waiting_since": None}

    assert plan_acknowledgement(case, HOURS, paris(2025, 11, 25, 21, 31)) is None


def planned(hours, day):
    return [(p.kind, p.at.astimezone(hours.zone).strftime("%a %H:%M")) for p in plan_day(hours, day)]


def test_the_plan_follows_the_calendar_not_fixed_crons():
    hours = OpeningHours.from_settings("mon-fri 10:00-19:00; sat 10:00-13:00", "Europe/Paris", "")

    assert planned(hours, date(2025, 11, 28)) == [("opening", "Fri 10:00"), ("closing", "Fri 19:00")]
    assert planned(hours, date(2025, 11, 29)) == [("opening", "Sat 10:00"), ("closing", "Sat 13:00")]
    assert planned(hours, date(2025, 11, 30)) == []


def test_a_lunch_break_is_not_announced_only_the_first_opening_and_last_closing():
    hours = OpeningHours.from_settings("mon-fri 09:00-12:00,14:00-18:00", "Europe/Paris", "")

    assert planned(hours, date(2025, 11, 25)) == [("opening", "Tue 09:00"), ("closing", "Tue 18:00")]


def test_dst_moves_the_utc_instant_not_the_local_hour():
    before, after = plan_day(HOURS, date(2025, 3, 28)), plan_day(HOURS, date(2025, 3, 31))

    assert [p.at.strftime("%H:%M") for p in before] == ["08:00", "17:00"]  # UTC+1
    assert [p.at.strftime("%H:%M") for p in after] == ["07:00", "16:00"]  # UTC+2
    assert before[0].name == "announce-opening-20250328T0800"


def test_a_holiday_gets_its_message_at_the_usual_opening_and_no_closing():
    assert planned(HOURS, date(2025, 12, 25)) == [("opening", "Thu 09:00")]
    assert plan_announcement("opening", plan_day(HOURS, date(2025, 12, 25))[0].at, HOURS, "fr", "x").kind == "holiday"
    assert plan_day(HOURS, date(2025, 12, 25), holiday_message=False) == []


def test_round_the_clock_hours_announce_nothing_and_overnight_hours_announce_each_edge_once():
    always = OpeningHours.from_settings("mon-sun 00:00-24:00", "Europe/Paris", "")
    assert plan_day(always, date(2025, 11, 25)) == []
    nights = OpeningHours.from_settings("mon-sun 20:00-02:00", "Europe/Paris", "")
    assert planned(nights, date(2025, 11, 25)) == [("opening", "Tue 20:00"), ("closing", "Tue 02:00")]


def test_the_plan_covers_today_and_tomorrow_and_skips_what_is_past():
    names = [p.name for p in plan_days(HOURS, paris(2025, 11, 25, 12))]

    assert names == [
        "announce-closing-20251125T1700",
        "announce-opening-20251126T0800",
        "announce-closing-20251126T1700",
    ]


@pytest.mark.parametrize(
    "display_name",
    ["https://evil.example/phish", "Max | Tech reviews", "@LumiereAide_Support", "Claire Dupont", "🎮 GamerZ"],
)
def test_no_display_name_or_handle_ever_reaches_the_acknowledgement(display_name):
    case = EVENING_CASE_ITEM | {"customer_name": display_name, "customer_handle": "free_iphone_dot_com"}

    plan = plan_acknowledgement(case, HOURS, paris(2025, 11, 25, 21, 31))

    first_word = display_name.split()[0].strip("|")
    assert first_word not in plan.text and "free_iphone" not in plan.text
    assert plan.text.startswith("Bonjour, merci pour votre message !")
