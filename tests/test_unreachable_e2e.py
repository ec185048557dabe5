"""One policy for someone Telegram says we cannot reach, whichever path finds out.

Forbidden (blocked) and a BadRequest saying the chat or the account is gone ("chat not
found", "user is deactivated") mean the person cannot be reached: they are marked
unreachable, the coordinators are told once, and the message is not retried. Anything else is
about the one message and keeps its own handling.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.models import OutboxMessage, Person
from bot.notify import unreachable
from tests.conftest import COORDINATOR_ID
from tests.harness import Call, FakeBotApi, Harness
from tests.test_checkins_e2e import first_checkin_asked
from tests.test_matching_workflow_e2e import onboard_service_user, onboard_worker, run_sweep
from tests.test_onboarding_e2e import _person, _rows
from tests.test_relay_e2e import matched_pair

CANNOT_REACH = "can't reach them"  # the coordinators' notice


@dataclass
class GoneChatApi(FakeBotApi):
    """Telegram for chats that no longer exist: 400 "Bad Request: chat not found"."""

    gone: set[int] = field(default_factory=set)

    async def do_request(self, url, method, request_data=None, *args, **kwargs):
        params = dict(request_data.parameters) if request_data else {}
        chat_id = params.get("chat_id")
        if chat_id is not None and int(chat_id) in self.gone:
            self.calls.append(Call(url.rsplit("/", 1)[-1], params))
            body = {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
            return 400, json.dumps(body).encode()
        return await super().do_request(url, method, request_data, *args, **kwargs)

    def attempts_to(self, chat_id: int) -> int:
        return sum(1 for c in self.calls if str(c.params.get("chat_id")) == str(chat_id))


def _told_coordinators(bot: Harness) -> list[str]:
    return [m.text for m in bot.api.sent_to(COORDINATOR_ID) if CANNOT_REACH in m.text]


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (Forbidden("Forbidden: bot was blocked by the user"), True),
        (Forbidden("Forbidden: user is deactivated"), True),
        (BadRequest("Bad Request: chat not found"), True),
        (BadRequest("Chat not found"), True),
        (BadRequest("Bad Request: user is deactivated"), True),
        (BadRequest("Bad Request: message is not modified"), False),
        (BadRequest("Bad Request: message text is empty"), False),
        (NetworkError("Bad Gateway"), False),
        (TimedOut(), False),
        (RetryAfter(5), False),
    ],
)
def test_one_rule_decides_who_cannot_be_reached(error, expected) -> None:
    assert unreachable(error) is expected


@pytest.fixture
async def gone(start_bot) -> Harness:
    return await start_bot(api=GoneChatApi())


async def test_a_scheduled_message_to_a_chat_that_is_gone(gone: Harness, clock) -> None:
    robin, sam = await matched_pair(gone, 5301, 5401)
    await sam.send("Hello")  # first contact made, so the next thing due is a check-in
    await sam.tap("Weekly")
    await sam.tap("Tue")
    await sam.tap("6:00\u202fpm")
    gone.api.gone.add(sam.id)
    clock.now = datetime(2026, 3, 3, 8, 5, tzinfo=UTC)  # the check-in is due

    await run_sweep(gone)  # the check-in fails; the coordinators' notice is queued
    await run_sweep(gone)  # ... and sent
    assert (await _person(gone, sam)).reachable is False
    (row,) = [r for r in await _rows(gone, OutboxMessage) if r.telegram_id == sam.id]
    assert row.failed and row.sent_at is None
    sam_ref = f"U{(await _person(gone, sam)).id}"
    assert [sam_ref in text for text in _told_coordinators(gone)] == [True]

    attempts = gone.api.attempts_to(sam.id)
    clock.advance(days=1)
    await run_sweep(gone)
    await run_sweep(gone)
    assert gone.api.attempts_to(sam.id) == attempts  # not retried
    assert len(_told_coordinators(gone)) == 1  # told once


async def test_a_relayed_message_and_an_edit_to_a_chat_that_is_gone(gone: Harness) -> None:
    robin, sam = await matched_pair(gone, 5302, 5402)
    await sam.send("See you Thursdy")
    typo_id = sam.last_sent_id
    gone.api.gone.add(robin.id)

    replies = await sam.send("Are you there?")
    assert "couldn't be delivered" in replies[-1].text
    assert "try again" not in replies[-1].text  # it is not a passing failure
    assert (await _person(gone, robin)).reachable is False
    await run_sweep(gone)
    robin_ref = f"W{(await _person(gone, robin)).id}"
    assert [robin_ref in text for text in _told_coordinators(gone)] == [True]

    await sam.edit(typo_id, "See you Thursday")  # an edit finds the same: no crash
    assert "couldn't be delivered" in sam.last().text
    await sam.send("Hello?")
    await run_sweep(gone)
    assert len(_told_coordinators(gone)) == 1  # told once, however often it is found out


async def test_a_notice_to_a_chat_that_is_gone(gone: Harness) -> None:
    casey = gone.user(COORDINATOR_ID)
    robin = await onboard_worker(gone, casey, 5303, "Robin", caseload="3")
    sam = await onboard_service_user(gone, 5403)
    await casey.tap("Offer only Robin")
    gone.api.gone.add(robin.id)
    await sam.tap("Choose Robin")  # the request to Robin is a notice, sent at once
    assert (await _person(gone, robin)).reachable is False
    await run_sweep(gone)
    robin_ref = f"W{(await _person(gone, robin)).id}"
    assert [robin_ref in text for text in _told_coordinators(gone)] == [True]
    # Hearing from them again undoes it (they may have come back).
    gone.api.gone.clear()
    await robin.send("/start")
    (worker_row,) = await _rows(gone, Person, telegram_id=robin.id)
    assert worker_row.reachable is True


async def test_a_check_in_note_to_a_worker_who_is_gone(gone: Harness, clock) -> None:
    """A note is the person's own words: they are told it did not arrive, as in the relay."""
    robin, sam = await matched_pair(gone, 5304, 5404)
    await first_checkin_asked(gone, clock, sam)
    await sam.tap("4")
    await sam.tap("No, I'm OK")
    gone.api.gone.add(robin.id)

    replies = await sam.send("A good week, thanks")
    assert "couldn't be delivered" in replies[-1].text
    assert (await _person(gone, robin)).reachable is False
    await run_sweep(gone)
    robin_ref = f"W{(await _person(gone, robin)).id}"
    assert [robin_ref in text for text in _told_coordinators(gone)] == [True]


@dataclass
class BusyApi(FakeBotApi):
    """Telegram failing for a moment on copies: a 500 that is about this message only."""

    busy: bool = False

    async def do_request(self, url, method, request_data=None, *args, **kwargs):
        if self.busy and url.endswith("/copyMessage"):
            body = {"ok": False, "error_code": 500, "description": "Internal Server Error"}
            return 500, json.dumps(body).encode()
        return await super().do_request(url, method, request_data, *args, **kwargs)


async def test_a_relayed_message_that_fails_for_a_moment(start_bot) -> None:
    busy = await start_bot(api=BusyApi())
    robin, sam = await matched_pair(busy, 5305, 5405)
    busy.api.busy = True
    replies = await sam.send("Are you there?")
    assert "try again" in replies[-1].text  # a passing failure: worth sending again
    assert (await _person(busy, robin)).reachable is True
    busy.api.busy = False
    await sam.send("Are you there?")
    assert "Are you there?" in robin.last().text
