"""Which failures mean "the database cannot be reached right now" (try again later, the
update is safe) rather than a fault in handling this update.

Telegram's own errors never count, even when a network error lies beneath them: a send that
timed out may well have arrived, and handling the update again would send it twice."""

from __future__ import annotations

import asyncio

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from telegram.error import TelegramError

_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)


def database_unavailable(error: BaseException | None) -> bool:
    seen = 0
    while error is not None and seen < 10:  # the cause chain: drivers' errors come wrapped
        if isinstance(error, TelegramError):
            return False
        if isinstance(error, _UNAVAILABLE):
            return True
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return True
        if type(error).__module__.startswith(("asyncpg", "sqlite3")):
            # A driver's own error that SQLAlchemy did not wrap (e.g. a dropped connection).
            return "Connection" in type(error).__name__ or isinstance(error, OSError)
        if isinstance(error, ConnectionError | asyncio.TimeoutError) and seen == 0:
            return True  # raised by the pool's connect (refused, reset, timed out)
        error = error.__cause__ or error.__context__
        seen += 1
    return False
