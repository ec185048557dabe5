"""The Bot API calls receiving makes itself, answered as raw JSON, and the first look at
start-up. Light on purpose: ``peerlink run`` takes its first look before the handlers load."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from telegram import Bot
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]


class StartupFailure(Exception):
    """The bot could not start; the message is the one line to print."""


class TokenRefused(StartupFailure):
    pass


async def get_updates(
    bot: Bot, client: httpx.AsyncClient, offset: int | None, hold_for: int
) -> list:
    """One getUpdates call, answered as raw JSON: python-telegram-bot's own parses the whole
    batch at once, drops it if one update does not parse, and logs it with its content.
    Failures are python-telegram-bot's exceptions, as its own call would raise them."""
    body: dict[str, object] = {"timeout": hold_for, "allowed_updates": ALLOWED_UPDATES}
    if offset is not None:
        body["offset"] = offset
    result = await _call(bot, client, "getUpdates", body, read_timeout=hold_for + 5)
    return result if isinstance(result, list) else []


@contextmanager
def start_up_failures(base_url: str) -> Iterator[None]:
    """Telegram's refusals while starting, as one line for ``peerlink run`` to print.
    ``base_url``: as configured, without the token."""
    try:
        yield
    except InvalidToken:
        raise TokenRefused() from None
    except TelegramError as error:
        first = (str(error).splitlines() or [""])[0][:200] or type(error).__name__
        raise StartupFailure(f"cannot reach the Bot API at {base_url}: {first}") from None


async def first_look(bot: Bot) -> list:
    """Before the handlers load: out of webhook mode, and what is waiting, fetched but not
    acknowledged (the poller stores it, and only then moves the offset on)."""
    with start_up_failures(bot.base_url.removesuffix(bot.token)):  # never the token itself
        async with httpx.AsyncClient() as client:
            await _call(bot, client, "deleteWebhook", {}, read_timeout=5)
            return await get_updates(bot, client, None, hold_for=0)


async def _call(
    bot: Bot, client: httpx.AsyncClient, method: str, body: dict, read_timeout: float
) -> object:
    try:
        answer = await client.post(
            f"{bot.base_url}/{method}", json=body, timeout=httpx.Timeout(5, read=read_timeout)
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
        return payload.get("result")
    description = str(payload.get("description") or "")[:200]
    retry_after = (payload.get("parameters") or {}).get("retry_after")
    if isinstance(retry_after, int):
        raise RetryAfter(retry_after)
    if answer.status_code in (401, 404):
        raise InvalidToken(description)
    if answer.status_code == 409:
        raise Conflict(description)
    raise NetworkError(f"{method} answered {answer.status_code} {description}".rstrip())
