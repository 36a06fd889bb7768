from __future__ import annotations

from pathlib import Path

import pytest

from prasan.core.errors import ConfigurationError
from prasan.core.settings import Settings


def test_defaults_are_an_embedded_sqlite_demo(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path)
    assert s.database_url == f"sqlite:///{tmp_path / 'prasan.db'}"
    assert s.key_dir == tmp_path / "keys"
    assert s.default_language == "th"
    assert s.cookie_secure is False


def test_demo_secret_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path).resolved_secret()
    assert len(first) >= 32
    assert Settings(data_dir=tmp_path).resolved_secret() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path, mode="production")
    assert s.cookie_secure is True
    with pytest.raises(ConfigurationError, match="PRASAN_SECRET_KEY is not set"):
        s.resolved_secret()


def test_environment_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PRASAN_DATABASE_URL", "postgresql+psycopg://u@127.0.0.1/x")
    monkeypatch.setenv("PRASAN_DEFAULT_LANGUAGE", "en")
    s = Settings()
    assert s.database_url.startswith("postgresql+psycopg") and s.default_language == "en"
