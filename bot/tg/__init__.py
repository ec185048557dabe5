"""The Telegram edge kit: what every capability's handlers use to meet python-telegram-bot
(the dependencies in the context, chat filters, the coordinator guard, the error handler).
It imports only the core, so capabilities depend downward on it."""
