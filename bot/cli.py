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
import re
import sys
import time
import traceback
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from bot.config import (
    PSEUDONYM_KEY_ENV,
    TOKEN_ENV,
    WEBHOOK_SECRET_ENV,
    Config,
    ConfigError,
    load_config,
    masked,
    require_coordinator,
)
from bot.schema import SCHEMA_REVISION
from bot.texts import tn

log = logging.getLogger("peerlink")

MASK = "***"


def secrets_of(config: Config) -> list[str]:
    """What must never be printed: the token (whole, URL-quoted, and its secret half), the
    pseudonym key, the webhook secret and the database password (as written in the URL and
    decoded)."""
    token = config.telegram.token
    found = [
        token,
        quote(token, safe=""),
        token.partition(":")[2],
        config.evaluation.pseudonym_key,
        config.webhook.secret_token,
    ]
    written = _URL_PASSWORD.match(config.database.url)
    if written and written["password"]:
        found += [written["password"], unquote(written["password"])]
    return found


# The password as SQLAlchemy reads a URL: anything up to the last "@" before the host, so
# "/", "#" and "?" may be in it.
_URL_PASSWORD = re.compile(r"[\w+]+://[^:/@]*:(?P<password>.*)@[^@]*$")


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (``sqlite:///relative.db``, ``sqlite:////absolute.db``, with
    any driver name), or None for another database or one in memory. Read without
    SQLAlchemy, whose import is a fifth of the start."""
    scheme, separator, rest = url.partition(":///")
    if not separator or scheme.split("+", 1)[0] != "sqlite":
        return None
    database = unquote(rest.split("?", 1)[0])
    if database in ("", ":memory:"):
        return None
    return Path(database).expanduser().resolve()


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
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for a log collector. The redactor has masked the record's
    text before it gets here."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text or record.exc_info:
            entry["traceback"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


JsonFormatter.converter = time.gmtime  # times in UTC, as the Z says


def _configure_logging(redactor: Redactor, style: str = "text") -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
        if style == "json":
            handler.setFormatter(JsonFormatter())
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
    path = sqlite_file(url)
    if path is not None and not path.parent.is_dir():
        raise DatabaseUnavailable(f"the folder {path.parent} does not exist")


async def _database_state(config: Config, migrate: bool) -> tuple[str | None, str | None]:
    from bot import db

    _check_sqlite_folder(config.database.url)
    engine = db.create_engine(config.database.url)
    try:
        current = await db.current_revision(engine)
        if migrate and current != db.head_revision():  # Alembic loads only when there is work
            await db.upgrade_to_head(engine)
            current = await db.current_revision(engine)
        return current, db.head_revision()
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


_REFUSED = (
    f"Telegram refused the token; check telegram.token (or {TOKEN_ENV}) against the "
    "one @BotFather gave you"
)


class AnotherProcess(Exception):
    pass


def _one_process_on_sqlite(url: str) -> Any:
    """SQLite serves one ``peerlink run`` at a time: a second one says so and stops, rather
    than both polling (Telegram answers one of them 409) or both handling the inbox. Returns
    the open lock file (held until the process ends), or None for PostgreSQL."""
    import fcntl

    path = sqlite_file(url)
    if path is None:
        return None
    _check_sqlite_folder(url)
    lock = (path.parent / f".{path.name}.run-lock").open("a")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lock.close()
        raise AnotherProcess(
            f"another peerlink run is already using {path}; SQLite serves one process "
            "(use PostgreSQL to run several)"
        ) from None
    return lock


def run(config: Config, config_path: str, redactor: Redactor, webhook: bool = False) -> int:
    _install_excepthook(redactor)
    try:
        lock = _one_process_on_sqlite(config.database.url)
    except AnotherProcess as error:
        print(str(error), file=sys.stderr)
        return 1
    except DatabaseUnavailable as error:
        print(redactor.redact(_database_problem(error)), file=sys.stderr)
        return 1
    try:
        problem = _database_unusable(config, config_path, redactor)
        if problem:
            print(problem, file=sys.stderr)
            return 1
        _configure_logging(redactor, config.logging.format)
        _warn_of_draft_languages(config)
        from bot.pipeline.botapi import StartupFailure, TokenRefused, first_look

        try:
            # Polling: what is waiting is fetched before the handlers load (a third of the
            # start), so the bot is receiving sooner; it is acknowledged only once stored.
            first_batch = [] if webhook else asyncio.run(first_look(_plain_bot(config)))
            from bot.app import build_application
            from bot.pipeline.runtime import serve

            application = build_application(config)
            asyncio.run(serve(application, webhook, first_batch))
        except TokenRefused:
            print(_REFUSED, file=sys.stderr)
            return 2
        except StartupFailure as error:
            print(redactor.redact(str(error)), file=sys.stderr)
            return 2
    finally:
        if lock is not None:
            lock.close()
    return 0


def _database_unusable(config: Config, config_path: str, redactor: Redactor) -> str | None:
    """Why the database cannot serve the bot (unreachable, not migrated), or None."""
    path = sqlite_file(config.database.url)
    if path is not None and _sqlite_revision(path) == SCHEMA_REVISION:
        return None  # the usual start: SQLAlchemy and the models load with the handlers
    try:
        current, head = asyncio.run(_database_state(config, config.database.auto_migrate))
    except Exception as error:  # noqa: BLE001  (any driver error: one clear line)
        return redactor.redact(_database_problem(error))
    if current != head:
        return _not_migrated(current, head, config_path)
    return None


def _sqlite_revision(path: Path) -> str | None:
    """The migration a SQLite file is at, read with the standard library; None when that
    cannot be told so (no file yet, no such table, a lock): SQLAlchemy's check then says."""
    import sqlite3

    if not path.is_file():
        return None
    try:
        with contextlib.closing(sqlite3.connect(path, timeout=0)) as connection:
            rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.Error:
        return None
    return rows[0][0] if len(rows) == 1 else None


def _plain_bot(config: Config) -> Any:
    from telegram import Bot

    return Bot(config.telegram.token, base_url=config.telegram.base_url)


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
    _warn_of_draft_languages(config)
    default = config.service.language
    for language, paths in config.missing_words().items():
        if paths:
            print(
                f"{language}: {len(paths)} configured words not given in this language (said as "
                f"in {default}, or as written once for all): {', '.join(paths)}",
                file=sys.stderr,
            )
    for language, paths in config.words_in_other_languages().items():
        print(
            f"{language}: not in service.languages, so never said: {', '.join(paths)}",
            file=sys.stderr,
        )
    return 0


def _warn_of_draft_languages(config: Config) -> None:
    from bot.languages import draft_warning

    warning = draft_warning(config)
    if warning:
        print(warning, file=sys.stderr)


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
        ("run", "start the bot (long polling, or a webhook with --webhook)"),
        ("migrate", "bring the database to the latest migration"),
        ("check-config", "validate and print the effective configuration (secrets masked)"),
        ("export", "write the pseudonymised evaluation export (CSV, summary.md, charts)"),
    ):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--config", default="config.toml", help="path to the TOML configuration")
        if name == "export":
            sub.add_argument("--out", required=True, help="folder to write the files into")
        if name == "run":
            sub.add_argument(
                "--webhook",
                action="store_true",
                help="receive updates by webhook ([webhook] in the configuration)",
            )
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
        webhook = args.webhook or config.webhook.enabled
        if webhook and not config.webhook.secret_token:
            print(
                f"configuration error: webhook.secret_token: webhook mode needs a secret (set "
                f"[webhook] secret_token or {WEBHOOK_SECRET_ENV}), so that only Telegram's "
                "requests are accepted",
                file=sys.stderr,
            )
            return 2
        return run(config, args.config, redactor, webhook)
    if args.command == "migrate":
        return migrate(config, redactor)
    if args.command == "export":
        return export(config, args.config, args.out, redactor)
    return check_config(config)


if __name__ == "__main__":
    raise SystemExit(main())
