"""/mydata: everything held about the person asking, as one JSON document.

Other people appear only as references (U12, R5), except a service user's own peer worker,
shown by the name the worker chose to show them. Nothing internal is included (invite hashes,
coordinators' notes, who exactly acted beyond "you", "a coordinator" or "the system").
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import people
from bot.deps import Deps
from bot.models import (
    AuditLog,
    AvailabilitySlot,
    Checkin,
    CheckinPlan,
    ConsentRecord,
    Coordinator,
    Feedback,
    FormDraft,
    LivedExperienceArea,
    PeerWorkerProfile,
    Person,
    PersonLanguage,
    PersonLivedExperience,
    Preference,
    Proposal,
    Reflection,
    Relationship,
    Role,
    SafetyFlag,
    SafetyPlan,
    ServiceUserProfile,
    SupervisionSession,
    SupervisionTopic,
    WaitlistEntry,
    WorkerCheckin,
)
from bot.texts import t
from bot.texts.fragments import person_ref, worker_ref

FILENAME = "peerlink-my-data.json"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

Json = dict[str, Any]


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _ref(person: Person) -> str | None:
    if person.role == Role.SERVICE_USER:
        return person_ref(person.id)
    if person.role == Role.PEER_WORKER:
        return worker_ref(person.id)
    return None


async def document(deps: Deps, session: AsyncSession, telegram_id: int) -> bytes | None:
    """The file to send, or None if we hold nothing about this Telegram account."""
    person = await people.find(session, telegram_id)
    if person is None:
        return None
    content = await collect(deps, session, person)
    return json.dumps(content, ensure_ascii=False, indent=2).encode("utf-8")


async def collect(deps: Deps, session: AsyncSession, person: Person) -> Json:
    relationships = list(
        (
            await session.exec(
                select(Relationship)
                .where(
                    or_(
                        Relationship.service_user_id == person.id,
                        Relationship.peer_worker_id == person.id,
                    )
                )
                .order_by(Relationship.created_at, Relationship.id)
            )
        ).all()
    )
    as_user = [r.id for r in relationships if r.service_user_id == person.id]
    return {
        "about": str(t("mydata_about")),
        "service": deps.config.service.name,
        "generated_at": _iso(deps.now()),
        "person": {
            "id": person.id,
            "reference": _ref(person),
            "telegram_user_id": person.telegram_id,
            "role": person.role,
            "status": person.status,
            "language": person.language,
            "reachable": person.reachable,
            "created_at": _iso(person.created_at),
            "updated_at": _iso(person.updated_at),
            "last_seen_at": _iso(person.last_seen_at),
            "crisis_lines_sent_at": _iso(person.crisis_lines_sent_at),
        },
        "coordinator": await _coordinator(session, person),
        "consents": await _consents(session, person),
        "service_user_profile": await _service_user_profile(session, person),
        "peer_worker_profile": await _worker_profile(session, person),
        "lived_experience": await _lived_experience(session, person),
        "languages": await _languages(session, person),
        "preferences": await _preferences(session, person),
        "availability": await _availability(session, person),
        "form_in_progress": await _form(session, person),
        "waitlist": await _waitlist(session, person),
        "offers": await _offers(session, person),
        "relationships": [await _relationship(session, person, r) for r in relationships],
        "checkins": await _checkins(session, as_user),
        "feedback": await _feedback(session, as_user),
        "wellbeing_checkins": await _wellbeing(session, person),
        "safety_plan": await _safety_plan(session, person),
        "supervision": await _supervision(session, person),
        "safety_flags": await _flags(session, person),
        "audit": await _audit(session, person, [r.id for r in relationships]),
    }


async def _coordinator(session: AsyncSession, person: Person) -> Json | None:
    row = (
        await session.exec(select(Coordinator).where(Coordinator.person_id == person.id))
    ).first()
    if row is None:
        return None
    return {
        "active": row.active,
        "source": row.source,
        "added_at": _iso(row.added_at),
        "removed_at": _iso(row.removed_at),
    }


async def _consents(session: AsyncSession, person: Person) -> list[Json]:
    rows = (
        await session.exec(
            select(ConsentRecord)
            .where(ConsentRecord.person_id == person.id)
            .order_by(ConsentRecord.recorded_at, ConsentRecord.id)
        )
    ).all()
    latest = {row.kind: row.id for row in rows}
    return [
        {
            "kind": row.kind,
            "agreed": row.agreed,
            "wording_version": row.text_version,
            "recorded_at": _iso(row.recorded_at),
            "withdrawn_at": _iso(row.withdrawn_at),
            "in_force": latest[row.kind] == row.id and row.agreed and row.withdrawn_at is None,
        }
        for row in rows
    ]


async def _service_user_profile(session: AsyncSession, person: Person) -> Json | None:
    profile = await session.get(ServiceUserProfile, person.id)
    if profile is None:
        return None
    return {
        "perspective": profile.perspective,
        "timezone": profile.timezone,
        "goal": profile.goal,
        "name_for_your_peer_worker": profile.preferred_name,
        "coordinators_may_see_that_name": profile.name_visible_to_coordinators,
        "new_peer_possible_from": _iso(profile.rematch_after),
        "submitted_at": _iso(profile.submitted_at),
        "updated_at": _iso(profile.updated_at),
    }


async def _worker_profile(session: AsyncSession, person: Person) -> Json | None:
    profile = await session.get(PeerWorkerProfile, person.id)
    if profile is None:
        return None
    return {
        "display_name": profile.display_name,
        "bio": profile.bio,
        "lived_experience_as_consumer": profile.is_consumer,
        "lived_experience_as_carer": profile.is_carer,
        "gender": profile.gender,
        "age_band": profile.age_band,
        "communities": list(profile.communities or []),
        "timezone": profile.timezone,
        "max_caseload": profile.max_caseload,
        "quiet_hours": profile.quiet_hours,
        "weekly_wellbeing_checkins": profile.wellbeing_checkins,
        "taking_new_matches": profile.taking_new_matches,
        "submitted_at": _iso(profile.submitted_at),
        "updated_at": _iso(profile.updated_at),
        "reviewed_at": _iso(profile.reviewed_at),
    }


async def _lived_experience(session: AsyncSession, person: Person) -> list[Json]:
    rows = (
        await session.exec(
            select(PersonLivedExperience.area_key, LivedExperienceArea.label)
            .join(LivedExperienceArea, LivedExperienceArea.key == PersonLivedExperience.area_key)
            .where(PersonLivedExperience.person_id == person.id)
            .order_by(PersonLivedExperience.area_key)
        )
    ).all()
    return [{"key": key, "label": label} for key, label in rows]


async def _languages(session: AsyncSession, person: Person) -> list[str]:
    rows = await session.exec(
        select(PersonLanguage.language)
        .where(PersonLanguage.person_id == person.id)
        .order_by(PersonLanguage.language)
    )
    return list(rows.all())


async def _preferences(session: AsyncSession, person: Person) -> list[Json]:
    rows = await session.exec(
        select(Preference).where(Preference.person_id == person.id).order_by(Preference.attribute)
    )
    return [
        {"attribute": row.attribute, "choices": list(row.choices), "importance": row.weight}
        for row in rows.all()
    ]


async def _availability(session: AsyncSession, person: Person) -> list[Json]:
    rows = await session.exec(
        select(AvailabilitySlot)
        .where(AvailabilitySlot.person_id == person.id)
        .order_by(AvailabilitySlot.weekday, AvailabilitySlot.start_minute)
    )
    return [
        {
            "weekday": WEEKDAYS[row.weekday],
            "from": _clock(row.start_minute),
            "to": _clock(row.end_minute),
            "in_your_timezone": True,
        }
        for row in rows.all()
    ]


async def _form(session: AsyncSession, person: Person) -> Json | None:
    draft = await session.get(FormDraft, person.id)
    if draft is None:
        return None
    return {
        "form": draft.flow,
        "step": draft.step,
        "answers_so_far": draft.answers,
        "updated_at": _iso(draft.updated_at),
    }


async def _waitlist(session: AsyncSession, person: Person) -> Json | None:
    entry = await session.get(WaitlistEntry, person.id)
    if entry is None:
        return None
    return {
        "waiting_since": _iso(entry.since),
        "declines_so_far": entry.declines,
        "told_no_one_fits_yet_at": _iso(entry.told_waiting_at),
    }


async def _worker_name(session: AsyncSession, worker_id: int) -> str | None:
    profile = await session.get(PeerWorkerProfile, worker_id)
    return profile.display_name if profile is not None else None  # None: they have left


async def _offers(session: AsyncSession, person: Person) -> list[Json]:
    rows = await session.exec(
        select(Proposal)
        .where(Proposal.service_user_id == person.id)
        .order_by(Proposal.created_at, Proposal.id)
    )
    return [
        {
            "status": row.status,
            "created_at": _iso(row.created_at),
            "decided_at": _iso(row.decided_at),
            # Only the workers offered to them: those they were shown.
            "peer_workers_offered": [
                await _worker_name(session, worker_id) for worker_id in row.offered_worker_ids
            ],
        }
        for row in rows.all()
    ]


async def _relationship(session: AsyncSession, person: Person, r: Relationship) -> Json:
    mine = r.service_user_id == person.id
    item: Json = {
        "reference": f"R{r.id}",
        "your_role": Role.SERVICE_USER if mine else Role.PEER_WORKER,
        "status": r.status,
        "created_at": _iso(r.created_at),
        "started_at": _iso(r.started_at),
        "planned_end_at": _iso(r.planned_end_at),
        "paused_at": _iso(r.paused_at),
        "ended_at": _iso(r.ended_at),
        "first_contact_at": _iso(r.first_contact_at),
        "last_contact_at": _iso(r.last_contact_at),
        "messages_you_sent": r.messages_from_service_user if mine else r.messages_from_worker,
        "messages_you_received": r.messages_from_worker if mine else r.messages_from_service_user,
    }
    if not mine:
        item["service_user"] = person_ref(r.service_user_id)
        item["ending_checklist_ticked"] = list(r.checklist or [])
        return item
    item["peer_worker"] = await _worker_name(session, r.peer_worker_id)
    plan = await session.get(CheckinPlan, r.id)
    item["checkin_plan"] = (
        {
            "cadence": plan.cadence,
            "weekday": WEEKDAYS[plan.weekday],
            "time": _clock(plan.minute),
            "timezone": plan.timezone,
            "paused": plan.paused,
            "next_due_at": _iso(plan.next_due_at),
        }
        if plan is not None
        else None
    )
    return item


async def _checkins(session: AsyncSession, relationship_ids: list[int]) -> list[Json]:
    if not relationship_ids:
        return []
    rows = await session.exec(
        select(Checkin)
        .where(Checkin.relationship_id.in_(relationship_ids))
        .order_by(Checkin.due_at, Checkin.id)
    )
    return [
        {
            "relationship": f"R{row.relationship_id}",
            "due_at": _iso(row.due_at),
            "status": row.status,
            "score": row.score,
            "asked_to_hear_from_peer": row.reach_out,
            "added_a_note": row.had_note,  # the note itself went to your peer and is not kept
            "answered_at": _iso(row.answered_at),
        }
        for row in rows.all()
    ]


async def _feedback(session: AsyncSession, relationship_ids: list[int]) -> list[Json]:
    if not relationship_ids:
        return []
    rows = await session.exec(
        select(Feedback)
        .where(Feedback.relationship_id.in_(relationship_ids))
        .order_by(Feedback.created_at, Feedback.id)
    )
    return [
        {
            "relationship": f"R{row.relationship_id}",
            "rating": row.rating,
            "would_recommend": row.would_recommend,
            "outcome_answers": row.outcomes,
            "comment": row.comment,
            "created_at": _iso(row.created_at),
        }
        for row in rows.all()
    ]


async def _wellbeing(session: AsyncSession, person: Person) -> list[Json]:
    rows = await session.exec(
        select(WorkerCheckin)
        .where(WorkerCheckin.worker_id == person.id)
        .order_by(WorkerCheckin.due_at, WorkerCheckin.id)
    )
    return [
        {
            "due_at": _iso(row.due_at),
            "score": row.score,
            "asked_to_talk": row.wants_contact,
            "answered_at": _iso(row.answered_at),
        }
        for row in rows.all()
    ]


async def _safety_plan(session: AsyncSession, person: Person) -> Json | None:
    plan = await session.get(SafetyPlan, person.id)
    if plan is None:
        return None
    return {
        "steps": dict(plan.steps),
        "created_at": _iso(plan.created_at),
        "updated_at": _iso(plan.updated_at),
    }


async def _supervision(session: AsyncSession, person: Person) -> Json | None:
    """A peer worker's supervision: when, which relationships, the next date; the topics they
    added; their reflections. (A coordinator's note on a session is the coordinators'.)"""
    if person.role != Role.PEER_WORKER:
        return None
    sessions = await session.exec(
        select(SupervisionSession)
        .where(SupervisionSession.worker_id == person.id)
        .order_by(SupervisionSession.held_at)
    )
    topics = await session.exec(
        select(SupervisionTopic).where(SupervisionTopic.worker_id == person.id)
    )
    reflections = await session.exec(select(Reflection).where(Reflection.worker_id == person.id))
    return {
        "sessions": [
            {
                "held_at": _iso(row.held_at),
                "relationships_discussed": [f"R{rid}" for rid in row.discussed],
                "next_at": _iso(row.next_at),
            }
            for row in sessions.all()
        ],
        "topics": [
            {"text": row.text, "added_at": _iso(row.added_at), "covered_at": _iso(row.covered_at)}
            for row in topics.all()
        ],
        "reflections": [
            {
                "relationship": f"R{row.relationship_id}",
                "went_well": row.went_well,
                "hard": row.hard,
                "shared": row.shared,
                "created_at": _iso(row.created_at),
            }
            for row in reflections.all()
        ],
    }


def _flag_status(flag: SafetyFlag) -> str:
    if flag.resolved_at is not None:
        return "resolved"
    return "acknowledged" if flag.acknowledged_at is not None else "open"


async def _flags(session: AsyncSession, person: Person) -> list[Json]:
    # Flags their own words raised, and reports or concerns they raised themselves. A report
    # or concern someone else raised about them stays out: telling them would tell them who.
    own_words = and_(
        SafetyFlag.about_person_id == person.id, SafetyFlag.raised_by_person_id.is_(None)
    )
    rows = await session.exec(
        select(SafetyFlag)
        .where(or_(own_words, SafetyFlag.raised_by_person_id == person.id))
        .order_by(SafetyFlag.raised_at, SafetyFlag.id)
    )
    return [
        {
            "kind": flag.kind,
            "category": flag.category,
            "status": _flag_status(flag),
            "raised_at": _iso(flag.raised_at),
            "acknowledged_at": _iso(flag.acknowledged_at),
            "escalated_at": _iso(flag.escalated_at),
            "resolved_at": _iso(flag.resolved_at),
        }
        for flag in rows.all()
    ]


async def _audit(session: AsyncSession, person: Person, relationship_ids: list[int]) -> list[Json]:
    about_them = and_(AuditLog.subject_type == "person", AuditLog.subject_id == person.id)
    about_theirs = and_(
        AuditLog.subject_type == "relationship", AuditLog.subject_id.in_(relationship_ids)
    )
    rows = (
        await session.exec(
            select(AuditLog)
            .where(or_(about_them, about_theirs) if relationship_ids else about_them)
            .order_by(AuditLog.at, AuditLog.id)
        )
    ).all()
    coordinators = set((await session.exec(select(Coordinator.person_id))).all())

    def by(actor_id: int | None) -> str:
        if actor_id is None:
            return "the system"
        if actor_id == person.id:
            return "you"
        return "a coordinator" if actor_id in coordinators else "the other person"

    return [
        {
            "at": _iso(row.at),
            "action": row.action,
            "about": "you" if row.subject_type == "person" else f"R{row.subject_id}",
            "by": by(row.actor_person_id),
        }
        for row in rows
    ]
