"""Coordinator commands and buttons. Each checks, on the server, that the sender coordinates."""

from __future__ import annotations

from telegram.ext import Application, CommandHandler

from bot import menus, people
from bot import pending as pending_questions
from bot.admin import service as admin
from bot.callbacks import (
    ApproveWorker,
    AskRejectReason,
    InviteCoordinator,
    RejectWithoutReason,
    RemoveCoordinator,
    RevokeInvite,
)
from bot.db import transaction
from bot.models import Person, Role
from bot.notify import Reply, Response, respond
from bot.roles import COORDINATOR as COORDINATOR_ROLE
from bot.texts import speaking, t
from bot.tg import answers
from bot.tg.context import deps_of
from bot.tg.filters import PRIVATE
from bot.tg.guards import Handler, coordinator_only
from bot.tg.taps import on_tap, tapped
from bot.workers import wellbeing_checkins


@coordinator_only
async def invite(deps, session, coordinator: Person, update, context) -> Response:
    note = " ".join(context.args or []) or None  # "/invite for Jo Smith"
    return Response(
        replies=[await admin.create_invite(deps, session, coordinator, Role.PEER_WORKER, note)]
    )


@coordinator_only
async def list_invites(deps, session, coordinator: Person, update, context) -> Response:
    return Response(replies=[await admin.list_invites(deps, session)])


@coordinator_only
async def pending(deps, session, coordinator: Person, update, context) -> Response:
    return Response(replies=await admin.pending_workers(deps, session))


@coordinator_only
async def coordinators(deps, session, coordinator: Person, update, context) -> Response:
    return Response(replies=[await admin.list_coordinators(deps, session, coordinator)])


@coordinator_only
async def button(deps, session, coordinator: Person, update, context) -> Response:
    match tapped(update):
        case ApproveWorker(worker_id):
            return await admin.approve(deps, session, coordinator, worker_id)
        case AskRejectReason(worker_id):
            return await admin.ask_reject_reason(deps, session, coordinator, worker_id)
        case RejectWithoutReason(worker_id):
            return await admin.reject(deps, session, coordinator, worker_id, reason=None)
        case RevokeInvite(invite_id):
            return await admin.revoke_invite(deps, session, coordinator, invite_id)
        case RemoveCoordinator(person_id):
            return await admin.remove_coordinator(deps, session, coordinator, person_id)
        case InviteCoordinator():
            reply = await admin.create_invite(deps, session, coordinator, COORDINATOR_ROLE)
            return Response(replies=[reply])


@coordinator_only
async def wellbeing_summary(deps, session, coordinator: Person, update, context) -> Response:
    return Response(replies=[await wellbeing_checkins.summary(deps, session)])


async def reject_reason_answer(update, context, person, pending, text, screening) -> bool:
    """The reason a coordinator typed for not approving a profile."""
    deps = deps_of(context)
    async with transaction(deps.sessions) as session:
        actor = await people.active_coordinator(session, update.effective_user.id)
        if actor is None:  # no longer a coordinator: drop the question
            response = Response(replies=[Reply(t("not_allowed"))])
            await pending_questions.drop_any(session, person.id)
        else:
            reason = " ".join(text.split())[:500]
            response = await admin.reject(deps, session, actor, pending.subject_id, reason)
            if not response.replies and response.toast:  # no tap to show a toast on
                response.replies = [Reply(response.toast)]
    await respond(update, context, response)
    return True


BUTTONS = (
    ApproveWorker,
    AskRejectReason,
    RejectWithoutReason,
    RevokeInvite,
    RemoveCoordinator,
    InviteCoordinator,
)

COORDINATOR_COMMANDS: dict[str, Handler] = {
    "wellbeing": wellbeing_summary,
    "invite": invite,
    "invites": list_invites,
    "pending": pending,
    "coordinators": coordinators,
}


async def refresh_command_menus(application: Application) -> None:
    """Everyone sees the public commands; coordinators also see theirs, in their own chat."""
    deps = application.bot_data["deps"]
    await menus.set_default(application.bot, deps.config.service.languages)
    async with transaction(deps.sessions) as session:
        coordinators = [
            (p.telegram_id, p.language) for p in await people.coordinator_people(session)
        ]
        # Someone taken out of the configuration while the bot was down keeps no stale menu.
        former_ids = [p.telegram_id for p in await people.former_coordinator_people(session)]
    for telegram_id, language in coordinators:
        with speaking(language):
            await menus.set_for_chat(application.bot, telegram_id, coordinator=True)
    for telegram_id in former_ids:
        await menus.set_for_chat(application.bot, telegram_id, coordinator=False)


def register(application: Application) -> None:
    for name, handler in COORDINATOR_COMMANDS.items():
        application.add_handler(CommandHandler(name, handler, filters=PRIVATE))
    on_tap(application, button, *BUTTONS)
    answers.register(application, [admin.REJECT_REASON], reject_reason_answer)
