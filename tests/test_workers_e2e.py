"""Invites, peer-worker onboarding and coordinator approval, end to end."""

from __future__ import annotations

import re

from telegram.ext import CommandHandler

from bot.common.handlers import PUBLIC_COMMANDS
from bot.models import AuditLog, Coordinator, Invite, PeerWorkerProfile, Person
from tests.conftest import COORDINATOR_ID
from tests.harness import BOT_USERNAME, Harness, TelegramUser
from tests.test_onboarding_e2e import _person, _rows, complete_onboarding

INVITE_LINK = re.compile(rf"https://t\.me/{BOT_USERNAME}\?start=([\w-]+)")


async def new_invite(coordinator: TelegramUser) -> str:
    replies = await coordinator.send("/invite")
    match = INVITE_LINK.search(replies[-1].text)
    assert match, replies[-1].text
    return match.group(1)


async def build_worker_profile(worker: TelegramUser, code: str) -> None:
    replies = await worker.send(f"/start {code}")
    assert "peer worker team" in replies[-1].text
    await worker.tap("Let's start")
    await worker.send("Robin")
    await worker.send("I've been through hospital stays and I'm here to listen.")
    await worker.tap("Both")
    await worker.tap("A hospital admission")
    await worker.tap("Caring for a young person")
    await worker.tap("Done")
    await worker.tap("English")
    await worker.tap("Done")
    await worker.tap("Skip")  # gender
    await worker.tap("26–40")
    await worker.tap("LGBTIQ+")
    await worker.tap("Done")
    await worker.tap("Australia/Brisbane")
    await worker.tap("Mon eve")
    await worker.tap("Wed eve")
    await worker.tap("Done")
    await worker.tap("No quiet hours")
    await worker.tap("4")


async def test_invite_onboarding_and_approval(bot: Harness) -> None:
    coordinator = bot.user(COORDINATOR_ID, "Casey")
    robin = bot.user(2001, "Robin")
    code = await new_invite(coordinator)
    await build_worker_profile(robin, code)
    summary = robin.last()
    assert (
        "Robin" in summary.text
        and "A hospital admission, Caring for a young person" in summary.text
    )
    replies = await robin.tap("Send for approval")
    assert "gone to a coordinator" in replies[-1].text

    request = coordinator.last()
    assert "waiting for approval" in request.text and "Robin" in request.text
    assert str(robin.id) not in request.text  # never the worker's Telegram identity
    replies = await coordinator.send("/pending")
    assert "1 profile waiting" in replies[0].text
    await coordinator.tap("Approve", message=request)
    assert "approved" in robin.last().text

    person = await _person(bot, robin)
    assert (person.role, person.status) == ("peer_worker", "approved")
    (profile,) = await _rows(bot, PeerWorkerProfile, person_id=person.id)
    assert (profile.display_name, profile.is_consumer, profile.is_carer) == ("Robin", True, True)
    assert (profile.max_caseload, profile.age_band, profile.gender) == (4, "26_40", None)
    assert profile.communities == ["lgbtiq"]
    actions = [row.action for row in await _rows(bot, AuditLog)]
    assert "peer_worker.approved" in actions and "invite.created.peer_worker" in actions

    # A second approval tap on the same request is answered, not applied twice.
    await coordinator.tap("Approve", message=request) if request.buttons else None
    replies = await coordinator.send("/pending")
    assert "No profiles" in replies[-1].text

    # The worker sees their profile and can pause new matches.
    replies = await robin.send("/profile")
    assert "taking new matches" in replies[-1].text
    await robin.tap("Pause new matches")
    (profile,) = await _rows(bot, PeerWorkerProfile, person_id=person.id)
    assert profile.taking_new_matches is False
    assert "paused" in robin.last().text
    await robin.tap("taking new matches again")
    (profile,) = await _rows(bot, PeerWorkerProfile, person_id=person.id)
    assert profile.taking_new_matches is True

    # …and edit it.
    await robin.send("/profile")
    await robin.tap("Edit my profile")
    await robin.tap("Edit: name and bio")
    replies = await robin.send("Robin B")
    assert "short, warm bio" in replies[-1].text
    replies = await robin.tap("Keep it as it is")
    assert "Robin B" in replies[-1].text
    await robin.tap("Send for approval")
    (profile,) = await _rows(bot, PeerWorkerProfile, person_id=person.id)
    assert profile.display_name == "Robin B"


async def test_rejection_with_reason(bot: Harness) -> None:
    coordinator = bot.user(COORDINATOR_ID)
    alex = bot.user(2002)
    await build_worker_profile(alex, await new_invite(coordinator))
    await alex.tap("Send for approval")
    await coordinator.tap("Don't approve")
    replies = await coordinator.send("Needs to finish training first")
    assert "Not approved" in replies[-1].text
    assert "wasn't approved" in alex.last().text
    rejected = [row for row in await _rows(bot, AuditLog) if row.action == "peer_worker.rejected"]
    assert rejected[0].reason == "Needs to finish training first"


async def test_a_reason_typed_after_the_profile_was_approved_is_answered(bot: Harness) -> None:
    coordinator = bot.user(COORDINATOR_ID)
    alex = bot.user(2003)
    await build_worker_profile(alex, await new_invite(coordinator))
    await alex.tap("Send for approval")
    request = coordinator.last()
    assert "<b>" not in request.text  # the card's headings are bold, not literal tags
    await coordinator.tap("Don't approve", message=request)
    await coordinator.tap("Approve", message=request)
    replies = await coordinator.send("Needs to finish training first")
    assert "already" in replies[-1].text
    assert (await _person(bot, alex)).status == "approved"


async def test_invalid_expired_used_and_revoked_invites(bot: Harness, clock) -> None:
    coordinator = bot.user(COORDINATOR_ID)
    first, second = bot.user(2003), bot.user(2004)

    replies = await first.send("/start not-a-real-invite-code-at-all")
    assert "isn't valid" in replies[-1].text
    replies = await first.send("/start x")
    assert "isn't valid" in replies[-1].text

    code = await new_invite(coordinator)
    await first.send(f"/start {code}")
    replies = await second.send(f"/start {code}")
    assert "already been used" in replies[-1].text
    # The person who used it can open it again and carry on.
    replies = await first.send(f"/start {code}")
    assert "finish your profile" in replies[0].text

    expired = await new_invite(coordinator)
    clock.advance(days=8)
    replies = await second.send(f"/start {expired}")
    assert "expired" in replies[-1].text

    revoked = await new_invite(coordinator)
    await coordinator.tap("Revoke this invite")
    replies = await second.send(f"/start {revoked}")
    assert "withdrawn" in replies[-1].text

    person = await _person(bot, second)
    assert person.role is None  # nothing was started for them
    invites = await _rows(bot, Invite)
    assert all(len(invite.code_hash) == 64 and code not in invite.code_hash for invite in invites)


async def test_service_user_cannot_use_worker_invite(bot: Harness) -> None:
    coordinator = bot.user(COORDINATOR_ID)
    sam = bot.user(2005)
    await complete_onboarding(sam)
    await sam.tap("confirm")
    replies = await sam.send(f"/start {await new_invite(coordinator)}")
    assert "one role at a time" in replies[-1].text
    assert "opened the peer worker invite" in coordinator.last().text


async def test_coordinator_invites_and_removes_a_coordinator(bot: Harness) -> None:
    casey = bot.user(COORDINATOR_ID)
    jo = bot.user(2006)
    replies = await casey.send("/coordinators")
    assert "(you)" in replies[-1].text
    replies = await casey.tap("Invite a new coordinator")
    code = INVITE_LINK.search(replies[-1].text).group(1)
    replies = await jo.send(f"/start {code}")
    assert "now a coordinator" in replies[-1].text
    replies = await jo.send("/pending")
    assert "No profiles" in replies[-1].text
    jo_person = await _person(bot, jo)
    replies = await casey.send("/coordinators")
    await casey.tap(f"Remove coordinator #{jo_person.id}")
    assert "no longer a coordinator" in jo.last().text
    replies = await jo.send("/pending")
    assert "isn't available to you" in replies[-1].text
    (row,) = await _rows(bot, Coordinator, person_id=jo_person.id)
    assert row.active is False


async def test_every_coordinator_command_refuses_everyone_else(bot: Harness) -> None:
    """Enumerates the registered commands: whatever is not public must refuse a non-coordinator."""
    registered = {
        command
        for group in bot.application.handlers.values()
        for handler in group
        if isinstance(handler, CommandHandler)
        for command in handler.commands
    }
    coordinator_commands = registered - set(PUBLIC_COMMANDS)
    assert {"invite", "invites", "pending", "coordinators"} <= coordinator_commands
    stranger = bot.user(2999)
    await stranger.send("/start")
    welcome = stranger.last()
    for command in sorted(coordinator_commands):
        replies = await stranger.send(f"/{command}")
        assert [r.text for r in replies] == ["Sorry, that isn't available to you."], command
    # Crafted coordinator buttons are refused on the server too.
    for data in (
        "adm|approve|1",
        "adm|reject|1",
        "adm|revoke|1",
        "adm|rmcoord|1",
        "adm|addcoord|0",
    ):
        await stranger.press(data, message=welcome)
        assert stranger.toasts()[-1] == "Sorry, that isn't available to you."
    assert await _rows(bot, Invite) == []
    person = await _person(bot, stranger)
    assert person.role == "service_user"  # nothing about them changed
    assert [row for row in await _rows(bot, Person) if row.telegram_id == COORDINATOR_ID]


async def test_command_menus_are_scoped(bot: Harness) -> None:
    calls = bot.api.methods("setMyCommands")
    default = [c for c in calls if c.params.get("scope", {}).get("type") == "default"]
    coordinator = [c for c in calls if c.params.get("scope", {}).get("type") == "chat"]
    assert default and coordinator
    default_names = {command["command"] for command in default[-1].params["commands"]}
    coordinator_names = {command["command"] for command in coordinator[-1].params["commands"]}
    assert "invite" not in default_names and "help_now" in default_names
    assert {"invite", "pending", "coordinators"} <= coordinator_names
    assert coordinator[-1].params["scope"]["chat_id"] == COORDINATOR_ID
