"""The update loop never dies: failures, blocked recipients, other chats."""

from __future__ import annotations

import logging

import pytest

from bot.models import Person
from bot.onboarding import service as onboarding
from tests.conftest import COORDINATOR_ID
from tests.harness import Harness
from tests.test_onboarding_e2e import _person, _rows
from tests.test_workers_e2e import build_worker_profile, new_invite


async def test_a_failing_handler_gets_a_kind_reply_and_the_bot_carries_on(
    bot: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    sam = bot.user(3001)

    async def broken(*_args, **_kwargs):
        detail = "personal detail"  # built at run time, so the traceback's source lines lack it
        raise RuntimeError(f"secret {detail} in the message")

    monkeypatch.setattr(onboarding, "begin", broken)
    with caplog.at_level(logging.INFO):
        replies = await sam.send("/start")
    assert "something went wrong on our side" in replies[-1].text
    assert "RuntimeError" in caplog.text
    assert "secret personal detail" not in caplog.text  # the exception text is never logged
    monkeypatch.undo()
    replies = await sam.send("/start")
    assert "not a crisis service" in replies[-1].text


async def test_a_coordinator_who_blocked_the_bot_does_not_stop_a_submission(bot: Harness) -> None:
    coordinator = bot.user(COORDINATOR_ID)
    robin = bot.user(3002)
    code = await new_invite(coordinator)
    await build_worker_profile(robin, code)
    bot.api.blocked.add(COORDINATOR_ID)
    replies = await robin.tap("Send for approval")
    assert "gone to a coordinator" in replies[-1].text
    assert (await _person(bot, robin)).status == "pending_approval"
    (coordinator_row,) = await _rows(bot, Person, telegram_id=COORDINATOR_ID)
    assert coordinator_row.reachable is False
    # Talking to the bot again marks them reachable.
    bot.api.blocked.clear()
    await coordinator.send("/pending")
    (coordinator_row,) = await _rows(bot, Person, telegram_id=COORDINATOR_ID)
    assert coordinator_row.reachable is True


async def test_group_chats_are_ignored(bot: Harness) -> None:
    before = len(bot.api.methods("sendMessage"))
    await bot.process(
        {
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": -100, "type": "group", "title": "Team"},
                "from": {"id": 3003, "is_bot": False, "first_name": "X"},
                "text": "/start",
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            }
        }
    )
    assert len(bot.api.methods("sendMessage")) == before
    assert await _rows(bot, Person, telegram_id=3003) == []


async def test_edited_messages_and_other_updates_do_not_crash(bot: Harness) -> None:
    await bot.process(
        {
            "edited_message": {
                "message_id": 5,
                "date": 0,
                "edit_date": 1,
                "chat": {"id": 3004, "type": "private", "first_name": "E"},
                "from": {"id": 3004, "is_bot": False, "first_name": "E"},
                "text": "changed",
            }
        }
    )
    sam = bot.user(3004)
    replies = await sam.send("/start")
    assert "not a crisis service" in replies[-1].text


async def test_a_message_or_an_edit_of_spaces_alone_is_handled(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """(Found by tests/test_fuzz.py: the flood check read the first word of a text that had
    none.)"""
    sam = bot.user(3005)
    await sam.send("/start")
    with caplog.at_level(logging.ERROR):
        replies = await sam.send("\t  ")
        await sam.edit(1, "\t")
    assert replies and not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_polling_network_errors_are_one_warning_line(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    from telegram.error import NetworkError
    from telegram.ext import CallbackContext

    from bot.tg.errors import error_handler

    context = CallbackContext(bot.application)
    context.error = NetworkError("httpx.ConnectError: All connection attempts failed")
    with caplog.at_level(logging.INFO):
        await error_handler(None, context)
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert "Traceback" not in caplog.text and "retrying" in caplog.text


async def test_editing_a_command_does_not_run_it_again(bot: Harness) -> None:
    """An edited '/extend R5 2w …' must not extend twice: edits never reach a command."""
    casey = bot.user(COORDINATOR_ID)
    await casey.send("/dashboard")
    sent = len(bot.api.methods("sendMessage")) + len(bot.api.methods("sendDocument"))
    for command in ("/dashboard", "/mydata", "/help"):
        await bot.process(
            {
                "edited_message": {
                    "message_id": casey.last_sent_id,
                    "date": 0,
                    "edit_date": 1,
                    "chat": {"id": COORDINATOR_ID, "type": "private", "first_name": "C"},
                    "from": {"id": COORDINATOR_ID, "is_bot": False, "first_name": "C"},
                    "text": command,
                    "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}],
                }
            }
        )
    assert len(bot.api.methods("sendMessage")) + len(bot.api.methods("sendDocument")) == sent


async def test_a_button_from_an_older_version_loses_its_keyboard(bot: Harness) -> None:
    sam = bot.user(3005)
    await sam.send("/start")
    message = sam.last_with_buttons()
    await sam.press("zz|retired|1", message=message)  # a layout no action has any more
    assert "earlier message" in sam.toasts()[-1]
    assert len(bot.api.methods("editMessageReplyMarkup")) == 1
    await sam.press("zz|1²", message=message)  # forged: refused, nothing else touched
    assert len(bot.api.methods("editMessageReplyMarkup")) == 1
