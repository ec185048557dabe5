"""The command menus Telegram shows: public commands for all, coordinator ones per chat."""

from __future__ import annotations

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot.texts import t

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
    "privacy",
    "mydata",
    "consent",
    "delete",
    "cancel",
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
    "invite",
    "invites",
    "pending",
    "coordinators",
)


def _menu(names: tuple[str, ...]) -> list[BotCommand]:
    return [BotCommand(name, t(f"menu_{name}")) for name in names]


async def set_default(bot: Bot) -> None:
    await bot.set_my_commands(_menu(PUBLIC), scope=BotCommandScopeDefault())


async def set_for_chat(bot: Bot, telegram_id: int, coordinator: bool) -> None:
    try:
        if coordinator:
            await bot.set_my_commands(
                _menu(PUBLIC + COORDINATOR), scope=BotCommandScopeChat(telegram_id)
            )
        else:
            await bot.delete_my_commands(scope=BotCommandScopeChat(telegram_id))
    except TelegramError:  # a coordinator who has not opened the bot yet has no chat
        pass
