"""Work queues whose rows are claimed with a lease (the inbox, the outbox).

A queue's rows belong to a *chat*; a chat's *head* is its first pending row, and only a head
can be claimed, so one chat's rows are worked on one after another. A claim names the
process (``claimed_by``) and lasts until ``claimed_until``; a process that dies stops
renewing, and its heads become claimable again when the lease lapses. On PostgreSQL the
claim takes its rows with ``FOR UPDATE SKIP LOCKED``, so processes never wait on each other.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, update
from sqlmodel import select

from bot.db import SessionFactory, transaction


def claimable(model: Any, now: datetime) -> Any:
    return or_(model.claimed_until.is_(None), model.claimed_until < now)


async def claim_heads(
    sessions: SessionFactory,
    model: Any,
    key: Any,
    chat: Any,
    pending: Any,
    *,
    me: str,
    limit: int,
    now: datetime,
    lease: timedelta,
    busy: set[int],
) -> list[Any]:
    """Claim up to ``limit`` heads of chats nobody holds, lowest ``key`` first. ``key``: the
    order of the rows (within a chat and across chats), a column or an expression;
    ``chat``: the chat column; ``pending``: the condition for a row still to be worked on;
    ``busy``: chats this process is working on already."""
    heads = (
        select(chat.label("chat"), func.min(key).label("head"))
        .where(pending)
        .group_by(chat)
        .subquery()
    )
    query = (
        select(model)
        .join(heads, (chat == heads.c.chat) & (key == heads.c.head))
        # ``pending`` again: on PostgreSQL a row that another process changed while this
        # claim waited for it is re-checked against this WHERE only, not the subquery's.
        .where(pending, claimable(model, now))
        .order_by(key)
        .limit(limit)
        .with_for_update(skip_locked=True, of=model)
    )
    if busy:
        query = query.where(chat.not_in(busy))
    async with transaction(sessions) as session:
        rows = list((await session.exec(query)).all())
        for row in rows:
            row.claimed_by, row.claimed_until = me, now + lease
            session.add(row)
    return rows


async def renew(
    sessions: SessionFactory,
    key: Any,
    pending: Any,
    *,
    me: str,
    keys: list[int],
    now: datetime,
    lease: timedelta,
) -> None:
    """Extend this process's leases on the rows (by ``key``) it is working on right now; only
    those, and only while still pending."""
    if not keys:
        return
    async with transaction(sessions) as session:
        await session.exec(
            update(key.class_)
            .where(key.in_(keys), key.class_.claimed_by == me, pending)
            .values(claimed_until=now + lease)
        )


async def release(sessions: SessionFactory, model: Any, pending: Any, me: str | None) -> None:
    """Give up this process's claims on pending rows (it is stopping), so another may take
    them at once; ``me`` None: every claim (only when this is the one process, on SQLite)."""
    claimed = model.claimed_by.is_not(None) if me is None else model.claimed_by == me
    async with transaction(sessions) as session:
        await session.exec(
            update(model).where(pending, claimed).values(claimed_by=None, claimed_until=None)
        )
