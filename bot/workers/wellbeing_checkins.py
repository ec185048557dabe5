"""Peer workers' own weekly wellbeing check-in, and what coordinators may see of it (the
aggregate). The check-ins between a service user and their peer worker are
``bot.relationships.checkins``."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import partial
from statistics import mean
from zoneinfo import ZoneInfo

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import people
from bot.callbacks import WellbeingScore, WellbeingTalk
from bot.deps import Deps
from bot.lifecycle import PeerWorkerStatus
from bot.models import PeerWorkerProfile, Person, WorkerCheckin
from bot.notify import Button, Notice, Reply, notice_to, saying
from bot.offers.mapping import open_caseloads
from bot.texts import t, tn
from bot.texts.fragments import worker_ref
from bot.workers import supervision


def next_due(deps: Deps, timezone: str, after: datetime) -> datetime:
    settings = deps.config.worker_checkins
    zone = ZoneInfo(timezone)
    local = after.astimezone(zone)
    day: date = local.date() + timedelta(days=(settings.weekday - local.weekday()) % 7)
    at = time.fromisoformat(settings.time)
    candidate = datetime.combine(day, at, tzinfo=zone)
    if candidate <= after:
        candidate = datetime.combine(day + timedelta(days=7), at, tzinfo=zone)
    return candidate


async def sweep(deps: Deps, session: AsyncSession) -> list[Notice]:
    """Peer workers' own turn: their wellbeing check-ins, and supervision reminders."""
    notices = await _checkins_due(deps, session) if deps.config.worker_checkins.enabled else []
    return notices + await supervision.remind(deps, session, deps.now())


async def _checkins_due(deps: Deps, session: AsyncSession) -> list[Notice]:
    now = deps.now()
    rows = (
        await session.exec(
            select(PeerWorkerProfile, Person)
            .join(Person, Person.id == PeerWorkerProfile.person_id)
            .where(
                Person.status == PeerWorkerStatus.APPROVED,
                PeerWorkerProfile.wellbeing_checkins,
            )
            .with_for_update(skip_locked=True, of=PeerWorkerProfile)
        )
    ).all()
    notices: list[Notice] = []
    for profile, worker in rows:
        if profile.wellbeing_next_due_at is None:  # newly approved: schedule the first one
            profile.wellbeing_next_due_at = next_due(deps, profile.timezone, now)
            session.add(profile)
            continue
        if profile.wellbeing_next_due_at > now:
            continue
        late = now - profile.wellbeing_next_due_at > deps.config.checkins.grace
        profile.wellbeing_next_due_at = next_due(deps, profile.timezone, now)
        session.add(profile)
        if late:  # after downtime, skip rather than send at an odd hour
            continue
        checkin = WorkerCheckin(worker_id=worker.id, due_at=now)
        session.add(checkin)
        await session.flush()
        caseload = (await open_caseloads(session, [worker.id])).get(worker.id, 0)
        notices.append(
            await notice_to(worker, partial(_question, checkin.id, profile.max_caseload, caseload))
        )
    return notices


def _question(checkin_id: int, max_caseload: int, caseload: int) -> Reply:
    return Reply(
        tn("wellbeing_question", max_caseload, caseload=caseload),
        (
            tuple(Button(str(n), WellbeingScore(checkin_id, n)) for n in range(1, 6)),
            (Button(t("btn_wellbeing_talk"), WellbeingTalk(checkin_id)),),
        ),
    )


async def answer(
    deps: Deps, session: AsyncSession, telegram_id: int, tap: WellbeingScore | WellbeingTalk
) -> tuple[Reply, list[Notice]] | None:
    worker = await people.find(session, telegram_id)
    checkin = await session.get(WorkerCheckin, tap.checkin_id)
    if worker is None or checkin is None or checkin.worker_id != worker.id:
        return None
    if isinstance(tap, WellbeingScore) and 1 <= tap.score <= 5:
        checkin.score, checkin.answered_at = tap.score, deps.now()
        session.add(checkin)
        return Reply(t("wellbeing_thanks")), []
    if isinstance(tap, WellbeingTalk) and not checkin.wants_contact:
        checkin.wants_contact = True
        checkin.answered_at = checkin.answered_at or deps.now()
        session.add(checkin)
        said = saying("coord_wellbeing_talk", ref=worker_ref(worker.id))
        return Reply(t("wellbeing_talk_asked")), await people.coordinator_notices(session, said)
    return None


async def summary(deps: Deps, session: AsyncSession, weeks: int = 4) -> Reply:
    """For coordinators: figures only. Individual scores are never shown."""
    since = deps.now() - timedelta(weeks=weeks)
    rows = (await session.exec(select(WorkerCheckin).where(WorkerCheckin.due_at >= since))).all()
    scores = [row.score for row in rows if row.score is not None]
    talk = sorted({worker_ref(row.worker_id) for row in rows if row.wants_contact})
    return Reply(
        tn(
            "coord_wellbeing",
            weeks,
            sent=len(rows),
            answered=len(scores),
            average=f"{mean(scores):.1f}" if scores else "—",
            low=sum(1 for s in scores if s <= 2),
            talk=", ".join(talk) if talk else t("coord_wellbeing_nobody"),
        )
    )


async def set_enabled(deps: Deps, session: AsyncSession, worker: Person, enabled: bool) -> None:
    profile = await session.get(PeerWorkerProfile, worker.id)
    profile.wellbeing_checkins = enabled
    profile.wellbeing_next_due_at = (
        next_due(deps, profile.timezone, deps.now()) if enabled else None
    )
    session.add(profile)
