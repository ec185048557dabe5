"""``/export`` for coordinators: one pseudonymised zip, sent as a document and audited."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.evaluation import dataset
from bot.evaluation import export as evaluation
from bot.evaluation.pseudonyms import key_is_usable
from bot.models import Person
from bot.notify import Reply, Response
from bot.texts import t, tn
from bot.tg.context import deps_of
from bot.tg.filters import PRIVATE
from bot.tg.guards import coordinator_only


async def export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    cohorts: list[dataset.Cohort] = []

    @coordinator_only
    async def gather(deps, session, coordinator: Person, update, context) -> Response:
        if not key_is_usable(deps.config):
            return Response(replies=[Reply(t("export_no_key"))])
        cohort = await dataset.collect(session)
        await evaluation.record(
            session, deps.now(), coordinator.id, len(cohort.service_users), "/export"
        )
        cohorts.append(cohort)
        return Response()

    # The database work is one short transaction; the files are built after it, off the
    # event loop, and sent once it has committed.
    await gather(update, context)
    if not cohorts:
        return
    deps = deps_of(context)
    now = deps.now()
    built = await asyncio.to_thread(evaluation.build, cohorts[0], deps.config, now)
    archive = await asyncio.to_thread(evaluation.to_zip, built, now)
    await context.bot.send_document(
        update.effective_chat.id,
        document=archive,
        filename=evaluation.zip_name(deps.config, now),
        caption=tn(
            "export_caption",
            built.people,
            service=deps.config.service.name,
            inside=t("export_inside"),
        ),
        parse_mode=ParseMode.HTML,
    )


def register(application: Application) -> None:
    application.add_handler(CommandHandler("export", export, filters=PRIVATE))
