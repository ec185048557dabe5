"""Configuration: the example parses, the environment overrides, every mistake is one line."""

from __future__ import annotations

import copy
import json
import tomllib
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.config import (
    DATABASE_URL_ENV,
    TOKEN_ENV,
    Config,
    ConfigError,
    load_config,
    masked,
    parse_config,
    parse_duration,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "config.example.toml"

Raw = dict[str, Any]


def example() -> Raw:
    with EXAMPLE.open("rb") as handle:
        return tomllib.load(handle)


def config_error(mutate: Callable[[Raw], object], environ: dict[str, str] | None = None) -> str:
    """The message of the ConfigError raised for the example document after ``mutate``."""
    raw = example()
    mutate(raw)
    with pytest.raises(ConfigError) as caught:
        parse_config(raw, environ=environ if environ is not None else {})
    return str(caught.value)


def assert_one_line_naming(message: str, key: str) -> None:
    assert message.strip(), "empty error message"
    assert "\n" not in message and "\r" not in message, f"not one line: {message!r}"
    assert key in message, f"{key!r} not named in {message!r}"


# -- the example and the environment --------------------------------------------------------


def test_example_config_parses() -> None:
    config = load_config(EXAMPLE, environ={})

    assert isinstance(config, Config)
    assert config.telegram.token == "123:ABC"
    assert config.telegram.base_url == "https://api.telegram.org/bot"
    assert config.database.url == "sqlite+aiosqlite:///peerlink.db"
    assert config.database.auto_migrate is True
    assert config.coordinators.telegram_ids == [111111111]
    assert config.service.timezone == "Australia/Brisbane"
    assert config.tz == ZoneInfo("Australia/Brisbane")
    assert [line.phone for line in config.service.crisis_lines] == ["13 11 14", "1300 22 4636"]
    assert len(config.lived_experience) == 10
    assert config.area("carer_young").perspective == "carer"
    assert config.area("nope") is None
    assert config.profile_options.languages["vi"] == "Vietnamese"
    assert config.availability.parts["morning"] == "08:00-12:00"
    assert config.peer_workers.max_caseload == 8
    assert config.invites.valid_for == timedelta(days=7)


def test_example_config_parses_with_the_process_environment_cleared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    assert load_config(EXAMPLE).telegram.token == "123:ABC"


def test_environment_overrides_the_file() -> None:
    environ = {
        TOKEN_ENV: "987654:FROM-env_token",
        DATABASE_URL_ENV: "postgresql+asyncpg://bob:pw@db.example/peerlink",
    }
    raw = example()
    before = copy.deepcopy(raw)

    config = parse_config(raw, environ=environ)

    assert config.telegram.token == "987654:FROM-env_token"
    assert config.database.url == "postgresql+asyncpg://bob:pw@db.example/peerlink"
    # Only the overridden keys change; the rest of each table still comes from the file.
    assert config.telegram.rate_limiter_max_retries == 3
    assert config.database.auto_migrate is True
    assert raw == before, "parse_config must not modify the document it was given"


def test_load_config_applies_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")

    config = load_config(path, environ={TOKEN_ENV: "42:from-load"})

    assert config.telegram.token == "42:from-load"
    assert config.database.url == "sqlite+aiosqlite:///peerlink.db"


def test_process_environment_is_used_when_none_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, "31337:from-os-environ")
    monkeypatch.setenv(DATABASE_URL_ENV, "sqlite+aiosqlite:///from-os-environ.db")

    config = parse_config(example())

    assert config.telegram.token == "31337:from-os-environ"
    assert config.database.url == "sqlite+aiosqlite:///from-os-environ.db"


def test_token_may_come_only_from_the_environment() -> None:
    raw = example()
    del raw["telegram"]["token"]

    assert parse_config(raw, environ={TOKEN_ENV: "5:only-env"}).telegram.token == "5:only-env"


def test_empty_environment_variables_do_not_override() -> None:
    config = parse_config(example(), environ={TOKEN_ENV: "", DATABASE_URL_ENV: ""})

    assert config.telegram.token == "123:ABC"
    assert config.database.url == "sqlite+aiosqlite:///peerlink.db"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("45min", timedelta(minutes=45)),
        ("12h", timedelta(hours=12)),
        ("7d", timedelta(days=7)),
        (" 2w ", timedelta(weeks=2)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected
    raw = example()
    raw["invites"]["valid_for"] = text
    assert parse_config(raw, environ={}).invites.valid_for == expected


# -- every kind of mistake: one ConfigError, one line, naming the key -----------------------


def _set(path: str, value: Any) -> Callable[[Raw], None]:
    *tables, key = path.split(".")

    def mutate(raw: Raw) -> None:
        target = raw
        for table in tables:
            target = target.setdefault(table, {})
        target[key] = value

    return mutate


def _delete(path: str) -> Callable[[Raw], None]:
    *tables, key = path.split(".")

    def mutate(raw: Raw) -> None:
        target = raw
        for table in tables:
            target = target[table]
        del target[key]

    return mutate


def _duplicate_area_key(raw: Raw) -> None:
    raw["lived_experience"][1]["key"] = raw["lived_experience"][0]["key"]


def _misspelt_crisis_line_field(raw: Raw) -> None:
    raw["service"]["crisis_lines"][0]["phon"] = raw["service"]["crisis_lines"][0].pop("phone")


BAD_CONFIGS = [
    pytest.param(_delete("telegram.token"), "telegram.token", id="missing-token"),
    pytest.param(_delete("telegram"), "telegram", id="missing-telegram-table"),
    pytest.param(_set("telegram.token", "not a token"), "telegram.token", id="malformed-token"),
    pytest.param(_set("telegram.token", 123), "telegram.token", id="token-not-a-string"),
    pytest.param(
        _set("coordinators.telegram_ids", "abc"),
        "coordinators.telegram_ids",
        id="wrong-type-telegram-ids",
    ),
    pytest.param(
        _set("coordinators.telegram_ids", ["abc"]),
        "coordinators.telegram_ids",
        id="wrong-type-telegram-id-item",
    ),
    pytest.param(_set("invites.valid_for", 5), "invites.valid_for", id="wrong-type-valid-for"),
    pytest.param(
        _set("peer_workers.max_caseload", "8"), "peer_workers.max_caseload", id="wrong-type-int"
    ),
    pytest.param(
        _set("database.auto_migrate", "yes"), "database.auto_migrate", id="wrong-type-bool"
    ),
    pytest.param(
        _set("peer_workers.max_caseload", 0), "peer_workers.max_caseload", id="out-of-range"
    ),
    pytest.param(_set("telegram.tokn", "1:typo"), "telegram.tokn", id="unknown-key"),
    pytest.param(_set("matching.weight", 1), "matching", id="unknown-section"),
    pytest.param(
        _misspelt_crisis_line_field,
        "service.crisis_lines.0.phon",
        id="unknown-key-in-array-of-tables",
    ),
    pytest.param(_set("service.timezone", "Mars/Base"), "service.timezone", id="invalid-timezone"),
    pytest.param(
        _set("service.timezone_choices", ["Europe/London", "Mars/Base"]),
        "service.timezone_choices",
        id="invalid-timezone-choice",
    ),
    pytest.param(_set("invites.valid_for", "7 days"), "invites.valid_for", id="bad-duration"),
    pytest.param(_set("invites.valid_for", "0d"), "invites.valid_for", id="zero-duration"),
    pytest.param(_set("invites.valid_for", "3y"), "invites.valid_for", id="bad-duration-unit"),
    pytest.param(
        _delete("service.crisis_lines"), "service.crisis_lines", id="missing-crisis-lines"
    ),
    pytest.param(_set("service.crisis_lines", []), "service.crisis_lines", id="empty-crisis-lines"),
    pytest.param(
        _set("database.url", "postgresql://bob:pw@localhost/peerlink"),
        "database.url",
        id="sync-postgres-url",
    ),
    pytest.param(
        _set("database.url", "sqlite:///peerlink.db"), "database.url", id="sync-sqlite-url"
    ),
    pytest.param(_duplicate_area_key, "lived_experience", id="duplicate-area-key"),
    pytest.param(
        _set("availability.parts", {"night": "22:00-02:00"}),
        "availability.parts",
        id="backwards-time-range",
    ),
    pytest.param(_set("telegram", "x"), "telegram", id="telegram-not-a-table"),
]


@pytest.mark.parametrize(("mutate", "key"), BAD_CONFIGS)
def test_bad_configuration_is_one_line_naming_the_key(
    mutate: Callable[[Raw], object], key: str
) -> None:
    assert_one_line_naming(config_error(mutate), key)


def test_missing_token_message_points_at_the_environment_variable() -> None:
    message = config_error(_delete("telegram.token"))
    assert_one_line_naming(message, "telegram.token")
    assert TOKEN_ENV in message
    # An empty variable is no token either.
    assert_one_line_naming(config_error(_delete("telegram.token"), {TOKEN_ENV: ""}), TOKEN_ENV)


def test_malformed_token_is_not_echoed() -> None:
    message = config_error(_set("telegram.token", "123456 SUPERSECRET"))
    assert_one_line_naming(message, "telegram.token")
    assert "SUPERSECRET" not in message


def test_unknown_key_is_reported_when_the_token_comes_from_the_environment() -> None:
    def misspell(raw: Raw) -> None:
        raw["telegram"]["tokn"] = raw["telegram"].pop("token")

    message = config_error(misspell, {TOKEN_ENV: "42:from-env"})
    assert_one_line_naming(message, "telegram.tokn")


def test_duplicate_area_key_names_the_duplicate() -> None:
    message = config_error(_duplicate_area_key)
    assert_one_line_naming(message, "lived_experience")
    assert "psychosis" in message


def test_non_async_database_url_from_the_environment_is_refused() -> None:
    message = config_error(lambda raw: None, {DATABASE_URL_ENV: "postgresql://h/db"})
    assert_one_line_naming(message, "database.url")


# Wrong types that reach a validator written for strings must still be a ConfigError.
@pytest.mark.parametrize(
    ("mutate", "key"),
    [
        pytest.param(_set("service.timezone", 5), "service.timezone", id="timezone-int"),
        pytest.param(_set("service.timezone", ["UTC"]), "service.timezone", id="timezone-list"),
        pytest.param(
            _set("service.timezone_choices", [1]),
            "service.timezone_choices",
            id="timezone-choice-int",
        ),
        pytest.param(
            _set("invites.valid_for", "99999999999999w"),
            "invites.valid_for",
            id="duration-overflow",
        ),
    ],
)
def test_wrong_types_in_validated_fields_are_config_errors(
    mutate: Callable[[Raw], object], key: str
) -> None:
    assert_one_line_naming(config_error(mutate), key)


@pytest.mark.parametrize("section", ["telegram", "database"])
def test_section_not_a_table_with_environment_override_is_a_config_error(section: str) -> None:
    environ = {TOKEN_ENV: "42:from-env", DATABASE_URL_ENV: "sqlite+aiosqlite:///x.db"}
    assert_one_line_naming(config_error(_set(section, "x"), environ), section)


# -- the file itself -------------------------------------------------------------------------


def test_invalid_toml(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('[telegram\ntoken = "1:a"\n', encoding="utf-8")

    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})

    message = str(caught.value)
    assert_one_line_naming(message, str(path))
    assert "TOML" in message


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"

    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})

    assert_one_line_naming(str(caught.value), str(path))


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, environ={})

    assert_one_line_naming(str(caught.value), str(tmp_path))


def test_file_not_in_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    text = EXAMPLE.read_text(encoding="utf-8").replace("Riverside", "Caf\u00e9 Riverside")
    path.write_bytes(text.encode("latin-1", errors="replace"))

    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})

    assert_one_line_naming(str(caught.value), str(path))


# -- masking for check-config ----------------------------------------------------------------


def test_masked_hides_the_token_secret_and_the_database_password() -> None:
    raw = example()
    raw["telegram"]["token"] = "123456:AAH-very_secret"
    raw["database"]["url"] = "postgresql+asyncpg://peerlink:hunter2@db.example:5432/peerlink"
    config = parse_config(raw, environ={})

    shown = masked(config)
    dumped = json.dumps(shown)

    assert shown["telegram"]["token"] == "123456:***"
    assert shown["database"]["url"] == "postgresql+asyncpg://peerlink:***@db.example:5432/peerlink"
    assert "AAH-very_secret" not in dumped
    assert "hunter2" not in dumped
    # The rest is shown as configured, and the configuration itself is untouched.
    assert shown["service"]["timezone"] == "Australia/Brisbane"
    assert shown["invites"]["valid_for"] == "P7D"
    assert config.telegram.token == "123456:AAH-very_secret"
    assert "hunter2" in config.database.url


@pytest.mark.parametrize(
    "url",
    [
        "sqlite+aiosqlite:///peerlink.db",
        "postgresql+asyncpg://peerlink@db.example/peerlink",
        "postgresql+asyncpg://db.example/peerlink",
    ],
)
def test_masked_leaves_urls_without_a_password_alone(url: str) -> None:
    raw = example()
    raw["database"]["url"] = url

    assert masked(parse_config(raw, environ={}))["database"]["url"] == url


def test_masked_hides_a_password_without_a_user_name() -> None:
    raw = example()
    raw["database"]["url"] = "postgresql+asyncpg://:hunter2@db.example/peerlink"
    assert "hunter2" not in json.dumps(masked(parse_config(raw, environ={})))


def test_a_misspelt_token_key_is_named_rather_than_the_missing_token() -> None:
    def misspell(raw: Raw) -> None:
        raw["telegram"]["tokn"] = raw["telegram"].pop("token")

    assert_one_line_naming(config_error(misspell), "telegram.tokn")
