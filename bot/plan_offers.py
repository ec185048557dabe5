"""Offering a safety plan: once after onboarding, once after a low check-in, never again,
and never to someone who has written one (the plan itself: bot/safety/plan.py). Here, below
the capabilities, so that onboarding and check-ins can offer it."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import Person, SafetyPlan, ServiceUserProfile
from bot.texts import t

AFTER_ONBOARDING, AFTER_LOW_CHECKIN = 1, 2


async def offer_once(session: AsyncSession, person: Person, when: int) -> str | None:
    """A gentle word about /safetyplan, or None if it was said already on this occasion."""
    profile = await session.get(ServiceUserProfile, person.id)
    if profile is None or profile.safety_plan_offers & when:
        return None
    plan = await session.get(SafetyPlan, person.id)
    if plan is not None and any(plan.steps.values()):
        return None
    profile.safety_plan_offers |= when
    session.add(profile)
    return t("plan_offer_onboarding" if when == AFTER_ONBOARDING else "plan_offer_low")
