"""The retention job: personal data goes ``retention.after`` after someone was last involved.

Someone is erased once all of these hold: no open relationship; no relationship closed within
the period; we have not heard from them within it (``last_seen_at``, or ``updated_at`` for
someone never seen since that was recorded); they are not waiting for us (waiting, offered,
requested, matched) nor a peer worker in the pool or awaiting approval; and they do not
coordinate. Coming back restarts the clock. Erased
people are never looked at again, so running it twice changes nothing.
"""

from __future__ import annotations

from sqlalchemy import func, or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import people
from bot.deps import Deps
from bot.lifecycle import OPEN_RELATIONSHIP, PeerWorkerStatus, ServiceUserStatus
from bot.models import Coordinator, Person, Relationship
from bot.notify import Notice, Reply
from bot.privacy import erasure
from bot.privacy.service import span
from bot.texts import tn

WAITING_FOR_US = (
    ServiceUserStatus.WAITING,
    ServiceUserStatus.OFFERED,
    ServiceUserStatus.REQUESTED,
    ServiceUserStatus.MATCHED,
    # Staff in the pool, or waiting for approval, are in use however quiet they have been.
    PeerWorkerStatus.APPROVED,
    PeerWorkerStatus.PENDING_APPROVAL,
)
BATCH = 100  # per sweep, to keep one transaction short; the next sweep takes the rest


async def due(deps: Deps, session: AsyncSession) -> list[Person]:
    cutoff = deps.now() - deps.config.retention.after
    involved = or_(Relationship.status.in_(OPEN_RELATIONSHIP), Relationship.ended_at > cutoff)
    rows = await session.exec(
        select(Person)
        .where(
            Person.erased_at.is_(None),
            func.coalesce(Person.last_seen_at, Person.updated_at) <= cutoff,
            or_(Person.status.is_(None), Person.status.not_in(WAITING_FOR_US)),
            Person.id.not_in(select(Coordinator.person_id).where(Coordinator.active)),
            Person.id.not_in(select(Relationship.service_user_id).where(involved)),
            Person.id.not_in(select(Relationship.peer_worker_id).where(involved)),
        )
        .order_by(Person.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    return list(rows.all())


async def sweep(deps: Deps, session: AsyncSession) -> list[Notice]:
    """Erase everyone due; coordinators hear how many (never who)."""
    erased = await due(deps, session)
    notices: list[Notice] = []
    for person in erased:
        notices += await erasure.erase(
            deps, session, person, actor_id=None, reason=erasure.RETENTION
        )
    if erased:

        def said() -> Reply:
            after = span(deps.config.retention.after)
            return Reply(tn("coord_retention_done", len(erased), after=after))

        notices += await people.coordinator_notices(session, said)
    return notices
