"""Configuration: the example parses, the environment overrides, every mistake is one line,
every accepted value means what it says, and every key is documented."""

from __future__ import annotations

import copy
import json
import logging
import re
import tomllib
import typing
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from bot.config import (
    DATABASE_URL_ENV,
    MISSING_TOKEN,
    NO_COORDINATOR,
    PLACEHOLDER_TOKENS,
    TOKEN_ENV,
    Config,
    ConfigError,
    load_config,
    masked,
    parse_config,
    parse_duration,
    require_coordinator,
)
from bot.crisis import help_now

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "config.example.toml"
README = ROOT / "README.md"
TOKEN = "123456:TEST-token"
COORDINATOR_ID = 5000

Raw = dict[str, Any]


def shipped() -> Raw:
    """config.example.toml exactly as it ships: no token, no coordinator."""
    with EXAMPLE.open("rb") as handle:
        return tomllib.load(handle)


def example() -> Raw:
    """The example as a newcomer fills it in: a token and their own id as coordinator."""
    raw = shipped()
    raw["telegram"]["token"] = TOKEN
    raw["coordinators"]["telegram_ids"] = [COORDINATOR_ID]
    return raw


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


def model_fields(
    model: type[BaseModel] = Config, prefix: str = ""
) -> Iterator[tuple[str, FieldInfo]]:
    """(dotted key, field) for every setting, walking nested sections; a list of tables is
    written ``section.list[].key``."""
    for name, field in model.model_fields.items():
        annotation = field.annotation
        args = typing.get_args(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from model_fields(annotation, f"{prefix}{name}.")
        elif (
            typing.get_origin(annotation) is list
            and args
            and isinstance(args[0], type)
            and issubclass(args[0], BaseModel)
        ):
            yield from model_fields(args[0], f"{prefix}{name}[].")
        else:
            yield f"{prefix}{name}", field


# -- the example and the environment --------------------------------------------------------


def test_example_config_parses() -> None:
    config = load_config(EXAMPLE, environ={TOKEN_ENV: TOKEN})

    assert isinstance(config, Config)
    assert config.telegram.token == TOKEN
    assert config.telegram.base_url == "https://api.telegram.org/bot"
    assert config.database.url == "sqlite:///peerlink.db"
    assert config.database.auto_migrate is True
    assert config.coordinators.telegram_ids == []  # the newcomer puts their own id here
    assert config.service.emergency_number == "000"
    assert config.service.timezone == "Australia/Brisbane"
    assert config.tz == ZoneInfo("Australia/Brisbane")
    assert [line.phone for line in config.service.crisis_lines] == ["13 11 14", "1300 22 4636"]
    assert len(config.lived_experience) == 10
    assert config.area("carer_young").perspective == "carer"
    assert config.area("nope") is None
    assert config.profile_options.languages["vi"].said() == "Vietnamese"
    assert config.availability.parts["morning"] == "08:00-12:00"
    assert config.peer_workers.max_caseload == 8
    assert config.invites.valid_for == timedelta(days=7)


def test_the_shipped_example_has_no_token_and_no_coordinator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A fresh copy refuses to start, in one line saying what to set, rather than starting
    with a placeholder token and a stranger's id as coordinator."""
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    assert shipped()["telegram"]["token"] == ""
    assert shipped()["coordinators"]["telegram_ids"] == []

    with pytest.raises(ConfigError) as caught:
        load_config(EXAMPLE)
    assert str(caught.value) == MISSING_TOKEN

    config = load_config(EXAMPLE, environ={TOKEN_ENV: TOKEN})
    with pytest.raises(ConfigError) as caught:
        require_coordinator(config)
    assert str(caught.value) == NO_COORDINATOR
    assert_one_line_naming(NO_COORDINATOR, "coordinators.telegram_ids")
    assert "put your own Telegram user id in coordinators.telegram_ids" in NO_COORDINATOR
    require_coordinator(parse_config(example(), environ={}))  # one id is enough


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
    assert config.database.url == "sqlite:///peerlink.db"


def test_process_environment_is_used_when_none_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, "31337:from-os-environ")
    monkeypatch.setenv(DATABASE_URL_ENV, "sqlite:///from-os-environ.db")

    config = parse_config(example())

    assert config.telegram.token == "31337:from-os-environ"
    assert config.database.url == "sqlite:///from-os-environ.db"


def test_token_may_come_only_from_the_environment() -> None:
    raw = example()
    del raw["telegram"]["token"]

    assert parse_config(raw, environ={TOKEN_ENV: "5:only-env"}).telegram.token == "5:only-env"


def test_empty_environment_variables_do_not_override() -> None:
    config = parse_config(example(), environ={TOKEN_ENV: "", DATABASE_URL_ENV: ""})

    assert config.telegram.token == TOKEN
    assert config.database.url == "sqlite:///peerlink.db"


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
    pytest.param(_set("database.url", "mysql://db/peerlink"), "database.url", id="mysql-url"),
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
    environ = {TOKEN_ENV: "42:from-env", DATABASE_URL_ENV: "sqlite:///x.db"}
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
        "sqlite:///peerlink.db",
        "sqlite+aiosqlite:///peerlink.db",  # the spelling of earlier versions
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


# -- the token, the coordinators, the emergency number -------------------------------------


@pytest.mark.parametrize("placeholder", sorted(PLACEHOLDER_TOKENS))
def test_a_placeholder_token_is_the_same_error_as_a_missing_one(placeholder: str) -> None:
    assert config_error(_set("telegram.token", placeholder)) == MISSING_TOKEN
    # From the environment too.
    assert config_error(_delete("telegram.token"), {TOKEN_ENV: placeholder}) == MISSING_TOKEN


@pytest.mark.parametrize("empty", ["", "   "])
def test_an_empty_token_is_the_same_error_as_a_missing_one(empty: str) -> None:
    assert config_error(_set("telegram.token", empty)) == MISSING_TOKEN
    assert config_error(_set("telegram.token", empty), {TOKEN_ENV: ""}) == MISSING_TOKEN
    # An empty file value is filled from the environment.
    raw = example()
    raw["telegram"]["token"] = empty
    assert parse_config(raw, environ={TOKEN_ENV: "77:from-env"}).telegram.token == "77:from-env"


@pytest.mark.parametrize("token", ["123456", "123456:", ":ABCdef", "abc:def", "12 34:abc"])
def test_a_token_not_shaped_like_one_is_the_same_error_as_a_missing_one(token: str) -> None:
    assert config_error(_set("telegram.token", token)) == MISSING_TOKEN
    assert config_error(_delete("telegram.token"), {TOKEN_ENV: token}) == MISSING_TOKEN


def test_a_token_that_is_not_a_string_is_the_same_error_as_a_missing_one() -> None:
    assert config_error(_set("telegram.token", 123456)) == MISSING_TOKEN


@pytest.mark.parametrize("token", [TOKEN, "7:x", "1234567890:AAE_aB-cd0123456789abcdefghijklmnopq"])
def test_tokens_of_the_right_shape_are_accepted(token: str) -> None:
    assert parse_config(example(), environ={TOKEN_ENV: token}).telegram.token == token


@pytest.mark.parametrize("url", ["api.telegram.org/bot", "ftp://x/bot", "", "http://"])
def test_a_base_url_that_is_not_http_is_refused(url: str) -> None:
    assert_one_line_naming(config_error(_set("telegram.base_url", url)), "telegram.base_url")


def test_a_local_bot_api_server_url_is_accepted() -> None:
    raw = example()
    raw["telegram"]["base_url"] = "http://127.0.0.1:8081/bot"
    assert parse_config(raw, environ={}).telegram.base_url == "http://127.0.0.1:8081/bot"


@pytest.mark.parametrize(
    "key", ["coordinators.telegram_ids", "safety.escalation_contacts"], ids=lambda key: key
)
@pytest.mark.parametrize("bad", [[0], [-5], [5000, 0]])
def test_telegram_ids_are_positive(key: str, bad: list[int]) -> None:
    assert_one_line_naming(config_error(_set(key, bad)), key)


def test_no_coordinator_is_accepted_by_the_parser_but_not_for_running() -> None:
    """migrate and export run without a coordinator; run and check-config ask for one."""
    raw = example()
    raw["coordinators"]["telegram_ids"] = []
    config = parse_config(raw, environ={})
    with pytest.raises(ConfigError) as caught:
        require_coordinator(config)
    assert_one_line_naming(str(caught.value), "coordinators.telegram_ids")
    raw["coordinators"] = {}
    with pytest.raises(ConfigError):
        require_coordinator(parse_config(raw, environ={}))


@pytest.mark.parametrize("number", ["000", "999", "112", "911", "111", "+44 999", "13 11 14"])
def test_the_emergency_number_is_said_in_help_now(number: str) -> None:
    raw = example()
    raw["service"]["emergency_number"] = number
    config = parse_config(raw, environ={})

    text = help_now(config).text

    assert f"call emergency services on {number}" in text
    assert "999 in the UK" not in text or number == "999"


def test_the_default_emergency_number_is_australias() -> None:
    raw = example()
    del raw["service"]["emergency_number"]
    config = parse_config(raw, environ={})
    assert config.service.emergency_number == "000"
    assert "call emergency services on 000" in help_now(config).text


@pytest.mark.parametrize("bad", ["", "0", "call 000", "000!", "1234567890123456", "9-", 0, 999])
def test_an_emergency_number_that_is_not_a_short_phone_number_is_refused(bad: Any) -> None:
    message = config_error(_set("service.emergency_number", bad))
    assert_one_line_naming(message, "service.emergency_number")


# -- numbers: every range, at both edges ----------------------------------------------------

RANGES = [
    # (key, refused values, accepted values)
    ("telegram.rate_limiter_max_retries", [0, 11, -1], [1, 10]),
    ("telegram.bulk_messages_per_second", [0, 31, 100], [1, 30]),
    ("onboarding.display_name_max_length", [9, 101], [10, 100]),
    ("onboarding.bio_max_length", [99, 2001], [100, 2000]),
    ("onboarding.goal_max_length", [49, 1001], [50, 1000]),
    ("peer_workers.max_caseload", [0, 51], [1, 50]),
    ("matching.candidates_shown_to_coordinators", [0, 11], [3, 10]),
    ("matching.offer_count", [0, 6], [1, 5]),
    ("matching.declines_before_alert", [0, 21], [1, 20]),
    ("matching.weights.lived_experience", [-1, 101], [0, 100]),
    ("matching.weights.availability", [-1, 101], [0, 100]),
    ("matching.weights.preferences", [-1, 101], [0, 100]),
    ("matching.weights.load", [-1, 101], [0, 100]),
    ("matching.weights.continuity", [-1, 101], [0, 100]),
    ("checkins.low_score", [0, 5], [1, 4]),
    ("checkins.nudge_after_missed", [-1, 101], [0, 1, 100]),
    ("checkins.tell_worker_after_missed", [-1, 101], [0, 2, 100]),
    ("checkins.tell_coordinator_after_missed", [-1, 101], [0, 3, 100]),
    ("worker_checkins.weekday", [-1, 7], [0, 6]),
    ("safety.reports_before_alert", [0, 21], [1, 20]),
    ("flood.updates_per_minute", [4, 601], [5, 600]),
    ("pipeline.concurrency", [0, 257], [1, 256]),
    ("pipeline.max_attempts", [0, 11], [1, 10]),
    ("outbox.concurrency", [0, 257], [1, 256]),
    ("matching.expiries_before_pause", [-1, 21], [0, 20]),
    ("pipeline.health_port", [-1, 65536], [0, 65535]),
    ("webhook.port", [0, 65536], [1, 65535]),
]


@pytest.mark.parametrize(("key", "refused", "accepted"), RANGES, ids=[r[0] for r in RANGES])
def test_numbers_outside_their_range_are_refused_and_the_edges_accepted(
    key: str, refused: list[int], accepted: list[int]
) -> None:
    for value in refused:
        assert_one_line_naming(config_error(_set(key, value)), key)
        assert_one_line_naming(config_error(_set(key, float(value) + 0.5)), key)  # not whole
    for value in accepted:
        raw = example()
        _set(key, value)(raw)
        config = parse_config(raw, environ={})
        target: Any = config
        for part in key.split("."):
            target = getattr(target, part)
        assert target == value


def test_every_number_in_the_models_has_its_range_tested() -> None:
    numbers = {path for path, field in model_fields() if field.annotation is int}
    assert numbers == {key for key, _refused, _accepted in RANGES}


def test_more_offers_than_candidates_shown_is_refused() -> None:
    def mutate(raw: Raw) -> None:
        raw["matching"].update(candidates_shown_to_coordinators=2, offer_count=3)

    message = config_error(mutate)
    assert_one_line_naming(message, "matching.offer_count")
    assert "candidates_shown_to_coordinators" in message
    raw = example()
    raw["matching"].update(candidates_shown_to_coordinators=3, offer_count=3)
    assert parse_config(raw, environ={}).matching.offer_count == 3


def test_outcome_questions_are_at_most_six() -> None:
    key = "programme.outcome_questions"
    assert_one_line_naming(config_error(_set(key, [f"Question {n}" for n in range(7)])), key)
    raw = example()
    raw["programme"]["outcome_questions"] = [f"Question {n}" for n in range(6)]
    assert len(parse_config(raw, environ={}).programme.outcome_questions) == 6


# -- durations -----------------------------------------------------------------------------


def duration_keys() -> list[str]:
    """Every duration in the models, including lists and tables of durations."""
    return [path for path, field in model_fields() if "timedelta" in str(field.annotation)]


def test_the_duration_keys_are_the_ones_this_file_expects() -> None:
    assert set(duration_keys()) == {
        "invites.valid_for",
        "matching.offer_timeout",
        "matching.offer_hold",
        "matching.max_wait",
        "matching.min_overlap",
        "scheduler.sweep_every",
        "programme.length",
        "programme.closure_reminders",
        "programme.rematch_cooldown",
        "checkins.cadences",
        "checkins.answer_within",
        "checkins.grace",
        "peer_workers.supervision_every",
        "peer_workers.supervision_reminder",
        "relationship.first_contact_within",
        "relationship.fit_check_after",
        "safety.ack_within",
        "safety.crisis_lines_every",
        "retention.after",
        "pipeline.lease",
        "pipeline.keep_handled",
        "outbox.keep_sent",
    }


def _set_duration(key: str, text: str) -> Callable[[Raw], None]:
    if key == "programme.closure_reminders":
        return _set(key, [text])
    if key == "checkins.cadences":
        return _set(key, {"weekly": text})
    return _set(key, text)


@pytest.mark.parametrize("key", duration_keys())
@pytest.mark.parametrize("bad", ["0m", "0s", "-1d", "1y", "11 years", "523w", "1.5h", 30, ""])
def test_every_duration_refuses_what_is_not_one(key: str, bad: Any) -> None:
    mutate = _set_duration(key, bad) if isinstance(bad, str) else _set(key, bad)
    assert_one_line_naming(config_error(mutate), key)


def test_closure_reminders_must_be_shorter_than_the_programme() -> None:
    def too_long(raw: Raw) -> None:
        raw["programme"].update(length="1m", closure_reminders=["4w"])

    message = config_error(too_long)
    assert_one_line_naming(message, "programme.closure_reminders")
    assert "'4w'" in message and "programme.length" in message and "'1m'" in message

    def as_long(raw: Raw) -> None:
        raw["programme"].update(length="2w", closure_reminders=["1w", "14d"])

    message = config_error(as_long)
    assert_one_line_naming(message, "programme.closure_reminders")
    assert "'2w'" in message

    raw = example()
    raw["programme"].update(length="30m", closure_reminders=["20m", "10m"])
    programme = parse_config(raw, environ={}).programme
    assert programme.closure_reminders == [timedelta(minutes=20), timedelta(minutes=10)]
    raw["programme"].update(closure_reminders=[])
    assert parse_config(raw, environ={}).programme.closure_reminders == []


def test_a_closure_reminder_given_twice_is_refused() -> None:
    message = config_error(_set("programme.closure_reminders", ["2w", "1w", "14d"]))
    assert_one_line_naming(message, "programme.closure_reminders")
    assert "twice" in message


def test_sub_day_cadences_are_accepted_down_to_the_sweep() -> None:
    raw = example()
    raw["checkins"]["cadences"] = {"quick": "2m", "hourly": "1h", "daily": "1d", "weekly": "7d"}
    raw["checkins"]["answer_within"] = "2m"
    cadences = parse_config(raw, environ={}).checkins.cadences
    assert cadences["quick"] == timedelta(minutes=2)

    message = config_error(_set("checkins.cadences", {"weekly": "7d", "fast": "30s"}))
    assert_one_line_naming(message, "checkins.cadences.fast")
    assert "scheduler.sweep_every" in message

    raw = example()
    raw["checkins"]["cadences"] = {"fast": "30s"}
    raw["checkins"]["answer_within"] = "30s"
    raw["scheduler"]["sweep_every"] = "30s"
    assert parse_config(raw, environ={}).checkins.cadences["fast"] == timedelta(seconds=30)


@pytest.mark.parametrize("name", ["none", "a_name_of_21_letters_", "Weekly", "every week"])
def test_cadence_names_fit_a_plan(name: str) -> None:
    message = config_error(_set("checkins.cadences", {name: "7d"}))
    assert_one_line_naming(message, "checkins.cadences")


def test_answer_within_longer_than_a_cadence_is_refused() -> None:
    """Otherwise a check-in is still open when the next comes, and the missed ladder counts
    check-ins from long ago as 'in a row' after newer ones were answered."""

    def mutate(raw: Raw) -> None:
        raw["checkins"]["cadences"] = {"quick": "10m", "weekly": "7d"}
        raw["checkins"]["answer_within"] = "2d"

    message = config_error(mutate)
    assert_one_line_naming(message, "checkins.answer_within")
    assert "'quick'" in message
    raw = example()
    mutate(raw)
    raw["checkins"]["answer_within"] = "10m"
    assert parse_config(raw, environ={}).checkins.answer_within == timedelta(minutes=10)


def test_grace_shorter_than_the_sweep_is_refused() -> None:
    def mutate(raw: Raw) -> None:
        raw["checkins"]["grace"] = "30s"

    message = config_error(mutate)
    assert_one_line_naming(message, "checkins.grace")
    assert "scheduler.sweep_every" in message


# -- the sweep: its own [scheduler] section, and the old matching.sweep_every -----------------

ALIAS_WARNING = "matching.sweep_every has moved to [scheduler] sweep_every"


def test_the_sweep_is_every_minute_unless_configured() -> None:
    assert parse_config(example(), environ={}).scheduler.sweep_every == timedelta(minutes=1)
    raw = example()
    del raw["scheduler"]
    assert parse_config(raw, environ={}).scheduler.sweep_every == timedelta(minutes=1)
    raw["scheduler"] = {"sweep_every": "5m"}
    assert parse_config(raw, environ={}).scheduler.sweep_every == timedelta(minutes=5)


def _sweep_long(every: str) -> Callable[[Raw], None]:
    """A sweep this long, with a cadence and a grace no shorter (and answers within it)."""

    def mutate(raw: Raw) -> None:
        raw["scheduler"]["sweep_every"] = every
        raw["checkins"].update(cadences={"long": every}, grace=every, answer_within=every)

    return mutate


@pytest.mark.parametrize("every", ["0s", "0m", "3661d", "523w"])
def test_a_sweep_outside_its_range_is_refused(every: str) -> None:
    key = "scheduler.sweep_every"
    assert_one_line_naming(config_error(_set(key, every)), key)


@pytest.mark.parametrize(
    ("every", "expected"),
    [("1s", timedelta(seconds=1)), ("3660d", timedelta(days=3660)), ("522w", timedelta(weeks=522))],
)
def test_the_sweep_accepts_the_edges_of_its_range(every: str, expected: timedelta) -> None:
    raw = example()
    _sweep_long(every)(raw)
    assert parse_config(raw, environ={}).scheduler.sweep_every == expected


def test_the_old_matching_sweep_every_still_sets_the_sweep_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    raw = example()
    del raw["scheduler"]
    raw["matching"]["sweep_every"] = "30s"
    raw["checkins"]["grace"] = "30s"
    before = copy.deepcopy(raw)

    with caplog.at_level(logging.WARNING, logger="bot.config"):
        config = parse_config(raw, environ={})

    assert config.scheduler.sweep_every == timedelta(seconds=30)
    warnings = [record for record in caplog.records if ALIAS_WARNING in record.getMessage()]
    assert len(warnings) == 1, caplog.text
    assert warnings[0].levelno == logging.WARNING
    assert "\n" not in warnings[0].getMessage()
    assert raw == before, "parse_config must not modify the document it was given"
    # It is read as the scheduler's: a cadence shorter than it names the new key.
    raw["checkins"]["cadences"] = {"weekly": "7d", "fast": "10s"}
    raw["checkins"]["answer_within"] = "10s"
    with pytest.raises(ConfigError) as caught:
        parse_config(raw, environ={})
    message = str(caught.value)
    assert_one_line_naming(message, "checkins.cadences.fast")
    assert "scheduler.sweep_every" in message


def test_the_old_key_is_warned_about_once_when_loading_a_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    # The [scheduler] section (its header, comment and key) goes; the old key comes back.
    text, removed = re.subn(r"\[scheduler\]\n(#.*\n)*sweep_every = .*\n", "", text)
    assert removed == 1 and "[scheduler]" not in text
    text = text.replace(
        "declines_before_alert = 2\n", 'declines_before_alert = 2\nsweep_every = "2m"\n'
    )
    path = tmp_path / "old.toml"
    path.write_text(text, encoding="utf-8")

    with caplog.at_level(logging.WARNING, logger="bot.config"):
        config = load_config(path, environ={TOKEN_ENV: TOKEN})

    assert config.scheduler.sweep_every == timedelta(minutes=2)
    assert [r.levelno for r in caplog.records if ALIAS_WARNING in r.getMessage()] == [
        logging.WARNING
    ]
    assert masked(config)["scheduler"]["sweep_every"] == "PT2M"  # what check-config shows
    assert "sweep_every" not in masked(config)["matching"]


def test_no_warning_without_the_old_key(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.config"):
        parse_config(example(), environ={})
    assert ALIAS_WARNING not in caplog.text


@pytest.mark.parametrize(("old", "new"), [("1m", "2m"), ("30s", "1m"), ("5m", "5h")])
def test_the_old_and_the_new_key_set_differently_is_refused(old: str, new: str) -> None:
    def mutate(raw: Raw) -> None:
        raw["matching"]["sweep_every"] = old
        raw["scheduler"]["sweep_every"] = new

    message = config_error(mutate)
    assert_one_line_naming(message, "matching.sweep_every")
    assert_one_line_naming(message, "scheduler.sweep_every")
    assert repr(old) in message and repr(new) in message


def test_the_old_and_the_new_key_set_alike_is_accepted_with_the_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    raw = example()
    raw["matching"]["sweep_every"] = "60s"
    raw["scheduler"]["sweep_every"] = "1m"

    with caplog.at_level(logging.WARNING, logger="bot.config"):
        config = parse_config(raw, environ={})

    assert config.scheduler.sweep_every == timedelta(minutes=1)
    assert caplog.text.count(ALIAS_WARNING) == 1


@pytest.mark.parametrize("bad", ["0m", "1y", "523w", 30, ""])
def test_a_bad_old_key_is_named_as_written(bad: Any) -> None:
    message = config_error(_set("matching.sweep_every", bad))
    assert_one_line_naming(message, "matching.sweep_every")


def test_a_bad_new_key_is_named_even_with_the_old_one_set() -> None:
    def mutate(raw: Raw) -> None:
        raw["matching"]["sweep_every"] = "1m"
        raw["scheduler"]["sweep_every"] = "soon"

    assert_one_line_naming(config_error(mutate), "scheduler.sweep_every")


def test_min_overlap_is_whole_minutes_within_the_weekly_grid() -> None:
    assert_one_line_naming(
        config_error(_set("matching.min_overlap", "90s")), "matching.min_overlap"
    )
    # The example's grid: 13 hours a day (08:00-21:00), 91 hours a week.
    message = config_error(_set("matching.min_overlap", "92h"))
    assert_one_line_naming(message, "matching.min_overlap")
    assert "'91h'" in message
    raw = example()
    raw["matching"]["min_overlap"] = "91h"
    assert parse_config(raw, environ={}).matching.min_overlap == timedelta(hours=91)


# -- times of day --------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["18:00:30", "6pm", "24:00", "1800", "8:00", "18:60", "18:00Z"])
def test_times_of_day_are_hh_mm(bad: str) -> None:
    assert_one_line_naming(config_error(_set("checkins.times", ["09:00", bad])), "checkins.times")
    assert_one_line_naming(config_error(_set("worker_checkins.time", bad)), "worker_checkins.time")
    part = {"morning": f"{bad}-23:00"} if bad < "23" else {"evening": f"07:00-{bad}"}
    assert_one_line_naming(config_error(_set("availability.parts", part)), "availability.parts")


def test_checkin_times_are_one_to_eight() -> None:
    assert_one_line_naming(config_error(_set("checkins.times", [])), "checkins.times")
    nine = [f"{hour:02d}:00" for hour in range(9, 18)]
    assert_one_line_naming(config_error(_set("checkins.times", nine)), "checkins.times")
    raw = example()
    raw["checkins"]["times"] = nine[:8]
    assert len(parse_config(raw, environ={}).checkins.times) == 8


def test_overlapping_parts_of_the_day_are_refused() -> None:
    parts = {"morning": "08:00-12:00", "midday": "11:00-14:00"}
    message = config_error(_set("availability.parts", parts))
    assert_one_line_naming(message, "availability.parts")
    assert "overlaps" in message
    raw = example()
    raw["availability"]["parts"] = {"morning": "08:00-12:00", "midday": "12:00-14:00"}
    assert parse_config(raw, environ={}).availability.weekly_minutes() == 7 * 6 * 60


# -- every key is documented ---------------------------------------------------------------


def _configuration_table() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Configuration reference", 1)[1].split("\n## ", 1)[0]
    return "\n".join(line for line in section.splitlines() if line.startswith("| `"))


def test_every_key_is_in_the_readme_configuration_table() -> None:
    table = _configuration_table()
    documented = set(re.findall(r"^\| `([a-z_.\[\]]+)`", table, flags=re.M))
    keys = {path for path, _field in model_fields()}
    assert keys - documented == set(), "keys missing from the README's configuration table"
    assert documented - keys == set(), "the README documents keys that do not exist"


def test_every_key_is_in_the_example_configuration() -> None:
    document = shipped()
    missing = []
    for path, _field in model_fields():
        node: Any = document
        for part in path.split("."):
            if isinstance(node, list):
                node = node[0] if node else {}
            key = part.removesuffix("[]")
            if not isinstance(node, dict) or key not in node:
                missing.append(path)
                break
            node = node[key]
    assert missing == [], "keys missing from config.example.toml"


def test_the_readme_table_says_which_keys_are_required() -> None:
    table = _configuration_table()
    rows = {
        re.match(r"^\| `([^`]+)`", line).group(1): line
        for line in table.splitlines()
        if re.match(r"^\| `([^`]+)`", line)
    }
    required = {path for path, field in model_fields() if field.is_required()}
    required |= {"coordinators.telegram_ids"}  # required by `peerlink run`, not by the parser
    for key in required:
        assert "required" in rows[key].lower(), f"{key} is required; the README should say so"
