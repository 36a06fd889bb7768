"""Shared fixtures: a real database (SQLite by default, PostgreSQL when
``PRASAN_TEST_DATABASE_URL`` names one), migrated once per run, with every test in a transaction
that rolls back; an app and client bound to that transaction; plain ``create_x`` helpers.

On PostgreSQL each run creates its own database and drops it at the end, so two runs on one
server (a developer and CI, say) cannot see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from prasan.accounts import service as accounts
from prasan.accounts.models import User
from prasan.accounts.schemas import UserCreate
from prasan.core import db
from prasan.core.roles import Role
from prasan.core.settings import Settings
from prasan.web.app import create_app
from prasan.web.deps import get_session

TEST_PASSWORD = "correct horse battery"


def _make_pg_database(base_url: str) -> tuple[str, str]:
    url = make_url(base_url)
    name = f"prasan_t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False), name


def _drop_pg_database(base_url: str, name: str) -> None:
    admin = create_engine(make_url(base_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _own_database(sqlite_path: Path) -> Iterator[str]:
    """A database created for the caller and dropped after (PostgreSQL), or a SQLite file."""
    base = os.environ.get("PRASAN_TEST_DATABASE_URL", "")
    if base.startswith("postgresql"):
        url, name = _make_pg_database(base)
        yield url
        _drop_pg_database(base, name)
    else:
        yield f"sqlite:///{sqlite_path}"


@pytest.fixture
def private_database_url(tmp_path: Path) -> Iterator[str]:
    """A database of the test's own (for tests that run servers in other processes)."""
    yield from _own_database(tmp_path / "private.db")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _own_database(tmp_path_factory.mktemp("db") / "test.db")


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data_dir: Path = tmp_path_factory.mktemp("var")
    return Settings(
        database_url=database_url,
        data_dir=data_dir,
        secret_key="test-secret-" + "x" * 40,
        mode="demo",
        login_max_failures=3,
    )


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    db.upgrade(settings)
    eng = db.make_engine(settings.database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose commits land in a savepoint; everything rolls back after the test."""
    conn = engine.connect()
    outer = conn.begin()
    sess = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield sess
    finally:
        sess.close()
        outer.rollback()
        conn.close()


@pytest.fixture
def app(settings: Settings, session: Session) -> FastAPI:
    application = create_app(settings, migrate=False)

    def _session() -> Iterator[Session]:
        yield session
        session.commit()

    application.dependency_overrides[get_session] = _session
    return application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as c:
        yield c


def create_user(session: Session, **overrides: Any) -> User:
    """A user with good defaults; pass any ``UserCreate`` field to change it."""
    roles = overrides.pop("roles", [Role.ANALYST])
    data: dict[str, Any] = {
        "username": f"user{uuid.uuid4().hex[:8]}",
        "display_name": "ทดสอบ ระบบ",
        "password": TEST_PASSWORD,
        "roles": roles,
    }
    if Role.OFFICER in roles:
        data["agency_code"] = "DOPA"
    data.update(overrides)
    user = accounts.create_user(session=session, data=UserCreate(**data))
    session.flush()
    return user


def csrf(client: TestClient) -> str:
    """The session's CSRF token, as a page or an API caller would get it."""
    token: str = client.get("/api/v1/session").json()["csrf_token"]
    return token


def login(client: TestClient, user: User, password: str = TEST_PASSWORD) -> str:
    """Sign ``user`` in through the API; returns the CSRF token of the new session."""
    resp = client.post(
        "/api/v1/session",
        json={"username": user.username, "password": password},
        headers={"X-CSRF-Token": csrf(client)},
    )
    assert resp.status_code == 200, resp.text
    token: str = resp.json()["csrf_token"]
    return token


@pytest.fixture
def make_user(session: Session) -> Any:
    def _make(**overrides: Any) -> User:
        return create_user(session, **overrides)

    return _make


@pytest.fixture
def stored_policy_analysis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """``prasan policy analyze`` of the first 80 demo documents, stored under a fresh
    ``PRASAN_DATA_DIR``, which is what it yields (for the tools that read a stored analysis)."""
    import gzip
    import json

    from typer.testing import CliRunner

    from prasan.cli import app as cli
    from prasan.core.settings import get_settings
    from prasan.policy.demo import demo_corpus_path

    data_dir = tmp_path / "var"
    monkeypatch.setenv("PRASAN_DATA_DIR", str(data_dir))
    monkeypatch.delenv("PRASAN_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    with gzip.open(demo_corpus_path(), "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh][:80]
    corpus = tmp_path / "stored-corpus.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    out = tmp_path / "stored-out"
    res = CliRunner().invoke(
        cli, ["policy", "analyze", str(corpus), "--out", str(out), "--embedder", "none"]
    )
    assert res.exit_code == 0, res.output
    yield data_dir
    get_settings.cache_clear()
