"""The HTTP side: Telegram's webhook, /healthz and /metrics (Starlette, served by uvicorn).

The webhook checks Telegram's secret header first (403 and nothing stored without it),
stores the update, and only then answers 200; if the database cannot take it, 503, and
Telegram delivers it again. /healthz and /metrics read the database only when asked.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from dataclasses import dataclass

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func
from sqlmodel import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram.ext import Application

from bot import scheduler
from bot.db import transaction
from bot.deps import Deps
from bot.models import OutboxMessage, SafetyFlag
from bot.pipeline import inbox
from bot.pipeline.metrics import Metrics
from bot.pipeline.receiving import Receiver

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_TIMEOUT = 2.0
MAX_BODY = 1_000_000  # Telegram's updates are far smaller


@dataclass(frozen=True)
class Health:
    database: bool
    last_sweep_age: float | None  # seconds; None before the first sweep
    inbox_backlog: int | None
    oldest_unhandled_age: float | None
    outbox_backlog: int | None
    oldest_unacknowledged_flag_age: float | None


async def _read_health(deps: Deps) -> Health:
    now = deps.now()
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT):
            last_sweep = await scheduler.last_sweep_at(deps.sessions)  # by any process
            backlog = await inbox.backlog(deps.sessions)
            async with transaction(deps.sessions) as session:
                outbox = (
                    await session.exec(
                        select(func.count()).where(
                            OutboxMessage.sent_at.is_(None), OutboxMessage.failed.is_(False)
                        )
                    )
                ).one()
                oldest_flag = (
                    await session.exec(
                        select(SafetyFlag.raised_at)
                        .where(
                            SafetyFlag.acknowledged_at.is_(None), SafetyFlag.resolved_at.is_(None)
                        )
                        .order_by(SafetyFlag.raised_at)
                        .limit(1)
                    )
                ).first()
    except Exception as error:  # noqa: BLE001  (unhealthy, whatever the reason)
        log.warning("health check: the database did not answer (%s)", type(error).__name__)
        return Health(False, None, None, None, None, None)
    oldest = backlog.oldest_received_at
    sweep_age = (now - last_sweep).total_seconds() if last_sweep else None
    return Health(
        database=True,
        last_sweep_age=sweep_age,
        inbox_backlog=backlog.waiting,
        oldest_unhandled_age=(now - oldest).total_seconds() if oldest else 0.0,
        outbox_backlog=outbox,
        oldest_unacknowledged_flag_age=(now - oldest_flag).total_seconds() if oldest_flag else 0.0,
    )


def build_web_app(
    application: Application,
    metrics: Metrics,
    receiver: Receiver | None,
    webhook_path: str | None,
    secret_token: str,
) -> Starlette:
    deps: Deps = application.bot_data["deps"]
    sweep_every = deps.config.scheduler.sweep_every.total_seconds()
    started = deps.now()

    async def webhook(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret_token.encode()):
            return Response(status_code=403)
        body = await request.body()
        if len(body) > MAX_BODY:
            return Response(status_code=413)
        try:
            update = json.loads(body)
        except ValueError:
            return Response(status_code=400)
        if await receiver.store([update]):
            return Response(status_code=200)
        return Response(status_code=503)  # not stored: Telegram delivers it again

    async def healthz(_request: Request) -> Response:
        health = await _read_health(deps)
        problems = []
        if not health.database:
            problems.append("the database does not answer")
        running_for = (deps.now() - started).total_seconds()
        overdue = 3 * sweep_every + 30
        if (health.last_sweep_age or running_for) > overdue:
            problems.append("the scheduler's sweeps are overdue")
        if (health.oldest_unhandled_age or 0) > 300:
            problems.append("updates have waited more than 5 minutes")
        body = {"healthy": not problems, "problems": problems, **health.__dict__}
        return JSONResponse(body, status_code=503 if problems else 200)

    async def metrics_page(_request: Request) -> Response:
        health = await _read_health(deps)
        if health.database:
            metrics.inbox_backlog.set(health.inbox_backlog or 0)
            metrics.outbox_backlog.set(health.outbox_backlog or 0)
            metrics.oldest_flag_age.set(health.oldest_unacknowledged_flag_age or 0)
        if health.last_sweep_age is not None:
            metrics.last_sweep_age.set(health.last_sweep_age)
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics_page, methods=["GET"]),
    ]
    if receiver is not None and webhook_path:
        routes.append(Route(webhook_path, webhook, methods=["POST"]))
    return Starlette(routes=routes)


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: ``serve`` decides when to stop."""

    @contextlib.contextmanager
    def capture_signals(self):  # type: ignore[override]
        yield


def web_server(app: Starlette, host: str, port: int) -> _Server:
    return _Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off"))
