"""The message catalog: every word the bot says, in English (the source) and in each other
language's gettext catalog.

``t("key", name=...)`` renders a text for Telegram's HTML parse mode. Parameters are escaped
unless wrapped in ``Markup`` (already-rendered fragments), so a display name or a goal can
never inject formatting.

``tn("key", count, ...)`` is the same for a text about a number: the English catalog holds
``key_one`` and ``key_other`` and the template gets ``{count}``; another language's catalog
gives as many forms as its CLDR plural rules have.

Every text is said in a language: the one given, or else the language of whoever the bot is
speaking to now (``speaking``/``use_language``: the person whose update is being handled, or
the recipient a notice is being written for). In a right-to-left language each parameter is
isolated (Unicode FSI…PDI), so that "U3" or a phone number inside Arabic keeps its order.

``bot.texts.fragments`` holds the small pieces of text that many capabilities put into their
messages: how a person is referred to, how long something took or lasts, the crisis lines.

English lives in ``bot/texts/en/``, one module per capability; every other language is a
gettext catalog in ``bot/locales/<language>/LC_MESSAGES/messages.po`` (compiled to ``.mo``
beside it), made and kept up to date with pybabel from ``bot/locales/messages.pot`` (see
bot/locales/babel.cfg and the README). A text a catalog has not translated is said in
English.
"""

from __future__ import annotations

import contextlib
import functools
import gettext
import hashlib
import html
from collections.abc import Iterator
from contextvars import ContextVar
from importlib import import_module
from pathlib import Path
from types import ModuleType

DEFAULT_LANGUAGE = "en"
LOCALES = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
# Unicode's isolates: FIRST STRONG (the value's own direction), LEFT-TO-RIGHT, and the end.
ISOLATE, LEFT_TO_RIGHT, END_ISOLATE = "\u2068", "\u2066", "\u2069"

_SPEAKING: ContextVar[str] = ContextVar("speaking", default=DEFAULT_LANGUAGE)


def current_language() -> str:
    """The language of whoever the bot is speaking to now."""
    return _SPEAKING.get()


def use_language(language: str) -> None:
    """From here on in this task (the handling of one update), speak ``language``."""
    _SPEAKING.set(language)


@contextlib.contextmanager
def speaking(language: str) -> Iterator[None]:
    """Speak ``language`` inside the block: for a message to someone else."""
    token = _SPEAKING.set(language)
    try:
        yield
    finally:
        _SPEAKING.reset(token)


class Markup(str):
    """A fragment that is already safe HTML (usually the output of ``t``)."""


def _english() -> ModuleType:
    """The source catalog (imported when first used: its modules are many)."""
    return import_module(f"bot.texts.{DEFAULT_LANGUAGE}")


def escape(value: object) -> str:
    return value if isinstance(value, Markup) else html.escape(str(value), quote=False)


@functools.cache
def translations(language: str) -> gettext.NullTranslations:
    """A language's compiled catalog; for English, or a language with none, no translations
    (every text in English)."""
    return gettext.translation(DOMAIN, LOCALES, languages=[language], fallback=True)


@functools.cache
def right_to_left(language: str) -> bool:
    """Whether CLDR says the language is written right to left (Arabic, Hebrew, Persian...)."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(language).character_order == "right-to-left"
    except (UnknownLocaleError, ValueError):
        return False


def _parameters(params: dict[str, object], language: str) -> dict[str, str]:
    if right_to_left(language):
        return {name: f"{ISOLATE}{escape(value)}{END_ISOLATE}" for name, value in params.items()}
    return {name: escape(value) for name, value in params.items()}


def template(key: str, language: str) -> str:
    """A text's template in a language; the English, if that language has not translated it."""
    english = _english().TEXTS[key]
    if language == DEFAULT_LANGUAGE:
        return english
    return translations(language).pgettext(key, english)


def t(key: str, language: str | None = None, **params: object) -> Markup:
    language = language or _SPEAKING.get()
    return Markup(template(key, language).format(**_parameters(params, language)))


def plural_form(count: int) -> str:
    """English's plural category of ``count``: "one" for exactly 1, else "other"."""
    return "one" if abs(count) == 1 else "other"


def tn(key: str, count: int, language: str | None = None, **params: object) -> Markup:
    """``t`` for a text about ``count`` things: in English ``key_one`` or ``key_other``; in
    another language, the form its catalog's plural rules pick for ``count``."""
    language = language or _SPEAKING.get()
    texts = _english().TEXTS
    one, other = texts[f"{key}_one"], texts[f"{key}_other"]
    if language == DEFAULT_LANGUAGE:
        form = one if plural_form(count) == "one" else other
    else:
        form = translations(language).npgettext(key, one, other, count)
    return Markup(form.format(count=count, **_parameters(params, language)))


def consent_text_version(language: str = DEFAULT_LANGUAGE) -> str:
    """The version of the consent wording in ``language``, kept with every consent answer:
    the language and a digest of the words a person consents to as that language says them,
    so a changed wording in any language is a new version of that language's alone."""
    english = _english()
    words = "\0".join(template(key, language) for key in english.CONSENT_KEYS)
    return f"{language}-{hashlib.sha256(words.encode()).hexdigest()[:10]}"


@functools.cache
def shipped_languages() -> tuple[str, ...]:
    """English and every language with a compiled catalog in bot/locales."""
    catalogs = LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")
    compiled = sorted(path.parent.parent.name for path in catalogs)
    return (DEFAULT_LANGUAGE, *(code for code in compiled if code != DEFAULT_LANGUAGE))


def is_draft(language: str) -> bool:
    """Whether a language's catalog says, in its header, that it is a draft translation not
    yet reviewed by a qualified translator."""
    if language == DEFAULT_LANGUAGE:
        return False
    return "DRAFT" in translations(language).info().get("language-team", "")


def has_text(key: str) -> bool:
    return key in _english().TEXTS
