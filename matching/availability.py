"""Weekly availability in UTC over a reference week, as a grid of 15-minute cells.

Each person's slots are local times in their own IANA zone. To compare two people they are
placed on the calendar week that starts on ``week_start`` (a Monday), converted to UTC with
``zoneinfo`` — so a week after a daylight-saving change uses the new offsets — and marked on
a grid of 672 quarter-hours that wraps around the week.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

from matching.model import Availability, WeeklySlot
from matching.weeks import monday_of

CELL_MINUTES = 15
CELLS_PER_WEEK = 7 * 24 * 60 // CELL_MINUTES


def _utc_minutes(zone: ZoneInfo, day: date, minute: int, week_origin: datetime) -> int:
    local = datetime.combine(day, time()) + timedelta(minutes=minute)
    # fold=0: in a repeated local hour, take the first; a skipped hour maps forward.
    instant = local.replace(tzinfo=zone).astimezone(UTC)
    return int((instant - week_origin).total_seconds() // 60)


@lru_cache(maxsize=4096)
def _slot_cells(timezone: str, week_start: date, slot: WeeklySlot) -> np.ndarray:
    """The quarter-hour cells of one local slot in one week (cached: populations share a
    handful of zones and grid slots, and the conversion is the slow part)."""
    zone = ZoneInfo(timezone)
    monday = monday_of(week_start)
    origin = datetime.combine(monday, time(), tzinfo=UTC)
    day = monday + timedelta(days=slot.weekday)
    start = _utc_minutes(zone, day, slot.start_minute, origin)
    end = _utc_minutes(zone, day, slot.end_minute, origin)
    first = -(-start // CELL_MINUTES)  # only whole quarter-hours count
    last = end // CELL_MINUTES
    indices = np.arange(first, last) % CELLS_PER_WEEK if last > first else np.zeros(0, int)
    indices.setflags(write=False)
    return indices


def cells(availability: Availability, week_start: date) -> np.ndarray:
    """A boolean vector of the week's quarter-hours (UTC, from Monday 00:00) this person is free."""
    grid = np.zeros(CELLS_PER_WEEK, dtype=bool)
    for slot in availability.slots:
        grid[_slot_cells(availability.timezone, week_start, slot)] = True
    return grid


def overlap_minutes(a: Availability, b: Availability, week_start: date) -> int:
    return int(np.count_nonzero(cells(a, week_start) & cells(b, week_start))) * CELL_MINUTES


def common_slots(
    availability: Availability, offer_cells: np.ndarray, week_start: date
) -> list[WeeklySlot]:
    """The person's own slots (in their local time) that overlap the other's at all."""
    return [
        slot
        for slot in availability.slots
        if offer_cells[_slot_cells(availability.timezone, week_start, slot)].any()
    ]
