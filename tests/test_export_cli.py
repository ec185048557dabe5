"""``peerlink export --config PATH --out DIR``: the same files as /export, written to a folder.

Run in-process through ``bot.cli.main`` (and once as the installed console script), against a
SQLite file seeded with the programme from ``tests/test_export.py``.
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import DATABASE_URL_ENV, PSEUDONYM_KEY_ENV, TOKEN_ENV
from bot.db import create_engine, upgrade_to_head
from bot.evaluation.pseudonyms import Pseudonymiser
from tests.test_cli import (
    PROCESS_TIMEOUT,
    clean_environment,
    config_text,
    peerlink_executable,
    replace_once,
    sqlite_url,
    toml_string,
    write_config,
)
from tests.test_export import KEY, Seeded, check_exported_programme, seed_programme

EXPORT_FILES = {
    "people.csv",
    "relationships.csv",
    "checkins.csv",
    "feedback.csv",
    "summary.md",
    "waiting_time.png",
    "checkin_trend.png",
}


@pytest.fixture(autouse=True)
def no_peerlink_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (TOKEN_ENV, DATABASE_URL_ENV, PSEUDONYM_KEY_ENV):
        monkeypatch.delenv(name, raising=False)


def seeded_database(path: Path) -> Seeded:
    async def build() -> Seeded:
        engine = create_engine(sqlite_url(path))
        try:
            await upgrade_to_head(engine)
            return await seed_programme(engine)
        finally:
            await engine.dispose()

    return asyncio.run(build())


def export_config(tmp_path: Path, database: Path, key: str = KEY) -> Path:
    text = config_text(sqlite_url(database), auto_migrate=False)
    text = replace_once(text, 'pseudonym_key = ""', f"pseudonym_key = {toml_string(key)}")
    return write_config(tmp_path, text)


def read_folder(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir()}


def one_line(text: str) -> str:
    lines = text.splitlines()
    assert len(lines) == 1, f"expected one line, got {text!r}"
    assert "Traceback" not in text
    return lines[0]


def test_export_writes_the_files_into_a_new_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "peerlink.db"
    seeded = seeded_database(database)
    config = export_config(tmp_path, database)
    out = tmp_path / "exports" / "2026-03"

    status = main(["export", "--config", str(config), "--out", str(out)])

    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert captured.err == ""
    assert one_line(captured.out) == f"wrote the evaluation export (4 people) to {out}"
    files = read_folder(out)
    assert set(files) == EXPORT_FILES
    # The same pseudonyms as /export with the same key, and the same checks of every file.
    check_exported_programme(files, seeded, Pseudonymiser(KEY))
    with sqlite3.connect(database) as connection:
        audits = connection.execute(
            "SELECT actor_person_id, reason FROM audit_log WHERE action = 'export'"
        ).fetchall()
    assert audits == [(None, "4 people, via peerlink export")]

    # Again into the same folder: the files are replaced, the pseudonyms unchanged.
    assert main(["export", "--config", str(config), "--out", str(out)]) == 0
    again = read_folder(out)
    for name in ("people.csv", "relationships.csv", "checkins.csv", "feedback.csv"):
        assert again[name] == files[name]


def test_the_console_script_takes_the_key_from_the_environment(tmp_path: Path) -> None:
    database = tmp_path / "peerlink.db"
    seeded = seeded_database(database)
    config = export_config(tmp_path, database, key="")
    out = tmp_path / "out"

    result = subprocess.run(
        [peerlink_executable(), "export", "--config", str(config), "--out", str(out)],
        cwd=tmp_path,
        env=clean_environment(**{PSEUDONYM_KEY_ENV: KEY}),
        capture_output=True,
        text=True,
        timeout=PROCESS_TIMEOUT,
    )

    assert result.returncode == 0, result.stderr
    assert "4 people" in one_line(result.stdout) and str(out) in result.stdout
    check_exported_programme(read_folder(out), seeded, Pseudonymiser(KEY))
    assert KEY not in result.stdout + result.stderr


@pytest.mark.parametrize("key", ["", "short-key-15chr"])
def test_export_refuses_without_a_usable_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str
) -> None:
    database = tmp_path / "peerlink.db"
    seeded_database(database)
    config = export_config(tmp_path, database, key=key)
    out = tmp_path / "out"

    status = main(["export", "--config", str(config), "--out", str(out)])

    captured = capsys.readouterr()
    assert status == 2
    line = one_line(captured.err)
    assert line.startswith("configuration error: evaluation.pseudonym_key")
    assert "[evaluation] pseudonym_key" in line and PSEUDONYM_KEY_ENV in line
    assert captured.out == ""
    assert not out.exists()


def test_a_configuration_error_is_one_line_and_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = config_text(sqlite_url(tmp_path / "x.db"))
    config = write_config(tmp_path, replace_once(text, 'valid_for = "7d"', "valid_for = 5"))

    status = main(["export", "--config", str(config), "--out", str(tmp_path / "out")])

    captured = capsys.readouterr()
    assert status == 2
    assert one_line(captured.err).startswith("configuration error: invites.valid_for")
    assert not (tmp_path / "out").exists() and not (tmp_path / "x.db").exists()


def test_an_unmigrated_database_gets_the_same_refusal_as_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = export_config(tmp_path, tmp_path / "empty.db")

    exported = main(["export", "--config", str(config), "--out", str(tmp_path / "out")])
    export_err = capsys.readouterr().err
    ran = main(["run", "--config", str(config)])
    run_err = capsys.readouterr().err

    assert exported == ran == 1
    assert one_line(export_err) == one_line(run_err)
    assert "peerlink migrate" in export_err
    assert not (tmp_path / "out").exists()


def test_an_unwritable_folder_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "peerlink.db"
    seeded_database(database)
    config = export_config(tmp_path, database)
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("not a folder")

    status = main(["export", "--config", str(config), "--out", str(in_the_way)])

    captured = capsys.readouterr()
    assert status == 1
    assert str(in_the_way) in one_line(captured.err)
    with sqlite3.connect(database) as connection:
        assert connection.execute(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'export'"
        ).fetchone() == (0,)
