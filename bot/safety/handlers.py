"""Safety commands and buttons: /flags and flag actions (coordinators), /concern and /report,
and /safetyplan."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from bot import people, scheduler
from bot.callbacks import (
    AcknowledgeFlag,
    AskEndAndExclude,
    CancelReport,
    ConcernFor,
    EndAndExclude,
    FlagsPage,
    OpenFlag,
    ReportFor,
    ReportReason,
    ReportWithoutNote,
    ResolveFlag,
    SafetyPlanTap,
)
from bot.db import transaction
from bot.models import PendingInput, Person
from bot.notify import Response, respond
from bot.safety import plan
from bot.safety import screening as safety_screening
from bot.safety import service as safety
from bot.texts import t
from bot.tg import answers
from bot.tg.context import deps_of
from bot.tg.filters import PRIVATE
from bot.tg.guards import coordinator_only, reply_command
from bot.tg.taps import on_tap, tapped


@coordinator_only
async def flags_command(deps, session, coordinator: Person, update, context) -> Response:
    return Response(replies=[await safety.flags_page(deps, session, 0)])


@coordinator_only
async def flag_button(deps, session, coordinator: Person, update, context) -> Response:
    """The flag list and a flag's card: every action re-checks the flag's state on the server."""
    match tapped(update):
        case FlagsPage(page):
            return Response(edit=await safety.flags_page(deps, session, page))
        case OpenFlag(flag_id):
            return await safety.show(deps, session, flag_id)
        case AcknowledgeFlag(flag_id):
            return await safety.acknowledge(deps, session, coordinator, flag_id)
        case ResolveFlag(flag_id):
            return await safety.ask_resolution(deps, session, coordinator, flag_id)
        case AskEndAndExclude(flag_id):
            return Response(replies=[safety.confirm_end_exclude(flag_id)])
        case EndAndExclude(flag_id):
            return await safety.end_and_exclude(deps, session, coordinator, flag_id)


async def safety_plan_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    deps = deps_of(context)
    async with transaction(deps.sessions) as session:
        person = await people.find(session, update.effective_user.id)
        reply = await plan.overview(deps, session, person)
    await respond(update, context, Response(replies=[reply]))


async def safety_plan_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    deps = deps_of(context)
    async with transaction(deps.sessions) as session:
        reply = await plan.tapped(deps, session, update.effective_user.id, tapped(update))
    await respond(update, context, Response(close_tapped=True, replies=[reply]))


async def safety_plan_answer(update, context, person, pending, text, screening) -> bool:
    """Their words for a step of their plan (screened like any words; a flag never quotes
    them)."""
    deps = deps_of(context)
    async with transaction(deps.sessions) as session:
        asked = await session.get(PendingInput, person.id)
        if asked is None or asked.kind != plan.PENDING:
            return False
        if plan.lapsed(asked, deps.now()):  # they moved on: their words are for someone else
            await session.delete(asked)
            return False
        reply = await plan.answered(deps, session, person, asked, text)
    await respond(update, context, Response(replies=[reply]))
    return True


concern_command = reply_command(safety.start_concern)
report_command = reply_command(safety.start_report)


async def person_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Concerns and reports by the people in a relationship; ``access.own`` (in the service)
    checks they are in it."""
    deps = deps_of(context)
    user_id = update.effective_user.id
    response = Response(toast=t("stale_button_toast"), close_tapped=True)
    async with transaction(deps.sessions) as session:
        match tapped(update):
            case CancelReport():
                response = Response(close_tapped=True, chosen=t("btn_report_cancel"))
            case ReportWithoutNote():
                person = await people.find(session, user_id)
                pending = await session.get(PendingInput, person.id) if person else None
                if pending is not None and pending.kind == safety.REPORT_NOTE:
                    response = await safety.add_report_note(
                        deps, session, person, pending.subject_id, None
                    )
                    response.close_tapped = True
            case ConcernFor(relationship_id):
                reply = await safety.ask_concern(deps, session, user_id, relationship_id)
                response = Response(close_tapped=True, replies=[reply])
            case ReportFor(relationship_id):
                response = Response(
                    close_tapped=True, replies=[safety.report_reasons(relationship_id)]
                )
            case ReportReason(relationship_id, reason):
                response = await safety.report(deps, session, user_id, relationship_id, reason)
    await respond(update, context, response)


async def safety_answer(update, context, person, pending, text, screening) -> bool:
    """A coordinator's resolution note, a worker's concern, or what a reporter adds."""
    return await safety_screening.pending_text(update, context, pending, text)


def register(application: Application) -> None:
    scheduler.register(application, scheduler.Turn.SAFETY, safety.sweep)
    answers.register(application, safety.PENDING_KINDS, safety_answer)
    answers.register(application, [plan.PENDING], safety_plan_answer)
    application.add_handler(CommandHandler("safetyplan", safety_plan_command, filters=PRIVATE))
    on_tap(application, safety_plan_button, SafetyPlanTap)
    application.add_handler(CommandHandler("flags", flags_command, filters=PRIVATE))
    application.add_handler(CommandHandler("concern", concern_command, filters=PRIVATE))
    application.add_handler(CommandHandler("report", report_command, filters=PRIVATE))
    on_tap(
        application,
        flag_button,
        FlagsPage,
        OpenFlag,
        AcknowledgeFlag,
        ResolveFlag,
        AskEndAndExclude,
        EndAndExclude,
    )
    on_tap(
        application,
        person_button,
        ConcernFor,
        ReportFor,
        ReportReason,
        CancelReport,
        ReportWithoutNote,
    )
