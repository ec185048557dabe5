"""A per-person limit on updates, so one person flooding the bot slows nobody else down.

In memory, on purpose: the bot runs as one process (long polling), and a restart forgiving
everyone is harmless.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta
from enum import Enum

WINDOW = timedelta(minutes=1)


class Verdict(Enum):
    ALLOW = "allow"
    WARN = "warn"  # the first update over the limit: say "slow down" once
    DROP = "drop"  # still over the limit: ignore quietly


class FloodGuard:
    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._seen: dict[int, deque[datetime]] = {}
        self._warned: dict[int, datetime] = {}
        self._checks = 0

    def check(self, key: int, now: datetime) -> Verdict:
        self._checks += 1
        if self._checks % 1000 == 0:
            self._forget_quiet(now)
        times = self._seen.setdefault(key, deque())
        while times and now - times[0] >= WINDOW:
            times.popleft()
        if len(times) < self.per_minute:
            times.append(now)
            self._warned.pop(key, None)
            return Verdict.ALLOW
        warned = self._warned.get(key)
        if warned is not None and now - warned < WINDOW:
            return Verdict.DROP
        self._warned[key] = now
        return Verdict.WARN

    def _forget_quiet(self, now: datetime) -> None:
        for key in [k for k, times in self._seen.items() if not times or now - times[-1] >= WINDOW]:
            del self._seen[key]
            self._warned.pop(key, None)
