"""Supervision for peer workers: supervision and a manageable workload protect them, and
endings are the hardest part.

A coordinator records a session with a worker (``/supervision W7``): which of the worker's
relationships were discussed (by pseudonym), a short note that only coordinators see, and the
next date. The worker is reminded before that date and can add topics they want to raise. The
bot proposes topics to the coordinator: a relationship ending within two weeks, an early
ending, a safety flag raised about one of the worker's people, a low wellbeing check-in (never
its score), a caseload at its cap for four weeks. After every ending the worker is offered a
short private reflection (what went well, what was hard), theirs unless they share it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import pending as pending_input
from bot.callbacks import SupervisionTap
from bot.deps import Deps
from bot.lifecycle import PeerWorkerStatus, RelationshipStatus
from bot.models import (
    PeerWorkerProfile,
    PendingInput,
    Person,
    Reflection,
    Relationship,
    Role,
    SafetyFlag,
    SupervisionSession,
    SupervisionTopic,
    WorkerCheckin,
)
from bot.notify import Button, Notice, Reply, Response, notice_to
from bot.texts import Markup, escape, t, tn
from bot.texts.fragments import date_text, person_ref, worker_ref

RECORDING = "supervision"  # a coordinator recording a session: payload holds the choices
TOPIC = "supervision_topic"  # a worker adding a topic
REFLECTION = "reflection"  # a worker's reflection: subject is the relationship
PENDING_KINDS = (RECORDING, TOPIC, REFLECTION)
TEXT_LIMIT = 1000
# A question not answered within this is not coming: their next words are for someone else.
ANSWER_WITHIN = timedelta(minutes=30)
ENDING_SOON = timedelta(weeks=2)
AT_CAP_FOR = timedelta(weeks=4)
NEXT_IN = (2, 4, 6)  # weeks
OPEN = (RelationshipStatus.ACTIVE, RelationshipStatus.PAUSED)


async def _last(session: AsyncSession, worker_id: int) -> SupervisionSession | None:
    return (
        await session.exec(
            select(SupervisionSession)
            .where(SupervisionSession.worker_id == worker_id)
            .order_by(SupervisionSession.held_at.desc(), SupervisionSession.id.desc())
        )
    ).first()


async def _last_of_each(
    session: AsyncSession, worker_ids: list[int]
) -> dict[int, SupervisionSession]:
    """``_last`` for many workers in one read (the dashboard and the overview list them all)."""
    rows = await session.exec(
        select(SupervisionSession)
        .where(SupervisionSession.worker_id.in_(worker_ids))
        .order_by(SupervisionSession.held_at, SupervisionSession.id)
    )
    return {row.worker_id: row for row in rows.all()}  # the latest of each comes last


async def _open_relationships(session: AsyncSession, worker_id: int) -> list[Relationship]:
    rows = await session.exec(
        select(Relationship)
        .where(Relationship.peer_worker_id == worker_id, Relationship.status.in_(OPEN))
        .order_by(Relationship.id)
    )
    return list(rows.all())


def _clip(text: str) -> str:
    return " ".join(text.split())[:TEXT_LIMIT]


# -- what the bot proposes ----------------------------------------------------------------------


async def proposed_topics(deps: Deps, session: AsyncSession, worker_id: int) -> list[str]:
    """What may be worth raising, since the last session (or ever): never a score, never a
    message, never a safety plan."""
    now = deps.now()
    last = await _last(session, worker_id)
    since = last.held_at if last else datetime.min.replace(tzinfo=now.tzinfo)
    topics = []
    open_ = await _open_relationships(session, worker_id)
    for r in open_:
        if r.planned_end_at is not None and now <= r.planned_end_at <= now + ENDING_SOON:
            when = date_text(deps.config, r.planned_end_at, year=False)
            topics.append(t("sv_topic_ending", rel=f"R{r.id}", when=when))
    early = (
        await session.exec(
            select(Relationship.id).where(
                Relationship.peer_worker_id == worker_id,
                Relationship.status == RelationshipStatus.ENDED_EARLY,
                Relationship.ended_at >= since,
            )
        )
    ).all()
    topics += [t("sv_topic_early", rel=f"R{rid}") for rid in early]
    theirs = [r.service_user_id for r in open_]
    if theirs:
        flags = (
            await session.exec(
                select(func.count())
                .select_from(SafetyFlag)
                .where(SafetyFlag.about_person_id.in_(theirs), SafetyFlag.raised_at >= since)
            )
        ).one()
        if flags:
            topics.append(tn("sv_topic_flags", flags))
    low = (
        await session.exec(
            select(func.count())
            .select_from(WorkerCheckin)
            .where(
                WorkerCheckin.worker_id == worker_id,
                WorkerCheckin.score <= 2,
                WorkerCheckin.answered_at >= since,
            )
        )
    ).one()
    if low:
        topics.append(t("sv_topic_wellbeing"))
    profile = await session.get(PeerWorkerProfile, worker_id)
    started = [r.started_at for r in open_ if r.started_at is not None]
    if (
        profile is not None
        and len(open_) >= profile.max_caseload
        and started
        and now - max(started) >= AT_CAP_FOR
    ):
        topics.append(t("sv_topic_cap"))
    return topics


# -- coordinators ---------------------------------------------------------------------------------


async def _worker(session: AsyncSession, worker_id: int) -> Person | None:
    worker = await session.get(Person, worker_id)
    if worker is None or worker.role != Role.PEER_WORKER or worker.erased_at is not None:
        return None
    return worker


async def card(deps: Deps, session: AsyncSession, worker_id: int) -> Reply:
    """A worker's supervision, for coordinators."""
    worker = await _worker(session, worker_id)
    if worker is None:
        return Reply(t("sv_no_worker"))
    profile = await session.get(PeerWorkerProfile, worker_id)
    name = f"{worker_ref(worker_id)} {profile.display_name}" if profile else worker_ref(worker_id)
    last = await _last(session, worker_id)
    lines = [t("sv_card_title", name=name)]
    if last is None:
        lines.append(t("sv_card_never"))
    else:
        lines.append(t("sv_card_last", when=date_text(deps.config, last.held_at)))
        if last.note:
            lines.append(t("sv_card_note", note=last.note))
    lines.append(
        t("sv_card_next", when=date_text(deps.config, last.next_at))
        if last is not None and last.next_at is not None
        else t("sv_card_no_next")
    )
    if overdue(deps, last):
        lines.append(t("sv_card_overdue"))
    proposed = await proposed_topics(deps, session, worker_id)
    if proposed:
        lines.append(t("sv_card_proposed") + "\n" + "\n".join(f"• {p}" for p in proposed))
    topics = await _open_topics(session, worker_id)
    if topics:
        lines.append(t("sv_card_theirs") + "\n" + "\n".join(f"• {escape(x.text)}" for x in topics))
    shared = (
        await session.exec(
            select(Reflection)
            .where(Reflection.worker_id == worker_id, Reflection.shared)
            .order_by(Reflection.created_at.desc())
            .limit(3)
        )
    ).all()
    for reflection in shared:
        lines.append(_reflection_text(reflection))
    return Reply(
        Markup("\n\n".join(lines)),
        ((Button(t("btn_sv_record"), SupervisionTap("record", worker_id)),),),
    )


def overdue(deps: Deps, last: SupervisionSession | None) -> bool:
    now = deps.now()
    if last is None:
        return True
    if last.next_at is not None:
        return last.next_at < now
    return now - last.held_at > deps.config.peer_workers.supervision_every


async def _open_topics(session: AsyncSession, worker_id: int) -> list[SupervisionTopic]:
    rows = await session.exec(
        select(SupervisionTopic)
        .where(SupervisionTopic.worker_id == worker_id, SupervisionTopic.covered_at.is_(None))
        .order_by(SupervisionTopic.id)
    )
    return list(rows.all())


async def _discussed_picker(session: AsyncSession, worker_id: int, chosen: list[int]) -> Reply:
    rows = []
    for r in await _open_relationships(session, worker_id):
        mark = "✅ " if r.id in chosen else "▫️ "
        label = f"{mark}R{r.id} ({person_ref(r.service_user_id)})"
        rows.append((Button(label, SupervisionTap("toggle", worker_id, str(r.id))),))
    rows.append((Button(t("btn_done"), SupervisionTap("done", worker_id)),))
    return Reply(t("sv_which_discussed"), tuple(rows))


async def record(
    deps: Deps, session: AsyncSession, coordinator: Person, tap: SupervisionTap
) -> Response:
    """The steps of recording a session: relationships discussed, a note, the next date."""
    worker = await _worker(session, tap.subject)
    if worker is None:
        return Response(toast=t("sv_no_worker"), close_tapped=True)
    asked = await session.get(PendingInput, coordinator.id)
    state = asked.payload if asked is not None and asked.kind == RECORDING else None
    if state is not None and asked.subject_id != worker.id:
        state = None
    match tap.verb:
        case "record":
            await pending_input.ask(
                session, coordinator.id, RECORDING, worker.id, deps.now(), {"discussed": []}
            )
            return Response(replies=[_when_held(worker.id)])
        case "when" if state is not None and tap.value in HELD_DAYS_AGO:
            asked.payload = {**state, "days_ago": int(tap.value)}
            session.add(asked)
            return Response(edit=await _discussed_picker(session, worker.id, []))
        case "toggle" if state is not None and tap.value.isdigit():
            chosen = list(state.get("discussed", []))
            rid = int(tap.value)
            chosen = [c for c in chosen if c != rid] if rid in chosen else [*chosen, rid]
            asked.payload = {**state, "discussed": chosen}
            session.add(asked)
            return Response(edit=await _discussed_picker(session, worker.id, chosen))
        case "done" if state is not None:
            asked.payload = {**state, "step": "note"}
            session.add(asked)
            return Response(
                close_tapped=True,
                replies=[
                    Reply(
                        t("sv_note_prompt"),
                        ((Button(t("btn_skip"), SupervisionTap("skip", worker.id)),),),
                    )
                ],
            )
        case "skip" if state is not None:
            return Response(close_tapped=True, replies=[_next_date(worker.id)])
        case "next" if state is not None:
            weeks = int(tap.value) if tap.value.isdigit() else 0
            saved = await _save(deps, session, coordinator, worker, state, weeks)
            await session.delete(asked)
            return Response(close_tapped=True, replies=[saved])
    return Response(toast=t("stale_button_toast"), close_tapped=True)


HELD_DAYS_AGO = ("0", "1", "2", "7")


def _when_held(worker_id: int) -> Reply:
    """When the session was: today, or a few days ago (recorded afterwards)."""
    return Reply(
        t("sv_when_prompt"),
        tuple(
            (
                Button(
                    t("btn_sv_today") if days == "0" else tn("btn_sv_days_ago", int(days)),
                    SupervisionTap("when", worker_id, days),
                ),
            )
            for days in HELD_DAYS_AGO
        ),
    )


def _next_date(worker_id: int) -> Reply:
    rows = tuple(
        (Button(tn("btn_sv_next", w), SupervisionTap("next", worker_id, str(w))),) for w in NEXT_IN
    )
    return Reply(
        t("sv_next_prompt"),
        (*rows, (Button(t("btn_sv_no_next"), SupervisionTap("next", worker_id, "0")),)),
    )


async def note_written(
    deps: Deps, session: AsyncSession, coordinator: Person, asked: PendingInput, text: str
) -> Reply:
    asked.payload = {**asked.payload, "note": _clip(text)}
    session.add(asked)
    return _next_date(asked.subject_id)


async def _save(
    deps: Deps,
    session: AsyncSession,
    coordinator: Person,
    worker: Person,
    state: dict,
    weeks: int,
) -> Reply:
    now = deps.now()
    mine = {r.id for r in await _open_relationships(session, worker.id)}
    supervision = SupervisionSession(
        worker_id=worker.id,
        coordinator_id=coordinator.id,
        held_at=now - timedelta(days=int(state.get("days_ago", 0))),
        discussed=[rid for rid in state.get("discussed", []) if rid in mine],
        note=state.get("note") or None,
        next_at=now + timedelta(weeks=weeks) if weeks else None,
        created_at=now,
    )
    session.add(supervision)
    for topic in await _open_topics(session, worker.id):
        topic.covered_at = now
        session.add(topic)
    when = date_text(deps.config, supervision.next_at) if supervision.next_at else "—"
    return Reply(t("sv_saved", worker=worker_ref(worker.id), next=when))


# -- peer workers ---------------------------------------------------------------------------------


async def for_worker(deps: Deps, session: AsyncSession, worker: Person) -> Reply:
    """A worker's own view: their next session, their topics, their reflections."""
    last = await _last(session, worker.id)
    lines = [
        t("sv_mine_next", when=date_text(deps.config, last.next_at))
        if last is not None and last.next_at is not None
        else t("sv_mine_no_next")
    ]
    topics = await _open_topics(session, worker.id)
    if topics:
        lines.append(t("sv_mine_topics") + "\n" + "\n".join(f"• {escape(x.text)}" for x in topics))
    buttons = [(Button(t("btn_sv_add_topic"), SupervisionTap("topic", worker.id)),)]
    reflections = (
        await session.exec(
            select(Reflection)
            .where(Reflection.worker_id == worker.id)
            .order_by(Reflection.created_at.desc())
            .limit(5)
        )
    ).all()
    for reflection in reflections:
        lines.append(_reflection_text(reflection))
        verb, key = (
            ("unshare", "btn_sv_unshare") if reflection.shared else ("share", "btn_sv_share")
        )
        buttons.append(
            (
                Button(
                    t(key, rel=f"R{reflection.relationship_id}"),
                    SupervisionTap(verb, reflection.id),
                ),
            )
        )
    return Reply(Markup("\n\n".join(lines)), tuple(buttons))


def _reflection_text(reflection: Reflection) -> str:
    parts = [t("sv_reflection_title", rel=f"R{reflection.relationship_id}")]
    if reflection.went_well:
        parts.append(t("sv_reflection_well", text=reflection.went_well))
    if reflection.hard:
        parts.append(t("sv_reflection_hard", text=reflection.hard))
    return "\n".join(parts)


async def worker_tap(
    deps: Deps, session: AsyncSession, worker: Person, tap: SupervisionTap
) -> Response:
    match tap.verb:
        case "topic" if tap.subject == worker.id:
            await pending_input.ask(session, worker.id, TOPIC, worker.id, deps.now())
            return Response(replies=[Reply(t("sv_topic_prompt"))])
        case "share" | "unshare":
            reflection = await session.get(Reflection, tap.subject)
            if reflection is None or reflection.worker_id != worker.id:
                return Response(toast=t("stale_button_toast"), close_tapped=True)
            reflection.shared = tap.verb == "share"
            session.add(reflection)
            return Response(edit=await for_worker(deps, session, worker))
        case "reflect":
            ended = await session.get(Relationship, tap.subject)
            if ended is None or ended.peer_worker_id != worker.id:
                return Response(toast=t("stale_button_toast"), close_tapped=True)
            await pending_input.ask(
                session, worker.id, REFLECTION, ended.id, deps.now(), {"step": "well"}
            )
            return Response(close_tapped=True, replies=[Reply(t("sv_reflect_well"))])
        case "notnow":
            return Response(close_tapped=True, chosen=t("btn_sv_not_now"))
    return Response(toast=t("stale_button_toast"), close_tapped=True)


async def worker_text(
    deps: Deps, session: AsyncSession, worker: Person, asked: PendingInput, text: str
) -> Reply:
    """A topic they want to raise, or a step of a reflection."""
    now = deps.now()
    if asked.kind == TOPIC:
        session.add(SupervisionTopic(worker_id=worker.id, text=_clip(text), added_at=now))
        await session.delete(asked)
        return Reply(t("sv_topic_added"))
    if asked.payload.get("step") == "well":
        asked.payload = {"step": "hard", "well": _clip(text)}
        session.add(asked)
        return Reply(t("sv_reflect_hard"))
    session.add(
        Reflection(
            worker_id=worker.id,
            relationship_id=asked.subject_id,
            went_well=asked.payload.get("well") or None,
            hard=_clip(text) or None,
            shared=False,
            created_at=now,
        )
    )
    await session.delete(asked)
    return Reply(t("sv_reflect_saved"))


# -- the sweep: reminders ---------------------------------------------------------------------


async def remind(deps: Deps, session: AsyncSession, now: datetime) -> list[Notice]:
    """Before a worker's next session: a reminder, once, with a way to add topics."""
    lead = deps.config.peer_workers.supervision_reminder
    due = (
        await session.exec(
            select(SupervisionSession)
            .where(
                SupervisionSession.next_at.is_not(None),
                SupervisionSession.reminded_at.is_(None),
                SupervisionSession.next_at <= now + lead,
                SupervisionSession.next_at > now,
            )
            .with_for_update(skip_locked=True)
        )
    ).all()
    notices = []
    for supervision in due:
        if (await _last(session, supervision.worker_id)).id != supervision.id:
            continue  # a later session was recorded: its date counts
        supervision.reminded_at = now
        session.add(supervision)
        worker = await session.get(Person, supervision.worker_id)
        if worker is None or worker.status != PeerWorkerStatus.APPROVED:
            continue
        when = supervision.next_at

        def said(worker_id: int = worker.id, when: datetime = when) -> Reply:
            return Reply(
                t("sv_reminder", when=date_text(deps.config, when)),
                ((Button(t("btn_sv_add_topic"), SupervisionTap("topic", worker_id)),),),
            )

        notices.append(await notice_to(worker, said))
    return notices


async def overdue_count(deps: Deps, session: AsyncSession) -> int:
    """Approved workers overdue for supervision, for the dashboard."""
    workers = (
        await session.exec(
            select(Person.id).where(
                Person.role == Role.PEER_WORKER, Person.status == PeerWorkerStatus.APPROVED
            )
        )
    ).all()
    last = await _last_of_each(session, workers)
    return sum(overdue(deps, last.get(worker_id)) for worker_id in workers)


async def overview(deps: Deps, session: AsyncSession) -> Reply:
    """For coordinators: every approved worker, their last and next session, the overdue
    marked."""
    workers = (
        await session.exec(
            select(Person.id, PeerWorkerProfile.display_name)
            .join(PeerWorkerProfile, PeerWorkerProfile.person_id == Person.id)
            .where(Person.role == Role.PEER_WORKER, Person.status == PeerWorkerStatus.APPROVED)
            .order_by(Person.id)
        )
    ).all()
    if not workers:
        return Reply(t("sv_no_workers"))
    lines = [t("sv_overview_title")]
    last_of = await _last_of_each(session, [worker_id for worker_id, _name in workers])
    for worker_id, name in workers:
        last = last_of.get(worker_id)
        lines.append(
            t(
                "sv_overview_line",
                ref=worker_ref(worker_id),
                name=name,
                last=date_text(deps.config, last.held_at, weekday=False) if last else "—",
                next=date_text(deps.config, last.next_at, weekday=False)
                if last and last.next_at
                else "—",
                overdue=t("sv_overdue_mark") if overdue(deps, last) else "",
            )
        )
    return Reply(Markup("\n".join(lines)))
