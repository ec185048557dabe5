"""The message catalog: every word the bot says lives here, one module per language.

``t("key", name=...)`` renders a text for Telegram's HTML parse mode. Parameters are escaped
unless wrapped in ``Markup`` (already-rendered fragments), so a display name or a goal can
never inject formatting.

``tn("key", count, ...)`` is the same for a text that depends on a number: the catalog holds
``key_one`` and ``key_other`` and the template gets ``{count}``. English needs only those two
forms; other languages will bring CLDR's plural categories with them.

``bot.texts.fragments`` holds the small pieces of text that many capabilities put into their
messages: how a person is referred to, how long something took or lasts, the crisis lines.
"""

from __future__ import annotations

import html
from importlib import import_module
from types import ModuleType

DEFAULT_LANGUAGE = "en"


class Markup(str):
    """A fragment that is already safe HTML (usually the output of ``t``)."""


def _catalog(language: str) -> ModuleType:
    try:
        return import_module(f"bot.texts.{language}")
    except ModuleNotFoundError:
        return import_module(f"bot.texts.{DEFAULT_LANGUAGE}")


def escape(value: object) -> str:
    return value if isinstance(value, Markup) else html.escape(str(value), quote=False)


def t(key: str, language: str = DEFAULT_LANGUAGE, **params: object) -> Markup:
    texts: dict[str, str] = _catalog(language).TEXTS
    template = texts.get(key) or _catalog(DEFAULT_LANGUAGE).TEXTS[key]
    return Markup(template.format(**{name: escape(value) for name, value in params.items()}))


def plural_form(count: int, language: str = DEFAULT_LANGUAGE) -> str:
    """The plural category of ``count`` (English: "one" for exactly 1, else "other")."""
    return "one" if abs(count) == 1 else "other"


def tn(key: str, count: int, language: str = DEFAULT_LANGUAGE, **params: object) -> Markup:
    """``t`` for a text about ``count`` things: picks ``key_one`` or ``key_other``."""
    return t(f"{key}_{plural_form(count, language)}", language, count=count, **params)


def consent_text_version(language: str = DEFAULT_LANGUAGE) -> str:
    return _catalog(language).CONSENT_TEXT_VERSION


def has_text(key: str) -> bool:
    return key in _catalog(DEFAULT_LANGUAGE).TEXTS
