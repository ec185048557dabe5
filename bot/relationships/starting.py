"""A relationship starts: the worker accepts the request, the service user is matched and
leaves the waitlist, both are told, and the service user is asked how often to check in."""

from __future__ import annotations

from functools import partial

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import lifecycle
from bot.deps import Deps
from bot.lifecycle import RelationshipStatus, ServiceUserStatus
from bot.models import PeerWorkerProfile, Person, WaitlistEntry
from bot.notify import Notice, Reply, notice_to, saying
from bot.offers.requests import open_request
from bot.offers.wording import worker_name
from bot.relationships import checkins
from bot.texts import t


async def accept(
    deps: Deps, session: AsyncSession, worker: Person, relationship_id: int
) -> tuple[list[Reply], list[Notice]]:
    """The worker accepts the request: the relationship starts, for the programme's length."""
    relationship = await open_request(session, worker, relationship_id)
    if relationship is None:
        return [Reply(t("request_stale"))], []
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
    profile.expired_in_row = 0  # they answer: any run of unanswered requests is over
    session.add(profile)
    name = await worker_name(session, person.id)
    return (
        [Reply(t("request_accepted_worker", ref=name))],
        [
            await notice_to(person, saying("request_accepted_user", name=profile.display_name)),
            await notice_to(person, partial(checkins.ask_cadence, deps, relationship.id)),
        ],
    )
