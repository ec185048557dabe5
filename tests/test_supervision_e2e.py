"""Supervision for peer workers, through the real Application: a coordinator records a
session (relationships discussed, a note only coordinators see, the next date); the worker
adds topics and is reminded before the date; the bot suggests topics; after an ending the
worker may write a reflection that stays theirs unless shared; the dashboard counts workers
overdue."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.models import PendingInput, Reflection, SupervisionSession, SupervisionTopic
from tests.conftest import COORDINATOR_ID
from tests.harness import Harness
from tests.test_matching_workflow_e2e import run_sweep
from tests.test_onboarding_e2e import _person, _rows
from tests.test_relay_e2e import matched_pair

NOTE = "Talked about pacing and the quiet weeks"


async def test_a_session_recorded_topics_a_reminder_and_a_reflection(bot: Harness, clock) -> None:
    robin, sam = await matched_pair(bot, 8101, 8201)
    casey = bot.user(COORDINATOR_ID, "Casey")
    worker = f"W{(await _person(bot, robin)).id}"
    sam_ref = f"U{(await _person(bot, sam)).id}"

    overview = (await casey.send("/supervision"))[-1]
    assert f"{worker} Robin: — · — · overdue" in overview.text
    assert "overdue for supervision: 1" in (await casey.send("/dashboard"))[-1].text

    # The worker adds a topic; a risk phrase from Sam makes another the bot suggests.
    mine = (await robin.send("/supervision"))[-1]
    assert "No supervision date is set yet" in mine.text
    await robin.tap("Add a topic", message=mine)
    assert "Added" in (await robin.send("Managing my own energy"))[-1].text
    await sam.send("I want to die")
    card = (await casey.send(f"/supervision {worker}"))[-1]
    assert "No session recorded yet" in card.text
    assert "Managing my own energy" in card.text
    assert "a safety flag was raised about someone they support" in card.text
    assert "want to die" not in card.text  # what was said never

    # Recording: the relationship discussed, a note, the next date.
    (picker,) = await casey.tap("Record a session", message=card)
    assert "When was the session?" in picker.text
    await casey.tap("1 day ago", message=picker)  # recorded the day after
    await casey.tap(f"({sam_ref})", message=picker)
    assert picker.button_labels[0].startswith("✅")
    await casey.tap("Done", message=picker)
    await casey.send(NOTE)
    saved = (await casey.tap("In 4 weeks"))[-1]
    assert f"Supervision with {worker} recorded" in saved.text
    (session,) = await _rows(bot, SupervisionSession)
    relationship_id = session.discussed[0]
    assert session.note == NOTE and session.next_at == clock.now + timedelta(weeks=4)
    assert session.held_at == clock.now - timedelta(days=1)
    (topic,) = await _rows(bot, SupervisionTopic)
    assert topic.covered_at is not None  # taken up at the session
    card = (await casey.send(f"/supervision {worker}"))[-1]
    assert NOTE in card.text and "Overdue" not in card.text
    assert "overdue for supervision: 0" in (await casey.send("/dashboard"))[-1].text

    # The note is the coordinators': not in the worker's view, nor their /mydata.
    assert NOTE not in (await robin.send("/supervision"))[-1].text
    replies = await robin.send("/mydata")
    data = json.loads(next(m for m in replies if m.document).document[1])
    assert NOTE not in json.dumps(data)
    assert data["supervision"]["sessions"][0]["relationships_discussed"] == [f"R{relationship_id}"]

    # A reminder two days before, once, with a way to add a topic.
    clock.advance(weeks=4, days=-1)
    await run_sweep(bot)
    (reminder,) = [m for m in bot.api.sent_to(robin.id) if "Your supervision is on" in m.text]
    assert "Add a topic" in reminder.button_labels
    await run_sweep(bot)
    assert sum("Your supervision is on" in m.text for m in bot.api.sent_to(robin.id)) == 1

    # After an ending: a reflection, theirs unless shared.
    await casey.send(f"/close R{relationship_id} moving away")
    offer = next(m for m in bot.api.sent_to(robin.id) if "Endings can be the hardest" in m.text)
    await robin.tap("Write a reflection", message=offer)
    assert "What went well?" in robin.last().text
    await robin.send("We laughed a lot")
    await robin.send("Saying goodbye")
    (reflection,) = await _rows(bot, Reflection)
    assert (reflection.went_well, reflection.hard, reflection.shared) == (
        "We laughed a lot",
        "Saying goodbye",
        False,
    )
    assert "laughed" not in (await casey.send(f"/supervision {worker}"))[-1].text
    mine = (await robin.send("/supervision"))[-1]
    assert "We laughed a lot" in mine.text
    await robin.tap(f"Share my reflection on R{relationship_id}", message=mine)
    assert "Went well: We laughed a lot" in (await casey.send(f"/supervision {worker}"))[-1].text


async def test_others_cannot_record_or_read_supervision(bot: Harness) -> None:
    robin, sam = await matched_pair(bot, 8102, 8202)
    worker_id = (await _person(bot, robin)).id
    assert "isn't available to you" in (await sam.send("/supervision"))[-1].text
    # A worker cannot open someone's card: /supervision is their own view, whatever follows.
    view = (await robin.send(f"/supervision W{worker_id}"))[-1]
    assert "Record a session" not in view.button_labels
    await robin.press(f"spv|record|{worker_id}", view)
    assert robin.toasts()[-1] == "Sorry, that isn't available to you."
    assert await _rows(bot, PendingInput) == []  # no recording started
    assert await _rows(bot, SupervisionSession) == []
