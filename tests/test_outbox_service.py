"""The outbox on a real database: claimed one chat at a time in order and never by two
senders, safety's messages first, a lapsed lease taken over, sent text emptied at once and
rows purged after ``outbox.keep_sent``; and the sweeps led by one process at a time."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlmodel import select
from telegram import Bot

from bot import outbox, scheduler
from bot.db import session_factory, transaction
from bot.deps import Deps
from bot.models import OutboxMessage
from bot.notify import Notice, Reply
from bot.outbox import Outcome
from bot.pipeline.sending import send_queued
from tests.conftest import TOKEN, make_config
from tests.harness import FakeBotApi

LEASE = timedelta(seconds=30)


def deps_for(database, clock) -> Deps:
    url, engine = database
    return Deps(config=make_config(url), sessions=session_factory(engine), clock=clock)


async def queue(deps: Deps, *messages: tuple[int, str], urgent: bool = False) -> None:
    async with transaction(deps.sessions) as session:
        notices = [Notice(chat, Reply(text)) for chat, text in messages]
        outbox.enqueue(deps, session, notices, urgent=urgent)


async def rows(deps: Deps) -> list[OutboxMessage]:
    async with transaction(deps.sessions) as session:
        return list((await session.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def test_one_chat_at_a_time_in_order_and_never_by_two_senders(database, clock) -> None:
    deps = deps_for(database, clock)
    await queue(deps, (10, "a1"), (20, "b1"), (10, "a2"), (30, "c1"), (10, "a3"))

    mine = await outbox.claim(deps.sessions, "one", 10, clock(), LEASE, set())
    assert [row.text for row in mine] == ["a1", "b1", "c1"]  # each chat's head only
    assert await outbox.claim(deps.sessions, "two", 10, clock(), LEASE, set()) == []

    following = await outbox.finish(deps, "one", mine[0], Outcome.SENT, LEASE)
    assert following is not None and following.text == "a2"  # the chat stays with "one"
    assert await outbox.claim(deps.sessions, "two", 10, clock(), LEASE, set()) == []

    clock.advance(seconds=31)  # "one" died: its leases lapse and "two" takes over, in order
    taken = await outbox.claim(deps.sessions, "two", 10, clock(), LEASE, set())
    assert [row.text for row in taken] == ["b1", "a2", "c1"]
    # "one" comes back to record a send it made long ago: nothing changes, nothing follows.
    assert await outbox.finish(deps, "one", following, Outcome.SENT, LEASE) is None
    assert next(r for r in await rows(deps) if r.id == following.id).sent_at is None

    sent = (await rows(deps))[0]
    assert (sent.text, sent.buttons, sent.claimed_by) == ("", [], None)  # text gone at once
    assert sent.sent_at is not None


async def test_safety_goes_before_everything_already_waiting(database, clock) -> None:
    deps = deps_for(database, clock)
    await queue(deps, *[(100 + n, "news") for n in range(50)])
    await queue(deps, (7, "still not acknowledged"), urgent=True)

    (first,) = await outbox.claim(deps.sessions, "one", 1, clock(), LEASE, set())
    assert first.text == "still not acknowledged"


async def test_safety_goes_first_within_a_chat_too(database, clock) -> None:
    deps = deps_for(database, clock)
    await queue(deps, (7, "unreachable: U1"), (7, "unreachable: U2"))
    await queue(deps, (7, "still not acknowledged"), urgent=True)

    (first,) = await outbox.claim(deps.sessions, "one", 10, clock(), LEASE, set())
    assert first.text == "still not acknowledged"
    following = await outbox.finish(deps, "one", first, Outcome.SENT, LEASE)
    assert following.text == "unreachable: U1"  # then the rest, in the order queued


async def test_a_record_whose_answer_was_lost_carries_on_with_the_chat(database, clock) -> None:
    deps = deps_for(database, clock)
    await queue(deps, (10, "first"), (10, "second"))
    (head,) = await outbox.claim(deps.sessions, "one", 10, clock(), LEASE, set())
    following = await outbox.finish(deps, "one", head, Outcome.SENT, LEASE)
    # The commit went through but its answer was lost: the sender records it again.
    again = await outbox.finish(deps, "one", head, Outcome.SENT, LEASE)
    assert again is not None and again.id == following.id and again.text == "second"
    assert await outbox.finish(deps, "two", head, Outcome.SENT, LEASE) is None  # not theirs


async def test_a_passing_failure_holds_its_chat_back_until_the_pause_is_over(
    database, clock
) -> None:
    deps = deps_for(database, clock)
    await queue(deps, (10, "first"), (10, "second"))
    (head,) = await outbox.claim(deps.sessions, "one", 10, clock(), LEASE, set())
    retry_at = clock() + timedelta(seconds=5)
    assert await outbox.finish(deps, "one", head, Outcome.LATER, LEASE, retry_at) is None

    assert await outbox.claim(deps.sessions, "one", 10, clock(), LEASE, set()) == []
    clock.advance(seconds=6)
    (again,) = await outbox.claim(deps.sessions, "two", 10, clock(), LEASE, set())
    assert (again.text, again.attempts) == ("first", 1)  # and "second" still waits behind


async def test_two_senders_at_once_send_each_message_once_in_order(database, clock) -> None:
    deps = deps_for(database, clock)
    await queue(deps, *[(chat, f"{chat}:{n}") for n in range(4) for chat in range(1, 31)])
    api = FakeBotApi()
    bot = Bot(TOKEN, request=api)
    await asyncio.gather(send_queued(bot, deps, "one"), send_queued(bot, deps, "two"))

    texts = [m.text for m in api.messages.values()]
    assert sorted(texts) == sorted(f"{chat}:{n}" for n in range(4) for chat in range(1, 31))
    for chat in range(1, 31):
        assert [t for t in texts if t.split(":")[0] == str(chat)] == [
            f"{chat}:{n}" for n in range(4)
        ]


async def test_purge_forgets_sent_and_failed_rows_after_keep_sent(database, clock) -> None:
    deps = deps_for(database, clock)
    await queue(deps, (10, "sent"), (20, "failed"), (30, "waiting"))
    claimed = await outbox.claim(deps.sessions, "one", 2, clock(), LEASE, set())
    await outbox.finish(deps, "one", claimed[0], Outcome.SENT, LEASE)
    await outbox.finish(deps, "one", claimed[1], Outcome.REFUSED, LEASE)

    clock.advance(days=2, seconds=1)
    async with transaction(deps.sessions) as session:
        assert await outbox.purge(deps, session) == []
    assert [row.text for row in await rows(deps)] == ["waiting"]  # unsent is never purged


async def test_one_process_leads_the_sweeps_until_its_lease_lapses(database, clock) -> None:
    deps = deps_for(database, clock)
    every, lease = timedelta(minutes=1), timedelta(seconds=37)
    lead = scheduler.lead

    assert await lead(deps.sessions, "one", clock(), lease, every) == (True, True)
    assert await lead(deps.sessions, "two", clock(), lease, every) == (False, False)
    clock.advance(seconds=15)
    assert await lead(deps.sessions, "one", clock(), lease, every) == (True, False)  # renewed
    clock.advance(seconds=45)
    assert await lead(deps.sessions, "one", clock(), lease, every) == (True, True)  # due again
    swept_at = clock()

    clock.advance(seconds=38)  # "one" died after that tick; its last sweep was 38 s ago
    assert await lead(deps.sessions, "two", clock(), lease, every) == (True, False)
    assert await lead(deps.sessions, "one", clock(), lease, every) == (False, False)
    await scheduler.step_down(deps.sessions, "two")  # stopping: "one" may lead at once
    clock.advance(seconds=22)
    assert await lead(deps.sessions, "one", clock(), lease, every) == (True, True)
    assert await scheduler.last_sweep_at(deps.sessions) == clock() != swept_at
