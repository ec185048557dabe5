"""Leaving: taking someone out of matching and peer support kindly, and erasing what we hold.

/consent (withdrawing matching or contact), /delete and the retention job all come through
here. The other side of a relationship is told kindly and without details; the person leaving
hears only their own confirmation. Reasons recorded here never hold personal data.
"""

from __future__ import annotations

import logging
import re

from sqlalchemy import Delete, and_, or_, update
from sqlmodel import delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import consents, lifecycle
from bot.deps import Deps
from bot.lifecycle import OPEN_RELATIONSHIP, RelationshipStatus, ServiceUserStatus
from bot.models import (
    AuditLog,
    AvailabilitySlot,
    Checkin,
    CheckinPlan,
    ConsentKind,
    Feedback,
    FormDraft,
    Invite,
    OutboxMessage,
    PeerWorkerProfile,
    PendingInput,
    Person,
    PersonLanguage,
    PersonLivedExperience,
    Preference,
    Proposal,
    Relationship,
    RelayedMessage,
    Role,
    SafetyFlag,
    ServiceUserProfile,
    WaitlistEntry,
    WorkerCheckin,
)
from bot.notify import Notice, Reply
from bot.offers import service as offers
from bot.offers.wording import person_ref, worker_ref
from bot.relationships import access, closure
from bot.texts import t

log = logging.getLogger(__name__)

# What the audit log and end_reason say about why someone left: never more than this.
DELETED = "data deleted at their request"
RETENTION = "retention period passed"
CONSENT_WITHDRAWN = "consent withdrawn"
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
    if person.role == Role.SERVICE_USER:
        proposal = await offers.open_proposal(session, person.id)
        if proposal is not None:
            proposal.status = offers.SUPERSEDED
            session.add(proposal)
        entry = await session.get(WaitlistEntry, person.id)
        if entry is not None:
            await session.delete(entry)
    await session.flush()
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
        text = Reply(t("request_withdrawn_worker", ref=person_ref(user.id)))  # never matched
        told = Notice(worker.telegram_id, text, worker.id)
        return [told, *await offers.retry_waitlist(deps, session)]
    await lifecycle.transition_relationship(
        session, relationship, RelationshipStatus.DECLINED, at=now, actor_id=actor_id, reason=reason
    )
    await lifecycle.transition(
        session, user, ServiceUserStatus.WAITING, at=now, actor_id=None, reason=WORKER_LEFT
    )
    told = Notice(user.telegram_id, Reply(t("request_worker_left_user")), user.id)
    return [told, *await offers.start_waiting(deps, session, user)]


async def _drop_from_proposals(deps: Deps, session: AsyncSession, worker_id: int) -> list[Notice]:
    """A leaving worker comes out of open proposals (someone left with nobody is looked for
    again); past proposals keep that they were proposed, not what they shared."""
    notices: list[Notice] = []
    for proposal in (await session.exec(select(Proposal).order_by(Proposal.id))).all():
        named = [c for c in proposal.candidates if c.get("worker_id") == worker_id]
        if not named and worker_id not in proposal.offered_worker_ids:
            continue
        if proposal.status not in offers.OPEN_PROPOSAL:
            proposal.candidates = [
                {**c, "reasons": [], "components": {}} if c in named else c
                for c in proposal.candidates
            ]
            session.add(proposal)
            continue
        proposal.candidates = [c for c in proposal.candidates if c not in named]
        proposal.offered_worker_ids = [i for i in proposal.offered_worker_ids if i != worker_id]
        session.add(proposal)
        offered = proposal.status == offers.OFFERED
        if proposal.offered_worker_ids if offered else proposal.candidates:
            continue
        proposal.status = offers.SUPERSEDED
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
            notices.append(Notice(user.telegram_id, Reply(t("offer_worker_left_user")), user.id))
        await session.flush()
        notices += await offers.find_match(deps, session, user)
    return notices


async def _forget_messages(session: AsyncSession, person: Person) -> None:
    """Scheduled messages: those to them go (one still queued is emptied and never sent, so
    a send already under way records its outcome on a row that exists); those already sent
    to others that name them (a worker's name on a flag card, say) go too."""
    to_them = or_(
        OutboxMessage.person_id == person.id, OutboxMessage.telegram_id == person.telegram_id
    )
    done = or_(OutboxMessage.sent_at.is_not(None), OutboxMessage.failed)
    await session.exec(delete(OutboxMessage).where(to_them, done))
    await session.exec(
        update(OutboxMessage)
        .where(to_them)
        .values(telegram_id=0, person_id=None, text="", buttons=[], failed=True)
    )
    profile = await session.get(PeerWorkerProfile, person.id)
    refs = {Role.SERVICE_USER: person_ref, Role.PEER_WORKER: worker_ref}
    ref = refs[person.role](person.id) if person.role in refs else None
    for name in (ref, profile.display_name if profile else None):
        if not name:
            continue
        word = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
        rows = await session.exec(
            select(OutboxMessage).where(done, OutboxMessage.text.contains(name))
        )
        for row in rows.all():
            if word.search(row.text):
                await session.delete(row)


async def _forget_name(session: AsyncSession, person: Person) -> None:
    """The name they asked their peer to use goes before anyone is told they left, so no
    message written from here on (and kept in the outbox) carries it."""
    profile = await session.get(ServiceUserProfile, person.id)
    if profile is not None:
        profile.preferred_name = None
        profile.name_visible_to_coordinators = False
        session.add(profile)
        await session.flush()


def relayed_messages_of(person_id: int) -> Delete:
    """Every relayed-message pair the person sent or received: each side of the OR is served
    by the leading column of one relay index (sender, source) / (recipient, target)."""
    return delete(RelayedMessage).where(
        or_(
            RelayedMessage.sender_person_id == person_id,
            RelayedMessage.recipient_person_id == person_id,
        )
    )


async def erase(
    deps: Deps, session: AsyncSession, person: Person, *, actor_id: int | None, reason: str
) -> list[Notice]:
    """Erase someone's personal data, after ending their part in peer support kindly.

    What stays is pseudonymous: the person row (role, status, dates) under an id nobody can
    link to a Telegram account, consent records, relationships, and — only while evaluation
    consent is in force — check-in scores and survey numbers. Returns notices for others.
    """
    if person.erased_at is not None:
        return []
    now = deps.now()
    keep_figures = await consents.has(session, person.id, ConsentKind.EVALUATION)
    await _forget_name(session, person)  # first: what the others are told below uses no name
    notices = await leave(deps, session, person, actor_id=actor_id, reason=reason)
    as_service_user = select(Relationship.id).where(Relationship.service_user_id == person.id)
    their_proposals = select(Proposal.id).where(Proposal.service_user_id == person.id)

    await _forget_messages(session, person)  # first: it needs a worker's name
    for table in (
        PersonLivedExperience,
        PersonLanguage,
        Preference,
        AvailabilitySlot,
        FormDraft,
        PendingInput,
        ServiceUserProfile,
        PeerWorkerProfile,
    ):
        await session.exec(delete(table).where(table.person_id == person.id))
    await session.exec(delete(WaitlistEntry).where(WaitlistEntry.service_user_id == person.id))
    await session.exec(relayed_messages_of(person.id))
    # Offers made to them said what they shared with each worker: gone with them.
    await session.exec(
        update(Relationship)
        .where(Relationship.proposal_id.in_(their_proposals))
        .values(proposal_id=None)
    )
    await session.exec(delete(Proposal).where(Proposal.service_user_id == person.id))
    await session.exec(delete(CheckinPlan).where(CheckinPlan.relationship_id.in_(as_service_user)))
    if keep_figures:
        await session.exec(
            update(Feedback)
            .where(Feedback.relationship_id.in_(as_service_user))
            .values(comment=None)
        )
    else:
        await session.exec(delete(Feedback).where(Feedback.relationship_id.in_(as_service_user)))
        await session.exec(delete(Checkin).where(Checkin.relationship_id.in_(as_service_user)))
        await session.exec(delete(WorkerCheckin).where(WorkerCheckin.worker_id == person.id))
    await session.exec(
        update(SafetyFlag)
        .where(
            or_(
                SafetyFlag.about_person_id == person.id,
                SafetyFlag.raised_by_person_id == person.id,
            )
        )
        .values(detail=None)
    )
    await session.exec(
        update(SafetyFlag).where(SafetyFlag.about_person_id == person.id).values(resolution=None)
    )
    await _forget_reasons(session, person)

    await lifecycle.mark_erased(session, person, at=now, actor_id=actor_id, reason=reason)
    # Telegram user ids are positive: a negative one can never be theirs, or anyone's.
    person.telegram_id = -person.id
    person.erased_at = now
    person.reachable = False
    person.last_seen_at = None
    person.crisis_lines_sent_at = None
    session.add(person)
    await session.flush()
    log.info("personal data erased: person_id=%s (%s)", person.id, reason)
    return notices


async def _forget_reasons(session: AsyncSession, person: Person) -> None:
    """Reasons typed by coordinators and others (a pause, a closure, a flag's resolution)
    may describe the person: the actions stay in the audit log, the words go."""
    relationships = select(Relationship.id).where(
        or_(Relationship.service_user_id == person.id, Relationship.peer_worker_id == person.id)
    )
    flags = select(SafetyFlag.id).where(
        or_(SafetyFlag.about_person_id == person.id, SafetyFlag.raised_by_person_id == person.id)
    )
    await session.exec(
        update(AuditLog)
        .where(
            or_(
                and_(AuditLog.subject_type == "person", AuditLog.subject_id == person.id),
                and_(
                    AuditLog.subject_type == "relationship", AuditLog.subject_id.in_(relationships)
                ),
                and_(AuditLog.subject_type == "safety_flag", AuditLog.subject_id.in_(flags)),
            )
        )
        .values(reason=None)
    )
    await session.exec(
        update(Relationship).where(Relationship.id.in_(relationships)).values(end_reason=None)
    )
    # A note on the invite they joined with ("for Jo Smith") names them.
    await session.exec(
        update(Invite).where(Invite.used_by_person_id == person.id).values(note=None)
    )
