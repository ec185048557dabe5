"""What a coordinator may do to a relationship or a person, in which state, and doing it.

Commands (/pause R12 2w reason…) and the console's buttons both come here, so the rules are
written once. A button starts an action; the reason comes next as free text, held in
``PendingInput`` (kind ``REASON`` or ``MATCH_REASON``) until it arrives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import pending as pending_input
from bot.deps import Deps
from bot.lifecycle import RelationshipStatus, ServiceUserStatus
from bot.models import (
    PeerWorkerProfile,
    PendingInput,
    Person,
    Relationship,
    Role,
    WaitlistEntry,
)
from bot.notify import Notice
from bot.offers import service as offers
from bot.offers import wording
from bot.relationships import closure
from bot.texts import t, tn

REASON = "console_reason"  # a relationship action waiting for its reason
MATCH_REASON = "console_match"  # a hand match waiting for its reason
KINDS = (REASON, MATCH_REASON)
REASON_MAX = 300

ACTIVE, PAUSED = RelationshipStatus.ACTIVE, RelationshipStatus.PAUSED
# action -> the relationship statuses it is allowed in
RELATIONSHIP_ACTIONS: dict[str, tuple[str, ...]] = {
    "pause": (ACTIVE,),
    "resume": (PAUSED,),
    "extend": (ACTIVE, PAUSED),
    "close": (ACTIVE, PAUSED),
}
PAUSE_WEEKS = (1, 2, 4)  # the review comes after this long
EXTEND_WEEKS = (2, 4, 8)
WEEKS = {"pause": PAUSE_WEEKS, "extend": EXTEND_WEEKS}


def allowed(relationship: Relationship, action: str) -> bool:
    return relationship.status in RELATIONSHIP_ACTIONS.get(action, ())


def actions_for(relationship: Relationship) -> list[str]:
    return [action for action in RELATIONSHIP_ACTIONS if allowed(relationship, action)]


async def open_for(
    session: AsyncSession, relationship_id: int | None, action: str
) -> Relationship | None:
    """The relationship, if it exists and ``action`` is allowed in its state now."""
    if relationship_id is None:
        return None
    relationship = await session.get(Relationship, relationship_id)
    return relationship if relationship is not None and allowed(relationship, action) else None


async def perform(
    deps: Deps,
    session: AsyncSession,
    coordinator: Person,
    relationship: Relationship,
    action: str,
    reason: str,
    duration: timedelta | None = None,
) -> list[Notice] | None:
    """Pause (review after ``duration``), resume, extend (by ``duration``) or close; audited
    with the reason. None if the action is not allowed in the relationship's state."""
    if not allowed(relationship, action) or not reason:
        return None
    if action == "pause":
        if duration is None:
            return None
        return await closure.pause(deps, session, coordinator, relationship, duration, reason)
    if action == "resume":
        return await closure.resume(deps, session, coordinator, relationship, reason)
    if action == "extend":
        if duration is None:
            return None
        return await closure.extend(deps, session, coordinator, relationship, duration, reason)
    return await closure.close_and_exclude(
        deps, session, coordinator, relationship, reason, "closed"
    )


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


def clean_reason(text: str) -> str:
    return " ".join(text.split())[:REASON_MAX]


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
    proposal = await offers.open_proposal(session, person.id)
    in_review = proposal is not None and proposal.status == offers.REVIEW
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
    if await offers.open_proposal(session, person.id) is not None:
        return None
    notices = await offers.find_match(deps, session, person)
    proposal = await offers.open_proposal(session, person.id)
    ref = {"ref": f"U{person.id}"}
    if proposal is None:
        entry = await session.get(WaitlistEntry, person.id)
        why = wording.blocking_text(entry.blocking if entry else {})
        return Outcome("con_propose_nobody", {**ref, "why": why}, notices, person_id=person.id)
    key = "con_propose_review" if proposal.status == offers.REVIEW else "con_propose_offered"
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
    problem, broken = await offers.check_manual_match(deps, session, person_id, worker_id)
    if problem:
        return Outcome(problem, {}, [], person_id=person_id)
    if broken is not None:
        return Outcome(
            "con_match_breaks",
            {**refs, "constraint": t(f"constraint_{broken}")},
            [],
            person_id=person_id,
        )
    notices = await offers.manual_match(
        deps, session, coordinator, person_id, worker_id, reason, None
    )
    return Outcome("coord_match_offered", {}, notices, person_id=person_id)
