"""Sending what the bot queued (bot/outbox.py): many chats at once, each chat in order.

The process that leads the sweeps sends (bot/scheduler.py), so that the bot's overall pace
holds however many processes run; the claims below are what make a change of leader safe
(an old leader still finishing its sends while the new one starts).

Up to ``outbox.concurrency`` chats are sent to at a time. For each, a task sends the chat's
oldest unsent message (claimed with a lease), records the outcome straight after Telegram
answered and claims the chat's next message in the same transaction. The bot's rate limiter
(bot/tg/ratelimit.py) spaces all sends evenly under ``telegram.bulk_messages_per_second`` and
waits out a RetryAfter for its chat only.

What a crash can repeat: only the sends in flight at that instant (at most
``outbox.concurrency``), whose outcome was not recorded yet; their leases lapse and the next
process to claim them sends them again. A stop lets the sends in flight finish (within the
grace it is given), gives the rest back, and leaves them queued for the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from telegram import Bot
from telegram.error import BadRequest, RetryAfter, TelegramError

from bot import outbox
from bot.deps import Deps
from bot.models import OutboxMessage
from bot.notify import send, unreachable
from bot.outbox import Outcome
from bot.pipeline.faults import database_unavailable
from bot.tg.ratelimit import retry_after_seconds

log = logging.getLogger(__name__)

LOOK_EVERY = 1.0  # seconds between looks at the outbox when nothing wakes the sender
REFILL_WITHIN = 0.2  # seconds a freed place may wait for others before claiming again
FIRST_PAUSE = timedelta(seconds=5)  # before trying a message again after a passing failure
LONGEST_PAUSE = timedelta(minutes=5)
RECORD_TRIES = 10  # tries to record an outcome while the database is away
GIVE_UP_AFTER = 20  # passing failures in a row (about an hour and a half of pauses)
CLAIM_WAIT = 1.0  # seconds a stop waits for a claim under way
RELEASE_WAIT = 1.0  # seconds a stop waits to give back its claims


class OutboxSender:
    def __init__(
        self,
        bot: Bot,
        deps: Deps,
        me: str,
        lease: timedelta,
        may_claim: Callable[[], bool] = lambda: True,
    ) -> None:
        """``may_claim``: whether this process sends at the moment (the sweeps' leader does,
        so that the overall pace holds however many processes run)."""
        self._bot = bot
        self._may_claim = may_claim
        self._deps = deps
        self._me = me
        self._lease = lease
        self._concurrency = deps.config.outbox.concurrency
        self.wake = asyncio.Event()
        self._chats: dict[int, asyncio.Task] = {}  # telegram id -> the task sending to it
        self._in_hand: dict[int, OutboxMessage] = {}  # row id -> the row, claimed by us
        self._stopping = False
        self._claiming = asyncio.Lock()  # a stop waits for a claim under way to commit

    async def run(self, until_empty: bool = False) -> None:
        """Until stopped (``until_empty``: until nothing is left that can be sent now)."""
        renewing = asyncio.create_task(self._renew_leases())
        pause = LOOK_EVERY
        try:
            while not self._stopping:
                self.wake.clear()  # before looking: a wake from now on is not missed
                free = self._concurrency - len(self._chats)
                claimed = []
                if free > 0 and self._may_claim():
                    async with self._claiming:
                        try:
                            claimed = await outbox.claim(
                                self._deps.sessions,
                                self._me,
                                free,
                                self._deps.now(),
                                self._lease,
                                set(self._chats),
                            )
                            pause = LOOK_EVERY
                        except Exception as error:  # noqa: BLE001  (the sender never dies)
                            if database_unavailable(error):
                                log.warning("outbox: the database did not answer; trying again")
                            else:
                                log.error("outbox: claiming failed with %s", type(error).__name__)
                            pause = min(pause * 2, 30.0)
                        if self._stopping:
                            return  # what was just claimed is given back by ``stop``
                        for row in claimed:
                            task = asyncio.create_task(self._send_chat(row))
                            self._chats[row.telegram_id] = task
                if until_empty and not claimed and not self._chats:
                    return
                if claimed and len(claimed) == free:
                    await self._wait_for_places()  # likely more waiting: claim as places free
                else:
                    await self._wait(pause)
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing

    async def stop(self, grace: float) -> None:
        """Claim nothing more; let the sends in flight finish within ``grace`` seconds, cancel
        the rest (a send cancelled mid-call may have arrived: it counts as in flight), and give
        back every claim so that the next process sends them at once."""
        self._stopping = True
        self.wake.set()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(CLAIM_WAIT):
                async with self._claiming:
                    pass
        if self._chats:
            _done, late = await asyncio.wait(list(self._chats.values()), timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        with contextlib.suppress(Exception):
            async with asyncio.timeout(RELEASE_WAIT):
                await outbox.release(self._deps.sessions, self._me)

    # -- one chat ---------------------------------------------------------------------------

    async def _send_chat(self, row: OutboxMessage | None) -> None:
        chat = row.telegram_id
        try:
            while row is not None and not self._stopping:
                self._in_hand[row.id] = row
                outcome, retry_at = await self._send(row)
                following = await self._record(row, outcome, retry_at)
                self._in_hand.pop(row.id, None)
                row = following
        except Exception as error:  # noqa: BLE001  (its lease lapses; it is tried again)
            log.error("outbox %s: sending failed with %s", row.id, type(error).__name__)
        finally:
            if row is not None:
                self._in_hand.pop(row.id, None)  # claimed and not sent: given back at stop
            self._chats.pop(chat, None)
            self.wake.set()

    async def _send(self, row: OutboxMessage) -> tuple[Outcome, datetime | None]:
        try:
            await send(self._bot, row.telegram_id, outbox.reply_of(row))
            return Outcome.SENT, None
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001  (not Telegram's: it will not go better)
            if not isinstance(error, TelegramError):
                log.error("outbox %s: cannot be sent (%s)", row.id, type(error).__name__)
                return Outcome.REFUSED, None
            return self._telegram_failure(row, error)

    def _telegram_failure(
        self, row: OutboxMessage, error: TelegramError
    ) -> tuple[Outcome, datetime | None]:
        if unreachable(error):
            log.info("outbox %s: recipient cannot be reached", row.id)
            return Outcome.UNREACHABLE, None
        if isinstance(error, BadRequest):
            log.warning("outbox %s: refused (%s)", row.id, type(error).__name__)
            return Outcome.REFUSED, None
        # The network, or Telegram busy even after the limiter's retries: later, unless it
        # has failed so for so long that it would only arrive out of its time.
        if row.attempts + 1 >= GIVE_UP_AFTER:
            log.warning("outbox %s: given up after %d tries", row.id, GIVE_UP_AFTER)
            return Outcome.REFUSED, None
        pause = min(FIRST_PAUSE * 2**row.attempts, LONGEST_PAUSE)
        if isinstance(error, RetryAfter):
            pause = max(pause, timedelta(seconds=retry_after_seconds(error)))
        log.warning("outbox %s: not sent yet (%s)", row.id, type(error).__name__)
        return Outcome.LATER, self._deps.now() + pause

    async def _record(
        self, row: OutboxMessage, outcome: Outcome, retry_at: datetime | None
    ) -> OutboxMessage | None:
        """The outcome, and the chat's next row. While the database is away this keeps trying
        (the lease is renewed meanwhile); if it never answers, the row is sent again by
        whoever claims it next: one repeat, the in-flight kind."""
        pause = 0.5
        for _try in range(RECORD_TRIES):
            try:
                return await outbox.finish(
                    self._deps, self._me, row, outcome, self._lease, retry_at
                )
            except Exception as error:
                if not database_unavailable(error) or self._stopping:
                    raise
                await asyncio.sleep(pause)
                pause = min(pause * 2, 10.0)
        return None

    # -- waiting and leases ---------------------------------------------------------------

    async def _wait(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self.wake.wait()

    async def _wait_for_places(self) -> None:
        """Every place is taken: wait until half are free, or a little while after the first
        one is, so that one claim serves several places."""
        deadline = None
        while not self._stopping:
            self.wake.clear()
            free = self._concurrency - len(self._chats)
            if free * 2 >= self._concurrency:
                return
            if free > 0:
                deadline = deadline or time.monotonic() + REFILL_WITHIN
                if time.monotonic() >= deadline:
                    return
            await self._wait(REFILL_WITHIN if free > 0 else LOOK_EVERY)

    async def _renew_leases(self) -> None:
        every = self._lease.total_seconds() / 3
        while True:
            await asyncio.sleep(every)
            try:
                await outbox.renew(
                    self._deps.sessions,
                    self._me,
                    list(self._in_hand),
                    self._deps.now(),
                    self._lease,
                )
            except Exception as error:  # noqa: BLE001  (tried again at the next renewal)
                log.warning("outbox: could not renew leases (%s)", type(error).__name__)


async def send_queued(bot: Bot, deps: Deps, me: str = "send-queued") -> None:
    """Send everything that can be sent now, then return (tests, benchmarks, one-off runs)."""
    sender = OutboxSender(bot, deps, me, timedelta(seconds=30))
    await sender.run(until_empty=True)
