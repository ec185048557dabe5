"""The inbox on a real database: stored once, claimed one chat at a time in order, finished
with its content gone, purged after ``pipeline.keep_handled``."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select
from telegram import Bot

from bot.db import session_factory, transaction
from bot.deps import Deps
from bot.models import InboxUpdate
from bot.pipeline import inbox
from bot.pipeline.inbox import Outcome
from tests.conftest import TOKEN, make_config

LEASE = timedelta(seconds=30)
BOT = Bot(TOKEN)


def raw(update_id: int, chat: int, text: str = "hello") -> dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "chat": {"id": chat, "type": "private"},
            "from": {"id": chat, "is_bot": False, "first_name": "Sam"},
            "text": text,
        },
    }


async def rows(sessions) -> list[InboxUpdate]:
    async with transaction(sessions) as session:
        return list((await session.exec(select(InboxUpdate).order_by(InboxUpdate.update_id))).all())


async def test_a_repeated_update_is_stored_once_and_an_unreadable_one_set_aside(
    database, clock
) -> None:
    sessions = session_factory(database[1])
    first = [inbox.arrival_of(raw(1, 10), BOT), inbox.arrival_of(raw(2, 10), BOT)]
    await inbox.store(sessions, first, clock())
    unreadable = {"update_id": 3, "message": {"chat": "not a chat"}}
    again = [inbox.arrival_of(raw(2, 10, "changed"), BOT), inbox.arrival_of(unreadable, BOT)]
    await inbox.store(sessions, again, clock())
    assert inbox.arrival_of({"no": "id"}, BOT) is None

    stored = await rows(sessions)
    assert [row.update_id for row in stored] == [1, 2, 3]
    assert json.loads(stored[1].payload)["message"]["text"] == "hello"  # the first copy
    assert (stored[2].payload, stored[2].outcome) == (None, Outcome.SET_ASIDE.value)
    assert stored[2].handled_at is not None


async def test_one_chat_at_a_time_in_order_and_never_by_two_claimers(database, clock) -> None:
    sessions = session_factory(database[1])
    updates = [raw(1, 10), raw(2, 20), raw(3, 10), raw(4, 30), raw(5, 10)]
    await inbox.store(sessions, [inbox.arrival_of(u, BOT) for u in updates], clock())

    mine = await inbox.claim(sessions, "a", 10, clock(), LEASE, set())
    assert [row.update_id for row in mine] == [1, 2, 4]  # each chat's head only
    theirs = await inbox.claim(sessions, "b", 10, clock(), LEASE, set())
    assert theirs == []  # every head is leased

    following = await inbox.finish(sessions, "a", mine[0], Outcome.HANDLED, clock(), LEASE)
    assert following is not None and following.update_id == 3
    assert await inbox.claim(sessions, "b", 10, clock(), LEASE, set()) == []

    clock.advance(seconds=31)  # "a" died: its leases lapse and "b" takes over, in order
    taken = await inbox.claim(sessions, "b", 10, clock(), LEASE, set())
    assert [row.update_id for row in taken] == [2, 3, 4]

    handled = (await rows(sessions))[0]
    assert (handled.payload, handled.outcome, handled.claimed_by) == (None, "handled", None)


async def test_purge_forgets_handled_updates_after_keep_handled(database, clock) -> None:
    sessions = session_factory(database[1])
    deps = Deps(config=make_config(database[0]), sessions=sessions, clock=clock)
    await inbox.store(sessions, [inbox.arrival_of(raw(1, 10), BOT)], clock())
    await inbox.store(sessions, [inbox.arrival_of(raw(2, 10), BOT)], clock())
    (head,) = await inbox.claim(sessions, "a", 1, clock(), LEASE, set())
    await inbox.finish(sessions, "a", head, Outcome.HANDLED, clock(), LEASE, claim_next=False)

    clock.advance(days=3)
    async with transaction(sessions) as session:
        await inbox.purge(deps, session)

    assert [row.update_id for row in await rows(sessions)] == [2]  # the unhandled one stays
    backlog = await inbox.backlog(sessions)
    assert backlog.waiting == 1 and backlog.oldest_received_at is not None


async def test_a_process_whose_lease_lapsed_cannot_finish_what_another_took_over(
    database, clock
) -> None:
    sessions = session_factory(database[1])
    arrivals = [inbox.arrival_of(raw(1, 10), BOT), inbox.arrival_of(raw(2, 10), BOT)]
    await inbox.store(sessions, arrivals, clock())
    (mine,) = await inbox.claim(sessions, "a", 5, clock(), LEASE, set())
    clock.advance(seconds=31)  # "a" was cut off from the database longer than its lease
    (theirs,) = await inbox.claim(sessions, "b", 5, clock(), LEASE, set())
    assert mine.update_id == theirs.update_id == 1

    assert await inbox.hold(sessions, "a", 1, clock(), LEASE) is False  # before a retry
    with pytest.raises(inbox.LeaseLost):
        await inbox.finish(sessions, "a", mine, Outcome.HANDLED, clock(), LEASE)
    following = await inbox.finish(sessions, "b", theirs, Outcome.HANDLED, clock(), LEASE)
    assert following is not None and following.update_id == 2  # "a" never took update 2


async def test_renewing_keeps_only_the_updates_in_hand(database, clock) -> None:
    sessions = session_factory(database[1])
    arrivals = [inbox.arrival_of(raw(1, 10), BOT), inbox.arrival_of(raw(2, 20), BOT)]
    await inbox.store(sessions, arrivals, clock())
    await inbox.claim(sessions, "a", 5, clock(), LEASE, set())
    clock.advance(seconds=20)
    await inbox.renew(sessions, "a", [1], clock(), LEASE)  # only chat 10 is being handled
    clock.advance(seconds=20)
    taken = await inbox.claim(sessions, "b", 5, clock(), LEASE, set())
    assert [row.update_id for row in taken] == [2]  # the claim nobody worked on lapsed


async def test_erasure_takes_the_inbox_notes_of_their_chat(database, clock) -> None:
    from bot.privacy import erasure
    from tests import factories

    deps = await factories.deps_for(database, clock)
    async with transaction(deps.sessions) as session:
        person = await factories.service_user(session, telegram_id=7777, status="waiting")
    telegram_id = person.telegram_id
    await inbox.store(deps.sessions, [inbox.arrival_of(raw(1, telegram_id), BOT)], clock())
    await inbox.store(deps.sessions, [inbox.arrival_of(raw(2, telegram_id), BOT)], clock())
    (head,) = await inbox.claim(deps.sessions, "a", 1, clock(), LEASE, set())
    await inbox.finish(deps.sessions, "a", head, Outcome.HANDLED, clock(), LEASE, claim_next=False)

    async with transaction(deps.sessions) as session:
        await erasure.erase(deps, session, person, actor_id=None, reason=erasure.RETENTION)

    # The handled note is gone; the one still waiting is handled first, then purged.
    assert [row.update_id for row in await rows(deps.sessions)] == [2]


async def test_a_finish_tried_again_after_its_answer_was_lost_goes_on(database, clock) -> None:
    sessions = session_factory(database[1])
    arrivals = [inbox.arrival_of(raw(1, 10), BOT), inbox.arrival_of(raw(2, 10), BOT)]
    await inbox.store(sessions, arrivals, clock())
    (head,) = await inbox.claim(sessions, "a", 5, clock(), LEASE, set())
    following = await inbox.finish(sessions, "a", head, Outcome.HANDLED, clock(), LEASE)
    # The commit went through but its answer never came back: the same finish again.
    again = await inbox.finish(sessions, "a", head, Outcome.HANDLED, clock(), LEASE)
    assert following is not None and again is not None
    assert again.update_id == following.update_id == 2


async def test_only_the_store_waits_for_the_disk(database, clock, monkeypatch) -> None:
    """What Telegram is told we have is on disk before the answer; the results of handling
    are committed without waiting for it (bot.db: a power cut can only have them redone)."""
    _url, engine = database
    sessions = session_factory(engine)
    sqlite = engine.dialect.name == "sqlite"
    ask = text("PRAGMA synchronous" if sqlite else "SHOW synchronous_commit")

    async def level(durable: bool) -> object:
        async with transaction(sessions, durable=durable) as session:
            return (await session.exec(ask)).one()[0]

    levels = [await level(True), await level(False), await level(True), await level(False)]
    assert levels == ([2, 1, 2, 1] if sqlite else ["on", "off", "on", "off"])  # 2 FULL, 1 NORMAL

    asked = []
    real = inbox.transaction

    def recording(sessions, durable=False):
        asked.append(durable)
        return real(sessions, durable=durable)

    monkeypatch.setattr(inbox, "transaction", recording)
    await inbox.store(sessions, [inbox.arrival_of(raw(1, 10), BOT)], clock())
    assert asked == [True]
