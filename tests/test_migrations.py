"""Migrations: an empty database goes to head, and the models and the migrations agree.

SQLite always; PostgreSQL (a fresh schema per test) when PEERLINK_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

from bot.config import DATABASE_URL_ENV
from bot.db import (
    alembic_config,
    create_engine,
    current_revision,
    head_revision,
    is_up_to_date,
    migrations_head,
    upgrade_to_head,
)
from tests.conftest import BACKENDS, PG_URL

ROOT = Path(__file__).resolve().parent.parent
MODEL_TABLES = set(SQLModel.metadata.tables)


@dataclass
class EmptyDatabase:
    engine: AsyncEngine
    schema: str | None  # the PostgreSQL schema under test; None for SQLite


@pytest.fixture(params=BACKENDS)
async def empty_database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[EmptyDatabase]:
    """An empty SQLite file, or a new, empty schema in PostgreSQL (dropped afterwards)."""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        try:
            yield EmptyDatabase(engine, None)
        finally:
            await engine.dispose()
        return
    assert PG_URL is not None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    async with admin.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(PG_URL, connect_args={"server_settings": {"search_path": schema}})
    try:
        yield EmptyDatabase(engine, schema)
    finally:
        await engine.dispose()
        async with admin.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


async def schema_diff(database: EmptyDatabase) -> list[Any]:
    """Alembic's autogenerate comparison of the database with the models (as env.py sets up)."""

    def include_name(name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
        return type_ != "schema" or name in (None, database.schema)

    def compare(connection: Connection) -> list[Any]:
        if database.schema is not None:
            # The comparison covers the default schema: make sure that is the test's own.
            assert inspect(connection).default_schema_name == database.schema
        context = MigrationContext.configure(
            connection,
            opts={
                "target_metadata": SQLModel.metadata,
                "compare_type": True,
                "render_as_batch": True,
                "include_name": include_name,
            },
        )
        return compare_metadata(context, SQLModel.metadata)

    async with database.engine.connect() as connection:
        return await connection.run_sync(compare)


async def table_names(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


async def downgrade_to_base(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:

        def downgrade(sync_connection: Connection) -> None:
            config = alembic_config()
            config.attributes["connection"] = sync_connection
            command.downgrade(config, "base")

        await connection.run_sync(downgrade)


def test_there_is_one_head() -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    heads = script.get_heads()
    assert len(heads) == 1, f"migrations have branched: {heads}"
    assert head_revision() == heads[0]


async def test_is_up_to_date_only_after_upgrade(empty_database: EmptyDatabase) -> None:
    engine = empty_database.engine

    assert await current_revision(engine) is None
    assert await is_up_to_date(engine) is False

    await upgrade_to_head(engine)

    assert await current_revision(engine) == head_revision()
    assert await is_up_to_date(engine) is True


async def test_upgrade_head_on_an_empty_database_matches_the_models(
    empty_database: EmptyDatabase,
) -> None:
    await upgrade_to_head(empty_database.engine)

    assert await table_names(empty_database.engine) == MODEL_TABLES | {"alembic_version"}
    diff = await schema_diff(empty_database)
    assert diff == [], f"models and migrations disagree; a migration is missing: {diff}"


async def test_upgrade_head_twice_is_harmless(empty_database: EmptyDatabase) -> None:
    await upgrade_to_head(empty_database.engine)
    await upgrade_to_head(empty_database.engine)

    assert await is_up_to_date(empty_database.engine)
    assert await schema_diff(empty_database) == []


async def test_the_comparison_notices_drift(empty_database: EmptyDatabase) -> None:
    """Guard for the test above: an empty diff must mean agreement, not a blind comparison."""
    await upgrade_to_head(empty_database.engine)
    async with empty_database.engine.begin() as connection:
        await connection.execute(text("DROP INDEX ix_person_status"))
        await connection.execute(text("ALTER TABLE person ADD COLUMN nickname VARCHAR(10)"))

    diff = await schema_diff(empty_database)

    kinds = {(change[0], getattr(change[1], "name", None)) for change in diff}
    assert ("add_index", "ix_person_status") in kinds, diff
    assert any(
        change[0] == "remove_column" and change[2] == "person" and change[3].name == "nickname"
        for change in diff
    ), diff


async def test_downgrade_to_base_and_upgrade_again(empty_database: EmptyDatabase) -> None:
    engine = empty_database.engine
    await upgrade_to_head(engine)

    await downgrade_to_base(engine)

    assert await current_revision(engine) is None
    assert await table_names(engine) <= {"alembic_version"}
    assert await is_up_to_date(engine) is False

    await upgrade_to_head(engine)

    assert await is_up_to_date(engine)
    assert await table_names(engine) == MODEL_TABLES | {"alembic_version"}
    assert await schema_diff(empty_database) == []


def _alembic(*args: str, url: str | None) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if name != DATABASE_URL_ENV}
    if url is not None:
        env[DATABASE_URL_ENV] = url
    return subprocess.run(
        [sys.executable, "-m", "alembic", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_alembic_command_line_upgrade_head_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"

    result = _alembic("upgrade", "head", url=url)

    assert result.returncode == 0, result.stderr
    database = EmptyDatabase(create_engine(url), None)
    try:
        assert await is_up_to_date(database.engine)
        assert await schema_diff(database) == []
    finally:
        await database.engine.dispose()


def test_alembic_command_line_without_a_url_says_what_to_set() -> None:
    result = _alembic("current", url=None)

    assert result.returncode != 0
    assert DATABASE_URL_ENV in result.stderr
    assert "Traceback" not in result.stderr


def test_alembic_offline_mode_renders_the_schema(tmp_path: Path) -> None:
    result = _alembic("upgrade", "head", "--sql", url=f"sqlite:///{tmp_path / 'x.db'}")

    assert result.returncode == 0, result.stderr
    for table in MODEL_TABLES:
        assert f"CREATE TABLE {table} " in result.stdout, table
    assert not (tmp_path / "x.db").exists(), "offline mode must not touch the database"


def test_the_revision_the_bot_starts_with_is_the_newest_migration() -> None:
    """``peerlink run`` checks the database against bot.db.SCHEMA_REVISION without loading
    Alembic: adding a migration means moving that constant on."""
    assert migrations_head() == head_revision()
