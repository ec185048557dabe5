"""Check-ins: a short, strengths-focused question at the service user's chosen rhythm,
the missed ladder, and the first-contact nudge.

A cadence of whole days keeps the chosen weekday and local time. Any other cadence (minutes
or hours, for a training sandbox that runs a programme in an afternoon) asks for neither and
counts from the start of the relationship: the first check-in one cadence after it, then
one every cadence.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import lifecycle, people, plan_offers
from bot import pending as pending_input
from bot.callbacks import (
    CheckinCadence,
    CheckinDay,
    CheckinPlanChange,
    CheckinReachOut,
    CheckinScore,
    CheckinSkipNote,
    CheckinTime,
)
from bot.config import whole_days
from bot.deps import Deps
from bot.lifecycle import CheckinStatus, RelationshipStatus
from bot.models import (
    Checkin,
    CheckinPlan,
    PendingInput,
    Person,
    Relationship,
    ServiceUserProfile,
)
from bot.notify import Button, Notice, Reply, notice_to, saying, saying_count
from bot.offers.wording import worker_name
from bot.relationships import access, fit
from bot.texts import Markup, has_text, t
from bot.texts.fragments import clock_text, person_ref, worker_ref

NOTE = "checkin_note"
NO_CHECKINS = "none"


# -- when ------------------------------------------------------------------------------------


def _at(day: date, minute: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone)


def next_due(
    plan: CheckinPlan, cadence: timedelta, after: datetime, started_at: datetime | None
) -> datetime:
    """The first check-in time after ``after``. Whole days: the chosen weekday and local time,
    repeated every ``cadence`` in local wall-clock time (so 6 pm stays 6 pm across daylight
    saving). Anything else: every ``cadence`` from the relationship's start."""
    if not whole_days(cadence):
        start = started_at or after
        if start > after:
            return start + cadence
        return start + cadence * ((after - start) // cadence + 1)
    zone = ZoneInfo(plan.timezone)
    local = after.astimezone(zone)
    day = local.date() + timedelta(days=(plan.weekday - local.weekday()) % 7)
    candidate = _at(day, plan.minute, zone)
    while candidate <= after:
        day += timedelta(days=cadence.days)
        candidate = _at(day, plan.minute, zone)
    return candidate


# -- choosing a plan ---------------------------------------------------------------------------


def ask_cadence(deps: Deps, relationship_id: int) -> Reply:
    rows = [
        (
            Button(
                t(f"checkin_cadence_{name}") if _has(name) else name,
                CheckinCadence(relationship_id, name),
            ),
        )
        for name in deps.config.checkins.cadences
    ]
    rows.append((Button(t("checkin_cadence_none"), CheckinCadence(relationship_id, NO_CHECKINS)),))
    return Reply(t("checkin_ask_cadence"), tuple(rows))


def _has(name: str) -> bool:
    return has_text(f"checkin_cadence_{name}")


async def choose(
    deps: Deps,
    session: AsyncSession,
    telegram_id: int,
    tap: CheckinCadence | CheckinDay | CheckinTime,
) -> Reply | None:
    """One step of setting the check-in plan: cadence, then day, then time."""
    owned = await access.own(session, telegram_id, tap.relationship_id, access.SERVICE_USER)
    if owned is None:
        return None
    person, relationship = owned
    profile = await session.get(ServiceUserProfile, person.id)
    plan = await session.get(CheckinPlan, relationship.id) or CheckinPlan(
        relationship_id=relationship.id, cadence=NO_CHECKINS, timezone=profile.timezone
    )
    cadences = deps.config.checkins.cadences
    if isinstance(tap, CheckinCadence) and (tap.cadence in cadences or tap.cadence == NO_CHECKINS):
        plan.cadence, plan.next_due_at, plan.paused = tap.cadence, None, False
        session.add(plan)
        if tap.cadence == NO_CHECKINS:
            return Reply(t("checkin_none_chosen"))
        cadence = cadences[tap.cadence]
        if not whole_days(cadence):  # no day or time: it counts from the start
            plan.timezone = profile.timezone
            plan.next_due_at = next_due(plan, cadence, deps.now(), relationship.started_at)
            return Reply(t("checkin_plan_set", plan=describe(deps, plan)))
        return Reply(
            t("checkin_ask_day"),
            (
                tuple(
                    Button(t(f"day_short_{d}"), CheckinDay(relationship.id, d)) for d in range(4)
                ),
                tuple(
                    Button(t(f"day_short_{d}"), CheckinDay(relationship.id, d)) for d in range(4, 7)
                ),
            ),
        )
    if isinstance(tap, CheckinDay) and 0 <= tap.day <= 6 and plan.cadence in cadences:
        plan.weekday = tap.day
        session.add(plan)
        return Reply(
            t("checkin_ask_time"),
            (
                tuple(
                    Button(
                        clock_text(deps.config, _minutes(clock)),
                        CheckinTime(relationship.id, clock.replace(":", "")),
                    )
                    for clock in deps.config.checkins.times
                ),
            ),
        )
    clock = tap.clock if isinstance(tap, CheckinTime) else ""
    if clock.isdigit() and len(clock) == 4 and plan.cadence in cadences:
        plan.minute = int(clock[:2]) * 60 + int(clock[2:])
        plan.timezone = profile.timezone
        plan.next_due_at = next_due(
            plan, cadences[plan.cadence], deps.now(), relationship.started_at
        )
        session.add(plan)
        return Reply(t("checkin_plan_set", plan=describe(deps, plan)))
    return None


def _minutes(clock: str) -> int:
    """'18:00' -> 1080."""
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def describe(deps: Deps, plan: CheckinPlan) -> str:
    if plan.cadence == NO_CHECKINS:
        return t("checkin_cadence_none")
    name = t(f"checkin_cadence_{plan.cadence}") if _has(plan.cadence) else plan.cadence
    clock = clock_text(deps.config, plan.minute)
    paused = t("checkin_paused_suffix") if plan.paused else ""
    cadence = deps.config.checkins.cadences.get(plan.cadence)
    if cadence is not None and not whole_days(cadence):
        return t("cfg_checkin_plan_every", cadence=name, every=_every(cadence), paused=paused)
    return t(
        "checkin_plan", cadence=name, day=t(f"day_short_{plan.weekday}"), time=clock, paused=paused
    )


def _every(cadence: timedelta) -> str:
    """A cadence that is not whole days, in its largest whole unit: "2 min", "36 h"."""
    seconds = int(cadence.total_seconds())
    for unit, size in (("hours", 3600), ("minutes", 60)):
        if seconds % size == 0:
            return t(f"cfg_every_{unit}", n=seconds // size)
    return t("cfg_every_seconds", n=seconds)


async def overview(deps: Deps, session: AsyncSession, telegram_id: int) -> Reply:
    """/checkins: the plan, and buttons to change or pause it."""
    person = await people.find(session, telegram_id)
    relationship = None
    if person is not None:
        relationship = (
            await session.exec(
                select(Relationship).where(
                    Relationship.service_user_id == person.id,
                    Relationship.status == RelationshipStatus.ACTIVE,
                )
            )
        ).first()
    if relationship is None:
        return Reply(t("checkin_no_relationship"))
    plan = await session.get(CheckinPlan, relationship.id)
    if plan is None or plan.cadence == NO_CHECKINS:
        return ask_cadence(deps, relationship.id)
    toggle = "resume" if plan.paused else "pause"
    return Reply(
        t("checkin_overview", plan=describe(deps, plan)),
        (
            (Button(t("btn_checkin_change"), CheckinPlanChange(relationship.id, "change")),),
            (Button(t(f"btn_checkin_{toggle}"), CheckinPlanChange(relationship.id, toggle)),),
        ),
    )


async def change(
    deps: Deps, session: AsyncSession, telegram_id: int, relationship_id: int, action: str
) -> Reply | None:
    owned = await access.own(session, telegram_id, relationship_id, access.SERVICE_USER)
    plan = await session.get(CheckinPlan, relationship_id) if owned else None
    if owned is None:
        return None
    if action == "change" or plan is None:
        return ask_cadence(deps, relationship_id)
    plan.paused = action == "pause"
    if not plan.paused and plan.cadence in deps.config.checkins.cadences:
        _person, relationship = owned
        plan.next_due_at = next_due(
            plan,
            deps.config.checkins.cadences[plan.cadence],
            deps.now(),
            relationship.started_at,
        )
    session.add(plan)
    return Reply(t("checkin_paused" if plan.paused else "checkin_resumed"))


# -- sending and answering ---------------------------------------------------------------------


def question(checkin_id: int) -> Reply:
    return Reply(
        t("checkin_question"),
        (tuple(Button(str(n), CheckinScore(checkin_id, n)) for n in range(1, 6)),),
    )


async def _pair(session: AsyncSession, relationship_id: int) -> tuple[Person, Person]:
    return await access.pair(session, await session.get(Relationship, relationship_id))


async def answer(
    deps: Deps,
    session: AsyncSession,
    telegram_id: int,
    tap: CheckinScore | CheckinReachOut | CheckinSkipNote,
) -> tuple[Reply | None, list[Notice]]:
    checkin = await session.get(Checkin, tap.checkin_id)
    if checkin is None:
        return None, []
    user, worker = await _pair(session, checkin.relationship_id)
    if user.telegram_id != telegram_id:
        return None, []
    ref = await worker_name(session, user.id)  # for their worker
    notices: list[Notice] = []
    if (
        isinstance(tap, CheckinScore)
        and 1 <= tap.score <= 5
        and checkin.status in (CheckinStatus.SENT, CheckinStatus.MISSED)
    ):
        checkin.score = tap.score
        await lifecycle.transition_checkin(
            session, checkin, CheckinStatus.ANSWERED, at=deps.now(), actor_id=user.id
        )
        plan = await session.get(CheckinPlan, checkin.relationship_id)
        if plan is not None:
            plan.missed_in_row = 0
            session.add(plan)
        if checkin.score <= deps.config.checkins.low_score:
            notices.append(
                await notice_to(worker, saying("checkin_low_worker", ref=ref, score=tap.score))
            )
        low = checkin.score <= deps.config.checkins.low_score
        said = t("checkin_reach_out_low" if low else "checkin_reach_out")
        offer = low and await plan_offers.offer_once(session, user, plan_offers.AFTER_LOW_CHECKIN)
        if offer:
            said = Markup(f"{said}\n\n{offer}")
        return (
            Reply(
                said,
                (
                    (
                        Button(t("btn_reach_out_yes"), CheckinReachOut(checkin.id, "yes")),
                        Button(t("btn_reach_out_no"), CheckinReachOut(checkin.id, "no")),
                    ),
                ),
            ),
            notices,
        )
    if (
        isinstance(tap, CheckinReachOut)
        and checkin.status == CheckinStatus.ANSWERED
        and checkin.reach_out is None
    ):
        checkin.reach_out = tap.answer == "yes"
        session.add(checkin)
        if checkin.reach_out:
            notices.append(await notice_to(worker, saying("checkin_reach_out_worker", ref=ref)))
        await pending_input.ask(session, user.id, NOTE, checkin.id, deps.now())
        return (
            Reply(
                t("checkin_note_prompt"), ((Button(t("btn_skip"), CheckinSkipNote(checkin.id)),),)
            ),
            notices,
        )
    if isinstance(tap, CheckinSkipNote):
        pending = await session.get(PendingInput, user.id)
        if pending is not None and pending.kind == NOTE:
            await session.delete(pending)
        return Reply(t("checkin_thanks")), []
    return None, []


async def note(
    deps: Deps, session: AsyncSession, person: Person, checkin_id: int, text: str
) -> tuple[Reply, list[Notice]]:
    """The optional note goes to the worker; only the fact that there was one is kept."""
    checkin = await session.get(Checkin, checkin_id)
    relationship = await session.get(Relationship, checkin.relationship_id) if checkin else None
    if relationship is None or relationship.status != RelationshipStatus.ACTIVE:
        return Reply(t("checkin_note_closed")), []  # ended meanwhile: nothing goes anywhere
    user, worker = await _pair(session, checkin.relationship_id)
    checkin.had_note = True
    session.add(checkin)
    body = " ".join(text.split())[:1000]
    name = await worker_name(session, user.id)
    return Reply(t("checkin_thanks")), [
        await notice_to(
            worker,
            saying("checkin_note_worker", ref=name, note=body),
            sender_telegram_id=user.telegram_id,  # their own words: told if they don't arrive
        )
    ]


OPEN_PAIR = (RelationshipStatus.ACTIVE, RelationshipStatus.PAUSED)


async def sweep(deps: Deps, session: AsyncSession) -> list[Notice]:
    """Due check-ins, the missed ladder and first-contact nudges. Each item is claimed by the
    row it changes in this transaction, so nothing is sent twice."""
    now = deps.now()
    settings = deps.config.checkins
    notices: list[Notice] = []
    overdue = (
        await session.exec(
            select(Checkin, Relationship.status)
            .join(Relationship, Relationship.id == Checkin.relationship_id)
            .where(
                Checkin.status == CheckinStatus.SENT,
                Checkin.due_at <= now - settings.answer_within,
            )
            .with_for_update(skip_locked=True, of=Checkin)
        )
    ).all()
    for checkin, relationship_status in overdue:
        await lifecycle.transition_checkin(
            session, checkin, CheckinStatus.MISSED, at=now, actor_id=None
        )
        plan = await session.get(CheckinPlan, checkin.relationship_id)
        if plan is None or relationship_status not in OPEN_PAIR:
            # The pair ended meanwhile (or the person was erased, plan and all): it is
            # missed, but nobody is nudged about a check-in that no longer leads anywhere.
            continue
        plan.missed_in_row += 1
        session.add(plan)
        notices += await _ladder(deps, session, checkin.relationship_id, plan.missed_in_row)
    due = (
        await session.exec(
            select(CheckinPlan, Person, Relationship.started_at)
            .join(Relationship, Relationship.id == CheckinPlan.relationship_id)
            .join(Person, Person.id == Relationship.service_user_id)
            .where(
                CheckinPlan.next_due_at <= now,
                CheckinPlan.paused.is_(False),
                Relationship.status == RelationshipStatus.ACTIVE,
            )
            .with_for_update(skip_locked=True, of=CheckinPlan)
        )
    ).all()
    to_send: list[tuple[Checkin, Person]] = []
    for plan, user, started_at in due:
        late = now - plan.next_due_at > settings.grace  # after downtime: skip, don't wake them
        checkin = Checkin(relationship_id=plan.relationship_id, due_at=plan.next_due_at)
        first = CheckinStatus.SKIPPED if late else CheckinStatus.SENT
        await lifecycle.transition_checkin(session, checkin, first, at=now, actor_id=None)
        plan.next_due_at = next_due(plan, settings.cadences[plan.cadence], now, started_at)
        session.add(plan)
        if not late:
            to_send.append((checkin, user))
    await session.flush()  # one round trip gives every new check-in its id
    notices += [await notice_to(user, partial(question, c.id)) for c, user in to_send]
    notices += await _first_contact(deps, session, now)
    notices += await fit.ask_due(deps, session, now)
    return notices


async def _ladder(
    deps: Deps, session: AsyncSession, relationship_id: int, missed: int
) -> list[Notice]:
    """Each step whose count is reached now; steps set to the same count all happen (and a
    step set to 0 never does, since ``missed`` is at least 1)."""
    settings = deps.config.checkins
    user, worker = await _pair(session, relationship_id)
    ref = person_ref(user.id)
    name = await worker_name(session, user.id)  # for their worker
    notices: list[Notice] = []
    if missed == settings.nudge_after_missed:
        notices.append(await notice_to(user, saying("checkin_nudge")))
    if missed == settings.tell_worker_after_missed:
        notices.append(
            await notice_to(worker, saying_count("checkin_missed_worker", missed, ref=name))
        )
    if missed == settings.tell_coordinator_after_missed:
        notices += await people.coordinator_notices(
            session, saying_count("checkin_missed_coordinator", missed, ref=ref)
        )
    return notices


async def _first_contact(deps: Deps, session: AsyncSession, now: datetime) -> list[Notice]:
    within = deps.config.relationship.first_contact_within
    quiet = (
        await session.exec(
            select(Relationship)
            .where(
                Relationship.status == RelationshipStatus.ACTIVE,
                Relationship.first_contact_at.is_(None),
                Relationship.started_at <= now - within,
                Relationship.first_contact_nudges < 2,
            )
            .with_for_update(skip_locked=True)
        )
    ).all()
    notices: list[Notice] = []
    for relationship in quiet:
        due = 1 if now - relationship.started_at < 2 * within else 2
        if relationship.first_contact_nudges >= due:
            continue
        relationship.first_contact_nudges = due
        session.add(relationship)
        user, worker = await _pair(session, relationship.id)
        ref, name = person_ref(user.id), await worker_name(session, user.id)
        if due == 1:
            notices.append(await notice_to(worker, saying("first_contact_nudge", ref=name)))
        else:
            notices += await people.coordinator_notices(
                session, saying("first_contact_coordinator", ref=ref, worker=worker_ref(worker.id))
            )
    return notices
