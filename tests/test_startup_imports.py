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


CHECK_AND_REPORT = """
import json, sys
from bot.cli import _database_unusable, load_config, Redactor
config = load_config(sys.argv[1])
problem = _database_unusable(config, sys.argv[1], Redactor([]))
print(json.dumps([problem, "sqlalchemy" in sys.modules]))
"""


def test_a_migrated_sqlite_database_is_checked_before_sqlalchemy_loads(tmp_path: Path) -> None:
    """The usual start reads the migration with the standard library, so the first getUpdates
    goes out before SQLAlchemy and the models load (with the handlers, after it)."""
    database = tmp_path / "peerlink.db"
    config = tmp_path / "config.toml"
    config.write_text(config_text(sqlite_url(database), auto_migrate=False), encoding="utf-8")

    def check() -> list:
        result = subprocess.run(
            [sys.executable, "-c", CHECK_AND_REPORT, str(config)],
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(result.stdout)

    problem, loaded = check()  # no file yet: SQLAlchemy's check says what is wrong
    assert "peerlink migrate" in problem and loaded
    subprocess.run(
        [sys.executable, "-m", "bot", "migrate", "--config", str(config)],
        capture_output=True,
        check=True,
    )
    assert check() == [None, False]
