"""/privacy, /mydata, /consent, /delete and their buttons."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler, ContextTypes

from bot import scheduler
from bot.callbacks import ConfirmDelete, ConsentTap
from bot.db import transaction
from bot.notify import Reply, Response, respond
from bot.privacy import mydata, retention, service
from bot.texts import t
from bot.tg.context import deps_of
from bot.tg.filters import PRIVATE
from bot.tg.guards import reply_command
from bot.tg.taps import on_tap, tapped


async def privacy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    reply = service.privacy_text(deps_of(context))
    await respond(update, context, Response(replies=[reply]))


async def mydata_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    deps = deps_of(context)
    async with transaction(deps.sessions) as session:
        content = await mydata.document(deps, session, update.effective_user.id)
    if content is None:
        await respond(update, context, Response(replies=[Reply(t("mydata_nothing"))]))
        return
    await context.bot.send_document(
        update.effective_chat.id,
        document=content,
        filename=mydata.FILENAME,
        caption=t("mydata_caption"),
        parse_mode=ParseMode.HTML,
    )


consent_command = reply_command(service.consent_home)
delete_command = reply_command(service.ask_delete)


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    deps = deps_of(context)
    tap = tapped(update)
    telegram_id = update.effective_user.id
    async with transaction(deps.sessions) as session:
        if isinstance(tap, ConfirmDelete):
            response = await service.delete_button(deps, session, telegram_id, tap)
        else:
            response = await service.consent_button(deps, session, telegram_id, tap)
    await respond(update, context, response)


def register(application: Application) -> None:
    scheduler.register(application, scheduler.Turn.RETENTION, retention.sweep)
    application.add_handler(CommandHandler("privacy", privacy, filters=PRIVATE))
    application.add_handler(CommandHandler("mydata", mydata_command, filters=PRIVATE))
    application.add_handler(CommandHandler("consent", consent_command, filters=PRIVATE))
    application.add_handler(CommandHandler("delete", delete_command, filters=PRIVATE))
    on_tap(application, button, ConsentTap, ConfirmDelete)
