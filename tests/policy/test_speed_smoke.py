"""The speed benchmark runs end to end (tiny version) and reports what the issue asks for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.benchmark_scripts import load_benchmark


@pytest.mark.slow
def test_policy_speed_smoke(tmp_path: Path) -> None:
    mod = load_benchmark("policy_speed")
    out = tmp_path / "speed.json"
    mod.main(["--smoke", "--out", str(out), "--embedder", "none", "--no-variants"])
    report = json.loads(out.read_text(encoding="utf-8"))
    full = report["full"]
    assert full["items"] > 0 and full["wall_s"] > 0
    assert full["ratio_to_newmm_pass_wall"] > 0
    assert report["floor_newmm_one_core"]["characters"] > 0
    assert [r["documents"] for r in report["scaling"]] == [60, 120]
    assert report["add"]["add_s"] and report["add"]["add_max_s"] < 10
    cold = report["cold_add"]  # the command in fresh processes, against the 120-document store
    assert [r["kind"] for r in cold["runs"]] == ["copy", "edited", "mixed"]
    assert all(r["wall_s"] > 0 and r["pairs"] >= 0 for r in cold["runs"])
    assert cold["runs"][0]["pairs"] >= 1  # a repeated document finds the stored one
    assert 0 < cold["median_s"] <= cold["max_s"] < 30
