"""The inbox on a real database: stored once, claimed one chat at a time in order, finished
with its content gone, purged after ``pipeline.keep_handled``."""

from __future__ import annotations

import json
from datetime import timedelta

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
