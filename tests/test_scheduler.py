"""Each capability registers its sweep; the scheduler runs them in one order, safety first."""

from __future__ import annotations

import pytest

from bot import outbox, scheduler
from bot.offers import service as offers
from bot.privacy import retention
from bot.relationships import checkins, closure
from bot.safety import service as safety
from bot.workers import wellbeing_checkins
from tests.harness import Harness


def test_every_sweep_is_registered_once_in_its_turn(bot: Harness) -> None:
    assert scheduler.sweepers(bot.application) == [
        safety.sweep,  # escalation never waits behind anything else
        offers.sweep,
        closure.sweep,
        checkins.sweep,
        wellbeing_checkins.sweep,
        retention.sweep,
        outbox.purge,
    ]


def test_a_turn_cannot_have_two_sweeps(bot: Harness) -> None:
    with pytest.raises(RuntimeError, match="two sweeps"):
        scheduler.register(bot.application, scheduler.Turn.SAFETY, offers.sweep)
