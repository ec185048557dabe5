"""Ending well: reminders before the planned end, the checklist, closing and the survey."""

from __future__ import annotations

from datetime import timedelta

from bot.models import Feedback, Relationship
from tests.conftest import COORDINATOR_ID
from tests.harness import Harness
from tests.test_matching_workflow_e2e import run_sweep
from tests.test_onboarding_e2e import _person, _rows
from tests.test_relay_e2e import matched_pair


async def test_a_relationship_ends_well_on_its_planned_date(bot: Harness, clock) -> None:
    robin, sam = await matched_pair(bot, 5301, 5401)
    (relationship,) = await _rows(bot, Relationship)
    assert relationship.planned_end_at == relationship.started_at + timedelta(weeks=12)
    replies = await sam.send("/relationship")
    assert "planned to end" in replies[-1].text

    clock.advance(weeks=8, hours=1)  # four weeks before the end
    await run_sweep(bot)
    assert "planned to end" in sam.last().text
    checklist = robin.last()
    assert "ending checklist" in checklist.text
    assert len(checklist.buttons) == 5  # four checklist items and "Ask for more time"
    await sam.tap("Ask for more time")
    assert "asked to extend" in bot.api.sent_to(COORDINATOR_ID)[-1].text
    assert "the service user" in bot.api.sent_to(COORDINATOR_ID)[-1].text
    await robin.tap("Goals reviewed", message=checklist)
    await robin.tap("Other supports arranged", message=checklist)
    assert checklist.button_labels[0].startswith("✅") and checklist.button_labels[1].startswith(
        "✅"
    )
    await robin.tap("Other supports arranged", message=checklist)  # untick
    (relationship,) = await _rows(bot, Relationship)
    assert relationship.checklist == ["goals"]
    await run_sweep(bot)  # nothing twice
    reminders = [m for m in bot.api.sent_to(sam.id) if "gentle reminder" in m.text]
    assert len(reminders) == 1

    # Down for three weeks: only the latest reminder that is due goes out.
    clock.advance(weeks=3, days=4)
    await run_sweep(bot)
    reminders = [m for m in bot.api.sent_to(sam.id) if "gentle reminder" in m.text]
    assert len(reminders) == 2
    (relationship,) = await _rows(bot, Relationship)
    assert relationship.closure_reminders_sent == 3

    clock.advance(days=4)  # past the end date: closing runs, late but once
    await run_sweep(bot)
    await run_sweep(bot)
    closing = [m for m in bot.api.sent_to(sam.id) if "planned end" in m.text]
    assert len(closing) == 1
    assert "Recovery College" in closing[0].text and "13 11 14" in closing[0].text
    assert "chat is now closed" in robin.last().text
    (relationship,) = await _rows(bot, Relationship)
    assert relationship.status == "completed"
    assert (await _person(bot, sam)).status == "ended"

    # The survey.
    await sam.tap("4")
    replies = await sam.tap("Yes")
    assert "more hopeful" in replies[-1].text  # the outcome questions from the config
    await sam.tap("5")
    replies = await sam.tap("3")
    assert "Anything else" in replies[-1].text
    replies = await sam.send("It helped to talk to someone who got it")
    assert "Thank you" in replies[-1].text
    (feedback,) = await _rows(bot, Feedback)
    assert (feedback.rating, feedback.would_recommend) == (4, True)
    assert feedback.outcomes == {"0": 5, "1": 3}
    assert feedback.comment == "It helped to talk to someone who got it"

    # The relay is closed, and a new peer is possible after the cooldown.
    replies = await sam.send("Hello?")
    assert "has ended" in replies[-1].text
    replies = await robin.send("Bye")
    assert "nobody to message" in replies[-1].text
    replies = await sam.send("/rematch")
    await sam.tap("Yes, find me someone else")
    assert "You can ask for a new peer worker from" in sam.last().text
    assert (await _person(bot, sam)).status == "ended"
    clock.advance(weeks=2, hours=1)
    await sam.send("/rematch")
    await sam.tap("Yes, find me someone else")
    assert (await _person(bot, sam)).status == "waiting"
