"""Coordinator actions: bootstrap, coordinators, invites, reviewing workers. All audited."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import lifecycle, people, roles
from bot import pending as pending_questions
from bot.callbacks import InviteCoordinator, RejectWithoutReason, RemoveCoordinator, RevokeInvite
from bot.config import Config
from bot.deps import Deps
from bot.lifecycle import PeerWorkerStatus
from bot.models import (
    Coordinator,
    Invite,
    LivedExperienceArea,
    PeerWorkerProfile,
    PendingInput,
    Person,
    Role,
)
from bot.notify import Button, Notice, Reply, Response, notice_to, saying
from bot.relationships import leaving
from bot.roles import COORDINATOR as COORDINATOR_ROLE
from bot.texts import Markup, t, tn
from bot.texts.fragments import date_text, person_ref, worker_ref
from bot.workers import invites
from bot.workers import service as workers
from bot.workers.invites import InviteProblem

log = logging.getLogger(__name__)

REJECT_REASON = "reject_reason"
INVITE_LIST_LIMIT = 20


async def sync_reference_data(deps: Deps, session: AsyncSession) -> None:
    """At start-up: bootstrap coordinators and the taxonomy from the configuration."""
    await _sync_taxonomy(session, deps.config)
    await _sync_bootstrap_coordinators(deps, session)


async def _sync_bootstrap_coordinators(deps: Deps, session: AsyncSession) -> None:
    """The configuration is the source of truth for bootstrap coordinators: those listed are
    coordinators, those taken out are not (coordinators added by invite are left alone)."""
    now = deps.now()
    listed: set[int] = set()
    for telegram_id in deps.config.coordinators.telegram_ids:
        person = await people.find_or_create(session, telegram_id, now)
        listed.add(person.id)
        standing = await roles.standing_of(session, person)
        if standing == roles.Standing.COORDINATOR:
            continue
        if roles.decide(standing, COORDINATOR_ROLE) != roles.Decision.GRANT:
            log.warning(
                "coordinators.telegram_ids: person %s has open business in another role "
                "(support or a caseload) and was not made a coordinator",
                person.id,
            )
            continue
        why = "listed in coordinators.telegram_ids"
        await _leave_current_role(deps, session, person, actor_id=None, why=why)
        await roles.become_coordinator(
            session, person, source="config", at=now, actor_id=None, why=why
        )
    leftover = await session.exec(
        select(Coordinator).where(Coordinator.active, Coordinator.source == "config")
    )
    for row in leftover.all():
        if row.person_id not in listed:
            why = "no longer in coordinators.telegram_ids"
            await _remove_coordinator(deps, session, row, actor_id=None, why=why)


async def _remove_coordinator(
    deps: Deps, session: AsyncSession, row: Coordinator, *, actor_id: int | None, why: str
) -> int:
    """End the role, and revoke every invite they made that nobody has used (how many)."""
    await roles.remove_coordinator(session, row, at=deps.now(), actor_id=actor_id, why=why)
    return await invites.revoke_unused_made_by(deps, session, row.person_id, actor_id)


async def _leave_current_role(
    deps: Deps, session: AsyncSession, person: Person, *, actor_id: int | None, why: str
) -> list[Notice]:
    """Before a granted role change: out of the waitlist, open proposals and the worker pool.
    The rule only grants a change when nobody is left waiting on them, so nothing here ends
    a relationship; a worker still proposed to someone comes off that proposal."""
    if person.role is None:
        return []
    return await leaving.leave(deps, session, person, actor_id=actor_id, reason=why)


async def _sync_taxonomy(session: AsyncSession, config: Config) -> None:
    existing = {area.key: area for area in (await session.exec(select(LivedExperienceArea))).all()}
    for area in config.lived_experience:
        row = existing.pop(area.key, None) or LivedExperienceArea(key=area.key)
        label = area.label.said(config.service.language)  # of record: the default language's
        row.label, row.perspective, row.active = label, area.perspective, True
        session.add(row)
    for row in existing.values():  # kept for history, but no longer offered
        row.active = False
        session.add(row)


# -- invites ------------------------------------------------------------------------------


INVITE_NOTE_LIMIT = 100


async def create_invite(
    deps: Deps, session: AsyncSession, actor: Person, role: str, note: str | None = None
) -> Reply:
    note = " ".join((note or "").split()) or None
    if note is not None and len(note) > INVITE_NOTE_LIMIT:
        return Reply(t("coord_invite_note_too_long", limit=INVITE_NOTE_LIMIT))
    created = await invites.create(deps, session, actor, role, note)
    key = "coord_invite_created_coordinator" if role == COORDINATOR_ROLE else "coord_invite_created"
    expires = _local(deps, created.invite.expires_at)
    return Reply(
        t(key, link=created.link(deps.bot_username), expires=expires),
        ((Button(t("btn_revoke"), RevokeInvite(created.invite.id)),),),
    )


def _local(deps: Deps, moment: datetime) -> str:
    return date_text(deps.config, moment, time=True)


def _note(invite: Invite) -> str:
    return t("invite_note_suffix", note=invite.note) if invite.note else ""


async def list_invites(deps: Deps, session: AsyncSession) -> Reply:
    rows = await invites.recent_invites(deps, session, INVITE_LIST_LIMIT)
    if not rows:
        return Reply(t("coord_no_invites"))
    lines, buttons = [t("coord_invites_recent_title")], []
    for invite in rows:
        fields = {"id": invite.id, "role": t(f"role_{invite.role}"), "note": Markup(_note(invite))}
        if invite.used_at:
            used = date_text(deps.config, invite.used_at, weekday=False, year=False, time=True)
            ref = _ref(await session.get(Person, invite.used_by_person_id))
            lines.append(t("coord_invite_line_used", used=used, ref=ref, **fields))
        else:
            expiry = date_text(deps.config, invite.expires_at, weekday=False, year=False, time=True)
            lines.append(t("coord_invite_line_open", expires=expiry, **fields))
        buttons.append((Button(t("btn_revoke_numbered", id=invite.id), RevokeInvite(invite.id)),))
    return Reply("\n".join(lines), tuple(buttons))


async def revoke_invite(
    deps: Deps, session: AsyncSession, actor: Person, invite_id: int
) -> Response:
    """Withdraw an invite. A used one stops working for its user too; a worker it let in who
    has not been approved yet stops there."""
    invite = await invites.revoke(deps, session, actor, invite_id)
    if invite is None:
        return Response(toast=t("coord_invite_not_revocable"), close_tapped=True)
    if invite.used_by_person_id is None:
        return Response(close_tapped=True, chosen=t("coord_invite_revoked"))
    person = await session.get(Person, invite.used_by_person_id)
    standing = await roles.standing_of(session, person)
    latest = await invites.used_by(session, person.id, invite.role)
    joined_with_this = latest is not None and latest.id == invite.id
    if invite.role != COORDINATOR_ROLE and standing in roles.NOT_YET_APPROVED and joined_with_this:
        await roles.stop_worker_profile(
            session, person, at=deps.now(), actor_id=actor.id, why=f"invite {invite.id} revoked"
        )
        profile = await session.get(PeerWorkerProfile, person.id)
        name = profile.display_name if profile else worker_ref(person.id)
        return Response(
            close_tapped=True,
            chosen=t("coord_invite_revoked_stopped", name=name),
            notices=[await notice_to(person, saying("pw_invite_withdrawn"))],
        )
    if joined_with_this and roles.holds_role_of(standing, invite):
        key = "coord_invite_revoked_kept_" + invite.role
        return Response(close_tapped=True, chosen=t(key))
    return Response(close_tapped=True, chosen=t("coord_invite_revoked_used"))


def _ref(person: Person) -> str:
    """How coordinators know someone here: W12 for a worker, U12 for anyone else."""
    if person.role == Role.PEER_WORKER:
        return worker_ref(person.id)
    return person_ref(person.id)


_REFUSALS = {
    roles.Standing.SERVICE_USER_OPEN: "invite_refused_service_user",
    roles.Standing.WORKER_WITH_CASELOAD: "invite_refused_caseload",
    roles.Standing.COORDINATOR: "invite_refused_coordinator",
}


async def accept_invite(
    deps: Deps, session: AsyncSession, person: Person, code: str
) -> Response | None:
    """Someone opened an invite link. What it may do is ``roles``' decision: a worker starts
    their profile, a coordinator joins, or the person is told kindly why not. None: nothing
    to grant or refuse, show them where they already are."""
    invite = await invites.find(session, code)
    now = deps.now()
    problem = invites.problem(invite, person, now)
    if problem is not None:
        return Response(replies=[Reply(t(problem.value))])
    standing = await roles.standing_of(session, person)
    if invite.used_at:  # their own link, opened again: it never grants anything twice
        if roles.holds_role_of(standing, invite):
            return None
        return Response(replies=[Reply(t(InviteProblem.ROLE_ENDED.value))])
    decision = roles.decide(standing, invite.role)
    if decision == roles.Decision.ALREADY:
        return None
    if decision != roles.Decision.GRANT:
        return await _refuse_invite(deps, session, person, invite, standing)
    await invites.mark_used(deps, session, invite, person)
    why = f"invite {invite.id} made by coordinator {invite.created_by_person_id}"
    notices: list[Notice] = []
    if standing != roles.Standing.WORKER_REJECTED:  # a rejected worker is in nothing to leave
        notices = await _leave_current_role(deps, session, person, actor_id=person.id, why=why)
    if invite.role == COORDINATOR_ROLE:
        await roles.become_coordinator(
            session, person, source="invite", at=now, actor_id=person.id, why=why
        )
        return Response(
            replies=[Reply(t("coord_welcome_new"))],
            notices=notices,
            menus={person.telegram_id: True},
        )
    await roles.become_peer_worker(session, person, at=now, actor_id=person.id, why=why)
    return Response(replies=await workers.begin_profile(deps, session, person), notices=notices)


async def _refuse_invite(
    deps: Deps, session: AsyncSession, person: Person, invite: Invite, standing: roles.Standing
) -> Response:
    """Nothing about the person changes; the invite stays unused; its maker is told."""
    await lifecycle.audit(
        session,
        at=deps.now(),
        actor_id=person.id,
        action=f"invite.refused.{invite.role}",
        subject_type="invite",
        subject_id=invite.id,
        reason=f"opened by person {person.id} ({standing})",
    )
    notices = []
    creator = await session.get(Person, invite.created_by_person_id)
    if (
        creator is not None
        and creator.id != person.id
        and await people.is_coordinator(session, creator.id)
    ):
        ref = _ref(person)

        def refused() -> Reply:
            return Reply(
                t(
                    "coord_invite_refused_notice",
                    ref=ref,
                    role=t(f"role_{invite.role}"),
                    id=invite.id,
                    note=Markup(_note(invite)),
                    standing=t(f"standing_{standing}"),
                )
            )

        notices.append(await notice_to(creator, refused))
    text = t(_REFUSALS[standing], service=deps.config.service.name)
    return Response(replies=[Reply(text)], notices=notices)


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
                        RemoveCoordinator(row.person_id),
                    ),
                )
            )
    buttons.append((Button(t("btn_add_coordinator"), InviteCoordinator()),))
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
    why = "removed with /coordinators"
    revoked = await _remove_coordinator(deps, session, row, actor_id=actor.id, why=why)
    removed = await session.get(Person, person_id)
    return Response(
        close_tapped=True,
        chosen=t("coord_removed_with_invites", id=person_id, count=revoked),
        notices=[await notice_to(removed, saying("coord_you_were_removed"))],
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
    replies = [Reply(tn("coord_pending_title", len(rows)))]
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
                ((Button(t("btn_reject_without_reason"), RejectWithoutReason(worker_id)),),),
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
