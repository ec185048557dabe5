"""Is this a good fit? Asked of each side, privately, once they have been in touch for a
while; "someone else" starts a rematch with no reason asked, "not sure" offers a coordinator;
coordinators see the answers on the card and in the dashboard."""

from __future__ import annotations

from bot.models import Person, Relationship
from tests.conftest import COORDINATOR_ID
from tests.harness import Harness
from tests.test_matching_workflow_e2e import run_sweep
from tests.test_onboarding_e2e import _person, _rows
from tests.test_relay_e2e import matched_pair


async def _asked(bot: Harness, clock, robin, sam) -> None:
    await sam.send("Hi Robin")  # in touch
    clock.advance(days=6)
    await run_sweep(bot)
    assert "how is it going" not in sam.last().text  # not yet: a week after the match
    clock.advance(days=1, hours=1)
    await run_sweep(bot)
    assert "how is it going with Robin" in sam.last().text
    assert "Robin will not be told" in sam.last().text
    assert "how is it going with" in robin.last().text
    await run_sweep(bot)
    asked = [m for m in bot.api.sent_to(sam.id) if "how is it going" in m.text]
    assert len(asked) == 1  # once


async def test_not_sure_offers_a_coordinator_and_the_card_shows_both_answers(
    bot: Harness, clock
) -> None:
    robin, sam = await matched_pair(bot, 7101, 7201)
    await _asked(bot, clock, robin, sam)
    casey = bot.user(COORDINATOR_ID)

    question = sam.last()
    (offer,) = await sam.tap("I'm not sure", message=question)
    assert "talk it over with a coordinator" in offer.text
    await sam.tap("Yes, please", message=offer)
    sam_ref = f"U{(await _person(bot, sam)).id}"
    assert f"{sam_ref} would like a word" in casey.last().text
    assert "not sure" not in robin.last().text.lower()  # Robin hears nothing of it
    await robin.tap("It's going well", message=robin.last())
    (relationship,) = await _rows(bot, Relationship)
    await sam.press(f"fit|{relationship.id}|good", question)  # an old button: no change
    assert "answered this already" in sam.toasts()[-1]

    (relationship,) = await _rows(bot, Relationship)
    # ("talk": not sure, and a coordinator asked to get in touch; asked once only)
    assert (relationship.fit_service_user, relationship.fit_worker) == ("talk", "good")
    listing = (await casey.send("/relationships"))[-1]
    await casey.tap(f"R{relationship.id}", message=listing)
    card = bot.api.messages[listing.message_id]
    assert (
        "Good fit? Service user: not sure, and would like a word · worker: going well" in card.text
    )
    dashboard = (await casey.send("/dashboard"))[-1]
    assert "Service users: 0 going well, 1 not sure, 0 asked for someone else" in dashboard.text


async def test_someone_else_rematches_without_a_reason_and_the_worker_is_told_kindly(
    bot: Harness, clock
) -> None:
    robin, sam = await matched_pair(bot, 7102, 7202)
    await _asked(bot, clock, robin, sam)
    replies = await sam.tap("I'd like someone else", message=sam.last())
    assert "You don't need to give a reason" in replies[0].text
    (relationship,) = await _rows(bot, Relationship)
    assert relationship.status != "active" and relationship.fit_service_user == "other"
    assert (await _person(bot, sam)).status == "waiting"
    told = robin.last().text
    assert "fit" not in told.lower() and "someone else" not in told.lower()
    assert "Write a reflection" in robin.last().button_labels  # an ending like any other


async def test_a_worker_who_is_not_the_right_fit_tells_the_coordinators_only(
    bot: Harness, clock
) -> None:
    robin, sam = await matched_pair(bot, 7103, 7203)
    await _asked(bot, clock, robin, sam)
    before = len(bot.api.sent_to(sam.id))
    (said,) = await robin.tap("I'm not the right fit", message=robin.last())
    assert "Nothing changes for now" in said.text
    assert "may not be the right fit" in bot.user(COORDINATOR_ID).last().text
    (relationship,) = await _rows(bot, Relationship)
    assert relationship.status == "active" and relationship.fit_worker == "not_fit"
    assert len(bot.api.sent_to(sam.id)) == before  # Sam is not told
    replies = await sam.send("/mydata")  # not even in the audit lines about the relationship
    data = next(m for m in replies if m.document).document[1].decode()
    assert "not_fit" not in data and "not the right fit" not in data


async def test_a_pair_never_in_touch_is_not_asked(bot: Harness, clock) -> None:
    robin, sam = await matched_pair(bot, 7104, 7204)
    clock.advance(days=8)
    await run_sweep(bot)
    assert not any("how is it going" in m.text for m in bot.api.sent_to(sam.id))
    # (the first-contact nudges are for a pair never in touch)
    assert (await _rows(bot, Person, telegram_id=sam.id))[0].status == "matched"
