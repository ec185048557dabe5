"""Prove that a backup of PeerLink's PostgreSQL database restores, and that the bot runs on it.

1. count the source's rows per table; 2. ``pg_dump -Fc`` it to a private temporary folder;
3. create a fresh database on the same server (``--target-name``, or a generated name);
4. ``pg_restore`` into it; 5. compare tables and row counts (a live source may change after
the count: counts that differ fail only with ``--strict``); 6.-7. ``peerlink check-config``
and ``peerlink migrate`` with the configuration given, PEERLINK_DATABASE_URL pointing at the
copy; 8. smoke: ``peerlink run`` on the copy against a local fake Bot API (token and
base_url replaced, so nothing reaches Telegram): /start from someone new and /help_now must
be answered, and SIGTERM must stop it cleanly; 9. drop the copy, unless ``--keep``.
Prints JSON with each step's outcome; exit status 1 if any step failed.

Run it from a checkout with the project's venv and test extra (the fake Bot API is
tests/fake_bot_api.py), pg_dump/pg_restore at least as new as the server, a role with CREATEDB:

    .venv/bin/python deploy/restore_check.py --config /etc/peerlink/config.toml \\
        --source postgresql+asyncpg://peerlink:secret@db.example/peerlink

The source may also come from PEERLINK_RESTORE_SOURCE_URL or PEERLINK_DATABASE_URL. Its
password reaches pg_dump/pg_restore as PGPASSWORD, never on a command line or in the output.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bot/ and tests/

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.db import create_engine  # noqa: E402
from tests.fake_bot_api import TelegramRules, served  # noqa: E402

FAKE_TOKEN = "424242:restore-check-fake-token"
TIMEOUT = 60.0  # seconds for the bot to start, and for each answer


class Failed(Exception):
    """A step's failure, in one line."""


def libpq(url: str) -> tuple[str, dict[str, str]]:
    """A SQLAlchemy URL as pg_dump/pg_restore take it (no driver; asyncpg's ?ssl= is libpq's
    ?sslmode=), and the password apart, for PGPASSWORD."""
    parsed = make_url(url)
    plain = parsed.set(drivername="postgresql", password=None)
    if "ssl" in plain.query:
        plain = plain.difference_update_query(["ssl"]).update_query_dict(
            {"sslmode": parsed.query["ssl"]}
        )
    env = {"PGPASSWORD": parsed.password} if parsed.password else {}
    return plain.render_as_string(hide_password=False), env


def environment(**overrides: str) -> dict[str, str]:
    """This environment without HTTP proxies (the fake Bot API is on 127.0.0.1)."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    local = "127.0.0.1,localhost"
    return {**env, "NO_PROXY": local, "no_proxy": local, **overrides}


def command(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=3600)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["(no output)"])[-1][:300]
        raise Failed(f"{Path(args[0]).name} exited with {result.returncode}: {last}")
    return result.stdout


def peerlink() -> str:
    beside = Path(sys.executable).parent / "peerlink"
    found = str(beside) if beside.exists() else shutil.which("peerlink")
    if not found:
        raise Failed("the 'peerlink' command is not installed (pip install -e .)")
    return found


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    raise Failed(f"cannot write a {type(value).__name__} back to TOML")


def write_config(path: Path, document: dict[str, Any], **sections: dict[str, Any]) -> Path:
    """The configuration with some keys replaced: top-level values, then one [section] per
    table with everything inside it inline. Checked by reading it back."""
    document = dict(document)
    for name, values in sections.items():
        document[name] = {**document.get(name, {}), **values}
    tables = {k: v for k, v in document.items() if isinstance(v, dict)}
    lines = [f"{json.dumps(k)} = {toml_value(v)}" for k, v in document.items() if k not in tables]
    for name, table in tables.items():
        lines += ["", f"[{json.dumps(name)}]"]
        lines += [f"{json.dumps(k)} = {toml_value(v)}" for k, v in table.items()]
    body = "\n".join(lines) + "\n"
    if tomllib.loads(body) != document:
        raise Failed("the configuration did not survive being written back to TOML")
    path.write_text(body, encoding="utf-8")
    return path


async def _sql(url: str, statement: str, autocommit: bool = False) -> list[Any]:
    engine = create_engine(url, **({"isolation_level": "AUTOCOMMIT"} if autocommit else {}))
    try:
        async with engine.connect() as connection:
            result = await connection.execute(text(statement))
            return result.all() if result.returns_rows else []
    finally:
        await engine.dispose()


def sql(url: str, statement: str, autocommit: bool = False) -> list[Any]:
    return asyncio.run(_sql(url, statement, autocommit))


def row_counts(url: str) -> dict[str, int]:
    """Every table outside the system schemas, with its exact row count, in one query."""
    tables = sql(
        url,
        "SELECT schemaname, tablename FROM pg_tables WHERE schemaname NOT IN "
        "('pg_catalog', 'information_schema') ORDER BY 1, 2",
    )
    if not tables:
        return {}
    counts = " UNION ALL ".join(f'SELECT \'{s}.{t}\', count(*) FROM "{s}"."{t}"' for s, t in tables)
    return {name.removeprefix("public."): n for name, n in sql(url, counts)}


def smoke(document: dict[str, Any], target: str, work: Path) -> dict[str, Any]:
    """/start from someone new, then /help_now, through ``peerlink run`` on the copy."""
    api = TelegramRules(token=FAKE_TOKEN)
    user = random.randint(6_000_000_000, 6_999_999_999)
    while sql(target, f"SELECT 1 FROM person WHERE telegram_id = {user}"):
        user += 1
    phone = document["service"]["crisis_lines"][0]["phone"]
    log_path = work / "smoke.log"
    with served(api) as base_url, log_path.open("wb") as log:
        config = write_config(
            work / "smoke.toml",
            document,
            telegram={"token": FAKE_TOKEN, "base_url": base_url},
            database={"url": target, "auto_migrate": False},
            webhook={"enabled": False},
            pipeline={"health_port": 0},
        )
        env = environment(PEERLINK_TELEGRAM_TOKEN=FAKE_TOKEN, PEERLINK_DATABASE_URL=target)
        process = subprocess.Popen(
            [peerlink(), "run", "--config", str(config)], cwd=work, env=env, stdout=log, stderr=log
        )

        def wait(what: str, condition: Any) -> None:
            deadline = time.monotonic() + TIMEOUT
            while not condition():
                if process.poll() is not None:
                    raise Failed(f"peerlink run exited ({process.returncode}) before {what}")
                if time.monotonic() > deadline:
                    raise Failed(f"no {what} within {TIMEOUT:.0f} s")
                time.sleep(0.1)

        try:
            wait("start", lambda: b"PeerLink is running" in log_path.read_bytes())
            api.push(api.text_update(user, "/start", name="Restore check"))
            wait("answer to /start", lambda: api.to(user))
            settled = 0
            while settled != len(api.to(user)):  # all of /start's answers, before /help_now
                settled = len(api.to(user))
                time.sleep(1.0)
            api.push(api.text_update(user, "/help_now", name="Restore check"))
            answers = lambda: api.to(user)[settled:]  # noqa: E731
            wait("crisis lines for /help_now", lambda: any(phone in s.text for s in answers()))
        except Failed as error:
            tail = log_path.read_text(errors="replace").strip().splitlines()[-5:]
            raise Failed(f"{error}; the bot's log ends: {' | '.join(tail)}") from None
        finally:
            stopping = time.monotonic()
            process.send_signal(signal.SIGTERM)
            try:
                status = process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                status = "killed after 15 s"
    if status != 0:
        raise Failed(f"peerlink run did not stop cleanly on SIGTERM (status {status})")
    return {
        "user": user,
        "answers_to_start": settled,
        "answers_to_help_now": len(api.to(user)) - settled,
        "stopped_in_seconds": round(time.monotonic() - stopping, 1),
    }


def check(args: argparse.Namespace, source: str, document: dict[str, Any]) -> dict[str, Any]:
    """Every step in turn; the report."""
    name = args.target_name or f"peerlink_restore_{time.strftime('%Y%m%d_%H%M%S')}_{os.getpid()}"
    target = make_url(source).set(database=name).render_as_string(hide_password=False)
    password = make_url(source).password or ""
    pg = {tool: str(Path(args.pg_bin or "", tool)) for tool in ("pg_dump", "pg_restore")}
    work = Path(tempfile.mkdtemp(prefix="peerlink-restore-"))  # private to us (mode 0700)
    dump = work / "peerlink.dump"
    counts: dict[str, int] = {}
    steps: list[dict[str, Any]] = []

    def step(label: str, action: Any) -> None:
        """Run one step and record its outcome; after a failure only "drop" still runs."""
        if label != "drop" and not all(s["ok"] for s in steps):
            steps.append({"step": label, "ok": False, "skipped": True})
            return
        started = time.monotonic()
        try:
            outcome = {"ok": True, **(action() or {})}
        except Exception as error:  # noqa: BLE001  (every failure is reported as a step's)
            message = (str(error).splitlines() or [""])[0][:300] or type(error).__name__
            message = message.replace(password, "***") if password else message
            kind = "" if isinstance(error, Failed) else f"{type(error).__name__}: "
            outcome = {"ok": False, "error": kind + message}
        steps.append({"step": label, **outcome, "seconds": round(time.monotonic() - started, 1)})

    def count() -> dict[str, Any]:
        counts.update(row_counts(source))
        return {"tables": len(counts)}

    def pg_dump() -> dict[str, Any]:
        url, env = libpq(source)
        options = ["-Fc", "--no-password", "--file", str(dump), "--dbname", url]
        command([pg["pg_dump"], *options], environment(**env))
        return {"bytes": dump.stat().st_size}

    def pg_restore() -> None:
        url, env = libpq(target)
        options = ["--no-owner", "--no-privileges", "--exit-on-error", "--no-password"]
        command([pg["pg_restore"], *options, "--dbname", url, str(dump)], environment(**env))

    def compare() -> dict[str, Any]:
        after = row_counts(target)
        missing = sorted(set(counts) - set(after))
        if missing or not after:
            raise Failed(f"tables missing from the restored copy: {', '.join(missing) or 'all'}")
        differ = {table: [n, after[table]] for table, n in counts.items() if after[table] != n}
        if differ and args.strict:
            raise Failed(f"row counts differ (source, restored): {differ}")
        return {"row_counts": after, "changed_since_count": differ}

    def peerlink_says(subcommand: str) -> str:  # the configuration's own database.url is
        env = environment(PEERLINK_DATABASE_URL=target)  # overridden by the environment
        return command([peerlink(), subcommand, "--config", args.config], env)

    def check_config() -> dict[str, Any]:
        shown = json.loads(peerlink_says("check-config"))["database"]["url"]
        if not shown.endswith(f"/{name}"):
            raise Failed(f"check-config shows another database: {shown}")
        return {"database_url": shown}

    try:
        step("count", count)
        step("dump", pg_dump)
        step("create", lambda: sql(source, f'CREATE DATABASE "{name}"', autocommit=True))
        created = steps[-1]["ok"]
        step("restore", pg_restore)
        step("compare", compare)
        step("check-config", check_config)
        step("migrate", lambda: {"said": peerlink_says("migrate").strip()})
        step("smoke", lambda: smoke(document, target, work))
        if created and not args.keep:
            step("drop", lambda: sql(source, f'DROP DATABASE "{name}" WITH (FORCE)', True))
    finally:
        shutil.rmtree(work, ignore_errors=True)  # the dump holds personal data
    return {
        "ok": all(s["ok"] for s in steps),
        "source": make_url(source).render_as_string(hide_password=True),
        "restored_database": name,
        "kept": created and args.keep,
        "steps": steps,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", help="the database to back up (postgresql+asyncpg://...)")
    parser.add_argument("--config", default="config.toml", help="PeerLink's configuration")
    parser.add_argument("--target-name", help="the restored database's name (default: new)")
    parser.add_argument("--keep", action="store_true", help="keep the restored database")
    parser.add_argument("--strict", action="store_true", help="row counts must match exactly")
    parser.add_argument("--pg-bin", help="the folder of pg_dump and pg_restore (default: PATH)")
    args = parser.parse_args(argv)
    source = args.source or os.environ.get(
        "PEERLINK_RESTORE_SOURCE_URL", os.environ.get("PEERLINK_DATABASE_URL", "")
    )
    if not source.startswith("postgresql+asyncpg://"):
        parser.error("--source (or PEERLINK_RESTORE_SOURCE_URL): a postgresql+asyncpg:// URL")
    if args.target_name and not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", args.target_name):
        parser.error("--target-name: a-z, 0-9 and _ only, at most 63")
    try:
        with open(args.config, "rb") as handle:
            document = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        parser.error(f"--config {args.config}: {error}")
    report = check(args, source, document)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
