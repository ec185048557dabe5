"""The sending limiter: even spacing under the overall limit, and a flood wait that holds up
only the chat Telegram named."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from telegram.error import RetryAfter

from bot.tg.ratelimit import ChatPacedRateLimiter


class Recorder:
    def __init__(self, flooded: dict[int, int] | None = None) -> None:
        self.flooded = dict(flooded or {})  # chat -> retry_after, answered once
        self.sent: list[tuple[int, float]] = []

    async def send(self, chat: int) -> dict[str, Any]:
        if chat in self.flooded:
            raise RetryAfter(self.flooded.pop(chat))
        self.sent.append((chat, time.monotonic()))
        return {"ok": True}


async def _send(limiter: ChatPacedRateLimiter, recorder: Recorder, chat: int) -> Any:
    return await limiter.process_request(
        recorder.send, (chat,), {}, "sendMessage", {"chat_id": chat}, None
    )


async def test_sends_are_spaced_evenly_under_the_limit() -> None:
    limiter, recorder = ChatPacedRateLimiter(20, max_retries=1), Recorder()
    await asyncio.gather(*(_send(limiter, recorder, chat) for chat in range(10)))
    times = [at for _chat, at in recorder.sent]
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    assert len(times) == 10
    assert min(gaps) > 0.04  # 1/20 s apart, give or take the timer
    assert times[-1] - times[0] >= 9 * 0.045


async def test_a_flood_wait_holds_up_only_its_chat() -> None:
    limiter, recorder = ChatPacedRateLimiter(29, max_retries=2), Recorder({1: 2})
    outcomes: list[str] = []
    limiter.on_outcome = outcomes.append
    started = time.monotonic()
    flooded = asyncio.create_task(_send(limiter, recorder, 1))
    await asyncio.sleep(0.05)
    await _send(limiter, recorder, 2)
    other_done = time.monotonic() - started
    await flooded
    flooded_done = time.monotonic() - started

    assert other_done < 0.5, other_done
    assert flooded_done >= 2.0
    assert [chat for chat, _at in recorder.sent] == [2, 1]
    assert outcomes == ["retry_after", "sent", "sent"]


async def test_a_flood_wait_without_a_chat_holds_up_everything() -> None:
    limiter = ChatPacedRateLimiter(29, max_retries=2)
    calls: list[float] = []
    answered = {"first": False}

    async def get_me() -> bool:
        if not answered["first"]:
            answered["first"] = True
            raise RetryAfter(1)
        calls.append(time.monotonic())
        return True

    started = time.monotonic()
    waiting = asyncio.create_task(limiter.process_request(get_me, (), {}, "getMe", {}, None))
    await asyncio.sleep(0.05)
    recorder = Recorder()
    await _send(limiter, recorder, 5)
    await waiting
    assert recorder.sent[0][1] - started >= 1.0
