"""The blind evaluation (tools/eval_triage.py): records fed as X ships them, threads replayed inside their case."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[2] / "tools"))

import eval_triage

from carebird.domain.model import Channel
from carebird.x.normalise import Brand, parse_delivery

AUTHOR = {"handle": "claire_d", "name": "Claire Dupont", "name_kind": "person", "followers": 120, "following": 80,
          "verified": False, "account_days": 900, "previous_cases": 0}  # fmt: skip


def record(rid, text, channel="mention", feed="aaa", thread=None, turn=1, role="customer", minute=600, **label):
    return {"id": rid, "thread": thread, "turn": turn, "role": role, "feed": feed, "channel": channel, "lang": "fr",
            "x_lang": None if channel == "dm" else "fr", "minute": minute, "author": AUTHOR, "text": text,
            "label": label.get("label", "request"), "risk": label.get("risk"),
            "must_answer": label.get("must_answer", True), "why": ""}  # fmt: skip


@pytest.mark.parametrize("feed", ["aaa", "xaa"])
@pytest.mark.parametrize("channel", ["mention", "reply", "quote", "dm"])
def test_every_record_becomes_a_delivery_of_its_feed_that_the_webhook_reads_as_its_channel(feed, channel):
    payload = eval_triage.payload(
        record("r-1", "@LumiereAide ma box ne marche plus", channel, feed), eval_triage.Replay()
    )

    delivery = parse_delivery(payload, Brand(eval_triage.BRAND_ID, eval_triage.BRAND_HANDLE))

    assert [event.channel for event in delivery.events] == [Channel(channel)]
    assert delivery.feed == ("aaa" if feed == "aaa" else "xaa")


def test_a_thread_is_replayed_turn_by_turn_so_the_thanks_after_an_answer_closes_the_case():
    thread = [
        record("r-1", "Bonjour, plus de réseau sur mon portable depuis ce matin", "dm", thread="t1", minute=600),
        record("b-1", "Nous regardons, pouvez-vous redémarrer ?", "dm", thread="t1", turn=2, role="brand", minute=610),
        record(
            "r-2", "merci c'est revenu 👍", "dm", thread="t1", turn=3, minute=620, label="thanks", must_answer=False
        ),
    ]

    outcomes = [o for o in eval_triage.replay(thread) if o.record["role"] == "customer"]

    assert [(o.kind, o.waits) for o in outcomes] == [("request", True), ("thanks", False)]
    assert outcomes[0].lang == "fr"  # a DM carries no language: read from the text


def test_the_tuning_parts_are_replayed_whole_with_every_urgent_case_above_every_other():
    for path in sorted(eval_triage.FIXTURES.glob("tuning-*.jsonl")):
        records = eval_triage.load(path)
        scores = eval_triage.Scores([o for o in eval_triage.replay(records) if o.record["role"] != "brand"])

        ignored = [
            o for o in scores.rows if o.kind == "lost"
        ]  # only a retweet, which X's feeds carry but the desk skips
        assert all(o.record["text"].startswith("RT @") and o.record["label"] == "noise" for o in ignored), path.name
        assert scores.invariant == 1.0
        assert len(scores.rows) >= 100, path.name  # each writer wrote at least a hundred customer messages


def test_several_held_out_files_are_judged_pooled_and_each_writers_bursts_count_apart(tmp_path, monkeypatch, capsys):
    burst = [record(f"{prefix}-{n}", "plus d'internet depuis 10 min", minute=600 + n, label="urgent", risk="outage")
             | {"outage_group": "g1", "group_is_outage": True, "author": AUTHOR | {"handle": f"{prefix}{n}"}}
             for prefix in ("ha", "hb") for n in range(2)]  # fmt: skip
    thanks = record("ha-9", "merci pour tout, super service", minute=900, label="praise", must_answer=False)
    for name, rows in (("holdout-a.jsonl", [*burst[:2], thanks]), ("holdout-b.jsonl", burst[2:])):
        (tmp_path / name).write_text("\n".join(map(eval_triage.json.dumps, rows)) + "\n", encoding="utf-8")
    monkeypatch.setattr(eval_triage, "FIXTURES", tmp_path)
    monkeypatch.setattr(eval_triage, "REPORT", tmp_path / "report.md")
    monkeypatch.setattr(eval_triage, "ROOT", tmp_path)

    eval_triage.main([])

    printed = capsys.readouterr().out
    assert "held-out pooled" in printed and "misses: " in printed
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    pooled = report.split("## Held-out parts pooled", 1)[1].split("\n## ", 1)[0]
    assert "5 customer messages" in pooled
    assert "(2 labelled)" in pooled  # two writers' "g1" are two bursts, not one
