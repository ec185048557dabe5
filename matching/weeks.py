"""The reference week that availability is compared on (no NumPy: cheap to import)."""

from __future__ import annotations

from datetime import date, timedelta


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())
