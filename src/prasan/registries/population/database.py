"""The population register's own database (``PRASAN_POPULATION_DATABASE_URL``).

In deployment the register is another agency's system and keeps its data apart from the
platform's; its tables still come from Prasan's one Alembic history, applied to that URL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session, sessionmaker

from prasan.core import db
from prasan.core.settings import Settings, get_settings


def register_settings(settings: Settings | None = None) -> Settings:
    """The platform settings pointed at the register's database instead of the platform's."""
    base = settings or get_settings()
    return base.model_copy(update={"database_url": base.population_database_url})


def upgrade(settings: Settings | None = None) -> None:
    """Bring the register's database to the latest schema."""
    db.upgrade(register_settings(settings))


def session_factory(settings: Settings | None = None) -> sessionmaker[Session]:
    """Sessions on the register's database (what a provider process serves from)."""
    return db.session_factory(register_settings(settings))


@contextmanager
def register_session(settings: Settings | None = None) -> Iterator[Session]:
    """A session on the register's database that commits once at the end."""
    with db.session_scope(register_settings(settings)) as session:
        yield session
