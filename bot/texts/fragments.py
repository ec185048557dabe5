"""Small pieces of text that many capabilities put into their messages: how a person is
referred to without their identity, how long something took or lasts, the crisis lines.

Like the rest of ``bot.texts`` this imports no capability (and the configuration only for
typing), so anything may use it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bot.texts import Markup, escape, t, tn

if TYPE_CHECKING:
    from bot.config import Config


def person_ref(person_id: int) -> str:
    """How a service user is named to workers and coordinators: never their Telegram identity."""
    return f"U{person_id}"


def worker_ref(person_id: int) -> str:
    return f"W{person_id}"


_PERIODS = (
    ("years", timedelta(weeks=52)),
    ("weeks", timedelta(weeks=1)),
    ("days", timedelta(days=1)),
    ("hours", timedelta(hours=1)),
    ("minutes", timedelta(minutes=1)),
    ("seconds", timedelta(seconds=1)),
)
_ELAPSED = ("days", "hours", "minutes")  # "15 days" waiting is what people count, not weeks


def elapsed_text(elapsed: timedelta) -> str:
    """How long something has been going on, in its largest unit, rounded down: "3 days",
    "1 hour", "20 minutes" (a sub-day wait is never "0 days"), "less than a minute"."""
    for unit, size in _PERIODS:
        if unit in _ELAPSED and elapsed >= size:
            return tn(f"duration_{unit}", elapsed // size)
    return t("duration_under_a_minute")


def period_text(period: timedelta) -> str:
    """A configured length of time, exactly, in its largest whole unit: "2 years", "3 days",
    "36 hours", "30 minutes", "90 seconds" (never rounded: an offer timeout of half an hour is
    not "less than an hour", and 90s is not "1 minute"). The one way every configured
    duration is said to people (/privacy's retention too)."""
    whole = timedelta(seconds=max(int(period.total_seconds()), 0))
    for unit, size in _PERIODS:
        if whole >= size and whole % size == timedelta():
            return tn(f"duration_{unit}", whole // size)
    return tn("duration_seconds", whole // _PERIODS[-1][1])


def crisis_lines_text(config: Config) -> Markup:
    """The service's crisis lines, one a line: name, number and, where given, hours."""
    lines = []
    for line in config.service.crisis_lines:
        hours = f" ({escape(line.hours)})" if line.hours else ""
        lines.append(f"• <b>{escape(line.name)}</b>: {escape(line.phone)}{hours}")
    return Markup("\n".join(lines))
