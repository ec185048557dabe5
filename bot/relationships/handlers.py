"""A worker's answer to a request, relaying messages between a matched pair, and the
relationship commands and buttons."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import Application, CommandHandler, ContextTypes

from bot import people, scheduler
from bot.callbacks import (
    AcceptRequest,
    AskEndReason,
    AskExtension,
    AskPauseLength,
    ChangeHeldMessage,
    CheckinCadence,
    CheckinDay,
    CheckinPlanChange,
    CheckinReachOut,
    CheckinScore,
    CheckinSkipNote,
    CheckinTime,
    ChecklistItem,
    DeclineReason,
    DeclineRequest,
    EndRelationship,
    FitAnswer,
    FitTalk,
    KeepRelationship,
    PauseFor,
    RelayFromLabel,
    RelayTo,
    SendHeldMessage,
    SurveyNoComment,
    SurveyOutcome,
    SurveyRating,
    SurveyRecommend,
)
from bot.db import Statements, single_statements, transaction
from bot.models import PendingInput, Role
from bot.notify import Edit, Notice, Reply, Response, deliver_one, on_unreachable_of, respond
from bot.offers import requests
from bot.relationships import boundary_policy, checkins, closure, fit, relay, starting
from bot.relationships.boundary_policy import SENT_ANYWAY
from bot.texts import t
from bot.tg import answers
from bot.tg.context import deps_of
from bot.tg.filters import PRIVATE
from bot.tg.guards import reply_command
from bot.tg.taps import on_tap, tapped


async def _copy(
    update: Update, context: ContextTypes.DEFAULT_TYPE, delivery: relay.Delivery, message_id: int
) -> bool:
    """Copy one message to the other side (no "forwarded from"), and remember the ids; False
    if it did not get there (its writer has been told)."""
    deps = deps_of(context)
    notice = relay.copy_notice(delivery, update.effective_chat.id, message_id)
    copied = await deliver_one(context.bot, notice, on_unreachable_of(context))
    if copied is None:  # the sender has been told
        return False
    async with single_statements(deps.sessions) as statements:
        await relay.delivered(deps, statements, delivery, message_id, copied.message_id)
    return True


Routed = relay.Delivery | Reply | relay.AlreadyRelayed | None


async def route(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    statements: Statements,
    arrival: relay.Arrival | None = None,
) -> Routed:
    """Where this message would go (``relay.route``); ``arrival``: what the caller read of
    the sender already."""
    message = update.effective_message
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    return await relay.route(
        deps_of(context),
        statements,
        update.effective_user.id,
        message.message_id,
        reply_to,
        arrival,
    )


NOT_ROUTED = object()  # the caller has not asked ``route``


async def relay_message(
    update: Update, context: ContextTypes.DEFAULT_TYPE, routed: Routed | object = NOT_ROUTED
) -> bool:
    """Relay a message if the sender is in a relationship; False if the relay doesn't apply.
    ``routed``: what ``route`` said, when the caller asked it already."""
    deps = deps_of(context)
    message = update.effective_message
    if routed is NOT_ROUTED:
        async with single_statements(deps.sessions) as statements:
            routed = await route(update, context, statements)
    outcome = routed
    if outcome is None:
        return False
    if isinstance(outcome, relay.AlreadyRelayed):
        return True
    found = boundary_policy.details_in(deps.config, message)
    if isinstance(outcome, Reply):
        # "Who is this for?": a message with contact details is not offered to be sent to
        # whoever they pick, as one sent to a known person would be (held, or blocked).
        held = boundary_policy.choosing_held_back(deps.config, found) if outcome.buttons else None
        await respond(update, context, Response(replies=[held or outcome]))
        return True
    held = boundary_policy.held_back(deps, outcome, message.message_id, found)
    if held is not None:  # contact details: its writer decides (or the policy blocks it)
        reply, counted = held
        async with single_statements(deps.sessions) as statements:
            await boundary_policy.count(statements, outcome.relationship_id, counted)
        await respond(update, context, Response(replies=[reply]))
        return True
    await _copy(update, context, outcome, message.message_id)
    return True


async def carry_edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Carry an edit over to the copy, if the message was relayed; where Telegram won't, say
    that it changed."""
    deps = deps_of(context)
    message = update.edited_message
    async with transaction(deps.sessions) as session:
        copy = await relay.copy_of(session, update.effective_user.id, message.message_id)
    if copy is None:
        return
    chat_id, target_id, recipient_id, language, from_service_user = copy
    found = boundary_policy.details_in(deps.config, None, message.text or message.caption)
    held = boundary_policy.edit_held_back(deps.config, from_service_user, found)
    if held is not None:
        await respond(update, context, Response(replies=[held]))
        return
    entities = message.entities if message.text is not None else message.caption_entities
    carried = Edit(target_id, message.text, message.caption, tuple(entities or ()))
    notice = Notice(
        chat_id,
        carried,
        recipient_id,
        sender_telegram_id=update.effective_chat.id,
        language=language,
    )
    await deliver_one(context.bot, notice, on_unreachable_of(context))


async def request_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A worker answers a request: only the worker who was asked."""
    deps = deps_of(context)
    replies, notices, toast = [Reply(t("request_stale"))], [], None
    async with transaction(deps.sessions) as session:
        worker = await people.find(session, update.effective_user.id)
        asked = worker is not None and worker.role == Role.PEER_WORKER
        match tapped(update) if asked else None:
            case AcceptRequest(relationship_id):
                replies, notices = await starting.accept(deps, session, worker, relationship_id)
            case DeclineRequest(relationship_id):
                replies, notices = await requests.decline(deps, session, worker, relationship_id)
            case DeclineReason(relationship_id, reason):
                saved = await requests.record_decline_reason(
                    deps, session, worker, relationship_id, reason
                )
                replies, toast = [], t("decline_reason_saved" if saved else "request_stale")
    await respond(
        update,
        context,
        Response(close_tapped=True, replies=replies, notices=notices, toast=toast),
    )


async def relationship_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    deps = deps_of(context)
    async with transaction(deps.sessions) as session:
        replies = await relay.overview(deps, session, update.effective_user.id)
    await respond(update, context, Response(replies=replies))


end_command = reply_command(relay.ask_end)


def _asked_about(update: Update, message_id: int) -> Message | None:
    """The message the tapped "who is this for?" quotes, as it reads now, if it is this one.
    Which message it quotes, Telegram says, not the tap's data, which a modified app could
    fill in with another message's id."""
    asked = update.callback_query.message
    quoted = asked.reply_to_message if isinstance(asked, Message) else None
    return quoted if quoted is not None and quoted.message_id == message_id else None


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The relay's and the relationship commands' buttons."""
    deps = deps_of(context)
    user_id = update.effective_user.id
    stale = Response(toast=t("request_stale"), close_tapped=True)
    match tapped(update):
        case RelayFromLabel():
            response = Response(toast=t("relay_who_toast"))
        case SendHeldMessage(relationship_id, message_id):
            async with single_statements(deps.sessions) as statements:
                delivery = await relay.route_chosen(
                    deps, statements, user_id, relationship_id, message_id, workers_only=False
                )
            if delivery is None or boundary_policy.blocked(deps.config, delivery):
                await respond(update, context, stale)
                return
            await respond(update, context, Response(close_tapped=True, chosen=t("relay_sent")))
            if await _copy(update, context, delivery, message_id):
                async with single_statements(deps.sessions) as statements:
                    await boundary_policy.count(statements, relationship_id, SENT_ANYWAY)
            return
        case FitAnswer():
            async with transaction(deps.sessions) as session:
                response = await fit.answer(deps, session, user_id, tapped(update))
        case FitTalk():
            async with transaction(deps.sessions) as session:
                response = await fit.talk(deps, session, user_id, tapped(update))
        case ChangeHeldMessage():
            response = Response(close_tapped=True, chosen=t("boundary_changing"))
        case RelayTo(relationship_id, message_id):
            quoted = _asked_about(update, message_id)
            if quoted is None:
                await respond(update, context, stale)
                return
            # Asked only of a message without contact details; edited since, it may have
            # some (the copy would carry them): then as for any such message of theirs.
            found = boundary_policy.details_in(deps.config, quoted)
            held = boundary_policy.choosing_held_back(deps.config, found)
            if held is not None:
                await respond(update, context, Response(close_tapped=True, replies=[held]))
                return
            async with single_statements(deps.sessions) as statements:
                delivery = await relay.route_chosen(
                    deps, statements, user_id, relationship_id, message_id
                )
            if delivery is None:
                await respond(update, context, stale)
                return
            await respond(update, context, Response(close_tapped=True, chosen=t("relay_sent")))
            await _copy(update, context, delivery, message_id)
            return
        case AskPauseLength(relationship_id):
            response = Response(replies=[closure.pause_choices(relationship_id)])
        case PauseFor(relationship_id, weeks):
            async with transaction(deps.sessions) as session:
                notices = await closure.pause_by_worker(
                    deps, session, user_id, relationship_id, weeks
                )
            response = stale if notices is None else Response(close_tapped=True, notices=notices)
        case AskEndReason(relationship_id):
            response = Response(close_tapped=True, replies=[relay.end_reasons(relationship_id)])
        case EndRelationship(relationship_id, reason):
            async with transaction(deps.sessions) as session:
                replies, notices = await relay.end_early(
                    deps, session, user_id, relationship_id, reason
                )
            response = Response(close_tapped=True, replies=replies, notices=notices)
        case KeepRelationship():
            response = Response(close_tapped=True, chosen=t("rematch_kept"))
    await respond(update, context, response)


async def closure_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The closing survey and the closure checklist."""
    deps = deps_of(context)
    tap = tapped(update)
    async with transaction(deps.sessions) as session:
        if isinstance(tap, ChecklistItem):
            reply = await closure.toggle_checklist(
                deps, session, update.effective_user.id, tap.relationship_id, tap.item
            )
            response = Response(edit=reply)
        else:
            reply = await closure.answer_survey(deps, session, update.effective_user.id, tap)
            response = Response(close_tapped=True, replies=[reply] if reply else [])
    if reply is None:
        response = Response(toast=t("stale_button_toast"), close_tapped=True)
    await respond(update, context, response)


checkins_command = reply_command(checkins.overview)


async def checkin_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Setting the check-in plan, and answering a check-in. Each acts only for the service
    user it belongs to."""
    deps = deps_of(context)
    tap = tapped(update)
    user_id = update.effective_user.id
    notices = []
    async with transaction(deps.sessions) as session:
        match tap:
            case CheckinPlanChange(relationship_id, change):
                reply = await checkins.change(deps, session, user_id, relationship_id, change)
            case CheckinCadence() | CheckinDay() | CheckinTime():
                reply = await checkins.choose(deps, session, user_id, tap)
            case _:
                reply, notices = await checkins.answer(deps, session, user_id, tap)
    if reply is None:
        response = Response(toast=t("stale_button_toast"), close_tapped=True)
    else:
        response = Response(close_tapped=True, replies=[reply], notices=notices)
    await respond(update, context, response)


async def checkin_note(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person, checkin_id: int, text: str
) -> None:
    deps = deps_of(context)
    found = boundary_policy.details_in(deps.config, None, text)
    held = boundary_policy.note_held_back(deps.config, found)
    async with transaction(deps.sessions) as session:
        pending = await session.get(PendingInput, person.id)
        if pending is not None:
            await session.delete(pending)
        if held is not None:  # contact details: not in a note (a message to them may be)
            reply, notices = held, []
        else:
            reply, notices = await checkins.note(deps, session, person, checkin_id, text)
    await respond(update, context, Response(replies=[reply], notices=notices))


async def checkin_note_answer(update, context, person, pending, text, screening) -> bool:
    await checkin_note(update, context, person, pending.subject_id, text)
    return True


async def survey_comment_answer(update, context, person, pending, text, screening) -> bool:
    deps = deps_of(context)
    async with transaction(deps.sessions) as session:
        fresh = await people.find(session, update.effective_user.id)
        reply = await closure.survey_comment(deps, session, fresh, pending.subject_id, text)
    await respond(update, context, Response(replies=[reply]))
    return True


async def extension_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask coordinators for more time."""
    deps = deps_of(context)
    tap: AskExtension = tapped(update)
    async with transaction(deps.sessions) as session:
        outcome = await closure.ask_extension(
            deps, session, update.effective_user.id, tap.relationship_id
        )
    if outcome is None:
        response = Response(toast=t("stale_button_toast"))
    else:
        reply, notices = outcome
        response = Response(toast=reply.text, notices=notices)
    await respond(update, context, response)


def register(application: Application) -> None:
    on_tap(application, request_button, AcceptRequest, DeclineRequest, DeclineReason)
    scheduler.register(application, scheduler.Turn.ENDINGS, closure.sweep)
    scheduler.register(application, scheduler.Turn.CHECKINS, checkins.sweep)
    answers.register(application, [checkins.NOTE], checkin_note_answer)
    answers.register(application, [closure.SURVEY_COMMENT], survey_comment_answer)
    on_tap(application, extension_button, AskExtension)
    application.add_handler(CommandHandler("checkins", checkins_command, filters=PRIVATE))
    on_tap(
        application,
        checkin_button,
        CheckinCadence,
        CheckinDay,
        CheckinTime,
        CheckinPlanChange,
        CheckinScore,
        CheckinReachOut,
        CheckinSkipNote,
    )
    on_tap(
        application,
        closure_button,
        SurveyRating,
        SurveyRecommend,
        SurveyOutcome,
        SurveyNoComment,
        ChecklistItem,
    )
    application.add_handler(CommandHandler("relationship", relationship_command, filters=PRIVATE))
    application.add_handler(CommandHandler("end", end_command, filters=PRIVATE))
    on_tap(
        application,
        button,
        RelayTo,
        RelayFromLabel,
        SendHeldMessage,
        ChangeHeldMessage,
        FitAnswer,
        FitTalk,
        AskPauseLength,
        PauseFor,
        AskEndReason,
        EndRelationship,
        KeepRelationship,
    )
