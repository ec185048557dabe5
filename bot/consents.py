"""What each person has consented to right now.

Every answer is kept as its own ``ConsentRecord`` (with the text version shown); the latest
answer of each kind counts, and a withdrawn one counts as "no".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import ConsentKind, ConsentRecord, Person
from bot.texts import consent_text_version


def record_answer(
    session: AsyncSession, person: Person, kind: str, agreed: bool, at: datetime
) -> None:
    """Keep an answer, with the version of the wording the person was shown."""
    session.add(
        ConsentRecord(
            person_id=person.id,
            kind=kind,
            agreed=agreed,
            text_version=consent_text_version(person.language),
            recorded_at=at,
        )
    )


def _in_force(record: ConsentRecord) -> bool:
    return record.agreed and record.withdrawn_at is None


async def current(session: AsyncSession, person_id: int) -> dict[str, bool]:
    """kind -> consent in force, for every kind this person has answered."""
    records = await session.exec(
        select(ConsentRecord)
        .where(ConsentRecord.person_id == person_id)
        .order_by(ConsentRecord.recorded_at, ConsentRecord.id)
    )
    latest = {record.kind: record for record in records.all()}
    return {kind: _in_force(record) for kind, record in latest.items()}


async def has(session: AsyncSession, person_id: int, kind: ConsentKind) -> bool:
    return (await current(session, person_id)).get(kind, False)


async def consenting(
    session: AsyncSession, kind: ConsentKind, person_ids: Iterable[int] | None = None
) -> set[int]:
    """The people (optionally among ``person_ids``) whose consent of ``kind`` is in force."""
    query = (
        select(ConsentRecord)
        .where(ConsentRecord.kind == kind)
        .order_by(ConsentRecord.recorded_at, ConsentRecord.id)
    )
    if person_ids is not None:
        query = query.where(ConsentRecord.person_id.in_(list(person_ids)))
    latest = {record.person_id: record for record in (await session.exec(query)).all()}
    return {person_id for person_id, record in latest.items() if _in_force(record)}
