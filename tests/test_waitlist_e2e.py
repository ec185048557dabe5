"""An honest waitlist: one definition of waiting for /waitlist and /dashboard, reasons as they
stand now, who has a card in review, and a person kept out by their own choices told kindly
what would widen them (never that nobody is free)."""

from __future__ import annotations

import re

from tests.conftest import COORDINATOR_ID
from tests.harness import Harness
from tests.test_matching_workflow_e2e import onboard_service_user, onboard_worker

NOBODY_FREE = "there isn't a peer worker free"
THEIR_TIMES = "none of our peer workers is free at the times you gave us"


def _count(text: str, pattern: str) -> int:
    found = re.search(pattern, text)
    assert found, (pattern, text)
    return int(found.group(1))


async def test_someone_kept_out_by_their_own_times_is_told_what_would_widen_them(
    bot: Harness,
) -> None:
    casey = bot.user(COORDINATOR_ID)
    await onboard_worker(bot, casey, 4501, "Mo", times=("Sat am",))  # has room, never free then
    sam = await onboard_service_user(bot, 4601)
    told = sam.last().text
    assert THEIR_TIMES in told and "/profile" in told and "only if" in told
    assert NOBODY_FREE not in told
    replies = await casey.send("/waitlist")
    assert "nobody fits what they asked for, even with places free" in replies[-1].text


async def test_waitlist_and_dashboard_count_the_same_people_and_mark_cards_in_review(
    bot: Harness,
) -> None:
    casey = bot.user(COORDINATOR_ID)
    await onboard_worker(bot, casey, 4502, "Robin", caseload="1")
    ann = await onboard_service_user(bot, 4602)
    await casey.tap("Offer only Robin")
    await ann.tap("Not now")  # no longer waiting, though still on the waitlist's table
    await onboard_service_user(bot, 4603)  # a card in review holds Robin's one place for Ben
    cal = await onboard_service_user(bot, 4604)  # kept out by capacity alone
    assert NOBODY_FREE in cal.last().text and THEIR_TIMES not in cal.last().text

    waitlist = (await casey.send("/waitlist"))[-1].text
    dashboard = "\n".join(m.text for m in await casey.send("/dashboard"))
    assert _count(waitlist, r"Waiting for a peer: (\d+)") == 2
    assert _count(dashboard, r"Waiting for a peer: (\d+)") == 2
    assert len(re.findall(r"card #\d+ in review", waitlist)) == 1
    assert "no capacity ×1" in waitlist  # as it stands now: Robin's place is held


async def test_a_hold_sticks_until_a_coordinator_looks_for_peers_again(bot: Harness) -> None:
    casey = bot.user(COORDINATOR_ID)
    await onboard_worker(bot, casey, 4503, "Robin")
    sam = await onboard_service_user(bot, 4605)
    await casey.tap("Hold")
    sam_ref = re.search(r"Held — (U\d+)", casey.last().text).group(1)
    cards_before = _cards(bot, casey.id)

    # A new worker approved looks at everyone waiting again: Sam stays held.
    await onboard_worker(bot, casey, 4504, "Alex")
    replies = await casey.send("/match_all")
    assert "Nobody on the waitlist is free" in replies[-1].text
    assert _cards(bot, casey.id) == cards_before
    waitlist = (await casey.send("/waitlist"))[-1].text
    assert f"{sam_ref} — " in waitlist and "held by a coordinator" in waitlist

    # The coordinator looks for peers for Sam again: the hold ends, a card comes.
    await casey.send(f"/people {sam_ref}")
    await casey.tap("Look for peers now")
    assert _cards(bot, casey.id) == cards_before + 1
    assert not _choices_shown(sam)


def _cards(bot: Harness, user_id: int) -> int:
    return sum(bool(re.match(r"Proposal #\d+ for U", m.text)) for m in bot.api.sent_to(user_id))


def _choices_shown(user) -> bool:
    return any(label.startswith("Choose") for label in user.last().button_labels)
