"""carebird.domain.textlength against twitter-text's own conformance cases (tests/fixtures/twitter-text)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from carebird.domain.textlength import parse_text, weighted_length

CASES = yaml.safe_load((Path(__file__).parents[1] / "fixtures" / "twitter-text" / "validate.yml").read_text("utf-8"))
TESTS = CASES["tests"]


def _ids(section: str) -> list:
    return [pytest.param(case, id=case["description"][:60]) for case in TESTS[section]]


@pytest.mark.parametrize("case", _ids("WeightedTweetsWithDiscountedEmojiCounterTest"))
def test_weighted_length_matches_twitter_text_v3(case):
    parsed = parse_text(case["text"])
    assert (parsed.weighted_length, parsed.valid) == (case["expected"]["weightedLength"], case["expected"]["valid"])


@pytest.mark.parametrize("case", _ids("WeightedTweetsCounterTest"))
def test_weighted_length_matches_twitter_text_v2_without_emoji_parsing(case):
    parsed = parse_text(case["text"], emoji_parsing=False)
    assert (parsed.weighted_length, parsed.valid) == (case["expected"]["weightedLength"], case["expected"]["valid"])


@pytest.mark.parametrize("case", _ids("UnicodeDirectionalMarkerCounterTest"))
def test_directional_and_invalid_characters_match_twitter_text(case):
    parsed = parse_text(case["text"])
    assert (parsed.weighted_length, parsed.valid) == (case["expected"]["weightedLength"], case["expected"]["valid"])


@pytest.mark.parametrize("case", _ids("lengths"))
def test_lengths_match_twitter_text(case):
    assert weighted_length(case["text"]) == case["expected"]


@pytest.mark.parametrize("case", _ids("tweets"))
def test_tweet_validity_matches_twitter_text(case):
    assert parse_text(case["text"]).valid is case["expected"]


def test_a_bare_country_code_domain_without_path_is_text_not_a_link():
    # "ça.va" and "xx.fr" are words to X (twitter-text's invalid short domain rule); "t.co" is a link.
    assert weighted_length("on.fr") == 5
    assert weighted_length("t.co") == 23
    assert weighted_length("lumiere.fr/aide") == 23


def test_trailing_punctuation_is_not_part_of_a_link():
    assert weighted_length("Voir https://lumiere.fr/aide.") == 5 + 23 + 1
