"""Check-ins: choosing a rhythm, answering, the missed ladder, downtime, first contact."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.models import Checkin, CheckinPlan
from tests.conftest import COORDINATOR_ID
from tests.harness import Harness
from tests.test_matching_workflow_e2e import run_sweep
from tests.test_onboarding_e2e import _rows
from tests.test_relay_e2e import matched_pair


def _texts(bot: Harness, chat_id: int) -> list[str]:
    return [m.text for m in bot.api.sent_to(chat_id)]


async def test_checkins_answered_low_reach_out_and_a_note(bot: Harness, clock) -> None:
    robin, sam = await matched_pair(bot, 5501, 5601)
    await sam.tap("Weekly")
    await sam.tap("Tue")
    replies = await sam.tap("18:00")
    assert "Weekly, Tue at 18:00" in replies[-1].text
    (plan,) = await _rows(bot, CheckinPlan)
    # Tuesday 18:00 in Brisbane (UTC+10) is 08:00 UTC; the clock starts Monday 2 March 2026.
    assert plan.next_due_at == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)

    clock.now = datetime(2026, 3, 3, 8, 1, tzinfo=UTC)
    await run_sweep(bot)
    assert "quick check-in" in sam.last().text
    await run_sweep(bot)  # never twice
    assert sum("quick check-in" in text for text in _texts(bot, sam.id)) == 1

    await sam.tap("2")
    assert "checked in with 2/5" in robin.last().text
    await sam.tap("Yes please")
    assert "would like you to reach out" in robin.last().text
    await sam.send("Feeling a bit flat this week")
    assert "Feeling a bit flat this week" in robin.last().text
    assert "Thank you for checking in" in sam.last().text
    (checkin,) = await _rows(bot, Checkin)
    assert (checkin.status, checkin.score, checkin.reach_out, checkin.had_note) == (
        "answered",
        2,
        True,
        True,
    )
    assert "flat" not in repr(checkin)  # the note went to the worker; it is not kept
    # The next message is a normal one again, relayed to the worker.
    await sam.send("Thanks Robin")
    assert robin.last().text == "Thanks Robin"


async def test_missed_checkins_climb_the_ladder_and_downtime_skips(bot: Harness, clock) -> None:
    robin, sam = await matched_pair(bot, 5502, 5602)
    await sam.send("Hi Robin")  # first contact made, so no first-contact nudges here
    await sam.tap("Weekly")
    await sam.tap("Tue")
    await sam.tap("18:00")
    for week in range(3):
        clock.now = datetime(2026, 3, 3 + 7 * week, 8, 1, tzinfo=UTC)
        await run_sweep(bot)
        clock.now = datetime(2026, 3, 5 + 7 * week, 9, 0, tzinfo=UTC)  # past answer_within
        await run_sweep(bot)
    assert sum("gentle nudge" in text for text in _texts(bot, sam.id)) == 1
    assert sum("hasn't answered their last 2" in text for text in _texts(bot, robin.id)) == 1
    assert any("hasn't answered 3 check-ins" in text for text in _texts(bot, COORDINATOR_ID))
    assert not any("crisis" in text.lower() for text in _texts(bot, robin.id))
    statuses = [c.status for c in await _rows(bot, Checkin)]
    assert statuses == ["missed", "missed", "missed"]

    # The bot is down across a check-in: more than the grace late, it is skipped, not sent.
    sent_before = len(_texts(bot, sam.id))
    clock.now = datetime(2026, 3, 24, 20, 0, tzinfo=UTC)  # due 08:00 UTC; 12 h late
    await run_sweep(bot)
    assert len(_texts(bot, sam.id)) == sent_before
    assert [c.status for c in await _rows(bot, Checkin)][-1] == "skipped"


async def test_pausing_checkins_and_the_first_contact_nudge(bot: Harness, clock) -> None:
    robin, sam = await matched_pair(bot, 5503, 5603)
    await sam.tap("Weekly")
    await sam.tap("Tue")
    await sam.tap("18:00")
    replies = await sam.send("/checkins")
    assert "Weekly, Tue at 18:00" in replies[-1].text
    replies = await sam.send("/relationship")
    assert "next check-in Tue 03 Mar 18:00" in replies[-1].text
    await sam.tap("Pause check-ins")
    clock.now = datetime(2026, 3, 3, 8, 1, tzinfo=UTC)
    await run_sweep(bot)
    assert not any("quick check-in" in text for text in _texts(bot, sam.id))

    clock.now = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)  # three days and more: no contact yet
    await run_sweep(bot)
    assert "haven't been in touch" in robin.last().text
    await run_sweep(bot)
    assert sum("haven't been in touch" in t for t in _texts(bot, robin.id)) == 1
    clock.now = datetime(2026, 3, 8, 10, 0, tzinfo=UTC)
    await run_sweep(bot)
    assert "haven't been in touch since" in bot.api.sent_to(COORDINATOR_ID)[-1].text
