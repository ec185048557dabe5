"""The application's dependencies, as every handler finds them."""

from __future__ import annotations

from telegram.ext import ContextTypes

from bot.deps import Deps


def deps_of(context: ContextTypes.DEFAULT_TYPE) -> Deps:
    return context.bot_data["deps"]
