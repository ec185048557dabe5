"""deploy/restore_check.py against a real PostgreSQL: a seeded database is dumped, restored
into a fresh database and run there (``peerlink run`` against the fake Bot API)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.admin import service as admin
from bot.db import create_engine, session_factory, transaction, upgrade_to_head
from bot.deps import Deps
from tests import factories
from tests.conftest import PG_URL, make_config
from tests.test_cli import clean_environment, config_text, write_config
from tests.test_pipeline_process import _drop_pg_database, database

SCRIPT = Path(__file__).resolve().parent.parent / "deploy" / "restore_check.py"
SERVICE_USER, PEER_WORKER = 81_001, 91_001
STEPS = ["count", "dump", "create", "restore", "compare", "check-config", "migrate", "smoke"]


async def _seed(url: str) -> None:
    """Migrated, plus a service user and a peer worker in an active relationship."""
    engine = create_engine(url)
    await upgrade_to_head(engine)
    deps = Deps(config=make_config(url), sessions=session_factory(engine))
    now = datetime.now(UTC)
    async with transaction(deps.sessions) as session:
        await admin.sync_reference_data(deps, session)  # the taxonomy, as at start-up
        user = await factories.service_user(
            session, telegram_id=SERVICE_USER, status="matched", at=now
        )
        worker = await factories.peer_worker(session, telegram_id=PEER_WORKER, at=now)
        await factories.relationship(session, user=user, worker=worker, at=now)
    await engine.dispose()


async def _people(url: str) -> set[int]:
    engine = create_engine(url)
    async with engine.connect() as connection:
        rows = await connection.execute(text("SELECT telegram_id FROM person"))
        people = set(rows.scalars())
    await engine.dispose()
    return people


@pytest.mark.skipif(not PG_URL, reason="PEERLINK_TEST_DATABASE_URL is not set")
def test_a_backup_restores_into_a_fresh_database_where_the_bot_answers(tmp_path: Path) -> None:
    with database("postgresql", tmp_path) as url:
        asyncio.run(_seed(url))
        config = write_config(tmp_path, config_text(url, auto_migrate=False))
        restored = f"t_restored_{uuid.uuid4().hex[:12]}"
        try:
            result = subprocess.run(
                [sys.executable, str(SCRIPT), "--source", url, "--config", str(config)]
                + ["--target-name", restored, "--keep", "--strict"],
                env=clean_environment(),
                capture_output=True,
                text=True,
                timeout=180,
            )
            assert result.returncode == 0, result.stdout + result.stderr
            report = json.loads(result.stdout)
            people = asyncio.run(
                _people(make_url(url).set(database=restored).render_as_string(False))
            )
        finally:
            asyncio.run(_drop_pg_database(restored))

    assert report["ok"] is True
    assert report["restored_database"] == restored and report["kept"] is True
    steps = {step["step"]: step for step in report["steps"]}
    assert list(steps) == STEPS  # and no "drop": --keep
    assert all(step["ok"] for step in steps.values()), report
    counts = steps["compare"]["row_counts"]
    assert counts["person"] >= 2 and counts["relationship"] == 1, counts
    assert steps["compare"]["changed_since_count"] == {}
    assert steps["check-config"]["database_url"].endswith(f"/{restored}")
    smoke = steps["smoke"]
    assert smoke["answers_to_start"] >= 1 and smoke["answers_to_help_now"] >= 1, smoke
    # The seeded rows are in the copy, and so is the person the smoke conversation added.
    assert {SERVICE_USER, PEER_WORKER, smoke["user"]} <= people, people
