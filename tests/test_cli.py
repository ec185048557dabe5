"""The ``peerlink`` console command, run for real as a subprocess.

Bad configurations must end every subcommand with status 2 and one line on stderr naming the
key. The end-to-end test starts ``peerlink run`` against a fake Telegram Bot API served over
HTTP on 127.0.0.1 and talks to the bot through it.
"""

from __future__ import annotations

import contextlib
import email.parser
import io
import itertools
import json
import logging
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import tomllib
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from bot.config import COORDINATOR_IDS_ENV, DATABASE_URL_ENV, TOKEN_ENV
from bot.db import head_revision

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_TEXT = (ROOT / "config.example.toml").read_text(encoding="utf-8")
TOKEN_ID = "123456"
TOKEN_SECRET = "CLI-secret_token-e2e"
TOKEN = f"{TOKEN_ID}:{TOKEN_SECRET}"
CLOSED_PORT_URL = "http://127.0.0.1:9/bot"  # nothing listens on the discard port
SUBCOMMANDS = ("run", "migrate", "check-config")
USER_ID = 7001
COORDINATOR_ID = 7000
PROCESS_TIMEOUT = 30.0


# -- running the command ---------------------------------------------------------------------


def peerlink_executable() -> str:
    beside_python = Path(sys.executable).parent / "peerlink"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("peerlink")
    if found is None:
        pytest.fail("the 'peerlink' console script is not installed (pip install -e .)")
    return found


def clean_environment(**extra: str) -> dict[str, str]:
    """The outer environment without PeerLink's variables or HTTP proxies, plus ``extra``."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in (TOKEN_ENV, DATABASE_URL_ENV, COORDINATOR_IDS_ENV)
        and not name.lower().endswith("_proxy")
    }
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env.update(extra)
    return env


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def start(
    subcommand: str, config: Path, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [peerlink_executable(), subcommand, "--config", str(config)],
        cwd=cwd,
        env=env or clean_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> Result:
    try:
        stdout, stderr = process.communicate(timeout=PROCESS_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        pytest.fail(f"{process.args} did not finish; stderr: {stderr[-2000:]}")
    return Result(process.returncode, stdout, stderr)


def peerlink(subcommand: str, config: Path, cwd: Path, env: dict[str, str] | None = None) -> Result:
    return finish(start(subcommand, config, cwd, env))


# -- configuration files ---------------------------------------------------------------------


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"expected exactly one {old!r} in the configuration"
    return text.replace(old, new)


def toml_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid TOML basic string


def config_text(
    database_url: str,
    *,
    base_url: str = CLOSED_PORT_URL,
    auto_migrate: bool = True,
    token: str | None = TOKEN,
    coordinators: tuple[int, ...] = (COORDINATOR_ID,),
) -> str:
    text = EXAMPLE_TEXT
    text = replace_once(
        text,
        '\ntoken = ""\n',  # the bot's, not webhook.secret_token
        f"\ntoken = {toml_string(token)}\n" if token is not None else "\n",
    )
    text = replace_once(
        text, "telegram_ids = []", f"telegram_ids = [{', '.join(map(str, coordinators))}]"
    )
    text = replace_once(
        text,
        'base_url = "https://api.telegram.org/bot"',
        f"base_url = {toml_string(base_url)}",
    )
    text = replace_once(text, 'url = "sqlite:///peerlink.db"', f"url = {toml_string(database_url)}")
    text = replace_once(
        text, "auto_migrate = true", f"auto_migrate = {'true' if auto_migrate else 'false'}"
    )
    return text


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def write_config(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def assert_one_line(stderr: str, *needles: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}: {stderr!r}"
    for needle in needles:
        assert needle in lines[0], f"{needle!r} not in {lines[0]!r}"
    return lines[0]


# -- bad configurations: status 2 and one line naming the key, for every subcommand ----------


def _remove_crisis_lines(text: str) -> str:
    without, count = re.subn(r"\[\[service\.crisis_lines\]\]\n(?:\w+ = .*\n)+", "", text)
    assert count == 2
    return without


BAD_CONFIGS: list[Any] = [
    pytest.param(
        lambda text: replace_once(text, f"\ntoken = {toml_string(TOKEN)}\n", "\n"),
        "telegram.token",
        id="missing-token",
    ),
    pytest.param(
        lambda text: replace_once(
            text, f"telegram_ids = [{COORDINATOR_ID}]", 'telegram_ids = "abc"'
        ),
        "coordinators.telegram_ids",
        id="wrong-type-list",
    ),
    pytest.param(
        lambda text: replace_once(text, 'valid_for = "7d"', "valid_for = 5"),
        "invites.valid_for",
        id="wrong-type-duration",
    ),
    pytest.param(
        lambda text: replace_once(text, "[telegram]\n", '[telegram]\ntokn = "1:typo"\n'),
        "telegram.tokn",
        id="unknown-key",
    ),
    pytest.param(
        lambda text: text + "\n[matching]\nweight = 1\n",
        "matching",
        id="unknown-section",
    ),
    pytest.param(
        lambda text: replace_once(
            text, 'timezone = "Australia/Brisbane"', 'timezone = "Mars/Base"'
        ),
        "service.timezone",
        id="invalid-timezone",
    ),
    pytest.param(
        lambda text: replace_once(text, 'valid_for = "7d"', 'valid_for = "7 days"'),
        "invites.valid_for",
        id="bad-duration",
    ),
    pytest.param(_remove_crisis_lines, "service.crisis_lines", id="missing-crisis-lines"),
    pytest.param(
        lambda text: re.sub(
            r'^url = ".*"$', 'url = "postgresql://bob:pw@localhost/peerlink"', text, flags=re.M
        ),
        "database.url",
        id="non-async-database-url",
    ),
    pytest.param(
        lambda text: replace_once(text, 'key = "hospital"', 'key = "psychosis"'),
        "lived_experience",
        id="duplicate-area-key",
    ),
    pytest.param(
        lambda text: replace_once(text, "[coordinators]\n", "[coordinators\n"),
        "config.toml",
        id="invalid-toml",
    ),
    pytest.param(None, "config.toml", id="missing-file"),
    pytest.param(
        lambda text: replace_once(
            text, f"\ntoken = {toml_string(TOKEN)}\n", f"\ntoken = {toml_string('123:ABC')}\n"
        ),
        "telegram.token",
        id="placeholder-token",
    ),
    pytest.param(
        lambda text: replace_once(text, f"\ntoken = {toml_string(TOKEN)}\n", '\ntoken = ""\n'),
        "telegram.token",
        id="empty-token",
    ),
    pytest.param(
        lambda text: replace_once(text, 'length = "12w"', 'length = "1m"'),
        "programme.closure_reminders",
        id="closure-reminder-not-shorter-than-the-programme",
    ),
]


@pytest.mark.parametrize(("spoil", "key"), BAD_CONFIGS)
def test_bad_configuration_exits_2_with_one_line_for_every_subcommand(
    tmp_path: Path, spoil: Callable[[str], str] | None, key: str
) -> None:
    config = tmp_path / "config.toml"
    if spoil is not None:
        good = config_text(sqlite_url(tmp_path / "x.db"))
        spoilt = spoil(good)
        assert spoilt != good
        write_config(tmp_path, spoilt)

    processes = {name: start(name, config, tmp_path) for name in SUBCOMMANDS}
    results = {name: finish(process) for name, process in processes.items()}

    for name, result in results.items():
        assert result.returncode == 2, f"{name}: status {result.returncode}; {result.stderr!r}"
        line = assert_one_line(result.stderr, key)
        assert line.startswith("configuration error: "), f"{name}: {line!r}"
        assert result.stdout == "", f"{name} printed {result.stdout!r}"
    assert not (tmp_path / "x.db").exists(), "a subcommand touched the database"


def test_environment_token_rescues_a_file_without_one(tmp_path: Path) -> None:
    config = write_config(tmp_path, config_text(sqlite_url(tmp_path / "x.db"), token=None))

    without = peerlink("check-config", config, tmp_path)
    with_env = peerlink(
        "check-config", config, tmp_path, clean_environment(**{TOKEN_ENV: "99:env-secret"})
    )

    assert without.returncode == 2
    assert_one_line(without.stderr, "telegram.token", TOKEN_ENV)
    assert with_env.returncode == 0, with_env.stderr
    assert json.loads(with_env.stdout)["telegram"]["token"] == "99:***"
    assert "env-secret" not in with_env.stdout


# -- check-config and migrate ----------------------------------------------------------------


def test_check_config_prints_the_effective_configuration_masked(tmp_path: Path) -> None:
    config = write_config(tmp_path, config_text(sqlite_url(tmp_path / "x.db")))

    result = peerlink("check-config", config, tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    shown = json.loads(result.stdout)
    assert shown["telegram"]["token"] == f"{TOKEN_ID}:***"
    assert TOKEN_SECRET not in result.stdout
    assert shown["service"]["crisis_lines"][0]["phone"] == "13 11 14"
    assert shown["database"]["url"] == sqlite_url(tmp_path / "x.db")
    assert not (tmp_path / "x.db").exists(), "check-config must not touch the database"


def test_check_config_warns_of_draft_languages_and_lists_missing_words(tmp_path: Path) -> None:
    text = config_text(sqlite_url(tmp_path / "x.db"))
    text = replace_once(text, 'languages = ["en"]', 'languages = ["en", "vi"]')
    text = replace_once(text, 'name = "Lifeline"', 'name = { en = "Lifeline", ar = "لايف لاين" }')
    config = write_config(tmp_path, text)

    result = peerlink("check-config", config, tmp_path)

    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    drafts = [line for line in lines if "draft translation" in line]
    assert len(drafts) == 1 and "vi" in drafts[0] and "qualified translator" in drafts[0]
    (missing,) = [line for line in lines if line.startswith("vi:")]
    assert "service.crisis_lines[0].name" in missing
    shown = json.loads(result.stdout)
    assert shown["service"]["crisis_lines"][0]["name"] == {"en": "Lifeline", "ar": "لايف لاين"}


def test_check_config_masks_a_database_password_from_the_environment(tmp_path: Path) -> None:
    config = write_config(tmp_path, config_text(sqlite_url(tmp_path / "x.db")))
    env = clean_environment(
        **{
            TOKEN_ENV: "777:from-the-environment",
            DATABASE_URL_ENV: "postgresql+asyncpg://peerlink:s3cr3t-pw@db.example/peerlink",
        }
    )

    result = peerlink("check-config", config, tmp_path, env)

    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["telegram"]["token"] == "777:***"
    assert shown["database"]["url"] == "postgresql+asyncpg://peerlink:***@db.example/peerlink"
    assert "from-the-environment" not in result.stdout
    assert "s3cr3t-pw" not in result.stdout
    assert TOKEN_SECRET not in result.stdout


def _sqlite_revision(path: Path) -> str | None:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]


def test_migrate_a_fresh_sqlite_database(tmp_path: Path) -> None:
    database = tmp_path / "x.db"
    config = write_config(tmp_path, config_text(sqlite_url(database), auto_migrate=False))

    first = peerlink("migrate", config, tmp_path)
    again = peerlink("migrate", config, tmp_path)

    head = head_revision()
    assert head is not None
    for result in (first, again):
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        assert head in result.stdout
    assert _sqlite_revision(database) == head
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert {"person", "coordinator", "invite", "form_draft"} <= tables


@pytest.mark.parametrize("subcommand", ["migrate", "run"])
def test_unopenable_database_is_one_line_not_a_traceback(tmp_path: Path, subcommand: str) -> None:
    database = tmp_path / "no" / "such" / "dir" / "x.db"
    config = write_config(tmp_path, config_text(sqlite_url(database)))

    result = peerlink(subcommand, config, tmp_path)

    assert result.returncode == 1, result.stderr
    assert_one_line(result.stderr, "database")
    assert TOKEN_SECRET not in result.stderr + result.stdout


# -- a fake Telegram Bot API -----------------------------------------------------------------


BOT_USER = {
    "id": 424242,
    "is_bot": True,
    "first_name": "PeerLink",
    "username": "peerlink_e2e_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


def command_update(update_id: int, command: str) -> dict[str, Any]:
    user = {"id": USER_ID, "is_bot": False, "first_name": "Sam"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": USER_ID, "type": "private", "first_name": "Sam"},
            "from": user,
            "text": command,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}],
        },
    }


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
    """Serves ``POST /bot<token>/<method>``; hands out each queued update once."""

    token: str
    queued: list[dict[str, Any]] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # (update the bot was answering, chat id, text) for every sendMessage
    sent: list[tuple[str | None, int, str]] = field(default_factory=list)
    stray_paths: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _handed_out: str | None = None
    _sent_when_handed_out: int = 0
    _message_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1000))

    def handle(self, path: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            with self.lock:
                self.stray_paths.append(path)
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        method = path.removeprefix(prefix)
        with self.lock:
            self.calls.append((method, params))
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._updates(params)}
        if method == "getMe":
            return 200, {"ok": True, "result": BOT_USER}
        if method == "sendMessage":
            with self.lock:
                chat_id = int(params["chat_id"])
                self.sent.append((self._handed_out, chat_id, params["text"]))
                message = {
                    "message_id": next(self._message_ids),
                    "date": int(time.time()),
                    "chat": {"id": chat_id, "type": "private"},
                    "from": {key: BOT_USER[key] for key in ("id", "is_bot", "first_name")},
                    "text": params["text"],
                }
            return 200, {"ok": True, "result": message}
        return 200, {"ok": True, "result": True}

    def _updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        with self.lock:
            # Like a person, send the next command only once the bot has answered the last.
            answered = self._handed_out is None or len(self.sent) > self._sent_when_handed_out
            if self.queued and answered:
                update = self.queued.pop(0)
                self._handed_out = update["message"]["text"]
                self._sent_when_handed_out = len(self.sent)
                return [update]
        time.sleep(min(float(params.get("timeout") or 0), 0.2))
        return []

    def replies_to(self, command: str) -> list[str]:
        with self.lock:
            return [text for answering, chat, text in self.sent if answering == command]

    def methods(self) -> list[str]:
        with self.lock:
            return [method for method, _ in self.calls]


class BotApiHandler(BaseHTTPRequestHandler):
    """A local Bot API's request handler: subclasses write do_POST and answer with JSON."""

    def do_GET(self) -> None:
        self.do_POST()

    def answer(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        # The bot may hang up (mid long-poll, or while it shuts down).
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(data)

    def log_message(self, fmt: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A local HTTP server with this handler, for as long as the block runs: its Bot API
    base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/bot"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def telegram() -> Iterator[tuple[FakeTelegram, str]]:
    api = FakeTelegram(TOKEN)

    class Handler(BotApiHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            params = parse_body(self.headers.get("Content-Type", ""), body)
            status, payload = api.handle(self.path, params)
            self.answer(status, payload)

    with serving(Handler) as base_url:
        yield api, base_url


def stop(process: subprocess.Popen[bytes]) -> int | None:
    """SIGINT, as Ctrl+C would; kill if that is not enough. The status after SIGINT, or None."""
    if process.poll() is not None:
        return process.returncode
    process.send_signal(signal.SIGINT)
    try:
        return process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)
        return None


# -- run -------------------------------------------------------------------------------------


def test_run_refuses_an_unmigrated_database_without_polling(
    tmp_path: Path, telegram: tuple[FakeTelegram, str]
) -> None:
    api, base_url = telegram
    database = tmp_path / "x.db"
    config = write_config(
        tmp_path, config_text(sqlite_url(database), base_url=base_url, auto_migrate=False)
    )

    result = peerlink("run", config, tmp_path)

    assert result.returncode != 0
    assert_one_line(result.stderr, "peerlink migrate")
    assert api.methods() == [], "run talked to Telegram before the database was ready"
    assert api.stray_paths == []
    assert TOKEN_SECRET not in result.stderr + result.stdout


def test_run_end_to_end_over_a_fake_bot_api(
    tmp_path: Path, telegram: tuple[FakeTelegram, str]
) -> None:
    api, base_url = telegram
    api.queued = [
        command_update(1, "/start"),
        command_update(2, "/help"),
        command_update(3, "/help_now"),
    ]
    database = tmp_path / "x.db"
    config = write_config(
        tmp_path, config_text(sqlite_url(database), base_url=base_url, auto_migrate=True)
    )
    log_path = tmp_path / "peerlink.log"

    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [peerlink_executable(), "run", "--config", str(config)],
            cwd=tmp_path,
            env=clean_environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + PROCESS_TIMEOUT
            while time.monotonic() < deadline and process.poll() is None:
                if api.replies_to("/help_now"):
                    break
                time.sleep(0.1)
            exited_early = process.poll()
        finally:
            status_after_sigint = stop(process)
    output = log_path.read_text(encoding="utf-8", errors="replace")

    assert exited_early is None, f"peerlink run exited by itself ({exited_early}):\n{output}"
    start_replies = api.replies_to("/start")
    help_replies = api.replies_to("/help")
    help_now_replies = api.replies_to("/help_now")
    assert start_replies, f"no reply to /start; sent: {api.sent}\n{output}"
    assert help_replies, f"no reply to /help; sent: {api.sent}\n{output}"
    assert help_now_replies, f"no reply to /help_now; sent: {api.sent}\n{output}"

    assert any("not a crisis service" in text for text in start_replies), start_replies
    assert any("/help_now" in text and "/profile" in text for text in help_replies), help_replies
    assert any("13 11 14" in text and "1300 22 4636" in text for text in help_now_replies), (
        help_now_replies
    )
    assert {chat for _, chat, _ in api.sent} == {USER_ID}

    methods = api.methods()
    assert "getMe" in methods
    assert "setMyCommands" in methods
    assert api.stray_paths == []

    assert status_after_sigint is not None, f"peerlink run ignored SIGINT:\n{output}"
    assert status_after_sigint == 0, f"status {status_after_sigint} after SIGINT:\n{output}"
    assert "Traceback" not in output, output
    assert TOKEN_SECRET not in output, "the bot token leaked into the log"

    # auto_migrate brought the database to head, and /start recorded the person.
    assert _sqlite_revision(database) == head_revision()
    with sqlite3.connect(database) as connection:
        people = connection.execute("SELECT telegram_id, role FROM person").fetchall()
    assert (USER_ID, "service_user") in people, people


# -- a first start a newcomer can trust ------------------------------------------------------


def test_the_example_as_shipped_says_what_to_set_before_it_runs(tmp_path: Path) -> None:
    config = write_config(tmp_path, EXAMPLE_TEXT)  # copied as the README says, not yet edited

    no_token = peerlink("run", config, tmp_path)
    no_coordinator = peerlink("run", config, tmp_path, clean_environment(**{TOKEN_ENV: TOKEN}))

    assert no_token.returncode == 2
    line = assert_one_line(no_token.stderr, "configuration error: telegram.token", TOKEN_ENV)
    assert "is required" in line
    assert no_coordinator.returncode == 2
    line = assert_one_line(no_coordinator.stderr, "coordinators.telegram_ids")
    assert "put your own Telegram user id in coordinators.telegram_ids" in line
    for result in (no_token, no_coordinator):
        assert result.stdout == ""
        assert TOKEN_SECRET not in result.stderr
    assert not (tmp_path / "peerlink.db").exists(), "run touched the database"


def test_the_example_runs_with_the_token_and_coordinator_from_the_environment(
    tmp_path: Path,
) -> None:
    """The README's first command: copy the example, export two variables, nothing to edit."""
    config = write_config(tmp_path, EXAMPLE_TEXT)
    environment = clean_environment(**{TOKEN_ENV: TOKEN, COORDINATOR_IDS_ENV: "424242, 777"})
    checked = peerlink("check-config", config, tmp_path, environment)
    assert checked.returncode == 0, checked.stderr
    assert "424242" in checked.stdout and "777" in checked.stdout
    assert TOKEN_SECRET not in checked.stdout + checked.stderr

    wrong = clean_environment(**{TOKEN_ENV: TOKEN, COORDINATOR_IDS_ENV: "@casey"})
    refused = peerlink("check-config", config, tmp_path, wrong)
    assert refused.returncode == 2
    assert_one_line(refused.stderr, f"configuration error: {COORDINATOR_IDS_ENV}")


def test_run_and_check_config_need_a_coordinator_migrate_does_not(tmp_path: Path) -> None:
    database = tmp_path / "x.db"
    config = write_config(tmp_path, config_text(sqlite_url(database), coordinators=()))

    results = {name: peerlink(name, config, tmp_path) for name in ("run", "check-config")}
    migrated = peerlink("migrate", config, tmp_path)

    for name, result in results.items():
        assert result.returncode == 2, f"{name}: {result.stderr!r}"
        assert_one_line(result.stderr, "configuration error: coordinators.telegram_ids")
        assert result.stdout == ""
    assert migrated.returncode == 0, migrated.stderr
    assert _sqlite_revision(database) == head_revision()


def assert_no_secret(result: Result) -> None:
    for secret in (TOKEN, TOKEN_SECRET, urllib.parse.quote(TOKEN, safe="")):
        assert secret not in result.stdout + result.stderr, "the bot token was printed"


def test_run_when_the_bot_api_cannot_be_reached_is_one_line(tmp_path: Path) -> None:
    config = write_config(tmp_path, config_text(sqlite_url(tmp_path / "x.db")))

    result = peerlink("run", config, tmp_path)

    assert result.returncode == 2, result.stderr
    line = assert_one_line(result.stderr, f"cannot reach the Bot API at {CLOSED_PORT_URL}: ")
    assert line.startswith("cannot reach the Bot API"), line
    assert result.stdout == ""
    assert_no_secret(result)


@pytest.fixture
def refusing_api(request: pytest.FixtureRequest) -> Iterator[tuple[str, list[str]]]:
    """A Bot API that answers every call with ``request.param`` (401 or 404), like Telegram
    does for a revoked or malformed token. Yields its base URL and the paths it was asked."""
    status = request.param
    paths: list[str] = []

    class Handler(BotApiHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            paths.append(self.path)
            description = "Unauthorized" if status == 401 else "Not Found"
            self.answer(status, {"ok": False, "error_code": status, "description": description})

    with serving(Handler) as base_url:
        yield base_url, paths


@pytest.mark.parametrize("refusing_api", [401, 404], indirect=True)
def test_run_when_telegram_refuses_the_token_is_one_line(
    tmp_path: Path, refusing_api: tuple[str, list[str]]
) -> None:
    base_url, paths = refusing_api
    config = write_config(tmp_path, config_text(sqlite_url(tmp_path / "x.db"), base_url=base_url))

    result = peerlink("run", config, tmp_path)

    # Leaving webhook mode is the first call (before the handlers load): refused, it gave up.
    assert paths == [f"/bot{TOKEN}/deleteWebhook"], paths
    assert result.returncode == 2, result.stderr
    line = assert_one_line(result.stderr, "Telegram refused the token")
    assert line.startswith("Telegram refused the token"), line
    assert result.stdout == ""
    assert_no_secret(result)


@pytest.fixture
def failing_api(request: pytest.FixtureRequest) -> Iterator[tuple[str, list[str]]]:
    """A Bot API that answers getMe (and the menus post_init sets) but fails one method
    python-telegram-bot calls after post_init: ``request.param`` is (method, failure), the
    failure an HTTP status or "drop" (the connection closes without an answer). Yields its
    base URL and the methods it was asked, in order."""
    failing, failure = request.param
    methods: list[str] = []

    class Handler(BotApiHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            method = self.path.rsplit("/", 1)[-1]
            methods.append(method)
            if method == failing and failure == "drop":
                self.close_connection = True  # hang up: no status line, no body
                return
            if method == failing:
                status, payload = (
                    failure,
                    {
                        "ok": False,
                        "error_code": failure,
                        "description": "Bad Gateway" if failure == 502 else "Unauthorized",
                    },
                )
            elif method == "getMe":
                status, payload = 200, {"ok": True, "result": BOT_USER}
            elif method == "getUpdates":
                time.sleep(0.1)
                status, payload = 200, {"ok": True, "result": []}
            else:
                status, payload = 200, {"ok": True, "result": True}
            self.answer(status, payload)

    with serving(Handler) as base_url:
        yield base_url, methods


@pytest.mark.parametrize(
    "failing_api",
    [
        pytest.param(("deleteWebhook", "drop"), id="deleteWebhook-dropped"),
        pytest.param(("deleteWebhook", 502), id="deleteWebhook-502"),
        pytest.param(("getUpdates", "drop"), id="first-getUpdates-dropped"),
        pytest.param(("getUpdates", 500), id="first-getUpdates-500"),
    ],
    indirect=True,
)
def test_run_when_the_bot_api_fails_before_polling_has_begun_is_one_line(
    tmp_path: Path, failing_api: tuple[str, list[str]]
) -> None:
    """The first look (deleteWebhook, then getUpdates) comes before the handlers load and
    before getMe. A failure there is a start-up failure: one line, status 2."""
    base_url, methods = failing_api
    config = write_config(tmp_path, config_text(sqlite_url(tmp_path / "x.db"), base_url=base_url))

    result = peerlink("run", config, tmp_path)

    assert methods[0] == "deleteWebhook" and "getMe" not in methods, methods
    assert result.returncode == 2, result.stderr
    line = assert_one_line(result.stderr, f"cannot reach the Bot API at {base_url}: ")
    assert line.startswith("cannot reach the Bot API"), line
    assert result.stdout == ""
    assert_no_secret(result)


@pytest.mark.parametrize(
    "failing_api",
    [
        pytest.param(("deleteWebhook", 401), id="deleteWebhook-401"),
        pytest.param(("getUpdates", 401), id="first-getUpdates-401"),
    ],
    indirect=True,
)
def test_run_when_telegram_refuses_the_token_at_the_first_look_is_one_line(
    tmp_path: Path, failing_api: tuple[str, list[str]]
) -> None:
    base_url, _methods = failing_api
    config = write_config(tmp_path, config_text(sqlite_url(tmp_path / "x.db"), base_url=base_url))

    result = peerlink("run", config, tmp_path)

    assert result.returncode == 2, result.stderr
    line = assert_one_line(result.stderr, "Telegram refused the token")
    assert line.startswith("Telegram refused the token"), line
    assert_no_secret(result)


@pytest.mark.parametrize("token", ["123:ABC", "123456:", "not a token"])
def test_a_placeholder_or_malformed_token_is_the_missing_token_line(
    tmp_path: Path, token: str
) -> None:
    missing = write_config(
        tmp_path, config_text(sqlite_url(tmp_path / "x.db"), token=None), "missing.toml"
    )
    placeholder = write_config(
        tmp_path, config_text(sqlite_url(tmp_path / "x.db"), token=token), "placeholder.toml"
    )
    for subcommand in ("run", "check-config"):
        expected = peerlink(subcommand, missing, tmp_path)
        result = peerlink(subcommand, placeholder, tmp_path)
        assert result.returncode == expected.returncode == 2
        assert result.stderr == expected.stderr, (result.stderr, expected.stderr)
        assert_one_line(result.stderr, "configuration error: telegram.token: is required")


def test_the_log_filter_masks_secrets_in_messages_arguments_and_tracebacks() -> None:
    from bot.cli import Redactor, secrets_of
    from bot.config import parse_config

    raw = tomllib.loads(config_text("sqlite:///x.db"))
    raw["evaluation"]["pseudonym_key"] = "pseudonym-key-0123456789"
    raw["database"]["url"] = "postgresql+asyncpg://peerlink:db-password-42@db.example/peerlink"
    config = parse_config(raw, environ={})

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(Redactor(secrets_of(config)))
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        logger.error("The token `%s` was rejected by the server.", TOKEN)
        logger.warning("GET %s", f"/bot{urllib.parse.quote(TOKEN, safe='')}/getMe")
        logger.info("secret half %s, key %s", TOKEN_SECRET, "pseudonym-key-0123456789")
        try:
            raise RuntimeError(f"connect failed for {config.database.url} with {TOKEN}")
        except RuntimeError:
            logger.exception("it broke")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()

    assert "rejected by the server" in output and "it broke" in output
    assert "Traceback" in output and "RuntimeError" in output  # the traceback is still there
    for secret in (TOKEN, TOKEN_SECRET, "pseudonym-key-0123456789", "db-password-42"):
        assert secret not in output, secret
    assert output.count("***") >= 6


def test_json_logs_are_one_object_per_line_with_secrets_masked() -> None:
    from bot.cli import JsonFormatter, Redactor

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(Redactor([TOKEN]))
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.json_logs")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        logger.info("PeerLink is running as @%s (%s)", "peerlink_bot", "long polling")
        try:
            raise RuntimeError(f"refused {TOKEN}")
        except RuntimeError:
            logger.exception("it broke")
    finally:
        logger.removeHandler(handler)
    running, broke = [json.loads(line) for line in stream.getvalue().splitlines()]

    assert running["message"] == "PeerLink is running as @peerlink_bot (long polling)"
    assert (running["level"], running["logger"]) == ("INFO", "tests.json_logs")
    assert running["time"].endswith("Z") and "traceback" not in running
    assert "RuntimeError: refused ***" in broke["traceback"] and TOKEN not in broke["traceback"]


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///peerlink.db",
        "sqlite:////srv/peerlink/peerlink.db",
        "sqlite+aiosqlite:///data/x.db?timeout=5",
        "sqlite:///~/peerlink.db",
        "sqlite://",
        "sqlite:///:memory:",
        "postgresql+asyncpg://bot:secret@db:5432/peerlink",
    ],
)
def test_the_sqlite_file_is_read_from_the_url_as_sqlalchemy_reads_it(url: str) -> None:
    from sqlalchemy.engine import make_url

    from bot.cli import sqlite_file

    parsed = make_url(url)
    expected = None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        expected = Path(parsed.database).expanduser().resolve()
    assert sqlite_file(url) == expected


def test_a_database_password_is_masked_as_written_and_decoded() -> None:
    from bot.cli import secrets_of
    from bot.config import parse_config

    raw = tomllib.loads(config_text("sqlite:///x.db"))
    raw["database"]["url"] = "postgresql+asyncpg://bot:p%40ss%2Fword@db:5432/peerlink"
    found = secrets_of(parse_config(raw, environ={}))
    assert "p%40ss%2Fword" in found and "p@ss/word" in found
    raw["database"]["url"] = "postgresql+asyncpg://bot:ab/cd#ef?g@db:5432/peerlink"
    assert "ab/cd#ef?g" in secrets_of(parse_config(raw, environ={}))  # as SQLAlchemy reads it
