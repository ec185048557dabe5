"""``db.single_statements``, the way the relay's statements reach the database, on a real
database: they go to the driver directly (asyncpg, or ``sqlite3``), compiled once, on
connections kept out of the pool between blocks; these check that they mean what SQLAlchemy
would make of them (values written into a statement, UTC times, errors, one transaction on
SQLite), that a connection that failed under them never goes back to the pool, and that the
kept connections are closed with the engine."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.db import KEPT_MOST, session_factory, single_statements, transaction
from bot.models import Person, RelayedMessage, Role, UTCDateTime
from bot.pipeline.faults import database_unavailable

NOW = datetime(2026, 12, 6, 1, 30, tzinfo=UTC)

_SERVICE_USER_BY_ID = select(Person.id, Person.status).where(
    Person.telegram_id == bindparam("who"), Person.role == Role.SERVICE_USER
)
_SEEN = (
    update(Person)
    .where(Person.telegram_id == bindparam("who"))
    .values(last_seen_at=bindparam("now", type_=UTCDateTime()))
)
_RENUMBERED = (
    update(Person).where(Person.telegram_id == bindparam("who")).values(telegram_id=bindparam("to"))
)
_NEW_PERSON = insert(Person).values(  # leaves language and reachable to Python's defaults
    telegram_id=bindparam("who"),
    created_at=bindparam("now", type_=UTCDateTime()),
    updated_at=bindparam("now", type_=UTCDateTime()),
)
_CREATED = select(Person.created_at).where(Person.telegram_id == bindparam("who"))
_RETURNING_CREATED = (
    update(Person)
    .where(Person.telegram_id == bindparam("who"))
    .values(status="waiting")
    .returning(Person.created_at)
)
_NO_STATUS = update(Person).where(Person.telegram_id == bindparam("who")).values(status=None)


async def _people(sessions, *people: Person) -> None:
    async with transaction(sessions) as session:
        session.add_all(people)


def _person(telegram_id: int, role: str | None) -> Person:
    return Person(
        telegram_id=telegram_id, role=role, status="waiting", created_at=NOW, updated_at=NOW
    )


async def test_values_written_into_a_statement_and_its_parameters_both_count(database):
    _, engine = database
    sessions = session_factory(engine)
    await _people(sessions, _person(11, Role.SERVICE_USER), _person(12, Role.PEER_WORKER))
    async with single_statements(sessions) as statements:
        found = await statements.rows(_SERVICE_USER_BY_ID, {"who": 11})
        not_a_service_user = await statements.rows(_SERVICE_USER_BY_ID, {"who": 12})
        nobody = await statements.rows(_SERVICE_USER_BY_ID, {"who": 13})
        await statements.run(_NO_STATUS, {"who": 12})  # a value written in may be None
    assert [tuple(row)[1:] for row in found] == [("waiting",)]
    assert not_a_service_user == [] and nobody == []
    async with transaction(sessions) as session:
        person = (await session.exec(select(Person).where(Person.telegram_id == 12))).one()[0]
    assert person.status is None


async def test_a_time_in_another_zone_is_stored_as_the_same_instant(database):
    _, engine = database
    sessions = session_factory(engine)
    await _people(sessions, _person(21, Role.SERVICE_USER))
    brisbane = NOW.astimezone(timezone(timedelta(hours=10)))
    async with single_statements(sessions) as statements:
        await statements.run(_SEEN, {"who": 21, "now": brisbane})
        with pytest.raises(Exception, match="naive datetime"):
            await statements.run(_SEEN, {"who": 21, "now": NOW.replace(tzinfo=None)})
    async with transaction(sessions) as session:
        person = (await session.exec(select(Person).where(Person.telegram_id == 21))).one()[0]
    assert person.last_seen_at == NOW
    # Written as SQLAlchemy writes times (on SQLite, text that sorts in time order).
    async with engine.connect() as connection:
        written = (
            await connection.execute(
                text("SELECT last_seen_at, created_at FROM person WHERE telegram_id = 21")
            )
        ).one()
    assert written[0] == written[1]


async def test_a_broken_rule_is_sqlalchemys_integrity_error(database):
    _, engine = database
    sessions = session_factory(engine)
    await _people(sessions, _person(31, Role.SERVICE_USER), _person(32, Role.SERVICE_USER))
    with pytest.raises(IntegrityError):
        async with single_statements(sessions) as statements:
            await statements.run(_RENUMBERED, {"who": 31, "to": 32})
    async with single_statements(sessions) as statements:  # the connection is still good
        await statements.run(_RENUMBERED, {"who": 31, "to": 33})
        assert len(await statements.rows(_SERVICE_USER_BY_ID, {"who": 33})) == 1


async def test_times_come_back_as_sqlalchemy_gives_them_and_python_defaults_are_refused(
    database,
):
    _, engine = database
    sessions = session_factory(engine)
    await _people(sessions, _person(51, Role.SERVICE_USER))
    async with single_statements(sessions) as statements:
        for returns_a_time in (_CREATED, _RETURNING_CREATED):
            rows = await statements.rows(returns_a_time, {"who": 51})
            assert [tuple(row) for row in rows] == [(NOW,)]
            assert rows[0][0].tzinfo is UTC
        with pytest.raises(ValueError, match="Python"):  # nobody would fill in the defaults
            await statements.run(_NEW_PERSON, {"who": 1, "now": NOW})


async def test_a_block_that_fails_half_way_keeps_nothing_on_sqlite(database):
    """On SQLite a block is one transaction: its first write is undone with it."""
    _, engine = database
    if engine.dialect.name != "sqlite":
        pytest.skip("on PostgreSQL each statement commits by itself, as the relay wants")
    sessions = session_factory(engine)
    await _people(sessions, _person(61, Role.SERVICE_USER), _person(62, Role.SERVICE_USER))
    with pytest.raises(IntegrityError):
        async with single_statements(sessions) as statements:
            await statements.run(_SEEN, {"who": 61, "now": NOW + timedelta(hours=1)})
            await statements.run(_RENUMBERED, {"who": 61, "to": 62})
    async with transaction(sessions) as session:
        person = (await session.exec(select(Person).where(Person.telegram_id == 61))).one()[0]
    assert person.last_seen_at is None


async def test_connections_are_kept_for_the_next_block_and_closed_with_the_engine(database):
    _, engine = database
    sessions = session_factory(engine)
    await _people(sessions, _person(71, Role.SERVICE_USER))
    drivers = []

    async def block(pause: float) -> None:
        async with single_statements(sessions) as statements:
            drivers.append(statements._driver)
            await statements.rows(_SERVICE_USER_BY_ID, {"who": 71})
            await asyncio.sleep(pause)

    await block(0)
    await block(0)
    assert drivers[0] is drivers[1]  # the same connection, without a trip through the pool
    if engine.dialect.name == "postgresql":
        # Eight blocks at once: eight connections out; afterwards only a few stay out.
        await asyncio.gather(*(block(0.05) for _ in range(8)))
        assert engine.pool.checkedout() <= KEPT_MOST
    kept = engine.pool.checkedout()
    assert kept >= 1
    await engine.dispose()
    closed = [
        driver.is_closed() if engine.dialect.name == "postgresql" else _closed_sqlite(driver)
        for driver in drivers
    ]
    assert all(closed), closed


async def test_a_connection_in_use_when_the_engine_is_disposed_of_is_closed_after(database):
    _, engine = database
    sessions = session_factory(engine)
    async with single_statements(sessions) as statements:
        await statements.rows(_SERVICE_USER_BY_ID, {"who": 81})
        await engine.dispose()
    assert _closed(statements._driver)


async def test_a_commit_that_fails_leaves_no_transaction_open_on_sqlite(database):
    """A foreign key checked at the commit fails it, and SQLite keeps the transaction open:
    the block rolls it back, so the connection kept for the next block holds no lock."""
    _, engine = database
    if engine.dialect.name != "sqlite":
        pytest.skip("on PostgreSQL there is no transaction around the statements")
    sessions = session_factory(engine)
    orphan = insert(RelayedMessage).values(
        relationship_id=bindparam("nowhere"),
        sender_person_id=bindparam("nowhere"),
        source_message_id=1,
        recipient_person_id=bindparam("nowhere"),
        target_message_id=2,
        created_at=bindparam("now", type_=UTCDateTime()),
    )
    with pytest.raises(IntegrityError):
        async with single_statements(sessions) as statements:
            await statements.run(text("PRAGMA defer_foreign_keys = ON"), {})
            await statements.run(orphan, {"nowhere": 999, "now": NOW})
    assert not statements._driver.in_transaction
    await _people(sessions, _person(91, Role.SERVICE_USER))  # the write lock is free
    async with single_statements(sessions) as statements:
        assert len(await statements.rows(_SERVICE_USER_BY_ID, {"who": 91})) == 1


async def test_a_cancelled_statement_closes_its_own_connection_only(database):
    _, engine = database
    if engine.dialect.name != "postgresql":
        pytest.skip("a SQLite block never waits between its statements")
    sessions = session_factory(engine)
    kept = []

    async def block() -> None:
        async with single_statements(sessions) as statements:
            kept.append(statements._driver)
            await statements.rows(_SERVICE_USER_BY_ID, {"who": 1})
            await asyncio.sleep(0.05)

    await asyncio.gather(block(), block())
    slow = []

    async def sleeping() -> None:
        async with single_statements(sessions) as statements:
            slow.append(statements._driver)
            await statements.rows(select(func.pg_sleep(5)), {})

    task = asyncio.create_task(sleeping())
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    (other,) = [driver for driver in kept if driver is not slow[0]]
    assert slow[0].is_closed() and not other.is_closed()
    async with single_statements(sessions) as statements:
        assert statements._driver is other  # still kept, and used next


def _closed(driver) -> bool:
    return driver.is_closed() if hasattr(driver, "is_closed") else _closed_sqlite(driver)


def _closed_sqlite(driver) -> bool:
    try:
        driver.execute("SELECT 1")
    except sqlite3.ProgrammingError:  # "Cannot operate on a closed database."
        return True
    return False


async def test_a_connection_cut_under_a_statement_is_the_database_away_and_is_not_reused(
    database,
):
    _, engine = database
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's connections; SQLite's outage is covered by the process tests")
    sessions = session_factory(engine)
    await _people(sessions, _person(41, Role.SERVICE_USER))
    with pytest.raises(OperationalError) as failure:
        async with single_statements(sessions) as statements:
            backend = (await statements.rows(select(text("pg_backend_pid()")), {}))[0][0]
            async with engine.connect() as other:
                await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
            await statements.rows(_SERVICE_USER_BY_ID, {"who": 41})
    assert database_unavailable(failure.value)
    for _ in range(3):  # whichever connection is handed out now works
        async with single_statements(sessions) as statements:
            assert len(await statements.rows(_SERVICE_USER_BY_ID, {"who": 41})) == 1
