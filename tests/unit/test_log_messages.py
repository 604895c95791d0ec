"""The functions' logger reads a log line's message as powertools does by default (JSON text decoded, anything else
kept as it is), without json.loads failing on every plain sentence."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from carebird.observability import json_message


def powertools_reads(message: str, deserializer=json.loads) -> object:
    """What powertools' formatter makes of a message with this deserializer (LambdaPowertoolsFormatter
    ._extract_log_message): the deserializer's answer, or the message itself when it raises."""
    try:
        return deserializer(message)
    except (json.JSONDecodeError, TypeError, ValueError):
        return message


JSON_TEXTS = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3),
    max_leaves=8,
).map(json.dumps)
PADDED = st.tuples(st.sampled_from(["", " ", "\n\t "]), JSON_TEXTS | st.text(max_size=12)).map("".join)


@settings(max_examples=500, deadline=None)
@given(PADDED)
def test_a_log_message_reads_as_powertools_reads_it_json_decoded_or_kept_as_written(message):
    assert repr(powertools_reads(message, json_message)) == repr(powertools_reads(message))


def test_a_plain_sentence_is_kept_and_json_text_decoded():
    assert json_message("delivery processed") == "delivery processed"  # returned, json.loads not tried
    assert json_message(' {"a": [1, NaN]}')["a"][0] == 1
    assert json_message("Infinity") == float("inf") and json_message("-3") == -3 and json_message("null") is None
    assert powertools_reads("nothing to see", json_message) == "nothing to see" and json_message("") == ""
