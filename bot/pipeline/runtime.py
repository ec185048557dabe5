"""``peerlink run``: start-up, receiving (long polling or the webhook), handling, the
/healthz and /metrics endpoints, and a stop that lets what is being handled finish (within
STOP_GRACE seconds) and leaves the rest stored for the next start."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

import httpx
from telegram.ext import Application

from bot import outbox, scheduler
from bot.admin.handlers import refresh_command_menus
from bot.config import Config
from bot.deps import Deps
from bot.languages import spoken_languages
from bot.pipeline import inbox
from bot.pipeline.botapi import ALLOWED_UPDATES, start_up_failures
from bot.pipeline.dispatch import Dispatcher
from bot.pipeline.emergency import SafetyFromMemory
from bot.pipeline.metrics import Metrics
from bot.pipeline.polling import Poller
from bot.pipeline.receiving import Receiver
from bot.pipeline.sending import OutboxSender
from bot.tg.ratelimit import ChatPacedRateLimiter

log = logging.getLogger("peerlink")

# A stop's budget, within the 10 s promised: what is in flight may finish in STOP_GRACE (the
# sender then gives back its claims, at most 1 s more), then the lead is handed on.
STOP_GRACE = 7.5
STEP_DOWN_WAIT = 1.0


async def _start_up(application: Application, config: Config, webhook: bool) -> None:
    """getMe, the bot's own start-up (reference data), and in webhook mode setWebhook. Any
    failure is one line."""
    with start_up_failures(config.telegram.base_url):
        await application.initialize()  # getMe
        await application.post_init(application)
        hook = config.webhook
        if webhook and hook.public_url:
            await application.bot.set_webhook(
                hook.public_url,
                secret_token=hook.secret_token or None,
                allowed_updates=ALLOWED_UPDATES,
            )


async def serve(application: Application, webhook: bool, first_batch: list) -> None:
    """Run until SIGTERM or SIGINT. ``first_batch``: polling, what ``botapi.first_look``
    fetched before the handlers loaded (webhook: empty)."""
    deps: Deps = application.bot_data["deps"]
    config = deps.config
    metrics = Metrics()
    limiter = application.bot.rate_limiter
    if isinstance(limiter, ChatPacedRateLimiter):
        limiter.on_outcome = lambda outcome: metrics.sends.labels(outcome).inc()
    scheduler.register(application, scheduler.Turn.INBOX, inbox.purge)
    safety = SafetyFromMemory(config, application.bot, spoken_languages(application.bot_data))
    dispatcher = Dispatcher(application, deps.sessions, config.pipeline, safety, deps.now, metrics)
    sender = OutboxSender(
        application.bot,
        deps,
        dispatcher.me,
        config.pipeline.lease,
        may_claim=lambda: application.bot_data.get(scheduler.LEADING, False),
    )
    application.bot_data[outbox.SENDER_WAKE] = sender.wake

    def stored(count: int) -> None:
        metrics.received.inc(count)
        dispatcher.wake.set()

    receiver = Receiver(application.bot, deps.sessions, safety, deps.now, stored)
    async with httpx.AsyncClient() as client:
        await _start_up(application, config, webhook)
        await application.start()
        if deps.sessions.kw["bind"].dialect.name == "sqlite":
            # One process only (``run`` holds the lock): claims left by a crash are ours.
            with contextlib.suppress(Exception):
                await inbox.release_all(deps.sessions)
                await outbox.release(deps.sessions)
        handling = asyncio.create_task(dispatcher.run())
        sending = asyncio.create_task(sender.run())
        polling = server = None
        if webhook or config.pipeline.health_port:
            # Starlette and uvicorn load only when something is served over HTTP.
            from bot.pipeline.web import build_web_app, web_server
        if webhook:
            app = build_web_app(
                application, metrics, receiver, config.webhook.path, config.webhook.secret_token
            )
            server = web_server(app, config.webhook.listen, config.webhook.port)
            where = f"webhook on {config.webhook.listen}:{config.webhook.port}"
        else:
            polling = asyncio.create_task(
                Poller(application.bot, client, receiver).run(first_batch)
            )
            where = "long polling"
            if config.pipeline.health_port:
                app = build_web_app(application, metrics, None, None, "")
                server = web_server(app, "127.0.0.1", config.pipeline.health_port)
        serving = None
        if server is not None:
            serving = asyncio.create_task(server.serve())
            # "running" means listening; uvicorn offers a flag for that, not an event
            while not server.started and not serving.done():  # noqa: ASYNC110
                await asyncio.sleep(0.02)
        log.info("PeerLink is running as @%s (%s)", application.bot.username, where)
        menus = asyncio.create_task(_set_command_menus(application))

        tasks = [task for task in (handling, sending, polling, serving) if task is not None]
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stopping.set)
        for task in tasks:  # a loop that ends by itself stops the bot (and says why below)
            task.add_done_callback(lambda _task: stopping.set())
        try:
            await stopping.wait()
        finally:
            log.info("PeerLink is stopping")
            if server is not None:
                server.should_exit = True  # answers what it is answering, takes nothing new
            if polling is not None:
                polling.cancel()  # what it fetched and did not store, Telegram still holds
            await asyncio.gather(dispatcher.stop(STOP_GRACE), sender.stop(STOP_GRACE))
            handling.cancel()
            sending.cancel()
            for result in await asyncio.gather(*tasks, return_exceptions=True):
                if isinstance(result, Exception):
                    log.error("a loop stopped with %s", type(result).__name__)
            menus.cancel()
            await application.stop()  # the job queue too: no tick takes the lead again
            with contextlib.suppress(Exception):
                async with asyncio.timeout(STEP_DOWN_WAIT):
                    await scheduler.step_down(deps.sessions, dispatcher.me)
            await application.shutdown()


async def _set_command_menus(application: Application) -> None:
    """The command menus (everyone's, and each coordinator's), set once the bot is receiving:
    a failure here costs people a menu until the next start, never a message."""
    try:
        await refresh_command_menus(application)
    except Exception as error:  # noqa: BLE001  (the menus are a convenience)
        log.warning("command menus not set (%s); the next start tries again", type(error).__name__)
