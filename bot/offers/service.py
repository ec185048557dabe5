"""From waiting to matched: proposals, offers, requests to workers, the waitlist, rematch.

Every status change goes through ``lifecycle``; every function returns the notices to send
(the service user, the worker and the coordinators are usually different people).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import lifecycle, people
from bot.deps import Deps
from bot.lifecycle import (
    OPEN_PROPOSAL,
    OPEN_RELATIONSHIP,
    PeerWorkerStatus,
    ProposalStatus,
    RelationshipStatus,
    ServiceUserStatus,
)
from bot.models import (
    Exclusion,
    PeerWorkerProfile,
    Person,
    Proposal,
    Relationship,
    ServiceUserProfile,
    WaitlistEntry,
)
from bot.notify import Notice, Reply
from bot.offers import mapping, wording
from bot.relationships import checkins
from matching import Constraint, Need, OfferPool, monday_of

# Short names for the proposal statuses, which lifecycle defines.
REVIEW, OFFERED, HELD, SUPERSEDED = (
    ProposalStatus.REVIEW,
    ProposalStatus.OFFERED,
    ProposalStatus.HELD,
    ProposalStatus.SUPERSEDED,
)
CHOSEN, NONE_SUITABLE, NOT_NOW = (
    ProposalStatus.CHOSEN,
    ProposalStatus.NONE_SUITABLE,
    ProposalStatus.NOT_NOW,
)


# -- the engine, fed from the database ---------------------------------------------------------


async def pool(deps: Deps, session: AsyncSession) -> OfferPool:
    week = monday_of(deps.now().astimezone(deps.config.tz).date())
    return OfferPool(await mapping.offers(session), mapping.weights(deps.config), week)


async def need_of(session: AsyncSession, person_id: int) -> Need | None:
    found = await mapping.needs(session, [person_id])
    return found[0] if found else None


async def open_proposal(session: AsyncSession, person_id: int) -> Proposal | None:
    return (
        await session.exec(
            select(Proposal).where(
                Proposal.service_user_id == person_id, Proposal.status.in_(OPEN_PROPOSAL)
            )
        )
    ).first()


async def open_relationship(session: AsyncSession, person_id: int) -> Relationship | None:
    return (
        await session.exec(
            select(Relationship).where(
                Relationship.service_user_id == person_id,
                Relationship.status.in_(OPEN_RELATIONSHIP),
            )
        )
    ).first()


async def _waitlist(deps: Deps, session: AsyncSession, person_id: int) -> WaitlistEntry:
    entry = await session.get(WaitlistEntry, person_id)
    if entry is None:
        entry = WaitlistEntry(service_user_id=person_id, since=deps.now())
        session.add(entry)
    return entry


# -- finding a match ---------------------------------------------------------------------------


async def find_match(
    deps: Deps, session: AsyncSession, person: Person, offer_pool: OfferPool | None = None
) -> list[Notice]:
    """Look for peers for someone waiting: propose to coordinators, offer, or waitlist."""
    if person.status != ServiceUserStatus.WAITING or await open_proposal(session, person.id):
        return []
    need = await need_of(session, person.id)
    if need is None:
        return []
    offer_pool = offer_pool or await pool(deps, session)
    ranking = offer_pool.rank(need, deps.config.matching.candidates_shown_to_coordinators)
    entry = await _waitlist(deps, session, person.id)
    entry.blocking = {str(k): v for k, v in ranking.ruled_out_counts().items()}
    session.add(entry)
    if not ranking.candidates:
        return await _keep_waiting(deps, session, person, entry)
    proposal = Proposal(
        service_user_id=person.id,
        source="auto",
        candidates=[wording.candidate_record(c) for c in ranking.candidates],
        created_at=deps.now(),
    )
    await lifecycle.transition_proposal(session, proposal, REVIEW, at=deps.now(), actor_id=None)
    if deps.config.matching.require_coordinator_approval:
        return await people.coordinator_notices(
            session, await wording.proposal_card(deps, session, proposal, entry)
        )
    top = [c["worker_id"] for c in proposal.candidates[: deps.config.matching.offer_count]]
    return await offer(deps, session, proposal, top, actor_id=None)


async def _keep_waiting(
    deps: Deps, session: AsyncSession, person: Person, entry: WaitlistEntry
) -> list[Notice]:
    if entry.told_waiting_at is not None:
        return []
    entry.told_waiting_at = deps.now()
    return [Notice(person.telegram_id, Reply(wording.t("offer_nobody_yet")), person.id)]


async def retry_waitlist(deps: Deps, session: AsyncSession) -> list[Notice]:
    """Capacity changed: try everyone still waiting, longest-waiting first."""
    waiting = (
        await session.exec(
            select(Person)
            .join(WaitlistEntry, WaitlistEntry.service_user_id == Person.id)
            .where(Person.status == ServiceUserStatus.WAITING)
            .order_by(WaitlistEntry.since, Person.id)
        )
    ).all()
    notices: list[Notice] = []
    offer_pool = await pool(deps, session) if waiting else None
    for person in waiting:
        notices += await find_match(deps, session, person, offer_pool)
    return notices


async def start_waiting(deps: Deps, session: AsyncSession, person: Person) -> list[Notice]:
    """Onboarding is done: put them on the waitlist and look for peers at once."""
    await _waitlist(deps, session, person.id)
    await session.flush()
    return await find_match(deps, session, person)


# -- offering to the service user --------------------------------------------------------------


async def offer(
    deps: Deps,
    session: AsyncSession,
    proposal: Proposal,
    worker_ids: list[int],
    actor_id: int | None,
) -> list[Notice]:
    person = await session.get(Person, proposal.service_user_id)
    proposal.offered_worker_ids = list(worker_ids)
    proposal.decided_at = deps.now()
    proposal.decided_by_person_id = actor_id
    await lifecycle.transition_proposal(
        session, proposal, OFFERED, at=deps.now(), actor_id=actor_id
    )
    await lifecycle.transition(
        session, person, ServiceUserStatus.OFFERED, at=deps.now(), actor_id=actor_id
    )
    card = await wording.offer_card(deps, session, proposal)
    return [Notice(person.telegram_id, card, person.id)]


async def review_proposal(
    deps: Deps, session: AsyncSession, coordinator: Person, proposal_id: int, choice: str
) -> tuple[str, list[Notice]]:
    """A coordinator offers all, offers one worker, or holds. Returns (text key, notices)."""
    proposal = await session.get(Proposal, proposal_id)
    if proposal is None or proposal.status != REVIEW:
        return "proposal_already_decided", []
    person = await session.get(Person, proposal.service_user_id)
    if person.status != ServiceUserStatus.WAITING:
        await lifecycle.transition_proposal(
            session, proposal, SUPERSEDED, at=deps.now(), actor_id=coordinator.id
        )
        return "proposal_already_decided", []
    if choice == "hold":
        proposal.decided_at, proposal.decided_by_person_id = deps.now(), coordinator.id
        await lifecycle.transition_proposal(  # audited as proposal.held, as before
            session, proposal, HELD, at=deps.now(), actor_id=coordinator.id
        )
        return "proposal_held", []
    ids = [c["worker_id"] for c in proposal.candidates]
    if choice == "all":
        chosen = ids[: deps.config.matching.offer_count]
    elif choice.isdigit() and int(choice) in ids:
        chosen = [int(choice)]
    else:
        return "proposal_already_decided", []
    await lifecycle.audit(
        session,
        at=deps.now(),
        actor_id=coordinator.id,
        action="proposal.approved",
        subject_type="proposal",
        subject_id=proposal.id,
        reason=",".join(str(i) for i in chosen),
    )
    return "proposal_offered", await offer(deps, session, proposal, chosen, coordinator.id)


async def _claim_place(session: AsyncSession, worker_id: int) -> bool:
    """Lock the worker's profile row and check a place is free, in this transaction.

    On PostgreSQL ``FOR UPDATE`` makes concurrent claims for one worker queue up, so two
    offers can never take the last place; SQLite allows one writer at a time anyway.
    """
    profile = (
        await session.exec(
            select(PeerWorkerProfile)
            .where(PeerWorkerProfile.person_id == worker_id)
            .with_for_update()
        )
    ).first()
    worker = await session.get(Person, worker_id)
    if profile is None or worker.status != PeerWorkerStatus.APPROVED:
        return False
    if not profile.taking_new_matches:
        return False
    used = (await mapping.open_caseloads(session, [worker_id])).get(worker_id, 0)
    return used < profile.max_caseload


async def request_worker(
    deps: Deps,
    session: AsyncSession,
    person: Person,
    worker_id: int,
    proposal: Proposal | None,
    actor_id: int | None,
) -> Relationship | None:
    """Ask a worker to take someone on, holding one of their places. None if they are full."""
    if not await _claim_place(session, worker_id):
        return None
    now = deps.now()
    timeout = deps.config.matching.offer_timeout
    relationship = Relationship(  # no status yet: its first one is the transition below
        service_user_id=person.id,
        peer_worker_id=worker_id,
        proposal_id=proposal.id if proposal else None,
        created_at=now,
        updated_at=now,
        respond_by=now + timeout,
        reminder_due_at=now + timeout / 2,
    )
    session.add(relationship)
    await lifecycle.transition_relationship(
        session, relationship, RelationshipStatus.REQUESTED, at=now, actor_id=actor_id
    )
    await lifecycle.transition(
        session, person, ServiceUserStatus.REQUESTED, at=now, actor_id=actor_id
    )
    return relationship


async def choose(
    deps: Deps, session: AsyncSession, person: Person, proposal_id: int, worker_id: int
) -> tuple[list[Reply], list[Notice]]:
    """The service user picked one of the offered workers."""
    proposal = await session.get(Proposal, proposal_id)
    if (
        proposal is None
        or proposal.service_user_id != person.id
        or proposal.status != OFFERED
        or worker_id not in proposal.offered_worker_ids
        or person.status != ServiceUserStatus.OFFERED
    ):
        return [Reply(wording.t("offer_stale"))], []
    relationship = await request_worker(deps, session, person, worker_id, proposal, person.id)
    if relationship is None:
        proposal.offered_worker_ids = [i for i in proposal.offered_worker_ids if i != worker_id]
        session.add(proposal)
        if proposal.offered_worker_ids:
            card = await wording.offer_card(deps, session, proposal)
            return [Reply(wording.t("offer_worker_just_filled")), card], []
        return await _back_to_waiting(deps, session, person, proposal, NONE_SUITABLE, "full")
    await lifecycle.transition_proposal(
        session, proposal, CHOSEN, at=deps.now(), actor_id=person.id
    )
    worker = await session.get(Person, worker_id)
    profile = await session.get(PeerWorkerProfile, worker_id)
    request = await wording.request_card(deps, session, relationship)
    return (
        [Reply(wording.request_sent(deps, profile.display_name))],
        [Notice(worker.telegram_id, request, worker.id)],
    )


async def _back_to_waiting(
    deps: Deps,
    session: AsyncSession,
    person: Person,
    proposal: Proposal,
    status: str,
    reason: str,
) -> tuple[list[Reply], list[Notice]]:
    await lifecycle.transition_proposal(
        session, proposal, status, at=deps.now(), actor_id=person.id, reason=reason
    )
    await lifecycle.transition(
        session, person, ServiceUserStatus.WAITING, at=deps.now(), actor_id=person.id, reason=reason
    )
    return [Reply(wording.t("offer_looking_again"))], await find_match(deps, session, person)


async def exclude(
    deps: Deps,
    session: AsyncSession,
    service_user_id: int,
    worker_id: int,
    reason: str,
    actor_id: int | None,
) -> None:
    existing = (
        await session.exec(
            select(Exclusion).where(
                Exclusion.service_user_id == service_user_id,
                Exclusion.peer_worker_id == worker_id,
            )
        )
    ).first()
    if existing is None:
        session.add(
            Exclusion(
                service_user_id=service_user_id,
                peer_worker_id=worker_id,
                reason=reason,
                created_at=deps.now(),
                created_by_person_id=actor_id,
            )
        )


async def none_suitable(
    deps: Deps, session: AsyncSession, person: Person, proposal_id: int
) -> tuple[list[Reply], list[Notice]]:
    proposal = await session.get(Proposal, proposal_id)
    if proposal is None or proposal.service_user_id != person.id or proposal.status != OFFERED:
        return [Reply(wording.t("offer_stale"))], []
    for worker_id in proposal.offered_worker_ids:
        await exclude(deps, session, person.id, worker_id, "none_of_these", person.id)
    await session.flush()
    return await _back_to_waiting(deps, session, person, proposal, NONE_SUITABLE, "none_of_these")


async def not_now(
    deps: Deps, session: AsyncSession, person: Person, proposal_id: int
) -> list[Reply]:
    proposal = await session.get(Proposal, proposal_id)
    if proposal is None or proposal.service_user_id != person.id or proposal.status != OFFERED:
        return [Reply(wording.t("offer_stale"))]
    await lifecycle.transition_proposal(
        session, proposal, NOT_NOW, at=deps.now(), actor_id=person.id
    )
    await lifecycle.transition(
        session, person, ServiceUserStatus.NOT_NOW, at=deps.now(), actor_id=person.id
    )
    return [wording.not_now_reply()]


async def resume(
    deps: Deps, session: AsyncSession, person: Person
) -> tuple[list[Reply], list[Notice]]:
    if person.status != ServiceUserStatus.NOT_NOW:
        return [Reply(wording.t("offer_stale"))], []
    await lifecycle.transition(
        session, person, ServiceUserStatus.WAITING, at=deps.now(), actor_id=person.id
    )
    return [Reply(wording.t("offer_looking_again"))], await find_match(deps, session, person)


# -- the worker's answer -----------------------------------------------------------------------


async def _worker_request(
    session: AsyncSession, worker: Person, relationship_id: int
) -> Relationship | None:
    relationship = await session.get(Relationship, relationship_id)
    if (
        relationship is None
        or relationship.peer_worker_id != worker.id
        or relationship.status != RelationshipStatus.REQUESTED
    ):
        return None
    return relationship


async def accept(
    deps: Deps, session: AsyncSession, worker: Person, relationship_id: int
) -> tuple[list[Reply], list[Notice]]:
    relationship = await _worker_request(session, worker, relationship_id)
    if relationship is None:
        return [Reply(wording.t("request_stale"))], []
    now = deps.now()
    relationship.planned_end_at = now + deps.config.programme.length  # set at the start
    await lifecycle.transition_relationship(
        session, relationship, RelationshipStatus.ACTIVE, at=now, actor_id=worker.id
    )
    person = await session.get(Person, relationship.service_user_id)
    await lifecycle.transition(
        session, person, ServiceUserStatus.MATCHED, at=now, actor_id=worker.id
    )
    entry = await session.get(WaitlistEntry, person.id)
    if entry is not None:
        await session.delete(entry)
    profile = await session.get(PeerWorkerProfile, worker.id)
    name = await wording.worker_name(session, person.id)
    return (
        [Reply(wording.t("request_accepted_worker", ref=name))],
        [
            Notice(
                person.telegram_id,
                Reply(wording.t("request_accepted_user", name=profile.display_name)),
                person.id,
            ),
            Notice(person.telegram_id, checkins.ask_cadence(deps, relationship.id), person.id),
        ],
    )


async def _release(
    deps: Deps,
    session: AsyncSession,
    relationship: Relationship,
    status: str,
    actor_id: int | None,
    reason: str | None,
) -> list[Notice]:
    """A request that will not go ahead: free the place, never propose the pair again,
    tell the service user kindly, look again, and alert coordinators after repeated declines."""
    await lifecycle.transition_relationship(
        session, relationship, status, at=deps.now(), actor_id=actor_id, reason=reason
    )
    await exclude(
        deps, session, relationship.service_user_id, relationship.peer_worker_id, status, actor_id
    )
    person = await session.get(Person, relationship.service_user_id)
    await lifecycle.transition(
        session, person, ServiceUserStatus.WAITING, at=deps.now(), actor_id=actor_id, reason=status
    )
    entry = await _waitlist(deps, session, person.id)
    entry.declines += 1
    session.add(entry)
    await session.flush()
    notices = [Notice(person.telegram_id, Reply(wording.t(f"request_{status}_user")), person.id)]
    if entry.declines == deps.config.matching.declines_before_alert:
        alert = Reply(
            wording.tn(
                "coord_repeated_declines",
                entry.declines,
                ref=await wording.coordinator_name(session, person.id),
            )
        )
        notices += await people.coordinator_notices(session, alert)
    return notices + await retry_waitlist(deps, session)


async def decline(
    deps: Deps, session: AsyncSession, worker: Person, relationship_id: int
) -> tuple[list[Reply], list[Notice]]:
    relationship = await _worker_request(session, worker, relationship_id)
    if relationship is None:
        return [Reply(wording.t("request_stale"))], []
    notices = await _release(
        deps, session, relationship, RelationshipStatus.DECLINED, worker.id, None
    )
    return [wording.decline_reason_prompt(relationship.id)], notices


async def record_decline_reason(
    deps: Deps, session: AsyncSession, worker: Person, relationship_id: int, reason: str
) -> bool:
    relationship = await session.get(Relationship, relationship_id)
    if relationship is None or relationship.peer_worker_id != worker.id:
        return False
    if relationship.status != RelationshipStatus.DECLINED or relationship.end_reason:
        return False
    relationship.end_reason = reason
    session.add(relationship)
    await lifecycle.audit(
        session,
        at=deps.now(),
        actor_id=worker.id,
        action="relationship.decline_reason",
        subject_type="relationship",
        subject_id=relationship.id,
        reason=reason,
    )
    return True


# -- changing peer -------------------------------------------------------------------------------


async def rematch(
    deps: Deps, session: AsyncSession, person: Person
) -> tuple[list[Reply], list[Notice]]:
    """The service user asks for a different peer: no reason needed; the worker is told kindly."""
    if person.status == ServiceUserStatus.ENDED:  # ready for a new peer after an ending
        profile = await session.get(ServiceUserProfile, person.id)
        if profile.rematch_after is not None and deps.now() < profile.rematch_after:
            when = f"{profile.rematch_after.astimezone(deps.config.tz):%a %d %b %Y}"
            return [Reply(wording.t("rematch_cooldown", when=when))], []
        await lifecycle.transition(
            session, person, ServiceUserStatus.WAITING, at=deps.now(), actor_id=person.id
        )
        await _waitlist(deps, session, person.id)
        await session.flush()
        return [Reply(wording.t("rematch_done"))], await find_match(deps, session, person)
    relationship = await open_relationship(session, person.id)
    if relationship is None:
        return [Reply(wording.t("rematch_nothing"))], []
    worker = await session.get(Person, relationship.peer_worker_id)
    status = (
        RelationshipStatus.WITHDRAWN
        if relationship.status == RelationshipStatus.REQUESTED
        else RelationshipStatus.ENDED_EARLY
    )
    await lifecycle.transition_relationship(
        session, relationship, status, at=deps.now(), actor_id=person.id, reason="rematch"
    )
    await exclude(deps, session, person.id, worker.id, "rematch", person.id)
    await lifecycle.transition(
        session,
        person,
        ServiceUserStatus.WAITING,
        at=deps.now(),
        actor_id=person.id,
        reason="rematch",
    )
    await _waitlist(deps, session, person.id)
    await session.flush()
    to_worker = Notice(
        worker.telegram_id,
        Reply(wording.t("rematch_worker", ref=await wording.worker_name(session, person.id))),
        worker.id,
    )
    notices = [to_worker] + await find_match(deps, session, person)
    return [Reply(wording.t("rematch_done"))], notices + await retry_waitlist(deps, session)


# -- scheduled: deadlines, reminders, long waits -------------------------------------------------


async def sweep(deps: Deps, session: AsyncSession) -> list[Notice]:
    """Everything due by now. Each item is claimed by its status change in this transaction,
    so a restart or a second process never repeats it."""
    now = deps.now()
    notices: list[Notice] = []
    due = (
        await session.exec(
            select(Relationship)
            .where(
                Relationship.status == RelationshipStatus.REQUESTED,
                Relationship.respond_by <= now,
            )
            .with_for_update(skip_locked=True)
        )
    ).all()
    for relationship in due:
        worker = await session.get(Person, relationship.peer_worker_id)
        notices.append(
            Notice(worker.telegram_id, Reply(wording.t("request_expired_worker")), worker.id)
        )
        notices += await _release(
            deps, session, relationship, RelationshipStatus.EXPIRED, None, None
        )
    reminders = (
        await session.exec(
            select(Relationship)
            .where(
                Relationship.status == RelationshipStatus.REQUESTED,
                Relationship.reminder_due_at <= now,
            )
            .with_for_update(skip_locked=True)
        )
    ).all()
    for relationship in reminders:
        relationship.reminder_due_at = None
        session.add(relationship)
        worker = await session.get(Person, relationship.peer_worker_id)
        card = await wording.request_card(deps, session, relationship, reminder=True)
        notices.append(Notice(worker.telegram_id, card, worker.id))
    notices += await _alert_long_waits(deps, session, now)
    return notices


async def _alert_long_waits(deps: Deps, session: AsyncSession, now: datetime) -> list[Notice]:
    overdue = (
        await session.exec(
            select(WaitlistEntry)
            .where(
                WaitlistEntry.since <= now - deps.config.matching.max_wait,
                WaitlistEntry.alerted_at.is_(None),
            )
            .with_for_update(skip_locked=True)
        )
    ).all()
    notices: list[Notice] = []
    for entry in overdue:
        entry.alerted_at = now
        session.add(entry)
        text = wording.t(
            "coord_long_wait",
            ref=await wording.coordinator_name(session, entry.service_user_id),
            waited=wording.duration_text(now - entry.since),
            why=wording.blocking_text(entry.blocking),
        )
        notices += await people.coordinator_notices(session, Reply(text))
    return notices


# -- coordinators ------------------------------------------------------------------------------


async def waitlist(deps: Deps, session: AsyncSession) -> Reply:
    rows = (
        await session.exec(
            select(WaitlistEntry, Person)
            .join(Person, Person.id == WaitlistEntry.service_user_id)
            .order_by(WaitlistEntry.since)
        )
    ).all()
    if not rows:
        return Reply(wording.t("coord_waitlist_empty"))
    lines = [wording.t("coord_waitlist_title", count=len(rows))]
    for entry, person in rows[:50]:
        waited = wording.duration_text(deps.now() - entry.since)
        lines.append(
            wording.t(
                "coord_waitlist_line",
                ref=await wording.coordinator_name(session, person.id),
                waited=waited,
                state=wording.t(f"su_state_{person.status}"),
                why=wording.blocking_text(entry.blocking) if entry.blocking else "",
            )
        )
    return Reply("\n".join(lines))


async def check_manual_match(
    deps: Deps, session: AsyncSession, person_id: int, worker_id: int
) -> tuple[str | None, Constraint | None]:
    """(problem text key or None, the hard constraint the pair breaks if any)."""
    person = await session.get(Person, person_id)
    worker = await session.get(Person, worker_id)
    if person is None or person.role != "service_user":
        return "coord_match_unknown_user", None
    if worker is None or worker.role != "peer_worker" or worker.status != PeerWorkerStatus.APPROVED:
        return "coord_match_unknown_worker", None
    if person.status not in (ServiceUserStatus.WAITING, ServiceUserStatus.NOT_NOW):
        return "coord_match_not_waiting", None
    need = await need_of(session, person_id)
    ranking = (await pool(deps, session)).rank(need, limit=1000)
    return None, ranking.ruled_out.get(worker_id)


async def manual_match(
    deps: Deps,
    session: AsyncSession,
    coordinator: Person,
    person_id: int,
    worker_id: int,
    reason: str,
    broken: Constraint | None,
) -> list[Notice]:
    """Offer one worker to a service user by hand (audited, with the broken constraint)."""
    person = await session.get(Person, person_id)
    existing = await open_proposal(session, person_id)
    if existing is not None:
        await lifecycle.transition_proposal(
            session, existing, SUPERSEDED, at=deps.now(), actor_id=coordinator.id
        )
    if person.status == ServiceUserStatus.NOT_NOW:
        await lifecycle.transition(
            session, person, ServiceUserStatus.WAITING, at=deps.now(), actor_id=coordinator.id
        )
    await _waitlist(deps, session, person_id)
    proposal = Proposal(
        service_user_id=person_id,
        source="manual",
        candidates=[{"worker_id": worker_id, "score": None, "reasons": []}],
        created_at=deps.now(),
    )
    await lifecycle.transition_proposal(
        session, proposal, REVIEW, at=deps.now(), actor_id=coordinator.id
    )
    note = f"{reason} [overrides: {broken}]" if broken else reason
    await lifecycle.audit(
        session,
        at=deps.now(),
        actor_id=coordinator.id,
        action="match.manual",
        subject_type="proposal",
        subject_id=proposal.id,
        reason=note,
    )
    return await offer(deps, session, proposal, [worker_id], coordinator.id)


async def match_all(deps: Deps, session: AsyncSession, coordinator: Person) -> list[Reply]:
    """The optimal batch over everyone waiting, laid out as proposals for review."""
    waiting = (
        await session.exec(
            select(Person.id)
            .join(WaitlistEntry, WaitlistEntry.service_user_id == Person.id)
            .where(Person.status == ServiceUserStatus.WAITING)
        )
    ).all()
    free = [pid for pid in waiting if await open_proposal(session, pid) is None]
    if not free:
        return [Reply(wording.t("coord_match_all_nobody"))]
    needs = await mapping.needs(session, free)
    offer_pool = await pool(deps, session)
    result = offer_pool.assign(needs)
    await lifecycle.audit(
        session,
        at=deps.now(),
        actor_id=coordinator.id,
        action="match.batch",
        subject_type="waitlist",
        subject_id=None,
        reason=f"{len(result.pairs)} proposed, {len(result.unassigned)} unassigned",
    )
    replies = [
        Reply(
            wording.tn(
                "coord_match_all_title",
                len(result.pairs),
                unassigned=len(result.unassigned),
            )
        )
    ]
    by_id = {need.id: need for need in needs}
    for need_id, worker_id, _score in result.pairs:
        candidate = next(
            c
            for c in offer_pool.rank(by_id[need_id], limit=1000).candidates
            if c.offer_id == worker_id
        )
        proposal = Proposal(
            service_user_id=need_id,
            source="batch",
            candidates=[wording.candidate_record(candidate)],
            created_at=deps.now(),
        )
        await lifecycle.transition_proposal(
            session, proposal, REVIEW, at=deps.now(), actor_id=coordinator.id
        )
        entry = await _waitlist(deps, session, need_id)
        replies.append(await wording.proposal_card(deps, session, proposal, entry))
    return replies


async def service_user_profile(session: AsyncSession, person_id: int) -> ServiceUserProfile | None:
    return await session.get(ServiceUserProfile, person_id)
