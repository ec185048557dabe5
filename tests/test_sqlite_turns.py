"""SQLite writes one transaction at a time, and its own waiting is a busy loop that gives up
after five seconds: with many chats handled at once, a transaction could lose every race and
fail. A process's SQLite transactions queue instead, first come, first served."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from bot.db import create_engine, session_factory, transaction, upgrade_to_head


async def test_many_transactions_at_once_each_wait_their_turn_and_none_fails(tmp_path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'turns.db'}")
    await upgrade_to_head(engine)
    sessions = session_factory(engine)
    order: list[int] = []

    async def one(n: int) -> None:
        async with transaction(sessions) as session:
            await session.exec(text("SELECT 1"))
            order.append(n)
            await asyncio.sleep(0.2)  # hold the write lock: 30 of these take six seconds

    results = await asyncio.gather(*(one(n) for n in range(30)), return_exceptions=True)
    await engine.dispose()

    assert [r for r in results if r is not None] == []  # SQLite alone: "database is locked"
    assert order == list(range(30))  # in the order they asked
