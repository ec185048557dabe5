"""The crisis lines: /help_now, and the reply to a risk phrase. Built from the
configuration alone, so they go out even while the database cannot be reached."""

from __future__ import annotations

from bot.config import Config
from bot.notify import Reply
from bot.texts import t
from bot.texts.fragments import crisis_lines_text


def help_now(config: Config) -> Reply:
    return Reply(
        t(
            "help_now",
            crisis_lines=crisis_lines_text(config),
            emergency=config.service.emergency_number,
        )
    )


def crisis_lines(config: Config) -> Reply:
    """What someone who wrote a risk phrase is sent first."""
    return Reply(
        t(
            "safety_crisis_lines",
            crisis_lines=crisis_lines_text(config),
            emergency=config.service.emergency_number,
        )
    )
