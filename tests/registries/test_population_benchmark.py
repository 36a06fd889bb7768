"""The seeding benchmark's smoke run, so the script that publishes our numbers keeps working."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "population_seed.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("population_seed_bench", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_smoke_run_seeds_and_times_lookups() -> None:
    bench = _load()
    result = bench.main(["--smoke"])
    sqlite = result["results"]["sqlite"]
    run = sqlite["runs"][0]
    assert run["persons"] == 2_000
    assert run["households"] > 400
    assert 0 < run["seed_s"] < 10
    assert set(run["lookup_ms"]) == {"id_card", "house_registration", "attribute"}
    assert run["lookup_ms"]["id_card"]["n"] == 20
    assert "postgresql" not in result["results"]
