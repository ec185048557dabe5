"""The gettext catalogs: the template holds every English text as it is now, every language's
catalog compiles and is compiled, keeps English's placeholders, and a language is a catalog
and nothing more (one made here, at run time, is spoken at once)."""

from __future__ import annotations

import gettext
import io
import re
import tomllib
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

import bot.texts
from bot import crisis, languages
from bot.config import COORDINATOR_IDS_ENV, parse_config
from bot.texts import (
    LOCALES,
    is_draft,
    right_to_left,
    shipped_languages,
    speaking,
    t,
    template,
    tn,
    translations,
)
from bot.texts.en import TEXTS
from bot.texts.extract import extract_catalog, plural_keys
from bot.texts.fragments import date_text, period_text

TEMPLATE = LOCALES / "messages.pot"
EXTRACT = (
    ".venv/bin/pybabel extract -F bot/locales/babel.cfg --no-location -o bot/locales/messages.pot "
    "bot/texts/en/__init__.py"
)
PLACEHOLDER = re.compile(r"{(\w+)}")
TOKEN = "123456:ABCdefGhIJKlmnOPQRstuvWXyz0123456789"
SHIPPED = ("vi", "ar")
TELEGRAM_TEXT, TELEGRAM_CAPTION = 4096, 1024


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
    assert mo.exists(), f"{mo} is missing: run .venv/bin/pybabel compile -d bot/locales"
    with po.open("rb") as handle:
        catalog = read_po(handle)
    write_mo(io.BytesIO(), catalog)
    # The compiled catalog says what the .po says, every message (compared by content: a
    # fresh clone gives both files the same moment, in any order).
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    behind = []
    for message in catalog:
        if not message.id or not message.string or message.fuzzy:
            continue
        if isinstance(message.id, str):
            if compiled.pgettext(message.context, message.id) != message.string:
                behind.append(message.context)
        else:
            forms = {compiled.plural(n): n for n in range(200)}
            for form, n in forms.items():
                said = compiled.npgettext(message.context, *message.id, n)
                if said != message.string[form]:
                    behind.append(message.context)
    assert behind == [], f"{mo} is behind its .po: run .venv/bin/pybabel compile -d bot/locales"
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
        (TEXTS["pause_weeks_one"], TEXTS["pause_weeks_other"]),
        # CLDR's French has three forms: one (0, 1), many (a million...), other
        ("{count} semaine", "{count} de semaines", "{count} semaines"),
        context="pause_weeks",
    )
    folder = tmp_path / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)
    monkeypatch.setattr(bot.texts, "LOCALES", tmp_path)
    translations.cache_clear()
    shipped_languages.cache_clear()
    yield
    translations.cache_clear()
    shipped_languages.cache_clear()


def test_a_language_is_its_catalog_and_nothing_more(french) -> None:
    assert TEXTS["btn_choose"] == "Choose {name}"
    assert t("btn_choose", "fr", name="Robin & co") == "Choisir Robin &amp; co"
    # French's own plural rule (0 and 1 are singular), from the catalog's header
    assert tn("pause_weeks", 0, "fr") == "0 semaine"
    assert tn("pause_weeks", 2, "fr") == "2 semaines"
    assert tn("pause_weeks", 1_000_000, "fr") == "1000000 de semaines"
    # What the catalog has not translated is said in English; English is untouched.
    assert t("btn_cancel", "fr") == TEXTS["btn_cancel"]
    assert tn("pause_weeks", 0) == "0 weeks"
    # ... and the one configuration line that turns it on is accepted.
    raw = tomllib.loads(Path("config.example.toml").read_text())
    raw["service"]["languages"] = ["en", "fr"]
    config = parse_config(raw, environ={"PEERLINK_TELEGRAM_TOKEN": TOKEN, COORDINATOR_IDS_ENV: "1"})
    assert config.service.languages == ["en", "fr"]
    assert languages.own_name("fr") == "Français"
    with speaking("fr"):  # its dates and durations come from CLDR, with nothing written here
        assert period_text(timedelta(weeks=2)) == "2\xa0semaines"
        assert date_text(config, datetime(2026, 12, 7, tzinfo=UTC), year=False) == "lun. 7 déc."


def test_every_shipped_language_is_shipped_as_a_draft() -> None:
    assert set(SHIPPED) <= set(shipped_languages())
    assert all(is_draft(language) for language in SHIPPED) and not is_draft("en")


def _tags(text: str) -> list[str]:
    """The HTML tags, in order, and whether they balance (Telegram refuses unbalanced ones)."""
    found: list[str] = []
    open_: list[str] = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append(tag)
            open_.append(tag)

        def handle_endtag(self, tag):
            found.append("/" + tag)
            assert open_ and open_.pop() == tag, f"unbalanced </{tag}>"

    Tags().feed(text)
    assert not open_, f"unclosed {open_}"
    return found


def _forms(key: str, language: str) -> list[str]:
    """Every form a text takes in a language (a text about a number: one per plural form)."""
    catalog = translations(language)
    if key in plural_keys(TEXTS):
        english = TEXTS[f"{key}_one"], TEXTS[f"{key}_other"]
        if language == "en":
            return list(english)
        plurals = catalog.plural  # type: ignore[attr-defined]
        counts = sorted(
            {
                next(n for n in range(200) if plurals(n) == form)
                for form in set(map(plurals, range(200)))
            }
        )
        return [catalog.npgettext(key, *english, n) for n in counts]
    return [template(key, language)]


def _has_words(text: str) -> bool:
    """Letters outside placeholders, tags and /commands."""
    return re.search(r"[^\W\d_]", re.sub(r"{\w+}|<[^>]+>|/\w+", "", text)) is not None


def _keys() -> list[str]:
    plurals = plural_keys(TEXTS)
    keys = [
        k for k in TEXTS if not (k.endswith(("_one", "_other")) and k.rsplit("_", 1)[0] in plurals)
    ]
    return keys + sorted(plurals)


@pytest.mark.parametrize("language", SHIPPED)
def test_every_text_is_translated_with_the_same_placeholders_and_tags(language: str) -> None:
    untranslated, wrong = [], []
    for key in _keys():
        english_forms = _forms(key, "en")
        english = english_forms[-1]
        for form in _forms(key, language):
            if form in english_forms and _has_words(form):
                untranslated.append(key)  # (a text of placeholders and signs alone is the same)
                break
            wanted = set(PLACEHOLDER.findall(english))
            have = set(PLACEHOLDER.findall(form))
            # A plural form for one, two or none may say the number in words.
            if have != wanted and not (key in plural_keys(TEXTS) and have == wanted - {"count"}):
                wrong.append((key, "placeholders", sorted(have ^ wanted)))
            if _tags(form) != _tags(english):
                wrong.append((key, "tags"))
    assert wrong == []
    assert untranslated == [], f"{len(untranslated)} texts in English in {language}"


def _long(name: str) -> str:
    return "W" * 200 if name != "count" else "7"


@pytest.mark.parametrize("language", ["en", *SHIPPED])
def test_every_text_fits_telegram_with_long_parameters(language: str) -> None:
    """Rendered with every parameter 200 characters long, a text fits in a message (4,096
    characters), a caption in a caption (1,024)."""
    too_long = []
    for key in _keys():
        for form in _forms(key, language):
            params = {name: _long(name) for name in PLACEHOLDER.findall(form)}
            text = form.format(**params)
            limit = TELEGRAM_CAPTION if "caption" in key else TELEGRAM_TEXT
            if len(text) > limit:
                too_long.append((key, len(text)))
    assert too_long == []


def test_no_placeholder_shares_a_name_with_an_argument_of_t() -> None:
    assert {
        key for key, text in TEXTS.items() if {"key", "language"} & set(PLACEHOLDER.findall(text))
    } == set()


def test_a_button_carries_the_same_data_in_every_language() -> None:
    """Callback data (64 bytes at most) never holds words: a tap means the same whatever
    language its button was written in."""
    raw = tomllib.loads(Path("config.example.toml").read_text())
    raw["service"]["languages"] = ["en", *SHIPPED]
    config = parse_config(raw, environ={"PEERLINK_TELEGRAM_TOKEN": TOKEN, COORDINATOR_IDS_ENV: "1"})
    from bot.common.language_choice import picker

    data = set()
    for language in config.service.languages:
        with speaking(language):
            reply = picker(config, language)
        data.add(tuple(b.data for row in reply.buttons for b in row))
        assert all(len(b.data.encode()) <= 64 for row in reply.buttons for b in row)
    assert len(data) == 1


@pytest.mark.parametrize("language", [code for code in SHIPPED if right_to_left(code)])
def test_right_to_left_keeps_references_and_numbers_in_their_order(language: str) -> None:
    """ "U3" or a phone number inside Arabic: each parameter is isolated (FSI ... PDI), so
    Telegram's bidirectional layout cannot carry its characters across the Arabic."""
    said = t("request_withdrawn_worker", language, ref="U3")
    assert "\u2068U3\u2069" in said
    lines = t("help_now", language, crisis_lines="13 11 14", emergency="000")
    assert "\u2068000\u2069" in lines and "\u206813 11 14\u2069" in lines
    assert "\u2068" not in t("request_withdrawn_worker", "en", ref="U3")
    # The configured crisis lines, their names in Arabic: each number isolated left to right.
    raw = tomllib.loads(Path("config.example.toml").read_text())
    raw["service"]["crisis_lines"][0]["name"] = {"en": "Lifeline", language: "لايف لاين"}
    config = parse_config(raw, environ={"PEERLINK_TELEGRAM_TOKEN": TOKEN, COORDINATOR_IDS_ENV: "1"})
    with speaking(language):
        said = crisis.help_now(config).text
    assert (
        "لايف لاين" in said
        and "\u206613 11 14\u2069" in said
        and "\u20661300 22 4636\u2069" in said
    )
    assert not right_to_left("vi") and not right_to_left("en") and right_to_left("he")
