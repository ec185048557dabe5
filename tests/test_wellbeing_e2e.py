"""Peer workers' own weekly check-in: answered, a request to talk, and the aggregate view."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.models import WorkerCheckin
from tests.conftest import COORDINATOR_ID
from tests.harness import Harness
from tests.test_matching_workflow_e2e import onboard_worker, run_sweep
from tests.test_onboarding_e2e import _person, _rows


async def test_worker_weekly_checkin_is_private_but_counted(bot: Harness, clock) -> None:
    casey = bot.user(COORDINATOR_ID)
    robin = await onboard_worker(bot, casey, 6001, "Robin")
    await run_sweep(bot)  # schedules the first one: Friday 15:00 in Brisbane
    clock.now = datetime(2026, 3, 6, 5, 1, tzinfo=UTC)
    await run_sweep(bot)
    question = robin.last()
    assert "weekly check-in" in question.text and "0 of up to 2" in question.text
    await run_sweep(bot)
    assert sum("weekly check-in" in m.text for m in bot.api.sent_to(robin.id)) == 1

    await robin.tap("2", message=question)
    await robin.tap("talk with a coordinator", message=question)
    worker_ref = f"W{(await _person(bot, robin)).id}"
    assert f"{worker_ref} would like to talk" in casey.last().text
    (checkin,) = await _rows(bot, WorkerCheckin)
    assert (checkin.score, checkin.wants_contact) == (2, True)

    replies = await casey.send("/wellbeing")
    summary = replies[-1].text
    assert "answered: 1" in summary and "average: 2.0/5" in summary
    assert worker_ref in summary and "Robin" not in summary

    # A worker can turn it off.
    await robin.send("/profile")
    await robin.tap("Turn off my weekly check-in")
    clock.now = datetime(2026, 3, 13, 5, 1, tzinfo=UTC)
    await run_sweep(bot)
    assert sum("weekly check-in" in m.text for m in bot.api.sent_to(robin.id)) == 1
    stranger = bot.user(6099)
    replies = await stranger.send("/wellbeing")
    assert replies[-1].text == "Sorry, that isn't available to you."
