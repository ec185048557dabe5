"""pybabel's extraction method for the catalog (see bot/locales/babel.cfg and the README's
"Translating").

The English texts are the source: they live beside the code, in ``bot/texts/en/``. Each is
extracted with its key as the message context (``msgctxt``) and the English as the message
(``msgid``), so that a translator works from the English in Poedit, Weblate or Crowdin, and a
changed English text shows up in every language as needing its translation looked at again.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def plural_keys(texts: dict[str, str]) -> set[str]:
    """The keys of texts about a number: ``key_one`` and ``key_other`` both in the catalog
    (``tn``), extracted as one message with its plural."""
    return {
        key.removesuffix("_one")
        for key in texts
        if key.endswith("_one") and key.removesuffix("_one") + "_other" in texts
    }


def extract_catalog(
    fileobj: Any, keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, tuple[str, ...], list[str]]]:
    """Every English text, as ``pgettext(key, english)``, or for a text about a number as
    ``npgettext(key, one, other)`` (each language then gives as many forms as its plural
    rules have); the file named in bot/locales/babel.cfg is only where pybabel is
    pointed."""
    from bot.texts.en import TEXTS

    plurals = plural_keys(TEXTS)
    for key, english in TEXTS.items():
        base = key.removesuffix("_one")
        if key.endswith("_one") and base in plurals:
            yield 0, "npgettext", (base, english, TEXTS[f"{base}_other"]), []
        elif not (key.endswith("_other") and key.removesuffix("_other") in plurals):
            yield 0, "pgettext", (key, english), []
