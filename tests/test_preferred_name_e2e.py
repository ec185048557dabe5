"""What a service user's peer worker may call them, end to end: asked in onboarding, shown to
their peer worker (and to coordinators only if they agree), editable in /profile, in /mydata,
gone with /delete."""

from __future__ import annotations

import json

from bot.models import OutboxMessage, Person, ServiceUserProfile
from tests.conftest import COORDINATOR_ID
from tests.harness import Harness, TelegramUser
from tests.test_matching_workflow_e2e import onboard_service_user, onboard_worker
from tests.test_onboarding_e2e import _person, _rows, complete_onboarding
from tests.test_privacy_e2e import _add, _answer_a_checkin, _everything, _my_data

NAME = "Zephyrine"  # distinctive: easy to look for anywhere it must not be


async def _profile(bot: Harness, user: TelegramUser) -> ServiceUserProfile:
    (profile,) = await _rows(bot, ServiceUserProfile, person_id=(await _person(bot, user)).id)
    return profile


def _said_to(bot: Harness, user: TelegramUser) -> str:
    """Everything the bot ever sent or edited in this person's chat, buttons included."""
    return "\n".join(
        str(call.params) for call in bot.api.calls if call.params.get("chat_id") == user.id
    )


async def _card(bot: Harness, coordinator: TelegramUser, person_id: int) -> str:
    """The console card of a person, opened in place of the coordinator's last message."""
    message = coordinator.last()
    await coordinator.press(f"cn|p|{person_id}|", message=message)
    return bot.api.messages[message.message_id].text


async def _to_the_name_question(user: TelegramUser) -> None:
    await user.send("/start")
    for label in ("Continue", "I understand", "Yes, that's OK", "Yes, that's OK", "Yes, you may"):
        await user.tap(label)


async def _matched(
    bot: Harness, worker: TelegramUser, user_id: int, name: str | None, **kwargs
) -> TelegramUser:
    """A service user who told us ``name``, offered ``worker`` by the coordinator, chose them,
    and was accepted. Returns the service user; the request card is the worker's last message
    before Accept."""
    casey = bot.user(COORDINATOR_ID)
    user = await onboard_service_user(bot, user_id, name=name, **kwargs)
    await casey.tap("Offer only Robin")
    await user.tap("Choose Robin")
    await worker.tap("Accept")
    return user


async def test_the_name_is_asked_after_the_consents_and_can_be_skipped(bot: Harness) -> None:
    sam = bot.user(8001)
    await _to_the_name_question(sam)
    question = sam.last()
    assert "What would you like your peer worker to call you?" in question.text
    assert "Up to 40 characters" in question.text
    assert "Skip" in question.button_labels
    replies = await sam.tap("Skip")
    assert "Which fits you best" in replies[-1].text  # straight on: no visibility question
    replies = await sam.tap("Back")  # and back again, to change their mind
    assert "What would you like your peer worker to call you?" in replies[-1].text

    kim = bot.user(8002)
    await complete_onboarding(kim)  # skips the name
    assert "No name — your peer worker sees only a reference number" in kim.last().text
    await kim.tap("confirm")
    profile = await _profile(bot, kim)
    assert profile.preferred_name is None and profile.name_visible_to_coordinators is False


async def test_a_name_is_trimmed_and_checked_with_a_kind_reply(bot: Harness) -> None:
    sam = bot.user(8003)
    await _to_the_name_question(sam)
    replies = await sam.send("Sam\nSmith")
    assert "Just the name on one line is plenty" in replies[-1].text
    assert "What would you like your peer worker to call you?" in replies[-1].text  # again
    replies = await sam.send("x" * 41)
    assert "a little long (41 characters)" in replies[-1].text
    assert "40 or fewer" in replies[-1].text
    assert "What would you like your peer worker to call you?" in replies[-1].text
    replies = await sam.send("   ")
    assert "looks empty" in replies[-1].text
    replies = await sam.send(f"  {NAME}  ")
    assert "May the peer support coordinators see this name too?" in replies[-1].text
    assert replies[-1].button_labels[:2] == [
        "No — only my peer worker",
        "Yes, coordinators may see it too",
    ]
    replies = await sam.tap("Back")
    assert f"Right now it says: {NAME}" in replies[-1].text  # trimmed
    await sam.tap("Keep it as it is")
    replies = await sam.tap("only my peer worker")
    assert "Which fits you best" in replies[-1].text
    (person,) = await _rows(bot, Person, telegram_id=sam.id)
    assert person.status == "onboarding"


async def test_risk_screening_still_reads_the_name_answer(bot: Harness) -> None:
    sam = bot.user(8004)
    await _to_the_name_question(sam)
    replies = await sam.send("I want to kill myself")
    assert "13 11 14" in replies[0].text  # the crisis lines come first
    assert "May the peer support coordinators see" in replies[-1].text  # the form carries on


async def test_the_matched_worker_sees_the_name_and_coordinators_do_not(
    bot: Harness, clock
) -> None:
    casey = bot.user(COORDINATOR_ID, "Casey")
    robin = await onboard_worker(bot, casey, 8101, "Robin", caseload="3")
    sam = await onboard_service_user(bot, 8201, name=NAME)
    ref = f"U{(await _person(bot, sam)).id}"
    profile = await _profile(bot, sam)
    assert (profile.preferred_name, profile.name_visible_to_coordinators) == (NAME, False)

    proposal = casey.last()
    assert "Proposal #" in proposal.text and ref in proposal.text
    assert NAME not in proposal.text
    await casey.tap("Offer only Robin", message=proposal)
    await sam.tap("Choose Robin")
    request = robin.last()
    assert "would like you as their peer worker" in request.text
    assert NAME not in request.text and ref in request.text  # asked is not matched
    replies = await robin.tap("Accept", message=request)
    assert f"now matched with {NAME} ({ref})" in replies[-1].text

    await sam.send("Hi Robin")
    assert robin.last().button_labels == [f"From {NAME} ({ref})"]
    replies = await robin.send("/relationship")
    assert f"{NAME} ({ref})" in replies[-1].text
    assert f"Pause with {NAME} ({ref})" in replies[-1].button_labels
    await _answer_a_checkin(bot, clock, sam)  # a low score, "reach out", and a note
    told = [m.text for m in bot.api.sent_to(robin.id)[-3:]]
    assert all(NAME in text for text in told), told

    # Coordinators: never in their lists or cards, nor in anything sent to them.
    for command in ("/people matched", "/waitlist", "/dashboard"):
        await casey.send(command)
    assert f"{ref} — service user" in await _card(bot, casey, (await _person(bot, sam)).id)
    said = _said_to(bot, casey)
    assert "Proposal #" in said and ref in said  # the check below looks where it should
    assert NAME not in said


async def test_coordinators_see_the_name_only_when_allowed(bot: Harness) -> None:
    casey = bot.user(COORDINATOR_ID, "Casey")
    await onboard_worker(bot, casey, 8102, "Robin")
    sam = await onboard_service_user(bot, 8202, name=NAME, coordinators_see_name=True)
    assert "your peer worker and the coordinators see it" in bot.api.sent_to(sam.id)[-2].text
    ref = f"U{(await _person(bot, sam)).id}"
    assert (await _profile(bot, sam)).name_visible_to_coordinators is True
    assert f"{NAME} ({ref})" in casey.last().text  # the proposal card
    card = await _card(bot, casey, (await _person(bot, sam)).id)
    assert f"{NAME} ({ref}) — service user" in card


async def test_a_worker_with_two_people_picks_by_name(bot: Harness) -> None:
    casey = bot.user(COORDINATOR_ID, "Casey")
    robin = await onboard_worker(bot, casey, 8103, "Robin", caseload="3")
    sam = await _matched(bot, robin, 8203, NAME)
    kim = await _matched(bot, robin, 8204, None)
    sam_ref, kim_ref = [f"U{(await _person(bot, u)).id}" for u in (sam, kim)]

    replies = await robin.send("Who gets this?")
    assert "who is this message for" in replies[-1].text
    assert replies[-1].button_labels == [f"{NAME} ({sam_ref})", kim_ref]
    await robin.tap(NAME)
    assert sam.last().text == "Who gets this?"
    replies = await robin.send("/end")
    assert f"End with {NAME} ({sam_ref})" in replies[-1].button_labels
    assert f"End with {kim_ref}" in replies[-1].button_labels


async def test_the_name_is_edited_and_cleared_in_profile(bot: Harness) -> None:
    casey = bot.user(COORDINATOR_ID, "Casey")
    robin = await onboard_worker(bot, casey, 8104, "Robin")
    sam = await _matched(bot, robin, 8205, None)
    ref = f"U{(await _person(bot, sam)).id}"

    replies = await sam.send("/profile")
    assert "No name — your peer worker sees only a reference number" in replies[-1].text
    replies = await sam.tap("Edit: what my peer calls me")
    assert "What would you like your peer worker to call you?" in replies[-1].text
    await sam.send("Sammy")
    replies = await sam.tap("Yes, coordinators may see it too")
    assert "Sammy (your peer worker and the coordinators see it)" in replies[-1].text
    await sam.tap("confirm")
    profile = await _profile(bot, sam)
    assert (profile.preferred_name, profile.name_visible_to_coordinators) == ("Sammy", True)
    await sam.send("Hello again")
    assert robin.last().button_labels == [f"From Sammy ({ref})"]

    await sam.send("/profile")
    replies = await sam.tap("Edit: what my peer calls me")
    assert "Right now it says: Sammy" in replies[-1].text
    await sam.tap("Keep it as it is")
    replies = await sam.tap("only my peer worker")
    assert "Sammy (only your peer worker sees it)" in replies[-1].text
    await sam.tap("confirm")
    profile = await _profile(bot, sam)
    assert (profile.preferred_name, profile.name_visible_to_coordinators) == ("Sammy", False)

    await sam.send("/profile")
    await sam.tap("Edit: what my peer calls me")
    replies = await sam.tap("Don't use a name")
    assert "No name — your peer worker sees only a reference number" in replies[-1].text
    await sam.tap("confirm")
    profile = await _profile(bot, sam)
    assert profile.preferred_name is None and profile.name_visible_to_coordinators is False
    await sam.send("And again")
    assert robin.last().button_labels == [f"From {ref}"]


async def test_the_name_is_in_mydata_and_gone_after_delete(bot: Harness, clock) -> None:
    casey = bot.user(COORDINATOR_ID, "Casey")
    robin = await onboard_worker(bot, casey, 8105, "Robin")
    sam = await _matched(bot, robin, 8206, NAME)
    await sam.send("Hi Robin")

    mine = await _my_data(sam)
    assert mine["service_user_profile"]["name_for_your_peer_worker"] == NAME
    assert mine["service_user_profile"]["coordinators_may_see_that_name"] is False
    theirs = await _my_data(robin)  # the worker's own data holds none of Sam's
    assert NAME not in json.dumps(theirs)
    ref = f"U{(await _person(bot, sam)).id}"
    queued = OutboxMessage(  # a reminder for Robin, claimed but not sent yet
        telegram_id=robin.id, text=f"Ending soon with {NAME} ({ref})", created_at=clock.now
    )
    await _add(bot, queued)

    await sam.send("/delete")
    await sam.tap("Yes, delete my data")
    told = robin.last().text
    assert "has decided to end" in told and NAME not in told  # named by reference only
    assert NAME not in await _everything(bot)
    (still_queued,) = await _rows(bot, OutboxMessage, id=queued.id)
    assert still_queued.text == f"Ending soon with {ref}"


async def test_buttons_and_labels_show_a_name_as_typed_not_as_html(bot: Harness) -> None:
    """Telegram shows button labels as plain text: 'Al & Bo', never 'Al &amp; Bo'."""
    casey = bot.user(COORDINATOR_ID, "Casey")
    robin = await onboard_worker(bot, casey, 8401, "Robin", caseload="3")
    sam = await onboard_service_user(bot, 8402, name="Al & Bo")
    ref = f"U{(await _person(bot, sam)).id}"
    await casey.tap("Offer only Robin")
    await sam.tap("Choose Robin")
    await robin.tap("Accept")
    await sam.send("Hello")
    assert robin.last().button_labels == [f"From Al & Bo ({ref})"]
    replies = await robin.send("/relationship")
    labels = [label for reply in replies for label in reply.button_labels]
    assert labels and not any("&amp;" in label for label in labels)
