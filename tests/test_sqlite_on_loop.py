"""The SQLite driver that runs on the event loop (bot/sqlite_on_loop.py): SQLite's answers as
the standard library gives them, WAL (synced to disk at the inbox's commits), and a lock held
by another process waited for without holding up the loop."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from bot import sqlite_on_loop
from bot.db import create_engine, session_factory, transaction, upgrade_to_head
from bot.models import Person

NOW = datetime(2026, 12, 5, tzinfo=UTC)


def person(telegram_id: int) -> Person:
    return Person(telegram_id=telegram_id, created_at=NOW, updated_at=NOW)


@pytest.fixture
async def sqlite(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'loop.db'}")
    await upgrade_to_head(engine)
    yield engine, tmp_path / "loop.db"
    await engine.dispose()


async def test_every_sqlite_url_runs_on_the_loop_in_wal(sqlite) -> None:
    engine, _path = sqlite
    async with engine.connect() as connection:
        journal = (await connection.execute(text("PRAGMA journal_mode"))).scalar_one()
        synchronous = (await connection.execute(text("PRAGMA synchronous"))).scalar_one()
        foreign_keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar_one()
    assert engine.dialect.driver == "peerlink"
    assert (journal, synchronous, foreign_keys) == ("wal", 1, 1)  # 1: NORMAL (see bot.db)
    older = create_engine("sqlite+aiosqlite:///:memory:")  # the spelling of earlier versions
    assert older.dialect.driver == "peerlink"
    await older.dispose()


async def test_rows_ids_and_counts_are_sqlites_own(sqlite) -> None:
    engine, _path = sqlite
    sessions = session_factory(engine)
    async with transaction(sessions) as session:
        people = [person(n) for n in (11, 12, 13)]
        session.add_all(people)
        await session.flush()
        ids = [person.id for person in people]
        changed = await session.exec(
            text("UPDATE person SET telegram_id = telegram_id + 100 WHERE telegram_id > 11")
        )
        assert changed.rowcount == 2
    async with transaction(sessions) as session:
        rows = (await session.exec(text("SELECT id, telegram_id FROM person ORDER BY id"))).all()
    assert [tuple(row) for row in rows] == list(zip(ids, [11, 112, 113], strict=True))


async def test_a_failed_transaction_leaves_nothing_behind(sqlite) -> None:
    engine, _path = sqlite
    sessions = session_factory(engine)
    with pytest.raises(RuntimeError):
        async with transaction(sessions) as session:
            session.add(person(21))
            await session.flush()
            raise RuntimeError("part-way")
    async with transaction(sessions) as session:
        count = (await session.exec(text("SELECT count(*) FROM person"))).one()
    assert tuple(count) == (0,)


async def test_another_process_holding_the_lock_is_waited_for_while_the_loop_runs(sqlite) -> None:
    engine, path = sqlite
    sessions = session_factory(engine)
    holder = sqlite3.connect(str(path), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    ticks: list[float] = []

    async def ticker() -> None:
        while True:
            ticks.append(time.monotonic())
            await asyncio.sleep(0.005)

    async def write() -> None:
        async with transaction(sessions) as session:
            session.add(person(31))

    ticking = asyncio.create_task(ticker())
    writing = asyncio.create_task(write())
    await asyncio.sleep(0.5)
    assert not writing.done()  # waiting for the lock...
    holder.rollback()
    holder.close()
    await asyncio.wait_for(writing, 2)  # ...and written once it is free
    ticking.cancel()
    gaps = [later - earlier for earlier, later in zip(ticks, ticks[1:], strict=False)]
    assert len(ticks) > 50 and max(gaps) < 0.1  # the loop went on all along
    async with transaction(sessions) as session:
        count = (await session.exec(text("SELECT count(*) FROM person"))).one()
    assert tuple(count) == (1,)


async def test_a_lock_held_too_long_fails_the_transaction(sqlite, monkeypatch) -> None:
    engine, path = sqlite
    monkeypatch.setattr(sqlite_on_loop, "BUSY_TIMEOUT", 0.3)
    holder = sqlite3.connect(str(path), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(OperationalError, match="locked"):
            async with transaction(session_factory(engine)) as session:
                session.add(person(41))
    finally:
        holder.rollback()
        holder.close()
