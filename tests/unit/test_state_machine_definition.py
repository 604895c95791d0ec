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


EXPRESS_CAP_SECONDS = 300  # an Express execution stops (ExecutionsTimedOut) after five minutes
MARGIN_SECONDS = 60
DEFAULT_TASK_TIMEOUT = 99_999_999  # a Task without TimeoutSeconds may wait this long (the ASL default)


def retry_delays(retrier: dict) -> list[float]:
    """The waits of one retrier, without jitter: IntervalSeconds x BackoffRate^k, capped at MaxDelaySeconds."""
    interval, rate = retrier.get("IntervalSeconds", 1), retrier.get("BackoffRate", 2.0)
    cap = retrier.get("MaxDelaySeconds", float("inf"))
    return [min(interval * rate**k, cap) for k in range(retrier.get("MaxAttempts", 3))]


def worst_case_seconds(state: dict) -> float:
    """A state's longest run: every retrier used up (errors alternating between them), each attempt timing out."""
    if state["Type"] == "Wait":
        return state.get("Seconds", DEFAULT_TASK_TIMEOUT)
    if state["Type"] != "Task":
        return 0.0
    retriers = state.get("Retry", [])
    attempts = 1 + sum(r.get("MaxAttempts", 3) for r in retriers)
    waits = sum(sum(retry_delays(r)) for r in retriers)
    return attempts * state.get("TimeoutSeconds", DEFAULT_TASK_TIMEOUT) + waits


def longest_path_seconds(states: dict, start: str) -> float:
    """The workflow's worst case: the longest path (Catch transitions included) through an acyclic machine."""
    on_path: set[str] = set()

    def longest(name: str) -> float:
        assert name not in on_path, f"a loop through {name}: no bound on an Express execution"
        on_path.add(name)
        here = worst_case_seconds(states[name]) + max((longest(n) for n in targets(states[name])), default=0.0)
        on_path.discard(name)
        return here

    return longest(start)


def test_the_workflows_worst_case_with_every_retry_spent_fits_expresss_300_seconds_with_a_minute_to_spare():
    worst = longest_path_seconds(STATES, DEFINITION["StartAt"])

    assert RESOURCE.get("Type") == "EXPRESS"
    assert worst <= EXPRESS_CAP_SECONDS - MARGIN_SECONDS, f"worst case {worst:.0f} s"


def test_every_task_has_its_own_timeout_and_a_bounded_retry():
    for name, state in STATES.items():
        if state["Type"] == "Task":
            assert 0 < state.get("TimeoutSeconds", 0) <= 30, name
            for retrier in state["Retry"]:
                assert retrier.get("MaxAttempts", 3) <= 6 and max(retry_delays(retrier)) <= 30, name


def test_the_budget_measure_finds_a_publish_retried_for_1275_seconds_over_the_cap():
    """The measure itself: the former NotifyTeam state retried 8 times from 5 s, doubling (1,275 s of waits)."""
    notify = {"Type": "Task", "TimeoutSeconds": 10, "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 5,
              "MaxAttempts": 8, "BackoffRate": 2.0}], "End": True}  # fmt: skip

    assert sum(retry_delays(notify["Retry"][0])) == 1275
    assert longest_path_seconds({"NotifyTeam": notify}, "NotifyTeam") > EXPRESS_CAP_SECONDS


def test_the_workflow_marks_nothing_it_reads_the_case_and_queues_the_deadline_for_the_escalator():
    """The email goes out before any case is marked escalated: marking is the escalator's, after its publish."""
    resources = {state["Resource"] for state in STATES.values() if state["Type"] == "Task"}

    assert resources == {"arn:aws:states:::dynamodb:getItem", "arn:aws:states:::sqs:sendMessage"}
    assert [state for state in STATES.values() if state["Type"] == "Wait"] == []
