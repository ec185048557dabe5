"""Coordinator commands on relationships: list, pause, resume, extend, close (audited)."""

from __future__ import annotations

import re

from sqlmodel import select
from telegram.ext import Application, CommandHandler

from bot.admin.handlers import coordinator_only
from bot.common.handlers import PRIVATE
from bot.config import parse_duration
from bot.lifecycle import OPEN_RELATIONSHIP, RelationshipStatus
from bot.models import Person, Relationship
from bot.notify import Reply, Response
from bot.offers import service as offers
from bot.offers.wording import person_ref, worker_ref
from bot.relationships import closure
from bot.texts import t

_REF = re.compile(r"^[Rr]?(\d{1,9})$")


def _args(context, with_duration: bool) -> tuple[int | None, object, str]:
    """(relationship id, duration or None, reason) from ``R12 [4w] reason…``."""
    args = list(context.args or [])
    found = _REF.match(args[0]) if args else None
    relationship_id = int(found.group(1)) if found else None
    duration = None
    rest = args[1:]
    if with_duration:
        try:
            duration = parse_duration(rest[0]) if rest else None
        except ValueError:
            duration = None
        rest = rest[1:]
    return relationship_id, duration, " ".join(rest).strip()[:300]


async def _relationship(session, relationship_id: int | None, allowed: tuple[str, ...]):
    if relationship_id is None:
        return None
    relationship = await session.get(Relationship, relationship_id)
    return relationship if relationship is not None and relationship.status in allowed else None


@coordinator_only
async def relationships(deps, session, coordinator: Person, update, context) -> Response:
    rows = (
        await session.exec(
            select(Relationship)
            .where(Relationship.status.in_(OPEN_RELATIONSHIP))
            .order_by(Relationship.id)
        )
    ).all()
    if not rows:
        return Response(replies=[Reply(t("coord_relationships_none"))])
    lines = [t("coord_relationships_title", count=len(rows))]
    for r in rows[:60]:
        ends = r.planned_end_at.astimezone(deps.config.tz) if r.planned_end_at else None
        lines.append(
            t(
                "coord_relationship_line",
                ref=f"R{r.id}",
                user=person_ref(r.service_user_id),
                worker=worker_ref(r.peer_worker_id),
                status=t(f"relationship_status_{r.status}"),
                ends=f"{ends:%d %b %Y}" if ends else "—",
            )
        )
    return Response(replies=[Reply("\n".join(lines))])


@coordinator_only
async def pause(deps, session, coordinator: Person, update, context) -> Response:
    relationship_id, review, reason = _args(context, with_duration=True)
    relationship = await _relationship(session, relationship_id, (RelationshipStatus.ACTIVE,))
    if relationship is None or review is None or not reason:
        return Response(replies=[Reply(t("coord_pause_usage"))])
    notices = await closure.pause(deps, session, coordinator, relationship, review, reason)
    return Response(replies=[Reply(t("coord_done", ref=f"R{relationship.id}"))], notices=notices)


@coordinator_only
async def resume(deps, session, coordinator: Person, update, context) -> Response:
    relationship_id, _none, reason = _args(context, with_duration=False)
    relationship = await _relationship(session, relationship_id, (RelationshipStatus.PAUSED,))
    if relationship is None or not reason:
        return Response(replies=[Reply(t("coord_resume_usage"))])
    notices = await closure.resume(deps, session, coordinator, relationship, reason)
    return Response(replies=[Reply(t("coord_done", ref=f"R{relationship.id}"))], notices=notices)


@coordinator_only
async def extend(deps, session, coordinator: Person, update, context) -> Response:
    relationship_id, by, reason = _args(context, with_duration=True)
    relationship = await _relationship(
        session, relationship_id, (RelationshipStatus.ACTIVE, RelationshipStatus.PAUSED)
    )
    if relationship is None or by is None or not reason:
        return Response(replies=[Reply(t("coord_extend_usage"))])
    notices = await closure.extend(deps, session, coordinator, relationship, by, reason)
    return Response(replies=[Reply(t("coord_done", ref=f"R{relationship.id}"))], notices=notices)


@coordinator_only
async def close(deps, session, coordinator: Person, update, context) -> Response:
    relationship_id, _none, reason = _args(context, with_duration=False)
    relationship = await _relationship(
        session, relationship_id, (RelationshipStatus.ACTIVE, RelationshipStatus.PAUSED)
    )
    if relationship is None or not reason:
        return Response(replies=[Reply(t("coord_close_usage"))])
    if relationship.status == RelationshipStatus.PAUSED:
        relationship.paused_at = relationship.review_at = None
    notices = await closure.close(
        deps, session, relationship, ended_by="coordinator", actor_id=coordinator.id, reason=reason
    )
    await offers.exclude(
        deps,
        session,
        relationship.service_user_id,
        relationship.peer_worker_id,
        "closed",
        coordinator.id,
    )
    return Response(replies=[Reply(t("coord_done", ref=f"R{relationship.id}"))], notices=notices)


COMMANDS = {
    "relationships": relationships,
    "pause": pause,
    "resume": resume,
    "extend": extend,
    "close": close,
}


def register(application: Application) -> None:
    for name, handler in COMMANDS.items():
        application.add_handler(CommandHandler(name, handler, filters=PRIVATE))
