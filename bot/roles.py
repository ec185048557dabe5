"""Who may become what: the one rule for every role change.

A person holds one role at a time: service user, peer worker, or coordinator (a coordinator
has no ``Person.role``; their active ``Coordinator`` row is the role). Invites, the
configuration's bootstrap list, ``/coordinators`` and approval all ask this module, and every
change it makes is audited with who made it and why.

``INVITE_RULES`` is the whole decision, written out for every (standing, invite role) pair so
that a reader, and a test, can see each case.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import lifecycle
from bot import pending as pending_questions
from bot.forms import runner
from bot.lifecycle import OPEN_RELATIONSHIP, PeerWorkerStatus, ProposalStatus, ServiceUserStatus
from bot.models import Coordinator, Invite, Person, Proposal, Relationship, Role

COORDINATOR = "coordinator"  # the invite role that makes a coordinator


class Standing(StrEnum):
    """Where someone is, as far as changing role is concerned."""

    STRANGER = "stranger"  # no role yet (or only an erased one)
    SERVICE_USER_ONBOARDING = "service_user_onboarding"
    SERVICE_USER_OPEN = "service_user_open"  # waiting, offered, asked a worker, or matched
    SERVICE_USER_IDLE = "service_user_idle"  # cancelled, declined, not now, ended, withdrawn
    WORKER_ONBOARDING = "worker_onboarding"
    WORKER_PENDING = "worker_pending"
    WORKER_WITH_CASELOAD = "worker_with_caseload"  # approved; someone asked, matched or offered
    WORKER_FREE = "worker_free"  # approved, nobody in their caseload
    WORKER_REJECTED = "worker_rejected"
    COORDINATOR = "coordinator"
    FORMER_COORDINATOR = "former_coordinator"


class Decision(StrEnum):
    GRANT = "grant"  # the invite is used and the person takes its role
    ALREADY = "already"  # they hold that role already: show them where they are
    REFUSE_OPEN_BUSINESS = "refuse_open_business"  # their current role has open business
    REFUSE_COORDINATOR = "refuse_coordinator"  # coordinators do not also become workers


_W, _C = Role.PEER_WORKER.value, COORDINATOR
INVITE_RULES: dict[tuple[Standing, str], Decision] = {
    (Standing.STRANGER, _W): Decision.GRANT,
    (Standing.STRANGER, _C): Decision.GRANT,
    # A form half filled in is no business with anyone yet: it is set aside.
    (Standing.SERVICE_USER_ONBOARDING, _W): Decision.GRANT,
    (Standing.SERVICE_USER_ONBOARDING, _C): Decision.GRANT,
    # Someone waiting for, choosing, or working with a peer keeps that support.
    (Standing.SERVICE_USER_OPEN, _W): Decision.REFUSE_OPEN_BUSINESS,
    (Standing.SERVICE_USER_OPEN, _C): Decision.REFUSE_OPEN_BUSINESS,
    (Standing.SERVICE_USER_IDLE, _W): Decision.GRANT,
    (Standing.SERVICE_USER_IDLE, _C): Decision.GRANT,
    (Standing.WORKER_ONBOARDING, _W): Decision.ALREADY,
    (Standing.WORKER_ONBOARDING, _C): Decision.GRANT,
    (Standing.WORKER_PENDING, _W): Decision.ALREADY,
    (Standing.WORKER_PENDING, _C): Decision.GRANT,
    (Standing.WORKER_WITH_CASELOAD, _W): Decision.ALREADY,
    # The people they support would lose their peer: hand the caseload over first.
    (Standing.WORKER_WITH_CASELOAD, _C): Decision.REFUSE_OPEN_BUSINESS,
    (Standing.WORKER_FREE, _W): Decision.ALREADY,
    (Standing.WORKER_FREE, _C): Decision.GRANT,
    (Standing.WORKER_REJECTED, _W): Decision.GRANT,  # a new invite is a new start
    (Standing.WORKER_REJECTED, _C): Decision.GRANT,
    (Standing.COORDINATOR, _W): Decision.REFUSE_COORDINATOR,
    (Standing.COORDINATOR, _C): Decision.ALREADY,
    (Standing.FORMER_COORDINATOR, _W): Decision.GRANT,
    (Standing.FORMER_COORDINATOR, _C): Decision.GRANT,
}

_SERVICE_USER_OPEN = (
    ServiceUserStatus.WAITING,
    ServiceUserStatus.OFFERED,
    ServiceUserStatus.REQUESTED,
    ServiceUserStatus.MATCHED,
)


def decide(standing: Standing, invite_role: str) -> Decision:
    return INVITE_RULES[(standing, invite_role)]


async def coordinator_row(session: AsyncSession, person_id: int) -> Coordinator | None:
    result = await session.exec(select(Coordinator).where(Coordinator.person_id == person_id))
    return result.first()


async def _open_caseload(session: AsyncSession, worker_id: int) -> bool:
    """Someone is asking for them, working with them, or choosing them from an offer."""
    result = await session.exec(
        select(Relationship.id).where(
            Relationship.peer_worker_id == worker_id,
            Relationship.status.in_(OPEN_RELATIONSHIP),
        )
    )
    if result.first() is not None:
        return True
    offers = await session.exec(
        select(Proposal.offered_worker_ids).where(Proposal.status == ProposalStatus.OFFERED)
    )
    return any(worker_id in offered for offered in offers.all())


async def standing_of(session: AsyncSession, person: Person) -> Standing:
    row = await coordinator_row(session, person.id)
    if row is not None and row.active:
        return Standing.COORDINATOR
    if person.role == Role.SERVICE_USER and person.status != lifecycle.ERASED:
        if person.status == ServiceUserStatus.ONBOARDING:
            return Standing.SERVICE_USER_ONBOARDING
        if person.status in _SERVICE_USER_OPEN:
            return Standing.SERVICE_USER_OPEN
        return Standing.SERVICE_USER_IDLE
    if person.role == Role.PEER_WORKER and person.status != lifecycle.ERASED:
        if person.status == PeerWorkerStatus.ONBOARDING:
            return Standing.WORKER_ONBOARDING
        if person.status == PeerWorkerStatus.PENDING_APPROVAL:
            return Standing.WORKER_PENDING
        if person.status == PeerWorkerStatus.REJECTED:
            return Standing.WORKER_REJECTED
        if await _open_caseload(session, person.id):
            return Standing.WORKER_WITH_CASELOAD
        return Standing.WORKER_FREE
    if row is not None:
        return Standing.FORMER_COORDINATOR
    return Standing.STRANGER


NOT_YET_APPROVED = (Standing.WORKER_ONBOARDING, Standing.WORKER_PENDING)


def holds_role_of(standing: Standing, invite: Invite) -> bool:
    """Does the person still hold the role this invite gave them?"""
    if invite.role == COORDINATOR:
        return standing == Standing.COORDINATOR
    return standing in (
        Standing.WORKER_ONBOARDING,
        Standing.WORKER_PENDING,
        Standing.WORKER_WITH_CASELOAD,
        Standing.WORKER_FREE,
    )


async def _drop_unfinished(session: AsyncSession, person: Person) -> None:
    """What the old role left half done, a form or an unanswered question, goes with it."""
    await runner.discard(session, person.id)
    await pending_questions.drop_any(session, person.id)


async def become_peer_worker(
    session: AsyncSession, person: Person, *, at: datetime, actor_id: int | None, why: str
) -> None:
    """Start a worker profile (the form itself is the workers capability's)."""
    await _drop_unfinished(session, person)
    if person.role == Role.PEER_WORKER:  # rejected before: a new invite is a new start
        await lifecycle.transition(
            session, person, PeerWorkerStatus.ONBOARDING, at=at, actor_id=actor_id, reason=why
        )
        return
    await lifecycle.change_role(
        session,
        person,
        Role.PEER_WORKER,
        PeerWorkerStatus.ONBOARDING,
        at=at,
        actor_id=actor_id,
        why=why,
    )


async def stop_worker_profile(
    session: AsyncSession, person: Person, *, at: datetime, actor_id: int | None, why: str
) -> None:
    """A worker not yet approved goes no further (their invite was withdrawn)."""
    await _drop_unfinished(session, person)
    await lifecycle.transition(
        session, person, PeerWorkerStatus.REJECTED, at=at, actor_id=actor_id, reason=why
    )


async def become_coordinator(
    session: AsyncSession,
    person: Person,
    *,
    source: str,
    at: datetime,
    actor_id: int | None,
    why: str,
) -> None:
    """Make someone a coordinator (from the configuration or an invite), leaving any other
    role behind."""
    await _drop_unfinished(session, person)
    if person.role is not None:  # a coordinator's role is their Coordinator row
        await lifecycle.change_role(session, person, None, None, at=at, actor_id=actor_id, why=why)
    row = await coordinator_row(session, person.id) or Coordinator(
        person_id=person.id, source=source, added_at=at
    )
    row.active, row.source, row.removed_at = True, source, None
    row.added_at, row.added_by_person_id = at, actor_id
    session.add(row)
    await lifecycle.audit(
        session,
        at=at,
        actor_id=actor_id,
        action="coordinator.added",
        subject_type="person",
        subject_id=person.id,
        reason=why,
    )


async def remove_coordinator(
    session: AsyncSession, row: Coordinator, *, at: datetime, actor_id: int | None, why: str
) -> None:
    """End someone's coordinator role (the invites they made are the caller's to revoke)."""
    row.active, row.removed_at = False, at
    session.add(row)
    await lifecycle.audit(
        session,
        at=at,
        actor_id=actor_id,
        action="coordinator.removed",
        subject_type="person",
        subject_id=row.person_id,
        reason=why,
    )
