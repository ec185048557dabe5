"""The rules for peer workers: building the profile, approval, taking new matches."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import lifecycle, people
from bot.callbacks import (
    ApproveWorker,
    AskRejectReason,
    EditWorkerProfile,
    TakeNewMatches,
    WorkerWellbeingChecks,
)
from bot.deps import Deps
from bot.forms import profiles, runner
from bot.forms.engine import SUMMARY, Draft
from bot.lifecycle import PeerWorkerStatus
from bot.models import PeerWorkerProfile, Person, Role
from bot.notify import Button, Notice, Reply, Response, notice_to, saying
from bot.offers import matchmaking
from bot.texts import Markup, escape, t
from bot.texts.fragments import date_text
from bot.workers import invites
from bot.workers.profile_questions import NO_COMMUNITY, SHARE_NONE, WORKER_FLOW

FLOW = WORKER_FLOW.name


async def begin_profile(deps: Deps, session: AsyncSession, person: Person) -> list[Reply]:
    """The first screen of the profile form, for someone ``roles`` has just made a worker."""
    draft = await runner.start(deps, session, person, FLOW)
    return [runner.screen(deps, FLOW, draft)]


async def resume(deps: Deps, session: AsyncSession, person: Person) -> list[Reply]:
    return [Reply(t("pw_resume")), await runner.screen_to_resume(deps, session, person, FLOW)]


async def _replace_profile(
    deps: Deps, session: AsyncSession, person: Person, answers: dict[str, Any], now: datetime
) -> PeerWorkerProfile:
    areas = [key for key in answers.get("areas") or [] if key != SHARE_NONE]
    await profiles.replace_details(
        deps.config,
        session,
        person.id,
        areas,
        answers.get("languages"),
        answers.get("availability"),
    )
    profile = await session.get(PeerWorkerProfile, person.id)
    perspectives = answers["perspectives"]
    fields = {
        "display_name": answers["display_name"],
        "bio": answers["bio"],
        "is_consumer": perspectives in ("consumer", "both"),
        "is_carer": perspectives in ("carer", "both"),
        "gender": answers.get("gender"),
        "age_band": answers.get("age_band"),
        "communities": [c for c in answers.get("communities") or [] if c != NO_COMMUNITY],
        "timezone": answers["timezone"],
        "max_caseload": min(int(answers["caseload"]), deps.config.peer_workers.max_caseload),
        "quiet_hours": None
        if answers.get("quiet_hours") in (None, "none")
        else answers["quiet_hours"],
        "updated_at": now,
    }
    if profile is None:
        profile = PeerWorkerProfile(person_id=person.id, submitted_at=now, **fields)
    else:
        for name, value in fields.items():
            setattr(profile, name, value)
    session.add(profile)
    return profile


def review_buttons(person_id: int) -> tuple[tuple[Button, ...], ...]:
    return (
        (
            Button(t("btn_approve"), ApproveWorker(person_id)),
            Button(t("btn_reject"), AskRejectReason(person_id)),
        ),
    )


async def profile_card(deps: Deps, session: AsyncSession, person_id: int) -> Markup:
    """The profile as coordinators review it (never the worker's Telegram identity)."""
    person = await session.get(Person, person_id)
    answers = await profile_answers(deps, session, person)
    sections = [
        f"<b>{t(title)}</b>\n{escape(value)}"
        for title, value in WORKER_FLOW.summarise(deps.config, answers)
    ]
    sections.append(await _provenance(deps, session, person_id))
    return Markup("\n\n".join(sections))


async def _provenance(deps: Deps, session: AsyncSession, person_id: int) -> Markup:
    """Which invite the worker joined with, so a coordinator can confirm who used it."""
    invite = await invites.used_by(session, person_id, Role.PEER_WORKER)
    if invite is None:
        return t("invite_provenance_unknown")
    return t(
        "invite_provenance",
        id=invite.id,
        creator=invite.created_by_person_id,
        created=date_text(deps.config, invite.created_at),
        used=date_text(deps.config, invite.used_at, time=True),
        note=t("invite_note_suffix", note=invite.note) if invite.note else "",
    )


async def on_confirm(deps: Deps, session: AsyncSession, person: Person, draft: Draft) -> Response:
    now = deps.now()
    await _replace_profile(deps, session, person, draft.answers, now)
    await runner.discard(session, person.id)
    if person.status != PeerWorkerStatus.ONBOARDING:
        return await profiles.edit_saved(
            session, person, now, action="peer_worker.profile_edited", saved=t("pw_profile_saved")
        )
    await lifecycle.transition(
        session, person, PeerWorkerStatus.PENDING_APPROVAL, at=now, actor_id=person.id
    )
    await session.flush()

    async def to_coordinators() -> Reply:
        card = await profile_card(deps, session, person.id)
        return Reply(t("coord_new_worker", card=card), review_buttons(person.id))

    notices = await people.coordinator_notices(session, to_coordinators)
    return Response(close_tapped=True, replies=[Reply(t("pw_submitted"))], notices=notices)


async def review(
    deps: Deps,
    session: AsyncSession,
    coordinator: Person,
    worker_id: int,
    approve: bool,
    reason: str | None = None,
) -> Response:
    """A coordinator approves or rejects a submitted profile (audited, the worker told)."""
    worker = await session.get(Person, worker_id)
    if (
        worker is None
        or worker.role != Role.PEER_WORKER
        or worker.status != PeerWorkerStatus.PENDING_APPROVAL
    ):
        return Response(toast=t("review_already_done"), close_tapped=True)
    now = deps.now()
    status = PeerWorkerStatus.APPROVED if approve else PeerWorkerStatus.REJECTED
    await lifecycle.transition(
        session, worker, status, at=now, actor_id=coordinator.id, reason=reason
    )
    profile = await session.get(PeerWorkerProfile, worker.id)
    profile.reviewed_at = now
    profile.reviewed_by_person_id = coordinator.id
    session.add(profile)
    to_worker = saying("pw_approved" if approve else "pw_rejected")
    outcome = t(
        "coord_review_done_approved" if approve else "coord_review_done_rejected",
        name=profile.display_name,
    )
    notices = [await notice_to(worker, to_worker)]
    if approve:  # a new worker is new capacity: try the waitlist
        await session.flush()
        notices += await matchmaking.retry_waitlist(deps, session)
    return Response(
        close_tapped=True,
        chosen=outcome,
        replies=[] if approve else [Reply(outcome)],
        notices=notices,
    )


async def profile_answers(deps: Deps, session: AsyncSession, person: Person) -> dict[str, Any]:
    profile = await session.get(PeerWorkerProfile, person.id)
    areas = await profiles.area_keys(session, person.id)
    languages = await profiles.language_keys(session, person.id)
    perspectives = (
        "both"
        if profile.is_consumer and profile.is_carer
        else "carer"
        if profile.is_carer
        else "consumer"
    )
    return {
        "display_name": profile.display_name,
        "bio": profile.bio,
        "perspectives": perspectives,
        "areas": areas or [SHARE_NONE],
        "languages": languages,
        "gender": profile.gender,
        "age_band": profile.age_band,
        "communities": list(profile.communities) or [NO_COMMUNITY],
        "timezone": profile.timezone,
        "availability": await profiles.availability_cells(deps.config, session, person.id),
        "caseload": str(profile.max_caseload),
        "quiet_hours": profile.quiet_hours or "none",
    }


def _profile_home(profile: PeerWorkerProfile, status: str) -> Reply:
    taking = t("pw_taking_yes") if profile.taking_new_matches else t("pw_taking_no")
    toggle = "off" if profile.taking_new_matches else "on"
    rows: list[tuple[Button, ...]] = [(Button(t("btn_edit_profile"), EditWorkerProfile()),)]
    if status == PeerWorkerStatus.APPROVED:
        rows.append((Button(t(f"btn_taking_{toggle}"), TakeNewMatches(toggle)),))
        wellbeing = "off" if profile.wellbeing_checkins else "on"
        rows.append((Button(t(f"btn_wellbeing_{wellbeing}"), WorkerWellbeingChecks(wellbeing)),))
    return Reply(t("pw_profile_home", status=t(f"pw_status_{status}"), taking=taking), tuple(rows))


async def profile_home(deps: Deps, session: AsyncSession, person: Person) -> Reply:
    profile = await session.get(PeerWorkerProfile, person.id)
    card = await profile_card(deps, session, person.id)
    home = _profile_home(profile, person.status)
    return Reply(f"{card}\n\n{home.text}", home.buttons)


async def open_edit(deps: Deps, session: AsyncSession, person: Person) -> Reply:
    answers = await profile_answers(deps, session, person)
    draft = await runner.start(deps, session, person, FLOW, answers=answers, step=SUMMARY)
    return runner.screen(deps, FLOW, draft)


async def set_taking_new_matches(
    deps: Deps, session: AsyncSession, person: Person, taking: bool
) -> tuple[Reply, list[Notice]]:
    profile = await session.get(PeerWorkerProfile, person.id)
    if profile.taking_new_matches != taking:
        profile.taking_new_matches = taking
        profile.expired_in_row = 0  # a fresh start either way
        profile.updated_at = deps.now()
        session.add(profile)
        await lifecycle.audit(
            session,
            at=deps.now(),
            actor_id=person.id,
            action="peer_worker.taking_new_matches" if taking else "peer_worker.paused_new_matches",
            subject_type="person",
            subject_id=person.id,
        )
    notices = []
    if taking:  # back from "not taking new matches": try the waitlist
        await session.flush()
        notices = await matchmaking.retry_waitlist(deps, session)
    return Reply(t("pw_taking_changed_on" if taking else "pw_taking_changed_off")), notices


async def cancel(deps: Deps, session: AsyncSession, person: Person) -> Reply:
    """/cancel: an edit is dropped; a first profile can't be abandoned half-way, only paused."""
    if person.status == PeerWorkerStatus.ONBOARDING:
        return Reply(t("pw_cancel_onboarding"))
    await runner.discard(session, person.id)
    return Reply(t("edit_cancelled"))


runner.register(runner.FormSpec(WORKER_FLOW, on_confirm=on_confirm))
