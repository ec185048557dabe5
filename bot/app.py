"""The composition root: configuration -> database -> Application with every capability."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import Application, ApplicationBuilder
from telegram.request import BaseRequest

from bot import notify, outbox, people, scheduler
from bot.admin import handlers as admin_handlers
from bot.admin import service as admin
from bot.clock import Clock, system_clock
from bot.common import handlers as common_handlers
from bot.config import Config
from bot.console import handlers as console_handlers
from bot.db import KEPT_MOST, create_engine, session_factory, transaction
from bot.deps import Deps
from bot.evaluation import handlers as evaluation_handlers
from bot.notify import Notice
from bot.offers import handlers as offer_handlers
from bot.onboarding import service as _onboarding  # noqa: F401  (registers its form)
from bot.privacy import handlers as privacy_handlers
from bot.relationships import admin_handlers as relationship_admin_handlers
from bot.relationships import handlers as relationship_handlers
from bot.safety import handlers as safety_handlers
from bot.texts import use_language
from bot.tg.ratelimit import ChatPacedRateLimiter
from bot.workers import handlers as worker_handlers
from bot.workers import service as _workers  # noqa: F401  (registers its form)

log = logging.getLogger(__name__)


def build_application(
    config: Config,
    *,
    engine: AsyncEngine | None = None,
    request: BaseRequest | None = None,
    clock: Clock = system_clock,
    rate_limited: bool = True,
) -> Application:
    """Build the bot. Tests pass their own engine, a fake Bot API ``request`` and a clock; a
    benchmark measuring the bot's own work may turn the rate limiter off.

    There is no python-telegram-bot updater: it acknowledges updates to Telegram before they
    are handled. ``peerlink run`` receives them through bot/pipeline/ instead, which stores
    each update before acknowledging it."""
    # Handlers hold a connection only for the length of a transaction, and most of a chat's
    # time goes to Telegram's round trips: up to 16 connections, and a few more for the rest
    # (receiving, the sweeps, /healthz) and for those the relay keeps between its statements
    # (db.KEPT_MOST), so that several processes stay within PostgreSQL's default 100.
    engine = engine or create_engine(
        config.database.url,
        pool_size=min(config.pipeline.concurrency, 16),
        max_overflow=8 + KEPT_MOST,
        **_timeouts(config.database.url),
    )
    # Whatever is said outside the handling of an update (a bootstrap coordinator's first
    # row, a line in the log) is in the service's default language; each update and each
    # notice is said in its own person's (bot.texts.speaking).
    use_language(config.service.language)
    deps = Deps(config=config, sessions=session_factory(engine), clock=clock)
    builder = (
        ApplicationBuilder()
        .token(config.telegram.token)
        .base_url(config.telegram.base_url)
        .post_init(_post_init)
        .updater(None)
    )
    if rate_limited:
        limiter = ChatPacedRateLimiter(
            config.telegram.bulk_messages_per_second, config.telegram.rate_limiter_max_retries
        )
        builder = builder.rate_limiter(limiter)
    if config.telegram.base_url.endswith("/bot"):
        builder = builder.base_file_url(config.telegram.base_url.removesuffix("/bot") + "/file/bot")
    if request is not None:
        builder = builder.request(request)
    application = builder.build()
    application.bot_data["deps"] = deps
    application.bot_data["engine"] = engine

    async def on_unreachable(notice: Notice) -> None:  # Telegram says they cannot be reached
        seen: people.SeenRecently | None = application.bot_data.get("seen")
        if seen is not None:
            seen.forget(notice.telegram_id)
        if notice.person_id is not None:
            async with transaction(deps.sessions) as session:
                await outbox.person_unreachable(deps, session, notice.person_id)

    application.bot_data[notify.ON_UNREACHABLE] = on_unreachable

    common_handlers.register(application)
    admin_handlers.register(application)
    worker_handlers.register(application)
    offer_handlers.register(application)
    relationship_handlers.register(application)
    relationship_admin_handlers.register(application)
    console_handlers.register(application)
    evaluation_handlers.register(application)
    safety_handlers.register(application)
    privacy_handlers.register(application)
    common_handlers.register_fallbacks(application)
    scheduler.register(application, scheduler.Turn.OUTBOX, outbox.purge)
    scheduler.start(application, config.scheduler.sweep_every)
    return application


def _timeouts(url: str) -> dict:
    """A database that stops answering fails a statement in seconds, instead of holding a
    handler (and its chat) for ever: the pipeline then tries again and, meanwhile, answers
    risk phrases from memory. (SQLite waits up to 10 s for another process's lock, with the
    loop free: bot/sqlite_on_loop.py.)"""
    if url.startswith("postgresql"):
        return {"connect_args": {"timeout": 5, "command_timeout": 15}}
    return {}


async def _post_init(application: Application) -> None:
    """What handling needs before the first update: the configured reference data in the
    database. (The command menus are Telegram's to show: ``peerlink run`` sets them once it
    is receiving, so that their round trips never delay anyone's first message.)"""
    deps: Deps = application.bot_data["deps"]
    deps.bot_username = application.bot.username
    async with transaction(deps.sessions) as session:
        await admin.sync_reference_data(deps, session)
