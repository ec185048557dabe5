"""Benchmark the fan-out of scheduled messages: N check-ins due at once, sent exactly once.

    python -m bench.fanout --relationships 1000 --json
    python -m bench.fanout --relationships 1000 --round-trips 0,100,300 --json

A temporary SQLite database is migrated and filled directly with N active relationships
(service users, enough peer workers, a coordinator), each with a weekly check-in plan due at
the same instant. The real bot is built (``bot.app.build_application``: the real HTTPX
request and the bot's rate limiter) against a local Bot API double, with a clock one minute
past that instant, and one ``bot.scheduler.sweep`` is timed with the sending of what it
queued (``bot.pipeline.sending``: ``outbox.concurrency`` sends in flight, evenly paced).
``--round-trips`` runs it once per round trip (milliseconds) and prints every run.

The double keeps Telegram's broadcast limit strictly: at most ``--limit`` sendMessage calls
accepted in any sliding ``--window`` seconds; one more is answered with 429 "retry after 1"
and not delivered. ``--latency-ms`` delays every answer, like the round trip to
api.telegram.org (hundreds of milliseconds from Australia); the default is none. The double
records which chats received the check-in, so the run checks that every service user got
exactly one. Exit status 1 when one was lost or sent twice, or the sweep did not finish
within ``--timeout`` seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import email.parser
import io
import itertools
import json
import pstats
import resource
import sys
import tempfile
import threading
import time
import tomllib
import urllib.parse
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, text
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import app as bot_app
from bot import scheduler
from bot.config import Config, parse_config
from bot.db import create_engine, upgrade_to_head
from bot.lifecycle import PeerWorkerStatus, RelationshipStatus, ServiceUserStatus
from bot.models import (
    CheckinPlan,
    Coordinator,
    OutboxMessage,
    PeerWorkerProfile,
    Person,
    Relationship,
    Role,
    ServiceUserProfile,
)
from bot.pipeline.sending import send_queued
from bot.relationships import checkins

CONFIG = Path(__file__).resolve().parent.parent / "config.example.toml"
TOKEN = "123456:BENCH-token"
BOT_USER = {
    "id": 424242,
    "is_bot": True,
    "first_name": "PeerLink",
    "username": "peerlink_bench_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
# Tuesday 18:00 in Brisbane (UTC+10, no daylight saving) is 08:00 UTC: every plan is due now.
DUE = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
WEEKDAY, MINUTE, ZONE = 1, 18 * 60, "Australia/Brisbane"
COORDINATOR_ID = 111_111_111
USER_IDS = 10_000_000  # service user n has Telegram id USER_IDS + n
WORKER_IDS = 20_000_000
CHECKIN_TEXT = checkins.question(0).text


# -- the Bot API double -----------------------------------------------------------------------


def parse_body(content_type: str, body: bytes) -> dict[str, Any]:
    """Bot API parameters, sent as JSON, as a URL-encoded form or as multipart form data."""
    if not body:
        return {}
    if content_type.startswith("application/json"):
        return json.loads(body)
    if content_type.startswith("multipart/form-data"):
        header = f"Content-Type: {content_type}\r\n\r\n".encode()
        message = email.parser.BytesParser().parsebytes(header + body)
        return {
            part.get_param("name", header="content-disposition"): part.get_payload(
                decode=True
            ).decode(errors="replace")
            for part in message.get_payload()
        }
    return {key: values[0] for key, values in urllib.parse.parse_qs(body.decode()).items()}


@dataclass
class FakeTelegram:
    """Answers ``POST /bot<token>/<method>`` like Telegram, with its broadcast limit."""

    token: str
    limit: int = 30  # sendMessage calls accepted in any sliding window
    window: float = 1.0  # seconds
    latency: float = 0.0  # seconds added to every answer (api.telegram.org is not next door)
    sent: list[tuple[float, int, str]] = field(default_factory=list)  # (monotonic, chat, text)
    methods: Counter = field(default_factory=Counter)
    rate_limited: int = 0
    stray_paths: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _accepted: deque = field(default_factory=deque)  # monotonic times inside the window
    _message_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1000))

    def handle(self, path: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            with self.lock:
                self.stray_paths.append(path)
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        method = path.removeprefix(prefix)
        with self.lock:
            self.methods[method] += 1
        if method == "getMe":
            return 200, {"ok": True, "result": BOT_USER}
        if method == "getUpdates":  # nothing new: held a moment, as a long poll is
            time.sleep(0.2)
            return 200, {"ok": True, "result": []}
        if method != "sendMessage":  # setMyCommands, deleteWebhook, answerCallbackQuery…
            return 200, {"ok": True, "result": True}
        chat_id, text = int(params["chat_id"]), str(params["text"])
        with self.lock:
            now = time.monotonic()
            while self._accepted and self._accepted[0] <= now - self.window:
                self._accepted.popleft()
            if len(self._accepted) >= self.limit:
                self.rate_limited += 1
                return 429, {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1},
                }
            self._accepted.append(now)
            self.sent.append((now, chat_id, text))
            message_id = next(self._message_ids)
        return 200, {
            "ok": True,
            "result": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "from": {key: BOT_USER[key] for key in ("id", "is_bot", "first_name")},
                "text": text,
            },
        }

    def busiest_window(self) -> int:
        """The most sendMessage calls accepted in any sliding window (a check on the double)."""
        times = [at for at, _, _ in self.sent]
        busiest, start = 0, 0
        for end, at in enumerate(times):
            while times[start] <= at - self.window:
                start += 1
            busiest = max(busiest, end - start + 1)
        return busiest


@contextlib.contextmanager
def serve(api: FakeTelegram) -> Iterator[str]:
    """Run the double on 127.0.0.1 in a background thread; yields the bot's base_url."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as api.telegram.org does
        # Headers and body go out in two writes: without this, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every call, which is the double's fault.
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            params = parse_body(self.headers.get("Content-Type", ""), body)
            status, payload = api.handle(self.path, params)
            if api.latency:
                time.sleep(api.latency)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)

        def log_message(self, fmt: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/bot"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# -- the database -----------------------------------------------------------------------------


def make_config(database_url: str, base_url: str) -> Config:
    with CONFIG.open("rb") as handle:
        raw = tomllib.load(handle)
    raw["telegram"] = {**raw["telegram"], "token": TOKEN, "base_url": base_url}
    raw["database"] = {**raw.get("database", {}), "url": database_url}
    raw["coordinators"] = {**raw.get("coordinators", {}), "telegram_ids": [COORDINATOR_ID]}
    return parse_config(raw, environ={})


async def populate(engine: Any, relationships: int, caseload: int, due: datetime = DUE) -> None:
    """N active relationships with a check-in due at ``due``; first contact made, and asked
    already whether it is a good fit."""
    since = due - timedelta(weeks=2)
    workers = -(-relationships // caseload)
    async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
        coordinator = Person(id=1, telegram_id=COORDINATOR_ID, created_at=since, updated_at=since)
        session.add(coordinator)
        await session.flush()
        session.add(Coordinator(person_id=1, source="config", added_at=since))
        next_id = itertools.count(2)
        worker_ids = []
        for n in range(workers):
            person_id = next(next_id)
            worker_ids.append(person_id)
            session.add(
                Person(
                    id=person_id,
                    telegram_id=WORKER_IDS + n,
                    role=Role.PEER_WORKER,
                    status=PeerWorkerStatus.APPROVED,
                    created_at=since,
                    updated_at=since,
                )
            )
        user_ids = []
        for n in range(relationships):
            person_id = next(next_id)
            user_ids.append(person_id)
            session.add(
                Person(
                    id=person_id,
                    telegram_id=USER_IDS + n,
                    role=Role.SERVICE_USER,
                    status=ServiceUserStatus.MATCHED,
                    created_at=since,
                    updated_at=since,
                )
            )
        await session.flush()
        for n, person_id in enumerate(worker_ids):
            session.add(
                PeerWorkerProfile(
                    person_id=person_id,
                    display_name=f"Worker {n}",
                    bio="Here to listen.",
                    is_consumer=True,
                    is_carer=False,
                    timezone=ZONE,
                    max_caseload=caseload,
                    submitted_at=since,
                    updated_at=since,
                    reviewed_at=since,
                    reviewed_by_person_id=1,
                )
            )
        for person_id in user_ids:
            session.add(
                ServiceUserProfile(
                    person_id=person_id,
                    perspective="consumer",
                    timezone=ZONE,
                    submitted_at=since,
                    updated_at=since,
                )
            )
        for n, person_id in enumerate(user_ids):
            session.add(
                Relationship(
                    id=n + 1,
                    service_user_id=person_id,
                    peer_worker_id=worker_ids[n // caseload],
                    status=RelationshipStatus.ACTIVE,
                    created_at=since,
                    updated_at=since,
                    started_at=since,
                    first_contact_at=since + timedelta(hours=1),
                    last_contact_at=since + timedelta(hours=1),
                    fit_asked_at=since + timedelta(weeks=1),  # (asked already: not measured)
                    planned_end_at=since + timedelta(weeks=52),
                )
            )
        await session.flush()
        for n in range(relationships):
            session.add(
                CheckinPlan(
                    relationship_id=n + 1,
                    cadence="weekly",
                    weekday=WEEKDAY,
                    minute=MINUTE,
                    timezone=ZONE,
                    next_due_at=due,
                )
            )
        if engine.dialect.name == "postgresql":  # the ids above were given, not drawn
            for table in ("person", "relationship"):
                await session.exec(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )


async def outbox_unsent(engine: Any) -> int:
    async with AsyncSession(engine) as session:
        query = (
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
        )
        return (await session.exec(query)).one()


# -- the run ----------------------------------------------------------------------------------


def _rss_mb() -> float:
    # Linux reports kilobytes (macOS bytes, where this reads 1024 times too high).
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


async def _sweep_and_send(application: Any) -> None:
    await scheduler.sweep(SimpleNamespace(application=application))
    await send_queued(application.bot, application.bot_data["deps"])


async def _timed_sweep(
    application: Any, give_up_after: float, profile: cProfile.Profile | None
) -> tuple[float, bool]:
    """One sweep, as the leader's tick runs it, and the sending of what it queued, as the
    sender does it: (seconds, whether it was given up)."""
    if profile is not None:
        profile.enable()
    begun = time.perf_counter()
    try:
        await asyncio.wait_for(_sweep_and_send(application), give_up_after)
        return time.perf_counter() - begun, False
    except TimeoutError:
        return time.perf_counter() - begun, True
    finally:
        if profile is not None:
            profile.disable()


async def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    url = f"sqlite:///{workdir / 'peerlink.db'}"
    engine = create_engine(url)
    started = time.perf_counter()
    try:
        await upgrade_to_head(engine)
        await populate(engine, args.relationships, args.caseload)
    finally:
        await engine.dispose()
    setup_seconds = time.perf_counter() - started

    api = FakeTelegram(TOKEN, limit=args.limit, window=args.window, latency=args.latency_ms / 1000)
    profile = cProfile.Profile() if args.profile else None
    with serve(api) as base_url:
        # As in production: the bot opens its own engine from the configuration.
        config = make_config(url, base_url)
        application = bot_app.build_application(config, clock=lambda: DUE + timedelta(minutes=1))
        engine = application.bot_data["engine"]
        try:
            await application.initialize()
            try:
                if application.post_init is not None:  # as run_polling does at start-up
                    await application.post_init(application)
                before = len(api.sent)
                begun_wall = time.monotonic()
                seconds, timed_out = await _timed_sweep(application, args.timeout, profile)
            finally:
                await application.shutdown()
            unsent = await outbox_unsent(engine)
        finally:
            await engine.dispose()

    expected = {USER_IDS + n for n in range(args.relationships)}
    sweep_sends = api.sent[before:]
    checkins_to = Counter(chat for _, chat, text in sweep_sends if text == CHECKIN_TEXT)
    received = sum(1 for chat in expected if checkins_to[chat] >= 1)
    first = sweep_sends[0][0] - begun_wall if sweep_sends else None
    sending = sweep_sends[-1][0] - sweep_sends[0][0] if len(sweep_sends) > 1 else None
    result: dict[str, Any] = {
        "relationships": args.relationships,
        "sent": received,
        "duplicates": sum(count - 1 for chat, count in checkins_to.items() if count > 1),
        "lost": args.relationships - received,
        "seconds": round(seconds, 3),
        "messages_per_second": round(received / seconds, 2) if seconds else None,
        "rate_limited_responses": api.rate_limited,
        "outbox_unsent": unsent,
        "peak_rss_mb": _rss_mb(),
        # Where the time went: claiming and queueing (until the first message arrives) and
        # sending (first to last message, as the double saw them).
        "first_message_after_seconds": round(first, 3) if first is not None else None,
        "sending_seconds": round(sending, 3) if sending is not None else None,
        "sending_rate": round((len(sweep_sends) - 1) / sending, 2) if sending else None,
        "busiest_window": api.busiest_window(),
        "other_messages": len(sweep_sends) - sum(checkins_to.values()),
        "stray_checkins": sum(c for chat, c in checkins_to.items() if chat not in expected),
        "api_calls": dict(sorted(api.methods.items())),
        "stray_requests": len(api.stray_paths),
        "limit_per_window": [args.limit, args.window],
        "latency_ms": args.latency_ms,
        "setup_seconds": round(setup_seconds, 3),
        "timed_out": timed_out,
    }
    if profile is not None:
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        stats.sort_stats(args.profile).print_stats(args.profile_lines)
        print(out.getvalue(), file=sys.stderr)
    return result


def _table(result: dict[str, Any]) -> str:
    width = max(len(key) for key in result)
    return "\n".join(f"{key:<{width}}  {value}" for key, value in result.items())


def _count(least: int):
    def parse(text: str) -> int:
        value = int(text)
        if value < least:
            raise argparse.ArgumentTypeError(f"must be {least} or more")
        return value

    return parse


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.fanout", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--relationships", type=_count(1), default=1000, help="check-ins due")
    parser.add_argument("--caseload", type=_count(1), default=8, help="relationships per worker")
    parser.add_argument("--limit", type=_count(1), default=30, help="sends per window (double)")
    parser.add_argument("--window", type=float, default=1.0, help="seconds (double)")
    parser.add_argument(
        "--latency-ms", type=float, default=0.0, help="added to every answer (double)"
    )
    parser.add_argument(
        "--round-trips", help="run once per round trip, e.g. 0,100,300 (ms; overrides --latency-ms)"
    )
    parser.add_argument("--timeout", type=float, default=80.0, help="give up the sweep after")
    parser.add_argument(
        "--profile",
        nargs="?",
        const="cumulative",
        choices=("cumulative", "tottime"),
        help="print a cProfile of the sweep to stderr, sorted by this",
    )
    parser.add_argument("--profile-lines", type=_count(1), default=40)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    round_trips = [float(ms) for ms in args.round_trips.split(",")] if args.round_trips else None
    results = []
    for latency in round_trips or [args.latency_ms]:
        args.latency_ms = latency
        with tempfile.TemporaryDirectory(prefix="peerlink-fanout-") as workdir:
            results.append(asyncio.run(run(args, Path(workdir))))
    for result in results:
        if not args.json:
            print(_table(result), end="\n\n")
    if args.json:
        print(json.dumps(results if round_trips else results[0]))
    failed = any(r["lost"] or r["duplicates"] or r["timed_out"] for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
