"""The update pipeline under faults, against the real ``peerlink run`` as a subprocess over
HTTP: a fake Bot API that follows Telegram's getUpdates rules (tests/fake_bot_api.py), a
SIGKILL mid-batch, the database cut off behind a TCP proxy the test controls (SQLite: its
lock held), and one chat under a flood wait."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.db import create_engine, session_factory, transaction, upgrade_to_head
from bot.deps import Deps
from bot.texts import t
from tests import factories
from tests.conftest import PG_URL, make_config
from tests.fake_bot_api import TelegramRules, served
from tests.test_cli import (
    TOKEN,
    clean_environment,
    config_text,
    peerlink_executable,
    replace_once,
    sqlite_url,
    write_config,
)

BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(not PG_URL, reason="PEERLINK_TEST_DATABASE_URL is not set"),
    ),
]
RISK = "some days I want to die"
CRISIS_MARK = "13 11 14"  # Lifeline, in the example configuration's crisis lines
FALSE_PROMISE = "Nothing you've told us is lost"
SECRET = "webhook-secret_42"


# -- databases ------------------------------------------------------------------------------


def _pg_admin_url() -> str:
    return make_url(PG_URL).set(drivername="postgresql+asyncpg").render_as_string(False)


async def _create_pg_database(name: str) -> None:
    engine = create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()


async def _drop_pg_database(name: str) -> None:
    engine = create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await engine.dispose()


@contextlib.contextmanager
def database(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield sqlite_url(tmp_path / "peerlink.db")
        return
    name = f"t_{uuid.uuid4().hex[:12]}"
    asyncio.run(_create_pg_database(name))
    try:
        yield make_url(_pg_admin_url()).set(database=name).render_as_string(False)
    finally:
        asyncio.run(_drop_pg_database(name))


async def _seed(url: str, pairs: int) -> list[tuple[int, int]]:
    """Migrate, and make ``pairs`` active relationships: (service user, worker) Telegram ids."""
    engine = create_engine(url)
    await upgrade_to_head(engine)
    deps = Deps(config=make_config(url), sessions=session_factory(engine))
    from bot.admin import service as admin

    now = datetime.now(UTC)
    ids = []
    async with transaction(deps.sessions) as session:
        await admin.sync_reference_data(deps, session)
        for n in range(pairs):
            user = await factories.service_user(
                session, telegram_id=81_000 + n, status="matched", at=now
            )
            worker = await factories.peer_worker(session, telegram_id=91_000 + n, at=now)
            await factories.relationship(session, user=user, worker=worker, at=now)
            ids.append((user.telegram_id, worker.telegram_id))
    await engine.dispose()
    return ids


async def _scalar(url: str, query: str) -> int:
    engine = create_engine(url)
    async with engine.connect() as connection:
        value = (await connection.execute(text(query))).scalar_one()
    await engine.dispose()
    return value


# -- the bot as a process ---------------------------------------------------------------------


class Bot:
    def __init__(
        self,
        tmp_path: Path,
        url: str,
        base_url: str,
        lease: str = "2s",
        webhook_port: int | None = None,
        name: str = "peerlink",
        health_port: int = 0,
    ) -> None:
        body = config_text(url, base_url=base_url, auto_migrate=False)
        body = replace_once(body, 'lease = "30s"', f'lease = "{lease}"')
        body = replace_once(body, "health_port = 0", f"health_port = {health_port}")
        if webhook_port is not None:
            body = replace_once(body, "enabled = false", "enabled = true")
            body = replace_once(body, "port = 8080", f"port = {webhook_port}")
            body = replace_once(body, 'secret_token = ""', f'secret_token = "{SECRET}"')
        self.config = write_config(tmp_path, body, f"{name}.toml")
        self.tmp_path = tmp_path
        self.log_path = tmp_path / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [peerlink_executable(), "run", "--config", str(self.config)],
            cwd=self.tmp_path,
            env=clean_environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        wait_for(lambda: self.log().count("PeerLink is running") >= self.starts, 30, self.log)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return None

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def wait_for(condition, seconds: float, describe=lambda: "") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"still waiting after {seconds} s\n{describe()}")


def copies(api: TelegramRules, worker: int) -> list[int]:
    """Message ids copied to a worker, in the order they arrived."""
    return [int(s.text.rsplit(":", 1)[1]) for s in api.to(worker) if s.method == "copyMessage"]


# -- SIGKILL ----------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_kill_mid_batch_loses_nothing_and_repeats_at_most_what_was_in_flight(
    tmp_path: Path, backend: str
) -> None:
    api = TelegramRules(TOKEN)
    with database(backend, tmp_path) as url, served(api) as base_url:
        pairs = asyncio.run(_seed(url, 4))
        sent: dict[int, list[int]] = {}
        for round_ in range(20):
            for user, worker in pairs:
                update = api.text_update(user, f"message {round_} from {user}")
                sent.setdefault(worker, []).append(update["update_id"])
                api.push(update)
        total = sum(len(ids) for ids in sent.values())
        assert total == 80
        bot = Bot(tmp_path, url, base_url)
        kills = 0
        try:
            for delivered_before_kill in (5, 40):
                bot.start()
                wait_for(
                    lambda n=delivered_before_kill: sum(len(copies(api, w)) for w in sent) >= n,
                    60,
                    bot.log,
                )
                bot.kill()
                kills += 1
            bot.start()
            wait_for(lambda: all(set(copies(api, w)) >= set(sent[w]) for w in sent), 90, bot.log)
        finally:
            bot.stop()

    repeats = 0
    for worker, expected in sent.items():
        arrived = copies(api, worker)
        first_seen = list(dict.fromkeys(arrived))
        assert first_seen == expected, f"order broken for worker {worker}"
        repeats += len(arrived) - len(first_seen)
    # At most the update in flight in each chat at each kill is handled again.
    assert repeats <= kills * len(sent), repeats
    print(f"\n{backend}: {total} relayed, 0 lost, {repeats} repeated over {kills} kills")


# -- the database cut off -----------------------------------------------------------------------


class TcpProxy:
    """127.0.0.1:<port> -> the database. ``cut()`` drops every connection and refuses new
    ones until ``restore()``."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open: set[socket.socket] = set()
        self.cut_off = False
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.cut_off:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.open |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for end in (source, sink):  # shutdown first: it wakes the other pump's recv
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                end.close()

    def cut(self) -> None:
        self.cut_off = True
        with self.lock:
            for connection in self.open:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
                    connection.close()
            self.open.clear()

    def restore(self) -> None:
        self.cut_off = False

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_database_away_for_20_seconds(tmp_path: Path, backend: str) -> None:
    api = TelegramRules(TOKEN)
    with database(backend, tmp_path) as url, served(api) as base_url:
        pairs = asyncio.run(_seed(url, 3))
        proxy = None
        bot_url = url
        if backend == "postgresql":
            parsed = make_url(url)
            proxy = TcpProxy((parsed.host or "127.0.0.1", parsed.port or 5432))
            bot_url = parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(False)
        bot = Bot(tmp_path, bot_url, base_url)
        holder: sqlite3.Connection | None = None
        try:
            bot.start()
            for user, _worker in pairs:
                api.push(api.text_update(user, "hello before the outage"))
            wait_for(lambda: all(copies(api, w) for _, w in pairs), 30, bot.log)

            if proxy is not None:
                proxy.cut()
            else:
                holder = sqlite3.connect(str(tmp_path / "peerlink.db"), isolation_level=None)
                holder.execute("BEGIN EXCLUSIVE")
            cut_at = time.monotonic()
            during: dict[int, list[int]] = {}
            for user, worker in pairs:
                risk = api.text_update(user, RISK)
                api.push(risk)
                during.setdefault(worker, []).append(risk["update_id"])
            for round_ in range(7):
                for user, worker in pairs:
                    update = api.text_update(user, f"while away {round_}")
                    api.push(update)
                    during[worker].append(update["update_id"])
            # The crisis lines within 2 seconds, from memory.
            for user, _ in pairs:
                wait_for(lambda u=user: any(CRISIS_MARK in s.text for s in api.to(u)), 2.0, bot.log)
            assert time.monotonic() - cut_at < 20
            time.sleep(max(0.0, 20 - (time.monotonic() - cut_at)))
            if proxy is not None:
                proxy.restore()
            else:
                holder.rollback() if holder.in_transaction else None
                holder.close()
                holder = None
            wait_for(
                lambda: all(set(copies(api, w)) >= set(ids) for w, ids in during.items()),
                60,
                bot.log,
            )
            wait_for(
                lambda: asyncio.run(_scalar(url, "SELECT count(*) FROM safety_flag")) >= 3,
                30,
                bot.log,
            )
        finally:
            if holder is not None:
                holder.close()
            bot.stop()
            if proxy is not None:
                proxy.close()

    for user, worker in pairs:
        to_user = [s.text for s in api.to(user)]
        assert not any(FALSE_PROMISE in text for text in to_user), to_user
        assert sum(CRISIS_MARK in text for text in to_user) == 1, to_user  # not twice
        for key in ("pipeline_delayed", "error_will_retry"):
            apology = t(key)[:40]
            assert sum(text.startswith(apology) for text in to_user) <= 1, (key, to_user)
        arrived = copies(api, worker)
        assert list(dict.fromkeys(arrived))[1:] == during[worker], "order broken"
    assert "Traceback" not in bot.log()


# -- one chat under a flood wait ----------------------------------------------------------------


def test_a_flood_wait_for_one_chat_does_not_hold_up_another(tmp_path: Path) -> None:
    api = TelegramRules(TOKEN)
    health_port = free_port()
    with database("sqlite", tmp_path) as url, served(api) as base_url:
        (flooded_user, _w1), (other_user, _w2) = asyncio.run(_seed(url, 2))
        bot = Bot(tmp_path, url, base_url, health_port=health_port)
        try:
            bot.start()
            api.flood_waits[flooded_user] = time.monotonic() + 20
            api.push(api.text_update(flooded_user, "/help"))
            time.sleep(0.5)  # its reply is now waiting out the flood wait
            asked = time.monotonic()
            api.push(api.text_update(other_user, "/help_now"))
            wait_for(lambda: any(CRISIS_MARK in s.text for s in api.to(other_user)), 5, bot.log)
            answered = next(s.at for s in api.to(other_user) if CRISIS_MARK in s.text)
            health, health_body = get(health_port, "/healthz")
            _status, metrics = get(health_port, "/metrics")
        finally:
            bot.stop()
    assert answered - asked < 1.0, answered - asked
    # Polling mode serves the same endpoints; the flooded chat's reply is still waiting.
    assert health == 200, health_body
    assert json.loads(health_body)["inbox_backlog"] == 1
    assert 'peerlink_sends_total{outcome="retry_after"}' in metrics
    assert 'peerlink_updates_handled_total{outcome="handled"} 1.0' in metrics


# -- webhooks ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def post(port: int, update: dict, secret: str | None = SECRET) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/telegram", data=json.dumps(update).encode(), headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=15) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_the_webhook_refuses_a_wrong_or_missing_secret_and_stores_nothing(
    tmp_path: Path,
) -> None:
    api = TelegramRules(TOKEN)
    with database("sqlite", tmp_path) as url, served(api) as base_url:
        ((user, _worker),) = asyncio.run(_seed(url, 1))
        port = free_port()
        bot = Bot(tmp_path, url, base_url, webhook_port=port)
        try:
            bot.start()
            refused = [
                post(port, api.text_update(user, "no secret"), secret=None),
                post(port, api.text_update(user, "wrong secret"), secret="guess"),
                post(port, api.text_update(user, "almost"), secret=SECRET + "x"),
            ]
            stored_after_refusals = asyncio.run(_scalar(url, "SELECT count(*) FROM inbox_update"))
            accepted = post(port, api.text_update(user, "/help_now"))
            wait_for(lambda: any(CRISIS_MARK in s.text for s in api.to(user)), 10, bot.log)
            health, health_body = get(port, "/healthz")
            metrics_status, metrics_body = get(port, "/metrics")
        finally:
            bot.stop()
    assert refused == [403, 403, 403]
    assert stored_after_refusals == 0
    assert accepted == 200
    assert health == 200, health_body
    assert json.loads(health_body)["database"] is True
    assert metrics_status == 200
    assert "peerlink_updates_received_total 1.0" in metrics_body
    assert 'peerlink_updates_handled_total{outcome="handled"} 1.0' in metrics_body
    assert SECRET not in bot.log()


@pytest.mark.skipif(not PG_URL, reason="PEERLINK_TEST_DATABASE_URL is not set")
@pytest.mark.parametrize("processes", [2, 3])
def test_several_webhook_processes_on_one_database_act_as_one_bot(
    tmp_path: Path, processes: int
) -> None:
    api = TelegramRules(TOKEN)
    with database("postgresql", tmp_path) as url, served(api) as base_url:
        pairs = asyncio.run(_seed(url, 6))
        ports = [free_port() for _ in range(processes)]
        bots = [
            Bot(tmp_path, url, base_url, webhook_port=port, name=f"bot{n}")
            for n, port in enumerate(ports)
        ]
        expected: dict[int, list[int]] = {}
        answers = []
        try:
            for bot in bots:
                bot.start()
            n = 0
            for round_ in range(10):
                for user, worker in pairs:
                    update = api.text_update(user, f"round {round_}")
                    expected.setdefault(worker, []).append(update["update_id"])
                    answers.append(post(ports[n % processes], update))
                    if n % 4 == 0:  # Telegram delivers it again, to another process
                        answers.append(post(ports[(n + 1) % processes], update))
                    n += 1
            wait_for(
                lambda: all(set(copies(api, w)) >= set(ids) for w, ids in expected.items()),
                60,
                lambda: "\n".join(bot.log() for bot in bots),
            )
            time.sleep(1.0)  # would a duplicate still arrive?
        finally:
            for bot in bots:
                bot.stop()

    assert set(answers) == {200}
    for worker, ids in expected.items():
        assert copies(api, worker) == ids, f"worker {worker}: not each once, in order"
    handled_by = {bot.log_path.name: bot.log().count("Traceback") for bot in bots}
    assert set(handled_by.values()) == {0}, handled_by


# -- what Telegram sends that cannot be read; a second process on SQLite ---------------------------


def test_an_unreadable_update_is_set_aside_by_id_and_its_batch_handled(tmp_path: Path) -> None:
    api = TelegramRules(TOKEN)
    with database("sqlite", tmp_path) as url, served(api) as base_url:
        ((user, worker),) = asyncio.run(_seed(url, 1))
        before = api.text_update(user, "before the odd one")
        odd = api.text_update(user, "PRIVATE-WORDS in an update that does not parse")
        odd["message"]["chat"] = "not a chat"
        after = api.text_update(user, "after the odd one")
        api.push(before, odd, after)
        bot = Bot(tmp_path, url, base_url)
        try:
            bot.start()
            wait_for(lambda: len(copies(api, worker)) >= 2, 20, bot.log)
            outcome = asyncio.run(
                _scalar(
                    url, f"SELECT outcome FROM inbox_update WHERE update_id = {odd['update_id']}"
                )
            )
        finally:
            bot.stop()
    assert copies(api, worker) == [before["update_id"], after["update_id"]]
    assert outcome == "set_aside"
    log = bot.log()
    assert "PRIVATE-WORDS" not in log and "before the odd one" not in log, log
    assert f"ids [{odd['update_id']}]" in log


def test_a_second_process_on_one_sqlite_database_says_so_and_stops(tmp_path: Path) -> None:
    api = TelegramRules(TOKEN)
    with database("sqlite", tmp_path) as url, served(api) as base_url:
        asyncio.run(_seed(url, 1))
        first = Bot(tmp_path, url, base_url, name="first")
        second = Bot(tmp_path, url, base_url, name="second")
        try:
            first.start()
            result = subprocess.run(
                [peerlink_executable(), "run", "--config", str(second.config)],
                cwd=tmp_path,
                env=clean_environment(),
                capture_output=True,
                text=True,
                timeout=60,
            )
        finally:
            first.stop()
    assert result.returncode == 1
    assert result.stderr.startswith("another peerlink run is already using"), result.stderr
    assert "use PostgreSQL to run several" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
