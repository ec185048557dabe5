"""The crisis lines: /help_now, and the reply to a risk phrase. Built from the
configuration (and, when the database answers at once, the person's own safety plan), so they
go out even while the database cannot be reached."""

from __future__ import annotations

from bot.config import Config
from bot.notify import Reply
from bot.texts import Markup, t
from bot.texts.fragments import crisis_lines_text


def _own_first(own: str | None, text: str) -> Reply:
    """Their own safety plan's "things I can do" and "people I can ask", when they have
    written them, before the crisis lines."""
    return Reply(Markup(f"{t('plan_first_aid', plan=Markup(own))}\n\n{text}") if own else text)


def help_now(config: Config, own: str | None = None) -> Reply:
    return _own_first(
        own,
        t(
            "help_now",
            crisis_lines=crisis_lines_text(config),
            emergency=config.service.emergency_number,
        ),
    )


def crisis_lines(config: Config, own: str | None = None) -> Reply:
    """What someone who wrote a risk phrase is sent first."""
    return _own_first(
        own,
        t(
            "safety_crisis_lines",
            crisis_lines=crisis_lines_text(config),
            emergency=config.service.emergency_number,
        ),
    )
