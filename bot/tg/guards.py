"""Handlers around a service call, run in one transaction and answered through ``notify``:
coordinator commands and buttons check, on the server, that the sender coordinates; a
command anyone may send is answered with the one reply its service gives."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import ContextTypes

from bot import people
from bot.db import transaction
from bot.deps import Deps
from bot.notify import AfterCommit, Reply, Response, respond
from bot.texts import t
from bot.tg.context import deps_of

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]
CoordinatorAction = Callable[..., Awaitable[Response]]
# (deps, session, the sender's Telegram id) -> what to say back
Answer = Callable[[Deps, AsyncSession, int], Awaitable[Reply]]


def coordinator_only(action: CoordinatorAction) -> Handler:
    """Run ``action(deps, session, coordinator, update, context)`` for coordinators only. An
    action that answers ``AfterCommit`` has its step run once the transaction is over."""

    @functools.wraps(action)
    async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        deps = deps_of(context)
        async with transaction(deps.sessions) as session:
            coordinator = await people.active_coordinator(session, update.effective_user.id)
            if coordinator is None:
                response = Response(replies=[Reply(t("not_allowed"))])
                if update.callback_query is not None:
                    response = Response(toast=t("not_allowed"))
            else:
                response = await action(deps, session, coordinator, update, context)
        if isinstance(response, AfterCommit):
            response = await response.step()
        await respond(update, context, response)

    return handler


def reply_command(answer: Answer) -> Handler:
    """A command anyone may send, answered with the reply ``answer(deps, session,
    telegram_id)`` gives for the sender."""

    async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        deps = deps_of(context)
        async with transaction(deps.sessions) as session:
            reply = await answer(deps, session, update.effective_user.id)
        await respond(update, context, Response(replies=[reply]))

    return handler
