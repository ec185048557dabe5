"""The message catalog: every word the bot says, in English (the source) and in each other
language's gettext catalog.

``t("key", name=...)`` renders a text for Telegram's HTML parse mode. Parameters are escaped
unless wrapped in ``Markup`` (already-rendered fragments), so a display name or a goal can
never inject formatting.

``tn("key", count, ...)`` is the same for a text about a number: the English catalog holds
``key_one`` and ``key_other`` and the template gets ``{count}``; another language's catalog
gives as many forms as its CLDR plural rules have.

``bot.texts.fragments`` holds the small pieces of text that many capabilities put into their
messages: how a person is referred to, how long something took or lasts, the crisis lines.

English lives in ``bot/texts/en/``, one module per capability; every other language is a
gettext catalog in ``bot/locales/<language>/LC_MESSAGES/messages.po`` (compiled to ``.mo``
beside it), made and kept up to date with pybabel from ``bot/locales/messages.pot`` (see
bot/locales/babel.cfg and the README). A text a catalog has not translated is said in
English.
"""

from __future__ import annotations

import functools
import gettext
import html
from importlib import import_module
from pathlib import Path
from types import ModuleType

DEFAULT_LANGUAGE = "en"
LOCALES = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"


class Markup(str):
    """A fragment that is already safe HTML (usually the output of ``t``)."""


def _catalog(language: str) -> ModuleType:
    try:
        return import_module(f"bot.texts.{language}")
    except ModuleNotFoundError:
        return import_module(f"bot.texts.{DEFAULT_LANGUAGE}")


def escape(value: object) -> str:
    return value if isinstance(value, Markup) else html.escape(str(value), quote=False)


@functools.cache
def translations(language: str) -> gettext.NullTranslations:
    """A language's compiled catalog; for English, or a language with none, no translations
    (every text in English)."""
    return gettext.translation(DOMAIN, LOCALES, languages=[language], fallback=True)


def t(key: str, language: str = DEFAULT_LANGUAGE, **params: object) -> Markup:
    template = _catalog(DEFAULT_LANGUAGE).TEXTS[key]
    if language != DEFAULT_LANGUAGE:  # the English, if this language has not translated it
        template = translations(language).pgettext(key, template)
    return Markup(template.format(**{name: escape(value) for name, value in params.items()}))


def plural_form(count: int) -> str:
    """English's plural category of ``count``: "one" for exactly 1, else "other"."""
    return "one" if abs(count) == 1 else "other"


def tn(key: str, count: int, language: str = DEFAULT_LANGUAGE, **params: object) -> Markup:
    """``t`` for a text about ``count`` things: in English ``key_one`` or ``key_other``; in
    another language, the form its catalog's plural rules pick for ``count``."""
    texts = _catalog(DEFAULT_LANGUAGE).TEXTS
    one, other = texts[f"{key}_one"], texts[f"{key}_other"]
    if language == DEFAULT_LANGUAGE:
        template = one if plural_form(count) == "one" else other
    else:
        template = translations(language).npgettext(key, one, other, count)
    escaped = {name: escape(value) for name, value in params.items()}
    return Markup(template.format(count=count, **escaped))


def consent_text_version(language: str = DEFAULT_LANGUAGE) -> str:
    return _catalog(language).CONSENT_TEXT_VERSION


def has_text(key: str) -> bool:
    return key in _catalog(DEFAULT_LANGUAGE).TEXTS
