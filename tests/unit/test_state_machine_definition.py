"""Static checks of the ASL: substitutions, transitions, reachability, retries."""

import json
import re

from carebird_local.local import TEMPLATE_PATH, load_template

RESOURCE = load_template()["Resources"]["SlaStateMachine"]["Properties"]
DEFINITION_TEXT = (TEMPLATE_PATH.parent / RESOURCE["DefinitionUri"]).read_text(encoding="utf-8")
DEFINITION = json.loads(DEFINITION_TEXT)
STATES = DEFINITION["States"]


def targets(state: dict) -> set[str]:
    found = {state[k] for k in ("Next", "Default") if k in state}
    found |= {choice["Next"] for choice in state.get("Choices", [])}
    found |= {catch["Next"] for catch in state.get("Catch", [])}
    return found


def test_every_placeholder_has_a_definition_substitution():
    placeholders = set(re.findall(r"\$\{(\w+)\}", DEFINITION_TEXT))

    assert placeholders == set(RESOURCE["DefinitionSubstitutions"])


def test_every_transition_targets_an_existing_state():
    assert DEFINITION["StartAt"] in STATES
    for name, state in STATES.items():
        assert targets(state) <= set(STATES), name


def test_every_state_is_reachable_and_every_path_ends():
    seen, todo = set(), [DEFINITION["StartAt"]]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += targets(STATES[name])
    assert seen == set(STATES)
    for name, state in STATES.items():
        assert targets(state) or state["Type"] in ("Succeed", "Fail") or state.get("End"), name


def test_service_calls_retry_with_backoff_and_no_lambda_is_involved():
    for name, state in STATES.items():
        if state["Type"] == "Task":
            assert not state["Resource"].startswith("arn:aws:states:::lambda"), name
            assert state["Retry"] and all(r["BackoffRate"] > 1 for r in state["Retry"]), name


def test_nothing_waits_inside_the_workflow_each_level_starts_at_its_own_deadline():
    assert [state for state in STATES.values() if state["Type"] == "Wait"] == []
    choice = STATES["WhichLevel"]
    assert choice["Choices"] == [{"Variable": "$.level", "StringEquals": "2", "Next": "ReadCaseAgain"}]
    assert choice["Default"] == "ReadCase"
