"""Coordinators pause, resume, extend and close relationships (each with a reason, audited)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.models import AuditLog, Checkin, Exclusion, Relationship
from tests.conftest import COORDINATOR_ID
from tests.harness import Harness
from tests.test_matching_workflow_e2e import run_sweep
from tests.test_onboarding_e2e import _person, _rows
from tests.test_relay_e2e import matched_pair


async def test_pause_resume_extend_and_close(bot: Harness, clock) -> None:
    robin, sam = await matched_pair(bot, 5901, 5951)
    await sam.send("Hi")
    await sam.tap("Weekly")
    await sam.tap("Tue")
    await sam.tap("6:00\u202fpm")
    casey = bot.user(COORDINATOR_ID)
    (relationship,) = await _rows(bot, Relationship)
    ref = f"R{relationship.id}"
    planned = relationship.planned_end_at

    replies = await casey.send("/relationships")
    assert ref in replies[-1].text and "active" in replies[-1].text
    replies = await casey.send(f"/pause {ref} soon")
    assert "Usage" in replies[-1].text
    replies = await casey.send(f"/pause {ref} 2w hospital stay")
    assert "Done" in replies[-1].text
    assert "paused for now" in sam.last().text and "paused" in robin.last().text
    replies = await sam.send("Are you there?")
    assert "paused at the moment" in replies[-1].text  # never silence

    clock.now = datetime(2026, 3, 3, 8, 1, tzinfo=UTC)  # a check-in would be due: not sent
    await run_sweep(bot)
    assert await _rows(bot, Checkin) == []

    clock.now = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)  # two weeks paused
    await casey.send(f"/resume {ref} back home and ready")
    (relationship,) = await _rows(bot, Relationship)
    assert relationship.status == "active"
    assert relationship.planned_end_at - planned == timedelta(days=14)  # moved by the pause
    assert "back on" in sam.last().text

    await casey.send(f"/extend {ref} 4w agreed at review")
    (relationship,) = await _rows(bot, Relationship)
    assert relationship.planned_end_at - planned == timedelta(days=42)
    assert "extended" in sam.last().text

    await casey.send(f"/close {ref} worker leaving the service")
    (relationship,) = await _rows(bot, Relationship)
    assert relationship.status == "ended_early"
    assert "has ended" in bot.api.sent_to(sam.id)[-2].text  # closing message, then the survey
    assert "helpful" in sam.last().text
    assert "closed by a coordinator" in robin.last().text
    assert (await _person(bot, sam)).status == "ended"
    assert [e.reason for e in await _rows(bot, Exclusion)] == ["closed"]
    actions = {row.action: row.reason for row in await _rows(bot, AuditLog)}
    assert actions["relationship.paused"] == "hospital stay"
    assert actions["relationship.extended"] == "agreed at review"
    assert actions["relationship.ended_early"] == "worker leaving the service"
    replies = await casey.send(f"/resume {ref} oops")
    assert "Usage" in replies[-1].text


async def test_a_worker_can_pause_and_coordinators_review_it(bot: Harness, clock) -> None:
    robin, sam = await matched_pair(bot, 5902, 5952)
    casey = bot.user(COORDINATOR_ID)
    replies = await robin.send("/relationship")
    await robin.tap("Pause with", message=replies[-1])
    await robin.tap("2 weeks")
    (relationship,) = await _rows(bot, Relationship)
    assert relationship.status == "paused"
    assert "paused for now" in sam.last().text
    assert "A peer worker paused" in casey.last().text
    clock.advance(weeks=2, hours=1)
    await run_sweep(bot)
    assert "time to review it" in casey.last().text
    await run_sweep(bot)
    assert sum("time to review" in m.text for m in bot.api.sent_to(COORDINATOR_ID)) == 1
    replies = await sam.send("/relationship")
    assert "not in an active" in replies[-1].text
