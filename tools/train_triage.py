"""Train the learned reading of the triage (carebird.domain.reading) on the labelled tuning sets; write its weights.

`make train` runs it: every `tests/fixtures/triage-eval/*.jsonl` except the held-out files (`holdout*.jsonl`, never
read here) gives one example per customer record, its features computed as the desk computes them (the message's
words, the cue families the rules found, its shape). A multinomial logistic regression is fitted by stochastic
gradient descent in a fixed order (seeded): the same sets give the same weights, byte for byte. Features seen in
fewer than two messages are left out, weights too small to matter are pruned, the rest rounded, and the result
written to layers/carebird/carebird/domain/triage_weights.py (generated: review its diff like code).

Classes: noise, praise, thanks, request, and urgent-<risk> for each risk family. A member of an outage burst is
a request for the model (one customer's failure reads like any other): the desk counts those customers
(carebird.domain.outages), the model does not guess them. The brand's own names (`BRAND_NAMES`) and every @handle and
link are left out of the features, so nothing brand-specific is learned.
"""

from __future__ import annotations

import json
import math
import random
import struct
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "triage-eval"
WEIGHTS = ROOT / "layers" / "carebird" / "carebird" / "domain" / "triage_weights.py"
CLASSES = ("noise", "praise", "thanks", "request", "urgent-fraud", "urgent-vulnerable", "urgent-safety",
           "urgent-legal", "urgent-personal_data", "urgent-outage")  # fmt: skip
BRAND_NAMES = frozenset({"lumiere", "lumiereaide", "lumiereuk", "lumiere_fr", "lumierefr"})  # the labelling brief's
# When the reading overrules the rules (carebird.domain.triage.blend): chosen by leave-one-writer-out cross-validation
# (tools/eval_triage.py --cross-validate), never by a set's own score.
THRESHOLDS = {"urgent": 0.5, "quiet": 0.65, "plain": 0.9, "request": 0.7}
EPOCHS, RATE, L2, MIN_COUNT, PRUNE, SEED = 30, 0.2, 0.003, 2, 0.2, 24
SCALE = 100  # weights are shipped as whole hundredths

Example = tuple[dict[str, str], str]


def is_held_out(path: Path) -> bool:
    """Held-out files are named holdout*.jsonl: never trained or tuned on."""
    return path.name.startswith("holdout")


def tuning_files(folder: Path = FIXTURES) -> list[Path]:
    return sorted(p for p in folder.glob("*.jsonl") if not is_held_out(p))


def load(path: Path) -> list[dict[str, Any]]:
    if is_held_out(path):
        raise ValueError(f"{path.name} is held out: never trained on")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def target(record: dict[str, Any]) -> str:
    label, risk = record["label"], record.get("risk")
    if label == "urgent":
        if risk == "outage" and record.get("outage_group"):
            return "request"  # one burst member: counted by the desk, not read
        return f"urgent-{risk}" if f"urgent-{risk}" in CLASSES else "request"
    return label


def examples(records: Iterable[dict[str, Any]]) -> list[Example]:
    """One example per labelled customer record, as the desk would read it (its features) and its class."""
    from carebird.domain.reading import Shape, features
    from carebird.domain.triage import DEFAULT_BOOK, cues_found

    out: list[Example] = []
    seen_threads: set[str] = set()
    last_role: dict[str, str] = {}  # thread -> who spoke last: a customer's turn after the brand's answers it
    ordered = sorted(records, key=lambda r: (str(r.get("thread") or r["id"]), int(r.get("turn") or 0)))
    for record in ordered:
        thread = record.get("thread")
        previous = last_role.get(thread) if thread else None
        if thread:
            last_role[thread] = str(record.get("role"))
        if record.get("role") != "customer" or not record.get("label"):
            continue
        shape = Shape(
            private=record["channel"] == "dm",
            follow_up=bool(thread) and thread in seen_threads,
            after_answer=bool(thread) and thread in seen_threads and previous == "brand",
        )
        if thread:
            seen_threads.add(thread)
        text = record["text"]
        present = features(text, cues_found(text, DEFAULT_BOOK), shape, BRAND_NAMES)
        out.append((present, target(record)))
    return sorted(out, key=lambda e: (e[1], sorted(e[0])))


def fit(data: Sequence[Example]) -> tuple[list[float], dict[str, list[float]]]:
    """Multinomial logistic regression, L2-regularised, by SGD in a seeded order; classes weighed by their
    square-root inverse frequency (the risk families are rare)."""
    counts = Counter(f for present, _ in data for f in present)
    kept = {f for f, n in counts.items() if n >= MIN_COUNT}
    k = len(CLASSES)
    frequency = Counter(label for _, label in data)
    balance = {c: math.sqrt(len(data) / (k * frequency[c])) if frequency[c] else 0.0 for c in CLASSES}
    bias = [0.0] * k
    weights: dict[str, list[float]] = {f: [0.0] * k for f in sorted(kept)}
    rows = [([f for f in present if f in kept], CLASSES.index(label), balance[label]) for present, label in data]
    order = list(range(len(rows)))
    rng = random.Random(SEED)
    for epoch in range(EPOCHS):
        rng.shuffle(order)
        rate = RATE / (1 + 0.2 * epoch)
        for i in order:
            present, truth, weight = rows[i]
            scores = bias[:]
            for f in present:
                row = weights[f]
                for c in range(k):
                    scores[c] += row[c]
            top = max(scores)
            exps = [math.exp(s - top) for s in scores]
            total = sum(exps)
            gradient = [(e / total - (1.0 if c == truth else 0.0)) * weight for c, e in enumerate(exps)]
            for c in range(k):
                bias[c] -= rate * gradient[c]
            for f in present:
                row = weights[f]
                for c in range(k):
                    row[c] -= rate * (gradient[c] + L2 * row[c])
    return bias, weights


def train(records: Iterable[dict[str, Any]]) -> Any:
    """The model (carebird.domain.reading.TextModel) fitted on these records, pruned and rounded as shipped."""
    from carebird.domain.reading import TextModel

    bias, weights = fit(examples(records))
    pruned = {
        f: tuple(round(w * SCALE) for w in row)
        for f, row in sorted(weights.items())
        if max(abs(w) for w in row) >= PRUNE
    }
    return TextModel(CLASSES, tuple(round(b * SCALE) for b in bias), pruned, dict(THRESHOLDS), SCALE)


def render(model: Any, sources: Sequence[str]) -> str:
    """The weights module: each feature on its own line in FEATURES, and on the same line of ROWS its weights (one
    signed 16-bit little-endian number per class, in CLASSES order): one bytes constant the interpreter loads as it
    is, where a dictionary of tuples was built entry by entry at every cold start."""
    width = len(model.classes)
    features = list(model.weights)
    for feature in features:
        row = model.weights[feature]
        if len(row) != width or any(not -(2**15) <= w < 2**15 for w in row):
            raise ValueError(f"weights of {feature!r} do not fit {width} signed 16-bit numbers: {row}")
    lines = [
        '"""Weights of the learned triage reading (carebird.domain.reading), GENERATED by `make train`',
        f"(tools/train_triage.py) from {', '.join(sources)}.",
        f"Do not edit by hand; review the diff like code. {len(features)} features.",
        "",
        "FEATURES[i]'s weights are line i of ROWS (its lines make one bytes constant): one signed 16-bit little-endian",
        "number per class of CLASSES, in hundredths (SCALE). `python tools/train_triage.py --show` prints a table.",
        '"""',
        "",
        "# ruff: noqa: E501",
        "# fmt: off",
        f"CLASSES = {model.classes!r}",
        f"BIAS = {model.bias!r}",
        f"THRESHOLDS = {dict(model.thresholds)!r}",
        f"SCALE = {model.scale!r}",
        "FEATURES = (",
        *(f"    {feature!r}," for feature in features),
        ")",
        "ROWS = (",
        *(f"    {struct.pack(f'<{width}h', *model.weights[feature])!r}" for feature in features),
        ")",
        "# fmt: on",
        "",
    ]
    return "\n".join(lines)


def show() -> None:
    """The shipped weights as a table: a feature and its weight per class, one line each."""
    sys.path.insert(0, str(ROOT / "layers" / "carebird"))
    from carebird.domain.reading import shipped_model

    model = shipped_model()
    if model is None:
        raise SystemExit("no trained weights")
    print("feature\t" + "\t".join(model.classes))
    for feature, row in model.weights.items():
        print(feature + "\t" + "\t".join(str(w) for w in row))


def main(argv: Sequence[str] = ()) -> int:
    if "--show" in argv:
        show()
        return 0
    sys.path.insert(0, str(ROOT / "layers" / "carebird"))
    files = tuning_files()
    records = [r for path in files for r in load(path)]
    model = train(records)
    WEIGHTS.write_text(render(model, [p.name for p in files]), encoding="utf-8")
    labels = Counter(label for _, label in examples(records))
    print(f"trained on {len(files)} sets, {sum(labels.values())} messages ({dict(sorted(labels.items()))})")
    print(f"{len(model.weights)} features kept; wrote {WEIGHTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
