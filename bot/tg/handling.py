"""The update being handled, as the pipeline (bot/pipeline/) sees it: set around each
``process_update`` so that the error handler can hand a failure back instead of answering it,
and screening knows whether the crisis lines already went out from memory."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class Handling:
    update_id: int
    # The crisis lines were sent from memory while the database could not be reached.
    crisis_lines_sent: bool = False
    error: BaseException | None = None


_current: ContextVar[Handling | None] = ContextVar("handling", default=None)


def current() -> Handling | None:
    return _current.get()


def begin(handling: Handling) -> object:
    return _current.set(handling)


def end(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]
