"""Coordinators' hand in matching: the waitlist, one pair matched by hand (with the hard
constraint it breaks, if any), and the optimal batch over everyone waiting."""

from __future__ import annotations

import functools

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import lifecycle
from bot.db import transaction
from bot.deps import Deps
from bot.lifecycle import PeerWorkerStatus, ServiceUserStatus
from bot.models import Person, Proposal, WaitlistEntry
from bot.notify import AfterCommit, Notice, Reply, Response
from bot.offers import mapping, wording
from bot.offers.matchmaking import (
    HELD,
    REVIEW,
    SUPERSEDED,
    deciding_places,
    need_of,
    offer,
    open_proposal,
    pool,
    release_hold,
    released_for_hand_match,
    retry_waitlist,
    solve_waitlist,
    waitlist_entry,
    with_a_place,
)
from bot.texts.fragments import elapsed_text
from matching import Constraint

# People a coordinator has held: no new proposal until the hold is released.
_HELD = select(Proposal.service_user_id).where(Proposal.status == HELD)


async def waitlist(deps: Deps, session: AsyncSession) -> Reply:
    """Everyone waiting for a peer, longest first: the one definition of waiting (status
    waiting, as /dashboard and /people count it), each with what rules workers out now,
    whether a card for them is in review, and whether it is their own choices that keep
    every worker out."""
    rows = (
        await session.exec(
            select(WaitlistEntry, Person, Proposal.id)
            .join(Person, Person.id == WaitlistEntry.service_user_id)
            .outerjoin(
                Proposal,
                (Proposal.service_user_id == Person.id) & (Proposal.status == REVIEW),
            )
            .where(Person.status == ServiceUserStatus.WAITING)
            .order_by(WaitlistEntry.since, Person.id)
        )
    ).all()
    if not rows:
        return Reply(wording.t("coord_waitlist_empty"))
    shown = rows[:50]
    needs = await mapping.needs(session, [person.id for _entry, person, _card in shown])
    by_id = {need.id: need for need in needs}
    offer_pool = await pool(deps, session)
    opened = offer_pool.with_every_place_open()
    held = set((await session.exec(_HELD)).all())
    lines = [wording.t("coord_waitlist_title", count=len(rows))]
    for entry, person, card in shown:
        need = by_id.get(person.id)
        ranking = offer_pool.rank(need, 1) if need else None
        if card is not None:
            state = wording.t("coord_waitlist_in_review", proposal_id=card)
        elif person.id in held:
            state = wording.t("coord_waitlist_held")
        elif need is not None and opened.rank(need, 1).own_choices_blocking():
            state = wording.t("coord_waitlist_own_choices")
        else:
            state = wording.t("su_state_waiting")
        why = ranking.ruled_out_counts() if ranking else {}
        lines.append(
            wording.t(
                "coord_waitlist_line",
                ref=await wording.coordinator_name(session, person.id),
                waited=elapsed_text(deps.now() - entry.since),
                state=state,
                why=wording.blocking_text({str(k): v for k, v in why.items()}) if why else "",
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
    released = await released_for_hand_match(session, person_id)
    ranking = (await pool(deps, session, released)).rank(need, limit=1000)
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
    await deciding_places(session)
    await release_hold(deps, session, person_id, coordinator.id)
    existing = await open_proposal(session, person_id)
    released: list[int] = []
    if existing is not None:
        await lifecycle.transition_proposal(
            session, existing, SUPERSEDED, at=deps.now(), actor_id=coordinator.id
        )
        released = [i for i in existing.offered_worker_ids if i != worker_id]
    if person.status == ServiceUserStatus.NOT_NOW:
        await lifecycle.transition(
            session, person, ServiceUserStatus.WAITING, at=deps.now(), actor_id=coordinator.id
        )
    await waitlist_entry(deps, session, person_id)
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
    notices = await offer(deps, session, proposal, [worker_id], coordinator.id)
    if released:  # the places their earlier card held, free again
        await session.flush()
        notices += await retry_waitlist(deps, session)
    return notices


async def _waiting(session: AsyncSession) -> dict[int, int | None]:
    """Everyone waiting (no offer open), with the id of their card in review if they have
    one: a batch decides them all again."""
    rows = (
        await session.exec(
            select(Person.id, Proposal.id)
            .join(WaitlistEntry, WaitlistEntry.service_user_id == Person.id)
            .outerjoin(
                Proposal,
                (Proposal.service_user_id == Person.id) & (Proposal.status == REVIEW),
            )
            .where(Person.status == ServiceUserStatus.WAITING, ~Person.id.in_(_HELD))
            .order_by(WaitlistEntry.since, Person.id)
        )
    ).all()
    return dict(rows)  # the longest-waiting first: the solve's tie-break


async def match_all(
    deps: Deps, session: AsyncSession, coordinator: Person
) -> Response | AfterCommit:
    """The optimal batch over everyone waiting, cards in review included (their places are
    decided again), laid out as proposals for review. The solve runs after this transaction
    (a large one in a worker process, for seconds): meanwhile the database stays free for
    everyone else."""
    waiting = await _waiting(session)
    if not waiting:
        return Response(replies=[Reply(wording.t("coord_match_all_nobody"))])
    return AfterCommit(functools.partial(_solve_and_lay_out, deps, coordinator.id, waiting))


async def _solve_and_lay_out(
    deps: Deps, coordinator_id: int, waiting: dict[int, int | None]
) -> Response:
    cards = [card for card in waiting.values() if card is not None]
    batch = await solve_waitlist(deps, list(waiting), released=cards)
    matched = {need_id: worker_id for need_id, worker_id, _score in batch.assignment.pairs}
    async with transaction(deps.sessions) as session:
        await deciding_places(session)
        # Someone whose card or offer changed while the batch was solved keeps what they have.
        now_waiting = await _waiting(session)
        unchanged = sorted(p for p, card in now_waiting.items() if waiting.get(p, -1) == card)
        # Every card decided again is let go first, so that the batch may swap their workers.
        for need_id in unchanged:
            if now_waiting[need_id] is not None:
                old = await session.get(Proposal, now_waiting[need_id])
                await lifecycle.transition_proposal(
                    session, old, SUPERSEDED, at=deps.now(), actor_id=coordinator_id
                )
        await session.flush()
        made: list[Proposal] = []
        for need_id in unchanged:
            worker_id = matched.get(need_id)
            if worker_id is None:
                continue
            card = Proposal(
                service_user_id=need_id,
                source="batch",
                candidates=[wording.candidate_record(batch.candidates[need_id])],
                offered_worker_ids=[worker_id],
                created_at=deps.now(),
            )
            if not await with_a_place(session, card, [worker_id]):
                continue  # its place went to a card made meanwhile: they wait for the next
            await lifecycle.transition_proposal(
                session, card, REVIEW, at=deps.now(), actor_id=coordinator_id
            )
            await session.flush()
            made.append(card)
        proposed, unassigned = len(made), len(unchanged) - len(made)
        await lifecycle.audit(
            session,
            at=deps.now(),
            actor_id=coordinator_id,
            action="match.batch",
            subject_type="waitlist",
            subject_id=None,
            reason=f"{proposed} proposed, {unassigned} unassigned",
        )
        head = wording.match_all_head(proposed, unassigned)
        if not made:
            return Response(replies=[Reply(head)])
        view = await wording.batch_view(deps, session, head, made, made[0].id, made[-1].id)
    return Response(replies=[view])
