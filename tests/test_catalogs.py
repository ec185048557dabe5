"""The gettext catalogs: the template holds every English text as it is now, every language's
catalog compiles and is compiled, keeps English's placeholders, and a language is a catalog
and nothing more (one made here, at run time, is spoken at once)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

import bot.texts
from bot.texts import LOCALES, t, tn, translations
from bot.texts.en import TEXTS
from bot.texts.extract import extract_catalog

TEMPLATE = LOCALES / "messages.pot"
EXTRACT = (
    ".venv/bin/pybabel extract -F bot/locales/babel.cfg --no-location -o bot/locales/messages.pot "
    "bot/texts/en/__init__.py"
)
PLACEHOLDER = re.compile(r"{(\w+)}")


def _entries(messages) -> set[tuple]:
    return {
        (context, msgid if isinstance(msgid, str) else tuple(msgid)) for context, msgid in messages
    }


def test_the_template_holds_every_english_text_as_it_is_now() -> None:
    extracted = set()
    for _line, _function, message, _comments in extract_catalog(None, None, None, None):
        context, *ids = message
        extracted.add((context, ids[0] if len(ids) == 1 else tuple(ids)))
    with TEMPLATE.open("rb") as handle:
        template = read_po(handle)
    kept = _entries((m.context, m.id) for m in template if m.id)
    assert kept == extracted, f"bot/locales/messages.pot is out of date: run {EXTRACT}"


def _languages() -> list[Path]:
    return sorted(LOCALES.glob("*/LC_MESSAGES/messages.po"))


@pytest.mark.parametrize("po", _languages(), ids=lambda path: path.parts[-3])
def test_every_language_compiles_is_compiled_and_keeps_the_placeholders(po: Path) -> None:
    mo = po.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, (
        f"{mo} is older than its .po: run .venv/bin/pybabel compile -d bot/locales"
    )
    with po.open("rb") as handle:
        catalog = read_po(handle)
    write_mo(io.BytesIO(), catalog)
    for message in catalog:
        if not message.id or not message.string:
            continue
        sources = [message.id] if isinstance(message.id, str) else list(message.id)
        wanted = set().union(*(PLACEHOLDER.findall(source) for source in sources))
        strings = [message.string] if isinstance(message.string, str) else message.string
        for string in filter(None, strings):
            assert set(PLACEHOLDER.findall(string)) <= wanted | {"count"}, (po, message.context)


@pytest.fixture
def french(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A language added by its catalog alone, made and compiled here."""
    catalog = Catalog(locale="fr", domain="messages")
    catalog.add("Choose {name}", "Choisir {name}", context="btn_choose")
    catalog.add(
        (TEXTS["duration_weeks_one"], TEXTS["duration_weeks_other"]),
        # CLDR's French has three forms: one (0, 1), many (a million...), other
        ("{count} semaine", "{count} de semaines", "{count} semaines"),
        context="duration_weeks",
    )
    folder = tmp_path / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)
    monkeypatch.setattr(bot.texts, "LOCALES", tmp_path)
    translations.cache_clear()
    yield
    translations.cache_clear()


def test_a_language_is_its_catalog_and_nothing_more(french) -> None:
    assert TEXTS["btn_choose"] == "Choose {name}"
    assert t("btn_choose", "fr", name="Robin & co") == "Choisir Robin &amp; co"
    # French's own plural rule (0 and 1 are singular), from the catalog's header
    assert tn("duration_weeks", 0, "fr") == "0 semaine"
    assert tn("duration_weeks", 2, "fr") == "2 semaines"
    assert tn("duration_weeks", 1_000_000, "fr") == "1000000 de semaines"
    # What the catalog has not translated is said in English; English is untouched.
    assert t("btn_cancel", "fr") == TEXTS["btn_cancel"]
    assert tn("duration_weeks", 0) == "0 weeks"
