"""Peer-worker buttons: editing the profile, taking new matches or not."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, ContextTypes

from bot import people, scheduler
from bot.callbacks import (
    EditWorkerProfile,
    TakeNewMatches,
    WellbeingScore,
    WellbeingTalk,
    WorkerWellbeingChecks,
)
from bot.db import transaction
from bot.lifecycle import PeerWorkerStatus
from bot.models import Role
from bot.notify import Response, respond
from bot.texts import t
from bot.tg.context import deps_of
from bot.tg.taps import on_tap, tapped
from bot.workers import service as workers
from bot.workers import wellbeing_checkins


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


def register(application: Application) -> None:
    scheduler.register(application, scheduler.Turn.WORKER_WELLBEING, wellbeing_checkins.sweep)
    on_tap(application, button, EditWorkerProfile, TakeNewMatches, WorkerWellbeingChecks)
    on_tap(application, wellbeing_button, WellbeingScore, WellbeingTalk)
