"""Alembic environment: runs against the URL Prasan's settings (or the caller) give it."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context

import prasan.models  # noqa: F401  (registers every part's tables on Base.metadata)
from prasan.core.db import Base, UtcDateTime, make_engine

config = context.config
url = config.get_main_option("sqlalchemy.url") or ""
if not url:
    from prasan.core.settings import get_settings

    url = get_settings().database_url

target_metadata = Base.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Write Prasan's own column types as the plain SQLAlchemy types they store."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_offline() -> None:
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        context.configure(
            connection=connectable, target_metadata=target_metadata, render_item=render_item
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            render_item=render_item,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
