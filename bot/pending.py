"""Free text we have asked someone for: one question at a time per person.

A new question replaces an unanswered one, so asking never fails on a leftover.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import PendingInput


async def ask(
    session: AsyncSession,
    person_id: int,
    kind: str,
    subject_id: int,
    now: datetime,
    payload: dict[str, Any] | None = None,
) -> PendingInput:
    pending = await session.get(PendingInput, person_id) or PendingInput(
        person_id=person_id, kind=kind, subject_id=subject_id
    )
    pending.kind, pending.subject_id, pending.created_at = kind, subject_id, now
    pending.payload = payload or {}
    session.add(pending)
    return pending


async def drop(session: AsyncSession, person_id: int, kinds: tuple[str, ...]) -> None:
    """Forget an unanswered question of one of these kinds (its subject has gone)."""
    pending = await session.get(PendingInput, person_id)
    if pending is not None and pending.kind in kinds:
        await session.delete(pending)


async def drop_any(session: AsyncSession, person_id: int) -> None:
    """Forget whatever question was waiting (the person is leaving the role it belonged to)."""
    pending = await session.get(PendingInput, person_id)
    if pending is not None:
        await session.delete(pending)
