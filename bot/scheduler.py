"""When the bot looks at what is due. The database says what is due; each capability
registers the sweep that claims its due items, and this runs them all every
``scheduler.sweep_every`` (the configuration's own ``[scheduler]`` section; the old
``matching.sweep_every`` is still read, with a warning), each in its own transaction, then
sends what they queued.

APScheduler (python-telegram-bot's JobQueue) only decides when to wake: nothing that is
scheduled lives in it, so a restart loses nothing.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Awaitable, Callable
from enum import IntEnum

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram.ext import Application

from bot import outbox
from bot.db import transaction
from bot.deps import Deps
from bot.notify import Notice

log = logging.getLogger(__name__)

Sweeper = Callable[[Deps, AsyncSession], Awaitable[list[Notice]]]
_KEY = "sweepers"
LAST_SWEEP_AT = "last_sweep_at"


class Turn(IntEnum):
    """The order of the sweeps: safety first, so nothing else can hold escalation back."""

    SAFETY = 0
    MATCHING = 1
    ENDINGS = 2
    CHECKINS = 3
    WORKER_WELLBEING = 4
    RETENTION = 5
    INBOX = 6  # handled updates' ids, past pipeline.keep_handled


def register(application: Application, turn: Turn, sweeper: Sweeper) -> None:
    sweepers: dict[Turn, Sweeper] = application.bot_data.setdefault(_KEY, {})
    if turn in sweepers:
        raise RuntimeError(f"two sweeps registered for the {turn.name} turn")
    sweepers[turn] = sweeper


def sweepers(application: Application) -> list[Sweeper]:
    registered: dict[Turn, Sweeper] = application.bot_data.get(_KEY, {})
    return [registered[turn] for turn in sorted(registered)]


def start(application: Application, every_seconds: float) -> None:
    if application.job_queue is not None:
        application.job_queue.run_repeating(sweep, interval=every_seconds, first=5, name="sweep")


async def sweep(context) -> None:
    """Wake up and look at what is due: the database says what, this only says when."""
    application = context.application
    deps: Deps = application.bot_data["deps"]
    for sweeper in sweepers(application):
        # Each sweeper claims its due items and queues its messages in its own transaction,
        # so a failure in one never holds back the others.
        try:
            async with transaction(deps.sessions) as session:
                notices = await sweeper(deps, session)
                outbox.enqueue(deps, session, notices)  # claimed and queued together
        except Exception as error:  # the type and where, never the message (it may hold data)
            frames = "".join(traceback.format_tb(error.__traceback__))
            log.error(
                "sweep %s failed with %s\n%s", sweeper.__module__, type(error).__name__, frames
            )
    await outbox.drain(deps, application.bot)
    application.bot_data[LAST_SWEEP_AT] = deps.now()  # /healthz reports its age
