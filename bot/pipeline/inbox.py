"""The inbox table: updates stored before Telegram is told they arrived, claimed one chat at
a time, and marked handled only once their handling has finished.

A chat's *head* is its oldest unhandled update. Only a head can be claimed, and a claim is a
lease (``claimed_by``, ``claimed_until``): so one chat's updates are handled one after
another, in order, by whichever process holds the lease, while other chats go on elsewhere.
A process that dies simply stops renewing; its heads are claimable again when the lease
lapses. On PostgreSQL the claim takes its rows with ``FOR UPDATE SKIP LOCKED``, so processes
never wait on each other; SQLite runs one process (``run`` makes sure).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, func, update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Bot, Update

from bot import leases
from bot.db import SessionFactory, transaction
from bot.deps import Deps
from bot.models import InboxUpdate
from bot.notify import Notice

KINDS = ("message", "edited_message", "callback_query")
UNPARSABLE = "unparsable"


_UNHANDLED = InboxUpdate.handled_at.is_(None)


class Outcome(StrEnum):
    HANDLED = "handled"
    SET_ASIDE = "set_aside"  # Telegram sent something we cannot read: only its id is kept
    GAVE_UP = "gave_up"  # handling failed max_attempts times for a reason not the database's


@dataclass(frozen=True)
class Arrival:
    """One update as it is stored: ``payload`` is None when it could not be read."""

    update_id: int
    chat_id: int
    kind: str
    payload: str | None


def arrival_of(raw: Any, bot: Bot) -> Arrival | None:
    """What to store for one element of a getUpdates answer (or a webhook body); None when it
    has no update id at all, so nothing can acknowledge or store it."""
    if not isinstance(raw, dict) or not isinstance(raw.get("update_id"), int):
        return None
    update_id = raw["update_id"]
    try:
        update = Update.de_json(raw, bot)
    except Exception:  # noqa: BLE001  (anything python-telegram-bot cannot parse is set aside)
        update = None
    if update is None:
        return Arrival(update_id, 0, UNPARSABLE, None)
    kind = next((name for name in KINDS if name in raw), "other")
    chat = update.effective_chat
    user = update.effective_user
    chat_id = chat.id if chat is not None else (user.id if user is not None else 0)
    return Arrival(update_id, chat_id, kind, json.dumps(raw, ensure_ascii=False))


def _insert_for(dialect: str) -> Any:
    """INSERT … ON CONFLICT DO NOTHING is each dialect's own; the one in use is loaded (the
    PostgreSQL dialect's catalogue alone takes a twentieth of a second to import)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


async def store(sessions: SessionFactory, arrivals: list[Arrival], now: datetime) -> None:
    """Store a batch in one transaction. An update already stored (Telegram delivered it again,
    or another process received it too) is left as it is: stored once, handled once. The
    commit is synced to disk before it returns: Telegram is told next that we have these."""
    if not arrivals:
        return
    rows = [
        {
            "update_id": arrival.update_id,
            "chat_id": arrival.chat_id,
            "kind": arrival.kind,
            "payload": arrival.payload,
            "received_at": now,
            "attempts": 0,
            # An unreadable update is finished on arrival: there is nothing to handle.
            "handled_at": now if arrival.payload is None else None,
            "outcome": Outcome.SET_ASIDE.value if arrival.payload is None else None,
        }
        for arrival in arrivals
    ]
    async with transaction(sessions, durable=True) as session:
        insert = _insert_for(session.bind.dialect.name)
        statement = (
            insert(InboxUpdate).values(rows).on_conflict_do_nothing(index_elements=["update_id"])
        )
        await session.exec(statement)


async def claim(
    sessions: SessionFactory,
    me: str,
    limit: int,
    now: datetime,
    lease: timedelta,
    busy: set[int],
) -> list[InboxUpdate]:
    """Claim up to ``limit`` heads of chats nobody is working on, oldest first."""
    return await leases.claim_heads(
        sessions,
        InboxUpdate,
        InboxUpdate.update_id,
        InboxUpdate.chat_id,
        _UNHANDLED,
        me=me,
        limit=limit,
        now=now,
        lease=lease,
        busy=busy,
    )


class LeaseLost(Exception):
    """Another process holds this update now (this process's lease lapsed): whatever this
    process did with it, the other one finishes it."""


async def finish(
    sessions: SessionFactory,
    me: str,
    row: InboxUpdate,
    outcome: Outcome,
    now: datetime,
    lease: timedelta,
    claim_next: bool = True,
) -> InboxUpdate | None:
    """Mark an update finished (its content goes at once) and, in the same transaction, claim
    the next update of the same chat, so that no other process can take the chat between the
    two. Returns that next update, if any. Raises LeaseLost if this process no longer holds
    the update (nothing is changed then)."""
    async with transaction(sessions) as session:
        marked = await session.exec(
            update(InboxUpdate)
            .where(
                InboxUpdate.update_id == row.update_id,
                InboxUpdate.claimed_by == me,
                _UNHANDLED,
            )
            .values(
                handled_at=now,
                outcome=outcome.value,
                payload=None,
                claimed_by=None,
                claimed_until=None,
            )
        )
        if marked.rowcount != 1:
            # Marked already? Then by our own earlier try, whose answer was lost, if the
            # chat's next update is ours too; otherwise another process has it.
            ours = (
                await session.exec(
                    select(InboxUpdate)
                    .where(
                        InboxUpdate.chat_id == row.chat_id,
                        _UNHANDLED,
                        InboxUpdate.claimed_by == me,
                    )
                    .order_by(InboxUpdate.update_id)
                    .limit(1)
                )
            ).first()
            handled = await session.get(InboxUpdate, row.update_id)
            if handled is None or handled.handled_at is None or ours is None:
                raise LeaseLost(row.update_id)
            if claim_next:
                ours.claimed_until = now + lease
                session.add(ours)
                return ours
            ours.claimed_by, ours.claimed_until = None, None
            session.add(ours)
            return None
        if not claim_next:
            return None
        following = (
            await session.exec(
                select(InboxUpdate)
                .where(InboxUpdate.chat_id == row.chat_id, _UNHANDLED)
                .order_by(InboxUpdate.update_id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
        ).first()
        # Ours already when a first try of this transaction committed unseen (its answer lost).
        if following is None or not (
            following.claimed_by == me
            or following.claimed_until is None
            or following.claimed_until < now
        ):
            return None
        following.claimed_by, following.claimed_until = me, now + lease
        session.add(following)
        return following


async def hold(
    sessions: SessionFactory, me: str, update_id: int, now: datetime, lease: timedelta
) -> bool:
    """Extend this process's lease on an update before trying it again; False if another
    process holds it now."""
    async with transaction(sessions) as session:
        held = await session.exec(
            update(InboxUpdate)
            .where(
                InboxUpdate.update_id == update_id,
                InboxUpdate.claimed_by == me,
                _UNHANDLED,
            )
            .values(claimed_until=now + lease)
        )
        return held.rowcount == 1


async def count_failure(sessions: SessionFactory, update_id: int, attempts: int) -> None:
    """Remember a failed attempt (not the database's fault), so that a restart does not try a
    poisonous update for ever."""
    async with transaction(sessions) as session:
        await session.exec(
            update(InboxUpdate).where(InboxUpdate.update_id == update_id).values(attempts=attempts)
        )


async def renew(
    sessions: SessionFactory, me: str, update_ids: list[int], now: datetime, lease: timedelta
) -> None:
    """Extend the leases on the updates this process is handling right now (only those: a
    claim left over from a lost answer lapses, and another process may take it)."""
    await leases.renew(
        sessions, InboxUpdate.update_id, _UNHANDLED, me=me, keys=update_ids, now=now, lease=lease
    )


async def purge(deps: Deps, session: AsyncSession) -> list[Notice]:
    """The scheduler's sweep: forget handled updates older than ``pipeline.keep_handled``
    (their content went the moment they were handled)."""
    before = deps.now() - deps.config.pipeline.keep_handled
    await session.exec(
        delete(InboxUpdate).where(
            InboxUpdate.handled_at.is_not(None), InboxUpdate.received_at < before
        )
    )
    return []


@dataclass(frozen=True)
class Backlog:
    waiting: int
    oldest_received_at: datetime | None


async def backlog(sessions: SessionFactory) -> Backlog:
    async with transaction(sessions) as session:
        unhandled = _UNHANDLED
        waiting = (await session.exec(select(func.count()).where(unhandled))).one()
        oldest = (
            await session.exec(
                select(InboxUpdate.received_at)
                .where(unhandled)
                .order_by(InboxUpdate.received_at)
                .limit(1)
            )
        ).first()
    return Backlog(waiting, oldest)


async def release(sessions: SessionFactory, me: str) -> None:
    """Give up this process's claims (it is stopping), so another may take them at once."""
    await leases.release(sessions, InboxUpdate, _UNHANDLED, me)


async def release_all(sessions: SessionFactory) -> None:
    """Forget every claim: only when this is the one process (SQLite)."""
    await leases.release(sessions, InboxUpdate, _UNHANDLED, None)
