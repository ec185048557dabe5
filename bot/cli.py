"""The ``peerlink`` command: run, migrate, check-config, export.

Whatever goes wrong, a person sees one line saying what and exit status 2 (configuration,
Telegram at start-up) or 1 (the database), never a traceback; and no line, log record or
traceback ever carries the bot token, the pseudonym key or the database password.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import sys
import traceback
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bot.config import (
    PSEUDONYM_KEY_ENV,
    TOKEN_ENV,
    Config,
    ConfigError,
    load_config,
    masked,
    require_coordinator,
)
from bot.texts import tn

log = logging.getLogger("peerlink")

MASK = "***"
# python-telegram-bot logs a failed start-up (getMe: "Bootstrap Initialize Application";
# deleteWebhook: "Bootstrap delete Webhook") with its traceback (and, for a refused token, the
# token) from its retry loop; `run` reports the failure in one line of its own instead.
_BOOTSTRAP_FAILURE = "Network Retry Loop (Bootstrap "
_NO_UPDATES = (200, b'{"ok": true, "result": []}')


def secrets_of(config: Config) -> list[str]:
    """What must never be printed: the token (whole, URL-quoted, and its secret half), the
    pseudonym key and the database password."""
    from sqlalchemy.engine import make_url

    token = config.telegram.token
    found = [token, quote(token, safe=""), token.partition(":")[2], config.evaluation.pseudonym_key]
    with contextlib.suppress(Exception):  # an unparsable URL has no password to hide
        found.append(make_url(config.database.url).password or "")
    return found


class Redactor(logging.Filter):
    """Masks secrets in every record: message, arguments, exception and stack text."""

    MIN_LENGTH = 4  # shorter strings are too common to mask, and no usable secret is so short

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = sorted(
            {secret for secret in secrets if len(secret) >= self.MIN_LENGTH}, key=len, reverse=True
        )

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001  (a malformed record: keep only its template)
            message = str(record.msg)
        if record.name.startswith("telegram.ext") and _BOOTSTRAP_FAILURE in message:
            return record.levelno < logging.ERROR  # `run` reports the failure in one line
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def _configure_logging(redactor: Redactor) -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)


def _install_excepthook(redactor: Redactor) -> None:
    """An unexpected crash still prints its traceback, with the secrets masked."""

    def hook(kind: type[BaseException], error: BaseException, tb: object) -> None:
        text = "".join(traceback.format_exception(kind, error, tb))
        sys.stderr.write(redactor.redact(text))

    sys.excepthook = hook


class DatabaseUnavailable(Exception):
    pass


class FolderUnwritable(Exception):
    pass


def _check_sqlite_folder(url: str) -> None:
    """Say plainly that a SQLite file's folder is missing, before the driver stumbles on it."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    folder = Path(parsed.database).expanduser().resolve().parent
    if not folder.is_dir():
        raise DatabaseUnavailable(f"the folder {folder} does not exist")


async def _database_state(config: Config, migrate: bool) -> tuple[str | None, str | None]:
    from bot import db

    _check_sqlite_folder(config.database.url)
    engine = db.create_engine(config.database.url)
    try:
        if migrate:
            await db.upgrade_to_head(engine)
        return await db.current_revision(engine), db.head_revision()
    finally:
        await engine.dispose()


def _database_problem(error: Exception) -> str:
    if isinstance(error, DatabaseUnavailable):
        return f"database: cannot open it: {error}"
    first_line = (str(error).splitlines() or [""])[0][:200]
    return f"database: cannot open it ({type(error).__name__}: {first_line})"


def _not_migrated(current: str | None, head: str | None, config_path: str) -> str:
    return (
        f"database is not at the latest migration ({current or 'empty'} != {head}); "
        f"run: peerlink migrate --config {config_path}"
    )


def _first_line(error: BaseException) -> str:
    return (str(error).splitlines() or [""])[0][:200] or type(error).__name__


def _first_poll_watch(base_url: str, on_begun: Callable[[], None]) -> Any:
    """The connection for getUpdates, which knows whether polling has begun: until Telegram
    first answers getUpdates, every failure (getMe, deleteWebhook or that first getUpdates)
    is a start-up failure, reported in one line. A failing first getUpdates is recorded and
    the bot is stopped (as Ctrl+C would), instead of retrying it forever."""
    from telegram.error import TelegramError
    from telegram.request import HTTPXRequest

    class FirstPollWatch(HTTPXRequest):
        def __init__(self) -> None:
            super().__init__(connection_pool_size=1)  # what ApplicationBuilder uses for it
            self.begun = False
            self.failure: str | None = None

        async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
            if self.begun:
                return await super().do_request(*args, **kwargs)
            if self.failure is not None:  # stopping: not one call more
                return _NO_UPDATES
            try:
                code, payload = await super().do_request(*args, **kwargs)
            except TelegramError as error:  # NetworkError, TimedOut
                return self._failed(f"cannot reach the Bot API at {base_url}: {_first_line(error)}")
            if code == 200:
                self.begun = True
                on_begun()
                return code, payload
            if code in (401, 404):
                return self._failed(_REFUSED)
            return self._failed(
                f"cannot reach the Bot API at {base_url}: getUpdates answered {code} "
                f"{_description(payload)}".rstrip()
            )

        def _failed(self, line: str) -> tuple[int, bytes]:
            if self.failure is None:
                self.failure = line
                asyncio.get_running_loop().call_soon(_stop)
            return _NO_UPDATES  # nothing for python-telegram-bot to log or retry

    return FirstPollWatch()


def _stop() -> None:
    raise SystemExit  # what python-telegram-bot's own stop signals do: stop and shut down


def _description(payload: bytes) -> str:
    with contextlib.suppress(ValueError, AttributeError):
        return str(json.loads(payload).get("description") or "")[:200]
    return ""


_REFUSED = (
    f"Telegram refused the token; check telegram.token (or {TOKEN_ENV}) against the "
    "one @BotFather gave you"
)


def run(config: Config, config_path: str, redactor: Redactor) -> int:
    _install_excepthook(redactor)
    try:
        current, head = asyncio.run(_database_state(config, config.database.auto_migrate))
    except Exception as error:  # noqa: BLE001  (any driver error: one clear line)
        print(redactor.redact(_database_problem(error)), file=sys.stderr)
        return 1
    if current != head:
        print(_not_migrated(current, head, config_path), file=sys.stderr)
        return 1
    from telegram.error import InvalidToken, TelegramError

    from bot.app import build_application

    _configure_logging(redactor)

    # python-telegram-bot says "Application started" before the first getUpdates, and
    # "stopping" after a failed one: until polling has begun, only `run` speaks.
    ptb_log = logging.getLogger("telegram.ext.Application")
    ptb_log.setLevel(logging.WARNING)

    def running() -> None:
        ptb_log.setLevel(logging.NOTSET)
        log.info("PeerLink is running as @%s (long polling)", application.bot.username)

    watch = _first_poll_watch(config.telegram.base_url, running)
    application = build_application(config, get_updates_request=watch)
    # Polling has begun only once Telegram answered the first getUpdates: python-telegram-bot
    # calls deleteWebhook after post_init, and a failure there is a start-up failure too.
    try:
        application.run_polling(allowed_updates=["message", "edited_message", "callback_query"])
    except InvalidToken:  # getMe (or deleteWebhook) answered 401 or 404
        if watch.begun:
            raise
        print(_REFUSED, file=sys.stderr)
        return 2
    except TelegramError as error:  # NetworkError, TimedOut, or an error answer at start-up
        if watch.begun:
            raise
        reason = redactor.redact(_first_line(error))
        print(f"cannot reach the Bot API at {config.telegram.base_url}: {reason}", file=sys.stderr)
        return 2
    if watch.failure is not None:  # the first getUpdates failed: the bot stopped itself
        print(redactor.redact(watch.failure), file=sys.stderr)
        return 2
    return 0


def migrate(config: Config, redactor: Redactor) -> int:
    try:
        current, _head = asyncio.run(_database_state(config, migrate=True))
    except Exception as error:  # noqa: BLE001
        print(redactor.redact(_database_problem(error)), file=sys.stderr)
        return 1
    print(f"database is at the latest migration ({current})")
    return 0


def check_config(config: Config) -> int:
    print(json.dumps(masked(config), indent=2, ensure_ascii=False))
    return 0


async def _export(config: Config, config_path: str, out: Path) -> tuple[str | None, int]:
    """(a refusal, or None; how many people were exported)."""
    from bot import db
    from bot.clock import system_clock
    from bot.evaluation import dataset
    from bot.evaluation import export as evaluation

    _check_sqlite_folder(config.database.url)
    engine = db.create_engine(config.database.url)
    try:
        current, head = await db.current_revision(engine), db.head_revision()
        if current != head:
            return _not_migrated(current, head, config_path), 0
        now = system_clock()
        sessions = db.session_factory(engine)
        # Short transactions only: a running bot shares this database.
        async with db.transaction(sessions) as session:
            cohort = await dataset.collect(session)
        built = evaluation.build(cohort, config, now)
        try:
            evaluation.write_to(built, out)
        except OSError as error:
            raise FolderUnwritable(f"{out}: {error.strerror or error}") from None
        async with db.transaction(sessions) as session:
            await evaluation.record(session, now, None, built.people, "peerlink export")
        return None, built.people
    finally:
        await engine.dispose()


def export(config: Config, config_path: str, out: str, redactor: Redactor) -> int:
    from bot.evaluation.pseudonyms import MIN_KEY_LENGTH, key_is_usable

    if not key_is_usable(config):
        print(
            f"configuration error: evaluation.pseudonym_key: exports need a key of at least "
            f"{MIN_KEY_LENGTH} characters; set [evaluation] pseudonym_key in {config_path} "
            f"or the environment variable {PSEUDONYM_KEY_ENV}",
            file=sys.stderr,
        )
        return 2
    folder = Path(out).expanduser().resolve()
    try:
        refusal, people = asyncio.run(_export(config, config_path, folder))
    except FolderUnwritable as error:
        print(f"export: cannot write the files to {error}", file=sys.stderr)
        return 1
    except Exception as error:  # noqa: BLE001  (any driver error: one clear line)
        print(redactor.redact(_database_problem(error)), file=sys.stderr)
        return 1
    if refusal is not None:
        print(refusal, file=sys.stderr)
        return 1
    print(f"wrote the evaluation export ({tn('export_people', people)}) to {folder}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="peerlink", description="PeerLink peer-support bot")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("run", "start the bot with long polling"),
        ("migrate", "bring the database to the latest migration"),
        ("check-config", "validate and print the effective configuration (secrets masked)"),
        ("export", "write the pseudonymised evaluation export (CSV, summary.md, charts)"),
    ):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--config", default="config.toml", help="path to the TOML configuration")
        if name == "export":
            sub.add_argument("--out", required=True, help="folder to write the files into")
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
        if args.command in ("run", "check-config"):  # migrate and export need nobody
            require_coordinator(config)
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    redactor = Redactor(secrets_of(config))
    if args.command == "run":
        return run(config, args.config, redactor)
    if args.command == "migrate":
        return migrate(config, redactor)
    if args.command == "export":
        return export(config, args.config, args.out, redactor)
    return check_config(config)


if __name__ == "__main__":
    raise SystemExit(main())
