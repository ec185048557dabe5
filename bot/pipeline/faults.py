"""Which failures mean "the database cannot be reached right now" (try again later, the
update is safe) rather than a fault in handling this update."""

from __future__ import annotations

import asyncio

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

_UNAVAILABLE = (
    OperationalError,
    InterfaceError,
    PoolTimeout,
    ConnectionError,
    asyncio.TimeoutError,
)


def database_unavailable(error: BaseException | None) -> bool:
    seen = 0
    while error is not None and seen < 10:  # the cause chain: asyncpg errors come wrapped
        if isinstance(
            error,
            OperationalError
            | InterfaceError
            | PoolTimeout
            | ConnectionError
            | asyncio.TimeoutError,
        ):
            return True
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return True
        if isinstance(error, OSError) and not isinstance(error, FileNotFoundError):
            return True
        if type(error).__module__.startswith("asyncpg") and "Connection" in type(error).__name__:
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False
