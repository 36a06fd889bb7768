"""The ``prasan`` command as an operator runs it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from prasan import __version__
from prasan.cli import app

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"prasan {__version__}"


def test_db_upgrade_then_demo_seed_is_idempotent(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from prasan.core.settings import get_settings

    monkeypatch.setenv("PRASAN_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        up = runner.invoke(app, ["db", "upgrade"])
        assert up.exit_code == 0, up.output
        assert "database at" in up.output
        first = runner.invoke(app, ["demo", "seed"])
        assert first.exit_code == 0, first.output
        assert "created demo account admin" in first.output
        second = runner.invoke(app, ["demo", "seed"])
        assert "demo account admin already exists" in second.output
        assert (tmp_path / "prasan.db").exists()
    finally:
        get_settings.cache_clear()
