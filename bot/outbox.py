"""Exactly-once delivery for scheduled messages.

The sweep that claims due items writes their messages here in the same transaction; the
sender then sends them oldest first, recording each one as sent straight after. A stop or
crash between two sends loses nothing and repeats nothing; the next start carries on.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Iterable

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Bot
from telegram.error import BadRequest, TelegramError

from bot import callbacks, people
from bot.db import transaction
from bot.deps import Deps
from bot.models import OutboxMessage, Person, Role
from bot.notify import Button, Notice, Reply, send, unreachable
from bot.texts import t
from bot.texts.fragments import person_ref, worker_ref

log = logging.getLogger(__name__)
BATCH = 200


def enqueue(deps: Deps, session: AsyncSession, notices: Iterable[Notice]) -> int:
    count = 0
    for notice in notices:
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
            )
        )
        count += 1
    return count


def _button(stored: dict) -> Button:
    return Button(stored["label"], callbacks.decode(stored.get("data")), stored.get("url"))


def _reply(row: OutboxMessage) -> Reply:
    return Reply(row.text, tuple(tuple(_button(b) for b in r) for r in row.buttons))


class Pacer:
    """At most ``rate`` sends in any one second (a sliding window), so a bulk send stays under
    Telegram's 30 messages/s overall instead of bursting and being told to retry."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.recent: deque[float] = deque()

    async def wait(self) -> None:
        now = time.monotonic()
        while self.recent and now - self.recent[0] >= 1.0:
            self.recent.popleft()
        if len(self.recent) >= self.rate:
            await asyncio.sleep(1.0 - (now - self.recent[0]))
            self.recent.popleft()
        self.recent.append(time.monotonic())


async def drain(deps: Deps, bot: Bot) -> int:
    """One pass over what is waiting, oldest first, paced. Returns how many were sent.

    A message that fails for a passing reason (network, Telegram busy) stays queued for the
    next sweep, so one stubborn message never holds up the rest or the scheduler.
    """
    sent = 0
    last_id = 0
    pacer = Pacer(deps.config.telegram.bulk_messages_per_second)
    while True:
        async with transaction(deps.sessions) as session:
            batch = (
                await session.exec(
                    select(OutboxMessage)
                    .where(
                        OutboxMessage.sent_at.is_(None),
                        OutboxMessage.failed.is_(False),
                        OutboxMessage.id > last_id,
                    )
                    .order_by(OutboxMessage.id)
                    .limit(BATCH)
                )
            ).all()
        if not batch:
            return sent
        last_id = batch[-1].id
        for row in batch:
            await pacer.wait()
            sent += await _send_one(deps, bot, row)


async def _send_one(deps: Deps, bot: Bot, row: OutboxMessage) -> int:
    """Send outside any transaction (SQLite stays free for everyone else meanwhile), then
    record the outcome in a short one. The scheduler runs in one process (long polling
    allows only one); a crash in the instant between a send and its record may repeat that
    one message, never more."""
    outcome = "sent"
    try:
        await send(bot, row.telegram_id, _reply(row))
    except TelegramError as error:
        if unreachable(error):
            outcome = "unreachable"
        elif isinstance(error, BadRequest):
            outcome = "refused"
            log.warning("outbox %s: refused (%s)", row.id, type(error).__name__)
        else:
            # Network trouble or repeated RetryAfter: leave it for the next sweep.
            log.warning("outbox %s: not sent yet (%s)", row.id, type(error).__name__)
            return 0
    async with transaction(deps.sessions) as session:
        stored = await session.get(OutboxMessage, row.id)
        if outcome == "sent":
            stored.sent_at = deps.now()
        else:
            stored.failed = True  # never retried: it cannot get through
        session.add(stored)
        if outcome == "unreachable":
            log.info("outbox %s: recipient cannot be reached", row.id)
            await person_unreachable(deps, session, row.person_id)
    return 1 if outcome == "sent" else 0


async def person_unreachable(deps: Deps, session: AsyncSession, person_id: int | None) -> None:
    """The one policy for someone Telegram says we cannot reach (``notify.unreachable``),
    whichever path found out: they are marked unreachable, and the coordinators are told
    once (queued, sent next) until they are heard from again."""
    if person_id is None or not await people.mark_unreachable(session, person_id, deps.now()):
        return
    person = await session.get(Person, person_id)
    ref = (worker_ref if person.role == Role.PEER_WORKER else person_ref)(person_id)
    reply = Reply(t("coord_unreachable", ref=ref))
    notices = await people.coordinator_notices(session, reply)
    # A coordinator who cannot be reached is not told about themselves.
    enqueue(deps, session, [n for n in notices if n.person_id != person_id])
