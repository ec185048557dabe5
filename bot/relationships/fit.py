"""Is this a good fit? A relationship that does not fit is best found early.

Once a pair have been in touch, and ``relationship.fit_check_after`` after the match, each
side is asked privately how it is going. A service user may answer "good", "not sure" (a
conversation with a coordinator is offered) or "I'd like someone else" (a new peer is looked
for at once: no reason is asked, and the worker is told kindly, never why). A peer worker may
answer "good", "not sure" (the same offer) or "not the right fit" (coordinators are told,
privately; nothing ends). Coordinators see the answers on the relationship card and counts on
the dashboard; the export carries them, pseudonymised.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import lifecycle, people
from bot.callbacks import FitAnswer, FitTalk
from bot.deps import Deps
from bot.lifecycle import RelationshipStatus
from bot.models import PeerWorkerProfile, Relationship
from bot.notify import Button, Notice, Reply, Response, notice_to, saying
from bot.offers import service as offers
from bot.offers.wording import worker_name
from bot.relationships import access
from bot.texts import t
from bot.texts.fragments import person_ref, worker_ref

FOR_SERVICE_USER = ("good", "unsure", "other")
FOR_WORKER = ("good", "unsure", "not_fit")
TALK = "talk"  # said "not sure", then asked for a word with a coordinator (asked once)


def _question(key: str, relationship_id: int, answers: tuple[str, ...], **params: str) -> Reply:
    return Reply(
        t(key, **params),
        tuple((Button(t(f"btn_fit_{a}"), FitAnswer(relationship_id, a)),) for a in answers),
    )


async def ask_due(deps: Deps, session: AsyncSession, now: datetime) -> list[Notice]:
    """Ask both sides of every pair in touch for long enough, once."""
    due = (
        await session.exec(
            select(Relationship)
            .where(
                Relationship.status == RelationshipStatus.ACTIVE,
                Relationship.fit_asked_at.is_(None),
                Relationship.first_contact_at.is_not(None),
                Relationship.started_at <= now - deps.config.relationship.fit_check_after,
            )
            .with_for_update(skip_locked=True)
        )
    ).all()
    notices: list[Notice] = []
    for relationship in due:
        relationship.fit_asked_at = now
        session.add(relationship)
        user, worker = await access.pair(session, relationship)
        profile = await session.get(PeerWorkerProfile, worker.id)
        name = profile.display_name if profile else worker_ref(worker.id)
        ref = await worker_name(session, user.id)
        rid = relationship.id
        notices += [
            await notice_to(
                user, partial(_question, "fit_ask_user", rid, FOR_SERVICE_USER, name=name)
            ),
            await notice_to(worker, partial(_question, "fit_ask_worker", rid, FOR_WORKER, ref=ref)),
        ]
    return notices


async def answer(deps: Deps, session: AsyncSession, telegram_id: int, tap: FitAnswer) -> Response:
    stale = Response(toast=t("request_stale"), close_tapped=True)
    owned = await access.own(session, telegram_id, tap.relationship_id, access.EITHER)
    if owned is None:
        return stale
    person, relationship = owned
    as_user = person.id == relationship.service_user_id
    if relationship.fit_asked_at is None or tap.answer not in (
        FOR_SERVICE_USER if as_user else FOR_WORKER
    ):
        return stale
    if (relationship.fit_service_user if as_user else relationship.fit_worker) is not None:
        return Response(toast=t("fit_answered_already"), close_tapped=True)
    if as_user:
        relationship.fit_service_user = tap.answer
    else:
        relationship.fit_worker = tap.answer
    session.add(relationship)
    await lifecycle.audit(
        session,
        at=deps.now(),
        actor_id=person.id,
        # Not the answer: the other side reads this relationship's audit in their /mydata.
        action="relationship.fit.answered",
        subject_type="relationship",
        subject_id=relationship.id,
    )
    chosen = t(f"btn_fit_{tap.answer}")
    if tap.answer == "good":
        return Response(close_tapped=True, chosen=chosen, replies=[Reply(t("fit_thanks"))])
    if tap.answer == "unsure":
        talk = Reply(
            t("fit_unsure"),
            (
                (Button(t("btn_fit_talk_yes"), FitTalk(relationship.id, "yes")),),
                (Button(t("btn_fit_talk_no"), FitTalk(relationship.id, "no")),),
            ),
        )
        return Response(close_tapped=True, chosen=chosen, replies=[talk])
    if tap.answer == "not_fit":  # a worker: coordinators hear, privately; nothing ends
        told = await people.coordinator_notices(
            session,
            saying(
                "fit_not_fit_coord",
                rel=f"R{relationship.id}",
                worker=worker_ref(person.id),
                ref=person_ref(relationship.service_user_id),
            ),
        )
        return Response(
            close_tapped=True, chosen=chosen, replies=[Reply(t("fit_not_fit_worker"))], notices=told
        )
    # A service user would like someone else: looked for at once, no reason asked.
    replies, notices = await offers.rematch(deps, session, person)
    return Response(
        close_tapped=True,
        chosen=chosen,
        replies=[Reply(t("fit_other_user")), *replies],
        notices=notices,
    )


async def talk(deps: Deps, session: AsyncSession, telegram_id: int, tap: FitTalk) -> Response:
    """After "not sure": a coordinator is asked to get in touch, if they would like that."""
    statuses = (RelationshipStatus.ACTIVE, RelationshipStatus.PAUSED)
    owned = await access.own(session, telegram_id, tap.relationship_id, access.EITHER, statuses)
    if owned is None:
        return Response(toast=t("request_stale"), close_tapped=True)
    person, relationship = owned
    as_user = person.id == relationship.service_user_id
    said = relationship.fit_service_user if as_user else relationship.fit_worker
    if said != "unsure":  # (a forged tap, or one before they said so)
        return Response(toast=t("request_stale"), close_tapped=True)
    if tap.answer == "no":
        return Response(close_tapped=True, chosen=t("btn_fit_talk_no"))
    # Once: a second tap (or a slow first one answered twice) asks nobody again.
    if as_user:
        relationship.fit_service_user = TALK
    else:
        relationship.fit_worker = TALK
    session.add(relationship)
    who = person_ref(person.id) if as_user else worker_ref(person.id)
    told = await people.coordinator_notices(
        session, saying("fit_talk_coord", who=who, rel=f"R{relationship.id}")
    )
    return Response(
        close_tapped=True,
        chosen=t("btn_fit_talk_yes"),
        replies=[Reply(t("fit_talk_asked"))],
        notices=told,
    )
