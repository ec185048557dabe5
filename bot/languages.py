"""Which language each person hears the bot in (choosing it: bot/common/language_choice.py).

A person's language is on their ``Person`` row; everything addressed to them is written in it
(``bot.texts.speaking``). Before their first choice it is preselected from the language their
Telegram app is set to, when the service speaks it.

Every update is answered in its sender's language, so the handling of one needs it before any
handler speaks: ``SpokenLanguages`` keeps, in each process, the language last read for each
person. It is read again from the database when older than ``FRESH_FOR`` (so a choice made
through another process is heard within that time), and used when the database
cannot be reached (a day at most): the crisis lines from memory are said in the person's
language too.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any

from babel import Locale, UnknownLocaleError

from bot.config import Config
from bot.texts import is_draft

LANGUAGES_KEY = "spoken_languages"  # in bot_data


def enabled(config: Config) -> list[str]:
    return list(config.service.languages)


def usable(config: Config, language: str | None) -> str:
    """``language`` if the service speaks it, else the service's default."""
    return language if language in config.service.languages else config.service.language


def preselected(config: Config, telegram_language_code: str | None) -> str:
    """The language to greet a newcomer in: their Telegram app's ("vi", "pt-br" as "pt"), if
    the service speaks it, else the service's default."""
    if telegram_language_code:
        code = telegram_language_code.lower()
        for candidate in (code, code.split("-")[0]):
            if candidate in config.service.languages:
                return candidate
    return config.service.language


def draft_warning(config: Config) -> str | None:
    """One line for ``peerlink run`` and ``check-config`` when an enabled language's catalog
    is still a draft translation, else None."""
    drafts = [code for code in config.service.languages if is_draft(code)]
    if not drafts:
        return None
    return (
        f"warning: service.languages: {', '.join(drafts)} "
        f"{'is a draft translation' if len(drafts) == 1 else 'are draft translations'} that "
        "must be reviewed by a qualified translator (and its safety texts clinically) before "
        "use with real people"
    )


@functools.cache
def own_name(code: str) -> str:
    """A language as its speakers name it: "English", "Tiếng Việt", "العربية"."""
    try:
        name = Locale.parse(code).get_display_name(code) or code
    except (UnknownLocaleError, ValueError):  # a language CLDR does not know: its code
        return code
    return name[:1].upper() + name[1:]


class SpokenLanguages:
    # Read again after this: a choice made through another process is heard within it.
    FRESH_FOR = timedelta(minutes=2)
    REMEMBERED_FOR = timedelta(days=1)  # for the crisis lines from memory
    _AT_MOST = 50_000

    def __init__(self) -> None:
        self._known: dict[int, tuple[str, datetime]] = {}

    def fresh(self, telegram_id: int, now: datetime) -> str | None:
        known = self._known.get(telegram_id)
        if known is None or not timedelta(0) <= now - known[1] < self.FRESH_FOR:
            return None
        return known[0]

    def last_known(self, telegram_id: int) -> str | None:
        known = self._known.get(telegram_id)
        return known[0] if known is not None else None

    def note(self, telegram_id: int, language: str, now: datetime) -> None:
        if len(self._known) >= self._AT_MOST:
            self._known = {
                key: known
                for key, known in self._known.items()
                if now - known[1] < self.REMEMBERED_FOR
            }
        self._known[telegram_id] = (language, now)


def of_sender(
    config: Config, spoken: SpokenLanguages, telegram_id: int, telegram_language_code: str | None
) -> str:
    """Someone's language without asking the database: as this process last read it, or else
    as their Telegram app is set."""
    known = spoken.last_known(telegram_id)
    if known is not None:
        return usable(config, known)
    return preselected(config, telegram_language_code)


def spoken_languages(bot_data: dict[str, Any]) -> SpokenLanguages:
    return bot_data.setdefault(LANGUAGES_KEY, SpokenLanguages())
