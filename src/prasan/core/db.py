"""The database: one declarative ``Base`` for every part's tables, engines, sessions, migrations.

SQLite (the embedded default) runs in WAL mode with foreign keys on and real SAVEPOINTs, so the
tests' roll-back-every-test pattern and concurrent readers work; PostgreSQL is the production
database. Schema changes go only through Alembic (``prasan db upgrade``, also run at start).
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from prasan.core.settings import Settings, get_settings

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on both SQLite (which drops the zone) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UtcDateTime column: use utcnow()")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy, not pysqlite, open transactions, so SAVEPOINT works.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=10000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


@lru_cache
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine(settings: Settings | None = None) -> Engine:
    return _engine_for((settings or get_settings()).database_url)


@lru_cache
def _sessionmaker_for(url: str) -> sessionmaker[Session]:
    return sessionmaker(bind=_engine_for(url), expire_on_commit=False)


def session_factory(settings: Settings | None = None) -> sessionmaker[Session]:
    return _sessionmaker_for((settings or get_settings()).database_url)


@contextmanager
def session_scope(settings: Settings | None = None) -> Iterator[Session]:
    """A session that commits once at the end, or rolls back everything on error."""
    session = session_factory(settings)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(settings: Settings | None = None, revision: str = "heads") -> None:
    """Apply every pending migration (what ``prasan db upgrade`` and start-up run)."""
    from alembic import command

    url = (settings or get_settings()).database_url
    command.upgrade(alembic_config(url), revision)


_SCRIPT_NAME = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.M)


def script_heads() -> set[str] | None:
    """The head revisions of the migration scripts, read from their ``revision`` and
    ``down_revision`` lines without importing alembic; None when a script is not in the
    plain one-line form this reads (the caller then asks alembic)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        found = {m.group(1): m.group(2) for m in _SCRIPT_NAME.finditer(text)}
        try:
            rev = ast.literal_eval(found["revision"])
            down = ast.literal_eval(found.get("down_revision", "None"))
        except (KeyError, ValueError, SyntaxError):
            return None
        if not isinstance(rev, str):
            return None
        revisions.add(rev)
        if isinstance(down, str):
            parents.add(down)
        elif isinstance(down, tuple | list):
            parents.update(str(d) for d in down)
        elif down is not None:
            return None
    return (revisions - parents) or None


def upgrade_if_behind(settings: Settings | None = None) -> None:
    """``upgrade``, skipped when the database already stands at the scripts' heads.

    For short commands (``prasan policy add``): importing alembic and loading its script
    directory to find there is nothing to do cost ~0.2 s of a ~1 s command. Anything unusual
    (no version table, other heads, scripts this cannot read) runs the real ``upgrade``.
    """
    heads = script_heads()
    if heads is not None:
        from sqlalchemy.exc import SQLAlchemyError

        try:
            with get_engine(settings).connect() as conn:
                rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
        except SQLAlchemyError:
            rows = None
        if rows is not None and {r[0] for r in rows} == heads:
            return
    upgrade(settings)


def current_revisions(settings: Settings | None = None) -> set[str]:
    from alembic.runtime.migration import MigrationContext

    with get_engine(settings).connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())
