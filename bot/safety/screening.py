"""Screening what service users write, for the handlers that receive it, and the free-text
answers the safety net asked for. Kept apart from ``handlers`` so that the common text
handler can use it without importing the coordinator commands."""

from __future__ import annotations

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import people
from bot.db import transaction
from bot.models import PendingInput
from bot.notify import Reply, Response, deliver, on_unreachable_of, respond
from bot.safety import service as safety
from bot.texts import t
from bot.tg import handling
from bot.tg.context import deps_of


async def screen(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    text: str | None,
    pending_kind: str | None = None,
    source: str | None = None,
    edit_of: int | None = None,
) -> safety.Screening | None:
    """Check what a service user wrote; on a risk phrase send them the crisis lines and every
    coordinator a flag, now. The caller delivers ``worker_notices`` after the message.
    ``edit_of``: the text is their edit of this message of theirs."""
    deps = deps_of(context)
    if not safety.might_be_at_risk(deps.config, text):
        return None
    current = handling.current()
    async with transaction(deps.sessions) as session:
        screening = await safety.screen(
            deps,
            session,
            update.effective_user.id,
            text,
            pending_kind,
            source,
            crisis_lines_sent=current is not None and current.crisis_lines_sent,
            edit_of=edit_of,
        )
    if current is not None:
        current.screened = True
    if screening is None:
        return None
    replies = screening.replies
    if replies and current is not None:
        if current.crisis_lines_sent:  # from memory while this transaction was slow
            replies = []
        current.crisis_lines_sent = True  # taken before sending: nothing else sends them now
    failure = None
    try:
        await respond(update, context, Response(replies=replies))
    except TelegramError as error:
        failure = error
        if replies and current is not None:
            current.crisis_lines_sent = False  # they did not go: memory may still send them
            current.crisis_lines_failed = True
    # The coordinators hear of it whatever happened to the reply.
    await deliver(context.bot, screening.notices, on_unreachable_of(context))
    if failure is not None:
        raise failure
    return screening


async def after_delivery(
    context: ContextTypes.DEFAULT_TYPE, screening: safety.Screening | None
) -> None:
    if screening is not None and screening.worker_notices:
        await deliver(context.bot, screening.worker_notices, on_unreachable_of(context))


async def pending_text(
    update: Update, context: ContextTypes.DEFAULT_TYPE, pending: PendingInput, text: str
) -> bool:
    """Free text we asked for: a coordinator's resolution note, a worker's concern, or what
    a reporter adds. False when the question has lapsed and the text is for someone else."""
    deps = deps_of(context)
    async with transaction(deps.sessions) as session:
        person = await people.find(session, update.effective_user.id)
        current = await session.get(PendingInput, person.id)
        if current is not None and safety.answer_expired(current, deps.now()):
            await session.delete(current)
            return False
        if current is None or current.kind != pending.kind:
            response = Response(replies=[Reply(t("request_stale"))])
        elif pending.kind == safety.REPORT_NOTE:
            response = await safety.add_report_note(deps, session, person, pending.subject_id, text)
        else:
            await session.delete(current)
            if pending.kind == safety.CONCERN:
                response = await safety.raise_concern(
                    deps, session, person, pending.subject_id, text
                )
            else:
                coordinator = await people.active_coordinator(session, update.effective_user.id)
                response = (
                    await safety.resolve(deps, session, coordinator, pending.subject_id, text)
                    if coordinator is not None
                    else Response(replies=[Reply(t("not_allowed"))])
                )
    await respond(update, context, response)
    return True
