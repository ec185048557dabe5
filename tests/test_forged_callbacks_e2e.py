"""Crafted button data naming someone else's record is refused, every kind of it.

Telegram lets any client send any callback data, so the server re-checks each tap. Here two
matched pairs exist, and one pair presses buttons carrying the other pair's ids.
"""

from __future__ import annotations

from sqlmodel import select

from bot.db import session_factory
from bot.models import (
    Feedback,
    Person,
    Proposal,
    Relationship,
    SafetyFlag,
)
from tests.conftest import COORDINATOR_ID
from tests.harness import Harness
from tests.test_matching_workflow_e2e import onboard_service_user, onboard_worker
from tests.test_relay_e2e import matched_pair


async def _all(bot: Harness, model):
    async with session_factory(bot.application.bot_data["engine"])() as session:
        return list((await session.exec(select(model))).all())


async def test_another_pairs_relationship_buttons_are_refused(bot: Harness) -> None:
    casey = bot.user(COORDINATOR_ID, "Casey")
    await casey.send("/start")
    robin, sam = await matched_pair(bot, worker_id=7101, user_id=7201)
    kim = await onboard_worker(bot, casey, 7102, "Kim", caseload="3")
    alex = await onboard_service_user(bot, 7202)
    await casey.tap("Offer only Kim")
    await alex.tap("Choose Kim")
    await kim.tap("Accept")
    relationships = sorted(await _all(bot, Relationship), key=lambda r: r.id)
    theirs = next(r for r in relationships if r.peer_worker_id != relationships[-1].peer_worker_id)
    (sam_person,) = [p for p in await _all(bot, Person) if p.telegram_id == sam.id]
    proposal = next(p for p in await _all(bot, Proposal) if p.service_user_id == sam_person.id)
    r = theirs.id
    sam_before = len(bot.api.sent_to(sam.id))
    robin_before = len(bot.api.sent_to(robin.id))
    coordinator_before = len(bot.api.sent_to(COORDINATOR_ID))

    forged_by_alex = [
        f"rl|end|{r}|done",
        f"rl|endwhich|{r}|",
        f"cp|{r}|pause|",
        f"cp|{r}|cadence|weekly",
        f"ex|{r}",
        f"sv|{r}|rating|5",
        f"ck|{r}|goodbye",
        f"off|{proposal.id}|none|",
        f"off|{proposal.id}|choose|{theirs.peer_worker_id}",
        f"sr|rwhy|{r}|unsafe",
        f"rm|{r}|yes|",
        "sf|ack|1",
        f"adm|approve|{theirs.peer_worker_id}",
        f"prop|{proposal.id}|all|",
    ]
    forged_by_kim = [
        f"rl|pausefor|{r}|2",
        f"rl|for|{r}|{alex.id}",
        f"req|{r}|decline|",
        f"req|{r}|why|capacity",
        f"sr|cfor|{r}|",
        f"sr|rfor|{r}|",
    ]
    for data in forged_by_alex:
        await alex.press(data, alex.last())
    for data in forged_by_kim:
        await kim.press(data, kim.last())

    relationship = next(x for x in await _all(bot, Relationship) if x.id == r)
    assert relationship.status == "active"
    assert relationship.checklist == [] and relationship.paused_at is None
    assert await _all(bot, Feedback) == []
    assert await _all(bot, SafetyFlag) == []
    assert next(p for p in await _all(bot, Proposal) if p.id == proposal.id).status == (
        proposal.status
    )
    # Nobody in the other pair, nor the coordinators, heard anything.
    assert len(bot.api.sent_to(sam.id)) == sam_before
    assert len(bot.api.sent_to(robin.id)) == robin_before
    assert len(bot.api.sent_to(COORDINATOR_ID)) == coordinator_before
    # Every forged tap was answered (no spinning button), none with an error.
    answered = bot.api.methods("answerCallbackQuery")
    assert len(answered) >= len(forged_by_alex) + len(forged_by_kim)
    assert all("went wrong" not in (m.text or "") for m in bot.api.sent_to(alex.id))


async def test_malformed_callback_data_is_refused_before_any_handler(bot: Harness) -> None:
    robin, sam = await matched_pair(bot, worker_id=7301, user_id=7401)
    (relationship,) = await _all(bot, Relationship)
    for data in (
        "sv|²|q|1",  # a digit to str.isdigit(), not to int()
        f"rl|end|{relationship.id}٣|done",
        "rl|end|99999999999999999999|done",  # past any database integer
        f"rl|end|{relationship.id}|" + "x" * 70,
    ):
        await sam.press(data, sam.last())
        assert "earlier message" in sam.toasts()[-1]
    assert all("went wrong" not in m.text for m in bot.api.sent_to(sam.id))
    (relationship,) = await _all(bot, Relationship)
    assert relationship.status == "active"
