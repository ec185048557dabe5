"""Looking for peers for someone waiting: the waitlist, proposals and offers.

Every status change goes through ``lifecycle``; every function returns the notices to send
(the service user, the worker and the coordinators are usually different people), except the
sweeps' step ``refresh_if_asked``, which runs in transactions of its own and queues its
notices in the one that decides.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import date
from functools import partial
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

import matching
from bot import lifecycle, outbox, people
from bot.config import Config
from bot.db import create_engine, session_factory, transaction
from bot.deps import Deps
from bot.lifecycle import (
    OPEN_PROPOSAL,
    OPEN_RELATIONSHIP,
    PeerWorkerStatus,
    ProposalStatus,
    ServiceUserStatus,
)
from bot.models import (
    Exclusion,
    PeerWorkerProfile,
    Person,
    Proposal,
    Relationship,
    WaitlistEntry,
    WaitlistRefresh,
)
from bot.notify import Notice, Reply, notice_to, saying
from bot.offers import mapping, wording
from bot.offload import in_worker_process
from matching import Need, monday_of

if TYPE_CHECKING:
    from matching import Batch, Candidate, OfferPool, Ranking

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


INLINE_PAIRS = 200_000  # people × workers solved on the event loop; more: in a worker process


def _week(deps: Deps) -> date:
    return monday_of(deps.now().astimezone(deps.config.tz).date())


async def pool(deps: Deps, session: AsyncSession, released: Iterable[int] = ()) -> OfferPool:
    """Every approved worker's offer; ``released``: proposals whose places count as free."""
    offers = await mapping.offers(session, released)
    return matching.OfferPool(offers, mapping.weights(deps.config), _week(deps))


async def solve_waitlist(deps: Deps, person_ids: list[int], released: list[int] = ()) -> Batch:
    """The best assignment of these people, each pair explained, read in a transaction of its
    own and solved outside any; the places held by ``released`` proposals count as free, and
    among equally good assignments the people earliest in ``person_ids`` are matched. A
    large batch is solved in a worker process, which reads the people and the workers itself:
    at 10,000 × 2,000 the solve takes seconds and gigabytes, and the bot keeps answering
    everyone meanwhile without ever holding those thousands of people in its own memory."""
    async with transaction(deps.sessions) as session:
        workers = await mapping.approved_workers(session)
        inline = len(person_ids) * workers <= INLINE_PAIRS
        if inline:
            needs = await mapping.needs(session, person_ids)
            offers = await mapping.offers(session, released)
    if inline:
        return matching.solve_waitlist(
            needs, offers, mapping.weights(deps.config), _week(deps), person_ids
        )
    return await in_worker_process(
        solve_from_the_database,
        deps.config,
        person_ids,
        _week(deps),
        list(released),
        then=matching.Batch.from_rows,
    )


def solve_from_the_database(
    config: Config, person_ids: list[int], week: date, released: list[int]
) -> list:
    """In a worker process: read the people and the workers, solve, and hand back
    ``Batch.rows``."""
    return asyncio.run(_read_and_solve(config, person_ids, week, released))


async def _read_and_solve(
    config: Config, person_ids: list[int], week: date, released: list[int]
) -> list:
    engine = create_engine(config.database.url, read_only=True)
    try:
        async with session_factory(engine)() as session, session.begin():
            needs = await mapping.needs(session, person_ids)
            offers = await mapping.offers(session, released)
    finally:
        await engine.dispose()
    return matching.solve_waitlist_rows(needs, offers, mapping.weights(config), week, person_ids)


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


async def released_for_hand_match(session: AsyncSession, person_id: int) -> list[int]:
    """The proposals whose places count as free in a hand match of this person: their own
    open one, which the hand match replaces."""
    proposal = await open_proposal(session, person_id)
    return [proposal.id] if proposal is not None else []


async def open_relationship(session: AsyncSession, person_id: int) -> Relationship | None:
    return (
        await session.exec(
            select(Relationship).where(
                Relationship.service_user_id == person_id,
                Relationship.status.in_(OPEN_RELATIONSHIP),
            )
        )
    ).first()


async def waitlist_entry(deps: Deps, session: AsyncSession, person_id: int) -> WaitlistEntry:
    """Their place on the waitlist, made (waiting from now) if they have none."""
    entry = await session.get(WaitlistEntry, person_id)
    if entry is None:
        entry = WaitlistEntry(service_user_id=person_id, since=deps.now())
        session.add(entry)
    return entry


# -- finding a match ---------------------------------------------------------------------------


async def find_match(
    deps: Deps, session: AsyncSession, person: Person, offer_pool: OfferPool | None = None
) -> list[Notice]:
    """Look for peers for one person (a new arrival, someone asking again): the best fit for
    them among the places nobody holds, proposed to coordinators or offered; or the waitlist."""
    await deciding_places(session)
    if not await _looking_for(session, person):
        return []
    need = await need_of(session, person.id)
    if need is None:
        return []
    offer_pool = offer_pool or await pool(deps, session)
    ranking = offer_pool.rank(need, deps.config.matching.candidates_shown_to_coordinators)
    best = ranking.candidates[0] if ranking.candidates else None
    if best is not None:
        offer_pool.take(best.offer_id)
    return await _propose(deps, session, person, need, ranking, best, offer_pool)


# Any number may be running at once (a decline here, an arrival there, another process): on
# PostgreSQL, decisions that hand out places queue on this lock for their transaction, so two
# can never hold the same last place, nor make one person two cards. (SQLite's transactions
# run one at a time anyway.)
_PLACES_LOCK = text("SELECT pg_advisory_xact_lock(7451)")


async def deciding_places(session: AsyncSession) -> None:
    """Take the turn to hand out places, until this transaction ends."""
    if session.bind.dialect.name == "postgresql":
        await (await session.connection()).execute(_PLACES_LOCK)


async def _looking_for(session: AsyncSession, person: Person) -> bool:
    """Waiting, with no card or offer of their own already, and not held by a coordinator."""
    return (
        person.status == ServiceUserStatus.WAITING
        and not await open_proposal(session, person.id)
        and not await held_card(session, person.id)
    )


async def held_card(session: AsyncSession, person_id: int) -> Proposal | None:
    """The card a coordinator held for this person, while the hold stands: their latest
    proposal (a hold older than anything newer for them no longer counts)."""
    latest = (
        await session.exec(
            select(Proposal)
            .where(Proposal.service_user_id == person_id)
            .order_by(Proposal.created_at.desc(), Proposal.id.desc())
            .limit(1)
        )
    ).first()
    return latest if latest is not None and latest.status == HELD else None


async def release_hold(
    deps: Deps, session: AsyncSession, person_id: int, coordinator_id: int
) -> None:
    """A coordinator looks for peers for someone held, or matches them by hand: the hold
    ends."""
    held = await held_card(session, person_id)
    if held is not None:
        await lifecycle.transition_proposal(
            session, held, SUPERSEDED, at=deps.now(), actor_id=coordinator_id
        )
        await session.flush()


async def _propose(
    deps: Deps,
    session: AsyncSession,
    person: Person,
    need: Need,
    ranking: Ranking,
    best: Candidate | None,
    offer_pool: OfferPool,
    cards: list[Proposal] | None = None,
) -> list[Notice]:
    """A card for ``best`` (whose place the caller has taken from the pool), with the rest of
    the ranking as alternatives; offered at once without coordinator approval. No best: they
    keep waiting, told why kindly once. ``cards``: where a card for review goes when the
    caller shows its cards together (``retry_waitlist``); otherwise coordinators get it now."""
    if best is None:
        return await _keep_waiting(deps, session, person, need, ranking, offer_pool)
    entry = await _noted(deps, session, person.id, ranking)
    others = [c for c in ranking.candidates if c.offer_id != best.offer_id]
    shown = [best, *others][: deps.config.matching.candidates_shown_to_coordinators]
    proposal = Proposal(
        service_user_id=person.id,
        source="auto",
        candidates=[wording.candidate_record(c) for c in shown],
        offered_worker_ids=[best.offer_id],  # the card holds its best match's place
        created_at=deps.now(),
    )
    approval = deps.config.matching.require_coordinator_approval
    if approval and cards is not None:
        cards.append(proposal)  # put in review with the others, together
        return []
    await lifecycle.transition_proposal(session, proposal, REVIEW, at=deps.now(), actor_id=None)
    if approval:
        return await people.coordinator_notices(
            session, partial(wording.proposal_card, deps, session, proposal, entry, need)
        )
    # Offered at once: the best match and alternatives with a place to spare, each held.
    alternatives = [c.offer_id for c in others if offer_pool.has_place(c.offer_id)]
    chosen = [best.offer_id, *alternatives[: deps.config.matching.offer_count - 1]]
    for worker_id in chosen[1:]:
        offer_pool.take(worker_id)
    return await offer(deps, session, proposal, chosen, actor_id=None)


async def _noted(
    deps: Deps, session: AsyncSession, person_id: int, ranking: Ranking
) -> WaitlistEntry:
    """Their waitlist entry, with what rules workers out for them as places now stand."""
    entry = await waitlist_entry(deps, session, person_id)
    entry.blocking = {str(k): v for k, v in ranking.ruled_out_counts().items()}
    session.add(entry)
    return entry


async def _keep_waiting(
    deps: Deps,
    session: AsyncSession,
    person: Person,
    need: Need,
    ranking: Ranking,
    offer_pool: OfferPool,
    with_room: Ranking | None = None,
) -> list[Notice]:
    """They wait: told once, honestly, whether it is about who is free now or about what
    they asked for (then kindly, what would widen their options, never pressed).
    ``with_room``: their ranking were every place open, when the caller has it."""
    entry = await _noted(deps, session, person.id, ranking)
    if entry.told_waiting_at is not None:
        return []
    entry.told_waiting_at = deps.now()
    with_room = with_room or offer_pool.with_every_place_open().rank(need, 1)
    if with_room.candidates:  # someone would fit them, were a place free
        reply = saying("offer_nobody_yet")
    elif blocking := with_room.own_choices_blocking():
        reply = partial(wording.nobody_fits_reply, blocking)
    else:  # kept out by what is not theirs to change (past declines, perspective)
        reply = saying("offer_nobody_fits_other")
    return [await notice_to(person, reply)]


async def retry_waitlist(deps: Deps, session: AsyncSession) -> list[Notice]:
    """Places changed (a decline, an expiry, an answer, a cap, leave): one decision for
    everyone waiting without a card. The optimal assignment of them to the places nobody holds
    (the same solve as ``/match_all``; among equal totals the longest-waiting are matched)
    gives each person at most one worker; each gets a card
    (or an offer) for theirs, with their own ranking as alternatives, and the rest wait, with
    reasons as they stand once the assignment's places are taken.

    Decided here and now, in the change's own transaction, while the waitlist is small enough
    to solve on the event loop (``INLINE_PAIRS``: a programme of hundreds takes a tenth of a
    second); above that, asked of the next sweep (``refresh_if_asked``), which solves it in a
    worker process and gathers every change made meanwhile into one decision."""
    waiting, entries = await _waiting_without_a_card(session)
    if not waiting:
        return []
    if len(waiting) * await mapping.approved_workers(session) > INLINE_PAIRS:
        await _ask_for_a_refresh(deps, session)
        return []
    needs = {need.id: need for need in await mapping.needs(session, [p.id for p in waiting])}
    offer_pool = await pool(deps, session)
    batch = offer_pool.assign_explained(list(needs.values()), [p.id for p in waiting])
    notices, _short = await _lay_out(deps, session, waiting, entries, needs, offer_pool, batch)
    return notices  # (solved on this very pool: never short)


async def _waiting_without_a_card(
    session: AsyncSession,
) -> tuple[list[Person], dict[int, WaitlistEntry]]:
    """Who waits with no card, offer or hold of their own, longest first; and every waiting
    person's entry. Takes the turn to hand out places (``deciding_places``) first, so that
    what it reads is not changed by another decision before this one ends."""
    await deciding_places(session)
    rows = (
        await session.exec(
            select(Person, WaitlistEntry)  # (the entries, loaded once for all of them)
            .join(WaitlistEntry, WaitlistEntry.service_user_id == Person.id)
            .where(Person.status == ServiceUserStatus.WAITING)
            .order_by(WaitlistEntry.since, Person.id)
        )
    ).all()
    carded = await _with_a_card_or_held(session)
    entries = {person.id: entry for person, entry in rows}
    return [person for person, _entry in rows if person.id not in carded], entries


async def _lay_out(
    deps: Deps,
    session: AsyncSession,
    waiting: list[Person],
    entries: dict[int, WaitlistEntry],
    needs: dict[int, Need],
    offer_pool: OfferPool,
    batch: Batch,
) -> tuple[list[Notice], bool]:
    """A batch's decision made real: a card (or an offer) for each person it matched whose
    worker still has a place in ``offer_pool`` (the longest-waiting first, when a batch solved
    a while ago finds fewer places than it gave out), and the rest told kindly why they
    wait. Also whether any match had to be left out for want of a place."""
    shown = deps.config.matching.candidates_shown_to_coordinators
    places = {offer.id: offer_pool.places_left(offer.id) for offer in offer_pool.offers}
    matched: dict[int, Candidate] = {}
    for person in waiting:
        candidate = batch.candidates.get(person.id)
        if candidate is not None and person.id in needs and places.get(candidate.offer_id, 0):
            places[candidate.offer_id] -= 1
            matched[person.id] = candidate
    short = any(need_id in needs and need_id not in matched for need_id in batch.candidates)
    # Each card's alternatives are ranked before the batch's places are taken; who is left
    # waiting, after (their reasons are the places as they now stand).
    rankings = await _ranked(offer_pool, [needs[need_id] for need_id in matched], shown)
    for candidate in matched.values():
        offer_pool.take(candidate.offer_id)
    left = [need for need_id, need in needs.items() if need_id not in matched]
    rankings.update(await _ranked(offer_pool, left, shown))
    # Those told nothing yet are told why they wait: were every place open, would anyone fit?
    untold = [need for need in left if entries[need.id].told_waiting_at is None]
    with_room = await _ranked(offer_pool.with_every_place_open(), untold, 1)
    notices: list[Notice] = []
    cards: list[Proposal] = []
    for count, person in enumerate(waiting, start=1):
        if count % TURN_EVERY == 0:
            await session.flush()  # (written as it goes, not all at the commit)
            await asyncio.sleep(0)  # (see _ranked)
        if person.id not in needs:
            continue
        best = matched.get(person.id)
        need, ranking = needs[person.id], rankings[person.id]
        if best is None:
            notices += await _keep_waiting(
                deps, session, person, need, ranking, offer_pool, with_room.get(person.id)
            )
        else:
            notices += await _propose(deps, session, person, need, ranking, best, offer_pool, cards)
    await asyncio.sleep(0)
    await lifecycle.transition_proposals(session, cards, REVIEW, at=deps.now(), actor_id=None)
    await asyncio.sleep(0)
    return notices + await _announce(deps, session, cards), short


TURN_EVERY = 100  # people laid out between two turns of the event loop
NEEDS_AT_ONCE = 300  # people read between two turns of the event loop


async def _ranked(offer_pool: OfferPool, needs: list[Need], limit: int) -> dict[int, Ranking]:
    """``rank_all``, a block at a time, letting the event loop take its turn between blocks:
    laying out a thousand people takes a second or two, and meanwhile the bot goes on
    sending, and answering a risk phrase with the crisis lines from memory. (On SQLite the
    rest of the bot's database work waits for this transaction, as for any other.)"""
    rankings: dict[int, Ranking] = {}
    for start in range(0, len(needs), TURN_EVERY):
        block = needs[start : start + TURN_EVERY]
        rankings.update(zip([n.id for n in block], offer_pool.rank_all(block, limit), strict=True))
        await asyncio.sleep(0)
    return rankings


REFRESH = "waitlist"  # the one row of WaitlistRefresh


async def _ask_for_a_refresh(deps: Deps, session: AsyncSession) -> None:
    """Ask the next sweep for a look at the waitlist (the caller holds ``deciding_places``):
    the time of the latest ask, so that a look taken before it does not count for it."""
    asked = await session.get(WaitlistRefresh, REFRESH, with_for_update=True)
    if asked is None:  # (the migration makes the row; in case it went)
        asked = WaitlistRefresh(name=REFRESH)
    asked.due_at = deps.now()
    session.add(asked)


async def refresh_if_asked(deps: Deps) -> None:
    """A sweep's step: the look at the waitlist that changes asked for since the last one, if
    any. Who waits is read in one transaction, the batch solved outside any (in a worker
    process at this size), and its decision made in another, over the places as they then
    stand, with the messages it makes queued in the same transaction. The ask is cleared only
    there, and only if no change asked again meanwhile: a look that fails, or is cut short by
    a stop, is taken again by the next sweep."""
    async with transaction(deps.sessions) as session:
        await deciding_places(session)  # (always before the row: the order changes take)
        asked = await session.get(WaitlistRefresh, REFRESH)
        if asked is None or asked.due_at is None:
            return
        asked_at = asked.due_at
        waiting, _entries = await _waiting_without_a_card(session)
    batch = None
    if waiting:
        batch = await solve_waitlist(deps, [person.id for person in waiting])
    async with transaction(deps.sessions) as session:
        waiting, entries = await _waiting_without_a_card(session)
        short = False
        if batch is not None:
            needs: dict[int, Need] = {}
            for start in range(0, len(waiting), NEEDS_AT_ONCE):
                await asyncio.sleep(0)  # (a turn for everyone else between the steps)
                ids = [person.id for person in waiting[start : start + NEEDS_AT_ONCE]]
                needs.update((need.id, need) for need in await mapping.needs(session, ids))
            await asyncio.sleep(0)
            offer_pool = await pool(deps, session)
            notices, short = await _lay_out(
                deps, session, waiting, entries, needs, offer_pool, batch
            )
            outbox.enqueue(deps, session, notices)
        asked = await session.get(WaitlistRefresh, REFRESH, with_for_update=True)
        if short:  # places went while it solved: those left out are looked at again
            await _ask_for_a_refresh(deps, session)
        elif asked is not None and asked.due_at == asked_at:
            asked.due_at = None
            session.add(asked)


async def _announce(deps: Deps, session: AsyncSession, cards: list[Proposal]) -> list[Notice]:
    """Cards for review, to coordinators: one card as it is; several in one view of them all
    (a refresh at a large programme's size can make a thousand)."""
    if len(cards) == 1:
        (card,) = cards
        entry = await waitlist_entry(deps, session, card.service_user_id)
        return await people.coordinator_notices(
            session, partial(wording.proposal_card, deps, session, card, entry)
        )
    if not cards:
        return []
    # (a batch's ids run together: every proposal is made holding deciding_places)
    first, last = min(card.id for card in cards), max(card.id for card in cards)

    async def view() -> Reply:
        head = wording.tn("coord_batch_new_title", len(cards))
        return await wording.batch_view(deps, session, head, cards, first, last)

    return await people.coordinator_notices(session, view)


async def batch_cards(session: AsyncSession, first: int, last: int) -> list[Proposal]:
    """A batch's cards (proposal ids ``first`` to ``last``) still in review, in order."""
    rows = await session.exec(
        select(Proposal)
        .where(Proposal.status == REVIEW, Proposal.id >= first, Proposal.id <= last)
        .order_by(Proposal.id)
    )
    return list(rows.all())


async def open_card(deps: Deps, session: AsyncSession, proposal_id: int) -> Reply | None:
    """A card from a batch's view, in full, its alternatives ranked now: the workers with a
    place (the card's own held place counting as its own), any of whom the coordinator may
    offer instead. None if the card has been decided."""
    proposal = await session.get(Proposal, proposal_id)
    if proposal is None or proposal.status != REVIEW:
        return None
    need = await need_of(session, proposal.service_user_id)
    if need is None:
        return None
    offers = await mapping.offers(session, [proposal.id])
    offer_pool = matching.OfferPool(offers, mapping.weights(deps.config), _week(deps))
    shown = deps.config.matching.candidates_shown_to_coordinators
    match = proposal.candidates[0]
    others = [
        wording.candidate_record(c)
        for c in offer_pool.rank(need, shown + 1).candidates
        if c.offer_id != match["worker_id"]
    ]
    proposal.candidates = [match, *others][:shown]
    session.add(proposal)
    entry = await waitlist_entry(deps, session, proposal.service_user_id)
    return await wording.proposal_card(deps, session, proposal, entry, need)


async def _with_a_card_or_held(session: AsyncSession) -> set[int]:
    """People with a card in review or an offer open, or held by a coordinator."""
    rows = (
        await session.exec(
            select(Proposal.service_user_id, Proposal.status).where(
                Proposal.status.in_((*OPEN_PROPOSAL, HELD))
            )
        )
    ).all()
    carded = {person_id for person_id, status in rows if status != HELD}
    held = {person_id for person_id, status in rows if status == HELD} - carded
    return carded | {person_id for person_id in held if await held_card(session, person_id)}


async def start_waiting(deps: Deps, session: AsyncSession, person: Person) -> list[Notice]:
    """Onboarding is done: put them on the waitlist and look for peers at once."""
    await waitlist_entry(deps, session, person.id)
    await session.flush()
    return await find_match(deps, session, person)


# -- offering to the service user --------------------------------------------------------------


async def with_a_place(
    session: AsyncSession, proposal: Proposal, worker_ids: list[int], released: list[int] = ()
) -> list[int]:
    """Those of ``worker_ids`` with a place free for this proposal: none in use or held by
    another (its own holds count as its own, as do ``released`` proposals')."""
    profiles = (
        await session.exec(
            select(PeerWorkerProfile)
            .join(Person, Person.id == PeerWorkerProfile.person_id)
            .where(
                PeerWorkerProfile.person_id.in_(worker_ids),
                PeerWorkerProfile.taking_new_matches,
                Person.status == PeerWorkerStatus.APPROVED,
            )
        )
    ).all()
    caps = {profile.person_id: profile.max_caseload for profile in profiles}
    released = [*released, *([proposal.id] if proposal.id is not None else [])]
    taken = await mapping.places_taken(session, worker_ids, released)
    return [i for i in worker_ids if taken.get(i, 0) < caps.get(i, 0)]


async def offer(
    deps: Deps,
    session: AsyncSession,
    proposal: Proposal,
    worker_ids: list[int],
    actor_id: int | None,
) -> list[Notice]:
    """Offer these workers (each with a place free for it: see ``with_a_place``); from now
    the offer holds their places until it is answered or lapses."""
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
    return [await notice_to(person, partial(wording.offer_card, deps, session, proposal))]


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
    await deciding_places(session)
    if choice == "hold":
        proposal.decided_at, proposal.decided_by_person_id = deps.now(), coordinator.id
        await lifecycle.transition_proposal(  # audited as proposal.held, as before
            session, proposal, HELD, at=deps.now(), actor_id=coordinator.id
        )
        await session.flush()  # the place it held is free again: someone else may fit it
        return "proposal_held", await retry_waitlist(deps, session)
    ids = [c["worker_id"] for c in proposal.candidates]
    if choice == "all":
        # The card's own match first (its place is held), then alternatives with room.
        first = [i for i in proposal.offered_worker_ids if i in ids][:1] or ids[:1]
        ranked = first + [i for i in ids if i not in first]
        chosen = (await with_a_place(session, proposal, ranked))[: deps.config.matching.offer_count]
    elif choice.isdigit() and int(choice) in ids:
        chosen = await with_a_place(session, proposal, [int(choice)])
    else:
        return "proposal_already_decided", []
    if not chosen:  # its places went since it was made (a worker paused, a cap lowered)
        await lifecycle.transition_proposal(
            session, proposal, SUPERSEDED, at=deps.now(), actor_id=coordinator.id
        )
        await session.flush()
        return "proposal_places_taken", await retry_waitlist(deps, session)
    await lifecycle.audit(
        session,
        at=deps.now(),
        actor_id=coordinator.id,
        action="proposal.approved",
        subject_type="proposal",
        subject_id=proposal.id,
        reason=",".join(str(i) for i in chosen),
    )
    held_before = list(proposal.offered_worker_ids)
    notices = await offer(deps, session, proposal, chosen, coordinator.id)
    if any(worker_id not in chosen for worker_id in held_before):
        await session.flush()  # a place the card held and the offer does not: free again
        notices += await retry_waitlist(deps, session)
    return "proposal_offered", notices


async def offer_every_card(
    deps: Deps, session: AsyncSession, coordinator: Person, first: int, last: int
) -> tuple[int, list[Notice]]:
    """A coordinator approves at once every card of one batch (its proposal ids, ``first`` to
    ``last``) still in review: (how many were offered, the notices)."""
    offered, notices = 0, []
    for card in await batch_cards(session, first, last):
        key, sent = await review_proposal(deps, session, coordinator, card.id, "all")
        offered += key == "proposal_offered"
        notices += sent
    return offered, notices


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
