"""Leaving matching and peer support: what happens to someone's open relationships,
requests, offers and waitlist place when they stop (consent withdrawn, data erased, or a
change of role), and to the people left waiting on them."""

from __future__ import annotations

from sqlalchemy import or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import lifecycle
from bot.deps import Deps
from bot.lifecycle import OPEN_PROPOSAL, OPEN_RELATIONSHIP, RelationshipStatus, ServiceUserStatus
from bot.models import PeerWorkerProfile, Person, Proposal, Relationship, Role, WaitlistEntry
from bot.notify import Notice, notice_to, saying
from bot.offers import matchmaking
from bot.offers.matchmaking import OFFERED, SUPERSEDED
from bot.relationships import access, closure
from bot.texts.fragments import person_ref

WORKER_LEFT = "peer worker left"


def _either_side(person: Person):
    return or_(Relationship.service_user_id == person.id, Relationship.peer_worker_id == person.id)


async def open_relationships(session: AsyncSession, person: Person) -> list[Relationship]:
    rows = await session.exec(
        select(Relationship)
        .where(
            _either_side(person),
            Relationship.status.in_(OPEN_RELATIONSHIP),
        )
        .order_by(Relationship.id)
    )
    return list(rows.all())


async def leave(
    deps: Deps, session: AsyncSession, person: Person, *, actor_id: int | None, reason: str
) -> list[Notice]:
    """End someone's part in matching and peer support: open relationships and requests, an
    open offer, their place on the waitlist; a worker is offered to nobody from now on.
    Returns the notices for other people."""
    notices: list[Notice] = []
    if person.role == Role.PEER_WORKER:
        profile = await session.get(PeerWorkerProfile, person.id)
        if profile is not None:  # first, so no place freed below is offered back to them
            profile.taking_new_matches = False
            session.add(profile)
            await session.flush()
        notices += await _drop_from_proposals(deps, session, person.id)
    for relationship in await open_relationships(session, person):
        if relationship.status == RelationshipStatus.REQUESTED:
            notices += await _end_request(deps, session, relationship, person, actor_id, reason)
            continue
        side = "service_user" if person.id == relationship.service_user_id else "peer_worker"
        notices += await closure.close(
            deps,
            session,
            relationship,
            ended_by=side,
            actor_id=actor_id,
            reason=reason,
            leaving_id=person.id,
        )
    released = False
    if person.role == Role.SERVICE_USER:
        proposal = await matchmaking.open_proposal(session, person.id)
        held = await matchmaking.held_card(session, person.id)
        for card in (proposal, held):
            if card is not None:
                await lifecycle.transition_proposal(
                    session, card, SUPERSEDED, at=deps.now(), actor_id=actor_id
                )
        released = proposal is not None
        entry = await session.get(WaitlistEntry, person.id)
        if entry is not None:
            await session.delete(entry)
    await session.flush()
    if released:  # the places their card or offer held go to someone waiting
        notices += await matchmaking.retry_waitlist(deps, session)
    return notices


async def _end_request(
    deps: Deps,
    session: AsyncSession,
    relationship: Relationship,
    leaving: Person,
    actor_id: int | None,
    reason: str,
) -> list[Notice]:
    """A request the worker has not answered yet. If the service user leaves, the worker is
    told it was withdrawn; if the worker leaves, the service user is looked for again, as
    after a decline."""
    now = deps.now()
    user, worker = await access.pair(session, relationship)
    if leaving.id == user.id:
        await lifecycle.transition_relationship(
            session,
            relationship,
            RelationshipStatus.WITHDRAWN,
            at=now,
            actor_id=actor_id,
            reason=reason,
        )
        # (never matched: only the pseudonym)
        told = await notice_to(worker, saying("request_withdrawn_worker", ref=person_ref(user.id)))
        return [told, *await matchmaking.retry_waitlist(deps, session)]
    await lifecycle.transition_relationship(
        session, relationship, RelationshipStatus.DECLINED, at=now, actor_id=actor_id, reason=reason
    )
    await lifecycle.transition(
        session, user, ServiceUserStatus.WAITING, at=now, actor_id=None, reason=WORKER_LEFT
    )
    told = await notice_to(user, saying("request_worker_left_user"))
    return [told, *await matchmaking.start_waiting(deps, session, user)]


async def _drop_from_proposals(deps: Deps, session: AsyncSession, worker_id: int) -> list[Notice]:
    """A leaving worker comes out of open proposals (someone left with nobody is looked for
    again); past proposals keep that they were proposed, not what they shared."""
    notices: list[Notice] = []
    for proposal in (await session.exec(select(Proposal).order_by(Proposal.id))).all():
        named = [c for c in proposal.candidates if c.get("worker_id") == worker_id]
        if not named and worker_id not in proposal.offered_worker_ids:
            continue
        if proposal.status not in OPEN_PROPOSAL:
            proposal.candidates = [
                {**c, "reasons": [], "components": {}} if c in named else c
                for c in proposal.candidates
            ]
            session.add(proposal)
            continue
        proposal.candidates = [c for c in proposal.candidates if c not in named]
        proposal.offered_worker_ids = [i for i in proposal.offered_worker_ids if i != worker_id]
        session.add(proposal)
        offered = proposal.status == OFFERED
        if proposal.offered_worker_ids if offered else proposal.candidates:
            continue
        await lifecycle.transition_proposal(
            session, proposal, SUPERSEDED, at=deps.now(), actor_id=None, reason=WORKER_LEFT
        )
        user = await session.get(Person, proposal.service_user_id)
        if user.status == ServiceUserStatus.OFFERED:
            await lifecycle.transition(
                session,
                user,
                ServiceUserStatus.WAITING,
                at=deps.now(),
                actor_id=None,
                reason=WORKER_LEFT,
            )
            notices.append(await notice_to(user, saying("offer_worker_left_user")))
        await session.flush()
        notices += await matchmaking.find_match(deps, session, user)
    return notices
