"""Coordinator commands on relationships: pause, resume, extend, close (audited).

The rules (which state allows what, and the closing steps) are
``bot.relationships.coordinator_actions``, shared with the console's buttons; /relationships
is the console's list.
"""

from __future__ import annotations

import re

from telegram.ext import Application, CommandHandler

from bot.config import parse_duration
from bot.models import Person
from bot.notify import Reply, Response
from bot.relationships import coordinator_actions
from bot.texts import t
from bot.tg.filters import PRIVATE
from bot.tg.guards import coordinator_only

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
    return relationship_id, duration, coordinator_actions.clean_reason(" ".join(rest))


async def _act(deps, session, coordinator: Person, context, action: str) -> Response:
    with_duration = action in coordinator_actions.WEEKS
    relationship_id, duration, reason = _args(context, with_duration)
    relationship = await coordinator_actions.open_for(session, relationship_id, action)
    notices = None
    if relationship is not None and reason and (duration is not None or not with_duration):
        notices = await coordinator_actions.perform(
            deps, session, coordinator, relationship, action, reason, duration
        )
    if notices is None:
        return Response(replies=[Reply(t(f"coord_{action}_usage"))])
    return Response(replies=[Reply(t("coord_done", ref=f"R{relationship.id}"))], notices=notices)


@coordinator_only
async def pause(deps, session, coordinator: Person, update, context) -> Response:
    return await _act(deps, session, coordinator, context, "pause")


@coordinator_only
async def resume(deps, session, coordinator: Person, update, context) -> Response:
    return await _act(deps, session, coordinator, context, "resume")


@coordinator_only
async def extend(deps, session, coordinator: Person, update, context) -> Response:
    return await _act(deps, session, coordinator, context, "extend")


@coordinator_only
async def close(deps, session, coordinator: Person, update, context) -> Response:
    return await _act(deps, session, coordinator, context, "close")


COMMANDS = {
    "pause": pause,
    "resume": resume,
    "extend": extend,
    "close": close,
}


def register(application: Application) -> None:
    for name, handler in COMMANDS.items():
        application.add_handler(CommandHandler(name, handler, filters=PRIVATE))
