"""Shared fixtures: a real database (SQLite always, PostgreSQL when configured) and the bot."""

from __future__ import annotations

import os
import tomllib
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.admin.handlers import refresh_command_menus
from bot.app import build_application
from bot.config import Config, parse_config
from bot.db import create_engine, upgrade_to_head
from tests.harness import FakeBotApi, Harness

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("PEERLINK_TEST_DATABASE_URL")
COORDINATOR_ID = 5000
TOKEN = "123456:TEST-token"

BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(not PG_URL, reason="PEERLINK_TEST_DATABASE_URL is not set"),
    ),
]


def example_document() -> dict[str, Any]:
    with (ROOT / "config.example.toml").open("rb") as handle:
        return tomllib.load(handle)


def make_config(database_url: str = "sqlite:///unused.db", **sections: Any) -> Config:
    raw = example_document()
    raw["telegram"]["token"] = TOKEN
    raw["database"]["url"] = database_url
    raw["coordinators"]["telegram_ids"] = [COORDINATOR_ID]
    # The fake clock stands still while a test taps through whole flows: no flood limit
    # unless a test asks for one.
    raw["flood"] = {"updates_per_minute": 600}
    for name, values in sections.items():
        raw[name] = {**raw.get(name, {}), **values}
    return parse_config(raw, environ={})


@pytest.fixture(params=BACKENDS)
async def database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[str, AsyncEngine]]:
    """A migrated, empty database: a SQLite file, or a fresh schema in PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'peerlink.db'}"
        engine = create_engine(url)
        await upgrade_to_head(engine)
        yield url, engine
        await engine.dispose()
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    async with admin.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(PG_URL, connect_args={"server_settings": {"search_path": schema}})
    try:
        await upgrade_to_head(engine)
        yield PG_URL, engine
    finally:
        await engine.dispose()
        async with admin.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


BotFactory = Callable[..., Any]


@pytest.fixture
async def start_bot(database, clock) -> AsyncIterator[BotFactory]:
    """Start the real Application on the test database; call again to 'restart' the bot."""
    url, engine = database
    running: list[Harness] = []

    async def start(config: Config | None = None, api: FakeBotApi | None = None) -> Harness:
        config = config or make_config(url)
        api = api or FakeBotApi()
        # No pacing: conversations send far fewer messages than the limit, and evenly spaced
        # sends would only slow the suite (tests/test_ratelimit.py tests the limiter).
        application = build_application(
            config, engine=engine, request=api, clock=clock, rate_limited=False
        )
        await application.initialize()
        await application.post_init(application)
        await refresh_command_menus(application)  # as peerlink run does once it is receiving
        harness = Harness(application, api)
        running.append(harness)
        return harness

    yield start
    for harness in running:
        await harness.application.shutdown()


@pytest.fixture
async def bot(start_bot) -> Harness:
    return await start_bot()
