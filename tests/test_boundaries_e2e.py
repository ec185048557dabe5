"""Contact details in the relay, through the real Application: held back with a kind word and
a choice, sent anyway if its writer says so, blocked or allowed as the service configures, in
text, captions and edits, contact cards and locations; only counts kept, shown on the card."""

from __future__ import annotations

import pytest

from bot.models import Relationship
from tests.conftest import COORDINATOR_ID, make_config
from tests.harness import Harness
from tests.test_checkins_e2e import first_checkin_asked
from tests.test_onboarding_e2e import _rows
from tests.test_relay_e2e import matched_pair


async def _relationship(bot: Harness) -> Relationship:
    (relationship,) = await _rows(bot, Relationship)
    return relationship


async def test_a_number_is_held_until_its_writer_sends_it_anyway(bot: Harness) -> None:
    robin, sam = await matched_pair(bot)
    before = len(bot.api.sent_to(robin.id))

    replies = await sam.send("my number is 0412 345 678, text me")
    (held,) = replies
    assert "haven't sent this yet" in held.text and "a phone number" in held.text
    assert held.button_labels == ["Send it as it is", "I'll change it"]
    assert len(bot.api.sent_to(robin.id)) == before  # nothing reached Robin
    assert (await _relationship(bot)).boundary_held == 1

    send_anyway = held.buttons[0]["callback_data"]
    await sam.tap("Send it as it is", message=held)
    assert robin.last().text == "my number is 0412 345 678, text me"
    assert robin.last().copied_from == (sam.id, sam.last_sent_id)
    relationship = await _relationship(bot)
    assert (relationship.boundary_sent_anyway, relationship.messages_from_service_user) == (1, 1)
    # A second tap sends nothing twice.
    await sam.press(send_anyway, held)
    assert [m.text for m in bot.api.sent_to(robin.id)].count(robin.last().text) == 1

    # The coordinators see counts, never words.
    casey = bot.user(COORDINATOR_ID)
    listing = (await casey.send("/relationships"))[-1]
    await casey.tap(f"R{relationship.id}", message=listing)
    card = bot.api.messages[listing.message_id]  # the list became the card
    assert "1 held back, 1 sent anyway, 0 blocked" in card.text
    assert "0412" not in card.text


async def test_changing_it_sends_nothing_and_the_crisis_lines_pass(bot: Harness) -> None:
    robin, sam = await matched_pair(bot)
    before = len(bot.api.sent_to(robin.id))
    (held,) = await sam.send("email me sam at gmail dot com")
    assert "an e-mail address" in held.text
    await sam.tap("I'll change it", message=held)
    assert "not sent" in held.text  # the choice, under the message
    assert len(bot.api.sent_to(robin.id)) == before
    await sam.send("Lifeline is 13 11 14, that helped last night")
    assert robin.last().text == "Lifeline is 13 11 14, that helped last night"


async def test_a_worker_is_reminded_of_the_policy(bot: Harness) -> None:
    robin, sam = await matched_pair(bot)
    (held,) = await robin.send("add me on t.me/robinpeer or @robinpeer", reply_to=None)
    assert "Remember the service's rule" in held.text
    assert "a link to another app and a username" in held.text
    assert all("robinpeer" not in m.text for m in bot.api.sent_to(sam.id))


async def test_captions_contact_cards_and_locations_are_held_too(bot: Harness) -> None:
    robin, sam = await matched_pair(bot)
    before = len(bot.api.sent_to(robin.id))
    (held,) = await sam.send_photo(caption="this is me, 12 Smith St")
    assert "a street address" in held.text
    contact = {"phone_number": "+61412345678", "first_name": "Sam"}
    (held,) = await sam.send_other(contact=contact)
    assert "a contact card" in held.text
    (held,) = await sam.send_other(location={"latitude": -27.47, "longitude": 153.02})
    assert "a location" in held.text
    assert len(bot.api.sent_to(robin.id)) == before
    assert (await _relationship(bot)).boundary_held == 3


async def test_a_forwarded_message_never_shows_whom_it_came_from(bot: Harness) -> None:
    robin, sam = await matched_pair(bot)
    origin = {
        "type": "user",
        "date": 1,
        "sender_user": {"id": 999, "is_bot": False, "first_name": "Kim"},
    }
    await sam.send_other(text="this helped me", forward_origin=origin)
    copy = robin.last()
    assert copy.text == "this helped me" and copy.copied_from == (sam.id, sam.last_sent_id)
    assert bot.api.methods("forwardMessage") == []  # copied: no "forwarded from Kim"


async def test_an_edit_that_adds_a_number_is_not_carried_over(bot: Harness) -> None:
    robin, sam = await matched_pair(bot)
    await sam.send("talk soon")
    copy = robin.last()
    await sam.edit(sam.last_sent_id, "talk soon, 0412 345 678")
    assert "Your change wasn't passed on" in sam.last().text
    assert copy.text == "talk soon"


@pytest.mark.parametrize(
    ("rule", "reaches"), [("block", False), ("allow", True)], ids=["block", "allow"]
)
async def test_the_service_chooses_block_or_allow(start_bot, database, rule, reaches) -> None:
    url, _engine = database
    config = make_config(url, relay={"boundaries": {"from_service_user": rule}})
    bot = await start_bot(config)
    robin, sam = await matched_pair(bot)
    replies = await sam.send("ring me 0412 345 678")
    assert (robin.last().text == "ring me 0412 345 678") is reaches
    if rule == "block":
        assert "couldn't send this" in replies[-1].text and not replies[-1].buttons
        assert (await _relationship(bot)).boundary_blocked == 1
    else:
        assert replies == []


async def test_a_worker_with_several_people_is_not_asked_for_whom(bot: Harness) -> None:
    """A worker who supports two people and writes a number without replying to anyone: not
    offered a tap to send it (that tap cannot see the words again); they may reply to the
    person's own message, where the usual choice is theirs."""
    robin, sam = await matched_pair(bot)
    _, kim = await matched_pair(bot, user_id=5202, worker=robin)
    before = len(bot.api.sent_to(sam.id)), len(bot.api.sent_to(kim.id))
    (held,) = await robin.send("my number is 0412 345 678")
    assert "reply to a message from the person" in held.text and not held.buttons
    assert (len(bot.api.sent_to(sam.id)), len(bot.api.sent_to(kim.id))) == before


async def test_a_forged_tap_for_whom_cannot_send_a_number_the_service_blocks(
    start_bot, database
) -> None:
    """Under ``block``, a worker's "who is this for?" tap whose data a modified app rewrote to
    name their message with a number (or with no question quoting it) sends nothing: the tap
    is taken only for the message its question quotes, which Telegram says."""
    url, _engine = database
    config = make_config(url, relay={"boundaries": {"from_peer_worker": "block"}})
    bot = await start_bot(config)
    robin, sam = await matched_pair(bot)
    _, kim = await matched_pair(bot, user_id=5202, worker=robin)
    (blocked,) = await robin.send("ring me on 0412 345 678")
    assert "does not allow" in blocked.text and "reply to" not in blocked.text
    with_number = robin.last_sent_id
    (question,) = await robin.send("How are you both?")
    clean = robin.last_sent_id
    assert question.reply_to == clean  # the question quotes the message it is about
    tap = question.buttons[0]["callback_data"]
    relationship = tap.split("|")[2]
    before = len(bot.api.sent_to(sam.id)), len(bot.api.sent_to(kim.id))

    await robin.press(f"rl|for|{relationship}|{with_number}", question)
    await robin.press(f"rl|for|{relationship}|{with_number}", blocked)  # quoting nothing
    assert (len(bot.api.sent_to(sam.id)), len(bot.api.sent_to(kim.id))) == before
    assert all("0412" not in m.text for m in bot.api.sent_to(sam.id) + bot.api.sent_to(kim.id))

    await robin.press(tap, question)  # the real tap still works
    reached = {m.text for m in bot.api.sent_to(sam.id)[-1:] + bot.api.sent_to(kim.id)[-1:]}
    assert "How are you both?" in reached


async def test_a_message_edited_to_add_a_number_before_its_tap_for_whom_is_held(
    bot: Harness,
) -> None:
    robin, sam = await matched_pair(bot)
    _, kim = await matched_pair(bot, user_id=5202, worker=robin)
    (question,) = await robin.send("How are you both?")
    await robin.edit(robin.last_sent_id, "How are you both? Ring me on 0412 345 678")
    before = len(bot.api.sent_to(sam.id)), len(bot.api.sent_to(kim.id))
    replies = await robin.tap(question.button_labels[0], message=question)
    assert "reply to a message from the person" in replies[-1].text
    assert (len(bot.api.sent_to(sam.id)), len(bot.api.sent_to(kim.id))) == before
    assert not bot.api.messages[question.message_id].buttons  # the question is closed


async def test_a_check_in_note_with_a_number_is_not_passed_on(bot: Harness, clock) -> None:
    robin, sam = await matched_pair(bot)
    await first_checkin_asked(bot, clock, sam)
    await sam.tap("2")
    await sam.tap("Yes please")
    (held,) = await sam.send("call me on 0412 345 678 tonight")
    assert "haven't passed your note on" in held.text and "a phone number" in held.text
    assert all("0412" not in m.text for m in bot.api.sent_to(robin.id))
