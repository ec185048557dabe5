"""What a coordinator may do from the console: start a relationship action and give its
reason, and the person actions (look for peers now, review a proposal, match by hand).

A button starts an action; the reason comes next as free text, held in ``PendingInput``
(kind ``REASON`` or ``MATCH_REASON``) until it arrives. What each relationship action may do,
and doing it, is ``bot.relationships.coordinator_actions``, shared with the commands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import pending as pending_input
from bot.deps import Deps
from bot.lifecycle import ServiceUserStatus
from bot.models import (
    PeerWorkerProfile,
    PendingInput,
    Person,
    Relationship,
    Role,
    WaitlistEntry,
)
from bot.notify import Notice
from bot.offers import manual, matchmaking, wording
from bot.relationships.coordinator_actions import WEEKS, clean_reason, open_for, perform
from bot.texts import t, tn

REASON = "console_reason"  # a relationship action waiting for its reason
MATCH_REASON = "console_match"  # a hand match waiting for its reason
KINDS = (REASON, MATCH_REASON)


async def ask_reason(
    deps: Deps,
    session: AsyncSession,
    coordinator: Person,
    relationship_id: int,
    action: str,
    weeks: int,
) -> Relationship | None:
    """A button started ``action``; the reason comes next. None if it is not allowed now."""
    relationship = await open_for(session, relationship_id, action)
    if relationship is None:
        return None
    if action in WEEKS and weeks not in WEEKS[action]:
        return None
    payload = {"action": action, "weeks": weeks if action in WEEKS else 0}
    await pending_input.ask(session, coordinator.id, REASON, relationship.id, deps.now(), payload)
    return relationship


@dataclass(frozen=True)
class Outcome:
    """What came of a reason: a text key and its parameters, notices, and the subject."""

    key: str
    params: dict
    notices: list[Notice]
    relationship_id: int | None = None
    person_id: int | None = None


async def take_pending(session: AsyncSession, coordinator: Person) -> PendingInput | None:
    pending = await session.get(PendingInput, coordinator.id)
    if pending is None or pending.kind not in KINDS:
        return None
    await session.delete(pending)
    return pending


async def give_reason(
    deps: Deps, session: AsyncSession, coordinator: Person, pending: PendingInput, text: str
) -> Outcome:
    """The reason arrived: re-check the state (it may have changed meanwhile), then act."""
    reason = clean_reason(text)
    if not reason:
        return Outcome("con_reason_empty", {}, [])
    if pending.kind == MATCH_REASON:
        return await _hand_match(deps, session, coordinator, pending, reason)
    action = str(pending.payload.get("action", ""))
    weeks = int(pending.payload.get("weeks") or 0)
    relationship = await open_for(session, pending.subject_id, action)
    if relationship is None:
        return Outcome("con_action_not_allowed_now", {"ref": f"R{pending.subject_id}"}, [])
    duration = timedelta(weeks=weeks) if action in WEEKS else None
    notices = await perform(deps, session, coordinator, relationship, action, reason, duration)
    if notices is None:
        return Outcome("con_action_not_allowed_now", {"ref": f"R{relationship.id}"}, [])
    return Outcome(
        f"con_done_{action}",
        {"ref": f"R{relationship.id}", "weeks": tn("pause_weeks", weeks)},
        notices,
        relationship_id=relationship.id,
    )


# -- people ---------------------------------------------------------------------------------

MATCHABLE = (ServiceUserStatus.WAITING, ServiceUserStatus.NOT_NOW)
PERSON_ACTIONS = ("propose", "proposal", "match", "profile")


def person_actions(
    person: Person, has_open_proposal: bool, in_review: bool, has_profile: bool
) -> list[str]:
    """The console's actions for a person in their current state: look for peers now (no
    proposal open), review the open proposal, match by hand; a worker's profile."""
    if person.role == Role.SERVICE_USER:
        found = []
        if person.status == ServiceUserStatus.WAITING and not has_open_proposal:
            found.append("propose")
        if in_review:
            found.append("proposal")
        if person.status in MATCHABLE:
            found.append("match")
        return found
    if person.role == Role.PEER_WORKER and has_profile:
        return ["profile"]
    return []


async def allowed_person_action(
    session: AsyncSession, person_id: int, action: str
) -> Person | None:
    """The person, if ``action`` is allowed on them in their state now."""
    person = await session.get(Person, person_id)
    if person is None:
        return None
    proposal = await matchmaking.open_proposal(session, person.id)
    in_review = proposal is not None and proposal.status == matchmaking.REVIEW
    has_profile = await session.get(PeerWorkerProfile, person.id) is not None
    allowed_now = person_actions(person, proposal is not None, in_review, has_profile)
    return person if action in allowed_now else None


async def service_user(session: AsyncSession, person_id: int) -> Person | None:
    person = await session.get(Person, person_id)
    return person if person is not None and person.role == Role.SERVICE_USER else None


async def propose(
    deps: Deps, session: AsyncSession, coordinator: Person, person_id: int
) -> Outcome | None:
    """Look for peers for someone waiting, now: a proposal to review, an offer made, or
    still nobody (and why). None if they are not waiting, or a proposal is already open."""
    person = await service_user(session, person_id)
    if person is None or person.status != ServiceUserStatus.WAITING:
        return None
    if await matchmaking.open_proposal(session, person.id) is not None:
        return None
    await matchmaking.release_hold(deps, session, person.id, coordinator.id)
    notices = await matchmaking.find_match(deps, session, person)
    proposal = await matchmaking.open_proposal(session, person.id)
    ref = {"ref": f"U{person.id}"}
    if proposal is None:
        entry = await session.get(WaitlistEntry, person.id)
        why = wording.blocking_text(entry.blocking if entry else {})
        return Outcome("con_propose_nobody", {**ref, "why": why}, notices, person_id=person.id)
    key = "con_propose_review" if proposal.status == matchmaking.REVIEW else "con_propose_offered"
    return Outcome(key, ref, notices, person_id=person.id)


async def ask_match_reason(
    deps: Deps, session: AsyncSession, coordinator: Person, person_id: int, worker_id: int
) -> Person | None:
    person = await service_user(session, person_id)
    if person is None or person.status not in MATCHABLE:
        return None
    worker = await session.get(Person, worker_id)
    if worker is None or worker.role != Role.PEER_WORKER:
        return None
    payload = {"worker_id": worker_id}
    await pending_input.ask(session, coordinator.id, MATCH_REASON, person.id, deps.now(), payload)
    return person


async def _hand_match(
    deps: Deps, session: AsyncSession, coordinator: Person, pending: PendingInput, reason: str
) -> Outcome:
    person_id, worker_id = pending.subject_id, int(pending.payload.get("worker_id") or 0)
    refs = {"ref": f"U{person_id}", "worker": f"W{worker_id}"}
    problem, broken = await manual.check_manual_match(deps, session, person_id, worker_id)
    if problem:
        return Outcome(problem, {}, [], person_id=person_id)
    if broken is not None:
        return Outcome(
            "con_match_breaks",
            {**refs, "constraint": t(f"constraint_{broken}")},
            [],
            person_id=person_id,
        )
    notices = await manual.manual_match(
        deps, session, coordinator, person_id, worker_id, reason, None
    )
    return Outcome("coord_match_offered", {}, notices, person_id=person_id)
