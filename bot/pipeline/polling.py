"""Long polling that loses nothing: getUpdates' offset moves past a batch only once the
batch is stored. Until then Telegram keeps the updates (for up to a day) and hands the same
ones out again, so a crash or a database outage costs time, never a message."""

from __future__ import annotations

import asyncio
import logging

import httpx
from telegram import Bot
from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError

from bot.pipeline.botapi import get_updates
from bot.pipeline.receiving import Receiver
from bot.tg.ratelimit import retry_after_seconds

log = logging.getLogger(__name__)

POLL_TIMEOUT = 10  # seconds Telegram holds a getUpdates open when there is nothing new
MAX_BACKOFF = 30.0
STORE_RETRY = 1.0  # seconds between tries to store a batch the database would not take


class Poller:
    def __init__(self, bot: Bot, client: httpx.AsyncClient, receiver: Receiver) -> None:
        self._bot = bot
        self._client = client
        self._receiver = receiver
        self.offset: int | None = None

    async def run(self, first_batch: list) -> None:
        """Until cancelled. ``first_batch`` is what the start-up getUpdates returned."""
        batch = first_batch
        while True:
            if batch:
                if await self._receiver.store(batch):
                    ids = [raw["update_id"] for raw in batch if _has_id(raw)]
                    if ids:
                        self.offset = max(ids) + 1
                else:
                    # Not stored, so not acknowledged: ask again in a second. Not longer, so
                    # that a risk phrase sent meanwhile is answered from memory in time; but
                    # Telegram hands out the oldest 100 only, so while more than 100 wait,
                    # newer ones are seen once the database is back.
                    await asyncio.sleep(STORE_RETRY)
            batch = await self._fetch()

    async def _fetch(self) -> list:
        backoff = 1.0
        while True:
            try:
                return await get_updates(self._bot, self._client, self.offset, POLL_TIMEOUT)
            except RetryAfter as error:
                delay = retry_after_seconds(error)
                log.warning("getUpdates: Telegram asked to wait %.0f s", delay)
            except Conflict:
                delay = backoff
                log.warning(
                    "getUpdates: another process is polling this bot (409); run one poller, "
                    "or use webhook mode for several processes"
                )
            except InvalidToken:
                delay = MAX_BACKOFF
                log.error("getUpdates: Telegram refused the token; retrying in %.0f s", delay)
            except TelegramError as error:  # NetworkError, TimedOut, a 5xx
                delay = backoff
                log.warning("cannot reach the Bot API (%s); retrying", type(error).__name__)
            await asyncio.sleep(delay)
            backoff = min(backoff * 2, MAX_BACKOFF)


def _has_id(raw: object) -> bool:
    return isinstance(raw, dict) and isinstance(raw.get("update_id"), int)
