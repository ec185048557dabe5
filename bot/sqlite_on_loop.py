"""SQLite for the asyncio engine, run on the event loop itself.

SQLAlchemy's asyncio engine needs an asyncio driver; the usual one for SQLite, aiosqlite,
sends every call (each statement, fetch, commit) to a thread of its own and waits for the
answer. For the look-ups and small writes a message needs, SQLite does its work in a few
microseconds, and the two thread hops around each call cost a hundred times that: a
one-statement transaction took 1.2 ms of CPU through aiosqlite against 0.2 ms here.

So this driver calls the standard library's ``sqlite3`` directly, on the loop. What keeps
that from holding the loop up:

- A process's transactions take their turn one at a time (``bot.db.transaction``), so they
  never wait on each other's locks inside SQLite.
- The database runs in WAL mode (``bot.db.create_engine``): readers never wait for the writer,
  and a commit appends to the log instead of rewriting pages.
- When another process holds the write lock (a maintenance command, a backup), SQLite is asked
  not to wait (``timeout=0``); a statement that could not start is retried here after an
  asynchronous sleep, up to ``BUSY_TIMEOUT``, while the loop serves everyone else. A statement
  inside a transaction that finds the database busy is not retried: its transaction fails and
  is rolled back, as with any driver.

Registered with SQLAlchemy as ``sqlite+peerlink``; ``bot.db.create_engine`` uses it for every
SQLite URL.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import pool
from sqlalchemy.connectors.asyncio import AsyncAdapt_dbapi_module
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import AdaptedConnection
from sqlalchemy.util.concurrency import await_

BUSY_TIMEOUT = 10.0  # seconds a statement that cannot start waits for another process's lock
_FIRST_PAUSE, _LONGEST_PAUSE = 0.002, 0.1


def _busy(error: sqlite3.OperationalError) -> bool:
    return error.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


async def when_free(connection: sqlite3.Connection, call: Callable[..., Any], *args: Any) -> Any:
    """``call(*args)``; if SQLite is busy and nothing was begun, again after a pause."""
    waited, pause = 0.0, _FIRST_PAUSE
    while True:
        try:
            return call(*args)
        except sqlite3.OperationalError as error:
            if not _busy(error) or connection.in_transaction or waited >= BUSY_TIMEOUT:
                raise
        await asyncio.sleep(pause)
        waited += pause
        pause = min(pause * 2, _LONGEST_PAUSE)


class _Cursor:
    """A ``sqlite3`` cursor as SQLAlchemy's asyncio engine wants it: ``execute`` goes through
    one await (the engine checks that each statement awaited something, and it is where a
    busy database is waited for) and reads every row at once, as the other asyncio drivers
    do; the rest is synchronous."""

    __slots__ = ("_connection", "_cursor", "_rows", "description")

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection
        self._cursor = connection.cursor()
        self._rows: deque[Any] = deque()
        self.description: Any = None

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    def execute(self, operation: str, parameters: Sequence[Any] = ()) -> Any:
        await_(when_free(self._connection, self._cursor.execute, operation, parameters))
        self._read()

    def executemany(self, operation: str, parameters: Sequence[Sequence[Any]]) -> Any:
        await_(when_free(self._connection, self._cursor.executemany, operation, parameters))
        self._read()

    def _read(self) -> None:
        self.description = self._cursor.description
        if self.description:
            self._rows = deque(self._cursor.fetchall())

    def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    def fetchmany(self, size: int | None = None) -> list[Any]:
        count = min(size if size is not None else self._cursor.arraysize, len(self._rows))
        return [self._rows.popleft() for _ in range(count)]

    def fetchall(self) -> list[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    def __iter__(self) -> Any:
        while self._rows:
            yield self._rows.popleft()

    async def _async_soft_close(self) -> None:
        """What the asyncio engine calls after ``execute``; the rows are read already."""
        self._cursor.close()

    def close(self) -> None:
        self._rows.clear()
        self._cursor.close()

    def nextset(self) -> None:
        return None

    def setinputsizes(self, *_sizes: Any) -> None:
        return None


class _Connection(AdaptedConnection):
    """A ``sqlite3`` connection for the asyncio engine; see ``_Cursor``."""

    __slots__ = ()
    _connection: sqlite3.Connection

    def __init__(self, raw: sqlite3.Connection) -> None:
        self._connection = raw

    def cursor(self, *_args: Any, **_kw: Any) -> _Cursor:
        return _Cursor(self._connection)

    @property
    def isolation_level(self) -> str | None:
        return self._connection.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self._connection.isolation_level = value

    @property
    def in_transaction(self) -> bool:
        return self._connection.in_transaction

    def create_function(self, *args: Any, **kw: Any) -> None:
        self._connection.create_function(*args, **kw)

    def commit(self) -> None:
        self._connection.commit()

    def rollback(self) -> None:
        self._connection.rollback()

    def close(self) -> None:
        self._connection.close()

    def terminate(self) -> None:
        self._connection.close()


class _Module(AsyncAdapt_dbapi_module):
    def __init__(self) -> None:
        super().__init__(sqlite3, dbapi_module=sqlite3)
        self.paramstyle = "qmark"
        for name in (
            "DatabaseError",
            "Error",
            "IntegrityError",
            "InterfaceError",
            "NotSupportedError",
            "OperationalError",
            "ProgrammingError",
            "sqlite_version",
            "sqlite_version_info",
            "PARSE_COLNAMES",
            "PARSE_DECLTYPES",
            "Binary",
        ):
            setattr(self, name, getattr(sqlite3, name))

    def connect(self, *args: Any, **kw: Any) -> _Connection:
        kw["timeout"] = 0  # never block the loop on a lock: see when_free
        kw["check_same_thread"] = False  # the pool may close it from the garbage collector
        return _Connection(sqlite3.connect(*args, **kw))


class SQLiteOnLoopDialect(SQLiteDialect_pysqlite):
    driver = "peerlink"
    is_async = True
    has_terminate = True
    supports_statement_cache = True

    @classmethod
    def import_dbapi(cls) -> Any:
        return _Module()

    @classmethod
    def get_pool_class(cls, url: Any) -> type[pool.Pool]:
        return pool.AsyncAdaptedQueuePool if cls._is_url_file_db(url) else pool.StaticPool

    def get_driver_connection(self, connection: Any) -> Any:
        return connection._connection

    def do_terminate(self, dbapi_connection: Any) -> None:
        dbapi_connection.terminate()


registry.register("sqlite.peerlink", __name__, "SQLiteOnLoopDialect")
