"""Which updates a handler takes: private chats only, and buttons we could have made."""

from __future__ import annotations

import re

from telegram.ext import filters

PRIVATE = filters.ChatType.PRIVATE

_NUMBER = re.compile(r"\d+")
LARGEST_ID = 2**31 - 1  # every id in our buttons is a database id or a message id


def well_formed_callback(data: str | None) -> bool:
    """Buttons we make carry short ASCII data whose numbers fit the database's integers."""
    if not data or not data.isascii() or len(data.encode()) > 64:
        return False
    return all(int(number) <= LARGEST_ID for number in _NUMBER.findall(data))
