"""The triage goals of issue 15, on the labelled tuning set (tools/eval_triage.py, docs/triage-eval.md)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[2] / "tools"))

import eval_triage


def test_the_triage_goals_hold_on_the_labelled_messages():
    rows = eval_triage.evaluate()

    assert len(rows) >= 120
    assert {r.lang for r in rows} == {"fr", "en"}
    assert [(name, detail) for name, ok, detail in eval_triage.goals(rows) if not ok] == []


def test_the_held_out_set_keeps_noise_and_thanks_quiet_and_requests_out_of_noise():
    rows = eval_triage.evaluate(eval_triage.HOLDOUT)
    failed = {name for name, ok, _ in eval_triage.goals(rows) if not ok}

    # Measured, not tuned: the held-out set's known misses are two urgent messages read as requests
    # (docs/triage-eval.md); the two goals that protect the team from false alarms and lost customers hold.
    assert not any(name.startswith(("noise and thanks", "fewer than")) for name in failed)
