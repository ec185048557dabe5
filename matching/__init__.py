"""The pure matching domain: no database, no Telegram, no I/O.

``rank`` proposes the best workers for one service user, with plain-language reasons;
``assign`` pairs a whole waitlist optimally within every worker's capacity.
"""

from matching.availability import CELL_MINUTES, cells, monday_of, overlap_minutes
from matching.engine import CONSTRAINT_ORDER, OfferPool, assign, rank
from matching.model import (
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
)

__all__ = [
    "CELL_MINUTES",
    "CONSTRAINT_ORDER",
    "Assignment",
    "Availability",
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
    "monday_of",
    "overlap_minutes",
    "rank",
]
