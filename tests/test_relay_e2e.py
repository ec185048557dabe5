"""Talking through the bot: the private relay, /relationship and /end, end to end."""

from __future__ import annotations

from bot.db import observe_statements
from bot.models import Person, Relationship, RelayedMessage
from tests.conftest import COORDINATOR_ID
from tests.harness import Harness, TelegramUser
from tests.test_matching_workflow_e2e import onboard_service_user, onboard_worker
from tests.test_onboarding_e2e import _person, _rows


async def matched_pair(
    bot: Harness, worker_id: int = 5101, user_id: int = 5201, worker: TelegramUser | None = None
) -> tuple[TelegramUser, TelegramUser]:
    casey = bot.user(COORDINATOR_ID)
    worker = worker or await onboard_worker(bot, casey, worker_id, "Robin", caseload="3")
    sam = await onboard_service_user(bot, user_id)
    await casey.tap("Offer only Robin")
    await sam.tap("Choose Robin")
    await worker.tap("Accept")
    return worker, sam


async def test_a_conversation_in_both_directions_with_a_photo_a_reply_and_an_edit(
    bot: Harness,
) -> None:
    robin, sam = await matched_pair(bot)
    sam_ref = f"U{(await _person(bot, sam)).id}"

    await sam.send("Hi Robin, thanks for taking me on")
    hello = robin.last()
    assert hello.text == "Hi Robin, thanks for taking me on"
    assert hello.copied_from == (sam.id, sam.last_sent_id)  # copied: no "forwarded from"
    assert hello.button_labels == [f"From {sam_ref}"]  # the worker sees who it is from
    sam_hello_id = sam.last_sent_id

    await robin.send("Lovely to meet you! How's your week been?", reply_to=hello)
    answer = sam.last()
    assert answer.text == "Lovely to meet you! How's your week been?"
    assert answer.reply_to == sam_hello_id  # lands as a reply to Sam's own message
    assert not answer.button_labels  # the service user has one peer: no label needed

    await sam.send_photo(caption="My garden this morning", reply_to=answer)
    photo = robin.last()
    assert photo.photo and photo.text == "My garden this morning"
    assert photo.reply_to == robin.last_sent_id

    await sam.send("See you Thursdy")
    typo_id, copy = sam.last_sent_id, robin.last()
    await sam.edit(typo_id, "See you Thursday")
    assert copy.text == "See you Thursday"  # the edit is carried over

    # Nothing of what was said is stored: only ids and counts.
    (relationship,) = await _rows(bot, Relationship)
    assert (relationship.messages_from_service_user, relationship.messages_from_worker) == (3, 1)
    assert relationship.first_contact_at is not None
    stored = " ".join(repr(row) for row in await _rows(bot, RelayedMessage))
    assert "garden" not in stored and "Thursday" not in stored
    # Neither side ever sees the other's Telegram id.
    assert all(str(sam.id) not in m.text for m in bot.api.sent_to(robin.id))
    assert all(str(robin.id) not in m.text for m in bot.api.sent_to(sam.id))


async def test_a_worker_with_two_people_never_sends_to_the_wrong_one(bot: Harness) -> None:
    robin, sam = await matched_pair(bot, 5102, 5202)
    _, kim = await matched_pair(bot, user_id=5203, worker=robin)
    await sam.send("Message from Sam")
    from_sam = robin.last()
    await kim.send("Message from Kim")
    from_kim = robin.last()

    await robin.send("For Sam", reply_to=from_sam)
    assert sam.last().text == "For Sam"
    await robin.send("For Kim", reply_to=from_kim)
    assert kim.last().text == "For Kim"

    # No reply to follow: the bot asks rather than guesses.
    replies = await robin.send("Who gets this?")
    assert "who is this message for" in replies[-1].text
    assert sam.last().text == "For Sam" and kim.last().text == "For Kim"
    kim_ref = f"U{(await _person(bot, kim)).id}"
    question = replies[-1]
    (for_kim,) = [b["callback_data"] for b in question.buttons if kim_ref in b["text"]]
    (for_sam,) = [b["callback_data"] for b in question.buttons if kim_ref not in b["text"]]
    await robin.press(for_kim, question)
    assert kim.last().text == "Who gets this?"
    assert sam.last().text == "For Sam"
    # A second tap (a double tap before the buttons went, on either name) sends it no more.
    copies = len(bot.api.sent_to(kim.id))
    await robin.press(for_kim, question)
    await robin.press(for_sam, question)
    assert len(bot.api.sent_to(kim.id)) == copies
    assert sam.last().text == "For Sam"

    # Ending one of the two: the worker picks which, then confirms (reason optional).
    replies = await robin.send("/end")
    assert "Which relationship" in replies[-1].text
    await robin.tap(f"End with {kim_ref}")
    await robin.tap("isn't the right fit")
    statuses = {r.service_user_id: r.status for r in await _rows(bot, Relationship)}
    kim_id, sam_id = (await _person(bot, kim)).id, (await _person(bot, sam)).id
    assert statuses == {kim_id: "ended_early", sam_id: "active"}


async def test_messages_outside_a_relationship_get_a_kind_explanation(bot: Harness) -> None:
    casey = bot.user(COORDINATOR_ID)
    robin = await onboard_worker(bot, casey, 5103, "Robin")
    replies = await robin.send("Hello?")
    assert "nobody to message right now" in replies[-1].text
    sam = bot.user(5204)
    await sam.send("/start")
    await sam.tap("Continue")
    replies = await sam.send("is anyone there")  # mid-onboarding: re-prompted, not relayed
    assert "choose with the buttons" in replies[-1].text
    waiting = await onboard_service_user(bot, 5205)
    await casey.tap("Hold")
    replies = await waiting.send("Hi?")
    assert "hasn't gone to anyone" in replies[-1].text and "/help_now" in replies[-1].text


async def test_relationship_overview_and_ending_early(bot: Harness) -> None:
    robin, sam = await matched_pair(bot, 5104, 5206)
    replies = await sam.send("/relationship")
    assert "Robin" in replies[-1].text
    replies = await robin.send("/relationship")
    assert f"U{(await _person(bot, sam)).id}" in replies[-1].text

    replies = await sam.send("/end")
    assert "don't need to give a reason" in replies[-1].text
    await sam.tap("No, keep going")
    assert (await _rows(bot, Relationship))[0].status == "active"
    await sam.send("/end")
    replies = await sam.tap("it's done what I needed")
    closing, survey = replies[-2:]  # the same closing steps as any ending, worded for it
    assert "has ended" in closing.text and "13 11 14" in closing.text
    assert "Recovery College" in closing.text and "helpful" in survey.text
    assert "decided to end" in robin.last().text
    (relationship,) = await _rows(bot, Relationship)
    assert relationship.status == "ended_early"
    assert relationship.end_reason == "/end by service_user: done"  # the optional reason
    assert (await _person(bot, sam)).status == "ended"

    # The relay is closed both ways, kindly.
    replies = await sam.send("Are you still there?")
    assert "has ended" in replies[-1].text and "/rematch" in replies[-1].text
    replies = await robin.send("Take care")
    assert "nobody to message" in replies[-1].text
    # A new peer when they are ready.
    replies = await sam.send("/rematch")
    assert "different peer" in replies[-1].text
    await sam.tap("Yes, find me someone else")
    assert (await _person(bot, sam)).status == "waiting"


async def test_the_worker_can_end_and_a_blocked_recipient_is_handled(bot: Harness) -> None:
    robin, sam = await matched_pair(bot, 5105, 5207)
    bot.api.blocked.add(robin.id)
    replies = await sam.send("Hello")
    assert "couldn't be delivered" in replies[-1].text
    (worker_row,) = await _rows(bot, Person, telegram_id=robin.id)
    assert worker_row.reachable is False
    bot.api.blocked.clear()
    await robin.send("/end")
    await robin.tap("rather not say")
    closing = bot.api.sent_to(sam.id)[-2]
    assert "has had to end" in closing.text and "/rematch" in closing.text
    assert "place is free" in robin.last().text


async def test_messages_arrive_silently_in_a_workers_quiet_hours(bot: Harness, clock) -> None:
    from datetime import UTC, datetime

    casey = bot.user(COORDINATOR_ID)
    robin = await onboard_worker(bot, casey, 5106, "Robin", quiet_hours="21:00–07:00")
    _, sam = await matched_pair(bot, user_id=5208, worker=robin)
    clock.now = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)  # 12:00 in Brisbane
    await sam.send("Lunchtime hello")
    clock.now = datetime(2026, 3, 3, 13, 0, tzinfo=UTC)  # 23:00 in Brisbane
    await sam.send("Late-night thought")
    copies = [c for c in bot.api.methods("copyMessage") if int(c.params["chat_id"]) == robin.id]
    assert [bool(c.params.get("disable_notification")) for c in copies] == [False, True]
    assert robin.last().text == "Late-night thought"  # still delivered


async def test_a_relayed_message_costs_two_transactions_and_at_most_six_statements(
    bot: Harness, database
) -> None:
    """The work per message in the relay's steady state (issue: 6 transactions and 18
    statements before): one read decides where it goes, one write keeps the ids and counts."""
    robin, sam = await matched_pair(bot)
    await sam.send("The first message notes first contact")
    await robin.send("And the worker's first reply")
    with observe_statements(database[1]) as observed:
        for words in ("one", "two", "three"):
            await sam.send(f"Message {words}")
            await robin.send(f"Reply {words}")

    assert [sent.text for sent in robin.api.sent_to(robin.id)][-3:] == [
        "Message one",
        "Message two",
        "Message three",
    ]
    assert 0 < len(observed.statements) <= 6 * 6, observed.statements
    assert observed.transactions <= 2 * 6, observed.transactions
    # Each message's record is among them (the relay's statements go to the driver directly).
    records = [sql for sql in observed.statements if "INSERT INTO relayed_message" in sql]
    assert len(records) == 6, observed.statements
