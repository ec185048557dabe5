"""Which updates a handler takes: private chats only."""

from __future__ import annotations

from telegram.ext import filters

PRIVATE = filters.ChatType.PRIVATE
