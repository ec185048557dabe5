"""Coordinator actions: bootstrap, coordinators, invites, reviewing workers. All audited."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import lifecycle, people
from bot import pending as pending_questions
from bot.config import Config
from bot.deps import Deps
from bot.lifecycle import PeerWorkerStatus, ServiceUserStatus
from bot.models import (
    Coordinator,
    Invite,
    LivedExperienceArea,
    PeerWorkerProfile,
    PendingInput,
    Person,
    Role,
)
from bot.notify import Button, Notice, Reply, Response
from bot.texts import t
from bot.workers import invites
from bot.workers import service as workers
from bot.workers.invites import COORDINATOR_ROLE, InviteProblem

REJECT_REASON = "reject_reason"
INVITE_LIST_LIMIT = 20


async def sync_reference_data(deps: Deps, session: AsyncSession) -> None:
    """At start-up: bootstrap coordinators and the taxonomy from the configuration."""
    await _sync_taxonomy(session, deps.config)
    now = deps.now()
    for telegram_id in deps.config.coordinators.telegram_ids:
        person = await people.find_or_create(session, telegram_id, now)
        row = (
            await session.exec(select(Coordinator).where(Coordinator.person_id == person.id))
        ).first()
        if row is None:
            session.add(Coordinator(person_id=person.id, source="config", added_at=now))
            await lifecycle.audit(
                session,
                at=now,
                actor_id=None,
                action="coordinator.bootstrapped",
                subject_type="person",
                subject_id=person.id,
            )
        elif not row.active:
            row.active, row.source, row.removed_at = True, "config", None
            session.add(row)


async def _sync_taxonomy(session: AsyncSession, config: Config) -> None:
    existing = {area.key: area for area in (await session.exec(select(LivedExperienceArea))).all()}
    for area in config.lived_experience:
        row = existing.pop(area.key, None) or LivedExperienceArea(key=area.key)
        row.label, row.perspective, row.active = area.label, area.perspective, True
        session.add(row)
    for row in existing.values():  # kept for history, but no longer offered
        row.active = False
        session.add(row)


async def require_coordinator(session: AsyncSession, telegram_id: int) -> Person | None:
    person = await people.find(session, telegram_id)
    if person is not None and await people.is_coordinator(session, person.id):
        return person
    return None


# -- invites ------------------------------------------------------------------------------


async def create_invite(deps: Deps, session: AsyncSession, actor: Person, role: str) -> Reply:
    created = await invites.create(deps, session, actor, role)
    local_expiry = created.invite.expires_at.astimezone(deps.config.tz)
    key = "coord_invite_created_coordinator" if role == COORDINATOR_ROLE else "coord_invite_created"
    return Reply(
        t(key, link=created.link(deps.bot_username), expires=f"{local_expiry:%a %d %b %Y %H:%M}"),
        ((Button(t("btn_revoke"), f"adm|revoke|{created.invite.id}"),),),
    )


async def list_invites(deps: Deps, session: AsyncSession) -> Reply:
    rows = await invites.open_invites(deps, session)
    if not rows:
        return Reply(t("coord_no_invites"))
    lines, buttons = [t("coord_invites_title")], []
    for invite in rows[:INVITE_LIST_LIMIT]:
        expiry = invite.expires_at.astimezone(deps.config.tz)
        role = t(f"role_{invite.role}")
        lines.append(
            t("coord_invite_line", id=invite.id, role=role, expires=f"{expiry:%d %b %H:%M}")
        )
        buttons.append((Button(t("btn_revoke_numbered", id=invite.id), f"adm|revoke|{invite.id}"),))
    return Reply("\n".join(lines), tuple(buttons))


async def revoke_invite(
    deps: Deps, session: AsyncSession, actor: Person, invite_id: int
) -> Response:
    if await invites.revoke(deps, session, actor, invite_id):
        return Response(close_tapped=True, chosen=t("coord_invite_revoked"))
    return Response(toast=t("coord_invite_not_revocable"), close_tapped=True)


async def accept_invite(
    deps: Deps, session: AsyncSession, person: Person, code: str
) -> list[Reply]:
    """Someone opened an invite link: a worker starts their profile, a coordinator joins."""
    if person.role == Role.PEER_WORKER and person.status != PeerWorkerStatus.REJECTED:
        if person.status == PeerWorkerStatus.ONBOARDING:
            return await workers.resume(deps, session, person)
        return [Reply(t("invite_already_worker"))]
    claimed = await invites.claim(deps, session, person, code)
    if isinstance(claimed, InviteProblem):
        return [Reply(t(claimed.value))]
    if claimed.role == COORDINATOR_ROLE:
        return [await _join_as_coordinator(deps, session, person, claimed)]
    active_service_user = person.role == Role.SERVICE_USER and person.status in (
        ServiceUserStatus.ONBOARDING,
        ServiceUserStatus.WAITING,
    )
    if active_service_user:
        return [Reply(t("invite_not_for_service_user"))]
    return await workers.begin_profile(deps, session, person)


async def _join_as_coordinator(
    deps: Deps, session: AsyncSession, person: Person, invite: Invite
) -> Reply:
    now = deps.now()
    row = (
        await session.exec(select(Coordinator).where(Coordinator.person_id == person.id))
    ).first()
    if row is None:
        row = Coordinator(person_id=person.id, source="invite", added_at=now)
    row.active, row.removed_at = True, None
    row.added_by_person_id = invite.created_by_person_id
    session.add(row)
    await lifecycle.audit(
        session,
        at=now,
        actor_id=invite.created_by_person_id,
        action="coordinator.added",
        subject_type="person",
        subject_id=person.id,
    )
    return Reply(t("coord_welcome_new"))


# -- coordinators -------------------------------------------------------------------------


async def list_coordinators(deps: Deps, session: AsyncSession, actor: Person) -> Reply:
    rows = (
        await session.exec(
            select(Coordinator).where(Coordinator.active).order_by(Coordinator.added_at)
        )
    ).all()
    lines, buttons = [t("coord_coordinators_title")], []
    for row in rows:
        source = t(f"coord_source_{row.source}")
        you = t("coord_you") if row.person_id == actor.id else ""
        lines.append(t("coord_coordinator_line", id=row.person_id, source=source, you=you))
        if row.source == "invite" and row.person_id != actor.id:
            buttons.append(
                (
                    Button(
                        t("btn_remove_coordinator", id=row.person_id),
                        f"adm|rmcoord|{row.person_id}",
                    ),
                )
            )
    buttons.append((Button(t("btn_add_coordinator"), "adm|addcoord|0"),))
    return Reply("\n".join(lines), tuple(buttons))


async def remove_coordinator(
    deps: Deps, session: AsyncSession, actor: Person, person_id: int
) -> Response:
    row = (
        await session.exec(
            select(Coordinator).where(Coordinator.person_id == person_id, Coordinator.active)
        )
    ).first()
    if row is None:
        return Response(toast=t("coord_not_removable"), close_tapped=True)
    if row.source == "config":
        return Response(replies=[Reply(t("coord_config_not_removable"))])
    if person_id == actor.id:
        return Response(replies=[Reply(t("coord_cannot_remove_self"))])
    row.active, row.removed_at = False, deps.now()
    session.add(row)
    await lifecycle.audit(
        session,
        at=deps.now(),
        actor_id=actor.id,
        action="coordinator.removed",
        subject_type="person",
        subject_id=person_id,
    )
    removed = await session.get(Person, person_id)
    return Response(
        close_tapped=True,
        chosen=t("coord_removed", id=person_id),
        notices=[Notice(removed.telegram_id, Reply(t("coord_you_were_removed")), removed.id)],
        menus={removed.telegram_id: False},
    )


# -- reviewing workers --------------------------------------------------------------------


async def pending_workers(deps: Deps, session: AsyncSession) -> list[Reply]:
    rows = (
        await session.exec(
            select(Person)
            .where(
                Person.role == Role.PEER_WORKER, Person.status == PeerWorkerStatus.PENDING_APPROVAL
            )
            .order_by(Person.updated_at)
        )
    ).all()
    if not rows:
        return [Reply(t("coord_no_pending"))]
    replies = [Reply(t("coord_pending_title", count=len(rows)))]
    for person in rows:
        card = await workers.profile_card(deps, session, person.id)
        replies.append(Reply(card, workers.review_buttons(person.id)))
    return replies


async def approve(deps: Deps, session: AsyncSession, actor: Person, worker_id: int) -> Response:
    return await workers.review(deps, session, actor, worker_id, approve=True)


async def ask_reject_reason(
    deps: Deps, session: AsyncSession, actor: Person, worker_id: int
) -> Response:
    worker = await session.get(Person, worker_id)
    if worker is None or worker.status != PeerWorkerStatus.PENDING_APPROVAL:
        return Response(toast=t("review_already_done"), close_tapped=True)
    profile = await session.get(PeerWorkerProfile, worker_id)
    await pending_questions.ask(session, actor.id, REJECT_REASON, worker_id, deps.now())
    return Response(
        replies=[
            Reply(
                t("coord_reject_reason", name=profile.display_name),
                ((Button(t("btn_reject_without_reason"), f"adm|rejectnow|{worker_id}"),),),
            )
        ]
    )


async def reject(
    deps: Deps, session: AsyncSession, actor: Person, worker_id: int, reason: str | None
) -> Response:
    pending = await session.get(PendingInput, actor.id)
    if pending is not None:
        await session.delete(pending)
    return await workers.review(deps, session, actor, worker_id, approve=False, reason=reason)


async def pending_input(session: AsyncSession, actor: Person) -> PendingInput | None:
    return await session.get(PendingInput, actor.id)
