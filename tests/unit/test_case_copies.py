"""A case's copy with some fields changed (`evolve`, used on ingestion's path) is the copy `dataclasses.replace`
makes, field by field, without touching the original."""

from dataclasses import fields, replace
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carebird.domain.cases import Case, evolve, open_case
from carebird.domain.model import Author, CaseStatus, Channel, Message
from carebird.domain.triage import TriageRules

AT = datetime(2025, 11, 25, 9, 0, tzinfo=UTC)
CASE = open_case(Message("190001", Channel.MENTION, Author("170001", "claire", "Claire", 120), "@Lumiere ma box", AT),
                 TriageRules())  # fmt: skip
VALUES = st.one_of(st.none(), st.integers(), st.text(max_size=20), st.datetimes(timezones=st.just(UTC)),
                   st.sampled_from(list(CaseStatus)), st.tuples(st.text(max_size=5)))  # fmt: skip
NAMES = [f.name for f in fields(Case)]


@settings(deadline=None)  # a shared machine's pauses are not a failure
@given(st.dictionaries(st.sampled_from(NAMES), VALUES, max_size=6))
def test_a_copy_with_changes_equals_what_dataclasses_replace_makes(changes):
    copy = evolve(CASE, **changes)

    assert copy == replace(CASE, **changes) and repr(copy) == repr(replace(CASE, **changes))
    assert all(getattr(copy, name) == value for name, value in changes.items())


def test_the_original_case_is_left_as_it_was():
    before = repr(CASE)

    evolve(CASE, priority=99, status=CaseStatus.CLOSED)

    assert repr(CASE) == before


def test_a_field_the_case_does_not_have_is_refused_as_replace_refuses_it():
    with pytest.raises(TypeError):
        replace(CASE, no_such_field=1)
    with pytest.raises(TypeError):
        evolve(CASE, no_such_field=1)


def test_the_case_has_nothing_a_copy_without_init_would_skip():
    """evolve does not run __init__: a __post_init__, slots or a field outside __init__ would be skipped or lost."""
    assert not hasattr(Case, "__post_init__") and not hasattr(Case, "__slots__")
    assert all(f.init for f in fields(Case)) and set(vars(CASE)) == set(NAMES)
