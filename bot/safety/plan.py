"""My safety plan: a service user writes their own (the Stanley-Brown steps) in the bot,
step by step, skipping any, and changes or deletes it at any time.

It is theirs. Nobody else sees it unless they share it with their current peer worker (a
consent of its own, withdrawn as easily: ``ConsentKind.SAFETY_PLAN_SHARING``), who can then
read it, and only while they work together. It is in /mydata, gone with /delete, never in
an export or a log. /help_now and the reply to a risk phrase show their own "things I can
do" and "people I can ask" first. It is offered once after onboarding and once after a low
check-in, and never again (``bot.plan_offers``).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import consents, people
from bot import pending as pending_input
from bot.callbacks import SafetyPlanTap
from bot.db import transaction
from bot.deps import Deps
from bot.lifecycle import RelationshipStatus
from bot.models import (
    ConsentKind,
    ConsentRecord,
    PendingInput,
    Person,
    Role,
    SafetyPlan,
)
from bot.notify import Button, Reply
from bot.offers import matchmaking
from bot.offers.wording import worker_name
from bot.relationships import relay
from bot.texts import Markup, escape, t

log = logging.getLogger(__name__)

STEPS = ("warning_signs", "coping", "distractions", "people", "professionals", "safer", "reasons")
FIRST_AID = ("coping", "people")  # what /help_now shows first, from their own plan
PENDING = "safety_plan"  # the free text we asked for: subject_id is the step's index
STEP_LIMIT = 600  # characters a step keeps
WORKING_TOGETHER = (RelationshipStatus.ACTIVE, RelationshipStatus.PAUSED)
READ_WITHIN = 0.5  # seconds /help_now waits for the plan; the crisis lines never wait
# A step not answered within this is not coming: their next words are for someone else.
ANSWER_WITHIN = timedelta(minutes=30)


async def _plan(session: AsyncSession, person_id: int) -> SafetyPlan | None:
    return await session.get(SafetyPlan, person_id)


def _written(plan: SafetyPlan | None) -> dict[str, str]:
    return {step: text for step, text in (plan.steps if plan else {}).items() if text}


def _render(plan: SafetyPlan) -> Markup:
    steps = _written(plan)
    lines = [t("plan_title")]
    for step in STEPS:
        if step in steps:
            lines.append(f"<b>{t(f'plan_label_{step}')}</b>\n{escape(steps[step])}")
    if len(lines) == 1:
        lines.append(t("plan_empty"))
    return Markup("\n\n".join(lines))


async def overview(deps: Deps, session: AsyncSession, person: Person | None) -> Reply:
    """/safetyplan: a service user's own plan and what they can do with it; a peer worker's
    view of the plans shared with them; nobody else has one."""
    if person is not None and person.role == Role.PEER_WORKER:
        return await shared_with(deps, session, person)
    if person is None or person.role != Role.SERVICE_USER:
        return Reply(t("plan_not_for_you"))
    plan = await _plan(session, person.id)
    if plan is None or not _written(plan):
        return Reply(
            t("plan_intro"), ((Button(t("btn_plan_start"), SafetyPlanTap("start", STEPS[0])),),)
        )
    current = await matchmaking.open_relationship(session, person.id)
    shared = current is not None and await _shared_since(session, person.id, current.started_at)
    share = (
        Button(t("btn_plan_unshare"), SafetyPlanTap("unshare"))
        if shared
        else Button(t("btn_plan_share"), SafetyPlanTap("share"))
    )
    footer = t("plan_shared" if shared else "plan_private")
    return Reply(
        Markup(f"{_render(plan)}\n\n<i>{footer}</i>"),
        (
            (Button(t("btn_plan_change"), SafetyPlanTap("editmenu")),),
            (share,),
            (Button(t("btn_plan_delete"), SafetyPlanTap("delete")),),
        ),
    )


async def ask_step(
    deps: Deps, session: AsyncSession, person: Person, step: str, editing: bool
) -> Reply:
    """One step's question: they write, skip it, or stop for now."""
    index = STEPS.index(step)
    await pending_input.ask(session, person.id, PENDING, index, deps.now(), {"editing": editing})
    plan = await _plan(session, person.id)
    now = _written(plan).get(step)
    lines = [t("plan_step", n=index + 1, of=len(STEPS)), t(f"plan_q_{step}")]
    if now:
        lines.append(t("plan_now", text=now))
    return Reply(
        Markup("\n\n".join(lines)),
        (
            (
                Button(t("btn_skip"), SafetyPlanTap("skip", step)),
                Button(t("btn_plan_stop"), SafetyPlanTap("stop")),
            ),
        ),
    )


async def _next(
    deps: Deps, session: AsyncSession, person: Person, index: int, editing: bool
) -> Reply:
    if editing or index + 1 >= len(STEPS):
        await pending_input.drop(session, person.id, (PENDING,))
        return await overview(deps, session, person)
    return await ask_step(deps, session, person, STEPS[index + 1], editing)


def lapsed(pending: PendingInput, now: datetime) -> bool:
    return now - pending.created_at > ANSWER_WITHIN


async def answered(
    deps: Deps, session: AsyncSession, person: Person, pending: PendingInput, text: str
) -> Reply:
    """Their words for the step we asked: kept (what they wrote before in that step goes)."""
    index = pending.subject_id
    if not 0 <= index < len(STEPS):
        await pending_input.drop(session, person.id, (PENDING,))
        return await overview(deps, session, person)
    words = text.strip()
    if len(words) > STEP_LIMIT:
        return Reply(t("plan_too_long", limit=STEP_LIMIT))
    now = deps.now()
    plan = await _plan(session, person.id) or SafetyPlan(
        person_id=person.id, steps={}, created_at=now, updated_at=now
    )
    plan.steps = {**plan.steps, STEPS[index]: words}
    plan.updated_at = now
    session.add(plan)
    return await _next(deps, session, person, index, bool(pending.payload.get("editing")))


async def tapped(deps: Deps, session: AsyncSession, telegram_id: int, tap: SafetyPlanTap) -> Reply:
    person = await people.find(session, telegram_id)
    if person is None or person.role != Role.SERVICE_USER:
        return Reply(t("plan_not_for_you"))
    asked = await session.get(PendingInput, person.id)
    match tap.verb:
        case "start" if tap.step in STEPS:
            return await ask_step(deps, session, person, tap.step, editing=False)
        case "edit" if tap.step in STEPS:
            return await ask_step(deps, session, person, tap.step, editing=True)
        case "skip" if tap.step in STEPS:
            if asked is None or asked.kind != PENDING or STEPS[asked.subject_id] != tap.step:
                return await overview(deps, session, person)  # an old button
            return await _next(
                deps, session, person, asked.subject_id, bool(asked.payload.get("editing"))
            )
        case "stop":
            await pending_input.drop(session, person.id, (PENDING,))
            return Reply(t("plan_stopped"))
        case "editmenu":
            return Reply(
                t("plan_which_step"),
                tuple(
                    (Button(t(f"plan_label_{step}"), SafetyPlanTap("edit", step)),)
                    for step in STEPS
                ),
            )
        case "share" | "unshare":
            consents.record_answer(
                session, person, ConsentKind.SAFETY_PLAN_SHARING, tap.verb == "share", deps.now()
            )
            return await overview(deps, session, person)
        case "delete":
            return Reply(
                t("plan_delete_confirm"),
                (
                    (
                        Button(t("btn_plan_delete_yes"), SafetyPlanTap("deleteyes")),
                        Button(t("btn_plan_keep"), SafetyPlanTap("keep")),
                    ),
                ),
            )
        case "deleteyes":
            plan = await _plan(session, person.id)
            if plan is not None:
                await session.delete(plan)
            if await consents.has(session, person.id, ConsentKind.SAFETY_PLAN_SHARING):
                # A plan written later is not shared unless they say so again.
                consents.record_answer(
                    session, person, ConsentKind.SAFETY_PLAN_SHARING, False, deps.now()
                )
            await pending_input.drop(session, person.id, (PENDING,))
            return Reply(t("plan_deleted"))
        case "keep":
            return await overview(deps, session, person)
    return await overview(deps, session, person)


async def shared_with(deps: Deps, session: AsyncSession, worker: Person) -> Reply:
    """A peer worker's view: the plans of the people they support now who chose to share
    theirs, to read only."""
    parts = []
    for relationship in await relay.relationships_of(session, worker, WORKING_TOGETHER):
        user_id = relationship.service_user_id
        plan = await _plan(session, user_id)
        if not _written(plan):
            continue
        if not await _shared_since(session, user_id, relationship.started_at):
            continue
        who = await worker_name(session, user_id)
        parts.append(f"{t('plan_of', name=who)}\n\n{_render(plan)}")
    if not parts:
        return Reply(t("plan_worker_none"))
    return Reply(Markup("\n\n———\n\n".join(parts)))


async def _shared_since(session: AsyncSession, person_id: int, since: datetime | None) -> bool:
    """Whether they share their plan with the worker they have now: a consent given during
    this relationship (one given for an earlier worker does not carry over to the next)."""
    latest = (
        await session.exec(
            select(ConsentRecord)
            .where(
                ConsentRecord.person_id == person_id,
                ConsentRecord.kind == ConsentKind.SAFETY_PLAN_SHARING,
            )
            .order_by(ConsentRecord.recorded_at.desc(), ConsentRecord.id.desc())
        )
    ).first()
    in_force = latest is not None and latest.agreed and latest.withdrawn_at is None
    return in_force and since is not None and latest.recorded_at >= since


async def first_aid(session: AsyncSession, person: Person | None) -> str | None:
    """Their own "things I can do" and "people I can ask", for /help_now and the reply to a
    risk phrase: None if they have written neither."""
    if person is None or person.role != Role.SERVICE_USER:
        return None
    steps = _written(await _plan(session, person.id))
    parts = [
        f"<b>{t(f'plan_label_{step}')}</b>\n{escape(steps[step])}"
        for step in FIRST_AID
        if step in steps
    ]
    return Markup("\n\n".join(parts)) if parts else None


async def first_aid_quickly(deps: Deps, telegram_id: int) -> str | None:
    """``first_aid`` if the database answers within ``READ_WITHIN``: the crisis lines go
    out anyway, with or without it."""

    async def read() -> str | None:
        async with transaction(deps.sessions) as session:
            return await first_aid(session, await people.find(session, telegram_id))

    try:
        return await asyncio.wait_for(read(), READ_WITHIN)
    except Exception as error:  # noqa: BLE001  (a slow or absent database: without it)
        log.info("help_now without the person's plan (%s)", type(error).__name__)
        return None
