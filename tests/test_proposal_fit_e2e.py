"""Proposal cards show a fit a coordinator can judge, not a bare score."""

from __future__ import annotations

from bot.config import MatchingWeights
from bot.offers.wording import fit_band, fit_criteria, fit_percent, fit_text
from matching import Availability, Need, Preference, Weight
from tests.conftest import COORDINATOR_ID
from tests.harness import Harness, TelegramUser
from tests.test_matching_workflow_e2e import onboard_worker


async def _wants_a_woman_peer(bot: Harness, telegram_id: int) -> TelegramUser:
    """A service user for whom a woman peer is important, with no nice-to-haves."""
    sam = bot.user(telegram_id, "Sam")
    await sam.send("/start")
    await sam.tap("Continue")
    await sam.tap("I understand")
    await sam.tap("Yes, that's OK")  # matching
    await sam.tap("Yes, that's OK")  # contact
    await sam.tap("Yes, you may")  # evaluation
    if "call you" in sam.last().text:  # what their peer may call them: no name
        await sam.tap("Skip")
    await sam.tap("My own mental health")
    await sam.tap("Psychosis")
    await sam.tap("A hospital admission")
    await sam.tap("Done")
    await sam.tap("English")
    await sam.tap("Done")
    await sam.tap("Important to me")  # language
    await sam.tap("Woman")
    await sam.tap("Done")
    await sam.tap("Important to me")  # gender
    await sam.tap("No preference")  # age
    await sam.tap("Done")
    await sam.tap("No preference")  # community
    await sam.tap("Done")
    await sam.tap("Australia/Brisbane")
    await sam.tap("Tue eve")
    await sam.tap("Thu eve")
    await sam.tap("Done")
    await sam.send("Getting out of the house more")
    await sam.tap("confirm")
    return sam


async def test_the_card_gives_fit_band_points_ties_and_important_preferences(
    bot: Harness,
) -> None:
    casey = bot.user(COORDINATOR_ID, "Casey")
    await onboard_worker(bot, casey, 4301, "Robin", areas=("Psychosis", "A hospital admission"))
    await onboard_worker(bot, casey, 4302, "Alex", times=("Tue eve",))
    await onboard_worker(bot, casey, 4303, "Kim", times=("Tue eve",))
    await onboard_worker(bot, casey, 4304, "Jo", gender="Non-binary")  # ruled out
    await _wants_a_woman_peer(bot, 4401)

    card = casey.last()
    asked, robin, alex, kim = card.text.split("\n\n")[1:5]
    assert "gender Woman (important)" in asked
    # Best possible for Sam: shared experience 40 + times 25 + caseload 10 (no nice-to-haves
    # and nobody to reconnect with, so those cannot score for them).
    assert robin.startswith("1. Robin (W") and "— fit 100% (strong)" in robin
    assert robin.endswith(
        "shared experience 40/40 · times in common 25/25 · room in caseload 10/10 · "
        "meets all their important preferences (gender)"
    )
    # 20 + 12.5 + 10 of 75 = 56%: good, and Alex and Kim are level.
    assert "— fit 56% (good), the same as #3" in alex
    assert "— fit 56% (good), the same as #2" in kim
    assert alex.endswith(
        "shared experience 20/40 · times in common 12/25 · room in caseload 10/10 · "
        "meets all their important preferences (gender)"
    )
    assert "score" not in card.text and "0.00" not in card.text and "nice-to-haves" not in card.text
    assert "Jo" not in card.text

    help_text = (await casey.send("/help"))[-1].text
    assert "Fit on a proposal card" in help_text and "Strong means at least 75%" in help_text


def _need(areas: frozenset[str] = frozenset(), **kw) -> Need:
    return Need(1, "consumer", areas, frozenset({"en"}), Availability("UTC", ()), **kw)


def test_the_best_possible_comes_from_the_configured_weights() -> None:
    weights = MatchingWeights(
        lived_experience=30, availability=30, preferences=20, load=0, continuity=20
    )
    assert fit_criteria(weights, _need()) == {"availability": 30}  # nothing else can score
    everything = _need(
        areas=frozenset({"psychosis"}),
        age_band=Preference(frozenset({"25-34"}), Weight.NICE),
        gender=Preference(frozenset({"woman"}), Weight.IMPORTANT),  # a filter, not points
        reconnect_with=frozenset({7}),
    )
    criteria = fit_criteria(weights, everything)
    assert criteria == {
        "lived_experience": 30,
        "availability": 30,
        "preferences": 20,
        "continuity": 20,  # load weighs nothing here
    }
    components = {
        "lived_experience": 1.0,
        "availability": 0.5,
        "preferences": 0.0,
        "load": 1.0,
        "continuity": 1.0,
    }
    assert fit_percent(components, criteria) == 65  # (30 + 15 + 0 + 20) of 100
    assert fit_percent({**components, "availability": 0.99999}, criteria) == 79  # never rounded up
    assert fit_percent({}, criteria) is None  # picked by hand: nothing was scored
    assert [fit_band(p) for p in (100, 75, 74, 50, 49, 0)] == [
        "strong",
        "strong",
        "good",
        "good",
        "partial",
        "partial",
    ]
    assert fit_text([80, 80, 60], 0) == "fit <b>80%</b> (strong), the same as #2"
    assert fit_text([80, 70, 60], 1) == "fit <b>70%</b> (good)"
    assert fit_text([None], 0) == "picked by hand (no fit score)"
