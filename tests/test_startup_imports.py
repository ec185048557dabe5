"""What the bot loads to start: NumPy and SciPy (matching), Alembic (migrations) and the
web server (webhook mode, /healthz) only when they are used, which keeps a start quick and
an idle process small (bench/startup.py measures both)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.test_cli import config_text, sqlite_url

LOADED_ON_USE = ("numpy", "scipy", "alembic", "uvicorn", "starlette")

START_AND_REPORT = """
import json, sys
from bot.cli import load_config
from bot.app import build_application
import bot.pipeline.runtime
build_application(load_config(sys.argv[1]))
print(json.dumps(sorted(name for name in {names} if name in sys.modules)))
import matching
matching.OfferPool  # the first use of the engine
print(json.dumps(sorted(name for name in {names} if name in sys.modules)))
"""


def test_the_bot_builds_without_loading_what_only_some_uses_need(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(config_text(sqlite_url(tmp_path / "peerlink.db")), encoding="utf-8")
    script = START_AND_REPORT.format(names=LOADED_ON_USE)
    result = subprocess.run(
        [sys.executable, "-c", script, str(config)], capture_output=True, text=True, check=True
    )
    at_start, after_matching = (json.loads(line) for line in result.stdout.splitlines())

    assert at_start == []
    assert after_matching == ["numpy", "scipy"]
