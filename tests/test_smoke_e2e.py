from tests.harness import Harness


async def test_start_shows_welcome(bot: Harness) -> None:
    alice = bot.user(1001)
    replies = await alice.send("/start")
    assert "not a crisis service" in replies[-1].text
    replies = await alice.tap("Continue")
    assert "Limits of confidentiality" in replies[-1].text
