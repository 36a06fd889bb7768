"""The seeding benchmark's smoke run, so the script that publishes our numbers keeps working."""

from __future__ import annotations

from tests.benchmark_scripts import load_benchmark


def test_benchmark_smoke_run_seeds_and_times_lookups() -> None:
    bench = load_benchmark("population_seed")
    result = bench.main(["--smoke"])
    sqlite = result["results"]["sqlite"]
    run = sqlite["runs"][0]
    assert run["persons"] == 2_000
    assert run["households"] > 400
    assert 0 < run["seed_s"] < 10
    assert set(run["lookup_ms"]) == {"id_card", "house_registration", "attribute"}
    assert run["lookup_ms"]["id_card"]["n"] == 20
    assert "postgresql" not in result["results"]
