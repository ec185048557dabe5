"""Scheduling loses nothing and repeats nothing across a stop and a new start."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from bot.models import OutboxMessage
from bot.pipeline.sending import send_queued
from bot.scheduler import sweep
from tests.conftest import COORDINATOR_ID
from tests.harness import FakeBotApi, Harness
from tests.test_matching_workflow_e2e import onboard_service_user, onboard_worker, run_sweep
from tests.test_onboarding_e2e import _rows

CHECKIN = "quick check-in"


@dataclass
class HangingBotApi(FakeBotApi):
    """Answers like Telegram, but never answers the n-th check-in it is asked to send: the
    process is stopped hard while that send is in flight."""

    hang_on: int = 0
    _checkins: int = 0
    in_flight: asyncio.Event = field(default_factory=asyncio.Event)

    async def do_request(self, url, method, request_data=None, *args, **kwargs):
        params = dict(request_data.parameters) if request_data else {}
        if url.endswith("/sendMessage") and CHECKIN in str(params.get("text", "")):
            self._checkins += 1
            if self._checkins == self.hang_on:
                self.in_flight.set()
                await asyncio.Event().wait()  # until cancelled, never delivered
        return await super().do_request(url, method, request_data, *args, **kwargs)


async def _matched_with_checkins(bot: Harness, count: int) -> list[int]:
    casey = bot.user(COORDINATOR_ID)
    robin = await onboard_worker(bot, casey, 5701, "Robin", caseload=str(count))
    users = []
    for i in range(count):
        sam = await onboard_service_user(bot, 5800 + i)
        await casey.tap("Offer only Robin")
        await sam.tap("Choose Robin")
        await robin.tap("Accept")
        await sam.send("Hello")  # first contact, so only check-ins are due later
        await sam.tap("Weekly")
        await sam.tap("Tue")
        await sam.tap("6:00\u202fpm")
        users.append(sam.id)
    return users


def _checkins_to(apis: list[FakeBotApi], users: list[int]) -> Counter:
    counts: Counter = Counter()
    for api in apis:
        for user in users:
            counts[user] += sum(CHECKIN in m.text for m in api.sent_to(user))
    return counts


async def test_a_stop_between_scheduling_and_due_time_loses_nothing(
    bot: Harness, start_bot, clock
) -> None:
    users = await _matched_with_checkins(bot, 2)
    await bot.application.shutdown()  # stopped before anything is due

    clock.now = datetime(2026, 3, 3, 8, 5, tzinfo=UTC)
    restarted = await start_bot()
    await run_sweep(restarted)
    await run_sweep(restarted)
    assert _checkins_to([bot.api, restarted.api], users) == Counter({u: 1 for u in users})


async def test_a_hard_stop_mid_batch_sends_each_message_exactly_once(
    bot: Harness, start_bot, clock
) -> None:
    users = await _matched_with_checkins(bot, 4)
    clock.now = datetime(2026, 3, 3, 8, 5, tzinfo=UTC)
    stopping = await start_bot(api=HangingBotApi(hang_on=3))
    await sweep(SimpleNamespace(application=stopping.application))
    deps = stopping.application.bot_data["deps"]
    sending = asyncio.create_task(send_queued(stopping.application.bot, deps))
    await asyncio.wait_for(stopping.api.in_flight.wait(), timeout=10)
    await asyncio.sleep(0.2)  # the others go through
    sending.cancel()  # no goodbye: its claims stay until their lease lapses
    with pytest.raises(asyncio.CancelledError):
        await sending
    assert sum(_checkins_to([stopping.api], users).values()) == 3
    await stopping.application.shutdown()

    clock.now += timedelta(minutes=1)  # past the dead sender's lease
    restarted = await start_bot()  # a new process on the same database
    await run_sweep(restarted)
    await run_sweep(restarted)
    counts = _checkins_to([bot.api, stopping.api, restarted.api], users)
    assert counts == Counter({u: 1 for u in users})  # nothing lost, nothing twice
    assert all(row.sent_at is not None for row in await _rows(restarted, OutboxMessage))


@dataclass
class FlakyChatApi(FakeBotApi):
    """One chat's messages always fail with a network error; everyone else's go through."""

    flaky_chat: int = 0

    async def do_request(self, url, method, request_data=None, *args, **kwargs):
        params = dict(request_data.parameters) if request_data else {}
        if url.endswith("/sendMessage") and int(params.get("chat_id") or 0) == self.flaky_chat:
            return 502, b'{"ok": false, "error_code": 502, "description": "Bad Gateway"}'
        return await super().do_request(url, method, request_data, *args, **kwargs)


async def test_one_stubborn_message_never_holds_up_the_others(
    bot: Harness, start_bot, clock
) -> None:
    users = await _matched_with_checkins(bot, 3)
    clock.now = datetime(2026, 3, 3, 8, 5, tzinfo=UTC)
    flaky = await start_bot(api=FlakyChatApi(flaky_chat=users[0]))
    await asyncio.wait_for(run_sweep(flaky), timeout=20)  # returns: no endless retry
    counts = _checkins_to([flaky.api], users)
    assert counts[users[0]] == 0 and counts[users[1]] == counts[users[2]] == 1
    unsent = [row for row in await _rows(flaky, OutboxMessage) if row.sent_at is None]
    assert len(unsent) == 1 and not unsent[0].failed  # kept, tried again after a pause
    assert unsent[0].attempts == 1 and unsent[0].claimed_until > clock.now

    clock.now += timedelta(seconds=10)  # past the pause
    recovered = await start_bot()
    await run_sweep(recovered)
    assert _checkins_to([flaky.api, recovered.api], users) == Counter({u: 1 for u in users})
