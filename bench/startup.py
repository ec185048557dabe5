"""How long ``peerlink run`` takes to start, and how much memory it holds when idle, against a
bare python-telegram-bot bot started the same way (the anchor).

    python -m bench.startup --runs 5

Each run starts a process (a migrated SQLite database, long polling, a local Bot API double
from bench/fanout.py) and measures from the moment it is started to its first getUpdates,
then its resident memory (VmRSS) after a second and a half of idling. The anchor is an
Application from python-telegram-bot with one echo handler and ``run_polling``, measured the
same way in the same run. Issue 12 targets at most 0.6 s and 90 MB for the bot (measured
before it: 1.09 s and 133 MB, against the bare library's 42 MB); the ratios to the anchor are
what to compare between machines. Byte-compiled files are written first, as an installation
does, so no run pays for compiling the sources.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path

from bench.fanout import TOKEN, FakeTelegram, serve
from bot.db import create_engine, upgrade_to_head

ROOT = Path(__file__).resolve().parent.parent
IDLE = 1.5  # seconds before memory is read

BARE_BOT = textwrap.dedent(
    """
    import sys
    from telegram.ext import ApplicationBuilder, MessageHandler, filters

    async def echo(update, context):
        await update.effective_message.reply_text(update.effective_message.text)

    application = ApplicationBuilder().token(sys.argv[1]).base_url(sys.argv[2]).build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling()
    """
)


def _config(database: Path, base_url: str) -> str:
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    replacements = {
        '\ntoken = ""\n': f'\ntoken = "{TOKEN}"\n',
        "telegram_ids = []": "telegram_ids = [111111111]",
        'base_url = "https://api.telegram.org/bot"': f'base_url = "{base_url}"',
        'url = "sqlite:///peerlink.db"': f'url = "sqlite:///{database}"',
    }
    for old, new in replacements.items():
        if text.count(old) != 1:
            raise SystemExit(f"config.example.toml no longer has {old.strip()!r} once")
        text = text.replace(old, new)
    return text


def _rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return round(int(status.split("VmRSS:")[1].split()[0]) / 1024, 1)


def _one_start(command: list[str], api: FakeTelegram, workdir: Path) -> tuple[float, float]:
    """(seconds to the first getUpdates, MB resident after idling)."""
    with api.lock:
        api.methods.clear()
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("PEERLINK_") and not name.lower().endswith("_proxy")
    }
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=workdir, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        while not api.methods["getUpdates"]:
            if process.poll() is not None:
                raise SystemExit(f"{command[0]} stopped: {process.stderr.read().decode()[-500:]}")
            if time.monotonic() - started > 30:
                raise SystemExit(f"{command[0]} did not poll within 30 s")
            time.sleep(0.002)
        seconds = time.monotonic() - started
        time.sleep(IDLE)
        return seconds, _rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=15)


def run(runs: int) -> dict:
    compileall.compile_dir(ROOT / "bot", quiet=1)
    compileall.compile_dir(ROOT / "matching", quiet=1)
    peerlink = str(Path(sys.executable).parent / "peerlink")
    api = FakeTelegram(TOKEN)
    with tempfile.TemporaryDirectory(prefix="peerlink-startup-") as folder, serve(api) as base:
        workdir = Path(folder)
        database = workdir / "peerlink.db"
        engine = create_engine(f"sqlite:///{database}")
        asyncio.run(upgrade_to_head(engine))
        asyncio.run(engine.dispose())
        (workdir / "config.toml").write_text(_config(database, base), encoding="utf-8")
        (workdir / "bare.py").write_text(BARE_BOT, encoding="utf-8")
        bot_command = [peerlink, "run", "--config", str(workdir / "config.toml")]
        bare_command = [sys.executable, str(workdir / "bare.py"), TOKEN, base]
        bot, bare = [], []
        for _ in range(runs):  # alternated, so that a slow moment of the machine hits both
            bot.append(_one_start(bot_command, api, workdir))
            bare.append(_one_start(bare_command, api, workdir))

    def summary(starts: list[tuple[float, float]]) -> dict:
        return {
            "seconds_to_first_get_updates": round(statistics.median(s for s, _ in starts), 3),
            "idle_rss_mb": statistics.median(m for _, m in starts),
        }

    ours, anchor = summary(bot), summary(bare)
    return {
        "runs": runs,
        "bot": ours,
        "bare_python_telegram_bot": anchor,
        "start_ratio_to_bare": round(
            ours["seconds_to_first_get_updates"] / anchor["seconds_to_first_get_updates"], 2
        ),
        "rss_ratio_to_bare": round(ours["idle_rss_mb"] / anchor["idle_rss_mb"], 2),
        "targets": {"seconds_to_first_get_updates": 0.6, "idle_rss_mb": 90},
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.runs), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
