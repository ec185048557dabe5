"""The command menus Telegram shows: public commands for all, coordinator ones per chat."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot.texts import DEFAULT_LANGUAGE, t

PUBLIC = (
    "help",
    "help_now",
    "status",
    "relationship",
    "checkins",
    "end",
    "profile",
    "rematch",
    "report",
    "concern",
    "safetyplan",
    "privacy",
    "mydata",
    "consent",
    "delete",
    "cancel",
    "language",
)
COORDINATOR = (
    "dashboard",
    "flags",
    "people",
    "audit",
    "export",
    "waitlist",
    "match",
    "match_all",
    "relationships",
    "pause",
    "resume",
    "extend",
    "close",
    "wellbeing",
    "supervision",
    "invite",
    "invites",
    "pending",
    "coordinators",
)


def _menu(names: tuple[str, ...], language: str | None = None) -> list[BotCommand]:
    return [BotCommand(name, t(f"menu_{name}", language)) for name in names]


async def set_default(bot: Bot, languages: Sequence[str] = (DEFAULT_LANGUAGE,)) -> None:
    """The public menu: in the service's default language for every Telegram app, and in
    each other language it speaks for apps set to that language."""
    default, *others = languages
    await bot.set_my_commands(_menu(PUBLIC, default), scope=BotCommandScopeDefault())
    for language in others:
        await bot.set_my_commands(
            _menu(PUBLIC, language), scope=BotCommandScopeDefault(), language_code=language
        )


async def set_for_chat(bot: Bot, telegram_id: int, coordinator: bool) -> None:
    """A coordinator's own menu, in the language they are being spoken to in now; anyone
    else goes back to the menu for everyone."""
    try:
        if coordinator:
            await bot.set_my_commands(
                _menu(PUBLIC + COORDINATOR), scope=BotCommandScopeChat(telegram_id)
            )
        else:
            await bot.delete_my_commands(scope=BotCommandScopeChat(telegram_id))
    except TelegramError:  # a coordinator who has not opened the bot yet has no chat
        pass


async def set_chosen_language(bot: Bot, telegram_id: int, coordinator: bool) -> None:
    """After someone chooses a language (which may not be their Telegram app's): their own
    menu, in it."""
    if coordinator:
        await set_for_chat(bot, telegram_id, coordinator=True)
        return
    with contextlib.suppress(TelegramError):  # a menu is a nicety: the choice is made
        await bot.set_my_commands(_menu(PUBLIC), scope=BotCommandScopeChat(telegram_id))
