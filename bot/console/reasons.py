"""The reason a coordinator types after starting an action from a console button.

Kept apart from ``handlers`` so the shared text handler can reach it without importing the
coordinator commands (which import the shared handlers themselves).
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import people
from bot.console import actions, views
from bot.db import transaction
from bot.models import PendingInput
from bot.notify import Reply, Response, respond
from bot.relationships.coordinator_actions import clean_reason
from bot.texts import t
from bot.tg.context import deps_of

KINDS = actions.KINDS


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    deps = deps_of(context)
    async with transaction(deps.sessions) as session:
        coordinator = await people.active_coordinator(session, update.effective_user.id)
        if coordinator is None:  # no longer a coordinator: drop the question
            person = await people.find(session, update.effective_user.id)
            pending = await session.get(PendingInput, person.id) if person else None
            if pending is not None:
                await session.delete(pending)
            response = Response(replies=[Reply(t("not_allowed"))])
        elif not clean_reason(text):
            response = Response(replies=[Reply(t("con_reason_empty"))])
        else:
            pending = await actions.take_pending(session, coordinator)
            if pending is None:
                response = Response(replies=[Reply(t("fallback_text"))])
            else:
                outcome = await actions.give_reason(deps, session, coordinator, pending, text)
                response = Response(replies=[views.outcome_reply(outcome)], notices=outcome.notices)
    await respond(update, context, response)
