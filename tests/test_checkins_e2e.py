"""Check-ins: choosing a rhythm, answering, the missed ladder, downtime, first contact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.models import Checkin, CheckinPlan, Relationship
from tests.conftest import COORDINATOR_ID, make_config
from tests.harness import Harness, TelegramUser
from tests.test_matching_workflow_e2e import run_sweep
from tests.test_onboarding_e2e import _rows
from tests.test_relay_e2e import matched_pair


async def first_checkin_asked(bot: Harness, clock, user: TelegramUser) -> None:
    """A newly matched service user chooses weekly check-ins, Tuesdays at 6 pm (Brisbane),
    and the first is asked: the clock starts Monday 2 March 2026, so Tuesday 08:00 UTC."""
    await user.tap("Weekly")
    await user.tap("Tue")
    await user.tap("6:00\u202fpm")
    clock.now = datetime(2026, 3, 3, 8, 1, tzinfo=UTC)
    await run_sweep(bot)


def _texts(bot: Harness, chat_id: int) -> list[str]:
    return [m.text for m in bot.api.sent_to(chat_id)]


async def test_checkins_answered_low_reach_out_and_a_note(bot: Harness, clock) -> None:
    robin, sam = await matched_pair(bot, 5501, 5601)
    await sam.tap("Weekly")
    await sam.tap("Tue")
    replies = await sam.tap("6:00\u202fpm")
    assert "Weekly, Tue at 6:00\u202fpm" in replies[-1].text
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
    await sam.tap("6:00\u202fpm")
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
    await sam.tap("6:00\u202fpm")
    replies = await sam.send("/checkins")
    assert "Weekly, Tue at 6:00\u202fpm" in replies[-1].text
    replies = await sam.send("/relationship")
    assert "next check-in Tue 3 Mar, 6:00\u202fpm" in replies[-1].text
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


async def test_a_cadence_of_minutes_repeats_every_few_minutes_from_the_start(
    start_bot, database, clock
) -> None:
    """The training sandbox: a "2m" cadence is every two minutes, not silently weekly. It asks
    for no day or time; the first comes one cadence after the relationship started."""
    url, _engine = database
    checkins = {"cadences": {"weekly": "7d", "quick": "2m"}, "answer_within": "2m"}
    bot = await start_bot(make_config(url, checkins=checkins))
    robin, sam = await matched_pair(bot, 5504, 5604)
    await sam.send("Hi Robin")
    replies = await sam.tap("quick")
    assert "quick, every 2 min" in replies[-1].text
    assert not any("Which day" in reply.text for reply in replies)
    (relationship,) = await _rows(bot, Relationship)
    start = relationship.started_at
    (plan,) = await _rows(bot, CheckinPlan)
    assert plan.next_due_at == start + timedelta(minutes=2)

    for n in (1, 2, 3):
        clock.now = start + timedelta(minutes=2 * n, seconds=10)
        await run_sweep(bot)
        await sam.tap(str(2 + n))  # answered each time
    assert sum("quick check-in" in text for text in _texts(bot, sam.id)) == 3
    checkins = await _rows(bot, Checkin)
    assert [c.due_at for c in checkins] == [start + timedelta(minutes=2 * n) for n in (1, 2, 3)]
    assert [c.score for c in checkins] == [3, 4, 5]

    # Paused, then resumed later: it picks up the next two-minute mark from the start.
    await sam.send("/checkins")
    await sam.tap("Pause check-ins")
    clock.now = start + timedelta(minutes=15)
    await run_sweep(bot)
    assert len(await _rows(bot, Checkin)) == 3
    await sam.send("/checkins")
    await sam.tap("Resume check-ins")
    (plan,) = await _rows(bot, CheckinPlan)
    assert plan.next_due_at == start + timedelta(minutes=16)
    replies = await sam.send("/checkins")
    assert "quick, every 2 min" in replies[-1].text


async def test_the_missed_ladder_steps_set_to_one_count_all_happen_and_0_is_off(
    start_bot, database, clock
) -> None:
    url, _engine = database
    checkins = {
        "cadences": {"hourly": "1h"},
        "answer_within": "10m",
        "nudge_after_missed": 0,  # off
        "tell_worker_after_missed": 1,
        "tell_coordinator_after_missed": 1,  # the same step as the worker
    }
    bot = await start_bot(make_config(url, checkins=checkins))
    robin, sam = await matched_pair(bot, 5505, 5605)
    await sam.send("Hi Robin")
    replies = await sam.tap("hourly")
    assert "hourly, every 1 h" in replies[-1].text
    (relationship,) = await _rows(bot, Relationship)

    clock.now = relationship.started_at + timedelta(hours=1, minutes=1)
    await run_sweep(bot)
    assert "quick check-in" in sam.last().text
    clock.now += timedelta(minutes=15)  # past answer_within: missed
    await run_sweep(bot)

    assert [c.status for c in await _rows(bot, Checkin)] == ["missed"]
    assert sum("hasn't answered" in text for text in _texts(bot, robin.id)) == 1
    assert sum("hasn't answered" in text for text in _texts(bot, COORDINATOR_ID)) == 1
    assert not any("gentle nudge" in text for text in _texts(bot, sam.id))
