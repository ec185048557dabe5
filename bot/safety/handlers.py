"""Safety commands and buttons: /flags and flag actions (coordinators), /concern and /report."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot import people, scheduler
from bot.db import transaction
from bot.models import PendingInput, Person
from bot.notify import Response, respond
from bot.safety import screening as safety_screening
from bot.safety import service as safety
from bot.texts import t
from bot.tg import answers
from bot.tg.context import deps_of
from bot.tg.filters import PRIVATE
from bot.tg.guards import coordinator_only


@coordinator_only
async def flags_command(deps, session, coordinator: Person, update, context) -> Response:
    return Response(replies=[await safety.flags_page(deps, session, 0)])


@coordinator_only
async def flag_button(deps, session, coordinator: Person, update, context) -> Response:
    """``sf|<verb>|<flag or page>``: every verb re-checks the flag's state on the server."""
    _, verb, raw_id = (update.callback_query.data.split("|") + ["", ""])[:3]
    if not raw_id.isdigit():
        return Response(toast=t("stale_button_toast"), close_tapped=True)
    subject = int(raw_id)
    if verb == "list":
        return Response(edit=await safety.flags_page(deps, session, subject))
    if verb == "open":
        return await safety.show(deps, session, subject)
    if verb == "ack":
        return await safety.acknowledge(deps, session, coordinator, subject)
    if verb == "resolve":
        return await safety.ask_resolution(deps, session, coordinator, subject)
    if verb == "endx":
        return Response(replies=[safety.confirm_end_exclude(subject)])
    if verb == "endxok":
        return await safety.end_and_exclude(deps, session, coordinator, subject)
    return Response(toast=t("stale_button_toast"), close_tapped=True)


async def concern_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    deps = deps_of(context)
    async with transaction(deps.sessions) as session:
        reply = await safety.start_concern(deps, session, update.effective_user.id)
    await respond(update, context, Response(replies=[reply]))


async def report_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    deps = deps_of(context)
    async with transaction(deps.sessions) as session:
        reply = await safety.start_report(deps, session, update.effective_user.id)
    await respond(update, context, Response(replies=[reply]))


async def person_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``sr|<verb>|<relationship>|<arg>``: concerns and reports by the people in a
    relationship; ``access.own`` (in the service) checks they are in it."""
    deps = deps_of(context)
    _, verb, raw_id, arg = (update.callback_query.data.split("|") + ["", "", ""])[:4]
    user_id = update.effective_user.id
    response = Response(toast=t("stale_button_toast"), close_tapped=True)
    async with transaction(deps.sessions) as session:
        if verb == "no":
            response = Response(close_tapped=True, chosen=t("btn_report_cancel"))
        elif verb == "nonote":
            person = await people.find(session, user_id)
            pending = await session.get(PendingInput, person.id) if person else None
            if pending is not None and pending.kind == safety.REPORT_NOTE:
                response = await safety.add_report_note(
                    deps, session, person, pending.subject_id, None
                )
                response.close_tapped = True
        elif raw_id.isdigit() and verb == "cfor":
            reply = await safety.ask_concern(deps, session, user_id, int(raw_id))
            response = Response(close_tapped=True, replies=[reply])
        elif raw_id.isdigit() and verb == "rfor":
            response = Response(close_tapped=True, replies=[safety.report_reasons(int(raw_id))])
        elif raw_id.isdigit() and verb == "rwhy":
            response = await safety.report(deps, session, user_id, int(raw_id), arg)
    await respond(update, context, response)


async def safety_answer(update, context, person, pending, text, screening) -> bool:
    """A coordinator's resolution note, a worker's concern, or what a reporter adds."""
    return await safety_screening.pending_text(update, context, pending, text)


def register(application: Application) -> None:
    scheduler.register(application, scheduler.Turn.SAFETY, safety.sweep)
    answers.register(application, safety.PENDING_KINDS, safety_answer)
    application.add_handler(CommandHandler("flags", flags_command, filters=PRIVATE))
    application.add_handler(CommandHandler("concern", concern_command, filters=PRIVATE))
    application.add_handler(CommandHandler("report", report_command, filters=PRIVATE))
    application.add_handler(CallbackQueryHandler(flag_button, pattern=r"^sf\|"))
    application.add_handler(CallbackQueryHandler(person_button, pattern=r"^sr\|"))
