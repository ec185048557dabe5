"""Alembic environment for PeerLink (async engines, batch mode for SQLite).

Used three ways: by ``peerlink migrate`` and the tests, which hand over a connection in
``config.attributes["connection"]``; and by the ``alembic`` command line, which takes the URL
from ``PEERLINK_DATABASE_URL`` (or ``config.attributes["url"]``).
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from bot import models
from bot.db import create_engine

target_metadata = SQLModel.metadata


def _render_item(kind: str, item: object, autogen_context: object) -> str | bool:
    # Migrations must not import application types that may change later.
    if kind == "type" and isinstance(item, models.UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        render_item=_render_item,
    )


def _run(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_url(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


def _url() -> str:
    url = context.config.attributes.get("url") or os.environ.get("PEERLINK_DATABASE_URL")
    if not url:
        raise SystemExit("set PEERLINK_DATABASE_URL to the database to migrate")
    return url


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
elif (connection := context.config.attributes.get("connection")) is not None:
    _run(connection)
else:
    asyncio.run(_run_with_url(_url()))
