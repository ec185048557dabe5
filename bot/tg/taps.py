"""Button taps reach the handler registered for their action class (``bot.callbacks``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from bot import callbacks
from bot.callbacks import Action

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


class Taps:
    """A handler's pattern: callback data that decodes to one of these action classes."""

    def __init__(self, classes: tuple[type[Action], ...]) -> None:
        self.classes = classes

    def __call__(self, data: object) -> bool:
        return isinstance(data, str) and isinstance(callbacks.decode(data), self.classes)


def on_tap(application: Application, handler: Handler, *classes: type[Action]) -> None:
    """Send taps on buttons carrying any of ``classes`` to ``handler``, which reads the
    action with ``tapped``."""
    application.add_handler(CallbackQueryHandler(handler, pattern=Taps(classes)))


def tapped(update: Update) -> Action:
    """The action of the tap being handled (its handler's pattern has already decoded it)."""
    action = callbacks.decode(update.callback_query.data)
    if action is None:  # only a handler registered with on_tap may ask
        raise ValueError("tapped() called for callback data no action decodes")
    return action
