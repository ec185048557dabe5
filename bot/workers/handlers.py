"""Peer-worker buttons: editing the profile, taking new matches or not."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from bot import people, scheduler
from bot.callbacks import (
    EditWorkerProfile,
    SupervisionTap,
    TakeNewMatches,
    WellbeingScore,
    WellbeingTalk,
    WorkerWellbeingChecks,
)
from bot.db import transaction
from bot.lifecycle import PeerWorkerStatus
from bot.models import PendingInput, Role
from bot.notify import Reply, Response, respond
from bot.texts import t
from bot.tg import answers
from bot.tg.context import deps_of
from bot.tg.filters import PRIVATE
from bot.tg.taps import on_tap, tapped
from bot.workers import service as workers
from bot.workers import supervision, wellbeing_checkins


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A worker's profile home; acted on only for the worker who taps it."""
    deps = deps_of(context)
    action = tapped(update)
    async with transaction(deps.sessions) as session:
        person = await people.find(session, update.effective_user.id)
        allowed = person is not None and person.role == Role.PEER_WORKER
        if not allowed or person.status not in (
            PeerWorkerStatus.APPROVED,
            PeerWorkerStatus.PENDING_APPROVAL,
        ):
            action = None
        match action:
            case EditWorkerProfile():
                response = Response(
                    close_tapped=True, replies=[await workers.open_edit(deps, session, person)]
                )
            case WorkerWellbeingChecks(switch):
                await wellbeing_checkins.set_enabled(deps, session, person, switch == "on")
                home = await workers.profile_home(deps, session, person)
                response = Response(toast=t(f"wellbeing_turned_{switch}"), edit=home)
            case TakeNewMatches(switch) if person.status == PeerWorkerStatus.APPROVED:
                reply, notices = await workers.set_taking_new_matches(
                    deps, session, person, switch == "on"
                )
                home = await workers.profile_home(deps, session, person)
                response = Response(toast=reply.text, edit=home, notices=notices)
            case _:
                response = Response(toast=t("stale_button_toast"), close_tapped=True)
    await respond(update, context, response)


async def wellbeing_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A worker's own check-in: only the worker it was sent to."""
    deps = deps_of(context)
    action = tapped(update)
    async with transaction(deps.sessions) as session:
        outcome = await wellbeing_checkins.answer(deps, session, update.effective_user.id, action)
    if outcome is None:
        response = Response(toast=t("stale_button_toast"))
    else:
        reply, notices = outcome
        talk = isinstance(action, WellbeingTalk)
        response = Response(toast=reply.text, notices=notices, close_tapped=talk)
    await respond(update, context, response)


async def supervision_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Coordinators: a worker's supervision (``/supervision W7``), or who is due; a peer
    worker: their own next session, topics and reflections."""
    deps = deps_of(context)
    async with transaction(deps.sessions) as session:
        person = await people.find(session, update.effective_user.id)
        if await people.is_coordinator(session, person.id if person else None):
            worker_id = _worker_id(context.args)
            if worker_id is None:
                reply = await supervision.overview(deps, session)
            else:
                reply = await supervision.card(deps, session, worker_id)
        elif person is not None and person.role == Role.PEER_WORKER:
            reply = await supervision.for_worker(deps, session, person)
        else:
            reply = Reply(t("not_allowed"))
    await respond(update, context, Response(replies=[reply]))


def _worker_id(args: list[str] | None) -> int | None:
    """'W7' or '7'."""
    if not args:
        return None
    ref = args[0].upper().removeprefix("W")
    return int(ref) if ref.isdigit() and len(ref) < 10 else None


_COORDINATOR_VERBS = ("record", "when", "toggle", "done", "skip", "next")


async def supervision_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    deps = deps_of(context)
    tap = tapped(update)
    async with transaction(deps.sessions) as session:
        person = await people.find(session, update.effective_user.id)
        if tap.verb in _COORDINATOR_VERBS:
            coordinator = await people.active_coordinator(session, update.effective_user.id)
            if coordinator is None:
                response = Response(toast=t("not_allowed"))
            else:
                response = await supervision.record(deps, session, coordinator, tap)
        elif person is not None and person.role == Role.PEER_WORKER:
            response = await supervision.worker_tap(deps, session, person, tap)
        else:
            response = Response(toast=t("stale_button_toast"), close_tapped=True)
    await respond(update, context, response)


async def supervision_answer(update, context, person, pending, text, screening) -> bool:
    """A coordinator's note on a session; a worker's topic or reflection."""
    deps = deps_of(context)
    async with transaction(deps.sessions) as session:
        asked = await session.get(PendingInput, person.id)
        if asked is None or asked.kind != pending.kind:
            return False
        if deps.now() - asked.created_at > supervision.ANSWER_WITHIN:
            await session.delete(asked)  # they moved on: their words are for someone else
            return False
        if asked.kind == supervision.RECORDING:
            if asked.payload.get("step") != "note":
                return False  # choosing relationships: a button, not words
            reply = await supervision.note_written(deps, session, person, asked, text)
        else:
            reply = await supervision.worker_text(deps, session, person, asked, text)
    await respond(update, context, Response(replies=[reply]))
    return True


def register(application: Application) -> None:
    scheduler.register(application, scheduler.Turn.WORKER_WELLBEING, wellbeing_checkins.sweep)
    on_tap(application, button, EditWorkerProfile, TakeNewMatches, WorkerWellbeingChecks)
    on_tap(application, wellbeing_button, WellbeingScore, WellbeingTalk)
    application.add_handler(CommandHandler("supervision", supervision_command, filters=PRIVATE))
    on_tap(application, supervision_button, SupervisionTap)
    answers.register(application, supervision.PENDING_KINDS, supervision_answer)
