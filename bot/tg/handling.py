"""The update being handled, as the pipeline (bot/pipeline/) sees it: set around each
``process_update`` so that the error handler can hand a failure back instead of answering it,
and screening knows whether the crisis lines already went out from memory."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class Handling:
    update_id: int
    # The crisis lines (or /help_now's answer) went out for this update already: from memory
    # while the database could not be reached, or by an earlier try.
    crisis_lines_sent: bool = False
    screened: bool = False  # screening has looked at it (and sent what it had to)
    crisis_lines_failed: bool = False  # Telegram refused them (screening's or /help_now's)
    attempt: int = 0  # 0 the first time; more when it is tried again after a failure
    from_backlog: bool = False  # it waited in the inbox (an outage, a restart), not just arrived
    error: BaseException | None = None


_current: ContextVar[Handling | None] = ContextVar("handling", default=None)


def current() -> Handling | None:
    return _current.get()


def begin(handling: Handling) -> object:
    return _current.set(handling)


def end(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]
