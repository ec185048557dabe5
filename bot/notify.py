"""Plain-data messages, and the one place that turns them into Bot API calls.

Services describe what to say (``Reply``) and to whom (``Notice``); they never touch Telegram.
Handlers answer the person in front of them with ``reply_markup``; everything addressed to
someone else goes through ``deliver``, which survives a person who blocked the bot.
"""

from __future__ import annotations

import contextlib
import html
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot import menus
from bot.callbacks import Action

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Button:
    label: str
    action: Action | None = None  # what a tap asks for (``bot.callbacks``)
    url: str | None = None

    @property
    def data(self) -> str | None:
        """The callback data Telegram carries back when the button is tapped."""
        return self.action.pack() if self.action is not None else None


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()


@dataclass(frozen=True)
class Notice:
    """A message for someone other than the person whose update is being handled."""

    telegram_id: int
    reply: Reply
    person_id: int | None = None


@dataclass
class Response:
    """What a service wants said after handling one update."""

    replies: list[Reply] = field(default_factory=list)  # new messages to the person acting
    edit: Reply | None = None  # redraw the message whose button was tapped
    close_tapped: bool = False  # take the buttons off the tapped message
    chosen: str | None = None  # echoed under the tapped message when it is closed
    toast: str | None = None  # the small pop-up answering a button tap
    notices: list[Notice] = field(default_factory=list)  # messages to other people
    menus: dict[int, bool] = field(default_factory=dict)  # telegram id -> coordinator menu?


def plain(text: str) -> str:
    """Button labels and toasts are plain text to Telegram, not HTML: what ``t`` escaped for a
    message ('A&amp;B') must read as typed ('A&B')."""
    return html.unescape(text)


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(plain(button.label), url=button.url)
                if button.url
                else InlineKeyboardButton(plain(button.label), callback_data=button.data)
                for button in row
            ]
            for row in reply.buttons
        ]
    )


async def send(bot: Bot, chat_id: int, reply: Reply) -> None:
    await bot.send_message(
        chat_id,
        reply.text,
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard(reply),
        disable_web_page_preview=True,
    )


# What Telegram says (lower-cased, after python-telegram-bot drops "Bad Request: ") when the
# chat is gone for good: the account was deleted, or there never was a chat with the bot.
_GONE = ("chat not found", "user is deactivated")


def unreachable(error: TelegramError) -> bool:
    """Is this a person we cannot reach any more, rather than a message that failed?

    The one rule every path uses (the outbox, the relay, notices): Forbidden (they blocked
    the bot, or never started it) and a BadRequest saying the chat or the account is gone.
    Anything else (a malformed message, the network, flood control) is about this message.
    """
    if isinstance(error, Forbidden):
        return True
    return isinstance(error, BadRequest) and any(words in error.message.lower() for words in _GONE)


async def deliver(
    bot: Bot,
    notices: Iterable[Notice],
    on_blocked: Callable[[Notice], Awaitable[None]] | None = None,
) -> int:
    """Send each notice; one failure never stops the others. Returns how many were sent.

    ``on_blocked`` hears of every recipient who cannot be reached (see ``unreachable``).
    """
    sent = 0
    for notice in notices:
        try:
            await send(bot, notice.telegram_id, notice.reply)
            sent += 1
        except TelegramError as error:
            if unreachable(error):
                log.info(
                    "recipient person_id=%s cannot be reached (%s)",
                    notice.person_id,
                    type(error).__name__,
                )
                if on_blocked is not None:
                    await on_blocked(notice)
            else:
                log.warning(
                    "send to person_id=%s failed: %s", notice.person_id, type(error).__name__
                )
    return sent


async def respond(update: Update, context: ContextTypes.DEFAULT_TYPE, response: Response) -> None:
    """Carry out a service's Response for the update being handled."""
    bot = context.bot
    query = update.callback_query
    if query is not None:
        await _answer_tap(query, response)
    chat = update.effective_chat
    for reply in response.replies:
        await send(bot, chat.id, reply)
    if response.notices:
        await deliver(bot, response.notices, context.bot_data.get("on_blocked"))
    for telegram_id, coordinator in response.menus.items():
        await menus.set_for_chat(bot, telegram_id, coordinator)


async def _answer_tap(query: CallbackQuery, response: Response) -> None:
    with contextlib.suppress(BadRequest):  # a tap too old to answer; nothing is lost
        await query.answer(plain(response.toast) if response.toast else None)
    message = query.message
    if not isinstance(message, Message):  # too old for Telegram to let us touch it
        return
    try:
        if response.edit is not None:
            await query.edit_message_text(
                response.edit.text,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard(response.edit),
                disable_web_page_preview=True,
            )
        elif response.close_tapped and response.chosen:
            chosen = html.escape(response.chosen, quote=False)
            await query.edit_message_text(
                f"{message.text_html or ''}\n\n<i>✓ {chosen}</i>",
                parse_mode=ParseMode.HTML,
                disable_web_page_preview=True,
            )
        elif response.close_tapped:
            await query.edit_message_reply_markup(reply_markup=None)
    except BadRequest as error:
        # "message is not modified" and friends: the chat already shows what we meant.
        log.debug("could not edit a tapped message: %s", error)
