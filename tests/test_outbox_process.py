"""Sending what is queued, against the real ``peerlink run`` as a subprocess over HTTP: several
processes on one PostgreSQL database send each message once and each chat's in order, the
sweeps' leader killed mid-run is replaced within one interval, a SIGKILL at a 150 ms round
trip repeats at most the sends in flight, and a SIGTERM with 10,000 queued stops within
10 seconds while safety's escalation went out on time ahead of the queue."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bench.fanout import USER_IDS, populate
from bot.db import create_engine, session_factory, transaction, upgrade_to_head
from bot.models import FlagKind, OutboxMessage, Person, SafetyFlag
from bot.relationships import checkins
from tests.conftest import PG_URL
from tests.fake_bot_api import TelegramRules, served
from tests.test_cli import TOKEN, replace_once
from tests.test_pipeline_process import BACKENDS, Bot, _scalar, database, free_port, wait_for

CHECKIN = checkins.question(0).text
SWEEP_EVERY = 4  # seconds: a tick every second, a dead leader replaced within 4 s
LEADER_HOLDS_SWEEP_EVERY = 16  # seconds: a tick every 4 s, a lease of 10 s
IN_ORDER_CHATS, IN_ORDER_EACH = 20, 3
ORDERED = 30_000_000  # the chats that each get IN_ORDER_EACH numbered messages
needs_postgresql = pytest.mark.skipif(not PG_URL, reason="PEERLINK_TEST_DATABASE_URL is not set")


async def _seed(url: str, checkins_due: int, queued: int = 0) -> None:
    """Check-ins due now for ``checkins_due`` service users; IN_ORDER_CHATS chats with
    numbered messages queued; ``queued`` more single messages (a broadcast)."""
    engine = create_engine(url)
    await upgrade_to_head(engine)
    now = datetime.now(UTC)
    await populate(engine, checkins_due, caseload=5, due=now - timedelta(seconds=30))
    rows = [
        {"telegram_id": ORDERED + chat, "text": f"{n + 1} of {IN_ORDER_EACH}"}
        for n in range(IN_ORDER_EACH)
        for chat in range(IN_ORDER_CHATS)
    ]
    rows += [{"telegram_id": 40_000_000 + n, "text": "news"} for n in range(queued)]
    async with transaction(session_factory(engine)) as session:
        for start in range(0, len(rows), 2000):
            await session.exec(
                OutboxMessage.__table__.insert(),
                params=[
                    {**row, "buttons": [], "created_at": now, "failed": False, "urgent": False}
                    for row in rows[start : start + 2000]
                ],
            )
    await engine.dispose()


def _bots(
    tmp_path: Path, url: str, base_url: str, count: int, sweep_every: int = SWEEP_EVERY, **options
) -> list[Bot]:
    bots = []
    for n in range(count):
        bot = Bot(tmp_path, url, base_url, webhook_port=free_port(), name=f"bot{n}", **options)
        body = bot.config.read_text()
        body = replace_once(body, 'sweep_every = "1m"', f'sweep_every = "{sweep_every}s"')
        body = replace_once(body, "bulk_messages_per_second = 29", "bulk_messages_per_second = 30")
        bot.config.write_text(body)
        bots.append(bot)
    return bots


def _checkins(api: TelegramRules) -> Counter:
    with api.lock:
        return Counter(s.chat_id for s in api.sent if s.text == CHECKIN)


def _ordered(api: TelegramRules) -> dict[int, list[str]]:
    with api.lock:
        chats: dict[int, list[str]] = {}
        for sent in api.sent:
            if ORDERED <= sent.chat_id < ORDERED + IN_ORDER_CHATS:
                chats.setdefault(sent.chat_id, []).append(sent.text)
        return chats


def _leader(bots: list[Bot]) -> Bot:
    leading = [bot for bot in bots if "now runs the sweeps" in bot.log()]
    assert len(leading) == 1, [bot.log() for bot in bots]
    return leading[0]


def _assert_each_once_in_order(api: TelegramRules, due: int, repeats_allowed: int = 0) -> int:
    counts = _checkins(api)
    expected = {USER_IDS + n for n in range(due)}
    assert set(counts) == expected  # 0 lost (and none to anyone else)
    repeats = sum(count - 1 for count in counts.values())
    for chat, texts in _ordered(api).items():
        once = list(dict.fromkeys(texts))  # a repeat of an in-flight send, then the rest
        assert once == [f"{n + 1} of {IN_ORDER_EACH}" for n in range(IN_ORDER_EACH)], chat
        repeats += len(texts) - len(once)
    assert len(_ordered(api)) == IN_ORDER_CHATS
    assert repeats <= repeats_allowed
    return repeats


@needs_postgresql
@pytest.mark.parametrize("processes", [2, 3])
def test_several_processes_send_each_queued_message_once_and_in_order(
    tmp_path: Path, processes: int
) -> None:
    due = 500
    api = TelegramRules(TOKEN)
    with database("postgresql", tmp_path) as url, served(api) as base_url:
        asyncio.run(_seed(url, due))
        # Leadership is held for 2.5 ticks: at SWEEP_EVERY's one-second tick, a loaded machine
        # can pass it on (harmless, and not what this test is about), so a longer interval.
        bots = _bots(tmp_path, url, base_url, processes, sweep_every=LEADER_HOLDS_SWEEP_EVERY)
        try:
            for bot in bots:
                bot.start()
            total = due + IN_ORDER_CHATS * IN_ORDER_EACH
            wait_for(lambda: len(api.sent) >= total, 90, lambda: f"{len(api.sent)} sent")
            time.sleep(1.5)  # anything sent twice would arrive by now
            _leader(bots)  # exactly one process led throughout
        finally:
            codes = [bot.stop() for bot in bots]
        assert codes == [0] * processes
        _assert_each_once_in_order(api, due)
        assert (
            asyncio.run(_scalar(url, "SELECT count(*) FROM outbox_message WHERE sent_at IS NULL"))
            == 0
        )


@needs_postgresql
def test_the_leader_killed_mid_run_is_replaced_within_one_interval(tmp_path: Path) -> None:
    due = 500
    api = TelegramRules(TOKEN)
    with database("postgresql", tmp_path) as url, served(api) as base_url:
        asyncio.run(_seed(url, due))
        bots = _bots(tmp_path, url, base_url, 3, lease="3s")
        try:
            for bot in bots:
                bot.start()
            wait_for(lambda: len(api.sent) >= 150, 60, lambda: f"{len(api.sent)} sent")
            leader = _leader(bots)
            leader.kill()
            killed_at, sent_then = time.monotonic(), len(api.sent)
            wait_for(lambda: len(api.sent) > sent_then + 5, 30, lambda: f"{len(api.sent)} sent")
            resumed_after = time.monotonic() - killed_at
            total = due + IN_ORDER_CHATS * IN_ORDER_EACH
            wait_for(lambda: len(api.sent) >= total, 90, lambda: f"{len(api.sent)} sent")
            time.sleep(1.5)
        finally:
            for bot in bots:
                bot.stop()
        # The new leader took over within one sweep interval (plus the dead one's send lease
        # before its claimed messages could be taken).
        assert resumed_after <= SWEEP_EVERY + 1, resumed_after
        concurrency = 16
        _assert_each_once_in_order(api, due, repeats_allowed=concurrency)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_kill_at_a_150_ms_round_trip_repeats_at_most_the_sends_in_flight(
    tmp_path: Path, backend: str
) -> None:
    due, kills, concurrency = 300, 3, 16
    api = TelegramRules(TOKEN, latency=0.15)
    with database(backend, tmp_path) as url, served(api) as base_url:
        asyncio.run(_seed(url, due))
        (bot,) = _bots(tmp_path, url, base_url, 1, lease="2s")
        try:
            bot.start()
            for kill in range(kills):
                wait_for(lambda k=kill: len(api.sent) >= 60 * (k + 1), 60, bot.log)
                bot.kill()
                time.sleep(2.5)  # the dead process's leases lapse (SQLite: released at start)
                bot.start()
            total = due + IN_ORDER_CHATS * IN_ORDER_EACH
            wait_for(lambda: len(set_of(api)) >= total, 120, lambda: f"{len(api.sent)} sent")
            time.sleep(1)
        finally:
            assert bot.stop() == 0
        repeats = _assert_each_once_in_order(api, due, repeats_allowed=kills * concurrency)
        print(f"repeats over {kills} kills: {repeats}")


def set_of(api: TelegramRules) -> set[tuple[int, str]]:
    with api.lock:
        return {(s.chat_id, s.text) for s in api.sent}


async def _raise_flag_long_ago(url: str) -> None:
    """A risk flag about the first service user, raised a day ago and never acknowledged."""
    engine = create_engine(url)
    async with transaction(session_factory(engine)) as session:
        user = (await session.exec(select(Person).where(Person.telegram_id == USER_IDS))).one()
        session.add(
            SafetyFlag(
                kind=FlagKind.RISK,
                about_person_id=user.id,
                source="relay",
                category="suicide",
                raised_at=datetime.now(UTC) - timedelta(days=1),
            )
        )
    await engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_stop_with_10000_queued_is_quick_and_safety_goes_first(
    tmp_path: Path, backend: str
) -> None:
    api = TelegramRules(TOKEN)
    with database(backend, tmp_path) as url, served(api) as base_url:
        asyncio.run(_seed(url, checkins_due=1, queued=10_000))
        asyncio.run(_raise_flag_long_ago(url))
        (bot,) = _bots(tmp_path, url, base_url, 1)
        started = time.monotonic()
        bot.start()
        try:
            # The first sweep (within a tick of the start) escalates the flag; its message goes
            # ahead of the 10,000 waiting.
            wait_for(lambda: _escalations(api), SWEEP_EVERY + 5, lambda: f"{len(api.sent)} sent")
            escalated_after = time.monotonic() - started
            wait_for(lambda: len(api.sent) >= 100, 30)
        finally:
            stop_began = time.monotonic()
            assert bot.stop() == 0
            stopped_in = time.monotonic() - stop_began
        assert stopped_in <= 10, stopped_in
        assert escalated_after <= SWEEP_EVERY + 5
        sent_before = len(api.sent)
        unsent = asyncio.run(
            _scalar(url, "SELECT count(*) FROM outbox_message WHERE sent_at IS NULL")
        )
        unclaimed = asyncio.run(
            _scalar(url, "SELECT count(*) FROM outbox_message WHERE claimed_by IS NOT NULL")
        )
        assert unsent >= 10_000 + IN_ORDER_CHATS * IN_ORDER_EACH - sent_before
        assert unclaimed == 0  # given back: the next start sends them at once

        bot.start()  # the rest goes on after a restart, none twice
        try:
            wait_for(lambda: len(api.sent) >= sent_before + 60, 30)
        finally:
            assert bot.stop() == 0
        with api.lock:
            news = Counter(s.chat_id for s in api.sent if s.text == "news")
        assert max(news.values()) == 1


def _escalations(api: TelegramRules) -> bool:
    with api.lock:
        return any("Still not acknowledged" in s.text for s in api.sent)


def test_a_stop_with_sends_stuck_in_flood_waits_at_a_slow_round_trip_takes_under_10_s(
    tmp_path: Path,
) -> None:
    """The grace is used for real here: every send takes 300 ms, and the first chats' sends
    sit out a two-minute flood wait inside the rate limiter when SIGTERM comes."""
    api = TelegramRules(TOKEN, latency=0.3)
    for n in range(20):
        api.flood_waits[40_000_000 + n] = time.monotonic() + 120
    with database("sqlite", tmp_path) as url, served(api) as base_url:
        asyncio.run(_seed(url, checkins_due=1, queued=2_000))
        (bot,) = _bots(tmp_path, url, base_url, 1)
        bot.start()
        try:
            wait_for(lambda: len(api.sent) >= 60, 30, lambda: f"{len(api.sent)} sent")
        finally:
            stop_began = time.monotonic()
            assert bot.stop() == 0
            stopped_in = time.monotonic() - stop_began
        assert stopped_in <= 10, stopped_in
        claimed = asyncio.run(
            _scalar(url, "SELECT count(*) FROM outbox_message WHERE claimed_by IS NOT NULL")
        )
        assert claimed == 0  # the stuck ones were given back, for the next start
        with api.lock:
            news = Counter(s.chat_id for s in api.sent if s.text == "news")
        assert not news or max(news.values()) == 1
