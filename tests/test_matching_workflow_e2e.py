"""From waiting to matched, end to end: proposals, offers, requests, waitlist, rematch."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from bot.db import session_factory, transaction
from bot.deps import Deps
from bot.models import (
    AuditLog,
    Exclusion,
    PeerWorkerProfile,
    Person,
    Relationship,
    WaitlistEntry,
)
from bot.offers import matchmaking, requests
from bot.pipeline.sending import send_queued
from bot.scheduler import sweep
from tests.conftest import COORDINATOR_ID, make_config
from tests.harness import Harness, TelegramUser
from tests.test_onboarding_e2e import _person, _rows, complete_onboarding
from tests.test_workers_e2e import new_invite


async def onboard_worker(
    bot: Harness,
    coordinator: TelegramUser,
    telegram_id: int,
    name: str,
    *,
    times: tuple[str, ...] = ("Tue eve", "Thu eve"),
    areas: tuple[str, ...] = ("A hospital admission",),
    perspective: str = "(consumer)",
    caseload: str = "2",
    gender: str | None = "Woman",
    quiet_hours: str = "No quiet hours",
    timezone: str = "Australia/Brisbane",
    languages: tuple[str, ...] = ("English",),
) -> TelegramUser:
    """An approved peer worker (the coordinator approves the profile)."""
    worker = bot.user(telegram_id, name)
    await worker.send(f"/start {await new_invite(coordinator)}")
    await worker.tap("Let's start")
    await worker.send(name)
    await worker.send(f"Hi, I'm {name}.")
    await worker.tap(perspective)
    for area in areas:
        await worker.tap(area, exact=True)
    await worker.tap("Done")
    for language in languages:
        await worker.tap(language, exact=True)
    await worker.tap("Done")
    if gender:
        await worker.tap(gender, exact=True)
    else:
        await worker.tap("Skip")
    await worker.tap("Skip")  # age band
    await worker.tap("Done")  # communities: none
    await worker.tap(timezone)
    for cell in times:
        await worker.tap(cell)
    await worker.tap("Done")
    await worker.tap(quiet_hours)
    await worker.tap(caseload, exact=True)
    await worker.tap("Send for approval")
    await coordinator.tap("Approve")
    return worker


async def onboard_service_user(
    bot: Harness,
    telegram_id: int,
    *,
    name: str | None = None,
    coordinators_see_name: bool = False,
) -> TelegramUser:
    """A service user waiting for a peer; ``name`` is what their peer worker may call them."""
    sam = bot.user(telegram_id, "Sam")
    await complete_onboarding(sam, name, coordinators_see_name)
    await sam.tap("confirm")
    return sam


async def run_sweep(bot: Harness) -> None:
    """One sweep, as the leader's tick runs it, then what it queued, sent as the sender would."""
    await sweep(SimpleNamespace(application=bot.application))
    await send_queued(bot.application.bot, bot.application.bot_data["deps"])


async def _relationships(bot: Harness) -> list[Relationship]:
    return await _rows(bot, Relationship)


async def test_two_workers_one_service_user_approved_chosen_accepted(bot: Harness) -> None:
    casey = bot.user(COORDINATOR_ID, "Casey")
    robin = await onboard_worker(
        bot, casey, 4001, "Robin", areas=("Psychosis", "A hospital admission")
    )
    alex = await onboard_worker(bot, casey, 4002, "Alex", times=("Tue eve",), gender=None)
    sam = await onboard_service_user(bot, 4101)

    proposal = casey.last()
    assert "Proposal #" in proposal.text
    assert proposal.text.index("Robin") < proposal.text.index("Alex")  # ranked
    # Coordinators read about the two in the third person; the person, in the second.
    assert "Both have experience of: Psychosis, A hospital admission" in proposal.text
    assert "You both" not in proposal.text and "suit you" not in proposal.text
    assert "4101" not in proposal.text  # a pseudonymous reference, never the Telegram id
    assert "fit 100% (strong)" in proposal.text and "shared experience 40/40" in proposal.text
    # What the person asked for, to judge the card by.
    assert (
        "Asked for: a peer with their own experience (consumer) · experience of Psychosis, "
        "A hospital admission · speaks English, Arabic · gender Woman (nice to have) · free "
        "Tue evening, Thu evening (Australia/Brisbane time)"
    ) in proposal.text
    await casey.tap("Offer the top 2", message=proposal)

    offer = sam.last()
    assert "found 2 peer workers" in offer.text
    assert "Tue evening, Thu evening (your time) suit you both" in offer.text
    assert "You both have experience of: Psychosis, A hospital admission" in offer.text
    assert "Choose Robin" in offer.button_labels and "None of these" in offer.button_labels
    replies = await sam.tap("Choose Robin")
    assert "We've asked Robin" in replies[-1].text

    request = robin.last()
    assert "would like you as their peer worker" in request.text
    assert "You share: Psychosis, A hospital admission" in request.text
    assert "Getting out of the house more" in request.text  # the goal they chose to share
    assert "Sam" not in request.text and "4101" not in request.text
    replies = await robin.tap("Accept", message=request)
    assert "now matched" in replies[-1].text
    welcome, checkin_offer = bot.api.sent_to(sam.id)[-2:]
    assert "Robin" in welcome.text and "glad to support you" in welcome.text
    assert "check-in" in checkin_offer.text and "Weekly" in checkin_offer.button_labels

    (relationship,) = await _relationships(bot)
    person = await _person(bot, sam)
    assert relationship.status == "active" and person.status == "matched"
    assert relationship.peer_worker_id == (await _person(bot, robin)).id
    assert await _rows(bot, WaitlistEntry) == []
    replies = await sam.send("/status")
    assert "You're matched" in replies[-1].text
    assert "relationship.active" in [row.action for row in await _rows(bot, AuditLog)]
    assert alex.last().text != request.text  # the other worker was never asked


async def test_decline_offers_the_next_candidate_and_alerts_after_repeated_declines(
    start_bot, database
) -> None:
    url, _engine = database
    bot = await start_bot(make_config(url, matching={"declines_before_alert": 1}))
    casey = bot.user(COORDINATOR_ID)
    robin = await onboard_worker(bot, casey, 4003, "Robin")
    await onboard_worker(bot, casey, 4004, "Alex")
    sam = await onboard_service_user(bot, 4102)
    await casey.tap("Offer only Robin")
    await sam.tap("Choose Robin")
    replies = await robin.tap("Decline")
    assert "tell us why" in replies[-1].text
    await robin.tap("capacity")
    assert "can't take this on right now" in sam.last().text

    # Coordinators hear about the decline, and get a new proposal without Robin.
    texts = [m.text for m in bot.api.sent_to(COORDINATOR_ID)[-2:]]
    assert any("declined or expired 1 time. " in text for text in texts)
    assert "Alex" in texts[-1] and "Robin" not in texts[-1]
    (relationship,) = await _relationships(bot)
    assert (relationship.status, relationship.end_reason) == ("declined", "capacity")
    (exclusion,) = await _rows(bot, Exclusion)
    assert exclusion.peer_worker_id == (await _person(bot, robin)).id


async def test_an_unanswered_request_is_reminded_then_expires(bot: Harness, clock) -> None:
    casey = bot.user(COORDINATOR_ID)
    robin = await onboard_worker(bot, casey, 4005, "Robin")
    sam = await onboard_service_user(bot, 4103)
    await casey.tap("Offer only Robin")
    await sam.tap("Choose Robin")
    asked = len(bot.api.sent_to(robin.id))

    clock.advance(days=1)
    await run_sweep(bot)
    assert len(bot.api.sent_to(robin.id)) == asked  # nothing due yet
    clock.advance(days=0.6)  # past half of the 3-day timeout
    await run_sweep(bot)
    assert "Reminder" in robin.last().text
    await run_sweep(bot)  # never twice
    assert len(bot.api.sent_to(robin.id)) == asked + 1

    clock.advance(days=2)
    await run_sweep(bot)
    assert "expired" in robin.last().text
    told = [m.text for m in bot.api.sent_to(sam.id)[-2:]]
    assert "haven't heard back" in told[0]
    assert "on our waitlist" in told[1]  # Robin is excluded now and nobody else fits
    (relationship,) = await _relationships(bot)
    assert relationship.status == "expired"
    assert (await _person(bot, sam)).status == "waiting"
    replies = await robin.tap("Accept")  # too late: answered, not applied
    assert "isn't open any more" in replies[-1].text


async def test_a_worker_who_lets_requests_expire_is_paused_and_people_offered_again(
    bot: Harness, clock
) -> None:
    casey = bot.user(COORDINATOR_ID)
    robin = await onboard_worker(bot, casey, 4020, "Robin", caseload="3")
    sam = await onboard_service_user(bot, 4120)
    await casey.tap("Offer only Robin")
    await sam.tap("Choose Robin")
    clock.advance(days=3.1)
    await run_sweep(bot)  # the first expires: Robin is told, nothing more
    assert "pause new matches in /profile" in robin.last().text

    kim = await onboard_service_user(bot, 4121)
    await casey.tap("Offer only Robin")
    await kim.tap("Choose Robin")
    await onboard_worker(bot, casey, 4021, "Alex")  # someone else who fits; held for now
    for message in reversed(bot.api.sent_to(casey.id)):
        if "Hold" in message.button_labels:
            await casey.tap("Hold", message=message)
    clock.advance(days=3.1)
    await run_sweep(bot)  # the second in a row: paused, kindly; coordinators told

    assert "paused new requests to you for now" in robin.last().text
    alerts = [m.text for m in bot.api.sent_to(casey.id) if "requests in a row expire" in m.text]
    assert len(alerts) == 1 and "W" in alerts[0]
    profile = (await _rows(bot, PeerWorkerProfile, person_id=(await _person(bot, robin)).id))[0]
    assert not profile.taking_new_matches and profile.expired_in_row == 2
    # Kim is looked for again at once, and Robin is never proposed while paused.
    cards = [m.text for m in bot.api.sent_to(casey.id)[-3:]]
    assert any("Alex" in text for text in cards) and not any("Robin" in t for t in cards)

    await robin.send("/profile")  # turning new matches back on starts the count again
    await robin.tap("I'm taking new matches again")
    profile = (await _rows(bot, PeerWorkerProfile, person_id=(await _person(bot, robin)).id))[0]
    assert profile.taking_new_matches and profile.expired_in_row == 0


async def test_none_of_these_and_not_now(bot: Harness) -> None:
    casey = bot.user(COORDINATOR_ID)
    await onboard_worker(bot, casey, 4006, "Robin")
    sam = await onboard_service_user(bot, 4104)
    await casey.tap("Offer only Robin")
    replies = await sam.tap("None of these")
    assert "looking again" in replies[0].text
    assert "on our waitlist" in replies[-1].text  # Robin is excluded: nobody else fits
    assert [e.reason for e in await _rows(bot, Exclusion)] == ["none_of_these"]

    # A new worker appears: Sam is offered them after review; this time, "not now".
    await onboard_worker(bot, casey, 4007, "Alex")
    assert "Alex" in casey.last().text and "Robin" not in casey.last().text
    assert "ruled out by: excluded ×1" in casey.last().text
    await casey.tap("Offer only Alex")
    replies = await sam.tap("Not now")
    assert "stopped looking" in replies[-1].text
    assert (await _person(bot, sam)).status == "not_now"
    replies = await sam.tap("Find me a peer")
    assert (await _person(bot, sam)).status == "waiting"
    assert "Proposal #" in casey.last().text


async def test_waitlist_is_honest_and_coordinators_see_why_and_long_waits(
    bot: Harness, clock
) -> None:
    casey = bot.user(COORDINATOR_ID)
    await onboard_worker(bot, casey, 4008, "Mo", times=("Sat am",))  # never free together
    sam = await onboard_service_user(bot, 4105)
    assert "on our waitlist" in sam.last().text
    replies = await sam.send("/status")
    assert "waiting for a peer" in replies[-1].text
    replies = await casey.send("/waitlist")
    assert "availability ×1" in replies[-1].text and "U" in replies[-1].text

    clock.advance(days=15)
    await run_sweep(bot)
    assert "has been waiting 15 days" in casey.last().text
    await run_sweep(bot)
    assert sum("has been waiting" in m.text for m in bot.api.sent_to(casey.id)) == 1


async def test_a_long_wait_shorter_than_a_day_is_said_in_hours(start_bot, database, clock) -> None:
    url, _engine = database
    bot = await start_bot(make_config(url, matching={"max_wait": "2h"}))
    casey = bot.user(COORDINATOR_ID)
    await onboard_worker(bot, casey, 4012, "Mo", times=("Sat am",))  # never free together
    await onboard_service_user(bot, 4107)

    clock.advance(hours=3)
    await run_sweep(bot)
    assert "has been waiting 3 hours for a peer" in casey.last().text  # not "0 days"


async def test_rematch_tells_the_worker_kindly_and_looks_again(bot: Harness) -> None:
    casey = bot.user(COORDINATOR_ID)
    robin = await onboard_worker(bot, casey, 4009, "Robin")
    await onboard_worker(bot, casey, 4010, "Alex")
    sam = await onboard_service_user(bot, 4106)
    await casey.tap("Offer only Robin")
    await sam.tap("Choose Robin")
    await robin.tap("Accept")
    replies = await sam.send("/rematch")
    assert (
        "no reason" in replies[-1].text.lower() or "don't need to give a reason" in replies[-1].text
    )
    replies = await sam.tap("Yes, find me someone else")
    assert "looking for a new peer worker" in replies[-1].text
    assert "not a judgement on you" in robin.last().text
    (relationship,) = await _relationships(bot)
    assert relationship.status == "ended_early"
    assert (await _person(bot, sam)).status == "waiting"
    assert "Alex" in casey.last().text and "Robin" not in casey.last().text
    replies = await sam.send("/rematch")
    assert "nothing to change" in replies[-1].text


async def test_manual_match_warns_about_a_broken_constraint_and_is_audited(bot: Harness) -> None:
    casey = bot.user(COORDINATOR_ID)
    mo = await onboard_worker(bot, casey, 4011, "Mo", times=("Sat am",))
    sam = await onboard_service_user(bot, 4107)
    sam_id, mo_id = (await _person(bot, sam)).id, (await _person(bot, mo)).id
    replies = await casey.send(f"/match U{sam_id} W{mo_id}")
    assert "Usage" in replies[-1].text
    replies = await casey.send(f"/match U{sam_id} W{mo_id} They met at group and get on well")
    assert "breaks a hard constraint" in replies[-1].text and "availability" in replies[-1].text
    await casey.tap("Match anyway")
    assert "Choose Mo" in sam.last().button_labels
    manual = [row for row in await _rows(bot, AuditLog) if row.action == "match.manual"]
    assert manual and "overrides: availability" in manual[0].reason
    assert "get on well" in manual[0].reason


@pytest.mark.parametrize("solved", ["on the event loop", "in a worker process"])
async def test_match_all_proposes_an_optimal_batch(bot: Harness, monkeypatch, solved) -> None:
    if solved == "in a worker process":  # as a large waitlist is
        if bot.application.bot_data["engine"].dialect.name != "sqlite":
            # The worker connects from the configuration; these tests keep each PostgreSQL
            # test in its own schema by a connection setting it cannot see. tests/test_offload.py
            # covers the worker on a PostgreSQL database of its own.
            pytest.skip("one schema per test on PostgreSQL")
        monkeypatch.setattr(matchmaking, "INLINE_PAIRS", 0)
    casey = bot.user(COORDINATOR_ID)
    sam = await onboard_service_user(bot, 4108)
    kim = await onboard_service_user(bot, 4109)
    # Workers are approved after both wait, with room for one each: their cards in review
    # are decided again by the batch.
    await onboard_worker(bot, casey, 4012, "Robin", caseload="1")
    await onboard_worker(bot, casey, 4013, "Alex", caseload="1")
    (view,) = await casey.send("/match_all")  # one view of the batch, a line per card
    assert "2 proposals, 0 still without a fit" in view.text
    for label in [b for b in view.button_labels if b.startswith("Open #")]:
        (card,) = await casey.tap(label, message=view, exact=True)
        await casey.tap("Offer only", message=card)
    assert "Choose" in sam.last().text or any("Choose" in b for b in sam.last().button_labels)
    assert any("Choose" in b for b in kim.last().button_labels)


async def test_two_offers_can_never_take_a_workers_last_place(bot: Harness) -> None:
    casey = bot.user(COORDINATOR_ID)
    robin = await onboard_worker(bot, casey, 4014, "Robin", caseload="1")
    await onboard_service_user(bot, 4110)
    await onboard_service_user(bot, 4111)
    deps: Deps = bot.application.bot_data["deps"]
    worker_id = (await _person(bot, robin)).id
    first = (await _rows(bot, Person, telegram_id=4110))[0]
    second = (await _rows(bot, Person, telegram_id=4111))[0]

    async def claim(person: Person) -> bool:
        """Ask Robin for this person, with their card if they have one (the first has: it
        holds Robin's one place for them)."""
        sessions = session_factory(bot.application.bot_data["engine"])
        async with transaction(sessions) as session:
            fresh = await session.get(Person, person.id)
            card = await matchmaking.open_proposal(session, person.id)
            created = await requests.request_worker(deps, session, fresh, worker_id, card, None)
            await asyncio.sleep(0.05)  # hold the transaction open while the other tries
            return created is not None

    results = await asyncio.gather(claim(first), claim(second))
    assert results == [True, False]
    open_requests = [r for r in await _relationships(bot) if r.status == "requested"]
    assert len(open_requests) == 1


async def test_without_coordinator_approval_the_best_are_offered_directly(
    start_bot, database
) -> None:
    url, _engine = database
    bot = await start_bot(
        make_config(url, matching={"require_coordinator_approval": False, "offer_count": 1})
    )
    casey = bot.user(COORDINATOR_ID)
    await onboard_worker(bot, casey, 4015, "Robin", areas=("Psychosis", "A hospital admission"))
    await onboard_worker(bot, casey, 4016, "Alex")
    before = len(bot.api.sent_to(casey.id))
    sam = await onboard_service_user(bot, 4112)
    offer = sam.last()
    assert offer.button_labels[0] == "Choose Robin" and "Choose Alex" not in offer.button_labels
    assert len(bot.api.sent_to(casey.id)) == before  # no proposal to review


async def test_a_request_says_when_to_answer_by_in_the_workers_own_time_zone(
    bot: Harness, clock
) -> None:
    casey = bot.user(COORDINATOR_ID)
    robin = await onboard_worker(
        bot, casey, 4020, "Robin", timezone="Europe/London", times=("Tue am", "Thu am")
    )
    sam = await onboard_service_user(bot, 4120)
    await casey.tap("Offer only Robin")
    await sam.tap("Choose Robin")
    # Asked at 09:00 UTC (19:00 in Brisbane) with three days to answer: 09:00 in London.
    assert clock.now.hour == 9
    assert "Please answer by Thu 5 Mar, 9:00\u202fam (Europe/London time)." in robin.last().text
