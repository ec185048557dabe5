"""When the bot looks at what is due. The database says what is due; each capability
registers the sweep that claims its due items, and this runs them all every
``scheduler.sweep_every`` (the configuration's own ``[scheduler]`` section; the old
``matching.sweep_every`` is still read, with a warning), each in its own transaction. What
they queue, bot/pipeline/sending.py sends: a sweep never waits for a broadcast to go out.

One process at a time runs the sweeps and sends what is queued, however many share the
database (so the bot's overall sending pace holds however many processes run): a *tick* every
quarter of ``sweep_every`` (at most 15 s) takes or renews the leadership (a lease in the
``sweep_leader`` row) and, when the last sweep by anyone is ``sweep_every`` old, sweeps. A
leader that dies stops renewing; another takes over within one ``sweep_every`` and sweeps at
once if a sweep is due. Leadership keeps the work in one place; it is not what makes a sweep
safe: every sweep claims each due item by the row it changes, so two overlapping sweeps (a
leader that stalled past its lease) still do each thing once.

APScheduler (python-telegram-bot's JobQueue) only decides when to wake: nothing that is
scheduled lives in it, so a restart loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import traceback
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from enum import IntEnum

from sqlalchemy import update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram.ext import Application

from bot import outbox
from bot.db import SessionFactory, transaction
from bot.deps import Deps
from bot.models import SweepLeader
from bot.notify import Notice

log = logging.getLogger(__name__)

Sweeper = Callable[[Deps, AsyncSession], Awaitable[list[Notice]]]
_KEY = "sweepers"
PROCESS_NAME = "process_name"
LEADING = "leading_sweeps"  # in bot_data: whether this process led at its last tick
_RUNNING = "sweep_running"
LEADER_ROW = "sweeps"
LONGEST_TICK = 15.0  # seconds


def process_name() -> str:
    """This process, as its claims and leases name it: host, pid and a random part (a pid
    may come back after a restart)."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(3)}"


class Turn(IntEnum):
    """The order of the sweeps: safety first, so nothing else can hold escalation back."""

    SAFETY = 0
    MATCHING = 1
    ENDINGS = 2
    CHECKINS = 3
    WORKER_WELLBEING = 4
    RETENTION = 5
    INBOX = 6  # handled updates' ids, past pipeline.keep_handled
    OUTBOX = 7  # sent messages' rows, past outbox.keep_sent


def register(application: Application, turn: Turn, sweeper: Sweeper) -> None:
    sweepers: dict[Turn, Sweeper] = application.bot_data.setdefault(_KEY, {})
    if turn in sweepers:
        raise RuntimeError(f"two sweeps registered for the {turn.name} turn")
    sweepers[turn] = sweeper


Step = Callable[[Deps], Awaitable[None]]
_STEPS = "sweep_steps"


def register_step(application: Application, step: Step) -> None:
    """Work for the sweeps that cannot be done in one transaction (a large programme's look at
    its waitlist, solved in a worker process between a read and a write): it runs after the
    sweepers, opens its own transactions and queues its own messages."""
    application.bot_data.setdefault(_STEPS, []).append(step)


def _registered(application: Application) -> list[tuple[Turn, Sweeper]]:
    registered: dict[Turn, Sweeper] = application.bot_data.get(_KEY, {})
    return [(turn, registered[turn]) for turn in sorted(registered)]


def sweepers(application: Application) -> list[Sweeper]:
    return [sweeper for _turn, sweeper in _registered(application)]


def tick_every(sweep_every: timedelta) -> float:
    return min(sweep_every.total_seconds() / 4, LONGEST_TICK)


def start(application: Application, sweep_every: timedelta) -> None:
    if application.job_queue is not None:
        every = tick_every(sweep_every)
        application.job_queue.run_repeating(tick, interval=every, first=min(5.0, every))


# -- leadership -------------------------------------------------------------------------------


async def lead(
    sessions: SessionFactory,
    me: str,
    now: datetime,
    lease: timedelta,
    sweep_every: timedelta | None,
) -> tuple[bool, bool]:
    """Take or renew the leadership of the sweeps for ``lease``: (whether this process leads,
    whether a sweep is due: marked as begun, so that it is due again ``sweep_every`` from now).
    ``sweep_every`` None: only renew (a sweep of this process's is still running)."""
    async with transaction(sessions) as session:
        leader = await session.get(SweepLeader, LEADER_ROW, with_for_update=True)
        if leader is None:
            session.add(SweepLeader(name=LEADER_ROW))
            await session.flush()
            leader = await session.get(SweepLeader, LEADER_ROW, with_for_update=True)
        free = leader.holder is None or leader.held_until is None or leader.held_until < now
        if leader.holder != me and not free:
            return False, False
        leader.holder, leader.held_until = me, now + lease
        # A tick may come a little early; half a tick early is on time.
        due = sweep_every is not None and (
            leader.last_sweep_at is None or now - leader.last_sweep_at >= sweep_every * 0.9
        )
        if due:
            leader.last_sweep_at = now
        session.add(leader)
        return True, due


async def step_down(sessions: SessionFactory, me: str) -> None:
    """This process is stopping: another may lead from its next tick."""
    async with transaction(sessions) as session:
        await session.exec(
            update(SweepLeader)
            .where(SweepLeader.name == LEADER_ROW, SweepLeader.holder == me)
            .values(holder=None, held_until=None)
        )


async def last_sweep_at(sessions: SessionFactory) -> datetime | None:
    """When the sweeps last began, in whichever process."""
    async with transaction(sessions) as session:
        return (
            await session.exec(
                select(SweepLeader.last_sweep_at).where(SweepLeader.name == LEADER_ROW)
            )
        ).first()


async def tick(context) -> None:
    """Lead if nobody else does, and sweep when a sweep is due. The sweep runs as its own task,
    so that a long one never stops this process renewing its leadership."""
    application = context.application
    deps: Deps = application.bot_data["deps"]
    me = application.bot_data.setdefault(PROCESS_NAME, process_name())
    sweep_every = deps.config.scheduler.sweep_every
    lease = timedelta(seconds=tick_every(sweep_every) * 2.5)
    running: asyncio.Task | None = application.bot_data.get(_RUNNING)
    still_sweeping = running is not None and not running.done()
    try:
        leading, due = await lead(
            deps.sessions, me, deps.now(), lease, None if still_sweeping else sweep_every
        )
    except Exception as error:  # noqa: BLE001  (the next tick tries again)
        log.warning("sweeps: could not take or renew the lead (%s)", type(error).__name__)
        leading, due = False, False  # it may have lapsed: another process may lead now
    if leading and not application.bot_data.get(LEADING):
        log.info("this process now runs the sweeps and sends what is queued")
        outbox.wake_sender(application.bot_data)
    application.bot_data[LEADING] = leading
    if due:
        application.bot_data[_RUNNING] = asyncio.create_task(sweep(context))


async def sweep(context) -> None:
    """Wake up and look at what is due: the database says what, this only says when."""
    application = context.application
    deps: Deps = application.bot_data["deps"]
    for turn, sweeper in _registered(application):
        # Each sweeper claims its due items and queues its messages in its own transaction,
        # so a failure in one never holds back the others.
        try:
            async with transaction(deps.sessions) as session:
                notices = await sweeper(deps, session)
                # claimed and queued together; safety's messages go before anything waiting
                outbox.enqueue(deps, session, notices, urgent=turn == Turn.SAFETY)
        except Exception as error:  # the type and where, never the message (it may hold data)
            frames = "".join(traceback.format_tb(error.__traceback__))
            log.error(
                "sweep %s failed with %s\n%s", sweeper.__module__, type(error).__name__, frames
            )
        outbox.wake_sender(application.bot_data)  # safety's messages go before the next sweep
    for step in application.bot_data.get(_STEPS, []):
        try:
            await step(deps)
        except Exception as error:  # the type and where, never the message
            frames = "".join(traceback.format_tb(error.__traceback__))
            log.error(
                "sweep step %s failed with %s\n%s", step.__module__, type(error).__name__, frames
            )
        outbox.wake_sender(application.bot_data)
