"""Long polling that loses nothing: getUpdates' offset moves past a batch only once the
batch is stored. Until then Telegram keeps the updates (for up to a day) and hands the same
ones out again, so a crash or a database outage costs time, never a message."""

from __future__ import annotations

import asyncio
import json
import logging

import httpx
from telegram import Bot
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.pipeline.receiving import Receiver
from bot.tg.ratelimit import retry_after_seconds

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
POLL_TIMEOUT = 10  # seconds Telegram holds a getUpdates open when there is nothing new
MAX_BACKOFF = 30.0
STORE_RETRY = 1.0  # seconds between tries to store a batch the database would not take


async def get_updates(
    bot: Bot, client: httpx.AsyncClient, offset: int | None, hold_for: int
) -> list:
    """One getUpdates call, answered as raw JSON: python-telegram-bot's own parses the whole
    batch at once, drops it if one update does not parse, and logs it with its content.
    Failures are python-telegram-bot's exceptions, as its own call would raise them."""
    body: dict[str, object] = {"timeout": hold_for, "allowed_updates": ALLOWED_UPDATES}
    if offset is not None:
        body["offset"] = offset
    try:
        answer = await client.post(
            f"{bot.base_url}/getUpdates", json=body, timeout=httpx.Timeout(5, read=hold_for + 5)
        )
    except httpx.HTTPError as error:
        raise NetworkError(f"{type(error).__name__}") from None
    try:
        payload = json.loads(answer.content)
    except ValueError:
        payload = {}
    if not isinstance(payload, dict):
        payload = {}
    if answer.status_code == 200 and payload.get("ok"):
        result = payload.get("result")
        return result if isinstance(result, list) else []
    description = str(payload.get("description") or "")[:200]
    retry_after = (payload.get("parameters") or {}).get("retry_after")
    if isinstance(retry_after, int):
        raise RetryAfter(retry_after)
    if answer.status_code in (401, 404):
        raise InvalidToken(description)
    if answer.status_code == 409:
        raise Conflict(description)
    raise NetworkError(f"getUpdates answered {answer.status_code} {description}".rstrip())


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
