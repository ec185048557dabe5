"""What the coordinator console shows: the figures, the lists and the cards, read from the
database in one place so the dashboard and its lists always agree.

Definitions the console uses everywhere:

* **waiting** — service users whose status is ``waiting``; the wait is counted from their
  waitlist entry.
* **offers awaiting an answer** — proposals offered to a service user who has not chosen yet,
  and requests to a worker (relationships ``requested``) the worker has not answered.
* **ending soon** — active relationships whose planned end is within ``ENDING_SOON``.
* **overdue check-ins** — active relationships whose check-ins are going unanswered, in the
  words of ``relationships.checkins``: a check-in still ``sent`` after ``answer_within``
  (the sweep is about to mark it missed), or a plan with missed check-ins in a row
  (``missed_in_row > 0``: the last one was missed and none answered since), or a plan whose
  next check-in is more than ``grace`` late going out. Plans the service user paused, and
  "no check-ins", never count.
* **flagged** — an open relationship with an unresolved safety flag on it or on its service
  user.
* **closed** — relationships that went ahead and are over: ``completed`` (reached their
  planned end) or ``ended_early``; "this month" counts those that ended since the first of
  the month in the service's time zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.deps import Deps
from bot.lifecycle import (
    OPEN_PROPOSAL,
    OPEN_RELATIONSHIP,
    PeerWorkerStatus,
    RelationshipStatus,
    ServiceUserStatus,
)
from bot.models import (
    AuditLog,
    Checkin,
    CheckinPlan,
    Coordinator,
    Exclusion,
    PeerWorkerProfile,
    Person,
    Proposal,
    Relationship,
    Role,
    SafetyFlag,
    WaitlistEntry,
)
from bot.offers import mapping, matchmaking, wording
from bot.relationships import fit
from bot.relationships.checkins import NO_CHECKINS
from bot.workers import service as workers
from bot.workers import supervision

PAGE_SIZE = 10
ENDING_SOON = timedelta(weeks=2)
CASELOAD_LINES = 30
CHECKIN_TREND = 6
ENDED = (RelationshipStatus.COMPLETED, RelationshipStatus.ENDED_EARLY)
NOT_GONE_AHEAD = (
    RelationshipStatus.DECLINED,
    RelationshipStatus.EXPIRED,
    RelationshipStatus.WITHDRAWN,
)

SU, PW = Role.SERVICE_USER, Role.PEER_WORKER

# filter -> (roles, statuses); in the order the filter buttons show them.
PEOPLE_FILTERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "waiting": ((SU,), (ServiceUserStatus.WAITING,)),
    "offered": ((SU,), (ServiceUserStatus.OFFERED, ServiceUserStatus.REQUESTED)),
    "matched": ((SU,), (ServiceUserStatus.MATCHED,)),
    "notnow": ((SU,), (ServiceUserStatus.NOT_NOW,)),
    "ended": ((SU,), (ServiceUserStatus.ENDED,)),
    "onboarding": ((SU, PW), (ServiceUserStatus.ONBOARDING,)),
    "workers": ((PW,), (PeerWorkerStatus.APPROVED,)),
    "pending": ((PW,), (PeerWorkerStatus.PENDING_APPROVAL,)),
    "stopped": (
        (SU, PW),
        (
            ServiceUserStatus.CANCELLED,
            ServiceUserStatus.DECLINED_CONSENT,
            PeerWorkerStatus.REJECTED,
            "consent_withdrawn",  # withdrew a consent matching needs
            "erased",  # personal data erased
        ),
    ),
}
RELATIONSHIP_FILTERS = (
    "open",
    "active",
    "paused",
    "ending",
    "overdue",
    "flagged",
    "requested",
    "ended",
)
_ALIASES = {
    "peerworkers": "workers",
    "worker": "workers",
    "pendingapproval": "pending",
    "endingsoon": "ending",
    "soon": "ending",
    "overduecheckins": "overdue",
    "asked": "requested",
    "all": "open",
    "closed": "ended",
}


def filter_name(raw: str, choices) -> str | None:
    """A filter typed after a command ('not now', 'ending_soon', 'Paused') or None."""
    key = "".join(ch for ch in raw.lower() if ch.isalnum())
    key = _ALIASES.get(key, key)
    return key if key in choices else None


# -- shared conditions ----------------------------------------------------------------------


def overdue_condition(deps: Deps, now: datetime):
    """A relationship whose check-ins are overdue (see the module docstring)."""
    settings = deps.config.checkins
    sent_late = (
        select(Checkin.id)
        .where(
            Checkin.relationship_id == Relationship.id,
            Checkin.status == "sent",
            Checkin.due_at <= now - settings.answer_within,
        )
        .exists()
    )
    plan_late = (
        select(CheckinPlan.relationship_id)
        .where(
            CheckinPlan.relationship_id == Relationship.id,
            CheckinPlan.paused.is_(False),
            CheckinPlan.cadence != NO_CHECKINS,
            or_(CheckinPlan.missed_in_row > 0, CheckinPlan.next_due_at <= now - settings.grace),
        )
        .exists()
    )
    return and_(Relationship.status == RelationshipStatus.ACTIVE, or_(sent_late, plan_late))


def _open_flag():
    return SafetyFlag.resolved_at.is_(None)


def flagged_condition():
    flag = (
        select(SafetyFlag.id)
        .where(
            _open_flag(),
            or_(
                SafetyFlag.relationship_id == Relationship.id,
                SafetyFlag.about_person_id == Relationship.service_user_id,
            ),
        )
        .exists()
    )
    return and_(Relationship.status.in_(OPEN_RELATIONSHIP), flag)


def _relationship_condition(deps: Deps, now: datetime, name: str):
    if name == "open":
        return Relationship.status.in_(OPEN_RELATIONSHIP)
    if name in ("active", "paused", "requested"):
        return Relationship.status == name
    if name == "ending":
        return and_(
            Relationship.status == RelationshipStatus.ACTIVE,
            Relationship.planned_end_at <= now + ENDING_SOON,
        )
    if name == "overdue":
        return overdue_condition(deps, now)
    if name == "flagged":
        return flagged_condition()
    return Relationship.status.in_(ENDED)


async def _count(session: AsyncSession, *conditions, model=Relationship) -> int:
    return (await session.exec(select(func.count()).select_from(model).where(*conditions))).one()


async def _count_by_status(session: AsyncSession, status, among: tuple[str, ...]) -> dict[str, int]:
    """How many rows are in each of the statuses ``among`` that has any (``status``: the
    column to count by)."""
    rows = await session.exec(
        select(status, func.count()).where(status.in_(among)).group_by(status)
    )
    return dict(rows.all())


# -- the dashboard --------------------------------------------------------------------------


@dataclass(frozen=True)
class Caseload:
    worker_id: int
    name: str
    open: int
    cap: int
    taking_new: bool
    reachable: bool
    held: int = 0  # places held by proposals: a card in review, an offer

    @property
    def full(self) -> bool:
        return self.open + self.held >= self.cap


@dataclass(frozen=True)
class Figures:
    at: datetime
    waiting: int
    longest_wait: timedelta | None
    to_review: int
    choosing: int
    workers_asked: int
    active: int
    paused: int
    ending_soon: int
    overdue: int
    flags_open: int
    flags_over_hour: int
    flags_over_day: int
    flags_unacknowledged: int
    pending_workers: int
    caseloads: list[Caseload]
    # closed relationships: (this month, all time)
    completed: tuple[int, int] = (0, 0)
    ended_early: tuple[int, int] = (0, 0)
    # "Is this a good fit?", every answer so far: answer -> how many, for each side
    supervision_overdue: int = 0
    fit_service_users: dict[str, int] = field(default_factory=dict)
    fit_workers: dict[str, int] = field(default_factory=dict)


def month_start(deps: Deps, now: datetime) -> datetime:
    """Midnight on the first of this month where the service is, as an aware datetime."""
    local = now.astimezone(deps.config.tz)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


async def closed_counts(
    deps: Deps, session: AsyncSession, now: datetime
) -> dict[str, tuple[int, int]]:
    """Completed and ended-early relationships: (ended this month, all time) for each."""
    this_month = case((Relationship.ended_at >= month_start(deps, now), 1), else_=0)
    rows = (
        await session.exec(
            select(Relationship.status, func.sum(this_month), func.count())
            .where(Relationship.status.in_(ENDED))
            .group_by(Relationship.status)
        )
    ).all()
    found = {status: (int(month or 0), int(total)) for status, month, total in rows}
    return {status: found.get(status, (0, 0)) for status in ENDED}


async def figures(deps: Deps, session: AsyncSession) -> Figures:
    now = deps.now()
    waiting, oldest = (
        await session.exec(
            select(func.count(Person.id), func.min(WaitlistEntry.since))
            .select_from(Person)
            .join(WaitlistEntry, WaitlistEntry.service_user_id == Person.id, isouter=True)
            .where(Person.role == SU, Person.status == ServiceUserStatus.WAITING)
        )
    ).one()
    by_status = await _count_by_status(session, Relationship.status, OPEN_RELATIONSHIP)
    proposals = await _count_by_status(session, Proposal.status, OPEN_PROPOSAL)
    raised = (await session.exec(select(SafetyFlag).where(_open_flag()))).all()
    closed = await closed_counts(deps, session, now)
    return Figures(
        at=now,
        waiting=waiting,
        longest_wait=now - oldest if oldest is not None else None,
        to_review=proposals.get(matchmaking.REVIEW, 0),
        choosing=proposals.get(matchmaking.OFFERED, 0),
        workers_asked=by_status.get(RelationshipStatus.REQUESTED, 0),
        active=by_status.get(RelationshipStatus.ACTIVE, 0),
        paused=by_status.get(RelationshipStatus.PAUSED, 0),
        ending_soon=await _count(session, _relationship_condition(deps, now, "ending")),
        overdue=await _count(session, overdue_condition(deps, now)),
        flags_open=len(raised),
        flags_over_hour=sum(1 for f in raised if now - f.raised_at > timedelta(hours=1)),
        flags_over_day=sum(1 for f in raised if now - f.raised_at > timedelta(days=1)),
        flags_unacknowledged=sum(1 for f in raised if f.acknowledged_at is None),
        pending_workers=await _count(
            session,
            Person.role == PW,
            Person.status == PeerWorkerStatus.PENDING_APPROVAL,
            model=Person,
        ),
        caseloads=await caseloads(session),
        supervision_overdue=await supervision.overdue_count(deps, session),
        fit_service_users=await _count_by_status(
            session, Relationship.fit_service_user, (*fit.FOR_SERVICE_USER, fit.TALK)
        ),
        fit_workers=await _count_by_status(
            session, Relationship.fit_worker, (*fit.FOR_WORKER, fit.TALK)
        ),
        completed=closed[RelationshipStatus.COMPLETED],
        ended_early=closed[RelationshipStatus.ENDED_EARLY],
    )


async def caseloads(session: AsyncSession, released: Iterable[int] = ()) -> list[Caseload]:
    """Every approved worker's open relationships (requested, active, paused) and the places
    proposals hold for them, against their cap: what matching counts to decide whether they
    have room. ``released``: proposals whose places count as free (being decided again)."""
    rows = (
        await session.exec(
            select(Person, PeerWorkerProfile)
            .join(PeerWorkerProfile, PeerWorkerProfile.person_id == Person.id)
            .where(Person.role == PW, Person.status == PeerWorkerStatus.APPROVED)
            .order_by(PeerWorkerProfile.display_name, Person.id)
        )
    ).all()
    ids = [person.id for person, _ in rows]
    counts = await mapping.open_caseloads(session, ids)
    held = await mapping.held_by_proposals(session, ids, released)
    return [
        Caseload(
            worker_id=person.id,
            name=profile.display_name,
            open=counts.get(person.id, 0),
            cap=profile.max_caseload,
            taking_new=profile.taking_new_matches,
            reachable=person.reachable,
            held=held.get(person.id, 0),
        )
        for person, profile in rows
    ]


# -- lists ----------------------------------------------------------------------------------


@dataclass
class Page:
    kind: str  # "pl" (people) or "rl" (relationships)
    filter: str
    number: int  # from 0
    pages: int
    total: int
    rows: list = field(default_factory=list)


@dataclass(frozen=True)
class PersonRow:
    person: Person
    since: datetime | None  # in this status since (the wait, for someone waiting)
    worker: PeerWorkerProfile | None = None
    caseload: int = 0


@dataclass(frozen=True)
class RelationshipRow:
    relationship: Relationship
    worker_name: str
    flagged: bool
    overdue: bool


def _clamp(number: int, total: int) -> tuple[int, int]:
    pages = max(1, -(-total // PAGE_SIZE))
    return min(max(number, 0), pages - 1), pages


async def status_since(session: AsyncSession, persons: list[Person]) -> dict[int, datetime]:
    """When each person entered their current status, from the audit trail."""
    if not persons:
        return {}
    rows = (
        await session.exec(
            select(AuditLog.subject_id, AuditLog.action, func.max(AuditLog.at))
            .where(
                AuditLog.subject_type == "person",
                AuditLog.subject_id.in_([p.id for p in persons]),
            )
            .group_by(AuditLog.subject_id, AuditLog.action)
        )
    ).all()
    latest = {(subject, action): at for subject, action, at in rows}
    found = {}
    for person in persons:
        at = latest.get((person.id, f"{person.role}.{person.status}"))
        found[person.id] = at or person.updated_at
    return found


async def people_page(deps: Deps, session: AsyncSession, name: str, number: int) -> Page:
    roles, statuses = PEOPLE_FILTERS[name]
    condition = and_(Person.role.in_(roles), Person.status.in_(statuses))
    total = await _count(session, condition, model=Person)
    number, pages = _clamp(number, total)
    statement = (
        select(Person)
        .join(WaitlistEntry, WaitlistEntry.service_user_id == Person.id, isouter=True)
        .where(condition)
    )
    if name == "waiting":  # longest wait first
        statement = statement.order_by(WaitlistEntry.since.is_(None), WaitlistEntry.since)
    persons = list(
        (
            await session.exec(
                statement.order_by(Person.id).offset(number * PAGE_SIZE).limit(PAGE_SIZE)
            )
        ).all()
    )
    ids = [p.id for p in persons]
    since = await status_since(session, persons)
    entries = {
        e.service_user_id: e
        for e in (
            await session.exec(select(WaitlistEntry).where(WaitlistEntry.service_user_id.in_(ids)))
        ).all()
    }
    profiles = {
        p.person_id: p
        for p in (
            await session.exec(
                select(PeerWorkerProfile).where(PeerWorkerProfile.person_id.in_(ids))
            )
        ).all()
    }
    counts = await mapping.open_caseloads(session, list(profiles))
    rows = []
    for person in persons:
        entry = entries.get(person.id)
        waited_since = entry.since if entry and person.status == ServiceUserStatus.WAITING else None
        rows.append(
            PersonRow(
                person=person,
                since=waited_since or since[person.id],
                worker=profiles.get(person.id) if person.role == PW else None,
                caseload=counts.get(person.id, 0),
            )
        )
    return Page("pl", name, number, pages, total, rows)


async def relationships_page(deps: Deps, session: AsyncSession, name: str, number: int) -> Page:
    now = deps.now()
    condition = _relationship_condition(deps, now, name)
    total = await _count(session, condition)
    number, pages = _clamp(number, total)
    order = {
        "ending": (Relationship.planned_end_at, Relationship.id),
        "ended": (Relationship.ended_at.desc(), Relationship.id.desc()),
    }.get(name, (Relationship.id,))
    found = list(
        (
            await session.exec(
                select(Relationship)
                .where(condition)
                .order_by(*order)
                .offset(number * PAGE_SIZE)
                .limit(PAGE_SIZE)
            )
        ).all()
    )
    return Page("rl", name, number, pages, total, await relationship_rows(deps, session, found))


async def relationship_rows(
    deps: Deps, session: AsyncSession, relationships: list[Relationship]
) -> list[RelationshipRow]:
    ids = [r.id for r in relationships]
    if not ids:
        return []
    now = deps.now()
    flagged = set(
        (
            await session.exec(
                select(Relationship.id).where(Relationship.id.in_(ids), flagged_condition())
            )
        ).all()
    )
    overdue = set(
        (
            await session.exec(
                select(Relationship.id).where(
                    Relationship.id.in_(ids), overdue_condition(deps, now)
                )
            )
        ).all()
    )
    names = await worker_names(session, {r.peer_worker_id for r in relationships})
    return [
        RelationshipRow(r, names.get(r.peer_worker_id, ""), r.id in flagged, r.id in overdue)
        for r in relationships
    ]


async def worker_names(session: AsyncSession, worker_ids) -> dict[int, str]:
    ids = list(worker_ids)
    if not ids:
        return {}
    rows = await session.exec(
        select(PeerWorkerProfile.person_id, PeerWorkerProfile.display_name).where(
            PeerWorkerProfile.person_id.in_(ids)
        )
    )
    return dict(rows.all())


# -- cards ----------------------------------------------------------------------------------


@dataclass
class CheckinTrend:
    scores: list[int]  # the last few answered, oldest first
    answered: int
    missed: int
    awaiting: int


@dataclass
class FlagSummary:
    open: list[SafetyFlag]
    resolved: int


@dataclass
class PersonCard:
    person: Person
    since: datetime
    relationships: list[RelationshipRow]
    flags: FlagSummary
    entry: WaitlistEntry | None = None
    proposal: Proposal | None = None
    exclusions: list[Exclusion] = field(default_factory=list)
    trend: CheckinTrend | None = None
    worker: PeerWorkerProfile | None = None
    caseload: int = 0
    declined_by_worker: int = 0  # requests this worker declined or let expire
    profile: str = ""  # a worker waiting for approval: the profile to review
    name: str = ""  # a service user: "Sam (U3)" if they let coordinators see it, else "U3"


@dataclass
class RelationshipCard:
    row: RelationshipRow
    plan: CheckinPlan | None
    trend: CheckinTrend
    flags: FlagSummary


async def _trend(session: AsyncSession, *conditions) -> CheckinTrend:
    counts = dict(
        (
            await session.exec(
                select(Checkin.status, func.count())
                .join(Relationship, Relationship.id == Checkin.relationship_id)
                .where(*conditions)
                .group_by(Checkin.status)
            )
        ).all()
    )
    recent = (
        await session.exec(
            select(Checkin.score)
            .join(Relationship, Relationship.id == Checkin.relationship_id)
            .where(*conditions, Checkin.status == "answered", Checkin.score.is_not(None))
            .order_by(Checkin.due_at.desc(), Checkin.id.desc())
            .limit(CHECKIN_TREND)
        )
    ).all()
    return CheckinTrend(
        scores=list(reversed(recent)),
        answered=counts.get("answered", 0),
        missed=counts.get("missed", 0),
        awaiting=counts.get("sent", 0),
    )


async def _flags(session: AsyncSession, condition) -> FlagSummary:
    rows = (
        await session.exec(select(SafetyFlag).where(condition).order_by(SafetyFlag.raised_at))
    ).all()
    return FlagSummary(
        open=[f for f in rows if f.resolved_at is None],
        resolved=sum(1 for f in rows if f.resolved_at is not None),
    )


async def person_card(deps: Deps, session: AsyncSession, person_id: int) -> PersonCard | None:
    person = await session.get(Person, person_id)
    if person is None or person.role not in (SU, PW):
        return None
    since = (await status_since(session, [person]))[person.id]
    side = (
        Relationship.service_user_id if person.role == SU else Relationship.peer_worker_id
    ) == person.id
    relationships = (
        await session.exec(
            select(Relationship).where(side).order_by(Relationship.created_at, Relationship.id)
        )
    ).all()
    card = PersonCard(
        person=person,
        since=since,
        relationships=await relationship_rows(deps, session, list(relationships)),
        flags=await _flags(session, SafetyFlag.about_person_id == person.id),
    )
    if person.role == SU:
        card.name = await wording.coordinator_name(session, person.id)
        card.entry = await session.get(WaitlistEntry, person.id)
        card.proposal = await matchmaking.open_proposal(session, person.id)
        card.exclusions = list(
            (
                await session.exec(
                    select(Exclusion)
                    .where(Exclusion.service_user_id == person.id)
                    .order_by(Exclusion.created_at, Exclusion.id)
                )
            ).all()
        )
        card.trend = await _trend(session, Relationship.service_user_id == person.id)
    else:
        card.worker = await session.get(PeerWorkerProfile, person.id)
        card.caseload = (await mapping.open_caseloads(session, [person.id])).get(person.id, 0)
        if card.worker is not None and person.status == PeerWorkerStatus.PENDING_APPROVAL:
            card.profile = await workers.profile_card(deps, session, person.id)
        card.declined_by_worker = sum(
            1
            for r in relationships
            if r.status in (RelationshipStatus.DECLINED, RelationshipStatus.EXPIRED)
        )
    return card


async def relationship_card(
    deps: Deps, session: AsyncSession, relationship_id: int
) -> RelationshipCard | None:
    relationship = await session.get(Relationship, relationship_id)
    if relationship is None:
        return None
    (row,) = await relationship_rows(deps, session, [relationship])
    return RelationshipCard(
        row=row,
        plan=await session.get(CheckinPlan, relationship.id),
        trend=await _trend(session, Relationship.id == relationship.id),
        flags=await _flags(
            session,
            or_(
                SafetyFlag.relationship_id == relationship.id,
                SafetyFlag.about_person_id == relationship.service_user_id,
            ),
        ),
    )


async def roles_of(session: AsyncSession, person_ids) -> dict[int, str | None]:
    ids = list(person_ids)
    if not ids:
        return {}
    return dict(
        (await session.exec(select(Person.id, Person.role).where(Person.id.in_(ids)))).all()
    )


# -- the audit trail ------------------------------------------------------------------------


@dataclass
class AuditPage:
    number: int
    pages: int
    total: int
    rows: list[AuditLog]
    roles: dict[int, str | None]  # person subjects: their role, for U/W refs


def _by_a_coordinator():
    return select(Coordinator.id).where(Coordinator.person_id == AuditLog.actor_person_id).exists()


async def audit_page(deps: Deps, session: AsyncSession, number: int) -> AuditPage:
    """Coordinators' actions (anyone who is or was a coordinator), newest first."""
    total = await _count(session, _by_a_coordinator(), model=AuditLog)
    number, pages = _clamp(number, total)
    rows = list(
        (
            await session.exec(
                select(AuditLog)
                .where(_by_a_coordinator())
                .order_by(AuditLog.at.desc(), AuditLog.id.desc())
                .offset(number * PAGE_SIZE)
                .limit(PAGE_SIZE)
            )
        ).all()
    )
    subjects = {r.subject_id for r in rows if r.subject_type == "person" and r.subject_id}
    return AuditPage(number, pages, total, rows, await roles_of(session, subjects))


async def workers_with_room(session: AsyncSession, person_id: int) -> list[Caseload]:
    """Approved, reachable workers taking new matches with a free place, for a hand match of
    this person: a place their own open proposal holds is free for them (the hand match
    replaces that proposal)."""
    free = await caseloads(session, await matchmaking.released_for_hand_match(session, person_id))
    return [c for c in free if c.taking_new and c.reachable and not c.full]
