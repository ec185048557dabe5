"""What a coordinator may do to a relationship, in which state, and doing it: pause (a
review after some weeks), resume, extend, or close, each with a reason, audited.

The /pause, /resume, /extend and /close commands and the console's buttons both come here,
so the rules are written once.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.deps import Deps
from bot.lifecycle import RelationshipStatus
from bot.models import Person, Relationship
from bot.notify import Notice
from bot.relationships import closure

REASON_MAX = 300

ACTIVE, PAUSED = RelationshipStatus.ACTIVE, RelationshipStatus.PAUSED
# action -> the relationship statuses it is allowed in
RELATIONSHIP_ACTIONS: dict[str, tuple[str, ...]] = {
    "pause": (ACTIVE,),
    "resume": (PAUSED,),
    "extend": (ACTIVE, PAUSED),
    "close": (ACTIVE, PAUSED),
}
PAUSE_WEEKS = (1, 2, 4)  # the review comes after this long
EXTEND_WEEKS = (2, 4, 8)
WEEKS = {"pause": PAUSE_WEEKS, "extend": EXTEND_WEEKS}


def allowed(relationship: Relationship, action: str) -> bool:
    return relationship.status in RELATIONSHIP_ACTIONS.get(action, ())


def actions_for(relationship: Relationship) -> list[str]:
    return [action for action in RELATIONSHIP_ACTIONS if allowed(relationship, action)]


async def open_for(
    session: AsyncSession, relationship_id: int | None, action: str
) -> Relationship | None:
    """The relationship, if it exists and ``action`` is allowed in its state now."""
    if relationship_id is None:
        return None
    relationship = await session.get(Relationship, relationship_id)
    return relationship if relationship is not None and allowed(relationship, action) else None


async def perform(
    deps: Deps,
    session: AsyncSession,
    coordinator: Person,
    relationship: Relationship,
    action: str,
    reason: str,
    duration: timedelta | None = None,
) -> list[Notice] | None:
    """Pause (review after ``duration``), resume, extend (by ``duration``) or close; audited
    with the reason. None if the action is not allowed in the relationship's state."""
    if not allowed(relationship, action) or not reason:
        return None
    if action == "pause":
        if duration is None:
            return None
        return await closure.pause(deps, session, coordinator, relationship, duration, reason)
    if action == "resume":
        return await closure.resume(deps, session, coordinator, relationship, reason)
    if action == "extend":
        if duration is None:
            return None
        return await closure.extend(deps, session, coordinator, relationship, duration, reason)
    return await closure.close_and_exclude(
        deps, session, coordinator, relationship, reason, "closed"
    )


def clean_reason(text: str) -> str:
    """A coordinator's typed reason as it is kept: one line, at most ``REASON_MAX`` long."""
    return " ".join(text.split())[:REASON_MAX]
