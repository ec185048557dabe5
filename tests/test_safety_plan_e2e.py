"""My safety plan, through the real Application: written step by step (skipping, stopping,
carrying on, changing a step), shown first by /help_now and after a risk phrase, never
screened, offered once, in /mydata, deleted; and never seen by anyone else unless shared with
the current peer worker, read only."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

from bot import menus
from bot.models import Relationship, SafetyFlag, SafetyPlan
from tests.conftest import COORDINATOR_ID, make_config
from tests.harness import Harness, Sent, TelegramUser
from tests.test_authorization_e2e import COORDINATOR_COMMANDS
from tests.test_checkins_e2e import first_checkin_asked
from tests.test_matching_workflow_e2e import onboard_service_user, run_sweep
from tests.test_onboarding_e2e import _person, _rows
from tests.test_relay_e2e import matched_pair

SIGNS = "I stop sleeping and stop answering texts"
COPING = "Walk Biscuit along the river"
PEOPLE = "My sister Mai, 0412 999 888"
SECRET = "Biscuit"  # in the plan only: must never reach anyone but its writer (and, shared, Robin)


async def write_plan(sam: TelegramUser) -> None:
    replies = await sam.send("/safetyplan")
    assert "safety plan" in replies[-1].text and "nobody sees it" in replies[-1].text
    question = (await sam.tap("Start my plan"))[-1]
    assert "Step 1 of 7" in question.text and "signs" in question.text
    assert "Step 2 of 7" in (await sam.send(SIGNS))[-1].text
    assert "Step 3 of 7" in (await sam.send(COPING))[-1].text
    assert "Step 4 of 7" in (await sam.tap("Skip"))[-1].text  # distractions: skipped
    await sam.send(PEOPLE)
    assert "What you wrote is kept" in (await sam.tap("Stop for now"))[-1].text


def _seen(messages: list[Sent]) -> str:
    """Everything in these messages: texts, button labels, documents (unzipped)."""
    seen = []
    for message in messages:
        seen += [message.text, *message.button_labels]
        if message.document:
            name, content = message.document
            if name.endswith(".zip"):
                with zipfile.ZipFile(io.BytesIO(content)) as archive:
                    seen += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
            else:
                seen.append(content.decode("utf-8", "replace"))
    return "\n".join(seen)


async def test_writing_changing_and_deleting_my_plan(bot: Harness) -> None:
    sam = await onboard_service_user(bot, 6101)
    offers = [m for m in bot.api.sent_to(sam.id) if "/safetyplan" in m.text]
    assert len(offers) == 1 and "private to you" in offers[0].text  # offered once, gently
    await write_plan(sam)

    plan = (await sam.send("/safetyplan"))[-1]
    for words in ("My warning signs", SIGNS, "Things I can do myself", COPING, PEOPLE):
        assert words in plan.text
    assert "take my mind off things" not in plan.text  # the skipped step
    assert "Only you can see this plan" in plan.text
    await sam.tap("Change a step", message=plan)
    asked = (await sam.tap("Things I can do myself"))[-1]
    assert f"Now: {COPING}" in asked.text
    changed = (await sam.send(COPING + ", then call Mai"))[-1]
    assert COPING + ", then call Mai" in changed.text and "Step" not in changed.text

    # /help_now: their own first aid first, then the crisis lines.
    (help_now,) = await sam.send("/help_now")
    assert "From your own safety plan" in help_now.text
    assert (
        help_now.text.index(COPING) < help_now.text.index(PEOPLE) < help_now.text.index("13 11 14")
    )
    assert SIGNS not in help_now.text  # only what to do, and whom to ask

    # A risk phrase: the same, first.
    replies = await sam.send("I want to die")
    assert "From your own safety plan" in replies[0].text and "13 11 14" in replies[0].text

    # The words of the plan are screened like any others, but a flag only says a risk
    # phrase was in their own plan (here the open flag of the same kind takes it): never its
    # words, to coordinators or anywhere.
    flags = len(await _rows(bot, SafetyFlag))
    await sam.send("/safetyplan")
    await sam.tap("Change a step")
    await sam.tap("My warning signs")
    await sam.send("thinking about suicide again")
    flag = (await _rows(bot, SafetyFlag))[-1]
    assert len(await _rows(bot, SafetyFlag)) == flags or flag.source == "safety_plan"
    assert flag.detail is None
    coordinator = bot.api.sent_to(COORDINATOR_ID)
    assert all("suicide again" not in m.text and SIGNS not in m.text for m in coordinator)

    # /mydata has it.
    replies = await sam.send("/mydata")
    mine = json.loads(next(m for m in replies if m.document).document[1])
    assert mine["safety_plan"]["steps"]["coping"] == COPING + ", then call Mai"

    # Deleted, on a second word.
    plan = (await sam.send("/safetyplan"))[-1]
    await sam.tap("Delete my plan", message=plan)
    assert "can't be undone" in sam.last().text
    await sam.tap("Yes, delete it")
    assert "has been deleted" in sam.last().text
    assert await _rows(bot, SafetyPlan) == []
    assert "Start my plan" in (await sam.send("/safetyplan"))[-1].button_labels


async def test_nobody_sees_a_plan_that_was_not_shared_and_a_worker_reads_one_that_was(
    bot: Harness,
) -> None:
    robin, sam = await matched_pair(bot, 6201, 6301)
    await write_plan(sam)
    casey = bot.user(COORDINATOR_ID, "Casey")
    sam_id = (await _person(bot, sam)).id

    async def everything_staff_can_ask() -> str:
        """Every command a peer worker or a coordinator has, and the service user's card."""
        for worker_command in ("start", *menus.PUBLIC):
            await robin.send(f"/{worker_command}")
            await robin.send("/cancel")
        for command in ("start", *menus.PUBLIC, *COORDINATOR_COMMANDS):
            await casey.send(f"/{command}")
            await casey.send("/cancel")
        listing = (await casey.send("/people"))[-1]
        await casey.press(f"cn|p|{sam_id}|", message=listing)
        return _seen(bot.api.sent_to(robin.id) + bot.api.sent_to(casey.id))

    seen = await everything_staff_can_ask()
    assert SECRET not in seen and "Mai" not in seen
    assert "Nobody you support has shared" in (await robin.send("/safetyplan"))[-1].text

    plan = (await sam.send("/safetyplan"))[-1]
    shared = (await sam.tap("Share it with my peer worker", message=plan))[-1]
    assert "Your peer worker can read this plan" in shared.text
    view = (await robin.send("/safetyplan"))[-1]
    assert COPING in view.text and "to read only" in view.text and not view.buttons
    await everything_staff_can_ask()
    assert SECRET not in _seen(bot.api.sent_to(casey.id))  # coordinators: never

    # Withdrawn: gone from Robin's view at once.
    await sam.tap("Stop sharing it", message=shared)
    assert "Nobody you support has shared" in (await robin.send("/safetyplan"))[-1].text
    # Shared again, then the relationship ends: gone too.
    plan = (await sam.send("/safetyplan"))[-1]
    await sam.tap("Share it with my peer worker", message=plan)
    (relationship,) = await _rows(bot, Relationship)
    await casey.send(f"/close R{relationship.id} moving away")
    assert "Nobody you support has shared" in (await robin.send("/safetyplan"))[-1].text


async def test_a_question_left_unanswered_lapses(bot: Harness, clock) -> None:
    """Someone who starts their plan and walks away: what they write later is not taken as
    a step of it (it is screened and answered as any message)."""
    sam = await onboard_service_user(bot, 6103)
    await sam.send("/safetyplan")
    await sam.tap("Start my plan")
    clock.advance(minutes=31)
    replies = await sam.send("I want to die")
    assert "13 11 14" in replies[0].text
    assert await _rows(bot, SafetyPlan) == []


async def test_a_low_check_in_offers_a_plan_once(bot: Harness, clock) -> None:
    robin, sam = await matched_pair(bot, 6202, 6302)
    await first_checkin_asked(bot, clock, sam)
    first = (await sam.tap("1"))[-1]
    assert "Your own safety plan can help" in first.text
    clock.now = datetime(2026, 3, 10, 8, 1, tzinfo=UTC)
    await run_sweep(bot)
    second = (await sam.tap("1"))[-1]
    assert "safety plan" not in second.text  # never twice


async def test_an_edit_is_quoted_in_a_flag_only_if_it_was_of_a_relayed_message(
    start_bot, database
) -> None:
    """With excerpts on, an edit that brings a risk phrase into an answer to a plan step
    raises a flag that quotes nothing; an edit of a relayed message is quoted as usual."""
    url, _ = database
    bot = await start_bot(make_config(url, safety={"include_excerpt": True}))
    casey = bot.user(COORDINATOR_ID, "Casey")
    await casey.send("/start")
    robin, sam = await matched_pair(bot)
    await sam.send("/safetyplan")
    await sam.tap("Start my plan")
    await sam.send("I go quiet")
    await sam.edit(sam.last_sent_id, f"I go quiet, I want to die, only {SECRET} knows")
    (flag,) = await _rows(bot, SafetyFlag)
    assert flag.source == "edit" and flag.detail is None
    assert SECRET not in "\n".join(m.text for m in bot.api.sent_to(COORDINATOR_ID))

    _, kim = await matched_pair(bot, worker_id=5102, user_id=5202)
    await kim.send("see you on Tuesday")
    await kim.edit(kim.last_sent_id, "see you on Tuesday, if I don't kill myself first")
    quoted = [f for f in await _rows(bot, SafetyFlag) if f.id != flag.id]
    assert [f.detail for f in quoted] == ["see you on Tuesday, if I don't kill myself first"]
