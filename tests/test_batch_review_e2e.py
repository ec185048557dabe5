"""Coordinators review a batch of proposals in one view: a line per card, a page at a time,
"offer all" at the top, and each card opened in full to offer it, swap its worker or hold it."""

from __future__ import annotations

import pytest

import matching
from bot.db import transaction
from bot.models import PeerWorkerProfile, Person, Proposal, WaitlistRefresh
from bot.offers import mapping, matchmaking
from tests.conftest import COORDINATOR_ID
from tests.harness import Harness
from tests.test_matching_workflow_e2e import onboard_service_user, onboard_worker, run_sweep
from tests.test_onboarding_e2e import _rows


def _choices(message) -> list[str]:
    return [label for label in message.button_labels if label.startswith("Choose ")]


async def test_places_that_come_free_for_several_people_make_one_view_not_a_card_each(
    bot: Harness,
) -> None:
    casey = bot.user(COORDINATOR_ID)
    waiting = [await onboard_service_user(bot, 4600 + n) for n in range(5)]
    before = len(bot.api.sent_to(casey.id))
    await onboard_worker(bot, casey, 4700, "Robin", caseload="3")  # three places at once

    told = bot.api.sent_to(casey.id)[before:]
    (view,) = [m for m in told if "New proposals" in m.text]
    assert "3 people can be matched now" in view.text
    assert view.text.count("→ Robin") == 3 and "fit" in view.text
    assert not any("Proposal #" in m.text for m in told)  # no card message each
    await casey.tap("Offer all 3", message=view, exact=True)
    offered = [user for user in waiting if _choices(user.last())]
    assert len(offered) == 3


async def test_a_long_batch_pages_and_a_card_opened_can_swap_its_worker(bot: Harness) -> None:
    casey = bot.user(COORDINATOR_ID)
    waiting = [await onboard_service_user(bot, 4610 + n) for n in range(10)]
    for n, name in enumerate(("Robin", "Alex", "Kim")):
        await onboard_worker(bot, casey, 4710 + n, name, caseload="5" if n < 2 else "3")

    (view,) = await casey.send("/match_all")  # ten cards: more than a page
    assert "10 proposals, 0 still without a fit" in view.text
    assert "Page 1 of 2" in view.text and "Later ▶" in view.button_labels
    assert "Offer all 10" in view.button_labels
    first_page = [label for label in view.button_labels if label.startswith("Open #")]
    assert len(first_page) == 8

    await casey.tap("Later ▶", message=view)  # the same message, redrawn
    assert "Page 2 of 2" in view.text and "◀ Earlier" in view.button_labels
    second_page = [label for label in view.button_labels if label.startswith("Open #")]
    assert len(second_page) == 2 and not set(second_page) & set(first_page)

    # Opened, a card lists its match first, then workers with a place now: offering one of
    # those instead swaps the worker.
    (card,) = await casey.tap(second_page[0], message=view, exact=True)
    assert "Proposal #" in card.text and "Asked for:" in card.text
    assert "Also proposed to: U" in card.text  # its match holds places on other cards too
    match, swap, *_ = [label for label in card.button_labels if label.startswith("Offer only")]
    swapped_in = swap.removeprefix("Offer only ")
    await casey.tap(swap, message=card, exact=True)
    offered = [user for user in waiting if _choices(user.last())]
    assert len(offered) == 1
    assert _choices(offered[0].last()) == [f"Choose {swapped_in}"]
    assert match != swap

    # Opening it again: it has been decided.
    await casey.tap(second_page[0], message=view, exact=True)
    assert "already been decided" in casey.toasts()[-1]


async def test_a_large_programme_decides_its_waitlist_at_the_next_sweep(
    bot: Harness, monkeypatch
) -> None:
    """Above ``INLINE_PAIRS`` a change that frees places asks the next sweep to decide (solved
    in a worker process, off the event loop), and every change meanwhile waits for that one
    decision."""
    if bot.application.bot_data["engine"].dialect.name != "sqlite":
        pytest.skip("the worker process connects by the configuration (one schema per test)")
    monkeypatch.setattr(matchmaking, "INLINE_PAIRS", 0)  # as if thousands waited
    casey = bot.user(COORDINATOR_ID)
    waiting = [await onboard_service_user(bot, 4630 + n) for n in range(3)]
    before = len(bot.api.sent_to(casey.id))
    await onboard_worker(bot, casey, 4730, "Robin", caseload="3")
    await onboard_worker(bot, casey, 4731, "Alex", caseload="1")
    assert not any("New proposals" in m.text for m in bot.api.sent_to(casey.id)[before:])
    (asked,) = await _rows(bot, WaitlistRefresh)
    assert asked.due_at is not None

    await run_sweep(bot)  # the next sweep: one decision for both changes
    views = [m for m in bot.api.sent_to(casey.id)[before:] if "New proposals" in m.text]
    assert len(views) == 1 and "3 people can be matched now" in views[0].text
    (asked,) = await _rows(bot, WaitlistRefresh)
    assert asked.due_at is None
    await casey.tap("Offer all 3", message=views[0], exact=True)
    assert all(_choices(user.last()) for user in waiting)

    await run_sweep(bot)  # nothing asked since: nothing decided again
    assert len([m for m in bot.api.sent_to(casey.id) if "New proposals" in m.text]) == 1


async def _asked(bot: Harness) -> bool:
    (asked,) = await _rows(bot, WaitlistRefresh)
    return asked.due_at is not None


async def test_a_look_solved_before_places_went_never_oversells_and_asks_again(
    bot: Harness, monkeypatch
) -> None:
    monkeypatch.setattr(matchmaking, "INLINE_PAIRS", 0)
    casey = bot.user(COORDINATOR_ID)
    for n in range(3):
        await onboard_service_user(bot, 4640 + n)
    robin = await onboard_worker(bot, casey, 4740, "Robin", caseload="3")
    robin_id = (await _rows(bot, Person, telegram_id=robin.id))[0].id

    async def solved_then_a_cap_lowered(deps, person_ids, released=()):
        """The batch as it was solved, with three places; meanwhile Robin lowers her cap."""
        async with transaction(deps.sessions) as session:
            needs = await mapping.needs(session, person_ids)
            offers = await mapping.offers(session)
            profile = await session.get(PeerWorkerProfile, robin_id)
            profile.max_caseload = 1
            session.add(profile)
        week = matching.monday_of(deps.now().astimezone(deps.config.tz).date())
        return matching.solve_waitlist(needs, offers, mapping.weights(deps.config), week)

    monkeypatch.setattr(matchmaking, "solve_waitlist", solved_then_a_cap_lowered)
    await run_sweep(bot)
    holding = [p for p in await _rows(bot, Proposal) if p.status == "review"]
    assert [p.offered_worker_ids for p in holding] == [[robin_id]]  # one place, one card
    assert await _asked(bot)  # the two left out are looked at again by the next sweep


async def test_a_look_that_fails_is_taken_again_by_the_next_sweep(
    bot: Harness, monkeypatch
) -> None:
    monkeypatch.setattr(matchmaking, "INLINE_PAIRS", 0)
    casey = bot.user(COORDINATOR_ID)
    await onboard_service_user(bot, 4650)
    await onboard_worker(bot, casey, 4750, "Robin", caseload="2")
    assert await _asked(bot)

    async def broken(*_args, **_kwargs):
        raise RuntimeError("the worker process died")

    monkeypatch.setattr(matchmaking, "solve_waitlist", broken)
    await run_sweep(bot)  # the sweep logs it and goes on
    assert await _asked(bot)
    assert not [p for p in await _rows(bot, Proposal) if p.status == "review"]
