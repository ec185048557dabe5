"""Handlers everyone uses: /start, /help, /help_now, /profile, /cancel, text, errors."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import callbacks, crisis, languages, menus, people
from bot.admin import service as admin
from bot.callbacks import ChooseLanguage, FormTap, ShowLanguages
from bot.common import language_choice
from bot.db import single_statements, transaction
from bot.deps import Deps
from bot.flood import FloodGuard, Verdict
from bot.forms import runner
from bot.languages import spoken_languages
from bot.lifecycle import ONBOARDED, PeerWorkerStatus, ServiceUserStatus
from bot.models import Person, Role
from bot.notify import Reply, Response, respond, send
from bot.onboarding import service as onboarding
from bot.relationships import handlers as relationship_handlers
from bot.relationships import relay
from bot.safety import plan as safety_plan
from bot.safety import screening as safety_screening
from bot.texts import current_language, t, use_language
from bot.tg import answers, handling
from bot.tg.context import deps_of
from bot.tg.errors import error_handler
from bot.tg.filters import PRIVATE
from bot.tg.taps import on_tap, tapped
from bot.workers import invites
from bot.workers import service as workers

log = logging.getLogger(__name__)


async def _home(deps: Deps, session, person: Person, is_coordinator: bool) -> list[Reply]:
    """Where /start takes someone, given who they are and how far they got."""
    if person.role == Role.PEER_WORKER:
        if person.status == PeerWorkerStatus.ONBOARDING:
            return await workers.resume(deps, session, person)
        if person.status == PeerWorkerStatus.APPROVED:
            return [await workers.profile_home(deps, session, person)]
        return [Reply(t(f"pw_start_{person.status}"))]
    if person.role == Role.SERVICE_USER:
        if person.status == ServiceUserStatus.ONBOARDING:
            return await onboarding.resume(deps, session, person)
        if person.status == ServiceUserStatus.WAITING:
            return [Reply(t("su_start_waiting"))]
        if person.status in ONBOARDED:
            return [Reply(t("su_start_status"))]
    if is_coordinator:
        return [Reply(t("coord_home", service=deps.config.service.name))]
    return await onboarding.begin(deps, session, person)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    deps = deps_of(context)
    code = context.args[0] if context.args else None
    async with transaction(deps.sessions) as session:
        newcomer = await people.find(session, update.effective_user.id) is None
        person = await people.find_or_create(session, update.effective_user.id, deps.now())
        response = None
        if code is not None and not invites.looks_like_code(code):
            response = Response(replies=[Reply(t("invite_invalid"))])
        elif code is not None:
            response = await admin.accept_invite(deps, session, person, code)
        is_coordinator = await people.is_coordinator(session, person.id)
        if response is None:  # no invite, or nothing it could change: where they are
            response = Response(replies=await _home(deps, session, person, is_coordinator))
            # Coordinators get their menu when they first open the bot.
            response.menus = {person.telegram_id: True} if is_coordinator else {}
        if newcomer and len(deps.config.service.languages) > 1:
            # Greeted in their Telegram app's language; offered every other before anything.
            response.replies.insert(0, language_choice.picker(deps.config, person.language))
    await respond(update, context, response)


async def language_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await respond(update, context, Response(replies=[_language_picker(context)]))


def _language_picker(context: ContextTypes.DEFAULT_TYPE) -> Reply:
    return language_choice.picker(deps_of(context).config, current_language())


async def language_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    deps = deps_of(context)
    tap = tapped(update)
    if isinstance(tap, ShowLanguages):
        await respond(update, context, Response(replies=[_language_picker(context)]))
        return
    async with transaction(deps.sessions) as session:
        person = await people.find(session, update.effective_user.id)
        coordinator = await people.is_coordinator(session, person.id if person else None)
        response = await language_choice.choose(deps, session, update.effective_user.id, tap.code)
    await respond(update, context, response)
    if tap.code in deps.config.service.languages:
        spoken_languages(context.bot_data).note(update.effective_user.id, tap.code, deps.now())
        await menus.set_chosen_language(context.bot, update.effective_user.id, coordinator)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    deps = deps_of(context)
    async with transaction(deps.sessions) as session:
        person = await people.find(session, update.effective_user.id)
        is_coordinator = await people.is_coordinator(session, person.id if person else None)
    sections = [t("help_intro", service=deps.config.service.name)]
    if person and person.role == Role.PEER_WORKER:
        sections.append(t("help_peer_worker"))
    else:
        sections.append(t("help_service_user"))
    if is_coordinator:
        sections.append(t("help_coordinator"))
    sections.append(t("help_footer"))
    await send(context.bot, update.effective_chat.id, Reply("\n\n".join(sections)))


async def help_now(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    current = handling.current()
    if current is not None and current.crisis_lines_sent:
        return  # answered from memory already (the database was slow or away)
    if current is not None:
        current.crisis_lines_sent = True  # taken before sending: nothing else sends them now
    deps = deps_of(context)
    own = await safety_plan.first_aid_quickly(deps, update.effective_user.id)
    try:
        await send(context.bot, update.effective_chat.id, crisis.help_now(deps.config, own))
    except TelegramError:
        if current is not None:
            current.crisis_lines_sent = False  # they did not go: memory may still send them
            current.crisis_lines_failed = True
        raise


async def profile(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    deps = deps_of(context)
    async with transaction(deps.sessions) as session:
        person = await people.find(session, update.effective_user.id)
        if person is None or person.role is None:
            reply = Reply(t("profile_none"))
        elif person.role == Role.SERVICE_USER and person.status in ONBOARDED:
            reply = await onboarding.open_profile(deps, session, person)
        elif person.role == Role.PEER_WORKER and person.status in (
            PeerWorkerStatus.APPROVED,
            PeerWorkerStatus.PENDING_APPROVAL,
        ):
            reply = await workers.profile_home(deps, session, person)
        elif person.status == ServiceUserStatus.ONBOARDING:
            reply = Reply(t("profile_finish_first"))
        else:
            reply = Reply(t("profile_none"))
        replies = [reply]
        if person is not None and len(deps.config.service.languages) > 1:
            replies.append(language_choice.language_line(person))
    await respond(update, context, Response(replies=replies))


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    deps = deps_of(context)
    async with transaction(deps.sessions) as session:
        person = await people.find(session, update.effective_user.id)
        draft = await runner.load(session, person.id) if person else None
        pending = await admin.pending_input(session, person) if person else None
        if pending is not None:
            await session.delete(pending)
            reply = Reply(t("coord_input_cancelled"))
        elif draft is None:
            reply = Reply(t("nothing_to_cancel"))
        elif person.role == Role.PEER_WORKER:
            reply = await workers.cancel(deps, session, person)
        else:
            reply = await onboarding.cancel(deps, session, person)
    await respond(update, context, Response(replies=[reply]))


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Free text: an answer we asked for (a check-in note, a coordinator's reason), an answer
    in a form, a message for the other side of a relationship, or a gentle pointer."""
    deps = deps_of(context)
    telegram_id = update.effective_user.id
    text = update.effective_message.text or ""
    # One read decides where the text goes; for the relay, it also finds the recipient.
    async with single_statements(deps.sessions) as statements:
        arrival = await relay.arrival(statements, telegram_id, update.effective_message.message_id)
        visit = arrival.visit
        routed = relationship_handlers.NOT_ROUTED
        if visit.sender is not None and visit.pending_kind is None and not visit.in_a_form:
            routed = await relationship_handlers.route(update, context, statements, arrival)
    # Risk first: the crisis lines come before anything else we say.
    screening = await safety_screening.screen(update, context, text, visit.pending_kind)
    answer = answers.handler_for(context, visit.pending_kind)
    if answer is not None:
        async with transaction(deps.sessions) as session:
            questioned = await people.questioned(session, telegram_id)
        if questioned is not None and await answer(update, context, *questioned, text, screening):
            await safety_screening.after_delivery(context, screening)  # e.g. a check-in note
            return
    response = None
    if visit.in_a_form or visit.pending_kind is not None:  # (a lapsed question: for a form)
        response = await runner.on_text(deps, telegram_id, text, update.update_id)
    if response is None:
        if await relationship_handlers.relay_message(update, context, routed):
            await safety_screening.after_delivery(context, screening)
            return
        response = Response(replies=[Reply(t("fallback_text"))])
    await respond(update, context, response)


async def edited_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edit: screened like any message, and carried over to the copy if it was relayed."""
    message = update.edited_message
    screening = await safety_screening.screen(
        update, context, message.text or message.caption, source="edit", edit_of=message.message_id
    )
    await relationship_handlers.carry_edit(update, context)
    await safety_screening.after_delivery(context, screening)


async def other_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A photo, sticker, voice note… where nothing expects one."""
    deps = deps_of(context)
    screening = await safety_screening.screen(update, context, update.effective_message.caption)
    async with transaction(deps.sessions) as session:
        person = await people.find(session, update.effective_user.id)
        current = await runner.current_screen(deps, session, person.id) if person else None
    if current is None and await relationship_handlers.relay_message(update, context):
        await safety_screening.after_delivery(context, screening)
        return
    replies = [Reply(t("form_use_buttons")), current] if current else [Reply(t("fallback_media"))]
    await respond(update, context, Response(replies=replies))


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await send(context.bot, update.effective_chat.id, Reply(t("unknown_command")))


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button nobody handles any more (an old message, an older version of the bot)."""
    await respond(update, context, Response(toast=t("stale_button_toast"), close_tapped=True))


async def form_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    deps = deps_of(context)
    response = await runner.on_button(
        deps, update.effective_user.id, tapped(update), update.update_id
    )
    await respond(update, context, response)


PUBLIC_COMMANDS = ("start", *menus.PUBLIC)


async def before_every_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every handler (group -1): someone over the flood limit is told to slow
    down once and then ignored for the minute; everyone else carries on, and we note that
    we heard from them (they can be reached; they have come back)."""
    if update.effective_user is None:
        return
    deps = deps_of(context)
    user = update.effective_user
    spoken = spoken_languages(context.bot_data)
    # Until the database says otherwise (below).
    use_language(languages.of_sender(deps.config, spoken, user.id, user.language_code))
    guard: FloodGuard = context.bot_data.setdefault(
        "flood", FloodGuard(deps.config.flood.updates_per_minute)
    )
    current = handling.current()
    message = update.effective_message
    written = (message.text or message.caption) if message else None
    words = (written or "").split()  # (a message of spaces alone has no first word)
    if current is not None and (current.attempt > 0 or current.from_backlog):
        # Counted at its first try; and a backlog after an outage is no flood of theirs.
        verdict = Verdict.ALLOW
    elif words and words[0].split("@")[0] == "/help_now":
        verdict = Verdict.ALLOW  # however fast they write, the crisis lines always answer
    else:
        verdict = guard.check(update.effective_user.id, deps.now())
    if verdict is not Verdict.ALLOW:
        log.info("update %s dropped by the flood limit", update.update_id)
        await safety_screening.screen(update, context, written, source="flooded")
        if update.callback_query is not None:
            with contextlib.suppress(TelegramError):
                await update.callback_query.answer(t("flood_slow_down"))
        elif verdict is Verdict.WARN and PRIVATE.check_update(update):  # groups: silence
            with contextlib.suppress(TelegramError):
                await send(context.bot, update.effective_chat.id, Reply(t("flood_slow_down")))
        raise ApplicationHandlerStop
    query = update.callback_query
    if query is not None and callbacks.decode(query.data) is None:
        # Not from any button we make today: refused here, so no handler ever sees data the
        # codec did not accept. A button from an older version also loses its keyboard.
        if callbacks.retired(query.data):
            await respond(
                update, context, Response(toast=t("stale_button_toast"), close_tapped=True)
            )
        else:
            with contextlib.suppress(TelegramError):
                await query.answer(t("stale_button_toast"))
        raise ApplicationHandlerStop
    seen: people.SeenRecently = context.bot_data.setdefault("seen", people.SeenRecently())
    now = deps.now()
    language = spoken.fresh(user.id, now)
    if language is None or not seen.recently(user.id, now):
        async with transaction(deps.sessions) as session:
            known = await people.mark_seen(session, user.id, now)
        if known is not None:
            seen.note(user.id, now)
            language = known.language
            spoken.note(user.id, language, now)
    if language is not None:
        use_language(languages.usable(deps.config, language))
    if written and filters.COMMAND.check_update(update):
        # Words after a command ("/help I want to die") reach no text handler: screen here.
        await safety_screening.screen(update, context, written, source="command")


def register(application: Application) -> None:
    application.add_handler(TypeHandler(Update, before_every_update), group=-1)
    # First, before any command: an edited "/extend …" must not extend a second time.
    application.add_handler(
        MessageHandler(PRIVATE & filters.UpdateType.EDITED_MESSAGE, edited_message)
    )
    application.add_handler(CommandHandler("start", start, filters=PRIVATE))
    application.add_handler(CommandHandler("help", help_command, filters=PRIVATE))
    application.add_handler(CommandHandler("help_now", help_now, filters=PRIVATE))
    application.add_handler(CommandHandler("profile", profile, filters=PRIVATE))
    application.add_handler(CommandHandler("cancel", cancel, filters=PRIVATE))
    application.add_handler(CommandHandler("language", language_command, filters=PRIVATE))
    on_tap(application, form_button, FormTap)
    on_tap(application, language_button, ChooseLanguage, ShowLanguages)


def register_fallbacks(application: Application) -> None:
    """Registered last, after every capability's handlers."""
    application.add_handler(MessageHandler(PRIVATE & filters.COMMAND, unknown_command))
    application.add_handler(MessageHandler(PRIVATE & filters.TEXT, text_message))
    application.add_handler(
        MessageHandler(PRIVATE & ~filters.TEXT & ~filters.StatusUpdate.ALL, other_message)
    )
    application.add_handler(CallbackQueryHandler(stale_button))
    application.add_error_handler(error_handler)
