"""Configuration: a TOML file, validated into typed settings.

Secrets may come from the environment instead of the file:
``PEERLINK_TELEGRAM_TOKEN``, ``PEERLINK_DATABASE_URL`` and ``PEERLINK_PSEUDONYM_KEY`` override
the file's values, and so does ``PEERLINK_COORDINATOR_IDS`` (so a first start needs no edit).
Any problem is reported as one ``ConfigError`` naming the key, so the CLI can print one
line and exit with status 2. Every accepted value means what it says: a number outside the
range where it works, or a duration that cannot behave as written (a closure reminder not
shorter than the programme, a check-in cadence shorter than the sweep), is refused here.
A key that has moved is still read under its old name, with a warning: ``matching.sweep_every``
is ``scheduler.sweep_every``.
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

TOKEN_ENV = "PEERLINK_TELEGRAM_TOKEN"
DATABASE_URL_ENV = "PEERLINK_DATABASE_URL"
PSEUDONYM_KEY_ENV = "PEERLINK_PSEUDONYM_KEY"
WEBHOOK_SECRET_ENV = "PEERLINK_WEBHOOK_SECRET"
COORDINATOR_IDS_ENV = "PEERLINK_COORDINATOR_IDS"  # "123456789" or "123,456": a first start

log = logging.getLogger(__name__)

_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|min|h|d|w)\s*$")
_DURATION_UNITS = {
    "s": "seconds",
    "m": "minutes",
    "min": "minutes",
    "h": "hours",
    "d": "days",
    "w": "weeks",
}


# Tokens that appear in documentation and examples: a bot started with one of these can only
# fail later, far from the cause.
PLACEHOLDER_TOKENS = frozenset({"123:ABC", "123456:ABC", "123456789:ABC", "123456789:AAE"})
MISSING_TOKEN = f"telegram.token: is required; set it in the file or in {TOKEN_ENV}"
NO_COORDINATOR = (
    "coordinators.telegram_ids: no coordinator is configured; put your own Telegram user id "
    f"in coordinators.telegram_ids (for example telegram_ids = [123456789]) or in "
    f"{COORDINATOR_IDS_ENV}; @userinfobot tells you your id"
)


class ConfigError(Exception):
    """A configuration problem, phrased as one line that names the key."""


def parse_duration(value: Any) -> timedelta:
    """'90s', '30m', '12h', '7d' or '2w' -> timedelta. Durations are config, never code."""
    if isinstance(value, timedelta):
        return value
    if not isinstance(value, str):
        raise ValueError("must be a duration such as '90s', '30m', '12h', '7d' or '2w'")
    match = _DURATION.match(value)
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"{value!r} is not a duration such as '90s', '30m', '12h', '7d' or '2w'")
    try:
        duration = timedelta(**{_DURATION_UNITS[match.group(2)]: int(match.group(1))})
    except OverflowError:
        duration = timedelta.max
    if duration > timedelta(days=3660):
        raise ValueError(f"{value!r} is longer than ten years")
    return duration


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


def format_duration(duration: timedelta) -> str:
    """A duration as it would be written in the file, '4w', '36h', '90s': the inverse of
    ``parse_duration``, for messages about the configuration. What people are told in words
    is ``bot.texts.fragments.period_text``."""
    seconds = int(duration.total_seconds())
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def whole_days(duration: timedelta) -> bool:
    """Check-in cadences of whole days keep a weekday and a local time; others count from
    the start of the relationship."""
    return duration % timedelta(days=1) == timedelta()


def _check_timezone(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a time zone name (a string) such as 'Australia/Brisbane'")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{value!r} is not an IANA time zone such as 'Australia/Brisbane'"
        ) from None
    return value


TimeZoneName = Annotated[str, BeforeValidator(_check_timezone)]


_CLOCK = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


def _check_clock_time(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a time of day (a string) such as '18:00'")
    if not _CLOCK.fullmatch(value):
        raise ValueError(f"{value!r} is not a time of day written HH:MM, such as '18:00'")
    return value


def _check_emergency_number(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"\+?[0-9][0-9 -]{0,10}[0-9]", value):
        raise ValueError(f"{value!r} is not a short phone number such as '000', '999' or '112'")
    return value


ClockTime = Annotated[str, BeforeValidator(_check_clock_time)]
Key = Annotated[str, Field(pattern=r"^[a-z0-9_]{1,24}$")]
# A check-in plan stores its cadence's name in 20 characters; "none" means no check-ins.
CadenceName = Annotated[str, Field(pattern=r"^[a-z0-9_]{1,20}$")]
TelegramId = Annotated[int, Field(gt=0)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Words:
    """Words the configuration gives people, in each language: ``label = "Psychosis"`` (the
    same in every language) or ``label = { en = "Psychosis", vi = "Rối loạn tâm thần" }``.
    ``said()`` gives them in the language being spoken now, else in the service's default
    language (``Config`` tells every ``Words`` which that is), else as first written."""

    __slots__ = ("by_language", "fallback")

    def __init__(self, by_language: dict[str, str], fallback: str | None = None) -> None:
        self.by_language = by_language
        self.fallback = fallback

    @property
    def same_in_every_language(self) -> bool:
        return set(self.by_language) == {""}

    def said(self, language: str | None = None) -> str:
        from bot.texts import current_language

        words = self.by_language
        found = words.get(language or current_language()) or words.get("")
        if found is None and self.fallback is not None:
            found = words.get(self.fallback)
        return found if found is not None else next(iter(words.values()))

    def __repr__(self) -> str:
        return f"Words({self.by_language!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Words) and other.by_language == self.by_language

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.by_language.items())))

    @classmethod
    def parse(cls, value: Any) -> Words:
        if isinstance(value, Words):
            return value
        if isinstance(value, str):
            by_language = {"": value}
        elif isinstance(value, dict) and value:
            by_language = dict(value)
        else:
            raise ValueError('must be text, or text per language such as { en = "…", vi = "…" }')
        for language, words in by_language.items():
            if not isinstance(words, str) or not words.strip():
                where = f" ({language})" if language else ""
                raise ValueError(f"must be text that is not empty{where}")
            if language and not re.fullmatch(r"[a-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})?", language):
                raise ValueError(f"{language!r} is not a language code such as 'vi'")
        return cls(by_language)

    def serialized(self) -> str | dict[str, str]:
        return self.by_language[""] if self.same_in_every_language else dict(self.by_language)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        return core_schema.no_info_plain_validator_function(
            cls.parse,
            serialization=core_schema.plain_serializer_function_ser_schema(cls.serialized),
        )


def _at_most(limit: int) -> Any:
    def check(words: Words) -> Words:
        for language, text in words.by_language.items():
            if len(text) > limit:
                where = f" ({language})" if language else ""
                raise ValueError(f"is longer than {limit} characters{where}")
        return words

    return AfterValidator(check)


def words_in(value: Any, path: str = "") -> list[tuple[str, Words]]:
    """Every ``Words`` in a configuration, with where it is ("crisis_lines[0].name")."""
    found: list[tuple[str, Words]] = []
    if isinstance(value, Words):
        found.append((path, value))
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            found += words_in(getattr(value, name), f"{path}.{name}" if path else name)
    elif isinstance(value, dict):
        for key, item in value.items():
            found += words_in(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found += words_in(item, f"{path}[{index}]")
    return found


class TelegramConfig(_Section):
    token: str = Field(min_length=1)
    base_url: str = "https://api.telegram.org/bot"
    rate_limiter_max_retries: int = Field(default=3, ge=1, le=10)
    bulk_messages_per_second: int = Field(default=29, ge=1, le=30)

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: str) -> str:
        """A placeholder or a malformed token is no token: ``parse_config`` reports it with
        the missing token's one line (MISSING_TOKEN), so a newcomer meets one message."""
        if value in PLACEHOLDER_TOKENS or not re.fullmatch(r"\d+:[\w-]+", value):
            raise ValueError(MISSING_TOKEN.removeprefix("telegram.token: "))
        return value

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
            raise ValueError(
                f"{value!r} is not an http(s) URL such as 'https://api.telegram.org/bot'"
            )
        return value


class DatabaseConfig(_Section):
    url: str = "sqlite:///peerlink.db"
    auto_migrate: bool = False

    @field_validator("url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        # sqlite+aiosqlite:// is the spelling of earlier versions; every SQLite URL runs on
        # PeerLink's own driver (bot/sqlite_on_loop.py).
        if not value.startswith(("sqlite://", "sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with 'sqlite://' or 'postgresql+asyncpg://'")
        return value


class CoordinatorsConfig(_Section):
    # Required by `peerlink run` and `check-config` (at least one); migrate and export
    # run without.
    telegram_ids: list[TelegramId] = Field(default_factory=list)


class CrisisLine(_Section):
    name: Words
    phone: str = Field(min_length=1)
    hours: Words | None = None

    @field_validator("hours", mode="before")
    @classmethod
    def _no_hours(cls, value: Any) -> Any:
        return None if value == "" else value  # ``hours = ""``: none given


def _check_languages(value: Any) -> Any:
    """Each language is English or has a compiled catalog in bot/locales: adding a language
    is adding its catalog and naming it here."""
    from bot.texts import shipped_languages

    if not isinstance(value, list) or not value:
        raise ValueError('must be a list of language codes, the default first, e.g. ["en", "vi"]')
    available = shipped_languages()
    for code in value:
        if code not in available:
            raise ValueError(
                f"{code!r} has no catalog in bot/locales (there are: {', '.join(available)})"
            )
    if len(set(value)) != len(value):
        raise ValueError("a language is named twice")
    return value


class ServiceConfig(_Section):
    name: str = Field(min_length=1)
    timezone: TimeZoneName
    # Where the service is (ISO 3166 code): how its languages write dates ("en" in AU: 7 Dec).
    country: str = Field(default="AU", pattern=r"^[A-Z]{2}$")
    # The languages the bot speaks, each from its own catalog; the first is the default.
    languages: Annotated[list[str], BeforeValidator(_check_languages)] = Field(
        default_factory=lambda: ["en"]
    )
    timezone_choices: list[TimeZoneName] = Field(default_factory=list)
    crisis_lines: list[CrisisLine] = Field(min_length=1)
    # Said in /help_now ("if you are in immediate danger, call ..."): Australia's by default.
    emergency_number: Annotated[str, BeforeValidator(_check_emergency_number)] = "000"

    @model_validator(mode="before")
    @classmethod
    def _one_language(cls, data: Any) -> Any:
        """``language = "en"``, from before there were several, is a list of one."""
        if isinstance(data, dict) and "language" in data and "languages" not in data:
            data = {**data, "languages": [data["language"]]}
            del data["language"]
        return data

    @property
    def language(self) -> str:
        """The default language: for whoever has not chosen, and what every text falls back to."""
        return self.languages[0]


class LivedExperienceArea(_Section):
    key: Key
    label: Annotated[Words, _at_most(60)]
    perspective: Literal["consumer", "carer", "both"]


def _default_options(*pairs: tuple[str, str]) -> dict[str, Words]:
    return {key: Words.parse(label) for key, label in pairs}


class ProfileOptions(_Section):
    languages: dict[Key, Words] = Field(
        default_factory=lambda: _default_options(("en", "English")), min_length=1
    )
    genders: dict[Key, Words] = Field(
        default_factory=lambda: _default_options(
            ("woman", "Woman"), ("man", "Man"), ("nonbinary", "Non-binary")
        )
    )
    age_bands: dict[Key, Words] = Field(
        default_factory=lambda: _default_options(
            ("18_25", "18–25"), ("26_40", "26–40"), ("41_60", "41–60"), ("60_plus", "60+")
        )
    )
    communities: dict[Key, Words] = Field(default_factory=dict)


class AvailabilityConfig(_Section):
    """The parts of the day people tap in the weekly grid, in their own local time."""

    # What a part is called, if not the catalog's word (morning, afternoon, evening...):
    # ``night = { en = "Night", vi = "Đêm" }``.
    labels: dict[Key, Words] = Field(default_factory=dict)

    parts: dict[Key, str] = Field(
        default_factory=lambda: {
            "morning": "08:00-12:00",
            "afternoon": "12:00-17:00",
            "evening": "17:00-21:00",
        },
        min_length=1,
        max_length=4,
    )

    @field_validator("parts")
    @classmethod
    def _ranges(cls, parts: dict[str, str]) -> dict[str, str]:
        spans: list[tuple[time, time, str]] = []
        for name, span in parts.items():
            start, _, end = span.partition("-")
            try:
                if not (_CLOCK.fullmatch(start) and _CLOCK.fullmatch(end)):
                    raise ValueError
                if time.fromisoformat(start) >= time.fromisoformat(end):
                    raise ValueError
            except ValueError:
                raise ValueError(f"{name}: {span!r} is not a range such as '08:00-12:00'") from None
            spans.append((time.fromisoformat(start), time.fromisoformat(end), name))
        spans.sort()
        for (_, end, first), (start, _, second) in zip(spans, spans[1:], strict=False):
            if start < end:
                raise ValueError(f"{second}: overlaps {first} (a free hour would count twice)")
        return parts

    def weekly_minutes(self) -> int:
        """The whole weekly grid, in minutes: the most two people can overlap."""
        total = 0
        for span in self.parts.values():
            start, end = (time.fromisoformat(part) for part in span.split("-"))
            total += (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
        return 7 * total


class OnboardingConfig(_Section):
    display_name_max_length: int = Field(default=40, ge=10, le=100)
    bio_max_length: int = Field(default=600, ge=100, le=2000)
    goal_max_length: int = Field(default=300, ge=50, le=1000)


class PeerWorkersConfig(_Section):
    max_caseload: int = Field(default=8, ge=1, le=50)
    # A worker with no supervision for this long (and no next date set) is overdue.
    supervision_every: Duration = timedelta(weeks=4)
    # How long before their next supervision a worker is reminded, with a way to add topics.
    supervision_reminder: Duration = timedelta(days=2)


class InvitesConfig(_Section):
    valid_for: Duration = timedelta(days=7)


class MatchingWeights(_Section):
    """Integer points for each soft component of a match's score."""

    lived_experience: int = Field(default=40, ge=0, le=100)
    availability: int = Field(default=25, ge=0, le=100)
    preferences: int = Field(default=20, ge=0, le=100)
    load: int = Field(default=10, ge=0, le=100)
    continuity: int = Field(default=30, ge=0, le=100)


class MatchingConfig(_Section):
    require_coordinator_approval: bool = True
    candidates_shown_to_coordinators: int = Field(default=5, ge=1, le=10)
    offer_count: int = Field(default=3, ge=1, le=5)
    offer_timeout: Duration = timedelta(days=3)
    offer_hold: Duration = timedelta(days=7)
    max_wait: Duration = timedelta(days=14)
    min_overlap: Duration = timedelta(hours=1)
    declines_before_alert: int = Field(default=2, ge=1, le=20)
    # Requests a worker lets expire in a row before new ones to them are paused (0: never).
    expiries_before_pause: int = Field(default=2, ge=0, le=20)
    weights: MatchingWeights = MatchingWeights()


class SchedulerConfig(_Section):
    """When the bot looks at what is due (bot/scheduler.py): every capability's sweep."""

    # No check-in cadence and no checkins.grace may be shorter (see Config below).
    sweep_every: Duration = timedelta(minutes=1)


class ProgrammeConfig(_Section):
    """The rhythm of one support relationship: its length and how it ends."""

    length: Duration = timedelta(weeks=12)
    closure_reminders: list[Duration] = Field(
        default_factory=lambda: [timedelta(weeks=4), timedelta(weeks=2), timedelta(weeks=1)]
    )
    rematch_cooldown: Duration = timedelta(weeks=2)
    onward_supports: list[Words] = Field(default_factory=list)
    # Optional outcome statements for the closing survey, answered 1 (disagree) to 5 (agree).
    outcome_questions: list[Words] = Field(default_factory=list, max_length=6)

    @field_validator("closure_reminders")
    @classmethod
    def _longest_first(cls, leads: list[timedelta]) -> list[timedelta]:
        for lead in leads:
            if leads.count(lead) > 1:
                raise ValueError(f"{format_duration(lead)!r} is given twice")
        return sorted(leads, reverse=True)


class CheckinsConfig(_Section):
    # A cadence of whole days ("7d", "2w", "48h") is a weekday and a local time, repeated;
    # any other ("2m", "12h", "36h") counts from the start of the relationship: the first
    # check-in one cadence after it, then every cadence, with no day or time asked.
    cadences: dict[CadenceName, Duration] = Field(
        default_factory=lambda: {"weekly": timedelta(weeks=1), "fortnightly": timedelta(weeks=2)},
        min_length=1,
    )
    times: list[ClockTime] = Field(
        default_factory=lambda: ["09:00", "12:30", "18:00", "20:00"], min_length=1, max_length=8
    )
    low_score: int = Field(default=2, ge=1, le=4)
    answer_within: Duration = timedelta(days=2)
    grace: Duration = timedelta(hours=6)
    # The missed ladder, in check-ins missed in a row; 0 turns a step off.
    nudge_after_missed: int = Field(default=1, ge=0, le=100)
    tell_worker_after_missed: int = Field(default=2, ge=0, le=100)
    tell_coordinator_after_missed: int = Field(default=3, ge=0, le=100)

    @field_validator("cadences")
    @classmethod
    def _not_none(cls, cadences: dict[str, timedelta]) -> dict[str, timedelta]:
        if "none" in cadences:
            raise ValueError("'none' is reserved for 'no check-ins'; choose another name")
        return cadences


class WorkerCheckinsConfig(_Section):
    """Peer workers' own weekly check-in (each worker can turn it off)."""

    enabled: bool = True
    weekday: int = Field(default=4, ge=0, le=6)  # 0 = Monday
    time: ClockTime = "15:00"


class RelationshipConfig(_Section):
    first_contact_within: Duration = timedelta(days=3)
    # "Is this a good fit?": asked of each side, privately, once they have been in touch and
    # this long after the match.
    fit_check_after: Duration = timedelta(days=7)


BoundaryPolicy = Literal["hold", "allow", "block"]


class BoundariesConfig(_Section):
    """Contact details (phone numbers, e-mail addresses, handles, links to other messengers,
    street addresses, contact cards, locations) in the relay, for each direction: ``hold``
    (the writer is told why and may send it anyway or change it), ``allow`` or ``block``."""

    from_service_user: BoundaryPolicy = "hold"
    from_peer_worker: BoundaryPolicy = "hold"
    # More to look for, as regular expressions (case-insensitive), e.g. a local ID format.
    patterns: list[str] = Field(default_factory=list)

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"{pattern!r} is not a valid pattern ({error})") from None
        return patterns


class RelayConfig(_Section):
    boundaries: BoundariesConfig = BoundariesConfig()


DEFAULT_LEXICON: dict[str, dict[str, list[str]]] = {
    "en": {
        "suicide": [
            "kill myself",
            "killing myself",
            "end my life",
            "ending my life",
            "take my own life",
            "suicide",
            "suicidal",
            "want to die",
            "wanna die",
            "better off dead",
            "better off without me",
            "no reason to live",
            "not want to be here anymore",
            "re:\\b(do ?n[o']?t|no longer) want to (live|be alive|wake up)\\b",
            "re:\\bend (it|things) (all )?(tonight|today|now)\\b",
        ],
        "self_harm": [
            "hurt myself",
            "hurting myself",
            "harm myself",
            "self harm",
            "selfharm",
            "cut myself",
            "cutting myself",
            "overdose",
            "burn myself",
        ],
        "harm_to_others": [
            "hurt someone",
            "kill someone",
            "kill him",
            "kill her",
            "kill them",
            "hurt my kids",
        ],
        "unsafe": [
            "not safe at home",
            "he hits me",
            "she hits me",
            "afraid for my life",
            "being abused",
        ],
    },
    # Starter lists for the shipped draft languages: DRAFTS, to be reviewed clinically (and
    # by native speakers) before real use. Vietnamese is matched with its marks; a phrase
    # people type without them is listed that way too where the unmarked form means nothing
    # else ("tu tu" could be "từ từ", wait a moment: not listed).
    "vi": {
        "suicide": [
            "muốn chết",
            "muon chet",
            "tự tử",
            "tự sát",
            "tu sat",
            "kết liễu cuộc đời",
            "ket lieu cuoc doi",
            "kết thúc cuộc đời",
            "ket thuc cuoc doi",
            "không muốn sống nữa",
            "khong muon song nua",
            "không muốn sống",
            "khong muon song",
            "chán sống",
            "chan song",
            "tìm đến cái chết",
            "tim den cai chet",
            "chết đi cho xong",
            "chet di cho xong",
            "không còn lý do để sống",
            "khong con ly do de song",
        ],
        "self_harm": [
            "tự làm hại bản thân",
            "tu lam hai ban than",
            "tự làm đau bản thân",
            "tu lam dau ban than",
            "tự hại",
            "rạch tay",
            "rach tay",
            "cắt tay",
            "quá liều",
            "qua lieu",
        ],
        "harm_to_others": [
            "giết người",
            "giết nó",
            "giết anh ta",
            "giết cô ta",
            "làm hại người khác",
            "đánh con tôi",
        ],
        "unsafe": [
            "không an toàn ở nhà",
            "bị bạo hành",
            "chồng đánh tôi",
            "vợ đánh tôi",
            "bị đánh đập",
            "sợ cho tính mạng",
        ],
    },
    "ar": {
        "suicide": [
            "أريد أن أموت",
            "أريد الموت",
            "أقتل نفسي",
            "انتحار",
            "أنتحر",
            "أنهي حياتي",
            "إنهاء حياتي",
            "لا أريد أن أعيش",
            "لا سبب للعيش",
            "الموت أفضل لي",
        ],
        "self_harm": [
            "أؤذي نفسي",
            "إيذاء النفس",
            "أجرح نفسي",
            "جرعة زائدة",
            "أحرق نفسي",
        ],
        "harm_to_others": [
            "أقتل أحدا",
            "أقتله",
            "أقتلها",
            "أؤذي أحدا",
            "أؤذي أطفالي",
        ],
        "unsafe": [
            "لست آمنا في البيت",
            "لست بأمان في المنزل",
            "يضربني",
            "تضربني",
            "أخاف على حياتي",
            "أتعرض للعنف",
            "أتعرض للإساءة",
        ],
    },
}


class SafetyConfig(_Section):
    """Risk phrases and the flag queue. Phrases are matched after normalising case,
    punctuation, spacing, repeated letters and look-alike digits, and tolerate one typo in
    longer words; a phrase starting with "re:" is a regular expression on the normalised
    text."""

    lexicon: dict[Key, dict[Key, list[str]]] = Field(default_factory=lambda: DEFAULT_LEXICON)
    ack_within: Duration = timedelta(minutes=30)
    escalation_contacts: list[TelegramId] = Field(default_factory=list)
    include_excerpt: bool = False
    crisis_lines_every: Duration = timedelta(hours=1)
    reports_before_alert: int = Field(default=2, ge=1, le=20)

    @field_validator("lexicon")
    @classmethod
    def _patterns_compile(cls, lexicon: dict[str, dict[str, list[str]]]) -> dict:
        for language, categories in lexicon.items():
            for category, phrases in categories.items():
                for phrase in phrases:
                    if phrase.startswith("re:"):
                        try:
                            re.compile(phrase[3:])
                        except re.error as error:
                            raise ValueError(
                                f"{language}.{category}: {phrase!r} is not a valid pattern"
                                f" ({error})"
                            ) from None
                    elif not phrase.strip():
                        raise ValueError(f"{language}.{category}: an empty phrase")
        # A language configured here replaces its built-in list; the others keep theirs.
        return {**DEFAULT_LEXICON, **lexicon}


class RetentionConfig(_Section):
    # Personal data is removed this long after someone's last relationship closed, unless
    # they have come back since.
    after: Duration = timedelta(weeks=104)


class EvaluationConfig(_Section):
    # The secret behind pseudonymous ids in exports. Keep it out of the export and stable
    # between exports, so that figures can be linked over time. PEERLINK_PSEUDONYM_KEY
    # overrides it.
    pseudonym_key: str = ""


class LoggingConfig(_Section):
    """How ``peerlink run`` writes its log (standard error). Never content or personal data at
    INFO; secrets are masked in every record."""

    # "text": one readable line per record; "json": one JSON object per line, for a log
    # collector (time, level, logger, message, and the traceback when there is one).
    format: Literal["text", "json"] = "text"


class FloodConfig(_Section):
    # More updates than this from one person within a minute get one "slow down" reply;
    # the rest of that minute's updates are ignored. Nobody else is slowed.
    updates_per_minute: int = Field(default=60, ge=5, le=600)


class PipelineConfig(_Section):
    """How updates are received and handled (bot/pipeline/)."""

    # Chats handled at the same time; one chat's updates always go one after another. At a
    # 300 ms Bot API, sending at the 29/s limit keeps about nine copies in flight, and each
    # chat also spends time reading and writing: 16 chats reached 0.85 of the limit, 32 reach
    # 0.95 (bench.pipeline).
    concurrency: int = Field(default=32, ge=1, le=256)
    # How long a process's claim on a chat lasts without renewal: if that process dies, its
    # chats are taken over this long after its last renewal.
    lease: Duration = timedelta(seconds=30)
    # Handled updates keep their id (never their content) this long, so that an update
    # Telegram delivers twice is recognised; Telegram keeps an update for at most a day.
    keep_handled: Duration = timedelta(days=2)
    # Tries for an update whose handling fails for a reason other than the database.
    max_attempts: int = Field(default=3, ge=1, le=10)
    # Polling mode serves /healthz and /metrics here (127.0.0.1); 0 turns them off.
    health_port: int = Field(default=0, ge=0, le=65535)

    @field_validator("lease")
    @classmethod
    def _lease_range(cls, value: timedelta) -> timedelta:
        if not timedelta(seconds=1) <= value <= timedelta(minutes=10):
            raise ValueError("must be between 1 second and 10 minutes")
        return value

    @field_validator("keep_handled")
    @classmethod
    def _at_least_a_day(cls, value: timedelta) -> timedelta:
        if value < timedelta(days=1):
            raise ValueError("must be at least 1 day (Telegram may redeliver within a day)")
        return value


class OutboxConfig(_Section):
    """Sending what the bot queued (bot/pipeline/sending.py): scheduled messages and notices."""

    # Sends in flight at once, across chats; one chat's messages always go one after another.
    # The overall pace is telegram.bulk_messages_per_second; at a 300 ms round trip, 29
    # messages a second need about 9 in flight.
    concurrency: int = Field(default=16, ge=1, le=256)
    # Sent rows (their text emptied at once) and failed ones are deleted after this.
    keep_sent: Duration = timedelta(days=2)

    @field_validator("keep_sent")
    @classmethod
    def _keep_sent_range(cls, value: timedelta) -> timedelta:
        if not timedelta(hours=1) <= value <= timedelta(days=365):
            raise ValueError("must be between 1 hour and 365 days")
        return value


class WebhookConfig(_Section):
    """Webhook mode (``peerlink run --webhook``, or ``enabled``): Telegram POSTs each update
    to ``public_url``; the bot listens on ``listen``:``port`` behind your TLS proxy or load
    balancer. Several processes on one PostgreSQL database may serve the same URL."""

    enabled: bool = False
    listen: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    path: str = Field(default="/telegram", pattern=r"^/[A-Za-z0-9_/-]{0,100}$")
    # The https URL Telegram calls (it must reach ``path`` here). Empty: the bot does not
    # call setWebhook itself (set it once by hand, with the same secret).
    public_url: str = ""
    # Telegram sends it in every request's X-Telegram-Bot-Api-Secret-Token header; anything
    # without it is refused (403). 1-256 of A-Z a-z 0-9 _ -. PEERLINK_WEBHOOK_SECRET overrides.
    secret_token: str = Field(default="", pattern=r"^[A-Za-z0-9_-]{0,256}$")

    @field_validator("public_url")
    @classmethod
    def _https(cls, value: str) -> str:
        if value and not re.fullmatch(r"https://[^\s/]+(/\S*)?", value):
            raise ValueError(f"{value!r} is not an https URL")
        return value


class Config(_Section):
    telegram: TelegramConfig
    database: DatabaseConfig = DatabaseConfig()
    coordinators: CoordinatorsConfig = CoordinatorsConfig()
    service: ServiceConfig
    lived_experience: list[LivedExperienceArea] = Field(min_length=1)
    profile_options: ProfileOptions = ProfileOptions()
    availability: AvailabilityConfig = AvailabilityConfig()
    onboarding: OnboardingConfig = OnboardingConfig()
    peer_workers: PeerWorkersConfig = PeerWorkersConfig()
    invites: InvitesConfig = InvitesConfig()
    matching: MatchingConfig = MatchingConfig()
    scheduler: SchedulerConfig = SchedulerConfig()
    programme: ProgrammeConfig = ProgrammeConfig()
    checkins: CheckinsConfig = CheckinsConfig()
    relationship: RelationshipConfig = RelationshipConfig()
    relay: RelayConfig = RelayConfig()
    worker_checkins: WorkerCheckinsConfig = WorkerCheckinsConfig()
    safety: SafetyConfig = SafetyConfig()
    retention: RetentionConfig = RetentionConfig()
    evaluation: EvaluationConfig = EvaluationConfig()
    flood: FloodConfig = FloodConfig()
    pipeline: PipelineConfig = PipelineConfig()
    outbox: OutboxConfig = OutboxConfig()
    logging: LoggingConfig = LoggingConfig()
    webhook: WebhookConfig = WebhookConfig()

    @model_validator(mode="after")
    def _words_fall_back_to_the_default_language(self) -> Config:
        for _path, words in words_in(self):
            words.fallback = self.service.language
        return self

    def missing_words(self) -> dict[str, list[str]]:
        """For each language the service speaks besides its default, the configured words
        that do not give it: given per language without it, or given once as one text
        (said in the default language's words, or that text, instead)."""
        found = words_in(self)
        return {
            language: [path for path, words in found if language not in words.by_language]
            for language in self.service.languages[1:]
        }

    def words_in_other_languages(self) -> dict[str, list[str]]:
        """Languages the configured words are given in that the service does not speak (a
        misspelt code, or one not enabled yet), with where."""
        unspoken: dict[str, list[str]] = {}
        for path, words in words_in(self):
            for language in words.by_language:
                if language and language not in self.service.languages:
                    unspoken.setdefault(language, []).append(path)
        return unspoken

    @model_validator(mode="after")
    def _unique_area_keys(self) -> Config:
        keys = [area.key for area in self.lived_experience]
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        if duplicates:
            raise ValueError(f"duplicate lived_experience key {duplicates[0]!r}")
        return self

    @model_validator(mode="after")
    def _values_that_work_together(self) -> Config:
        """Keys that only behave as written in relation to another key."""
        matching, checkins, programme = self.matching, self.checkins, self.programme
        for lead in programme.closure_reminders:
            if lead >= programme.length:
                raise ValueError(
                    f"programme.closure_reminders: {format_duration(lead)!r} is not shorter than "
                    f"programme.length ({format_duration(programme.length)!r}); the reminder "
                    "would come at the match"
                )
        sweep_every = self.scheduler.sweep_every
        sweep = format_duration(sweep_every)
        for name, cadence in checkins.cadences.items():
            if cadence < sweep_every:
                raise ValueError(
                    f"checkins.cadences.{name}: {format_duration(cadence)!r} is shorter than "
                    f"scheduler.sweep_every ({sweep!r}), how often the bot looks for what is due"
                )
        shortest_name, shortest = min(checkins.cadences.items(), key=lambda item: item[1])
        if checkins.answer_within > shortest:
            raise ValueError(
                f"checkins.answer_within: {format_duration(checkins.answer_within)!r} is longer "
                f"than the cadence {shortest_name!r} ({format_duration(shortest)!r}); a check-in "
                "would still be open when the next one comes, and 'missed in a row' would "
                "count the wrong ones"
            )
        if checkins.grace < sweep_every:
            raise ValueError(
                f"checkins.grace: {format_duration(checkins.grace)!r} is shorter than "
                f"scheduler.sweep_every ({sweep!r}); check-ins found on time would count as "
                "late and be skipped"
            )
        if matching.offer_count > matching.candidates_shown_to_coordinators:
            raise ValueError(
                f"matching.offer_count: {matching.offer_count} is more than "
                f"matching.candidates_shown_to_coordinators "
                f"({matching.candidates_shown_to_coordinators}); only ranked candidates are offered"
            )
        if matching.min_overlap % timedelta(minutes=1):
            raise ValueError(
                f"matching.min_overlap: {format_duration(matching.min_overlap)!r} is not a whole "
                "number of minutes"
            )
        grid = self.availability.weekly_minutes()
        if matching.min_overlap > timedelta(minutes=grid):
            raise ValueError(
                f"matching.min_overlap: {format_duration(matching.min_overlap)!r} is more than the "
                f"whole weekly availability grid ({format_duration(timedelta(minutes=grid))!r}); "
                "no pair could ever match"
            )
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.service.timezone)

    def area(self, key: str) -> LivedExperienceArea | None:
        return next((area for area in self.lived_experience if area.key == key), None)


def require_coordinator(config: Config) -> None:
    """`peerlink run` and `check-config` need someone to run the service: a bot with no
    coordinator can onboard people that nobody can approve, match or protect."""
    if not config.coordinators.telegram_ids:
        raise ConfigError(NO_COORDINATOR)


def _describe(error: dict[str, Any]) -> str:
    location = ".".join(str(part) for part in error["loc"] if not str(part).startswith("function-"))
    kind = error["type"]
    if kind == "missing":
        message = "is required but missing"
    elif kind == "extra_forbidden":
        message = "is not a known setting (check the spelling against config.example.toml)"
    else:
        message = error["msg"].removeprefix("Value error, ")
    return f"{location or 'config'}: {message}" if location else message


def _apply_environment(raw: dict[str, Any], environ: dict[str, str]) -> dict[str, Any]:
    raw = dict(raw)
    if environ.get(TOKEN_ENV):
        raw["telegram"] = {**raw.get("telegram", {}), "token": environ[TOKEN_ENV]}
    if environ.get(DATABASE_URL_ENV):
        raw["database"] = {**raw.get("database", {}), "url": environ[DATABASE_URL_ENV]}
    if environ.get(WEBHOOK_SECRET_ENV):
        secret = environ[WEBHOOK_SECRET_ENV]
        raw["webhook"] = {**raw.get("webhook", {}), "secret_token": secret}
    if environ.get(PSEUDONYM_KEY_ENV):
        key = environ[PSEUDONYM_KEY_ENV]
        raw["evaluation"] = {**raw.get("evaluation", {}), "pseudonym_key": key}
    if environ.get(COORDINATOR_IDS_ENV, "").strip():
        ids = [part.strip() for part in environ[COORDINATOR_IDS_ENV].split(",") if part.strip()]
        if not all(part.isascii() and part.isdigit() for part in ids):
            raise ConfigError(
                f"{COORDINATOR_IDS_ENV}: must be Telegram user ids separated by commas, "
                "such as 123456789,987654321"
            )
        raw["coordinators"] = {**raw.get("coordinators", {}), "telegram_ids": list(map(int, ids))}
    return raw


def _apply_moved_keys(raw: dict[str, Any]) -> dict[str, Any]:
    """Read ``matching.sweep_every``, the old name of ``scheduler.sweep_every``, with a
    warning; both given with different values is refused, naming both."""
    matching = raw.get("matching")
    if not isinstance(matching, dict) or "sweep_every" not in matching:
        return raw
    raw = dict(raw)
    old = matching["sweep_every"]
    raw["matching"] = {key: value for key, value in matching.items() if key != "sweep_every"}
    try:
        old_every = parse_duration(old)
    except ValueError as error:
        raise ConfigError(f"matching.sweep_every: {error}") from None
    scheduler = raw.get("scheduler", {})
    if not isinstance(scheduler, dict):
        return raw  # the model reports that scheduler must be a table
    if "sweep_every" in scheduler:
        new = scheduler["sweep_every"]
        try:
            new_every = parse_duration(new)
        except ValueError:
            return raw  # the model names scheduler.sweep_every's own problem
        if new_every != old_every:
            raise ConfigError(
                f"matching.sweep_every: {old!r} differs from scheduler.sweep_every ({new!r}); "
                "matching.sweep_every is the old name of scheduler.sweep_every, so keep only "
                "[scheduler] sweep_every"
            )
    else:
        raw["scheduler"] = {**scheduler, "sweep_every": old}
    log.warning(
        "configuration: matching.sweep_every has moved to [scheduler] sweep_every; "
        "it is still read for now, but move it there"
    )
    return raw


def parse_config(raw: dict[str, Any], environ: dict[str, str] | None = None) -> Config:
    """Validate a decoded TOML document (plus environment overrides) into a Config."""
    for section in ("telegram", "database"):
        if section in raw and not isinstance(raw[section], dict):
            raise ConfigError(f"{section}: must be a table ([{section}])")
    raw = _apply_moved_keys(raw)
    raw = _apply_environment(raw, dict(os.environ) if environ is None else environ)
    telegram = raw.get("telegram")
    token = telegram.get("token") if isinstance(telegram, dict) else None
    if isinstance(token, str) and not token.strip():  # the example ships token = "": as none
        raw["telegram"] = {key: value for key, value in telegram.items() if key != "token"}
    try:
        return Config.model_validate(raw)
    except ValidationError as error:
        # A misspelt key usually also leaves a required one missing: name the misspelling.
        errors = sorted(error.errors(), key=lambda e: e["type"] != "extra_forbidden")
        first = errors[0]
        if tuple(first["loc"]) == ("telegram", "token"):  # missing, placeholder, malformed
            raise ConfigError(MISSING_TOKEN) from None
        raise ConfigError(_describe(first)) from None


def load_config(path: str | Path, environ: dict[str, str] | None = None) -> Config:
    path = Path(path)
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML ({error})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a UTF-8 text file") from None
    except OSError as error:
        raise ConfigError(
            f"{path}: cannot be read ({error.strerror or type(error).__name__})"
        ) from None
    return parse_config(raw, environ)


def masked(config: Config) -> dict[str, Any]:
    """The effective configuration with secrets masked, for ``check-config``."""
    data = config.model_dump(mode="json")
    token = data["telegram"]["token"]
    data["telegram"]["token"] = token.split(":", 1)[0] + ":***"
    if data["evaluation"]["pseudonym_key"]:
        data["evaluation"]["pseudonym_key"] = "***"
    if data["webhook"]["secret_token"]:
        data["webhook"]["secret_token"] = "***"
    data["database"]["url"] = re.sub(r"://([^:/@]*):[^@]*@", r"://\1:***@", data["database"]["url"])
    return data
