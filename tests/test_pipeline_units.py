"""Small rules of the update pipeline, without a process or a database."""

from __future__ import annotations

import httpx
from sqlalchemy.exc import OperationalError
from telegram import Bot, Update
from telegram.error import NetworkError, TimedOut

from bot.pipeline.emergency import SafetyFromMemory
from bot.pipeline.faults import database_unavailable
from bot.tg.handling import Handling
from tests.conftest import make_config
from tests.harness import FakeBotApi


def _raised(outer: Exception, inner: Exception) -> Exception:
    try:
        try:
            raise inner
        except Exception as error:
            raise outer from error
    except Exception as error:  # noqa: BLE001
        return error


def test_only_the_database_going_away_is_tried_again_as_such() -> None:
    assert database_unavailable(OperationalError("SELECT", {}, Exception("locked")))
    assert database_unavailable(ConnectionRefusedError())
    # A send that timed out may have arrived: never "the database", never tried again.
    assert not database_unavailable(_raised(NetworkError("x"), httpx.ConnectError("refused")))
    assert not database_unavailable(_raised(TimedOut(), TimeoutError()))
    assert not database_unavailable(ValueError("a bug"))


def _text(update_id: int, text: str) -> dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "chat": {"id": 501, "type": "private"},
            "from": {"id": 501, "is_bot": False, "first_name": "Sam"},
            "text": text,
        },
    }


async def test_the_crisis_lines_go_from_memory_once_per_message() -> None:
    api = FakeBotApi()
    bot = Bot("123456:TEST-token", request=api)
    safety = SafetyFromMemory(make_config(), bot)
    risk = Update.de_json(_text(1, "I want to die"), bot)
    help_now = Update.de_json(_text(2, "/help_now"), bot)
    told = Update.de_json(_text(3, "I want to die"), bot)

    await safety.cover([risk, help_now])
    safety.recovered()  # stored after all; then its handling fails on the database
    await safety.cover([risk, help_now], tell_slow=False)
    safety.note_crisis_lines_sent(3)  # screening sent them while handling update 3
    handling = Handling(3)
    await safety.cover([told], tell_slow=False, handling=handling)

    texts = [call.params.get("text", "") for call in api.methods("sendMessage")]
    assert len(texts) == 2, texts  # the risk phrase once, /help_now once; update 3 not again
    assert all("13 11 14" in text for text in texts)
    assert safety.crisis_lines_sent(1) and safety.crisis_lines_sent(2)


async def test_memory_stands_aside_once_screening_has_looked_or_sent() -> None:
    api = FakeBotApi()
    bot = Bot("123456:TEST-token", request=api)
    safety = SafetyFromMemory(make_config(), bot)
    risk = Update.de_json(_text(4, "I want to die"), bot)

    screened = Handling(4, screened=True)  # e.g. a peer worker's words: staff are not screened
    await safety.cover([risk], tell_slow=False, handling=screened)
    assert api.methods("sendMessage") == []

    slow = Handling(4)  # screening has not got that far: memory answers, and says so
    await safety.cover([risk], tell_slow=False, handling=slow)
    assert slow.crisis_lines_sent and len(api.methods("sendMessage")) == 1
