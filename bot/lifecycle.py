"""The state machine: statuses, the transitions allowed between them, and the audit trail.

No other code writes a status column (tests/test_status_writes.py checks). Every change goes
through ``transition`` (people), ``transition_relationship``, ``transition_proposal`` or
``transition_checkin``, which refuse a move that is not allowed and record who made it and why
(check-ins excepted: validated, not audited). Creating a row is its first move, from no status.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import AuditLog, Checkin, Person, Proposal, Relationship, Role


class ServiceUserStatus(StrEnum):
    ONBOARDING = "onboarding"
    DECLINED_CONSENT = "declined_consent"  # said no to a required consent; nothing else held
    CANCELLED = "cancelled"  # stopped onboarding; answers discarded
    WAITING = "waiting"  # waiting for a peer
    OFFERED = "offered"  # choosing among offered peer workers
    REQUESTED = "requested"  # chose one; waiting for the worker to accept
    MATCHED = "matched"  # in an active relationship
    NOT_NOW = "not_now"  # asked us to stop looking for now
    ENDED = "ended"  # their relationship has ended; they can ask for a new peer
    CONSENT_WITHDRAWN = "consent_withdrawn"  # withdrew matching or contact; /start to come back
    ERASED = "erased"  # personal data erased (/delete or retention)


class RelationshipStatus(StrEnum):
    REQUESTED = "requested"  # the worker has been asked (holds a place in their caseload)
    ACTIVE = "active"
    PAUSED = "paused"  # e.g. a hospital stay: no check-ins, the end date moves on resume
    DECLINED = "declined"  # the worker said no
    EXPIRED = "expired"  # the worker did not answer in time
    WITHDRAWN = "withdrawn"  # the service user changed their mind before an answer
    ENDED_EARLY = "ended_early"
    COMPLETED = "completed"  # reached its planned end


OPEN_RELATIONSHIP = (
    RelationshipStatus.REQUESTED,
    RelationshipStatus.ACTIVE,
    RelationshipStatus.PAUSED,
)

RELATIONSHIP_TRANSITIONS: dict[str | None, set[str]] = {
    None: {RelationshipStatus.REQUESTED, RelationshipStatus.ACTIVE},
    RelationshipStatus.REQUESTED: {
        RelationshipStatus.ACTIVE,
        RelationshipStatus.DECLINED,
        RelationshipStatus.EXPIRED,
        RelationshipStatus.WITHDRAWN,
    },
    RelationshipStatus.ACTIVE: {
        RelationshipStatus.ENDED_EARLY,
        RelationshipStatus.COMPLETED,
        RelationshipStatus.PAUSED,
    },
    RelationshipStatus.PAUSED: {RelationshipStatus.ACTIVE, RelationshipStatus.ENDED_EARLY},
}


class ProposalStatus(StrEnum):
    REVIEW = "review"  # waiting for a coordinator
    OFFERED = "offered"  # the service user is choosing among the offered workers
    CHOSEN = "chosen"
    NONE_SUITABLE = "none_suitable"
    NOT_NOW = "not_now"
    HELD = "held"
    SUPERSEDED = "superseded"


OPEN_PROPOSAL = (ProposalStatus.REVIEW, ProposalStatus.OFFERED)

PROPOSAL_TRANSITIONS: dict[str | None, set[str]] = {
    None: {ProposalStatus.REVIEW},
    ProposalStatus.REVIEW: {
        ProposalStatus.OFFERED,
        ProposalStatus.HELD,
        ProposalStatus.SUPERSEDED,  # the service user moved on, or a coordinator matched by hand
    },
    ProposalStatus.OFFERED: {
        ProposalStatus.CHOSEN,
        ProposalStatus.NONE_SUITABLE,  # they said none of these, or every offered worker filled up
        ProposalStatus.NOT_NOW,
        ProposalStatus.SUPERSEDED,
    },
    # A hold keeps the person from new proposals until a coordinator releases it: by looking
    # for peers for them again, or matching them by hand.
    ProposalStatus.HELD: {ProposalStatus.SUPERSEDED},
}


class CheckinStatus(StrEnum):
    SENT = "sent"  # asked; waiting for an answer
    SKIPPED = "skipped"  # came due during downtime and was not sent late
    MISSED = "missed"  # not answered in time (an answer may still come)
    ANSWERED = "answered"


CHECKIN_TRANSITIONS: dict[str | None, set[str]] = {
    None: {CheckinStatus.SENT, CheckinStatus.SKIPPED},
    CheckinStatus.SENT: {CheckinStatus.ANSWERED, CheckinStatus.MISSED},
    CheckinStatus.MISSED: {CheckinStatus.ANSWERED},
}


class PeerWorkerStatus(StrEnum):
    ONBOARDING = "onboarding"
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    REJECTED = "rejected"
    ERASED = "erased"  # personal data erased (/delete or retention)


_ALLOWED: dict[Role, dict[str | None, set[str]]] = {
    Role.SERVICE_USER: {
        None: {ServiceUserStatus.ONBOARDING},
        ServiceUserStatus.ONBOARDING: {
            ServiceUserStatus.WAITING,
            ServiceUserStatus.DECLINED_CONSENT,
            ServiceUserStatus.CANCELLED,
        },
        ServiceUserStatus.DECLINED_CONSENT: {ServiceUserStatus.ONBOARDING},
        ServiceUserStatus.CANCELLED: {ServiceUserStatus.ONBOARDING},
        ServiceUserStatus.WAITING: {
            ServiceUserStatus.OFFERED,
            ServiceUserStatus.REQUESTED,
            ServiceUserStatus.NOT_NOW,
        },
        ServiceUserStatus.OFFERED: {
            ServiceUserStatus.REQUESTED,
            ServiceUserStatus.WAITING,
            ServiceUserStatus.NOT_NOW,
        },
        ServiceUserStatus.REQUESTED: {ServiceUserStatus.MATCHED, ServiceUserStatus.WAITING},
        ServiceUserStatus.MATCHED: {ServiceUserStatus.WAITING, ServiceUserStatus.ENDED},
        ServiceUserStatus.ENDED: {ServiceUserStatus.WAITING},
        ServiceUserStatus.NOT_NOW: {ServiceUserStatus.WAITING},
        ServiceUserStatus.CONSENT_WITHDRAWN: {ServiceUserStatus.ONBOARDING},
    },
    Role.PEER_WORKER: {
        None: {PeerWorkerStatus.ONBOARDING},
        # Rejected from onboarding: the invite they joined with was withdrawn.
        PeerWorkerStatus.ONBOARDING: {PeerWorkerStatus.PENDING_APPROVAL, PeerWorkerStatus.REJECTED},
        PeerWorkerStatus.PENDING_APPROVAL: {PeerWorkerStatus.APPROVED, PeerWorkerStatus.REJECTED},
        PeerWorkerStatus.REJECTED: {PeerWorkerStatus.ONBOARDING},
        PeerWorkerStatus.APPROVED: set(),
    },
}


# A service user who has finished onboarding and is in matching: waiting, choosing, with a
# peer, paused ("not now"), or between peers.
ONBOARDED = (
    ServiceUserStatus.WAITING,
    ServiceUserStatus.OFFERED,
    ServiceUserStatus.REQUESTED,
    ServiceUserStatus.MATCHED,
    ServiceUserStatus.NOT_NOW,
    ServiceUserStatus.ENDED,
)
# Withdrawing a required consent takes someone out of matching from wherever they are.
for _status in ONBOARDED:
    _ALLOWED[Role.SERVICE_USER][_status].add(ServiceUserStatus.CONSENT_WITHDRAWN)
# Erasure can follow any status, and nothing follows it: a later /start is a new person.
ERASED = "erased"
for _moves in _ALLOWED.values():
    for _current, _next in _moves.items():
        if _current is not None:
            _next.add(ERASED)


class TransitionNotAllowed(Exception):
    pass


def can_transition(role: Role, current: str | None, new: str) -> bool:
    return new in _ALLOWED[role].get(current, set())


async def audit(
    session: AsyncSession,
    *,
    at: datetime,
    actor_id: int | None,
    action: str,
    subject_type: str,
    subject_id: int | None,
    reason: str | None = None,
) -> None:
    session.add(
        AuditLog(
            at=at,
            actor_person_id=actor_id,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            reason=reason,
        )
    )


def _refuse_unless_allowed(
    moves: dict[str | None, set[str]], what: str, current: str | None, new_status: str
) -> None:
    current = current or None  # a row not yet given its first status
    if new_status not in moves.get(current, set()):
        raise TransitionNotAllowed(f"{what}: {current} -> {new_status}")


async def transition_relationship(
    session: AsyncSession,
    relationship: Relationship,
    new_status: str,
    *,
    at: datetime,
    actor_id: int | None,
    reason: str | None = None,
) -> None:
    """Move a relationship to ``new_status``, audited; refuses a move that is not allowed."""
    _refuse_unless_allowed(
        RELATIONSHIP_TRANSITIONS, f"relationship {relationship.id}", relationship.status, new_status
    )
    relationship.status = new_status
    relationship.updated_at = at
    if new_status == RelationshipStatus.ACTIVE:
        relationship.started_at = relationship.started_at or at
    elif new_status not in (RelationshipStatus.REQUESTED, RelationshipStatus.PAUSED):
        relationship.ended_at = at
        relationship.end_reason = reason
    session.add(relationship)
    await session.flush()
    await audit(
        session,
        at=at,
        actor_id=actor_id,
        action=f"relationship.{new_status}",
        subject_type="relationship",
        subject_id=relationship.id,
        reason=reason,
    )


async def transition_proposal(
    session: AsyncSession,
    proposal: Proposal,
    new_status: str,
    *,
    at: datetime,
    actor_id: int | None,
    reason: str | None = None,
) -> None:
    """Move a proposal to ``new_status`` (a new one, with no status yet, to its first), audited;
    refuses a move that is not allowed."""
    await transition_proposals(
        session, [proposal], new_status, at=at, actor_id=actor_id, reason=reason
    )


async def transition_proposals(
    session: AsyncSession,
    proposals: list[Proposal],
    new_status: str,
    *,
    at: datetime,
    actor_id: int | None,
    reason: str | None = None,
) -> None:
    """``transition_proposal`` for many: the new ones are written together, in one statement
    (a refresh at a large programme's size makes a thousand cards at once)."""
    for proposal in proposals:
        _refuse_unless_allowed(
            PROPOSAL_TRANSITIONS, f"proposal {proposal.id}", proposal.status, new_status
        )
        proposal.status = new_status
        session.add(proposal)
    if any(proposal.id is None for proposal in proposals):
        await session.flush()  # (their ids, for the audit)
    for proposal in proposals:
        await audit(
            session,
            at=at,
            actor_id=actor_id,
            action=f"proposal.{new_status}",
            subject_type="proposal",
            subject_id=proposal.id,
            reason=reason,
        )


async def transition_checkin(
    session: AsyncSession,
    checkin: Checkin,
    new_status: str,
    *,
    at: datetime,
    actor_id: int | None,
    reason: str | None = None,
) -> None:
    """Move a check-in to ``new_status`` (a new one, with no status yet, to its first); refuses
    a move that is not allowed. Not audited: check-ins are many and routine, and their rows
    already say when each was answered. Never flushes, so a sweep creating many check-ins
    writes them in one round trip."""
    _refuse_unless_allowed(
        CHECKIN_TRANSITIONS, f"check-in {checkin.id}", checkin.status, new_status
    )
    checkin.status = new_status
    if new_status == CheckinStatus.ANSWERED:
        checkin.answered_at = at
    session.add(checkin)


async def transition(
    session: AsyncSession,
    person: Person,
    new_status: str,
    *,
    at: datetime,
    actor_id: int | None,
    role: Role | None = None,
    reason: str | None = None,
) -> None:
    """Move a person to ``new_status`` (optionally taking a role), audited."""
    if role is None:
        if person.role is None:
            raise TransitionNotAllowed(f"person {person.id} has no role")
        role = Role(person.role)
    if person.role is not None and person.role != role:
        # Taking another role is a role change, decided in ``roles`` (see change_role).
        raise TransitionNotAllowed(f"person {person.id} is a {person.role}, not a {role}")
    current = person.status if person.role == role else None
    if not can_transition(role, current, new_status):
        raise TransitionNotAllowed(f"{role}: {current} -> {new_status}")
    person.role = role
    person.status = new_status
    person.updated_at = at
    session.add(person)
    await audit(
        session,
        at=at,
        actor_id=actor_id,
        action=f"{role}.{new_status}",
        subject_type="person",
        subject_id=person.id,
        reason=reason,
    )


async def change_role(
    session: AsyncSession,
    person: Person,
    role: Role | None,
    status: str | None,
    *,
    at: datetime,
    actor_id: int | None,
    why: str,
) -> None:
    """Leave one role for another (or for none: a coordinator's role is their Coordinator
    row). Only ``roles`` calls this, once it has decided the change is allowed."""
    if role is not None and not can_transition(role, None, status):
        raise TransitionNotAllowed(f"a new {role} cannot start as {status}")
    before = f"{person.role}/{person.status}" if person.role else "no role"
    after = f"{role}/{status}" if role else "no role"
    person.role, person.status, person.updated_at = role, status, at
    session.add(person)
    await audit(
        session,
        at=at,
        actor_id=actor_id,
        action="role.changed",
        subject_type="person",
        subject_id=person.id,
        reason=f"{before} -> {after}: {why}",
    )


async def mark_erased(
    session: AsyncSession, person: Person, *, at: datetime, actor_id: int | None, reason: str
) -> None:
    """The last status anyone reaches, whatever their role (a former coordinator has none)."""
    if person.role is not None:
        await transition(session, person, ERASED, at=at, actor_id=actor_id, reason=reason)
        return
    person.status, person.updated_at = ERASED, at
    session.add(person)
    await audit(
        session,
        at=at,
        actor_id=actor_id,
        action="person.erased",
        subject_type="person",
        subject_id=person.id,
        reason=reason,
    )
