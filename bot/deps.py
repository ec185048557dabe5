"""What every service needs, built once by the composition root (``app.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.clock import Clock, system_clock
from bot.config import Config
from bot.db import SessionFactory


@dataclass
class Deps:
    config: Config
    sessions: SessionFactory
    clock: Clock = system_clock
    bot_username: str = field(default="")

    def now(self) -> datetime:
        return self.clock()
