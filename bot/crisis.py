"""/help_now: the crisis lines, always one tap away."""

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
