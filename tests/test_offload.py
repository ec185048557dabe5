"""A large /match_all is solved in a worker process that reads the database itself, outside
any transaction of the bot's: on SQLite and on PostgreSQL it proposes exactly what solving on
the event loop proposes, with the same explanations, while the bot goes on writing."""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.admin import service as admin
from bot.db import create_engine, session_factory, transaction, upgrade_to_head
from bot.deps import Deps
from bot.offers import matchmaking
from bot.offload import in_worker_process
from tests import factories
from tests.conftest import make_config
from tests.test_pipeline_process import BACKENDS, database


async def _both_ways(url: str) -> tuple[object, object]:
    engine = create_engine(url)
    await upgrade_to_head(engine)
    deps = Deps(config=make_config(url), sessions=session_factory(engine))
    now = datetime.now(UTC)
    async with transaction(deps.sessions) as session:
        await admin.sync_reference_data(deps, session)
        waiting = [
            await factories.service_user(session, telegram_id=71_000 + n, at=now) for n in range(5)
        ]
        for n in range(3):
            await factories.peer_worker(session, telegram_id=72_000 + n, at=now)
    ids = [person.id for person in waiting]
    try:
        on_the_loop = await matchmaking.solve_waitlist(deps, ids)
        matchmaking.INLINE_PAIRS, inline = 0, matchmaking.INLINE_PAIRS
        try:
            # The bot goes on writing meanwhile (SQLite: its write lock is free to take).
            solving = asyncio.create_task(matchmaking.solve_waitlist(deps, ids))
            async with transaction(deps.sessions) as session:
                await factories.service_user(session, telegram_id=73_000, at=now)
            in_a_process = await solving
        finally:
            matchmaking.INLINE_PAIRS = inline
    finally:
        await engine.dispose()
    return on_the_loop, in_a_process


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_worker_process_proposes_what_the_event_loop_would(tmp_path: Path, backend: str) -> None:
    with database(backend, tmp_path) as url:
        on_the_loop, in_a_process = asyncio.run(_both_ways(url))
    assert on_the_loop.assignment.pairs  # someone was matched
    assert in_a_process == on_the_loop


async def test_a_worker_is_gone_when_its_caller_is_cancelled_or_out_of_time() -> None:
    started = time.monotonic()
    solving = asyncio.create_task(in_worker_process(time.sleep, 30))
    await asyncio.sleep(1)
    solving.cancel()  # as a stop cancels a handler
    with pytest.raises(asyncio.CancelledError):
        await solving
    with pytest.raises(TimeoutError):
        await in_worker_process(time.sleep, 30, within=1)
    assert await in_worker_process(sorted, [3, 1, 2]) == [1, 2, 3]
    assert multiprocessing.active_children() == []  # no worker left behind
    assert time.monotonic() - started < 10
