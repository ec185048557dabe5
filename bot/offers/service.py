"""The service user's answers to an offer (choose a peer, none of these, not now, look
again), asking for a different peer, and the matching sweep: request deadlines and
reminders, long waits.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import endings, lifecycle, people
from bot.deps import Deps
from bot.lifecycle import RelationshipStatus, ServiceUserStatus
from bot.models import (
    PeerWorkerProfile,
    Person,
    Proposal,
    Relationship,
    ServiceUserProfile,
    WaitlistEntry,
)
from bot.notify import Notice, Reply, notice_to, saying, saying_count
from bot.offers import wording
from bot.offers.matchmaking import (
    CHOSEN,
    NONE_SUITABLE,
    NOT_NOW,
    OFFERED,
    SUPERSEDED,
    exclude,
    find_match,
    open_relationship,
    retry_waitlist,
    waitlist_entry,
)
from bot.offers.requests import release, request_worker
from bot.texts.fragments import date_text, elapsed_text, worker_ref

# -- answering an offer ------------------------------------------------------------------------


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
    request = await notice_to(worker, partial(wording.request_card, deps, session, relationship))
    # The workers not chosen have their places back: someone waiting may fit them.
    released = len(proposal.offered_worker_ids) > 1
    return (
        [Reply(wording.request_sent(deps, profile.display_name))],
        [request] + (await retry_waitlist(deps, session) if released else []),
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
    await session.flush()
    # The places the offer held are free again: everyone waiting is looked at, them included.
    return [Reply(wording.t("offer_looking_again"))], await retry_waitlist(deps, session)


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
) -> tuple[list[Reply], list[Notice]]:
    proposal = await session.get(Proposal, proposal_id)
    if proposal is None or proposal.service_user_id != person.id or proposal.status != OFFERED:
        return [Reply(wording.t("offer_stale"))], []
    await _set_aside(deps, session, person, proposal, person.id)
    return [wording.not_now_reply()], await retry_waitlist(deps, session)


async def _set_aside(
    deps: Deps, session: AsyncSession, person: Person, proposal: Proposal, actor_id: int | None
) -> None:
    """The offer is closed as "not now": its places are free again, and the person is no
    longer looked for until they ask."""
    await lifecycle.transition_proposal(
        session, proposal, NOT_NOW, at=deps.now(), actor_id=actor_id
    )
    await lifecycle.transition(
        session, person, ServiceUserStatus.NOT_NOW, at=deps.now(), actor_id=actor_id
    )
    await session.flush()


async def _lapse_offers(deps: Deps, session: AsyncSession, now: datetime) -> list[Notice]:
    """Offers left unanswered for ``matching.offer_hold``: their places go back to the
    programme (someone waiting may fit them), and the person hears kindly that they can ask
    again whenever they like."""
    lapsed = (
        await session.exec(
            select(Proposal)
            .where(
                Proposal.status == OFFERED,
                Proposal.decided_at <= now - deps.config.matching.offer_hold,
            )
            .order_by(Proposal.decided_at, Proposal.id)
            .with_for_update(skip_locked=True)
        )
    ).all()
    notices: list[Notice] = []
    for proposal in lapsed:
        person = await session.get(Person, proposal.service_user_id)
        if person.status != ServiceUserStatus.OFFERED:  # moved on: the offer only holds places
            await lifecycle.transition_proposal(
                session, proposal, SUPERSEDED, at=now, actor_id=None
            )
            continue
        await _set_aside(deps, session, person, proposal, None)
        days = max(1, deps.config.matching.offer_hold.days)
        notices.append(await notice_to(person, partial(wording.offer_lapsed_reply, days)))
    if lapsed:
        notices += await retry_waitlist(deps, session)
    return notices


async def resume(
    deps: Deps, session: AsyncSession, person: Person
) -> tuple[list[Reply], list[Notice]]:
    if person.status != ServiceUserStatus.NOT_NOW:
        return [Reply(wording.t("offer_stale"))], []
    await lifecycle.transition(
        session, person, ServiceUserStatus.WAITING, at=deps.now(), actor_id=person.id
    )
    return [Reply(wording.t("offer_looking_again"))], await find_match(deps, session, person)


# -- changing peer -------------------------------------------------------------------------------


async def rematch(
    deps: Deps, session: AsyncSession, person: Person
) -> tuple[list[Reply], list[Notice]]:
    """The service user asks for a different peer: no reason needed; the worker is told kindly."""
    if person.status == ServiceUserStatus.ENDED:  # ready for a new peer after an ending
        profile = await session.get(ServiceUserProfile, person.id)
        if profile.rematch_after is not None and deps.now() < profile.rematch_after:
            when = date_text(deps.config, profile.rematch_after)
            return [Reply(wording.t("rematch_cooldown", when=when))], []
        await lifecycle.transition(
            session, person, ServiceUserStatus.WAITING, at=deps.now(), actor_id=person.id
        )
        await waitlist_entry(deps, session, person.id)
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
    await waitlist_entry(deps, session, person.id)
    await session.flush()
    name = await wording.worker_name(session, person.id)
    if status == RelationshipStatus.ENDED_EARLY:  # an ending: a reflection is offered
        said = partial(endings.with_reflection_offer, relationship.id)
        to_worker = await notice_to(worker, lambda: said(wording.t("rematch_worker", ref=name)))
    else:
        to_worker = await notice_to(worker, saying("rematch_worker", ref=name))
    notices = [to_worker] + await find_match(deps, session, person)
    return [Reply(wording.t("rematch_done"))], notices + await retry_waitlist(deps, session)


# -- scheduled: deadlines, reminders, long waits -------------------------------------------------


async def sweep(deps: Deps, session: AsyncSession) -> list[Notice]:
    """Everything due by now. Each item is claimed by its status change in this transaction,
    so a restart or a second process never repeats it."""
    now = deps.now()
    notices: list[Notice] = []
    for relationship in await _requests_due(session, Relationship.respond_by, now):
        worker = await session.get(Person, relationship.peer_worker_id)
        paused = await _count_unanswered(deps, session, worker)
        told = "request_expired_worker_paused" if paused else "request_expired_worker"
        notices.append(await notice_to(worker, saying(told)))
        if paused:
            alert = saying_count(
                "coord_worker_paused_unanswered",
                deps.config.matching.expiries_before_pause,
                ref=worker_ref(worker.id),
            )
            notices += await people.coordinator_notices(session, alert)
        # Released after the pause, so that the person is offered someone else at once.
        notices += await release(
            deps, session, relationship, RelationshipStatus.EXPIRED, None, None
        )
    for relationship in await _requests_due(session, Relationship.reminder_due_at, now):
        relationship.reminder_due_at = None
        session.add(relationship)
        worker = await session.get(Person, relationship.peer_worker_id)
        card = partial(wording.request_card, deps, session, relationship, reminder=True)
        notices.append(await notice_to(worker, card))
    notices += await _lapse_offers(deps, session, now)
    notices += await _alert_long_waits(deps, session, now)
    return notices


async def _count_unanswered(deps: Deps, session: AsyncSession, worker: Person) -> bool:
    """One more request the worker let expire; True if that pauses new requests to them now
    (``matching.expiries_before_pause`` in a row). Answering a request starts the count
    again."""
    profile = await session.get(PeerWorkerProfile, worker.id)
    profile.expired_in_row += 1
    session.add(profile)
    limit = deps.config.matching.expiries_before_pause
    if not limit or profile.expired_in_row < limit or not profile.taking_new_matches:
        return False
    profile.taking_new_matches = False
    profile.updated_at = deps.now()
    await lifecycle.audit(
        session,
        at=deps.now(),
        actor_id=None,
        action="peer_worker.paused_unanswered",
        subject_type="person",
        subject_id=worker.id,
        reason=f"{profile.expired_in_row} requests expired in a row",
    )
    await session.flush()
    return True


async def _requests_due(session: AsyncSession, deadline, now: datetime) -> list[Relationship]:
    """Requests still unanswered whose ``deadline`` (a column) has come, claimed."""
    rows = await session.exec(
        select(Relationship)
        .where(Relationship.status == RelationshipStatus.REQUESTED, deadline <= now)
        .with_for_update(skip_locked=True)
    )
    return list(rows.all())


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
        ref = await wording.coordinator_name(session, entry.service_user_id)

        def alert(entry: WaitlistEntry = entry, ref: str = ref) -> Reply:
            return Reply(
                wording.t(
                    "coord_long_wait",
                    ref=ref,
                    waited=elapsed_text(now - entry.since),
                    why=wording.blocking_text(entry.blocking),
                )
            )

        notices += await people.coordinator_notices(session, alert)
    return notices


async def service_user_profile(session: AsyncSession, person_id: int) -> ServiceUserProfile | None:
    return await session.get(ServiceUserProfile, person_id)
