"""The crisis lines, always one tap away."""

from __future__ import annotations

from bot.config import Config
from bot.notify import Reply
from bot.texts import Markup, escape, t


def crisis_lines_text(config: Config) -> Markup:
    lines = []
    for line in config.service.crisis_lines:
        hours = f" ({escape(line.hours)})" if line.hours else ""
        lines.append(f"• <b>{escape(line.name)}</b>: {escape(line.phone)}{hours}")
    return Markup("\n".join(lines))


def help_now(config: Config) -> Reply:
    return Reply(
        t(
            "help_now",
            crisis_lines=crisis_lines_text(config),
            emergency=config.service.emergency_number,
        )
    )
