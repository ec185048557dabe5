"""How updates reach the handlers: stored first, then handled, chat by chat.

    Telegram ──getUpdates / webhook──▶ receiving ──▶ inbox (database) ──▶ dispatch ──▶ handlers

``receiving`` stores each batch before Telegram is told it arrived (polling advances its
offset only after the insert; a webhook answers 200 only after it); ``dispatch`` claims one
chat's oldest unhandled update at a time, hands it to the Application, and marks it handled
once handling has finished. ``emergency`` answers risk phrases and /help_now from memory
while the database cannot be reached.
"""
