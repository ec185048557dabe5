"""Plain builders for service tests: rows written straight into a session, no Telegram.

Each builder takes an open ``AsyncSession`` (inside ``transaction(deps.sessions)``) and
keyword arguments for what a test varies, and returns the row, flushed so it has its id.
A status is always reached the legitimate way: the builder walks the shortest run of moves
from no status through lifecycle's own tables (``path``), so every row has the audit trail
the code would have left, and a status the tables cannot reach is refused. A status is only
a status: someone built as "erased" still has their data (``bot.privacy.erasure`` erases).

    async with transaction(deps.sessions) as session:
        relationship = await factories.relationship(session, status=RelationshipStatus.ACTIVE)

``deps_for`` builds the ``Deps`` a service function takes, over the test database and the
fake clock, and syncs the reference data the bot syncs at start-up (the lived-experience
taxonomy, and the bootstrap coordinator ``COORDINATOR_ID``).
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import lifecycle, roles
from bot.admin import service as admin
from bot.db import session_factory, transaction
from bot.deps import Deps
from bot.lifecycle import (
    CHECKIN_TRANSITIONS,
    PROPOSAL_TRANSITIONS,
    RELATIONSHIP_TRANSITIONS,
    CheckinStatus,
    PeerWorkerStatus,
    ProposalStatus,
    RelationshipStatus,
    ServiceUserStatus,
)
from bot.models import (
    AvailabilitySlot,
    Checkin,
    CheckinPlan,
    ConsentKind,
    ConsentRecord,
    FlagKind,
    PeerWorkerProfile,
    Person,
    PersonLanguage,
    PersonLivedExperience,
    Proposal,
    Relationship,
    Role,
    SafetyFlag,
    ServiceUserProfile,
    WaitlistEntry,
)
from bot.texts import consent_text_version
from tests.conftest import make_config

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # where the fake clock starts (conftest)
ZONE = "Australia/Brisbane"  # the example configuration's service time zone
EVENINGS = ((1, 17 * 60, 21 * 60), (3, 17 * 60, 21 * 60))  # Tue and Thu 17:00-21:00, local
_telegram_ids = itertools.count(700_000)

# -- the transition tables, one shape for all ------------------------------------------------

Table = Mapping[str | None, set[str]]


def _person_table(role: Role, statuses: type[StrEnum]) -> dict[str | None, set[str]]:
    """A role's moves, read through lifecycle's own predicate (its table is private)."""
    return {
        current: {new for new in statuses if lifecycle.can_transition(role, current, new)}
        for current in (None, *statuses)
    }


ROLE_STATUSES: dict[Role, type[StrEnum]] = {
    Role.SERVICE_USER: ServiceUserStatus,
    Role.PEER_WORKER: PeerWorkerStatus,
}
# name -> (every status of the row, the moves allowed between them); None is "no status yet".
TABLES: dict[str, tuple[type[StrEnum], Table]] = {
    **{role.value: (enum, _person_table(role, enum)) for role, enum in ROLE_STATUSES.items()},
    "relationship": (RelationshipStatus, RELATIONSHIP_TRANSITIONS),
    "proposal": (ProposalStatus, PROPOSAL_TRANSITIONS),
    "checkin": (CheckinStatus, CHECKIN_TRANSITIONS),
}


def path(table: str, status: str | None) -> list[str]:
    """The shortest run of allowed moves from no status to ``status`` (``[]`` for None)."""
    moves = TABLES[table][1]
    queue: deque[tuple[str | None, list[str]]] = deque([(None, [])])
    seen: set[str | None] = {None}
    while queue:
        current, steps = queue.popleft()
        if current == status:
            return steps
        for new in sorted(moves.get(current, ())):
            if new not in seen:
                seen.add(new)
                queue.append((new, [*steps, new]))
    raise ValueError(f"no run of allowed moves reaches {table} {status!r}")


# -- Deps over the test database ---------------------------------------------------------------


async def deps_for(database: tuple[str, AsyncEngine], clock: Any, **sections: Any) -> Deps:
    """Deps as the bot builds them, with ``make_config(url, **sections)``; reference data
    synced as at start-up."""
    url, engine = database
    deps = Deps(config=make_config(url, **sections), sessions=session_factory(engine), clock=clock)
    async with transaction(deps.sessions) as session:
        await admin.sync_reference_data(deps, session)
    return deps


# -- people -------------------------------------------------------------------------------------


async def person(
    session: AsyncSession, *, telegram_id: int | None = None, at: datetime = START
) -> Person:
    """Someone who has talked to the bot and holds no role yet."""
    row = Person(telegram_id=telegram_id or next(_telegram_ids), created_at=at, updated_at=at)
    session.add(row)
    await session.flush()
    return row


async def _walk(session: AsyncSession, row: Person, role: Role, status: str, at: datetime) -> list:
    steps = path(role.value, status)
    for step in steps:
        await lifecycle.transition(session, row, step, at=at, actor_id=None, role=role)
    return steps


def _about_them(person_id: int, areas: Iterable[str], languages: Iterable[str], slots) -> list:
    return [
        *(PersonLivedExperience(person_id=person_id, area_key=key) for key in areas),
        *(PersonLanguage(person_id=person_id, language=code) for code in languages),
        *(
            AvailabilitySlot(person_id=person_id, weekday=d, start_minute=s, end_minute=e)
            for d, s, e in slots
        ),
    ]


async def service_user(
    session: AsyncSession,
    *,
    status: str = ServiceUserStatus.WAITING,
    at: datetime = START,
    telegram_id: int | None = None,
    perspective: str = "consumer",
    areas: Iterable[str] = ("hospital",),
    languages: Iterable[str] = ("en",),
    timezone: str = ZONE,
    slots: Iterable[tuple[int, int, int]] = EVENINGS,
    preferred_name: str | None = None,
    last_seen_at: datetime | None = None,
) -> Person:
    """A service user at ``status``. Once past onboarding (their path went through waiting)
    they have what onboarding leaves: the three consents, a profile with lived experience,
    languages and availability (no preferences: the engine reads none as "no preference"),
    and, while they wait for us, a place on the waitlist. (Consents stay as given: a
    withdrawal is not recorded for "consent_withdrawn".)"""
    row = await person(session, telegram_id=telegram_id, at=at)
    steps = await _walk(session, row, Role.SERVICE_USER, status, at)
    row.last_seen_at = last_seen_at
    if ServiceUserStatus.WAITING in steps:
        session.add_all(
            ConsentRecord(
                person_id=row.id,
                kind=kind,
                agreed=True,
                text_version=consent_text_version(),
                recorded_at=at,
            )
            for kind in ConsentKind
        )
        session.add(
            ServiceUserProfile(
                person_id=row.id,
                perspective=perspective,
                timezone=timezone,
                preferred_name=preferred_name,
                submitted_at=at,
                updated_at=at,
            )
        )
        session.add_all(_about_them(row.id, areas, languages, slots))
    waiting = (ServiceUserStatus.WAITING, ServiceUserStatus.OFFERED, ServiceUserStatus.REQUESTED)
    if status in waiting:
        session.add(WaitlistEntry(service_user_id=row.id, since=at))
    await session.flush()
    return row


async def peer_worker(
    session: AsyncSession,
    *,
    status: str = PeerWorkerStatus.APPROVED,
    at: datetime = START,
    telegram_id: int | None = None,
    name: str = "Robin",
    max_caseload: int = 2,
    consumer: bool = True,
    carer: bool = False,
    areas: Iterable[str] = ("hospital",),
    languages: Iterable[str] = ("en",),
    timezone: str = ZONE,
    slots: Iterable[tuple[int, int, int]] = EVENINGS,
    taking_new_matches: bool = True,
    wellbeing_checkins: bool = True,
    wellbeing_next_due_at: datetime | None = None,
) -> Person:
    """A peer worker at ``status`` (approved by default); once their profile was sent for
    approval they have it, with a caseload cap of ``max_caseload``."""
    row = await person(session, telegram_id=telegram_id, at=at)
    steps = await _walk(session, row, Role.PEER_WORKER, status, at)
    if PeerWorkerStatus.PENDING_APPROVAL in steps:
        reviewed = at if steps[-1] != PeerWorkerStatus.PENDING_APPROVAL else None
        session.add(
            PeerWorkerProfile(
                person_id=row.id,
                display_name=name,
                bio=f"Hi, I'm {name}.",
                is_consumer=consumer,
                is_carer=carer,
                gender="woman",
                timezone=timezone,
                max_caseload=max_caseload,
                taking_new_matches=taking_new_matches,
                wellbeing_checkins=wellbeing_checkins,
                wellbeing_next_due_at=wellbeing_next_due_at,
                submitted_at=at,
                updated_at=at,
                reviewed_at=reviewed,
            )
        )
        session.add_all(_about_them(row.id, areas, languages, slots))
    await session.flush()
    return row


async def coordinator(
    session: AsyncSession, *, telegram_id: int | None = None, at: datetime = START
) -> Person:
    """A coordinator added by invite (``deps_for`` already made ``COORDINATOR_ID`` one)."""
    row = await person(session, telegram_id=telegram_id, at=at)
    await roles.become_coordinator(
        session, row, source="invite", at=at, actor_id=None, why="test coordinator"
    )
    await session.flush()
    return row


# -- what happens between them ------------------------------------------------------------------

# Where the service user stands while their relationship is at each status.
USER_STATUS_FOR: dict[str, str] = {
    RelationshipStatus.REQUESTED: ServiceUserStatus.REQUESTED,
    RelationshipStatus.ACTIVE: ServiceUserStatus.MATCHED,
    RelationshipStatus.PAUSED: ServiceUserStatus.MATCHED,
    RelationshipStatus.DECLINED: ServiceUserStatus.WAITING,
    RelationshipStatus.EXPIRED: ServiceUserStatus.WAITING,
    RelationshipStatus.WITHDRAWN: ServiceUserStatus.WAITING,
    RelationshipStatus.ENDED_EARLY: ServiceUserStatus.ENDED,
    RelationshipStatus.COMPLETED: ServiceUserStatus.ENDED,
}


async def relationship(
    session: AsyncSession,
    *,
    status: str = RelationshipStatus.ACTIVE,
    user: Person | None = None,
    worker: Person | None = None,
    at: datetime = START,
    reason: str | None = None,
    **fields: Any,
) -> Relationship:
    """A service user and a peer worker (made to fit ``status`` unless given) at ``status``.

    A request has the example configuration's deadlines (answer within 3 days, reminder
    half-way), an active one its planned end 12 weeks on; ``fields`` (``first_contact_at``,
    ``planned_end_at``, ``review_at``…) are set last, over what the moves wrote."""
    user = user or await service_user(session, status=USER_STATUS_FOR[status], at=at)
    worker = worker or await peer_worker(session, at=at)
    row = Relationship(
        service_user_id=user.id, peer_worker_id=worker.id, created_at=at, updated_at=at
    )
    steps = path("relationship", status)
    if RelationshipStatus.REQUESTED in steps:
        row.respond_by, row.reminder_due_at = at + timedelta(days=3), at + timedelta(days=1.5)
    if RelationshipStatus.ACTIVE in steps:
        row.planned_end_at = at + timedelta(weeks=12)
    if RelationshipStatus.PAUSED in steps:
        row.paused_at, row.review_at = at, at + timedelta(weeks=1)
    session.add(row)
    for step in steps:
        await lifecycle.transition_relationship(
            session, row, step, at=at, actor_id=None, reason=reason
        )
    for name, value in fields.items():
        setattr(row, name, value)
    await session.flush()
    return row


async def proposal(
    session: AsyncSession,
    *,
    status: str = ProposalStatus.REVIEW,
    user: Person | None = None,
    workers: Iterable[Person] = (),
    at: datetime = START,
    source: str = "auto",
) -> Proposal:
    """A proposal of ``workers`` for ``user`` (someone waiting, or offered for an offer)."""
    if user is None:
        offered = status == ProposalStatus.OFFERED
        user_status = ServiceUserStatus.OFFERED if offered else ServiceUserStatus.WAITING
        user = await service_user(session, status=user_status, at=at)
    ids = [worker.id for worker in workers]
    row = Proposal(
        service_user_id=user.id,
        source=source,
        candidates=[{"worker_id": i, "score": 80, "components": {}, "reasons": []} for i in ids],
        created_at=at,
    )
    steps = path("proposal", status)
    if ProposalStatus.OFFERED in steps:
        row.offered_worker_ids, row.decided_at = ids, at
    for step in steps:
        await lifecycle.transition_proposal(session, row, step, at=at, actor_id=None)
    await session.flush()
    return row


async def checkin_plan(
    session: AsyncSession,
    relationship: Relationship,
    *,
    cadence: str = "weekly",
    next_due_at: datetime | None = None,
    weekday: int = 1,
    minute: int = 18 * 60,
    timezone: str = ZONE,
    paused: bool = False,
    missed_in_row: int = 0,
) -> CheckinPlan:
    """A service user's check-in rhythm (weekly, Tuesdays at 18:00 their time, by default)."""
    row = CheckinPlan(
        relationship_id=relationship.id,
        cadence=cadence,
        weekday=weekday,
        minute=minute,
        timezone=timezone,
        paused=paused,
        next_due_at=next_due_at,
        missed_in_row=missed_in_row,
    )
    session.add(row)
    await session.flush()
    return row


async def checkin(
    session: AsyncSession,
    relationship: Relationship,
    *,
    status: str = CheckinStatus.SENT,
    due_at: datetime = START,
    at: datetime | None = None,
    score: int | None = None,
) -> Checkin:
    """One check-in of ``relationship``, due at ``due_at``, moved to ``status`` at ``at``."""
    row = Checkin(relationship_id=relationship.id, due_at=due_at, score=score)
    for step in path("checkin", status):
        await lifecycle.transition_checkin(session, row, step, at=at or due_at, actor_id=None)
    await session.flush()
    return row


async def safety_flag(
    session: AsyncSession,
    *,
    about: Person | None = None,
    kind: str = FlagKind.RISK,
    category: str = "suicide",
    source: str = "bot",
    at: datetime = START,
    raised_by: Person | None = None,
    relationship: Relationship | None = None,
    **fields: Any,
) -> SafetyFlag:
    """A flag in the coordinators' queue, raised at ``at`` and audited as the code audits it
    (``fields``: ``acknowledged_at``, ``resolved_at``, ``escalations``…)."""
    about = about or await service_user(session, at=at)
    row = SafetyFlag(
        kind=kind,
        about_person_id=about.id,
        raised_by_person_id=raised_by.id if raised_by else None,
        relationship_id=relationship.id if relationship else None,
        source=source,
        category=category,
        raised_at=at,
        **fields,
    )
    session.add(row)
    await session.flush()
    await lifecycle.audit(
        session,
        at=at,
        actor_id=raised_by.id if raised_by else None,
        action="flag.raised",
        subject_type="safety_flag",
        subject_id=row.id,
        reason=category,
    )
    await session.flush()
    return row
