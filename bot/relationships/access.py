"""Who may act on a relationship, and who is in it.

Every button and command that names a relationship goes through ``own``, so a crafted
callback naming someone else's relationship is refused in one place.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import people
from bot.lifecycle import RelationshipStatus
from bot.models import Person, Relationship

SERVICE_USER = "service_user"
PEER_WORKER = "peer_worker"
EITHER = "either"


async def own(
    session: AsyncSession,
    telegram_id: int,
    relationship_id: int,
    side: str,
    statuses: Iterable[str] = (RelationshipStatus.ACTIVE,),
) -> tuple[Person, Relationship] | None:
    """(the person, the relationship) if they are on ``side`` of it and it is in one of
    ``statuses``; None otherwise."""
    person = await people.find(session, telegram_id)
    relationship = await session.get(Relationship, relationship_id)
    if person is None or relationship is None or relationship.status not in tuple(statuses):
        return None
    members = {
        SERVICE_USER: (relationship.service_user_id,),
        PEER_WORKER: (relationship.peer_worker_id,),
        EITHER: (relationship.service_user_id, relationship.peer_worker_id),
    }[side]
    return (person, relationship) if person.id in members else None


async def pair(session: AsyncSession, relationship: Relationship) -> tuple[Person, Person]:
    """(the service user, the peer worker)."""
    return (
        await session.get(Person, relationship.service_user_id),
        await session.get(Person, relationship.peer_worker_id),
    )
