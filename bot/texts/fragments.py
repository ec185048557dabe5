"""Small pieces of text that many capabilities put into their messages: how a person is
referred to without their identity, dates, how long something took or lasts (CLDR's, through
Babel, in the language being spoken), the crisis lines.

Like the rest of ``bot.texts`` this imports no capability (and the configuration only for
typing), so anything may use it.
"""

from __future__ import annotations

import functools
from datetime import datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton, format_time, get_datetime_format
from babel.units import format_unit

from bot.texts import END_ISOLATE, LEFT_TO_RIGHT, Markup, current_language, escape, t

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


@functools.cache
def locale_of(language: str, country: str = "") -> Locale:
    """The CLDR locale for a language as spoken in the service's country ("en" in "AU" writes
    7 Dec, not Dec 7), or the language's own where CLDR has no such variant."""
    try:
        return Locale.parse(f"{language}_{country}") if country else Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        try:
            return Locale.parse(language)
        except (UnknownLocaleError, ValueError):  # a language CLDR does not know
            return Locale.parse("en")


def _amount(count: int, unit: str) -> str:
    """``count`` units ("3 days", "3 ngày", "3 أيام"), by CLDR's rules for the language spoken
    now."""
    return format_unit(
        count, f"duration-{unit[:-1]}", length="long", locale=locale_of(current_language())
    )


def date_text(
    config: Config,
    moment: datetime,
    zone: tzinfo | None = None,
    *,
    weekday: bool = True,
    year: bool = True,
    time: bool = False,
) -> str:
    """A date (and time) as the person being spoken to writes one, in ``zone`` (the service's
    by default): "Mon 7 Dec 2026", "Thứ 2, 7 thg 12, 2026", "الاثنين، 7 ديسمبر 2026"."""
    local = moment.astimezone(zone or config.tz)
    locale = locale_of(current_language(), config.service.country)
    skeleton = ("yMMM" if year else "MMM") + ("Ed" if weekday else "d")
    text = format_skeleton(skeleton, local, locale=locale)
    if not time:
        return text
    # The language's own way of putting a date and a time together ("{1} {0}", "{0} {1}").
    together = get_datetime_format("short", locale=locale)
    return together.replace("{1}", text).replace("{0}", format_time(local, "short", locale=locale))


def clock_text(config: Config, minute_of_day: int) -> str:
    """A time of day as the person being spoken to writes one: "6:00 pm", "18:00"."""
    locale = locale_of(current_language(), config.service.country)
    return format_time(time(minute_of_day // 60, minute_of_day % 60), "short", locale=locale)


def elapsed_text(elapsed: timedelta) -> str:
    """How long something has been going on, in its largest unit, rounded down: "3 days",
    "1 hour", "20 minutes" (a sub-day wait is never "0 days"), "less than a minute"."""
    for unit, size in _PERIODS:
        if unit in _ELAPSED and elapsed >= size:
            return _amount(elapsed // size, unit)
    return t("duration_under_a_minute")


def period_text(period: timedelta) -> str:
    """A configured length of time, exactly, in its largest whole unit: "2 years", "3 days",
    "36 hours", "30 minutes", "90 seconds" (never rounded: an offer timeout of half an hour is
    not "less than an hour", and 90s is not "1 minute"). The one way every configured
    duration is said to people (/privacy's retention too)."""
    whole = timedelta(seconds=max(int(period.total_seconds()), 0))
    for unit, size in _PERIODS:
        if whole >= size and whole % size == timedelta():
            return _amount(whole // size, unit)
    return _amount(whole // _PERIODS[-1][1], "seconds")


def crisis_lines_text(config: Config) -> Markup:
    """The service's crisis lines, one a line: name, number and, where given, hours."""
    lines = []
    for line in config.service.crisis_lines:
        hours = f" ({escape(line.hours.said())})" if line.hours else ""
        # Left to right, whatever the language around it: "13 11 14" never becomes
        # "14 11 13" in Arabic (an isolate, which Telegram's apps honour).
        phone = f"{LEFT_TO_RIGHT}{escape(line.phone)}{END_ISOLATE}"
        lines.append(f"• <b>{escape(line.name.said())}</b>: {phone}{hours}")
    return Markup("\n".join(lines))
