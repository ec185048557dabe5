"""Storing what Telegram sends, before Telegram is told it arrived.

Shared by long polling and the webhook. If the insert has not finished within a second,
the batch's risk phrases and /help_now are answered from memory while it goes on trying;
if it fails, the caller does not acknowledge (polling keeps its offset; a webhook answers
503) and Telegram delivers the same updates again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from telegram import Bot, Update

from bot.db import SessionFactory
from bot.pipeline import inbox
from bot.pipeline.emergency import SafetyFromMemory
from bot.pipeline.faults import database_unavailable

log = logging.getLogger(__name__)

ANSWER_FROM_MEMORY_AFTER = 1.0  # seconds an insert may take before safety stops waiting
STORE_TIMEOUT = 10.0


class Receiver:
    def __init__(
        self,
        bot: Bot,
        sessions: SessionFactory,
        safety: SafetyFromMemory,
        clock: Callable[[], datetime],
        on_stored: Callable[[int], None],
    ) -> None:
        self._bot = bot
        self._sessions = sessions
        self._safety = safety
        self._clock = clock
        self._on_stored = on_stored

    async def store(self, raw_updates: list[object]) -> bool:
        """Store a batch; True once it is in the database (only then may it be acknowledged).
        Anything without an update id is skipped; anything unreadable is kept by id only."""
        arrivals = [a for a in (inbox.arrival_of(raw, self._bot) for raw in raw_updates) if a]
        unreadable = len(raw_updates) - sum(a.payload is not None for a in arrivals)
        if unreadable:
            ids = [a.update_id for a in arrivals if a.payload is None]
            log.warning("set aside %d update(s) that could not be read: ids %s", unreadable, ids)
        if not arrivals:
            return True
        storing = asyncio.ensure_future(inbox.store(self._sessions, arrivals, self._clock()))
        done, _ = await asyncio.wait({storing}, timeout=ANSWER_FROM_MEMORY_AFTER)
        if not done:
            await self._safety.cover(self._readable(raw_updates))
        try:
            await asyncio.wait_for(storing, STORE_TIMEOUT)
        except Exception as error:  # noqa: BLE001  (whatever it is, nothing is acknowledged)
            kind = "the database is unavailable" if database_unavailable(error) else "failed"
            log.warning(
                "could not store %d update(s): %s (%s); Telegram will deliver them again",
                len(arrivals),
                kind,
                type(error).__name__,
            )
            await self._safety.cover(self._readable(raw_updates))
            return False
        self._safety.recovered()
        self._on_stored(len(arrivals))
        return True

    def _readable(self, raw_updates: list[object]) -> list[Update]:
        updates = []
        for raw in raw_updates:
            try:
                update = Update.de_json(raw, self._bot) if isinstance(raw, dict) else None
            except Exception:  # noqa: BLE001
                update = None
            if update is not None:
                updates.append(update)
        return updates
