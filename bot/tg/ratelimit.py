"""Sending within Telegram's limits without one chat holding up another.

python-telegram-bot's ``AIORateLimiter`` pauses *every* request when Telegram answers one
with RetryAfter, so one chat under a flood wait would delay someone else's /help_now. Here a
RetryAfter for a chat pauses that chat only (a RetryAfter with no chat pauses everything),
and sends are spaced evenly under the overall limit rather than let through in bursts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import warnings
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter, TelegramError
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

# Methods that only answer a tap: Telegram does not count them against the sending limit.
_NOT_PACED = frozenset({"answerCallbackQuery", "getMe", "setMyCommands", "deleteWebhook"})


def retry_after_seconds(error: RetryAfter) -> float:
    """How long Telegram asked to wait (python-telegram-bot 22 warns that the attribute's
    type will change from seconds to a timedelta; either is read here)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wait = error.retry_after
    return wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)


class ChatPacedRateLimiter(BaseRateLimiter[int]):
    def __init__(self, per_second: float, max_retries: int) -> None:
        self._interval = 1.0 / per_second
        self._max_retries = max_retries
        self._next_slot = 0.0
        self._slot_lock = asyncio.Lock()
        self._chat_resume: dict[int | str, float] = {}  # chat -> monotonic time it may send
        self._all_resume = 0.0
        # Told "sent", "retry_after" or "failed" for every send to a chat (for metrics).
        self.on_outcome: Callable[[str], None] = lambda _outcome: None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def _wait_for_slot(self) -> None:
        """Sends go through here one at a time (first come, first served), each at least one
        interval after the previous one actually went: slots reserved ahead would let a late
        wake-up bunch two sends together, and Telegram counts them as they arrive."""
        async with self._slot_lock:
            delay = self._next_slot - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            self._next_slot = time.monotonic() + self._interval

    async def _wait_out_pauses(self, chat: int | str | None) -> None:
        while True:
            resume = max(self._all_resume, self._chat_resume.get(chat, 0.0) if chat else 0.0)
            delay = resume - time.monotonic()
            if delay <= 0:
                return
            await asyncio.sleep(delay)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat = data.get("chat_id")
        with contextlib.suppress(TypeError, ValueError):
            chat = int(chat) if chat is not None else None
        retries = rate_limit_args or self._max_retries
        for attempt in range(retries + 1):
            await self._wait_out_pauses(chat)
            if endpoint not in _NOT_PACED and chat is not None:
                await self._wait_for_slot()
            try:
                result = await callback(*args, **kwargs)
            except RetryAfter as error:
                if chat is not None:
                    self.on_outcome("retry_after")
                if attempt == retries:
                    raise
                seconds = retry_after_seconds(error)
                resume = time.monotonic() + seconds + 0.1
                if chat is None:
                    self._all_resume = max(self._all_resume, resume)
                else:
                    self._chat_resume[chat] = max(self._chat_resume.get(chat, 0.0), resume)
                log.info(
                    "Telegram asked to wait %.1f s (%s)",
                    seconds,
                    "one chat" if chat is not None else "all sends",
                )
                self._forget_past_pauses()
            except TelegramError:
                if chat is not None:
                    self.on_outcome("failed")
                raise
            else:
                if chat is not None:
                    self.on_outcome("sent")
                return result
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _forget_past_pauses(self) -> None:
        if len(self._chat_resume) > 1000:
            now = time.monotonic()
            for chat in [c for c, until in self._chat_resume.items() if until < now]:
                del self._chat_resume[chat]
