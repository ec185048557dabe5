"""The last resort for an update that failed: a log line without content, a kind word."""

from __future__ import annotations

import logging
import traceback

from telegram import Update
from telegram.error import NetworkError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.notify import Reply, send
from bot.texts import t
from bot.tg import handling

log = logging.getLogger(__name__)


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log what failed without message content or personal data; tell the person kindly."""
    error = context.error
    if update is None and isinstance(error, NetworkError):
        # Polling could not reach Telegram; python-telegram-bot retries with back-off.
        log.warning("cannot reach the Bot API (%s); retrying", type(error).__name__)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    current = handling.current()
    if current is not None and current.update_id == update_id:
        # The pipeline decides: try again (the update is stored), or give up and say so.
        current.error = error
        raise ApplicationHandlerStop
    frames = "".join(traceback.format_tb(error.__traceback__)) if error else ""
    # The exception's message can carry user text or SQL parameters: log its type only.
    log.error("update %s failed with %s\n%s", update_id, type(error).__name__, frames)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            if update.callback_query is not None:
                await update.callback_query.answer()
            await send(context.bot, update.effective_chat.id, Reply(t("error_generic")))
        except Exception as reply_error:  # the error handler itself must never raise
            log.warning("could not tell the person about the error: %s", type(reply_error).__name__)
