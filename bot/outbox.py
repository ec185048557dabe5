"""The outbox: messages the bot will send, written in the same transaction that decided them.

A sweep that claims due items (a check-in, a reminder, an escalation) queues their messages
here in its own transaction; bot/pipeline/sending.py sends them. Like the inbox, a chat's
*head* is its oldest unsent row, only a head can be claimed, and a claim is a lease
(``claimed_by``, ``claimed_until``): any number of processes never send one row twice, one
chat's messages go in order, and a dead process's claims lapse for another to take over.
A row is marked sent (and its text emptied) straight after Telegram accepted it, so a crash
repeats at most the sends in flight at that instant. Safety's rows are claimed first.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import and_, case, delete, false, func, or_, update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import callbacks, leases, people
from bot.db import SessionFactory, transaction
from bot.deps import Deps
from bot.models import OutboxMessage, Person, Role
from bot.notify import Button, Notice, Reply, saying
from bot.texts.fragments import person_ref, worker_ref

log = logging.getLogger(__name__)

SENDER_WAKE = "outbox_sender_wake"  # in bot_data: the sender's event, while it runs


def wake_sender(bot_data: dict) -> None:
    """Something was queued: the sender looks now rather than at its next look."""
    wake = bot_data.get(SENDER_WAKE)
    if wake is not None:
        wake.set()


def enqueue(
    deps: Deps, session: AsyncSession, notices: Iterable[Notice], urgent: bool = False
) -> int:
    """Queue messages in the caller's transaction. ``urgent``: safety's, sent before the rest."""
    count = 0
    for notice in notices:
        if notice.reply.quoting is not None:  # (a quote answers a message there and then)
            raise ValueError("a queued message quotes nothing")
        session.add(
            OutboxMessage(
                telegram_id=notice.telegram_id,
                person_id=notice.person_id,
                text=notice.reply.text,
                buttons=[
                    [{"label": b.label, "data": b.data, "url": b.url} for b in row]
                    for row in notice.reply.buttons
                ],
                created_at=deps.now(),
                urgent=urgent,
            )
        )
        count += 1
    return count


def _button(stored: dict) -> Button:
    return Button(stored["label"], callbacks.decode(stored.get("data")), stored.get("url"))


def reply_of(row: OutboxMessage) -> Reply:
    return Reply(row.text, tuple(tuple(_button(b) for b in r) for r in row.buttons))


# "= false", not "IS FALSE": PostgreSQL can use an index only for the former.
_UNSENT = and_(OutboxMessage.sent_at.is_(None), OutboxMessage.failed == false())
# The order messages go in: safety's first (within a chat too: an escalation never waits
# behind a coordinator's queued notices), then in the order they were queued. Ids stay far
# below 2**40.
_ORDER = OutboxMessage.id - case((OutboxMessage.urgent, 2**40), else_=0)


async def claim(
    sessions: SessionFactory,
    me: str,
    limit: int,
    now: datetime,
    lease: timedelta,
    busy: set[int],
) -> list[OutboxMessage]:
    """Claim up to ``limit`` heads of chats nobody is sending to, safety's first, then oldest
    first."""
    return await leases.claim_heads(
        sessions,
        OutboxMessage,
        _ORDER,
        OutboxMessage.telegram_id,
        _UNSENT,
        me=me,
        limit=limit,
        now=now,
        lease=lease,
        busy=busy,
    )


class Outcome(StrEnum):
    SENT = "sent"
    UNREACHABLE = "unreachable"  # they blocked the bot, or the chat is gone: never again
    REFUSED = "refused"  # Telegram will not take this message (a bad request): never again
    LATER = "later"  # a passing failure (network, Telegram busy): tried again after a pause


async def finish(
    deps: Deps,
    me: str,
    row: OutboxMessage,
    outcome: Outcome,
    lease: timedelta,
    retry_at: datetime | None = None,
) -> OutboxMessage | None:
    """Record a send's outcome and, in the same transaction, claim the chat's next row, so that
    no other process can take the chat between the two. Returns that row, if any. Nothing is
    changed (and None returned) if this process no longer holds the row: another took it over
    after the lease lapsed, and sends it."""
    now = deps.now()
    values: dict = {"claimed_by": None, "claimed_until": None}
    if outcome == Outcome.SENT:
        values.update(sent_at=now, text="", buttons=[])
    elif outcome in (Outcome.UNREACHABLE, Outcome.REFUSED):
        values.update(failed=True, text="", buttons=[])
    else:
        values.update(attempts=OutboxMessage.attempts + 1, claimed_until=retry_at)
    async with transaction(deps.sessions) as session:
        marked = await session.exec(
            update(OutboxMessage)
            .where(OutboxMessage.id == row.id, OutboxMessage.claimed_by == me, _UNSENT)
            .values(**values)
        )
        if marked.rowcount != 1:
            # Recorded already by our own earlier try, whose answer was lost, if the chat's
            # next row is ours too: carry on with it. Otherwise another process has the chat.
            ours = (
                await session.exec(
                    select(OutboxMessage)
                    .where(
                        OutboxMessage.telegram_id == row.telegram_id,
                        OutboxMessage.claimed_by == me,
                        _UNSENT,
                    )
                    .order_by(_ORDER)
                    .limit(1)
                )
            ).first()
            if ours is not None:
                ours.claimed_until = now + lease
                session.add(ours)
            return ours
        if outcome == Outcome.LATER:
            return None  # a row that must wait holds its chat back: nothing after it goes
        if outcome == Outcome.UNREACHABLE:
            await person_unreachable(deps, session, row.person_id)
        following = (
            await session.exec(
                select(OutboxMessage)
                .where(OutboxMessage.telegram_id == row.telegram_id, _UNSENT)
                .order_by(_ORDER)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
        ).first()
        if following is None or not (
            following.claimed_until is None or following.claimed_until < now
        ):
            return None
        following.claimed_by, following.claimed_until = me, now + lease
        session.add(following)
        return following


async def renew(
    sessions: SessionFactory, me: str, ids: list[int], now: datetime, lease: timedelta
) -> None:
    """Extend this process's leases on the rows it is sending right now."""
    await leases.renew(sessions, OutboxMessage.id, _UNSENT, me=me, keys=ids, now=now, lease=lease)


async def release(sessions: SessionFactory, me: str | None = None) -> None:
    """Give up this process's claims (it is stopping), so another may take them at once;
    ``me`` None: every claim (only when this is the one process, on SQLite)."""
    await leases.release(sessions, OutboxMessage, _UNSENT, me)


async def purge(deps: Deps, session: AsyncSession) -> list[Notice]:
    """The scheduler's sweep: forget sent and failed rows older than ``outbox.keep_sent``
    (their text went the moment they were sent)."""
    before = deps.now() - deps.config.outbox.keep_sent
    done = or_(OutboxMessage.sent_at.is_not(None), OutboxMessage.failed.is_(True))
    finished_at = func.coalesce(OutboxMessage.sent_at, OutboxMessage.created_at)
    await session.exec(delete(OutboxMessage).where(done, finished_at < before))
    return []


async def person_unreachable(deps: Deps, session: AsyncSession, person_id: int | None) -> None:
    """The one policy for someone Telegram says we cannot reach (``notify.unreachable``),
    whichever path found out: they are marked unreachable, and the coordinators are told
    once (queued, sent next) until they are heard from again."""
    if person_id is None or not await people.mark_unreachable(session, person_id, deps.now()):
        return
    person = await session.get(Person, person_id)
    ref = (worker_ref if person.role == Role.PEER_WORKER else person_ref)(person_id)
    notices = await people.coordinator_notices(session, saying("coord_unreachable", ref=ref))
    # A coordinator who cannot be reached is not told about themselves.
    enqueue(deps, session, [n for n in notices if n.person_id != person_id])
