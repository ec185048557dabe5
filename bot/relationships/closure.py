"""Ending well: reminders before the planned end, the ending checklist, the closing
messages and the feedback survey."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import endings, lifecycle, pending, people
from bot.callbacks import (
    AskExtension,
    ChecklistItem,
    PauseFor,
    SurveyNoComment,
    SurveyOutcome,
    SurveyRating,
    SurveyRecommend,
)
from bot.deps import Deps
from bot.lifecycle import RelationshipStatus, ServiceUserStatus
from bot.models import Feedback, Person, Relationship, ServiceUserProfile
from bot.notify import Button, Notice, Reply, notice_to, saying
from bot.offers import matchmaking
from bot.offers.wording import coordinator_name, worker_name
from bot.relationships import access, checkins
from bot.texts import Markup, escape, t, tn
from bot.texts.fragments import crisis_lines_text, date_text

CHECKLIST = ("goals", "supports", "handoff", "future")
SURVEY_COMMENT = "survey_comment"


def _local(deps: Deps, moment: datetime) -> str:
    return date_text(deps.config, moment)


def checklist_reply(deps: Deps, relationship: Relationship, heading: str) -> Reply:
    ticked = set(relationship.checklist or [])
    rows = tuple(
        (
            Button(
                ("✅ " if item in ticked else "▫️ ") + t(f"checklist_{item}"),
                ChecklistItem(relationship.id, item),
            ),
        )
        for item in CHECKLIST
    )
    return Reply(heading, rows + _ask_extension(relationship.id))


def _ask_extension(relationship_id: int) -> tuple[tuple[Button, ...], ...]:
    return ((Button(t("btn_ask_extension"), AskExtension(relationship_id)),),)


async def sweep(deps: Deps, session: AsyncSession) -> list[Notice]:
    """Reminders and endings that are due. Each is claimed by the row it changes, in this
    transaction; after downtime only the latest reminder is sent, and a late ending still runs."""
    now = deps.now()
    leads = deps.config.programme.closure_reminders
    notices: list[Notice] = await _pause_reviews(deps, session, now)
    due = (
        await session.exec(
            select(Relationship)
            .where(
                Relationship.status == RelationshipStatus.ACTIVE,
                Relationship.planned_end_at <= now + max(leads, default=timedelta()),
            )
            .with_for_update(skip_locked=True)
        )
    ).all()
    for relationship in due:
        if relationship.planned_end_at <= now:
            notices += await close(deps, session, relationship)
            continue
        passed = sum(1 for lead in leads if relationship.planned_end_at - lead <= now)
        if passed > relationship.closure_reminders_sent:
            relationship.closure_reminders_sent = passed
            session.add(relationship)
            notices += await _reminders(deps, session, relationship)
    return notices


async def _pause_reviews(deps: Deps, session: AsyncSession, now: datetime) -> list[Notice]:
    """A pause whose review date has come: coordinators are asked to look again (once)."""
    paused = (
        await session.exec(
            select(Relationship)
            .where(Relationship.status == RelationshipStatus.PAUSED, Relationship.review_at <= now)
            .with_for_update(skip_locked=True)
        )
    ).all()
    notices: list[Notice] = []
    for relationship in paused:
        relationship.review_at = None
        session.add(relationship)
        notices += await people.coordinator_notices(
            session, saying("coord_pause_review", ref=f"R{relationship.id}")
        )
    return notices


async def _reminders(deps: Deps, session: AsyncSession, relationship: Relationship) -> list[Notice]:
    user = await session.get(Person, relationship.service_user_id)
    worker = await session.get(Person, relationship.peer_worker_id)
    ref = await worker_name(session, user.id)

    def to_user() -> Reply:
        when = _local(deps, relationship.planned_end_at)
        return Reply(t("closure_reminder_user", when=when), _ask_extension(relationship.id))

    def to_worker() -> Reply:
        when = _local(deps, relationship.planned_end_at)
        heading = t("closure_reminder_worker", ref=ref, when=when)
        return checklist_reply(deps, relationship, heading)

    return [await notice_to(user, to_user), await notice_to(worker, to_worker)]


async def ask_extension(
    deps: Deps, session: AsyncSession, telegram_id: int, relationship_id: int
) -> tuple[Reply, list[Notice]] | None:
    """Either side asks for more time; coordinators decide (/extend)."""
    owned = await access.own(session, telegram_id, relationship_id, access.EITHER)
    if owned is None:
        return None
    person, relationship = owned
    await lifecycle.audit(
        session,
        at=deps.now(),
        actor_id=person.id,
        action="relationship.extension_requested",
        subject_type="relationship",
        subject_id=relationship.id,
    )
    side = "side_worker" if person.id == relationship.peer_worker_id else "side_service_user"
    user = await coordinator_name(session, relationship.service_user_id)

    def to_coordinators() -> Reply:
        return Reply(
            t(
                "coord_extension_requested",
                ref=f"R{relationship.id}",
                user=user,
                side=t(side),
                when=_local(deps, relationship.planned_end_at),
            )
        )

    return Reply(t("extension_asked")), await people.coordinator_notices(session, to_coordinators)


async def close(
    deps: Deps,
    session: AsyncSession,
    relationship: Relationship,
    *,
    ended_by: str = "plan",
    actor_id: int | None = None,
    reason: str = "planned end",
    leaving_id: int | None = None,
) -> list[Notice]:
    """The end: close the relay, thank both, offer onward supports and the survey. An early
    ending (``ended_by`` "coordinator", "service_user" or "peer_worker") takes the same steps,
    with wording that fits. Someone ``leaving`` (consent withdrawn, data deleted) is told
    nothing from here and gets no survey; the other side hears the usual kind words."""
    now = deps.now()
    early = ended_by != "plan"
    await lifecycle.transition_relationship(
        session,
        relationship,
        RelationshipStatus.ENDED_EARLY if early else RelationshipStatus.COMPLETED,
        at=now,
        actor_id=actor_id,
        reason=reason,
    )
    user = await session.get(Person, relationship.service_user_id)
    worker = await session.get(Person, relationship.peer_worker_id)
    await lifecycle.transition(session, user, ServiceUserStatus.ENDED, at=now, actor_id=None)
    # An unwritten check-in note would otherwise carry their next message to the worker.
    await pending.drop(session, user.id, (checkins.NOTE,))
    profile = await session.get(ServiceUserProfile, user.id)
    # The pause before a new peer follows a planned ending only.
    profile.rematch_after = now + (
        deps.config.programme.rematch_cooldown if not early else timedelta()
    )
    session.add(profile)

    def closing() -> Reply:
        onward = deps.config.programme.onward_supports
        supports = "\n".join(f"• {escape(support.said())}" for support in onward)
        return Reply(
            t(
                f"closing_user_{ended_by}",
                supports=Markup(supports) if supports else t("closing_no_supports"),
                crisis_lines=crisis_lines_text(deps.config),
                when=_local(deps, profile.rematch_after),
            )
        )

    await session.flush()
    name = await worker_name(session, user.id)
    notices = [
        await notice_to(user, closing),
        await notice_to(user, partial(survey_rating, relationship.id)),
        # With the offer of a short private reflection, for supervision if they share it.
        await notice_to(
            worker,
            lambda: endings.with_reflection_offer(
                relationship.id, t(f"closing_worker_{ended_by}", ref=name)
            ),
        ),
    ]
    notices = [notice for notice in notices if notice.person_id != leaving_id]
    return notices + await matchmaking.retry_waitlist(deps, session)


def survey_rating(relationship_id: int) -> Reply:
    return Reply(
        t("survey_rating"),
        (tuple(Button(str(n), SurveyRating(relationship_id, n)) for n in range(1, 6)),),
    )


def _survey_recommend(relationship_id: int) -> Reply:
    return Reply(
        t("survey_recommend"),
        (
            (
                Button(t("survey_yes"), SurveyRecommend(relationship_id, "yes")),
                Button(t("survey_no"), SurveyRecommend(relationship_id, "no")),
            ),
        ),
    )


SurveyAnswer = SurveyRating | SurveyRecommend | SurveyOutcome | SurveyNoComment


async def answer_survey(
    deps: Deps, session: AsyncSession, telegram_id: int, tap: SurveyAnswer
) -> Reply | None:
    """One survey answer from the service user whose relationship it was; None if stale."""
    relationship_id = tap.relationship_id
    ended = (RelationshipStatus.COMPLETED, RelationshipStatus.ENDED_EARLY)
    owned = await access.own(session, telegram_id, relationship_id, access.SERVICE_USER, ended)
    if owned is None:
        return None
    person, _relationship = owned
    feedback = (
        await session.exec(select(Feedback).where(Feedback.relationship_id == relationship_id))
    ).first() or Feedback(relationship_id=relationship_id, created_at=deps.now())
    match tap:
        case SurveyRating(score=score) if 1 <= score <= 5:
            feedback.rating = score
            session.add(feedback)
            return _survey_recommend(relationship_id)
        case SurveyRecommend(answer=answer):
            feedback.would_recommend = answer == "yes"
            session.add(feedback)
            return await _next_outcome(deps, session, person, relationship_id, 0)
        case SurveyOutcome(question=number, score=score) if 1 <= score <= 5:
            if number >= len(deps.config.programme.outcome_questions):
                return None
            feedback.outcomes = {**feedback.outcomes, str(number): score}
            session.add(feedback)
            return await _next_outcome(deps, session, person, relationship_id, number + 1)
        case SurveyNoComment():
            await pending.drop(session, person.id, (SURVEY_COMMENT,))
            return Reply(t("survey_thanks"))
    return None


async def _next_outcome(
    deps: Deps, session: AsyncSession, person: Person, relationship_id: int, number: int
) -> Reply:
    """The next outcome statement, or, after the last, the invitation to add a comment."""
    questions = deps.config.programme.outcome_questions
    if number < len(questions):
        return Reply(
            t("survey_outcome", statement=questions[number].said()),
            (
                tuple(
                    Button(str(n), SurveyOutcome(relationship_id, number, n)) for n in range(1, 6)
                ),
            ),
        )
    await pending.ask(session, person.id, SURVEY_COMMENT, relationship_id, deps.now())
    return Reply(t("survey_comment"), ((Button(t("btn_skip"), SurveyNoComment(relationship_id)),),))


async def survey_comment(
    deps: Deps, session: AsyncSession, person: Person, relationship_id: int, text: str
) -> Reply:
    await pending.drop(session, person.id, (SURVEY_COMMENT,))  # only asked for this kind
    feedback = (
        await session.exec(select(Feedback).where(Feedback.relationship_id == relationship_id))
    ).first()
    if feedback is not None:
        feedback.comment = " ".join(text.split())[:1000]
        session.add(feedback)
    return Reply(t("survey_thanks"))


async def toggle_checklist(
    deps: Deps, session: AsyncSession, telegram_id: int, relationship_id: int, item: str
) -> Reply | None:
    owned = await access.own(session, telegram_id, relationship_id, access.PEER_WORKER)
    if owned is None or item not in CHECKLIST:
        return None
    _person, relationship = owned
    ticked = list(relationship.checklist or [])
    ticked = [i for i in ticked if i != item] if item in ticked else [*ticked, item]
    relationship.checklist = [i for i in CHECKLIST if i in ticked]
    session.add(relationship)
    when = _local(deps, relationship.planned_end_at)
    ref = await worker_name(session, relationship.service_user_id)
    heading = t("closure_reminder_worker", ref=ref, when=when)
    return checklist_reply(deps, relationship, heading)


# -- coordinators: pause, resume, extend, close -------------------------------------------------


async def pause(
    deps: Deps,
    session: AsyncSession,
    actor: Person,
    relationship: Relationship,
    review: timedelta,
    reason: str,
) -> list[Notice]:
    now = deps.now()
    relationship.paused_at, relationship.review_at = now, now + review
    await lifecycle.transition_relationship(
        session,
        relationship,
        RelationshipStatus.PAUSED,
        at=now,
        actor_id=actor.id,
        reason=reason,
    )
    notices = await _tell_both(deps, session, relationship, "paused", relationship.review_at)
    if actor.id == relationship.peer_worker_id:  # coordinators hear of a worker's pause
        notices += await people.coordinator_notices(
            session, saying("coord_worker_paused", ref=f"R{relationship.id}")
        )
    return notices


async def resume(
    deps: Deps, session: AsyncSession, coordinator: Person, relationship: Relationship, reason: str
) -> list[Notice]:
    """Back to active; the end date moves on by the time it was paused."""
    now = deps.now()
    if relationship.planned_end_at and relationship.paused_at:
        relationship.planned_end_at += now - relationship.paused_at
    relationship.paused_at = relationship.review_at = None
    await lifecycle.transition_relationship(
        session,
        relationship,
        RelationshipStatus.ACTIVE,
        at=now,
        actor_id=coordinator.id,
        reason=reason,
    )
    return await _tell_both(deps, session, relationship, "resumed", relationship.planned_end_at)


async def extend(
    deps: Deps,
    session: AsyncSession,
    coordinator: Person,
    relationship: Relationship,
    by: timedelta,
    reason: str,
) -> list[Notice]:
    relationship.planned_end_at = (relationship.planned_end_at or deps.now()) + by
    # Reminders count down afresh towards the new date.
    leads = deps.config.programme.closure_reminders
    relationship.closure_reminders_sent = sum(
        1 for lead in leads if relationship.planned_end_at - lead <= deps.now()
    )
    session.add(relationship)
    await lifecycle.audit(
        session,
        at=deps.now(),
        actor_id=coordinator.id,
        action="relationship.extended",
        subject_type="relationship",
        subject_id=relationship.id,
        reason=reason,
    )
    return await _tell_both(deps, session, relationship, "extended", relationship.planned_end_at)


async def close_and_exclude(
    deps: Deps,
    session: AsyncSession,
    coordinator: Person,
    relationship: Relationship,
    reason: str,
    exclusion: str,
) -> list[Notice]:
    """A coordinator ends an active or paused relationship now, and the pair is never
    proposed again (``exclusion`` says why: closed, reported)."""
    relationship.paused_at = relationship.review_at = None
    notices = await close(
        deps, session, relationship, ended_by="coordinator", actor_id=coordinator.id, reason=reason
    )
    await matchmaking.exclude(
        deps,
        session,
        relationship.service_user_id,
        relationship.peer_worker_id,
        exclusion,
        coordinator.id,
    )
    return notices


async def _tell_both(
    deps: Deps, session: AsyncSession, relationship: Relationship, change: str, at: datetime
) -> list[Notice]:
    """The same change, told to each side in their own words (``<change>_user``/``_worker``)
    and language."""
    user, worker = await access.pair(session, relationship)
    ref = await worker_name(session, user.id)
    return [
        await notice_to(user, lambda: Reply(t(f"{change}_user", when=_local(deps, at)))),
        await notice_to(
            worker, lambda: Reply(t(f"{change}_worker", ref=ref, when=_local(deps, at)))
        ),
    ]


def pause_choices(relationship_id: int) -> Reply:
    """For a worker: how long to pause for (the review date)."""
    return Reply(
        t("worker_pause_ask"),
        (
            tuple(
                Button(tn("pause_weeks", weeks), PauseFor(relationship_id, weeks))
                for weeks in (1, 2, 4)
            ),
        ),
    )


async def pause_by_worker(
    deps: Deps, session: AsyncSession, telegram_id: int, relationship_id: int, weeks: int
) -> list[Notice] | None:
    owned = await access.own(session, telegram_id, relationship_id, access.PEER_WORKER)
    if owned is None or weeks not in (1, 2, 4):
        return None
    worker, relationship = owned
    return await pause(
        deps, session, worker, relationship, timedelta(weeks=weeks), "paused by peer worker"
    )
