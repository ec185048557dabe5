"""From the database to the evaluation cohort, and from the cohort to CSV rows.

The cohort is every service user whose evaluation consent is in force and who finished
onboarding (or has a relationship), with the relationships, check-ins and feedback that
belong to them, and the peer workers in those relationships. Only facts go into it: no
Telegram id, name, goal, comment, reason or message content (which is never stored anyway).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import consents
from bot.evaluation.pseudonyms import Pseudonymiser
from bot.lifecycle import RelationshipStatus
from bot.models import (
    AuditLog,
    Checkin,
    ConsentKind,
    Feedback,
    PeerWorkerProfile,
    Person,
    PersonLanguage,
    Relationship,
    Role,
    ServiceUserProfile,
)

ENDED = (
    RelationshipStatus.DECLINED,
    RelationshipStatus.EXPIRED,
    RelationshipStatus.WITHDRAWN,
    RelationshipStatus.ENDED_EARLY,
    RelationshipStatus.COMPLETED,
)
# The audit entry written when someone first finished onboarding (lifecycle.transition).
ONBOARDED_ACTION = "service_user.waiting"


@dataclass(frozen=True)
class ServiceUser:
    person_id: int
    perspective: str | None  # consumer or carer; None once erased
    languages: tuple[str, ...]
    onboarded_at: datetime | None  # onboarding finished: joined the waitlist the first time


@dataclass(frozen=True)
class Worker:
    person_id: int
    perspective: str | None  # consumer, carer or both


@dataclass(frozen=True)
class RelationshipFacts:
    id: int
    service_user_id: int
    peer_worker_id: int
    status: str
    requested_at: datetime
    started_at: datetime | None
    first_contact_at: datetime | None
    planned_end_at: datetime | None
    ended_at: datetime | None
    ended_by: str | None  # service_user, peer_worker, coordinator or system
    messages_from_service_user: int
    messages_from_worker: int
    fit_service_user: str | None = None  # "is this a good fit?": good, unsure or other
    fit_worker: str | None = None  # good, unsure or not_fit


@dataclass(frozen=True)
class CheckinFacts:
    relationship_id: int
    due_at: datetime
    status: str  # answered, missed, skipped or sent (awaiting an answer)
    score: int | None


@dataclass(frozen=True)
class FeedbackFacts:
    relationship_id: int
    rating: int | None
    would_recommend: bool | None
    outcomes: dict[int, int]  # question number, from 1 -> answer 1-5


@dataclass(frozen=True)
class Cohort:
    service_users: list[ServiceUser]
    workers: list[Worker]
    relationships: list[RelationshipFacts]
    checkins: list[CheckinFacts]
    feedback: list[FeedbackFacts]


async def collect(session: AsyncSession) -> Cohort:
    consenting = await consents.consenting(session, ConsentKind.EVALUATION)
    user_ids = (
        set((await session.exec(select(Person.id).where(Person.role == Role.SERVICE_USER))).all())
        & consenting
    )

    # Column by column, here and below, so that free text (goals, bios, comments) is never
    # even read.
    profiles = {
        person_id: (perspective, submitted_at)
        for person_id, perspective, submitted_at in (
            await session.exec(
                select(
                    ServiceUserProfile.person_id,
                    ServiceUserProfile.perspective,
                    ServiceUserProfile.submitted_at,
                )
            )
        ).all()
        if person_id in user_ids
    }
    first_waiting = {
        subject_id: at
        for subject_id, at in (
            await session.exec(
                select(AuditLog.subject_id, func.min(AuditLog.at))
                .where(AuditLog.action == ONBOARDED_ACTION, AuditLog.subject_type == "person")
                .group_by(AuditLog.subject_id)
            )
        ).all()
        if subject_id in user_ids
    }
    relationships = [
        row
        for row in (await session.exec(select(Relationship).order_by(Relationship.id))).all()
        if row.service_user_id in user_ids
    ]
    with_relationship = {row.service_user_id for row in relationships}
    # Someone who agreed but never finished onboarding has nothing to evaluate yet.
    included = {
        person_id
        for person_id in user_ids
        if person_id in profiles or person_id in first_waiting or person_id in with_relationship
    }

    languages: dict[int, list[str]] = defaultdict(list)
    for row in (await session.exec(select(PersonLanguage))).all():
        if row.person_id in included:
            languages[row.person_id].append(row.language)

    service_users = [
        ServiceUser(
            person_id=person_id,
            perspective=profiles[person_id][0] if person_id in profiles else None,
            languages=tuple(sorted(languages[person_id])),
            # The profile's first submission (kept through later edits); once a profile is
            # erased, the audit trail's first move to the waitlist.
            onboarded_at=profiles[person_id][1]
            if person_id in profiles
            else first_waiting.get(person_id),
        )
        for person_id in sorted(included)
    ]
    relationship_ids = {row.id for row in relationships}
    ended_by = await _ended_by(session, relationships)
    return Cohort(
        service_users=service_users,
        workers=await _workers(session, {row.peer_worker_id for row in relationships}),
        relationships=[
            RelationshipFacts(
                id=row.id,
                service_user_id=row.service_user_id,
                peer_worker_id=row.peer_worker_id,
                status=row.status,
                requested_at=row.created_at,
                started_at=row.started_at,
                first_contact_at=row.first_contact_at,
                planned_end_at=row.planned_end_at,
                ended_at=row.ended_at,
                ended_by=ended_by.get(row.id),
                messages_from_service_user=row.messages_from_service_user,
                messages_from_worker=row.messages_from_worker,
                fit_service_user=row.fit_service_user,
                fit_worker=row.fit_worker,
            )
            for row in relationships
        ],
        checkins=[
            CheckinFacts(relationship_id, due_at, status, score)
            for relationship_id, due_at, status, score in (
                await session.exec(
                    select(
                        Checkin.relationship_id, Checkin.due_at, Checkin.status, Checkin.score
                    ).order_by(Checkin.due_at, Checkin.id)
                )
            ).all()
            if relationship_id in relationship_ids
        ],
        feedback=[
            FeedbackFacts(
                relationship_id=relationship_id,
                rating=rating,
                would_recommend=would_recommend,
                outcomes={int(number) + 1: int(answer) for number, answer in outcomes.items()},
            )
            # Selected column by column so the free-text comment is never even read.
            for relationship_id, rating, would_recommend, outcomes in (
                await session.exec(
                    select(
                        Feedback.relationship_id,
                        Feedback.rating,
                        Feedback.would_recommend,
                        Feedback.outcomes,
                    )
                )
            ).all()
            if relationship_id in relationship_ids
        ],
    )


async def _workers(session: AsyncSession, worker_ids: set[int]) -> list[Worker]:
    perspectives = {
        person_id: {(True, True): "both", (True, False): "consumer", (False, True): "carer"}.get(
            (is_consumer, is_carer)
        )
        for person_id, is_consumer, is_carer in (
            await session.exec(
                select(
                    PeerWorkerProfile.person_id,
                    PeerWorkerProfile.is_consumer,
                    PeerWorkerProfile.is_carer,
                )
            )
        ).all()
        if person_id in worker_ids
    }
    return [Worker(person_id, perspectives.get(person_id)) for person_id in sorted(worker_ids)]


async def _ended_by(session: AsyncSession, relationships: list[Relationship]) -> dict[int, str]:
    """Who made each relationship's closing move, from the audit trail (not the reason text)."""
    closing = {row.id: f"relationship.{row.status}" for row in relationships if row.status in ENDED}
    by_id = {row.id: row for row in relationships}
    found: dict[int, str] = {}
    rows = await session.exec(
        select(AuditLog.subject_id, AuditLog.action, AuditLog.actor_person_id)
        .where(AuditLog.subject_type == "relationship")
        .order_by(AuditLog.at, AuditLog.id)
    )
    for subject_id, action, actor_id in rows.all():
        if closing.get(subject_id) != action:
            continue
        relationship = by_id[subject_id]
        if actor_id is None:
            found[subject_id] = "system"
        elif actor_id == relationship.service_user_id:
            found[subject_id] = "service_user"
        elif actor_id == relationship.peer_worker_id:
            found[subject_id] = "peer_worker"
        else:
            found[subject_id] = "coordinator"
    return found


# -- rows -------------------------------------------------------------------------------------

PEOPLE_HEADER = ("pseudonym", "role", "perspective", "joined_month", "languages")
RELATIONSHIPS_HEADER = (
    "relationship",
    "service_user",
    "peer_worker",
    "requested",
    "matched",
    "first_contact",
    "planned_end",
    "ended",
    "status",
    "ended_by",
    "messages_from_service_user",
    "messages_from_peer_worker",
    "fit_service_user",
    "fit_peer_worker",
)
CHECKINS_HEADER = ("relationship", "due_date", "status", "score")
FEEDBACK_HEADER = ("relationship", "rating", "would_recommend")

Table = tuple[tuple[str, ...], list[list[str]]]


def _day(moment: datetime | None, zone: tzinfo) -> str:
    return moment.astimezone(zone).date().isoformat() if moment else ""


def _month(moment: datetime | None, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m") if moment else ""


def _fit(answer: str | None) -> str:
    """An early "is this a good fit?" answer ("talk": not sure, and asked for a word)."""
    return {"talk": "unsure", None: ""}.get(answer, answer)


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def tables(
    cohort: Cohort, pseudonyms: Pseudonymiser, zone: tzinfo, outcome_questions: int
) -> dict[str, Table]:
    """file name -> (header, rows). Rows are sorted by pseudonym, so their order says nothing
    about who joined when."""
    person, relationship = pseudonyms.person, pseudonyms.relationship
    people = [
        [
            person(user.person_id),
            Role.SERVICE_USER.value,
            user.perspective or "",
            _month(user.onboarded_at, zone),
            ";".join(user.languages),
        ]
        for user in cohort.service_users
    ]
    # Peer workers give no evaluation consent: they appear only as the pseudonym in
    # relationships.csv, never as a row of their own (their perspective is lived experience).
    relationships = [
        [
            relationship(row.id),
            person(row.service_user_id),
            person(row.peer_worker_id),
            _day(row.requested_at, zone),
            _day(row.started_at, zone),
            _day(row.first_contact_at, zone),
            _day(row.planned_end_at, zone),
            _day(row.ended_at, zone),
            row.status,
            row.ended_by or "",
            str(row.messages_from_service_user),
            str(row.messages_from_worker),
            _fit(row.fit_service_user),
            _fit(row.fit_worker),
        ]
        for row in cohort.relationships
    ]
    checkins = [
        [
            relationship(row.relationship_id),
            _day(row.due_at, zone),
            "pending" if row.status == "sent" else row.status,
            _number(row.score),
        ]
        for row in cohort.checkins
    ]
    questions = max([outcome_questions, *(max(row.outcomes, default=0) for row in cohort.feedback)])
    feedback = [
        [
            relationship(row.relationship_id),
            _number(row.rating),
            _yes_no(row.would_recommend),
            *(_number(row.outcomes.get(number)) for number in range(1, questions + 1)),
        ]
        for row in cohort.feedback
    ]
    outcome_columns = tuple(f"outcome_{number}" for number in range(1, questions + 1))
    return {
        "people.csv": (PEOPLE_HEADER, sorted(people)),
        "relationships.csv": (RELATIONSHIPS_HEADER, sorted(relationships)),
        "checkins.csv": (CHECKINS_HEADER, sorted(checkins)),
        "feedback.csv": (FEEDBACK_HEADER + outcome_columns, sorted(feedback)),
    }
