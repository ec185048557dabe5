"""Plain-data messages, and the one place that turns them into Bot API calls.

Services describe what to say (``Reply``, or a ``Copy`` of a message someone wrote) and to
whom (``Notice``); they never touch Telegram. Handlers answer the person in front of them with
``respond``; everything addressed to someone else goes through ``deliver``, which holds the one
policy for a recipient who cannot be reached: the hook the application installs marks them and
tells the coordinators once, and the person whose words they were is told it did not get
through.
"""

from __future__ import annotations

import contextlib
import html
import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    MessageId,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot import menus
from bot.callbacks import Action
from bot.texts import speaking, t, tn

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
    quoting: int | None = None  # the message in the same chat it answers, shown above it


@dataclass(frozen=True)
class Copy:
    """A message someone wrote, copied into another chat (no "forwarded from" header)."""

    from_chat_id: int
    message_id: int
    reply_to_message_id: int | None = None  # the recipient's copy it answers, if any
    label: Button | None = None  # under the copy: whom it is from
    silent: bool = False  # the recipient is in their quiet hours: no sound


@dataclass(frozen=True)
class Edit:
    """A relayed message's new wording, carried over to the copy the recipient has."""

    message_id: int  # the recipient's copy
    text: str | None = None
    caption: str | None = None
    entities: tuple[MessageEntity, ...] = ()


@dataclass(frozen=True)
class Notice:
    """A message for someone other than the person whose update is being handled."""

    telegram_id: int
    reply: Reply | Copy | Edit
    person_id: int | None = None
    # Whose own words these are (a relayed message, a check-in note): told if they cannot
    # get through, so nobody believes a message arrived that did not.
    sender_telegram_id: int | None = None
    # The recipient's language, for what sending itself may have to say (an edit Telegram
    # would not carry over); what ``reply`` says is written in it already.
    language: str | None = None


# What to say, written when called: in the language in force then (``bot.texts.speaking``).
# A render may be a coroutine function (a card that reads the database).
Render = Callable[[], "Reply | Copy | Edit | Awaitable[Reply | Copy | Edit]"]


class Recipient(Protocol):
    id: int | None
    telegram_id: int
    language: str


async def rendered_in(language: str, render: Render) -> Any:
    with speaking(language):
        said = render()
        return await said if inspect.isawaitable(said) else said


def saying(key: str, **params: object) -> Render:
    """A plain text message, written when its recipient's language is known."""
    return lambda: Reply(t(key, **params))


def saying_count(key: str, count: int, **params: object) -> Render:
    """``saying`` for a text about ``count`` things (``tn``)."""
    return lambda: Reply(tn(key, count, **params))


async def notice_to(person: Recipient, render: Render, **details: Any) -> Notice:
    """A message for ``person``, written in their language."""
    said = await rendered_in(person.language, render)
    return Notice(person.telegram_id, said, person.id, language=person.language, **details)


# Installed by the application: what happens when Telegram says a recipient cannot be reached.
OnUnreachable = Callable[[Notice], Awaitable[None]]
ON_UNREACHABLE = "on_unreachable"


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


@dataclass(frozen=True)
class AfterCommit:
    """What a coordinator action does once its transaction has committed, for work that must
    not hold the database meanwhile (a large batch, solved in a worker process). ``step``
    opens the transactions it needs and returns what to say."""

    step: Callable[[], Awaitable[Response]]


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


async def send(bot: Bot, chat_id: int, reply: Reply) -> Message:
    quoted = None
    if reply.quoting is not None:  # (sent all the same if that message has been deleted)
        quoted = ReplyParameters(reply.quoting, allow_sending_without_reply=True)
    return await bot.send_message(
        chat_id,
        reply.text,
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard(reply),
        disable_web_page_preview=True,
        reply_parameters=quoted,
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


async def _carry_edit(bot: Bot, chat_id: int, edit: Edit, language: str | None) -> Message | bool:
    try:
        if edit.text is not None:
            return await bot.edit_message_text(
                edit.text, chat_id=chat_id, message_id=edit.message_id, entities=edit.entities
            )
        if edit.caption is not None:
            return await bot.edit_message_caption(
                chat_id=chat_id,
                message_id=edit.message_id,
                caption=edit.caption,
                caption_entities=edit.entities,
            )
    except BadRequest as error:
        if unreachable(error):
            raise
    # Telegram won't carry this edit over (too old, or a kind it cannot edit): say it changed.
    return await bot.send_message(
        chat_id,
        t("relay_edited", language),
        reply_parameters=ReplyParameters(edit.message_id, allow_sending_without_reply=True),
    )


async def _render(bot: Bot, notice: Notice) -> Message | MessageId | bool:
    if isinstance(notice.reply, Reply):
        return await send(bot, notice.telegram_id, notice.reply)
    if isinstance(notice.reply, Edit):
        return await _carry_edit(bot, notice.telegram_id, notice.reply, notice.language)
    copy = notice.reply
    return await bot.copy_message(
        chat_id=notice.telegram_id,
        from_chat_id=copy.from_chat_id,
        message_id=copy.message_id,
        reply_parameters=(
            ReplyParameters(copy.reply_to_message_id, allow_sending_without_reply=True)
            if copy.reply_to_message_id
            else None
        ),
        reply_markup=keyboard(Reply("", ((copy.label,),))) if copy.label else None,
        disable_notification=copy.silent,
    )


async def deliver_one(
    bot: Bot, notice: Notice, on_unreachable: OnUnreachable | None
) -> Message | MessageId | bool | None:
    """Send one notice; what Telegram made of it, or None if it did not get through."""
    try:
        return await _render(bot, notice)
    except TelegramError as error:
        await _undelivered(bot, notice, error, on_unreachable)
        return None


async def _undelivered(
    bot: Bot, notice: Notice, error: TelegramError, on_unreachable: OnUnreachable | None
) -> None:
    """The one policy for a notice Telegram would not take: a recipient who cannot be reached
    goes to ``on_unreachable``; the sender, if the words were theirs, is told it did not get
    through."""
    gone = unreachable(error)
    if gone:
        log.info(
            "recipient person_id=%s cannot be reached (%s)", notice.person_id, type(error).__name__
        )
        if on_unreachable is not None:
            await on_unreachable(notice)
    else:
        log.warning("send to person_id=%s failed: %s", notice.person_id, type(error).__name__)
    if notice.sender_telegram_id is not None:
        passing = "relay_edit_failed" if isinstance(notice.reply, Edit) else "relay_failed"
        told = Reply(t("relay_undeliverable" if gone else passing))
        with contextlib.suppress(TelegramError):  # the sender may be gone too
            await send(bot, notice.sender_telegram_id, told)


async def deliver(bot: Bot, notices: Iterable[Notice], on_unreachable: OnUnreachable | None) -> int:
    """Send each notice; one failure never stops the others. Returns how many were sent."""
    sent = 0
    for notice in notices:
        if await deliver_one(bot, notice, on_unreachable) is not None:
            sent += 1
    return sent


def on_unreachable_of(context: ContextTypes.DEFAULT_TYPE) -> OnUnreachable | None:
    return context.bot_data.get(ON_UNREACHABLE)


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
        await deliver(bot, response.notices, on_unreachable_of(context))
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
