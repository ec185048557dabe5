"""One evaluation export: the cohort -> CSV files, summary.md and charts -> a zip or a folder.

``build`` is plain computation (no database, no Telegram), so callers can run it in a thread.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import lifecycle
from bot.config import Config
from bot.evaluation import charts, dataset, summary
from bot.evaluation.pseudonyms import Pseudonymiser
from bot.texts import tn

AUDIT_ACTION = "export"


@dataclass(frozen=True)
class Export:
    files: dict[str, bytes]  # file name -> content
    people: int  # service users in the cohort

    @property
    def csv_files(self) -> list[str]:
        return [name for name in self.files if name.endswith(".csv")]


def _csv(header: tuple[str, ...], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def build(cohort: dataset.Cohort, config: Config, now: datetime) -> Export:
    zone = config.tz
    questions = config.programme.outcome_questions
    pseudonyms = Pseudonymiser(config.evaluation.pseudonym_key)
    files = {
        name: _csv(header, rows)
        for name, (header, rows) in dataset.tables(cohort, pseudonyms, zone, len(questions)).items()
    }
    figures = summary.compute(cohort, zone)
    pictures = charts.render(figures)
    files["summary.md"] = summary.markdown(
        figures,
        service=config.service.name,
        generated_on=now.astimezone(zone).date(),
        timezone=config.service.timezone,
        outcome_questions=[question.said(config.service.language) for question in questions],
        charts=list(pictures),
    ).encode("utf-8")
    files.update(pictures)
    return Export(files, figures.people)


def zip_name(config: Config, now: datetime) -> str:
    return f"peerlink-evaluation-{now.astimezone(config.tz).date().isoformat()}.zip"


def to_zip(export: Export, now: datetime) -> bytes:
    buffer = io.BytesIO()
    stamp = now.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in export.files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=stamp), content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def write_to(export: Export, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in export.files.items():
        (directory / name).write_bytes(content)


async def record(
    session: AsyncSession, now: datetime, actor_id: int | None, export_people: int, via: str
) -> None:
    """Every export is in the audit log: who took one, when, and how many people it held."""
    await lifecycle.audit(
        session,
        at=now,
        actor_id=actor_id,
        action=AUDIT_ACTION,
        subject_type="evaluation",
        subject_id=None,
        reason=f"{tn('export_people', export_people)}, via {via}",
    )
