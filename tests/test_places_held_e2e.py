"""A card in review and an offer hold their workers' places, so that nobody is shown a worker
whose place is taken and nobody hears "just become unavailable" because someone else chose
first; places come back when an offer is answered or lapses, and are offered on at once."""

from __future__ import annotations

import asyncio

from bot.db import transaction
from bot.models import PeerWorkerProfile, Person, Proposal
from bot.offers import matchmaking
from tests.conftest import COORDINATOR_ID, make_config
from tests.harness import Harness
from tests.test_matching_workflow_e2e import onboard_service_user, onboard_worker, run_sweep
from tests.test_onboarding_e2e import _person, _rows

UNAVAILABLE = "just become unavailable"
NOBODY_FREE = "there isn't a peer worker free"


def _heard(bot: Harness, user_id: int, words: str) -> int:
    return sum(words in sent.text for sent in bot.api.sent_to(user_id))


def _choices(message) -> set[str]:
    return {label for label in message.button_labels if label.startswith("Choose")}


async def test_an_offer_holds_its_places_and_a_choice_gives_the_rest_back(
    start_bot, database
) -> None:
    url, _engine = database
    bot = await start_bot(
        make_config(url, matching={"require_coordinator_approval": False, "offer_count": 2})
    )
    casey = bot.user(COORDINATOR_ID)
    await onboard_worker(bot, casey, 4301, "Robin", caseload="1")
    await onboard_worker(bot, casey, 4302, "Alex", caseload="1")

    sam = await onboard_service_user(bot, 4401)
    assert _choices(sam.last()) == {"Choose Robin", "Choose Alex"}
    # Both places are Sam's to choose from: Kim is not offered either of them.
    kim = await onboard_service_user(bot, 4402)
    assert NOBODY_FREE in kim.last().text and not _choices(kim.last())

    await sam.tap("Choose Robin")
    # Alex's place came back with Sam's choice, and went straight to Kim.
    assert _choices(kim.last()) == {"Choose Alex"}
    await kim.tap("Choose Alex")
    assert "We've asked" in kim.last().text
    assert _heard(bot, sam.id, UNAVAILABLE) == _heard(bot, kim.id, UNAVAILABLE) == 0


async def test_an_unanswered_offer_lapses_and_its_place_is_offered_on(
    start_bot, database, clock
) -> None:
    url, _engine = database
    bot = await start_bot(
        make_config(
            url,
            matching={
                "require_coordinator_approval": False,
                "offer_count": 1,
                "offer_hold": "7d",
            },
        )
    )
    casey = bot.user(COORDINATOR_ID)
    await onboard_worker(bot, casey, 4303, "Robin", caseload="1")
    sam = await onboard_service_user(bot, 4403)
    kim = await onboard_service_user(bot, 4404)
    assert _choices(sam.last()) == {"Choose Robin"} and NOBODY_FREE in kim.last().text

    clock.advance(days=6)
    await run_sweep(bot)
    assert not _choices(kim.last())  # still held for Sam

    clock.advance(days=1, minutes=1)
    await run_sweep(bot)
    assert "kept those peer workers for you for 7 days" in sam.last().text
    assert "Find me a peer" in sam.last().button_labels
    assert _choices(kim.last()) == {"Choose Robin"}
    # Sam taps the old offer: it is closed, and says so kindly.
    offers = [m for m in bot.api.sent_to(sam.id) if "Choose Robin" in m.button_labels]
    await sam.tap("Choose Robin", message=offers[0])
    assert "isn't open any more" in sam.last().text
    await kim.tap("Choose Robin")
    assert _heard(bot, kim.id, UNAVAILABLE) == 0


async def test_match_all_decides_again_the_people_with_cards_in_review(bot: Harness) -> None:
    casey = bot.user(COORDINATOR_ID)
    await onboard_worker(bot, casey, 4304, "Robin", caseload="1")
    await onboard_worker(bot, casey, 4305, "Alex", caseload="1")
    sam = await onboard_service_user(bot, 4405)
    kim = await onboard_service_user(bot, 4406)
    cards = [p for p in await _rows(bot, Proposal) if p.status == "review"]
    # Each card holds its own match's place: never the same worker's last place twice.
    assert sorted(len(card.offered_worker_ids) for card in cards) == [1, 1]
    assert len({card.offered_worker_ids[0] for card in cards}) == 2

    (view,) = await casey.send("/match_all")
    assert "2 proposals, 0 still without a fit" in view.text
    statuses = sorted(p.status for p in await _rows(bot, Proposal))
    assert statuses == ["review", "review", "superseded", "superseded"]
    for label in [b for b in view.button_labels if b.startswith("Open #")]:
        (card,) = await casey.tap(label, message=view, exact=True)
        await casey.tap("Offer only", message=card)
    assert _choices(sam.last()) and _choices(kim.last())
    assert _choices(sam.last()).isdisjoint(_choices(kim.last()))


async def test_places_that_come_back_go_to_the_best_assignment_of_everyone_waiting(
    start_bot, database, clock
) -> None:
    """Longest-waiting first would give Ann the worker she fits best and leave Ben, who fits
    nobody else, waiting; one decision for everyone waiting matches both."""
    url, _engine = database
    bot = await start_bot(
        make_config(url, matching={"require_coordinator_approval": False, "offer_count": 2})
    )
    casey = bot.user(COORDINATOR_ID)
    await onboard_worker(
        bot, casey, 4306, "Robin", caseload="1", areas=("Psychosis", "A hospital admission")
    )
    alex = await onboard_worker(bot, casey, 4307, "Alex", caseload="1")
    cal = await onboard_service_user(bot, 4407)
    assert _choices(cal.last()) == {"Choose Robin", "Choose Alex"}  # both places held
    ann = await onboard_service_user(bot, 4408)
    clock.advance(minutes=5)
    ben = await onboard_service_user(bot, 4409)
    deps = bot.application.bot_data["deps"]
    async with transaction(deps.sessions) as session:  # Ben and Alex were not a fit before
        ben_id, alex_id = (await _person(bot, ben)).id, (await _person(bot, alex)).id
        await matchmaking.exclude(deps, session, ben_id, alex_id, "declined", None)

    clock.advance(days=8)
    await run_sweep(bot)  # Cal's offer lapses: Robin's and Alex's places come back at once
    assert _choices(ann.last()) == {"Choose Alex"}
    assert _choices(ben.last()) == {"Choose Robin"}


async def test_the_whole_waitlist_in_two_inputs(bot: Harness) -> None:
    """/match_all, then one "offer all": every person waiting who fits someone is offered."""
    casey = bot.user(COORDINATOR_ID)
    await onboard_worker(bot, casey, 4308, "Robin", caseload="2")
    await onboard_worker(bot, casey, 4309, "Alex", caseload="1")
    waiting = [await onboard_service_user(bot, 4410 + n) for n in range(4)]

    replies = await casey.send("/match_all")
    assert "3 proposals, 1 still without a fit" in replies[0].text
    await casey.tap("Offer all 3", message=replies[0])
    assert _heard(bot, casey.id, "Offered: 3 cards") == 1
    offered = [user for user in waiting if _choices(user.last())]
    assert len(offered) == 3
    (left,) = [user for user in waiting if user not in offered]
    assert _heard(bot, left.id, NOBODY_FREE) == 1


async def test_two_searches_at_once_never_hold_the_same_last_place(bot: Harness) -> None:
    """Two people looked for in two transactions at the same moment (a decline here, an
    arrival there; on PostgreSQL perhaps two processes), one place left: one card holds it."""
    casey = bot.user(COORDINATOR_ID)
    robin = await onboard_worker(bot, casey, 4310, "Robin", caseload="1")
    deps = bot.application.bot_data["deps"]
    robin_id = (await _person(bot, robin)).id

    async def taking_new_matches(value: bool) -> None:
        async with transaction(deps.sessions) as session:
            profile = await session.get(PeerWorkerProfile, robin_id)
            profile.taking_new_matches = value
            session.add(profile)

    await taking_new_matches(False)
    people = [await onboard_service_user(bot, 4420 + n) for n in range(2)]
    await taking_new_matches(True)

    async def search(user) -> None:
        async with transaction(deps.sessions) as session:
            person = await session.get(Person, (await _person(bot, user)).id)
            await matchmaking.find_match(deps, session, person)
            await asyncio.sleep(0.05)  # keep the transaction open while the other searches

    await asyncio.gather(*(search(user) for user in people))
    cards = [p for p in await _rows(bot, Proposal) if p.status == "review"]
    assert [card.offered_worker_ids for card in cards] == [[robin_id]]
