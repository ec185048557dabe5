"""/help_now says the configured emergency number, not a hard-coded pair of countries."""

from __future__ import annotations

from tests.conftest import make_config
from tests.harness import Harness


async def test_help_now_says_the_default_australian_emergency_number(bot: Harness) -> None:
    replies = await bot.user(6101).send("/help_now")

    assert "call emergency services on 000" in replies[-1].text
    assert "999 in the UK" not in replies[-1].text
    assert "13 11 14" in replies[-1].text  # the crisis lines are still there


async def test_help_now_says_the_configured_emergency_number(start_bot, database) -> None:
    url, _engine = database
    bot = await start_bot(make_config(url, service={"emergency_number": "999"}))

    replies = await bot.user(6102).send("/help_now")

    assert "call emergency services on 999" in replies[-1].text
    assert "000" not in replies[-1].text


async def test_the_crisis_reply_after_a_risk_phrase_says_the_configured_number(
    start_bot, database
) -> None:
    url, _engine = database
    bot = await start_bot(make_config(url, service={"emergency_number": "111"}))
    person = bot.user(6103)
    await person.send("/start")

    replies = await person.send("I want to kill myself")

    crisis = next(r for r in replies if "not a crisis service" in r.text)
    assert "In an emergency, call 111." in crisis.text
