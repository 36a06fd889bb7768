"""``db.upgrade_if_behind``: the short commands' migration check that skips alembic when the
database is already at the scripts' heads, and runs it otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from prasan.core import db
from prasan.core.settings import Settings


def test_script_heads_are_alembics() -> None:
    scripts = ScriptDirectory.from_config(db.alembic_config("sqlite://"))
    assert db.script_heads() == set(scripts.get_heads())


def test_upgrade_runs_only_when_the_database_is_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'x.db'}")
    real = db.upgrade
    calls: list[object] = []

    def counting(s: Settings | None = None, revision: str = "heads") -> None:
        calls.append(s)
        if len(calls) == 1:
            real(s, revision)

    monkeypatch.setattr(db, "upgrade", counting)
    db.upgrade_if_behind(settings)  # a new database: migrated
    assert len(calls) == 1 and db.current_revisions(settings) == db.script_heads()
    db.upgrade_if_behind(settings)  # at the heads: alembic is not asked
    assert len(calls) == 1
    with db.get_engine(settings).begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0100_policy'")
    db.upgrade_if_behind(settings)  # behind (as far as the version table says): asked again
    assert len(calls) == 2
    with db.get_engine(settings).begin() as conn:
        conn.exec_driver_sql("DROP TABLE alembic_version")
    db.upgrade_if_behind(settings)  # no version table: asked
    assert len(calls) == 3
