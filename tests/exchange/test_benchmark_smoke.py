"""The load benchmark's smoke run: hub and provider as separate processes, both modes answer,
and the log verifies afterwards (the full run writes benchmarks/results/exchange_load.json)."""

from __future__ import annotations

import os

import pytest

from tests.benchmark_scripts import load_benchmark


@pytest.mark.slow
def test_exchange_load_smoke() -> None:
    base = os.environ.get("PRASAN_TEST_DATABASE_URL", "")
    url, name = None, ""
    if base.startswith("postgresql"):
        from tests.conftest import _drop_pg_database, _make_pg_database

        url, name = _make_pg_database(base)
    module = load_benchmark("exchange_load")
    try:
        result = module.run(duration_s=0.5, rounds=1, concurrency=2, max_rps=400, database_url=url)
    finally:
        if name:
            _drop_pg_database(base, name)
    for mode in ("direct", "hub"):
        assert result[mode]["ok"] > 10, result[mode]
        assert result[mode]["non_200"] == 0 and result[mode]["errors"] == 0
    assert result["one_caller"]["hub"]["ok"] > 5 and result["one_caller"]["direct"]["ok"] > 5
    assert result["hub"]["cpu_ms_per_call"]["hub"] > 0  # the hub process did the hub's work
    assert result["log_after_run"]["ok"], result["log_after_run"]
    assert result["log_after_run"]["entries"] >= result["hub"]["ok"]
