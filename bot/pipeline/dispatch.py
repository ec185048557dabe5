"""Handling stored updates: each chat strictly in order, many chats at once.

A bounded set of workers each owns one chat at a time (its lease in the inbox): it hands the
chat's oldest unhandled update to the Application, marks it handled once handling has
finished, and takes the chat's next update in the same transaction. A slow or rate-limited
chat holds up only itself.

When handling fails because the database went away, the update stays unhandled and is tried
again with a growing pause (the person is told once, truthfully, that their message is kept);
a risk phrase gets the crisis lines from memory within a second, also when handling merely
hangs. A failure of Telegram's (a send that timed out may have arrived) is not tried again;
any other failure is tried ``pipeline.max_attempts`` times, then set aside with an apology
asking them to send it again.

A crash between the end of handling and the mark, or a retry after the database failed
part-way, handles that update again: what it had already sent may be sent again. Form
answers are not applied twice (drafts remember the last update applied), nor is a relayed
message whose delivery was recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import traceback
from collections.abc import Callable
from datetime import datetime

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.config import PipelineConfig
from bot.db import SessionFactory
from bot.models import InboxUpdate
from bot.notify import Reply, send
from bot.pipeline import inbox
from bot.pipeline.emergency import SafetyFromMemory
from bot.pipeline.faults import database_unavailable
from bot.pipeline.inbox import Outcome
from bot.pipeline.metrics import Metrics
from bot.scheduler import PROCESS_NAME, process_name
from bot.texts import t
from bot.tg import handling

log = logging.getLogger(__name__)

LOOK_EVERY = 1.0  # seconds between looks at the inbox when nothing wakes the dispatcher
MAX_PAUSE = 15.0
SAFETY_WITHIN = 1.0  # seconds handling may take before risk phrases are answered from memory
BACKLOG_AFTER = 10.0  # seconds in the inbox after which an update is backlog, not a flood


class Dispatcher:
    def __init__(
        self,
        application: Application,
        sessions: SessionFactory,
        config: PipelineConfig,
        safety: SafetyFromMemory,
        clock: Callable[[], datetime],
        metrics: Metrics,
    ) -> None:
        self._application = application
        self._sessions = sessions
        self._config = config
        self._safety = safety
        self._clock = clock
        self._metrics = metrics
        self.me = application.bot_data.setdefault(PROCESS_NAME, process_name())
        self.wake = asyncio.Event()
        self._active: dict[int, asyncio.Task] = {}
        self._current: dict[int, int] = {}  # chat -> the update being handled (for renewals)
        self._stopping = False
        self._claiming = asyncio.Lock()  # stop() waits for a claim under way to commit

    # -- the loop that hands chats to workers --------------------------------------------------

    async def run(self) -> None:
        renewing = asyncio.create_task(self._renew_leases())
        pause = 0.5
        try:
            while not self._stopping:
                self.wake.clear()
                free = self._config.concurrency - len(self._active)
                if free > 0:
                    try:
                        async with self._claiming:
                            if self._stopping:
                                break
                            rows = await inbox.claim(
                                self._sessions,
                                self.me,
                                free,
                                self._clock(),
                                self._config.lease,
                                set(self._active),
                            )
                    except Exception as error:  # noqa: BLE001  (the loop never dies)
                        self._log_claim_failure(error)
                        await asyncio.sleep(pause)
                        pause = min(pause * 2, MAX_PAUSE)
                        continue
                    pause = 0.5
                    for row in rows:
                        self._active[row.chat_id] = asyncio.create_task(self._work(row))
                    if len(rows) == free:
                        continue  # there may be more waiting: look again at once
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), LOOK_EVERY)
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing

    async def stop(self, grace: float) -> None:
        """Take nothing new; let what is being handled finish within ``grace`` seconds; what
        is cut short stays unhandled and is handled again at the next start."""
        self._stopping = True
        self.wake.set()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(1.0):
                async with self._claiming:  # a claim under way commits before the release
                    pass
        tasks = list(self._active.values())
        if tasks:
            _done, cut_short = await asyncio.wait(tasks, timeout=grace)
            for task in cut_short:
                task.cancel()
            await asyncio.gather(*cut_short, return_exceptions=True)
        with contextlib.suppress(Exception):  # let the next start take these chats at once
            async with asyncio.timeout(1.0):
                await inbox.release(self._sessions, self.me)

    def _log_claim_failure(self, error: BaseException) -> None:
        if database_unavailable(error):
            log.warning(
                "cannot read the inbox: the database is unavailable (%s)", type(error).__name__
            )
        else:
            log.error("cannot read the inbox (%s)\n%s", type(error).__name__, _frames(error))

    async def _renew_leases(self) -> None:
        every = self._config.lease.total_seconds() / 3
        while True:
            await asyncio.sleep(every)
            with contextlib.suppress(Exception):  # a lapsed lease is noticed before a retry
                await inbox.renew(
                    self._sessions,
                    self.me,
                    list(self._current.values()),
                    self._clock(),
                    self._config.lease,
                )

    # -- one chat ------------------------------------------------------------------------------

    async def _work(self, row: InboxUpdate | None) -> None:
        chat_id = row.chat_id
        try:
            while row is not None:
                self._current[chat_id] = row.update_id
                outcome = await self._handle_until_done(row)
                if outcome is None:  # stopping, or another process took it over
                    return
                row = await self._finish(row, outcome)
        finally:
            self._current.pop(chat_id, None)
            self._active.pop(chat_id, None)
            self.wake.set()

    async def _handle_until_done(self, row: InboxUpdate) -> Outcome | None:
        update = Update.de_json(json.loads(row.payload or "{}"), self._application.bot)
        attempt, failures, told = 0, row.attempts, False
        while not self._stopping:
            if attempt and not await self._still_ours(row):
                return None
            waited = (self._clock() - row.received_at).total_seconds() > BACKLOG_AFTER
            current = await self._handle_once(row.update_id, update, attempt, waited)
            error = current.error
            attempt += 1
            if error is None:
                self._metrics.latency.observe(
                    max(0.0, (self._clock() - row.received_at).total_seconds())
                )
                return Outcome.HANDLED
            if isinstance(error, TelegramError):
                # Telegram failed mid-way (a send that timed out may have arrived): handling it
                # again could say everything twice. The person may send it again.
                self._metrics.retried.labels("telegram").inc()
                log.warning(
                    "update %s: Telegram failed (%s); not tried again",
                    row.update_id,
                    type(error).__name__,
                )
                if current.crisis_lines_failed:  # they matter most: memory tries once more
                    await self._safety.cover([update], tell_slow=False)
                await self._tell(row, update, "error_gave_up")
                return Outcome.GAVE_UP
            if database_unavailable(error):
                self._metrics.retried.labels("database").inc()
                log.warning(
                    "update %s: the database is unavailable (%s); trying again",
                    row.update_id,
                    type(error).__name__,
                )
                if not told:  # once per message, and true: it is stored
                    told = True
                    await self._safety.cover([update], tell_slow=False)
                    await self._tell(row, update, "error_will_retry")
                await asyncio.sleep(min(2.0 ** min(attempt - 1, 4), MAX_PAUSE))
                continue
            failures += 1
            self._metrics.retried.labels("error").inc()
            log.error(
                "update %s failed with %s\n%s", row.update_id, type(error).__name__, _frames(error)
            )
            with contextlib.suppress(Exception):
                await inbox.count_failure(self._sessions, row.update_id, failures)
            if failures >= self._config.max_attempts:
                await self._tell(row, update, "error_gave_up")
                return Outcome.GAVE_UP
            await asyncio.sleep(min(2.0 ** (failures - 1), MAX_PAUSE))
        return None

    async def _still_ours(self, row: InboxUpdate) -> bool:
        """Before trying again: extend the lease, or find another process has the update. If
        the database cannot say, go on (the lease is checked again when finishing)."""
        try:
            held = await inbox.hold(
                self._sessions, self.me, row.update_id, self._clock(), self._config.lease
            )
        except Exception:  # noqa: BLE001
            return True
        if not held:
            log.warning("update %s: another process has taken it over", row.update_id)
        return held

    async def _handle_once(
        self, update_id: int, update: Update, attempt: int, from_backlog: bool
    ) -> handling.Handling:
        """One try; the returned Handling carries its error, if any."""
        current = handling.Handling(
            update_id,
            crisis_lines_sent=self._safety.crisis_lines_sent(update_id),
            attempt=attempt,
            from_backlog=from_backlog,
        )
        token = handling.begin(current)
        processing = asyncio.create_task(self._application.process_update(update))
        try:
            done, _ = await asyncio.wait({processing}, timeout=SAFETY_WITHIN)
            if not done:  # slow, perhaps a database that does not answer: safety cannot wait
                await self._safety.cover([update], tell_slow=False, handling=current)
            await processing
        except Exception as error:  # noqa: BLE001  (handed back like any other failure)
            current.error = current.error or error
        finally:
            handling.end(token)
            if not processing.done():  # stopping, or memory failed oddly: no orphan left
                processing.cancel()
                await asyncio.gather(processing, return_exceptions=True)
            if current.crisis_lines_sent:
                self._safety.note_crisis_lines_sent(update_id)
        return current

    async def _finish(self, row: InboxUpdate, outcome: Outcome) -> InboxUpdate | None:
        """Mark it handled, and take the chat's next update; keep trying while the database
        is away (a crash meanwhile handles this update once more at the next start)."""
        pause = 0.5
        while True:
            try:
                following = await inbox.finish(
                    self._sessions,
                    self.me,
                    row,
                    outcome,
                    self._clock(),
                    self._config.lease,
                    claim_next=not self._stopping,
                )
            except inbox.LeaseLost:
                log.warning("update %s: another process took it over meanwhile", row.update_id)
                return None
            except Exception as error:  # noqa: BLE001
                if self._stopping:
                    return None
                log.warning(
                    "update %s handled, but not yet marked (%s); trying again",
                    row.update_id,
                    type(error).__name__,
                )
                await asyncio.sleep(pause)
                pause = min(pause * 2, MAX_PAUSE)
                continue
            self._metrics.handled.labels(outcome.value).inc()
            return following

    async def _tell(self, row: InboxUpdate, update: Update, key: str) -> None:
        if row.chat_id <= 0:
            return
        language = self._safety.language_of(update.effective_user)
        try:
            await send(self._application.bot, row.chat_id, Reply(t(key, language)))
        except TelegramError as error:
            log.warning("update %s: could not say so (%s)", row.update_id, type(error).__name__)


def _frames(error: BaseException) -> str:
    # The exception's message can carry message text or SQL parameters: its frames only.
    return "".join(traceback.format_tb(error.__traceback__))
