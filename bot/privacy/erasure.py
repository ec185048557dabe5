"""Leaving: taking someone out of matching and peer support kindly, and erasing what we hold.

/consent (withdrawing matching or contact), /delete and the retention job all come through
here. The other side of a relationship is told kindly and without details; the person leaving
hears only their own confirmation. Reasons recorded here never hold personal data.
"""

from __future__ import annotations

import logging
import re

from sqlalchemy import Delete, Select, and_, or_, update
from sqlmodel import delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import consents, lifecycle
from bot.deps import Deps
from bot.models import (
    AuditLog,
    AvailabilitySlot,
    Checkin,
    CheckinPlan,
    ConsentKind,
    Feedback,
    FormDraft,
    InboxUpdate,
    Invite,
    OutboxMessage,
    PeerWorkerProfile,
    PendingInput,
    Person,
    PersonLanguage,
    PersonLivedExperience,
    Preference,
    Proposal,
    Reflection,
    Relationship,
    RelayedMessage,
    Role,
    SafetyFlag,
    SafetyPlan,
    ServiceUserProfile,
    SupervisionSession,
    SupervisionTopic,
    WaitlistEntry,
    WorkerCheckin,
)
from bot.notify import Notice
from bot.offers.wording import name_for_worker
from bot.relationships import leaving
from bot.texts import escape
from bot.texts.fragments import person_ref, worker_ref

log = logging.getLogger(__name__)

# What the audit log and end_reason say about why someone left: never more than this.
DELETED = "data deleted at their request"
RETENTION = "retention period passed"
CONSENT_WITHDRAWN = "consent withdrawn"


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
    message written from here on (and kept in the outbox) carries it; one already queued for
    their worker names them by the pseudonym instead."""
    profile = await session.get(ServiceUserProfile, person.id)
    if profile is not None and profile.preferred_name:
        named, plain = escape(name_for_worker(profile, person.id)), person_ref(person.id)
        queued = await session.exec(
            select(OutboxMessage).where(
                OutboxMessage.sent_at.is_(None), OutboxMessage.failed.is_(False)
            )
        )
        for row in queued.all():
            if named in row.text:
                row.text = row.text.replace(named, plain)
                session.add(row)
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
    notices = await leaving.leave(deps, session, person, actor_id=actor_id, reason=reason)
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
        SafetyPlan,
    ):
        await session.exec(delete(table).where(table.person_id == person.id))
    # A worker's supervision: the sessions (and the coordinators' notes on them), the topics
    # they added, their reflections.
    for by_worker in (SupervisionSession, SupervisionTopic, Reflection):
        await session.exec(delete(by_worker).where(by_worker.worker_id == person.id))
    await session.exec(delete(WaitlistEntry).where(WaitlistEntry.service_user_id == person.id))
    await session.exec(relayed_messages_of(person.id))
    # The inbox's notes that their updates arrived name their chat. Ones still waiting to be
    # handled (this very /delete among them) go once handled, with pipeline.keep_handled.
    await session.exec(
        delete(InboxUpdate).where(
            InboxUpdate.chat_id == person.telegram_id, InboxUpdate.handled_at.is_not(None)
        )
    )
    # Offers made to them said what they shared with each worker: gone with them.
    await session.exec(
        update(Relationship)
        .where(Relationship.proposal_id.in_(their_proposals))
        .values(proposal_id=None)
    )
    # A hand match's reason, typed about them, is on the audit line of their proposal.
    await session.exec(
        update(AuditLog)
        .where(AuditLog.subject_type == "proposal", AuditLog.subject_id.in_(their_proposals))
        .values(reason=None)
    )
    await session.exec(delete(Proposal).where(Proposal.service_user_id == person.id))
    await session.exec(delete(CheckinPlan).where(CheckinPlan.relationship_id.in_(as_service_user)))
    await _forget_in_supervision(session, as_service_user)
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


async def _forget_in_supervision(session: AsyncSession, relationship_ids: Select) -> None:
    """Their worker's reflections on their relationships, and coordinators' notes on the
    supervision sessions that discussed them, were written about them: the words go (the
    dates and the pseudonymous references stay)."""
    await session.exec(
        update(Reflection)
        .where(Reflection.relationship_id.in_(relationship_ids))
        .values(went_well=None, hard=None)
    )
    ids = set((await session.exec(relationship_ids)).all())
    noted = await session.exec(
        select(SupervisionSession).where(SupervisionSession.note.is_not(None))
    )
    for supervision in noted.all():
        if ids & set(supervision.discussed):
            supervision.note = None
            session.add(supervision)


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
