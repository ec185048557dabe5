"""Peer-worker buttons: editing the profile, taking new matches or not."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from bot import people, scheduler
from bot.db import transaction
from bot.lifecycle import PeerWorkerStatus
from bot.models import Role
from bot.notify import Response, respond
from bot.texts import t
from bot.tg.context import deps_of
from bot.workers import service as workers
from bot.workers import wellbeing


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Callback data ``pw|<verb>|<arg>``, acted on only for the worker who taps it."""
    deps = deps_of(context)
    _, verb, arg = (update.callback_query.data.split("|") + ["", ""])[:3]
    async with transaction(deps.sessions) as session:
        person = await people.find(session, update.effective_user.id)
        allowed = person is not None and person.role == Role.PEER_WORKER
        if not allowed or person.status not in (
            PeerWorkerStatus.APPROVED,
            PeerWorkerStatus.PENDING_APPROVAL,
        ):
            response = Response(toast=t("stale_button_toast"), close_tapped=True)
        elif verb == "edit":
            response = Response(
                close_tapped=True, replies=[await workers.open_edit(deps, session, person)]
            )
        elif verb == "wellbeing" and arg in ("on", "off"):
            await wellbeing.set_enabled(deps, session, person, arg == "on")
            home = await workers.profile_home(deps, session, person)
            response = Response(toast=t(f"wellbeing_turned_{arg}"), edit=home)
        elif (
            verb == "taking" and arg in ("on", "off") and person.status == PeerWorkerStatus.APPROVED
        ):
            reply, notices = await workers.set_taking_new_matches(
                deps, session, person, arg == "on"
            )
            home = await workers.profile_home(deps, session, person)
            response = Response(toast=reply.text, edit=home, notices=notices)
        else:
            response = Response(toast=t("stale_button_toast"), close_tapped=True)
    await respond(update, context, response)


async def wellbeing_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``wb|<checkin>|score|<n>`` or ``wb|<checkin>|talk|``: only the worker it was sent to."""
    deps = deps_of(context)
    _, raw_id, field, value = (update.callback_query.data.split("|") + ["", "", ""])[:4]
    outcome = None
    if raw_id.isdigit():
        async with transaction(deps.sessions) as session:
            outcome = await wellbeing.answer(
                deps, session, update.effective_user.id, int(raw_id), field, value
            )
    if outcome is None:
        response = Response(toast=t("stale_button_toast"))
    else:
        reply, notices = outcome
        response = Response(toast=reply.text, notices=notices, close_tapped=field == "talk")
    await respond(update, context, response)


def register(application: Application) -> None:
    scheduler.register(application, scheduler.Turn.WORKER_WELLBEING, wellbeing.sweep)
    application.add_handler(CallbackQueryHandler(button, pattern=r"^pw\|"))
    application.add_handler(CallbackQueryHandler(wellbeing_button, pattern=r"^wb\|"))
