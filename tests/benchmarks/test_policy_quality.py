"""Tests for the policy-quality benchmark of issue 3: its metric functions on hand-made
examples, the validity of the hand-labelled dev set (against the corpus when it is present),
and a smoke run end to end."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

from tests.benchmark_scripts import load_benchmark

ROOT = Path(__file__).resolve().parents[2]
DEVSET = ROOT / "benchmarks" / "data" / "policy_devset.jsonl"


pq = load_benchmark("policy_quality")


# ---- metric functions on a tiny hand-made example ------------------------------------------

GOLD = ["duplicate", "overlap", "related", "unrelated", "duplicate", "unrelated"]
PRED = ["duplicate", "related", "related", "overlap", "overlap", "unrelated"]


def test_prf_counts_and_ratios() -> None:
    r = pq.prf([True, True, False, False], [True, False, True, False])
    assert (r["tp"], r["fp"], r["fn"]) == (1, 1, 1)
    assert r["precision"] == 0.5 and r["recall"] == 0.5 and r["f1"] == 0.5


def test_prf_never_divides_by_zero() -> None:
    r = pq.prf([False, False], [False, False])
    assert r == {
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
        "tp": 0,
        "fp": 0,
        "fn": 0,
        "support": 0,
    }


def test_redundancy_merges_duplicate_and_overlap() -> None:
    # gold redundant: items 0, 1, 4; predicted redundant: items 0, 3, 4
    r = pq.redundancy_prf(GOLD, PRED)
    assert (r["tp"], r["fp"], r["fn"]) == (2, 1, 1)
    assert r["precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert r["recall"] == pytest.approx(2 / 3, abs=1e-4)
    assert r["f1"] == pytest.approx(2 / 3, abs=1e-4)


def test_per_label_is_one_vs_rest() -> None:
    per = pq.per_label_prf(GOLD, PRED)
    assert per["duplicate"]["precision"] == 1.0 and per["duplicate"]["recall"] == 0.5
    assert per["related"]["precision"] == 0.5 and per["related"]["recall"] == 1.0
    assert per["overlap"]["f1"] == 0.0  # two predicted overlaps, both wrong; the gold one missed
    assert per["unrelated"]["precision"] == 1.0 and per["unrelated"]["recall"] == 0.5
    assert pq.macro_f1(GOLD, PRED) == pytest.approx((2 / 3 + 0 + 2 / 3 + 2 / 3) / 4, abs=1e-4)


def test_labels_from_thresholds_bands() -> None:
    assert pq.labels_from_thresholds([0.95, 0.7, 0.4, 0.1, 0.7], 0.9, 0.6, 0.3) == [
        "duplicate",
        "overlap",
        "related",
        "unrelated",
        "overlap",
    ]
    with pytest.raises(ValueError):
        pq.labels_from_thresholds([0.5], 0.3, 0.6, 0.1)


def test_best_threshold_finds_the_separating_cut() -> None:
    scores = [0.9, 0.8, 0.75, 0.3, 0.2, 0.1]
    gold = [True, True, True, False, False, False]
    t, f1 = pq.best_threshold(scores, gold)
    assert f1 == 1.0
    assert 0.3 < t <= 0.75  # every cut in this range separates the classes; the highest is kept


def test_best_thresholds3_recovers_clean_bands() -> None:
    scores = [0.95, 0.9, 0.7, 0.65, 0.4, 0.35, 0.1, 0.05]
    gold = [
        "duplicate",
        "duplicate",
        "overlap",
        "overlap",
        "related",
        "related",
        "unrelated",
        "unrelated",
    ]
    (t1, t2, t3), f = pq.best_thresholds3(scores, gold)
    assert f == 1.0
    assert pq.labels_from_thresholds(scores, t1, t2, t3) == gold


# ---- the dev set ---------------------------------------------------------------------------


def test_devset_is_large_varied_and_balanced() -> None:
    records = pq.load_devset(DEVSET)
    assert pq.validate_devset(records) == []
    assert len(records) >= 200
    assert len({r["topic"] for r in records}) >= 25
    labels = {r["label"] for r in records}
    assert labels == set(pq.LABELS)
    # the keyword-found pairs were balanced by design (by their first reading); the corpus-run
    # sample is what a run emits
    keyword = [r for r in records if r.get("source") != "corpus_run_sample"]
    assert len(keyword) >= 200
    for lab in pq.LABELS:
        share = sum(r["readings"]["first"] == lab for r in keyword) / len(keyword)
        assert 0.15 <= share <= 0.35, (lab, share)
    for lab in pq.LABELS:
        test_share = sum(r["label"] == lab and r["split"] == "test" for r in records) / sum(
            r["label"] == lab for r in records
        )
        assert 0.2 <= test_share <= 0.4, (lab, test_share)
    assert any(r["hard"] for r in records) and not all(r["hard"] for r in records)


def test_corpus_run_sample_names_a_stratum_for_each_of_its_pairs() -> None:
    sample = json.loads((DEVSET.parent / "policy_corpus_sample.json").read_text(encoding="utf-8"))
    records = pq.load_devset(DEVSET)
    ids = {r["id"] for r in records if r.get("source") == "corpus_run_sample"}
    assert ids and set(sample["stratum"]) == ids
    for name, run in sample["runs"].items():
        drawn = [w["stratum"] for w in sample["stratum"].values() if w["run"] == name]
        assert set(drawn) == set(run["population"])
        assert all(drawn.count(s) == run["sampled_per_stratum"] for s in run["population"])


def test_every_pair_has_two_blind_readings_and_the_label_is_their_verdict() -> None:
    records = pq.load_devset(DEVSET)
    assert all(r["readings"]["second"]["label"] in pq.LABELS for r in records)
    differ = [r for r in records if r["readings"]["first"] != r["readings"]["second"]["label"]]
    assert differ and all(r["readings"]["third"]["label"] in pq.LABELS for r in differ)
    assert pq.validate_devset(records) == []  # includes: label == adjudicate(readings)


def test_adjudication_is_the_majority_of_the_readings() -> None:
    assert pq.adjudicate("related", "related", None) == "related"
    assert pq.adjudicate("overlap", "related", "related") == "related"
    assert pq.adjudicate("overlap", "related", "overlap") == "overlap"
    # three different readings: the third reader's label settles it
    assert pq.adjudicate("overlap", "related", "duplicate") == "duplicate"
    with pytest.raises(ValueError, match="third reading"):
        pq.adjudicate("overlap", "related", None)


def test_validator_checks_the_readings() -> None:
    good = json.loads(json.dumps(pq.load_devset(DEVSET)[0]))
    good["readings"] = {"first": "overlap", "second": {"label": "related", "note": "x"}}
    good["label"] = "related"
    assert any("third reading is needed" in p for p in pq.validate_devset([good]))
    good["readings"]["third"] = {"label": "overlap", "note": "y"}
    assert any("not the readings' verdict 'overlap'" in p for p in pq.validate_devset([good]))
    good["label"] = "overlap"
    assert pq.validate_devset([good]) == []
    good["readings"]["second"]["label"] = "similar"
    assert any("reading second 'similar'" in p for p in pq.validate_devset([good]))


def test_reader_agreement_scores_the_second_reading_against_the_first() -> None:
    def rec(first: str, second: str, split: str = "dev") -> dict[str, object]:
        return {"split": split, "readings": {"first": first, "second": {"label": second}}}

    rows = [
        rec("duplicate", "duplicate"),
        rec("overlap", "related", "test"),
        rec("related", "related", "test"),
        rec("unrelated", "unrelated"),
    ]
    agree = pq.reader_agreement(rows)
    assert agree["all"]["n"] == 4 and agree["all"]["agreement"] == 0.75
    red = agree["all"]["second_vs_first_redundancy"]
    assert (red["tp"], red["fp"], red["fn"]) == (1, 0, 1)
    assert agree["test"]["n"] == 2 and agree["keyword"]["n"] == 4
    assert "corpus_run" not in agree


def test_validator_rejects_broken_records() -> None:
    good = pq.load_devset(DEVSET)[0]
    bad = json.loads(json.dumps(good))
    bad["label"] = "similar"
    bad["a"]["end"] = bad["a"]["start"] + len(bad["a"]["text"]) + 3
    problems = pq.validate_devset([good, bad])
    assert any("label 'similar'" in p for p in problems)
    assert any("text length != end - start" in p for p in problems)
    dup = json.loads(json.dumps(good))
    assert any("duplicate id" in p for p in pq.validate_devset([good, dup]))


def test_devset_offsets_match_the_corpus() -> None:
    corpus = pq.find_corpus(None)
    if corpus is None or not corpus.exists():
        pytest.skip("thaigov corpus not found (expected under shared/data/thaigov/)")
    records = pq.load_devset(DEVSET)
    ids = {r[s]["doc"] for r in records for s in ("a", "b")}
    texts = pq.read_corpus_texts(corpus, ids)
    assert pq.validate_devset(records, texts) == []
    # and the check really compares: shifting one offset is caught
    moved = json.loads(json.dumps(records[0]))
    moved["a"]["start"] += 1
    moved["a"]["end"] += 1
    assert any("differs from corpus" in p for p in pq.validate_devset([moved], texts))


# ---- smoke run -----------------------------------------------------------------------------


def test_smoke_run_writes_results(tmp_path: Path) -> None:
    out = tmp_path / "q.json"
    t0 = time.perf_counter()
    report = pq.run(["--smoke", "--out", str(out), "--no-cache"])
    assert time.perf_counter() - t0 < 60
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert saved["smoke"] is True and saved["devset"]["n"] == 20
    assert {
        r: saved["devset"]["by_label_and_split"][f"{r}/dev"]
        + saved["devset"]["by_label_and_split"][f"{r}/test"]
        for r in pq.LABELS
    } == dict.fromkeys(pq.LABELS, 5)
    for name in ("tfidf_cosine", "minhash_jaccard"):
        sysrep = saved["systems"][name]
        assert sysrep["status"] == "ok"
        assert set(sysrep["splits"]) == {"dev", "test", "all"}
        th = sysrep["thresholds"]["labels"]
        assert th["duplicate"] >= th["overlap"] >= th["related"]
    assert saved["systems"]["use_m3_cosine"]["status"] == "skipped"
    analyser = saved["systems"]["analyser"]  # the real prasan.policy.compare_texts
    assert analyser["status"] == "ok" and analyser["n_errors"] == 0, analyser.get("errors")
    assert len(analyser["predictions"]) == 20
    assert report["target"]["split"] == "test"


def test_analyser_path_scores_whatever_compare_texts_returns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The harness measures ``prasan.policy.compare_texts`` when it exists: here a throwaway
    stand-in that calls everything a duplicate, to check the bookkeeping (not the analyser)."""
    import enum
    import types

    class Label(enum.Enum):
        DUPLICATE = "duplicate"

    class Result:
        label = Label.DUPLICATE
        score = 0.9

    fake = types.ModuleType("prasan.policy")
    fake.compare_texts = lambda a, b: Result()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "prasan.policy", fake)
    pairs = pq.to_pairs(pq.smoke_subset(pq.load_devset(DEVSET)))
    rep = pq.run_analyser(pairs)
    assert rep["status"] == "ok"
    red = rep["splits"]["all"]["redundancy"]
    assert red["recall"] == 1.0 and red["precision"] == pytest.approx(10 / 20, abs=1e-4)
    assert rep["splits"]["all"]["per_label"]["duplicate"]["recall"] == 1.0
    assert all(v["label"] == "duplicate" for v in rep["predictions"].values())


def test_missing_analyser_is_reported_not_fatal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "prasan.policy", None)
    rep = pq.run_analyser(pq.to_pairs(pq.smoke_subset(pq.load_devset(DEVSET))))
    assert rep["status"] == "not available" and "prasan.policy" in rep["reason"]


def test_the_summary_states_the_target_for_a_corpus_run_too() -> None:
    # the target line names compare_texts ("analyser"); when the in-corpus path was measured,
    # the summary says whether the analyser as a run decides meets it as well
    def scored(f1: float) -> dict[str, object]:
        return {"status": "ok", "splits": {"test": {"redundancy": {"f1": f1}}}}

    systems = {"analyser": scored(0.78), "analyser_in_corpus": scored(0.86),
               "tfidf_cosine": scored(0.66)}  # fmt: skip
    target = pq.summarise_target(systems)
    assert (target["met"], target["met_in_corpus"]) == (False, True)
    table = pq.format_table({"systems": {}, "target": target})
    assert table.splitlines()[-1] == "  in a corpus (as a run decides): 0.86; met: True"
    del systems["analyser_in_corpus"]
    bare = pq.format_table({"systems": {}, "target": pq.summarise_target(systems)})
    assert "in a corpus" not in bare
