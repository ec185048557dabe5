"""Database engine, sessions and the migration check."""

from __future__ import annotations

import asyncio
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary, ref

from sqlalchemy import event, inspect, make_url, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.sql import Executable
from sqlalchemy.util import greenlet_spawn
from sqlmodel.ext.asyncio.session import AsyncSession

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

from bot import models  # noqa: F401  (registers the tables on the metadata)
from bot.schema import SCHEMA_REVISION  # (checked without Alembic, a tenth of a second)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


# Two kinds of commit. What Telegram is told we have (the inbox's store) is synced to disk
# before the answer: it survives a power cut. Everything else, the results of handling, is
# committed without waiting for the disk: a crash of the bot loses none of it (the database
# has it), and a power cut or a crash of the machine can undo only the last moments of it,
# always a tail in commit order, so the inbox shows those updates unhandled and they are
# handled again. Waiting for the disk on every commit cost a third of the time of a relayed
# message (bench/pipeline.py).
_DURABLE: ContextVar[bool] = ContextVar("durable_commit", default=False)
_SQLITE_SYNC = {True: "FULL", False: "NORMAL"}  # in WAL mode NORMAL syncs only at checkpoints


def create_engine(url: str, read_only: bool = False, **kwargs: Any) -> AsyncEngine:
    """``read_only``: for a process that only reads (a worker solving a large batch); on SQLite
    its transactions then take no write lock, so it reads while the bot writes."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        from bot import sqlite_on_loop  # noqa: F401  (registers the driver)

        parsed = parsed.set(drivername="sqlite+peerlink")
    elif parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() == "asyncpg":
        # Handling's commits do not wait for the disk; ``transaction(durable=True)`` does.
        connect_args = dict(kwargs.get("connect_args", {}))
        connect_args["server_settings"] = {
            "synchronous_commit": "off",
            **connect_args.get("server_settings", {}),
        }
        kwargs["connect_args"] = connect_args
    engine = create_async_engine(parsed, **kwargs)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_connection: Any, record: Any) -> None:
            cursor = dbapi_connection.cursor()
            # WAL: readers never wait for the writer, and a commit appends to the log.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={_SQLITE_SYNC[False]}")
            record.info["durable"] = False
            # SQLite checks foreign keys only when asked, per connection.
            cursor.execute("PRAGMA foreign_keys=ON")
            if read_only:
                cursor.execute("PRAGMA query_only=ON")
            cursor.close()
            # Let SQLAlchemy, not the driver, say when transactions begin (see below).
            dbapi_connection.isolation_level = None

        @event.listens_for(engine.sync_engine, "begin")
        def _begin_immediate(connection: Any) -> None:
            # Take the write lock when a transaction starts, so transactions run one after
            # another: a check-then-insert (a worker's last place) cannot interleave.
            # PostgreSQL gets the same guarantee from row locks (SELECT ... FOR UPDATE).
            # Straight to the driver: as a statement of SQLAlchemy's it would cost a fifth of
            # a short transaction.
            begin = "BEGIN" if read_only else "BEGIN IMMEDIATE"
            durable, info = _DURABLE.get(), connection.connection.info
            try:
                cursor = connection.connection.cursor()
                if info.get("durable") is not durable:  # (only outside a transaction)
                    cursor.execute(f"PRAGMA synchronous={_SQLITE_SYNC[durable]}")
                    info["durable"] = durable
                cursor.execute(begin)
            except sqlite3.Error as error:  # (SQLAlchemy wraps its own statements' errors)
                raise _sqlalchemy_error(begin, error) from error

    return engine


SessionFactory = async_sessionmaker[AsyncSession]


def session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


TURN_TIMEOUT = 10.0  # seconds a SQLite transaction waits for its turn before it fails


# SQLite lets one transaction write at a time, and its own waiting (a busy loop with growing
# sleeps, up to five seconds) is not fair: with many chats handled at once, one transaction
# could lose every race and fail. So a process's SQLite transactions queue here, first come
# first served, and take the database's lock only when it is theirs. (SQLite serves one
# process; `peerlink run` makes sure.)
class _Turns:
    """First come, first served, with a time limit on the wait; a turn nobody is waiting for
    is taken at once, without arming a timer (a tenth of a short transaction)."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._waiting = 0

    async def take(self) -> None:
        if not self._lock.locked() and not self._waiting:
            await self._lock.acquire()  # free, nobody queued: returns at once
            return
        self._waiting += 1
        try:
            async with asyncio.timeout(TURN_TIMEOUT):
                await self._lock.acquire()
        except TimeoutError:
            raise OperationalError(
                "BEGIN IMMEDIATE", None, TimeoutError("SQLite was busy for too long")
            ) from None
        finally:
            self._waiting -= 1

    def give(self) -> None:
        self._lock.release()


_sqlite_turns: WeakKeyDictionary[Any, WeakKeyDictionary[Any, _Turns]] = (
    WeakKeyDictionary()
)  # event loop -> engine -> the queue


def _turn_for(sessions: SessionFactory) -> _Turns | None:
    engine = sessions.kw.get("bind")
    if engine is None or engine.dialect.name != "sqlite":
        return None
    turns = _sqlite_turns.setdefault(asyncio.get_running_loop(), WeakKeyDictionary())
    turn = turns.get(engine.sync_engine)
    if turn is None:
        turn = turns[engine.sync_engine] = _Turns()
    return turn


@asynccontextmanager
async def _turn(sessions: SessionFactory) -> AsyncIterator[None]:
    """On SQLite, wait for this process's turn to write (see ``_sqlite_turns``)."""
    turn = _turn_for(sessions)
    if turn is None:
        yield
        return
    await turn.take()
    try:
        yield
    finally:
        turn.give()


@asynccontextmanager
async def transaction(
    sessions: SessionFactory, durable: bool = False
) -> AsyncIterator[AsyncSession]:
    """One unit of work: commits if the block succeeds, rolls back if it raises. ``durable``:
    the commit returns only once the data is on disk (see ``_DURABLE``)."""
    async with _turn(sessions):
        if not _closes_at_once(sessions):
            async with sessions() as session, session.begin():
                if durable:
                    await _begin_durable(session, sqlite=False)
                yield session
            return
        session = sessions()
        try:
            async with session.begin():
                if durable:
                    await _begin_durable(session, sqlite=True)
                yield session
        finally:
            await session.close()


class Statements(ABC):
    """Statements that each stand alone, on a connection kept for them (``_Kept``): the reads
    and the record of every relayed message. Each statement is built once (a module
    constant), compiled once (``_compiled``) and handed to the driver with its parameters;
    ``rows`` gives tuples of its columns, converted by their types as SQLAlchemy would."""

    postgresql = False
    broken = False  # the connection's state is unknown: it is closed, not used again
    lost = False  # its line to the server failed: the other kept ones may have too

    @abstractmethod
    async def rows(self, statement: Executable, params: Mapping[str, Any]) -> Sequence[Any]: ...

    @abstractmethod
    async def run(self, statement: Executable, params: Mapping[str, Any]) -> None: ...


class _OnAsyncpg(Statements):
    """On PostgreSQL, the statements handed straight to asyncpg, each compiled once to its
    SQL. SQLAlchemy's execution around a
    statement (its connection object, result and events) cost five times the look-up itself:
    three of them were the whole CPU budget of a relayed message (bench/pipeline.py). There is
    no BEGIN and no COMMIT: each statement commits by itself."""

    postgresql = True

    def __init__(self, driver: Any, dialect: Any, observers: list[Callable[[str], None]]) -> None:
        self._driver, self._dialect, self._observers = driver, dialect, observers

    async def rows(self, statement: Executable, params: Mapping[str, Any]) -> Sequence[Any]:
        compiled = _compiled(statement, self._dialect)
        return compiled.processed(await self._call(self._driver.fetch, compiled, params))

    async def run(self, statement: Executable, params: Mapping[str, Any]) -> None:
        compiled = _compiled(statement, self._dialect)
        await self._call(self._driver.execute, compiled, params)

    async def _call(self, method: Any, compiled: _Compiled, params: Mapping[str, Any]) -> Any:
        """The statement; asyncpg's errors as SQLAlchemy's, as the rest of the bot knows them
        (``bot.pipeline.faults``)."""
        import asyncpg

        arguments = compiled.arguments(params)
        for observe in self._observers:
            observe(compiled.sql)
        try:
            return await method(compiled.sql, *arguments)
        except asyncpg.PostgresError as error:
            # (a server shutting down says so in an error of its own, and closes the line)
            if isinstance(error, asyncpg.PostgresConnectionError) or self._driver.is_closed():
                self.broken = self.lost = True
                raise OperationalError(compiled.sql, None, error) from error
            if isinstance(error, asyncpg.IntegrityConstraintViolationError):
                raise IntegrityError(compiled.sql, None, error) from error
            raise DBAPIError(compiled.sql, None, error) from error
        except BaseException as error:
            # The connection failed, or the statement was cut short (cancelled) and the
            # connection's state is unknown: it is closed rather than used again.
            self.broken = True
            if isinstance(error, Exception) and (
                self._driver.is_closed()
                or isinstance(
                    error,
                    asyncpg.InterfaceError | asyncpg.InternalClientError | OSError | TimeoutError,
                )
            ):
                self.lost = True
                raise OperationalError(compiled.sql, None, error) from error
            raise


class _OnSqlite(Statements):
    """On SQLite, the statements handed straight to ``sqlite3`` (the connection runs on
    the loop: ``bot.sqlite_on_loop``), in one transaction that takes the write lock as it
    begins, as every SQLite transaction of the bot does (``create_engine``)."""

    def __init__(self, pooled: Any, dialect: Any, observers: list[Callable[[str], None]]) -> None:
        self._pooled, self._dialect, self._observers = pooled, dialect, observers
        self._driver: sqlite3.Connection = pooled.driver_connection

    async def begin(self) -> None:
        from bot.sqlite_on_loop import when_free

        info = self._pooled.info
        try:
            if info.get("durable") is not False:  # a durable commit was the last one's
                self._driver.execute(f"PRAGMA synchronous={_SQLITE_SYNC[False]}")
                info["durable"] = False
            self._observe("BEGIN IMMEDIATE")
            await when_free(self._driver, self._driver.execute, "BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise _sqlalchemy_error("BEGIN IMMEDIATE", error) from error

    def commit(self) -> None:
        self._observe("COMMIT")
        try:
            self._driver.commit()
        except sqlite3.Error as error:
            raise _sqlalchemy_error("COMMIT", error) from error

    def end(self) -> None:
        """Whatever is still open when the block ends (it failed, or its commit did) is
        rolled back, so that no kept connection holds the write lock."""
        try:
            if self._driver.in_transaction:
                self._driver.rollback()
        except sqlite3.Error:
            self.broken = True

    async def rows(self, statement: Executable, params: Mapping[str, Any]) -> Sequence[Any]:
        compiled = _compiled(statement, self._dialect)
        rows = self._run(compiled, params).fetchall()
        return compiled.processed(rows)

    async def run(self, statement: Executable, params: Mapping[str, Any]) -> None:
        self._run(_compiled(statement, self._dialect), params).close()

    def _run(self, compiled: _Compiled, params: Mapping[str, Any]) -> sqlite3.Cursor:
        self._observe(compiled.sql)
        try:
            return self._driver.execute(compiled.sql, compiled.arguments(params))
        except sqlite3.Error as error:
            raise _sqlalchemy_error(compiled.sql, error) from error

    def _observe(self, sql: str) -> None:
        for observe in self._observers:
            observe(sql)


def _sqlalchemy_error(sql: str, error: sqlite3.Error) -> DBAPIError:
    """``sqlite3``'s error as SQLAlchemy's, as the rest of the bot knows them."""
    return DBAPIError.instance(sql, None, error, sqlite3.Error)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # the parameters, in the order of $1, $2, ... (or of SQLite's ?)
    fixed: dict[str, Any]  # values written into the statement itself
    convert: dict[str, Callable[[Any], Any]]  # parameters whose type converts them (UTC times)
    results: tuple[Callable[[Any], Any] | None, ...] | None  # columns whose type converts them

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        values = []
        for name in self.names:
            value = params[name] if name in params else self.fixed[name]
            values.append(self.convert[name](value) if name in self.convert else value)
        return values

    def processed(self, rows: list[Any]) -> list[Any]:
        if self.results is None:
            return rows
        return [
            tuple(
                value if convert is None else convert(value)
                for convert, value in zip(self.results, row, strict=True)
            )
            for row in rows
        ]


# Compiled once for each statement: the statements are module constants, a few dozen.
_compiled_statements: dict[tuple[int, type], tuple[Executable, _Compiled]] = {}
_AT_MOST = 1_000


def _compiled(statement: Executable, dialect: Any) -> _Compiled:
    key = (id(statement), type(dialect))
    known = _compiled_statements.get(key)
    if known is not None:
        return known[1]
    if len(_compiled_statements) >= _AT_MOST:
        raise RuntimeError("single_statements takes statements built once, not on every call")
    compiled = statement.compile(dialect=dialect)
    if (
        any(bind.expanding for bind in compiled.binds.values())
        or compiled.literal_execute_params
        or compiled.post_compile_params
    ):
        raise ValueError("a statement run by the driver directly takes no list (IN) nor literal")
    if compiled.insert_prefetch or compiled.update_prefetch:
        raise ValueError(
            "a statement run by the driver directly must give every value its columns' Python "
            "defaults would"
        )
    returned = getattr(statement, "exported_columns", ())  # a SELECT's, or a RETURNING's
    # (each type as the dialect has it: SQLite's times, for one, are text in the driver)
    results = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None) for column in returned
    )
    names = tuple(compiled.positiontup or ())
    convert = {}
    for name in names:
        processor = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            convert[name] = processor
    fixed = {
        name: bind.effective_value
        for name, bind in compiled.binds.items()
        if not bind.required and name in names
    }
    result = _Compiled(str(compiled), names, fixed, convert, results if any(results) else None)
    # (the statement is kept, so that its id is never another's)
    _compiled_statements[key] = (statement, result)
    return result


KEPT_MOST = 4  # connections kept out of the pool for single statements, at most


class _Kept:
    """Connections from the pool kept out between blocks of single statements, for the next
    block: taking one from SQLAlchemy's pool and giving it back (through its greenlet) cost
    more CPU than the block's statement itself, and a relayed message has two blocks
    (bench/pipeline.py). At most ``KEPT_MOST`` wait here, never inside a transaction; the
    rest go back to the pool, which has room for these beyond its own size (``bot.app``).
    A connection whose state is unknown is closed; one whose line to the server failed
    closes those waiting too (the server may have gone away). Disposing of the engine closes
    those waiting, and those in use when they come back."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.sqlite = engine.dialect.name == "sqlite"
        self.observers: list[Callable[[str], None]] = []  # ``observe_statements``
        self._idle: list[Any] = []
        self._disposals = 0  # a connection taken before the last disposal is not kept
        self._loop = ref(asyncio.get_running_loop())
        event.listen(engine.sync_engine, "engine_disposed", self._on_disposed)

    async def take(self, engine: AsyncEngine) -> tuple[Any, int]:
        if self._idle:
            return self._idle.pop(), self._disposals
        return await engine.raw_connection(), self._disposals

    async def give(self, taken: tuple[Any, int], statements: Statements) -> None:
        pooled, disposals = taken
        if statements.broken:
            failed = [pooled]
            if statements.lost:
                failed += self._idle
                self._idle.clear()
            for connection in failed:
                connection.invalidate()  # (closes it, and gives its place back to the pool)
        elif disposals != self._disposals:
            pooled.invalidate()  # (its pool was disposed of: given back, it would stay open)
        elif len(self._idle) < KEPT_MOST:
            self._idle.append(pooled)
        else:
            await greenlet_spawn(pooled.close)

    def _on_disposed(self, _engine: Any) -> None:
        self._disposals += 1
        idle, self._idle = self._idle, []
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is not None and running is self._loop():
            for connection in idle:  # (in the greenlet of ``AsyncEngine.dispose``)
                connection.invalidate()
        # (another event loop's connections cannot be closed from this one: a test's loop
        # that has ended took them with it)


_kept: WeakKeyDictionary[Any, WeakKeyDictionary[Any, _Kept]] = (
    WeakKeyDictionary()
)  # event loop -> engine -> its kept connections


def _kept_for(engine: AsyncEngine) -> _Kept:
    """The engine's kept connections in this event loop."""
    by_engine = _kept.get(asyncio.get_running_loop())
    kept = by_engine.get(engine.sync_engine) if by_engine is not None else None
    if kept is not None:
        return kept
    if engine.dialect.driver not in ("asyncpg", "peerlink"):  # (``create_engine`` makes these)
        raise ValueError(f"no single statements on the {engine.dialect.driver} driver")
    kept = _Kept(engine)
    _kept.setdefault(asyncio.get_running_loop(), WeakKeyDictionary())[engine.sync_engine] = kept
    return kept


@asynccontextmanager
async def single_statements(sessions: SessionFactory) -> AsyncIterator[Statements]:
    """Statements that each stand alone, handed to the driver directly (``_compiled``) on a
    kept connection (``_Kept``). On PostgreSQL each commits by itself: no BEGIN and no
    COMMIT, two round trips fewer (a relayed message's reads and its record). On SQLite,
    where there is no round trip to save, they run in one transaction."""
    engine = sessions.kw["bind"]
    kept = _kept_for(engine)
    if not kept.sqlite:
        taken = await kept.take(engine)
        statements = _OnAsyncpg(taken[0].driver_connection, engine.dialect, kept.observers)
        try:
            yield statements
        finally:
            await kept.give(taken, statements)
        return
    async with _turn(sessions):
        taken = await kept.take(engine)
        on_sqlite = _OnSqlite(taken[0], engine.dialect, kept.observers)
        try:
            await on_sqlite.begin()
            yield on_sqlite
            on_sqlite.commit()
        finally:
            on_sqlite.end()
            await kept.give(taken, on_sqlite)


@dataclass
class Observed:
    """What ``observe_statements`` saw: each statement's SQL (without BEGIN, COMMIT and
    ROLLBACK), and how many transactions began."""

    statements: list[str]
    transactions: int = 0


@contextmanager
def observe_statements(engine: AsyncEngine) -> Iterator[Observed]:
    """Every statement the engine runs while the block lasts, through SQLAlchemy or handed to
    the driver directly (``single_statements``): for tests and benchmarks that count them."""
    observed = Observed([])

    def seen(sql: str) -> None:
        if sql.startswith("BEGIN"):
            observed.transactions += 1
        elif not sql.startswith(("COMMIT", "ROLLBACK")):
            observed.statements.append(sql)

    def on_statement(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.startswith(("BEGIN", "COMMIT", "ROLLBACK")):  # (counted by on_begin)
            observed.statements.append(statement)

    def on_begin(connection: Any) -> None:
        # (a statement that commits by itself sends no BEGIN)
        autocommit = connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
        observed.transactions += not autocommit

    kept = _kept_for(engine)
    kept.observers.append(seen)
    event.listen(engine.sync_engine, "before_cursor_execute", on_statement)
    event.listen(engine.sync_engine, "begin", on_begin)
    try:
        yield observed
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", on_statement)
        event.remove(engine.sync_engine, "begin", on_begin)
        kept.observers.remove(seen)


def _closes_at_once(sessions: SessionFactory) -> bool:
    """SQLAlchemy closes a session or connection leaving an ``async with`` in a task of its
    own, so that a cancellation cannot cut the close short; that costs two turns of the event
    loop, a fifth of a short transaction. On SQLite nothing in a close waits (the driver never
    suspends there), so no cancellation can arrive during it, and it is closed directly."""
    return sessions.kw["bind"].dialect.name == "sqlite"


async def _begin_durable(session: AsyncSession, sqlite: bool) -> None:
    token = _DURABLE.set(True)  # read by SQLite's begin hook, which runs on the first use
    try:
        if sqlite:
            await session.connection()
        else:
            await (await session.connection()).execute(_SYNCHRONOUS_COMMIT)
    finally:
        _DURABLE.reset(token)


_SYNCHRONOUS_COMMIT = text("SET LOCAL synchronous_commit TO on")


def alembic_config(url: str | None = None) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    if not (MIGRATIONS_DIR / "env.py").exists():
        raise RuntimeError(
            f"migrations not found at {MIGRATIONS_DIR}; install PeerLink with 'pip install -e .'"
        )
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        config.attributes["url"] = url
    return config


def head_revision() -> str:
    return SCHEMA_REVISION


def migrations_head() -> str | None:
    """The head as Alembic reads it from the migration scripts."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def current_revision(engine: AsyncEngine) -> str | None:
    """The migration the database is at (Alembic's own table), None for an empty database."""
    async with engine.connect() as connection:
        if not await connection.run_sync(lambda sync: inspect(sync).has_table("alembic_version")):
            return None
        versions = await connection.execute(text("SELECT version_num FROM alembic_version"))
        found = versions.scalars().all()
    if len(found) > 1:
        raise RuntimeError(f"the database is at several migrations at once: {sorted(found)}")
    return found[0] if found else None


async def is_up_to_date(engine: AsyncEngine) -> bool:
    return await current_revision(engine) == head_revision()


async def upgrade_to_head(engine: AsyncEngine) -> None:
    """Apply every pending migration on the engine's database."""
    async with engine.begin() as connection:

        def _upgrade(sync_connection: Any) -> None:
            from alembic import command

            config = alembic_config()
            config.attributes["connection"] = sync_connection
            command.upgrade(config, "head")

        await connection.run_sync(_upgrade)
