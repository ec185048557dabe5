"""Asking a worker to take someone on, and the worker's answer: decline (with a reason),
or no answer in time. A request is a relationship in ``requested``, holding one of the
worker's places; accepting it starts the relationship (``bot.relationships.starting``).
"""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import lifecycle, people
from bot.deps import Deps
from bot.lifecycle import PeerWorkerStatus, RelationshipStatus, ServiceUserStatus
from bot.models import PeerWorkerProfile, Person, Proposal, Relationship
from bot.notify import Notice, Reply, notice_to, saying, saying_count
from bot.offers import mapping, wording
from bot.offers.matchmaking import exclude, retry_waitlist, waitlist_entry


async def _claim_place(session: AsyncSession, worker_id: int, proposal: Proposal | None) -> bool:
    """Lock the worker's profile row and check a place is free, in this transaction: none in
    use or held by another proposal (this one's own hold is the place it takes).

    On PostgreSQL ``FOR UPDATE`` makes concurrent claims for one worker queue up, so two
    offers can never take the last place; SQLite allows one writer at a time anyway.
    """
    profile = (
        await session.exec(
            select(PeerWorkerProfile)
            .where(PeerWorkerProfile.person_id == worker_id)
            .with_for_update()
        )
    ).first()
    worker = await session.get(Person, worker_id)
    if profile is None or worker.status != PeerWorkerStatus.APPROVED:
        return False
    if not profile.taking_new_matches:
        return False
    released = [proposal.id] if proposal is not None and proposal.id is not None else []
    used = (await mapping.places_taken(session, [worker_id], released)).get(worker_id, 0)
    return used < profile.max_caseload


async def request_worker(
    deps: Deps,
    session: AsyncSession,
    person: Person,
    worker_id: int,
    proposal: Proposal | None,
    actor_id: int | None,
) -> Relationship | None:
    """Ask a worker to take someone on, holding one of their places. None if they are full."""
    if not await _claim_place(session, worker_id, proposal):
        return None
    now = deps.now()
    timeout = deps.config.matching.offer_timeout
    relationship = Relationship(  # no status yet: its first one is the transition below
        service_user_id=person.id,
        peer_worker_id=worker_id,
        proposal_id=proposal.id if proposal else None,
        created_at=now,
        updated_at=now,
        respond_by=now + timeout,
        reminder_due_at=now + timeout / 2,
    )
    session.add(relationship)
    await lifecycle.transition_relationship(
        session, relationship, RelationshipStatus.REQUESTED, at=now, actor_id=actor_id
    )
    await lifecycle.transition(
        session, person, ServiceUserStatus.REQUESTED, at=now, actor_id=actor_id
    )
    return relationship


async def open_request(
    session: AsyncSession, worker: Person, relationship_id: int
) -> Relationship | None:
    """The request, if it is still waiting for an answer from this worker."""
    relationship = await session.get(Relationship, relationship_id)
    if (
        relationship is None
        or relationship.peer_worker_id != worker.id
        or relationship.status != RelationshipStatus.REQUESTED
    ):
        return None
    return relationship


async def release(
    deps: Deps,
    session: AsyncSession,
    relationship: Relationship,
    status: str,
    actor_id: int | None,
    reason: str | None,
) -> list[Notice]:
    """A request that will not go ahead: free the place, never propose the pair again,
    tell the service user kindly, look again, and alert coordinators after repeated declines."""
    await lifecycle.transition_relationship(
        session, relationship, status, at=deps.now(), actor_id=actor_id, reason=reason
    )
    await exclude(
        deps, session, relationship.service_user_id, relationship.peer_worker_id, status, actor_id
    )
    person = await session.get(Person, relationship.service_user_id)
    await lifecycle.transition(
        session, person, ServiceUserStatus.WAITING, at=deps.now(), actor_id=actor_id, reason=status
    )
    entry = await waitlist_entry(deps, session, person.id)
    entry.declines += 1
    session.add(entry)
    await session.flush()
    notices = [await notice_to(person, saying(f"request_{status}_user"))]
    if entry.declines == deps.config.matching.declines_before_alert:
        ref = await wording.coordinator_name(session, person.id)
        alert = saying_count("coord_repeated_declines", entry.declines, ref=ref)
        notices += await people.coordinator_notices(session, alert)
    return notices + await retry_waitlist(deps, session)


async def decline(
    deps: Deps, session: AsyncSession, worker: Person, relationship_id: int
) -> tuple[list[Reply], list[Notice]]:
    relationship = await open_request(session, worker, relationship_id)
    if relationship is None:
        return [Reply(wording.t("request_stale"))], []
    profile = await session.get(PeerWorkerProfile, worker.id)
    profile.expired_in_row = 0  # they answer: any run of unanswered requests is over
    session.add(profile)
    notices = await release(
        deps, session, relationship, RelationshipStatus.DECLINED, worker.id, None
    )
    return [wording.decline_reason_prompt(relationship.id)], notices


async def record_decline_reason(
    deps: Deps, session: AsyncSession, worker: Person, relationship_id: int, reason: str
) -> bool:
    relationship = await session.get(Relationship, relationship_id)
    if relationship is None or relationship.peer_worker_id != worker.id:
        return False
    if relationship.status != RelationshipStatus.DECLINED or relationship.end_reason:
        return False
    relationship.end_reason = reason
    session.add(relationship)
    await lifecycle.audit(
        session,
        at=deps.now(),
        actor_id=worker.id,
        action="relationship.decline_reason",
        subject_type="relationship",
        subject_id=relationship.id,
        reason=reason,
    )
    return True
