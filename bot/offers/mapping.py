"""From database rows to the matching engine's own types (and nothing else)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Config
from bot.lifecycle import OPEN_PROPOSAL, OPEN_RELATIONSHIP, PeerWorkerStatus
from bot.models import (
    AvailabilitySlot,
    Exclusion,
    PeerWorkerProfile,
    Person,
    PersonLanguage,
    PersonLivedExperience,
    Preference,
    Proposal,
    Relationship,
    Role,
    ServiceUserProfile,
)
from matching import Availability, Need, Offer, WeeklySlot, Weight, Weights
from matching import Preference as EnginePreference


def weights(config: Config) -> Weights:
    w = config.matching.weights
    return Weights(
        lived_experience=w.lived_experience,
        availability=w.availability,
        preferences=w.preferences,
        load=w.load,
        continuity=w.continuity,
        min_overlap_minutes=int(config.matching.min_overlap.total_seconds() // 60),
    )


async def _grouped(session: AsyncSession, column, person_ids: list[int]) -> dict[int, set]:
    table = column.class_
    rows = await session.exec(
        select(table.person_id, column).where(table.person_id.in_(person_ids))
    )
    grouped: dict[int, set] = defaultdict(set)
    for person_id, value in rows.all():
        grouped[person_id].add(value)
    return grouped


async def _slots(session: AsyncSession, person_ids: list[int]) -> dict[int, list[WeeklySlot]]:
    rows = await session.exec(
        select(AvailabilitySlot).where(AvailabilitySlot.person_id.in_(person_ids))
    )
    slots: dict[int, list[WeeklySlot]] = defaultdict(list)
    for row in rows.all():
        slots[row.person_id].append(WeeklySlot(row.weekday, row.start_minute, row.end_minute))
    return slots


async def open_caseloads(session: AsyncSession, worker_ids: Iterable[int]) -> dict[int, int]:
    rows = await session.exec(
        select(Relationship.peer_worker_id, func.count())
        .where(
            Relationship.peer_worker_id.in_(list(worker_ids)),
            Relationship.status.in_(OPEN_RELATIONSHIP),
        )
        .group_by(Relationship.peer_worker_id)
    )
    return dict(rows.all())


async def held_by_proposals(
    session: AsyncSession, worker_ids: Iterable[int], released: Iterable[int] = ()
) -> dict[int, int]:
    """Places held by open proposals: a card in review holds its worker's, an offer each
    offered worker's (``Proposal.offered_worker_ids``), so that what a person is shown is
    theirs to choose. ``released``: proposals to leave out (being decided again)."""
    wanted, left_out = set(worker_ids), set(released)
    rows = await session.exec(
        select(Proposal.id, Proposal.offered_worker_ids).where(Proposal.status.in_(OPEN_PROPOSAL))
    )
    held: dict[int, int] = defaultdict(int)
    for proposal_id, worker_ids_held in rows.all():
        if proposal_id in left_out:
            continue
        for worker_id in worker_ids_held or ():
            if worker_id in wanted:
                held[worker_id] += 1
    return dict(held)


async def proposed_elsewhere(
    session: AsyncSession, worker_ids: Iterable[int], proposal_id: int
) -> dict[int, list[int]]:
    """For a card's candidates: the people other open proposals hold each of them for (their
    card in review, or an offer), worker id -> service user ids."""
    wanted = set(worker_ids)
    rows = await session.exec(
        select(Proposal.id, Proposal.service_user_id, Proposal.offered_worker_ids).where(
            Proposal.status.in_(OPEN_PROPOSAL), Proposal.id != proposal_id
        )
    )
    elsewhere: dict[int, list[int]] = defaultdict(list)
    for _id, service_user_id, worker_ids_held in rows.all():
        for worker_id in worker_ids_held or ():
            if worker_id in wanted:
                elsewhere[worker_id].append(service_user_id)
    return dict(elsewhere)


async def places_taken(
    session: AsyncSession, worker_ids: Iterable[int], released: Iterable[int] = ()
) -> dict[int, int]:
    """A worker's places in use: their open relationships (a request holds one too) and
    the places open proposals hold."""
    worker_ids = list(worker_ids)
    caseloads = await open_caseloads(session, worker_ids)
    return _with_holds(caseloads, await held_by_proposals(session, worker_ids, released))


def _with_holds(caseloads: dict[int, int], held: dict[int, int]) -> dict[int, int]:
    return {i: caseloads.get(i, 0) + held.get(i, 0) for i in caseloads.keys() | held.keys()}


async def approved_workers(session: AsyncSession) -> int:
    approved = (Person.role == Role.PEER_WORKER, Person.status == PeerWorkerStatus.APPROVED)
    return (await session.exec(select(func.count()).where(*approved))).one()


async def offers(session: AsyncSession, released: Iterable[int] = ()) -> list[Offer]:
    """Every approved peer worker, with the room they have left once every place in use or
    held is counted (``places_taken``; ``released``: proposals being decided again)."""
    rows = (
        await session.exec(
            select(Person, PeerWorkerProfile)
            .join(PeerWorkerProfile, PeerWorkerProfile.person_id == Person.id)
            .where(Person.role == Role.PEER_WORKER, Person.status == PeerWorkerStatus.APPROVED)
        )
    ).all()
    ids = [person.id for person, _ in rows]
    areas = await _grouped(session, PersonLivedExperience.area_key, ids)
    languages = await _grouped(session, PersonLanguage.language, ids)
    slots = await _slots(session, ids)
    caseloads = await open_caseloads(session, ids)
    taken = _with_holds(caseloads, await held_by_proposals(session, ids, released))
    return [
        Offer(
            id=person.id,
            consumer=profile.is_consumer,
            carer=profile.is_carer,
            areas=frozenset(areas[person.id]),
            languages=frozenset(languages[person.id]),
            availability=Availability(profile.timezone, tuple(slots[person.id])),
            capacity_left=max(profile.max_caseload - taken.get(person.id, 0), 0),
            caseload=caseloads.get(person.id, 0),
            max_caseload=profile.max_caseload,
            gender=profile.gender,
            age_band=profile.age_band,
            communities=frozenset(profile.communities),
            active=profile.taking_new_matches and person.reachable,
        )
        for person, profile in rows
    ]


async def needs(session: AsyncSession, person_ids: list[int]) -> list[Need]:
    profiles = (
        await session.exec(
            select(ServiceUserProfile).where(ServiceUserProfile.person_id.in_(person_ids))
        )
    ).all()
    areas = await _grouped(session, PersonLivedExperience.area_key, person_ids)
    languages = await _grouped(session, PersonLanguage.language, person_ids)
    slots = await _slots(session, person_ids)
    preferences: dict[int, dict[str, EnginePreference]] = defaultdict(dict)
    for row in (
        await session.exec(select(Preference).where(Preference.person_id.in_(person_ids)))
    ).all():
        preferences[row.person_id][row.attribute] = EnginePreference(
            frozenset(row.choices), Weight(row.weight)
        )
    excluded: dict[int, set[int]] = defaultdict(set)
    for row in (
        await session.exec(select(Exclusion).where(Exclusion.service_user_id.in_(person_ids)))
    ).all():
        excluded[row.service_user_id].add(row.peer_worker_id)
    return [
        Need(
            id=profile.person_id,
            perspective=profile.perspective,
            areas=frozenset(areas[profile.person_id]),
            languages=frozenset(languages[profile.person_id]),
            availability=Availability(profile.timezone, tuple(slots[profile.person_id])),
            gender=preferences[profile.person_id].get("gender", EnginePreference()),
            age_band=preferences[profile.person_id].get("age_band", EnginePreference()),
            community=preferences[profile.person_id].get("community", EnginePreference()),
            excluded=frozenset(excluded[profile.person_id]),
        )
        for profile in profiles
    ]
