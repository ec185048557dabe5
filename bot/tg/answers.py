"""Free text we asked someone for (a check-in note, a reason, a concern), by kind.

Each capability registers the kinds of question it asks and the handler for their answers;
the text router only looks the kind up. A handler returns False when the question has lapsed
and the text should be treated as if nothing had been asked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes

from bot.models import PendingInput, Person

# (update, context, person, the question, the text, the risk screening already done)
AnswerHandler = Callable[
    [Update, ContextTypes.DEFAULT_TYPE, Person, PendingInput, str, Any], Awaitable[bool]
]
_KEY = "answer_handlers"


def register(application: Application, kinds: Iterable[str], handler: AnswerHandler) -> None:
    handlers: dict[str, AnswerHandler] = application.bot_data.setdefault(_KEY, {})
    for kind in kinds:
        if kind in handlers:
            raise RuntimeError(f"two handlers for the answer kind {kind!r}")
        handlers[kind] = handler


def handler_for(context: ContextTypes.DEFAULT_TYPE, kind: str | None) -> AnswerHandler | None:
    return context.bot_data.get(_KEY, {}).get(kind) if kind else None
