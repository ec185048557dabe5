"""The pure matching domain: no database, no Telegram, no I/O.

``rank`` proposes the best workers for one service user, with plain-language reasons;
``assign`` pairs a whole waitlist optimally within every worker's capacity; ``solve_waitlist``
does that and explains each pair, as one call that can run in another process.

The engine and the availability grid need NumPy and SciPy, which take a while and tens of
megabytes to load: they load when one of their names is first used, not when the bot starts.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from matching.model import (
    OWN_CHOICES,
    Assignment,
    Availability,
    Candidate,
    Constraint,
    Need,
    Offer,
    Preference,
    Ranking,
    Reason,
    WeeklySlot,
    Weight,
    Weights,
    every_place_open,
)
from matching.weeks import monday_of

if TYPE_CHECKING:
    from matching.availability import CELL_MINUTES, cells, common_slots, overlap_minutes
    from matching.engine import (
        CONSTRAINT_ORDER,
        Batch,
        OfferPool,
        assign,
        rank,
        solve_waitlist,
        solve_waitlist_rows,
    )

_LOADED_ON_USE = {
    "CELL_MINUTES": "matching.availability",
    "cells": "matching.availability",
    "common_slots": "matching.availability",
    "overlap_minutes": "matching.availability",
    "CONSTRAINT_ORDER": "matching.engine",
    "Batch": "matching.engine",
    "OfferPool": "matching.engine",
    "assign": "matching.engine",
    "rank": "matching.engine",
    "solve_waitlist": "matching.engine",
    "solve_waitlist_rows": "matching.engine",
}


def __getattr__(name: str) -> Any:
    module = _LOADED_ON_USE.get(name)
    if module is None:
        raise AttributeError(f"module 'matching' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "CELL_MINUTES",
    "CONSTRAINT_ORDER",
    "OWN_CHOICES",
    "Assignment",
    "Availability",
    "Batch",
    "Candidate",
    "Constraint",
    "Need",
    "Offer",
    "OfferPool",
    "Preference",
    "Ranking",
    "Reason",
    "WeeklySlot",
    "Weight",
    "Weights",
    "assign",
    "cells",
    "common_slots",
    "every_place_open",
    "monday_of",
    "overlap_minutes",
    "rank",
    "solve_waitlist",
    "solve_waitlist_rows",
]
