"""What both profile forms (a service user's, a peer worker's) keep beside the profile itself:
the person's lived-experience areas, languages and weekly availability, replaced when a form
is confirmed and read back so that an edit starts from what they told us; and how an edit of
a finished profile ends."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import lifecycle
from bot.availability import cells_to_slots, slots_to_cells
from bot.config import Config
from bot.models import AvailabilitySlot, Person, PersonLanguage, PersonLivedExperience
from bot.notify import Reply, Response
from bot.texts import Markup


async def replace_details(
    config: Config,
    session: AsyncSession,
    person_id: int,
    areas: Iterable[str],
    languages: Iterable[str] | None,
    cells: Iterable[str] | None,
) -> None:
    """Replace the person's lived-experience areas, languages and availability (grid cells;
    None, a question left unanswered, as none)."""
    for table in (PersonLivedExperience, PersonLanguage, AvailabilitySlot):
        await session.exec(delete(table).where(table.person_id == person_id))
    session.add_all(PersonLivedExperience(person_id=person_id, area_key=key) for key in areas)
    session.add_all(PersonLanguage(person_id=person_id, language=key) for key in languages or [])
    session.add_all(
        AvailabilitySlot(person_id=person_id, weekday=day, start_minute=start, end_minute=end)
        for day, start, end in cells_to_slots(config, cells or [])
    )


async def area_keys(session: AsyncSession, person_id: int) -> list[str]:
    rows = await session.exec(
        select(PersonLivedExperience.area_key).where(PersonLivedExperience.person_id == person_id)
    )
    return list(rows.all())


async def language_keys(session: AsyncSession, person_id: int) -> list[str]:
    rows = await session.exec(
        select(PersonLanguage.language).where(PersonLanguage.person_id == person_id)
    )
    return list(rows.all())


async def availability_cells(config: Config, session: AsyncSession, person_id: int) -> list[str]:
    slots = (
        await session.exec(select(AvailabilitySlot).where(AvailabilitySlot.person_id == person_id))
    ).all()
    return slots_to_cells(
        config, [(slot.weekday, slot.start_minute, slot.end_minute) for slot in slots]
    )


async def edit_saved(
    session: AsyncSession, person: Person, at: datetime, *, action: str, saved: Markup
) -> Response:
    """A finished profile changed through its form: audited as ``action``, and the person
    told so (``saved``)."""
    await lifecycle.audit(
        session,
        at=at,
        actor_id=person.id,
        action=action,
        subject_type="person",
        subject_id=person.id,
    )
    return Response(close_tapped=True, replies=[Reply(saved)])
