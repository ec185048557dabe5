"""The rules of service-user onboarding: consents, the profile it produces, its statuses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import consents, lifecycle, plan_offers
from bot.deps import Deps
from bot.forms import profiles, runner
from bot.forms.engine import SUMMARY, Draft
from bot.lifecycle import ServiceUserStatus
from bot.models import Person, Preference, Role, ServiceUserProfile
from bot.notify import Reply, Response
from bot.offers import matchmaking
from bot.onboarding.questions import (
    CONSENT_STEPS,
    NAME,
    NAME_VISIBLE,
    NO_PREFERENCE,
    PREFER_NOT_TO_SAY,
    PREFERENCES,
    REQUIRED_CONSENTS,
    SERVICE_USER_FLOW,
)
from bot.texts import Markup, t
from bot.texts.fragments import crisis_lines_text

FLOW = SERVICE_USER_FLOW.name


async def begin(deps: Deps, session: AsyncSession, person: Person) -> list[Reply]:
    """/start from someone new, or who stopped or declined before: the welcome screen."""
    await lifecycle.transition(
        session,
        person,
        ServiceUserStatus.ONBOARDING,
        at=deps.now(),
        actor_id=person.id,
        role=Role.SERVICE_USER,
    )
    draft = await runner.start(deps, session, person, FLOW)
    return [runner.screen(deps, FLOW, draft)]


async def resume(deps: Deps, session: AsyncSession, person: Person) -> list[Reply]:
    return [Reply(t("su_resume")), await runner.screen_to_resume(deps, session, person, FLOW)]


async def on_pick(
    deps: Deps, session: AsyncSession, person: Person, draft: Draft, step: str, value: str
) -> Response | None:
    """Consents are recorded the moment they are given; a required 'no' ends onboarding."""
    if step not in CONSENT_STEPS or value not in ("yes", "no"):
        return None
    consents.record_answer(session, person, CONSENT_STEPS[step], value == "yes", deps.now())
    if value == "yes" or step not in REQUIRED_CONSENTS:
        return None
    await runner.discard(session, person.id)
    await lifecycle.transition(
        session,
        person,
        ServiceUserStatus.DECLINED_CONSENT,
        at=deps.now(),
        actor_id=person.id,
        reason=CONSENT_STEPS[step],
    )
    return Response(
        close_tapped=True,
        chosen=t("consent_no"),
        replies=[Reply(t("su_declined", crisis_lines=crisis_lines_text(deps.config)))],
    )


def _preference_rows(person_id: int, answers: dict[str, Any]) -> list[Preference]:
    rows = []
    for name in PREFERENCES:
        chosen = [value for value in answers.get(name) or [] if value != NO_PREFERENCE]
        weight = answers.get(f"{name}_weight") if chosen else "none"
        rows.append(
            Preference(person_id=person_id, attribute=name, choices=chosen, weight=weight or "none")
        )
    return rows


async def _replace_profile(
    deps: Deps, session: AsyncSession, person: Person, answers: dict[str, Any], now: datetime
) -> None:
    await session.exec(delete(Preference).where(Preference.person_id == person.id))
    areas = [key for key in answers.get("areas") or [] if key != PREFER_NOT_TO_SAY]
    await profiles.replace_details(
        deps.config, session, person.id, areas, answers.get("language"), answers.get("availability")
    )
    profile = await session.get(ServiceUserProfile, person.id)
    if profile is None:
        profile = ServiceUserProfile(
            person_id=person.id,
            perspective=answers["perspective"],
            timezone=answers["timezone"],
            submitted_at=now,
            updated_at=now,
        )
    profile.perspective = answers["perspective"]
    profile.timezone = answers["timezone"]
    profile.goal = answers.get("goal")
    # What their peer may call them; coordinators see it only if they said yes.
    profile.preferred_name = answers.get(NAME) or None
    profile.name_visible_to_coordinators = bool(
        profile.preferred_name and answers.get(NAME_VISIBLE) == "yes"
    )
    profile.updated_at = now
    session.add(profile)
    session.add_all(_preference_rows(person.id, answers))


async def on_confirm(deps: Deps, session: AsyncSession, person: Person, draft: Draft) -> Response:
    now = deps.now()
    await _replace_profile(deps, session, person, draft.answers, now)
    await runner.discard(session, person.id)
    if person.status != ServiceUserStatus.ONBOARDING:
        return await profiles.edit_saved(
            session, person, now, action="service_user.profile_edited", saved=t("su_profile_saved")
        )
    await lifecycle.transition(
        session, person, ServiceUserStatus.WAITING, at=now, actor_id=person.id
    )
    notices = await matchmaking.start_waiting(deps, session, person)
    waiting = t("su_waiting", service=deps.config.service.name)
    offer = await plan_offers.offer_once(session, person, plan_offers.AFTER_ONBOARDING)
    return Response(
        close_tapped=True,
        replies=[Reply(Markup(f"{waiting}\n\n{offer}") if offer else waiting)],
        notices=notices,
    )


async def profile_answers(deps: Deps, session: AsyncSession, person: Person) -> dict[str, Any]:
    """The stored profile as form answers, so editing starts from what they told us."""
    profile = await session.get(ServiceUserProfile, person.id)
    areas = await profiles.area_keys(session, person.id)
    answers: dict[str, Any] = {
        "perspective": profile.perspective,
        "areas": areas or [PREFER_NOT_TO_SAY],
        "timezone": profile.timezone,
        "goal": profile.goal,
        NAME: profile.preferred_name,
    }
    if profile.preferred_name:
        answers[NAME_VISIBLE] = "yes" if profile.name_visible_to_coordinators else "no"
    # The consents as they stand (/consent changes them), so the summary's confirm finds
    # every step answered instead of asking "Consent 1 of 3" again.
    in_force = await consents.current(session, person.id)
    for step, kind in CONSENT_STEPS.items():
        answers[step] = "yes" if in_force.get(kind) else "no"
    preferences = (
        await session.exec(select(Preference).where(Preference.person_id == person.id))
    ).all()
    for preference in preferences:
        answers[preference.attribute] = list(preference.choices) or [NO_PREFERENCE]
        answers[f"{preference.attribute}_weight"] = preference.weight
    answers["availability"] = await profiles.availability_cells(deps.config, session, person.id)
    return answers


async def open_profile(deps: Deps, session: AsyncSession, person: Person) -> Reply:
    """/profile for a service user who has finished onboarding: the summary, ready to edit."""
    answers = await profile_answers(deps, session, person)
    draft = await runner.start(deps, session, person, FLOW, answers=answers, step=SUMMARY)
    return runner.screen(deps, FLOW, draft)


async def cancel(deps: Deps, session: AsyncSession, person: Person) -> Reply:
    """/cancel mid-onboarding: discard the answers so far; consent records stay as history."""
    await runner.discard(session, person.id)
    if person.status != ServiceUserStatus.ONBOARDING:
        return Reply(t("edit_cancelled"))
    await lifecycle.transition(
        session, person, ServiceUserStatus.CANCELLED, at=deps.now(), actor_id=person.id
    )
    return Reply(t("su_cancelled"))


runner.register(runner.FormSpec(SERVICE_USER_FLOW, on_confirm=on_confirm, on_pick=on_pick))
