"""The relation model: shipped, fitted on the dev split, and refittable by its script."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prasan.policy import memory
from prasan.policy.context import FEATURES as CONTEXT
from prasan.policy.context import NEIGHBOURHOOD
from prasan.policy.relate import FEATURES, TOPIC, calibrated_model
from tests.benchmark_scripts import load_benchmark

ROOT = Path(__file__).resolve().parents[2]
DEVSET = ROOT / "benchmarks" / "data" / "policy_devset.jsonl"


def test_shipped_model_was_fitted_on_the_dev_split_only() -> None:
    model = calibrated_model()
    assert model is not None
    assert model["trained_on"]["split"] == "dev"
    for key in ("duplicate_vs_overlap", "related_vs_unrelated"):
        assert set(model[key]["weights"]) == set(FEATURES)
    # the redundancy models also read the topic prior: one weight per word, folded
    assert set(model["redundant_encoder"]["weights"]) == {*FEATURES, TOPIC}
    words = len(model["topic_tokens"])
    for key in ("redundant_encoder", "redundant_plain", "redundant_encoder_context"):
        assert model[key]["weights"][TOPIC] == 1.0 and len(model[key][TOPIC]) == words
    assert "encoder" not in model["redundant_plain"]["weights"]
    assert 0.0 < model["redundant_plain"]["threshold"] < 1.0
    # the corpus-run threshold was set against the labelled sample of a corpus run's pairs
    assert 0.0 < model["redundant_encoder"]["batch_threshold"] < 1.0
    # the corpus models read the memory of the dev pairs, shipped with the model they fit
    shipped = memory.shipped()
    assert shipped is not None
    assert shipped.devset_sha256 == model["memory"]["devset_sha256"]
    assert shipped.devset_sha256 == model["trained_on"]["devset_sha256"]
    assert len(shipped.y) == model["memory"]["pairs"] == model["trained_on"]["pairs"]
    for key in ("redundant_encoder_context", "redundant_plain_context"):
        assert model[key]["weights"][memory.FEATURE] > 0
    # in a corpus, duplicates are told from overlaps by a model that reads its context and a
    # topic prior too (not the encoder, which a corpus run consults for few pairs); related
    # from unrelated is not (the labelled set has no sample of the pairs a run leaves out)
    weights = model["duplicate_vs_overlap_context"]["weights"]
    assert {*CONTEXT, *NEIGHBOURHOOD, TOPIC} <= set(weights) and "encoder" not in weights
    assert len(model["duplicate_vs_overlap_context"][TOPIC]) == words
    assert 0.0 < model["duplicate_vs_overlap_context"]["threshold"] < 1.0
    assert "related_vs_unrelated_context" not in model


@pytest.mark.slow
def test_calibration_script_refits_from_the_devset(tmp_path: Path) -> None:
    if not DEVSET.exists():
        pytest.skip(f"labelled set not in this checkout: {DEVSET}")
    mod = load_benchmark("policy_calibrate")
    model_out, report_out = tmp_path / "m.json", tmp_path / "r.json"
    mod.main(
        ["--devset", str(DEVSET), "--model-out", str(model_out), "--report-out", str(report_out)]
    )
    model = json.loads(model_out.read_text(encoding="utf-8"))
    report = json.loads(report_out.read_text(encoding="utf-8"))
    assert model["trained_on"]["pairs"] == report["dev_fitted"]["redundant_encoder"]["n"]
    rows = [json.loads(line) for line in DEVSET.read_text(encoding="utf-8").splitlines() if line]
    # fitted on the dev split only, scored on every held-out test pair
    assert model["trained_on"]["pairs"] == sum(r["split"] == "dev" for r in rows)
    assert report["test"]["redundant_encoder"]["n"] == sum(r["split"] == "test" for r in rows)
    # the corpus-run threshold: chosen on the sample's dev pairs, reported on its test pairs
    sample = [r for r in rows if r.get("source") == "corpus_run_sample"]
    assert report["corpus_run"]["pairs"] == {
        "dev": sum(r["split"] == "dev" for r in sample),
        "test": sum(r["split"] == "test" for r in sample),
    }
    assert model["redundant_encoder"]["batch_threshold"] == report["corpus_run"]["batch_threshold"]


def test_weighted_prf_counts_each_pair_as_its_stratum() -> None:
    import numpy as np

    mod = load_benchmark("policy_calibrate")
    gold = np.array([True, False, True])
    pred = np.array([True, True, False])
    # one true positive standing for 1 pair, one false positive for 3, one miss for 1
    r = mod.weighted_prf(gold, pred, np.array([1.0, 3.0, 1.0]))
    assert r == {"precision": 0.25, "recall": 0.5, "f1": round(2 * 0.25 * 0.5 / 0.75, 4)}


def test_a_standardised_fit_is_folded_into_the_weights_the_analyser_reads() -> None:
    import numpy as np

    from prasan.policy.relate import _prob

    mod = load_benchmark("policy_calibrate")
    rng = np.random.default_rng(0)
    # features on very different scales, as the relation model's are (a cosine, a log count)
    x = np.column_stack([rng.random(200), 0.05 * rng.random(200), 40 * rng.random(200)])
    y = (x[:, 0] + 20 * x[:, 1] + rng.normal(0, 0.3, 200)) > 1.0
    names = ["a", "b", "c"]
    m = mod.fit(x, y, names, 3.0, standardise=True)
    expected = mod.logistic(3.0, standardise=True).fit(x, y).predict_proba(x)[:, 1]
    np.testing.assert_allclose(mod.prob(m, x, names), expected, atol=1e-4)
    got = [_prob(m, dict(zip(names, row, strict=True))) for row in x[:10]]
    np.testing.assert_allclose(got, expected[:10], atol=1e-4)
    # the default is the shipped fit: raw features
    raw = mod.fit(x, y, names, 3.0)
    np.testing.assert_allclose(
        mod.prob(raw, x, names), mod.logistic(3.0).fit(x, y).predict_proba(x)[:, 1], atol=1e-4
    )


@pytest.mark.slow
def test_calibration_with_a_corpus_ships_the_memory_of_dev_pairs(
    tmp_path: Path, stored_policy_analysis: Path
) -> None:
    if not DEVSET.exists():
        pytest.skip(f"labelled set not in this checkout: {DEVSET}")
    lines = DEVSET.read_text(encoding="utf-8").splitlines()
    devset = tmp_path / "devset.jsonl"
    devset.write_text("\n".join(lines[:60] + lines[300:360]) + "\n", encoding="utf-8")
    model_out, report_out = tmp_path / "m.json", tmp_path / "r.json"
    mod = load_benchmark("policy_calibrate")
    mod.main(
        ["--devset", str(devset), "--model-out", str(model_out), "--report-out",
         str(report_out), "--data-dir", str(stored_policy_analysis), "--repeats", "2",
         "--no-study"]
    )  # fmt: skip
    model = json.loads(model_out.read_text(encoding="utf-8"))
    rows = [json.loads(line) for line in lines[:60] + lines[300:360]]
    dev = [r for r in rows if r["split"] == "dev"]
    # the corpus models read the memory; the single-comparison ones do not
    for key in ("redundant_encoder_context", "redundant_plain_context"):
        assert memory.FEATURE in model[key]["weights"]
    assert memory.FEATURE not in model["redundant_encoder"]["weights"]
    # the memory is the dev pairs, their sides' words shipped next to the model
    shipped = memory.Memory.load(tmp_path / "relate_memory.npz")
    assert len(shipped.y) == model["memory"]["pairs"] == len(dev)
    assert shipped.prior == pytest.approx(model["memory"]["prior"])
    redundant = [r["label"] in ("duplicate", "overlap") for r in dev]
    assert [bool(v) for v in shipped.y] == redundant
    assert model["memory"]["devset_sha256"] == model["trained_on"]["devset_sha256"]
