"""Who may become what: every (standing, invite role) pair, the holes found from outside, and
the configuration as the source of truth for bootstrap coordinators."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot import roles
from bot.db import session_factory
from bot.models import AuditLog, Coordinator, Invite, Person, Proposal, Relationship, WaitlistEntry
from bot.roles import Decision, Standing
from tests.conftest import COORDINATOR_ID, make_config
from tests.harness import Harness, TelegramUser
from tests.test_matching_workflow_e2e import onboard_service_user, onboard_worker
from tests.test_onboarding_e2e import _person, _rows
from tests.test_relay_e2e import matched_pair
from tests.test_workers_e2e import INVITE_LINK, build_worker_profile, new_invite


def test_the_rule_covers_every_pair_and_only_grants_safely() -> None:
    invite_roles = ("peer_worker", roles.COORDINATOR)
    assert set(roles.INVITE_RULES) == {(s, r) for s in Standing for r in invite_roles}
    # Open business is never taken away by an invite, whatever the invite is for.
    assert roles.decide(Standing.SERVICE_USER_OPEN, "peer_worker") == Decision.REFUSE_OPEN_BUSINESS
    assert roles.decide(Standing.SERVICE_USER_OPEN, "coordinator") == Decision.REFUSE_OPEN_BUSINESS
    assert (
        roles.decide(Standing.WORKER_WITH_CASELOAD, "coordinator") == Decision.REFUSE_OPEN_BUSINESS
    )
    assert roles.decide(Standing.COORDINATOR, "peer_worker") == Decision.REFUSE_COORDINATOR


async def _coordinator_invite(casey: TelegramUser) -> str:
    await casey.send("/coordinators")
    replies = await casey.tap("Invite a new coordinator")
    return INVITE_LINK.search(replies[-1].text).group(1)


async def _is_coordinator(bot: Harness, user: TelegramUser) -> bool:
    person = await _person(bot, user)
    rows = await _rows(bot, Coordinator, person_id=person.id)
    return bool(rows) and rows[0].active


async def _standings(bot: Harness, casey: TelegramUser, base: int) -> dict[Standing, TelegramUser]:
    """One person in each standing, each reached through the bot as a person would."""
    cast: dict[Standing, TelegramUser] = {Standing.STRANGER: bot.user(base)}
    onboarding = bot.user(base + 1)
    await onboarding.send("/start")
    cast[Standing.SERVICE_USER_ONBOARDING] = onboarding
    idle = bot.user(base + 2)
    await idle.send("/start")
    await idle.send("/cancel")
    cast[Standing.SERVICE_USER_IDLE] = idle
    worker, matched = await matched_pair(bot, worker_id=base + 3, user_id=base + 4)
    cast[Standing.WORKER_WITH_CASELOAD] = worker
    cast[Standing.SERVICE_USER_OPEN] = matched
    cast[Standing.WORKER_FREE] = await onboard_worker(bot, casey, base + 5, "Kim", caseload="3")
    starting = bot.user(base + 6)
    await starting.send(f"/start {await new_invite(casey)}")
    cast[Standing.WORKER_ONBOARDING] = starting
    pending = bot.user(base + 7)
    await build_worker_profile(pending, await new_invite(casey))
    await pending.tap("Send for approval")
    cast[Standing.WORKER_PENDING] = pending
    rejected = bot.user(base + 8)
    await build_worker_profile(rejected, await new_invite(casey))
    await rejected.tap("Send for approval")
    await casey.tap("Don't approve")
    await casey.send("Not yet")
    cast[Standing.WORKER_REJECTED] = rejected
    jo = bot.user(base + 9)
    await jo.send(f"/start {await _coordinator_invite(casey)}")
    cast[Standing.COORDINATOR] = jo
    former = bot.user(base + 10)
    await former.send(f"/start {await _coordinator_invite(casey)}")
    await casey.send("/coordinators")
    await casey.tap(f"Remove coordinator #{(await _person(bot, former)).id}")
    cast[Standing.FORMER_COORDINATOR] = former
    for standing, user in cast.items():
        if standing != Standing.STRANGER:
            async with session_factory(bot.application.bot_data["engine"])() as session:
                person = (
                    await session.exec(select(Person).where(Person.telegram_id == user.id))
                ).one()
                assert await roles.standing_of(session, person) == standing, standing
    return cast


async def _snapshot(bot: Harness, user: TelegramUser) -> tuple:
    async with session_factory(bot.application.bot_data["engine"])() as session:
        person = (await session.exec(select(Person).where(Person.telegram_id == user.id))).first()
        if person is None:
            return (None,)
        coordinator = (
            await session.exec(select(Coordinator).where(Coordinator.person_id == person.id))
        ).first()
        relationships = (
            await session.exec(
                select(Relationship.id, Relationship.status).where(
                    (Relationship.service_user_id == person.id)
                    | (Relationship.peer_worker_id == person.id)
                )
            )
        ).all()
        return (
            person.role,
            person.status,
            coordinator.active if coordinator else None,
            sorted(relationships),
        )


@pytest.mark.parametrize("invite_role", ["peer_worker", "coordinator"])
async def test_every_standing_meets_the_rule_for_a_fresh_invite(
    bot: Harness, invite_role: str
) -> None:
    casey = bot.user(COORDINATOR_ID, "Casey")
    await casey.send("/start")
    cast = await _standings(bot, casey, base=8100)
    for standing, user in cast.items():
        if invite_role == "peer_worker":
            code = await new_invite(casey)
        else:
            code = await _coordinator_invite(casey)
        before = await _snapshot(bot, user)
        casey_before = len(bot.api.sent_to(casey.id))
        replies = await user.send(f"/start {code}")
        after = await _snapshot(bot, user)
        decision = roles.decide(standing, invite_role)
        invite = max(await _rows(bot, Invite), key=lambda row: row.id)
        assert all("went wrong" not in r.text for r in replies), (standing, replies)
        if decision == Decision.GRANT:
            assert invite.used_at is not None, standing
            if invite_role == "coordinator":
                assert await _is_coordinator(bot, user), standing
                assert after[0] is None, standing  # one role at a time
            else:
                assert after[:2] == ("peer_worker", "onboarding"), standing
                assert not await _is_coordinator(bot, user), standing
        else:
            assert invite.used_at is None, standing  # it still works for its real recipient
            assert after == before, standing  # nothing about the person changed
        if decision in (Decision.REFUSE_OPEN_BUSINESS, Decision.REFUSE_COORDINATOR):
            told = bot.api.sent_to(casey.id)[casey_before:]
            assert any(f"invite #{invite.id}" in m.text for m in told), standing
            assert "nothing" in replies[-1].text.lower(), standing


async def test_a_removed_coordinator_cannot_come_back_with_their_old_link(
    bot: Harness, clock
) -> None:
    casey = bot.user(COORDINATOR_ID)
    jo = bot.user(8201)
    code = await _coordinator_invite(casey)
    await jo.send(f"/start {code}")
    replies = await jo.send(f"/start {code}")  # harmless while they hold the role
    assert "coordinator" in replies[-1].text.lower()
    leftover = await new_invite(jo)  # made before removal, never used
    jo_person = await _person(bot, jo)
    await casey.send("/coordinators")
    replies = await casey.tap(f"Remove coordinator #{jo_person.id}")
    assert "Unused invites they had made were revoked: 1" in casey.last().text

    clock.advance(days=30)
    replies = await jo.send(f"/start {code}")
    assert "role it gave has since ended" in replies[-1].text
    assert not await _is_coordinator(bot, jo)
    replies = await jo.send("/invite")
    assert "isn't available to you" in replies[-1].text
    stranger = bot.user(8202)
    replies = await stranger.send(f"/start {leftover}")
    assert "withdrawn" in replies[-1].text
    actions = [(row.action, row.reason) for row in await _rows(bot, AuditLog)]
    assert ("coordinator.removed", "removed with /coordinators") in actions


async def test_a_matched_service_user_keeps_their_peer_when_they_open_a_worker_link(
    bot: Harness,
) -> None:
    casey = bot.user(COORDINATOR_ID)
    robin, sam = await matched_pair(bot, worker_id=8301, user_id=8302)
    replies = await sam.send(f"/start {await new_invite(casey)}")
    assert "one role at a time" in replies[-1].text
    assert "opened the peer worker invite" in casey.last().text
    assert (await _person(bot, sam)).role == "service_user"
    await sam.send("Still there, Robin?")
    assert robin.last().text == "Still there, Robin?"
    replies = await sam.send("/end")
    assert "not in a relationship" not in replies[-1].text


async def test_a_rejected_worker_cannot_restart_with_their_old_link(bot: Harness, clock) -> None:
    casey = bot.user(COORDINATOR_ID)
    alex = bot.user(8401)
    code = await new_invite(casey)
    await build_worker_profile(alex, code)
    await alex.tap("Send for approval")
    await casey.tap("Don't approve")
    await casey.send("Not the right time")
    clock.advance(days=10)
    replies = await alex.send(f"/start {code}")
    assert "role it gave has since ended" in replies[-1].text
    assert (await _person(bot, alex)).status == "rejected"
    # A new invite is a new start.
    replies = await alex.send(f"/start {await new_invite(casey)}")
    assert (await _person(bot, alex)).status == "onboarding"


async def test_used_invites_are_listed_and_revoking_one_stops_an_unapproved_worker(
    bot: Harness,
) -> None:
    casey = bot.user(COORDINATOR_ID)
    await casey.send("/invite for Jo Smith")
    code = INVITE_LINK.search(casey.last().text).group(1)
    jo = bot.user(8501)
    await jo.send(f"/start {code}")
    jo_ref = f"W{(await _person(bot, jo)).id}"  # a worker now: never a service user's U
    replies = await casey.send("/invites")
    assert f"used by {jo_ref}" in replies[-1].text and "(for Jo Smith)" in replies[-1].text
    await casey.tap(replies[-1].button_labels[0], message=replies[-1])
    assert "profile has been stopped" in casey.last().text
    assert "withdrawn by a coordinator" in jo.last().text
    assert (await _person(bot, jo)).status == "rejected"
    replies = await jo.send(f"/start {code}")
    assert "withdrawn" in replies[-1].text


async def test_the_approval_card_shows_which_invite_was_used(bot: Harness) -> None:
    casey = bot.user(COORDINATOR_ID)
    await casey.send("/invite for Jo Smith")
    code = INVITE_LINK.search(casey.last().text).group(1)
    jo = bot.user(8601)
    await build_worker_profile(jo, code)
    await jo.tap("Send for approval")
    card = casey.last().text
    casey_person = (await _rows(bot, Person, telegram_id=COORDINATOR_ID))[0]
    assert "Joined with" in card
    assert f"made by coordinator #{casey_person.id}" in card and "(for Jo Smith)" in card


async def test_every_role_change_is_audited_with_who_and_why(bot: Harness) -> None:
    casey = bot.user(COORDINATOR_ID)
    idle = bot.user(8701)
    await idle.send("/start")
    await idle.send("/cancel")
    await idle.send(f"/start {await new_invite(casey)}")
    person = await _person(bot, idle)
    (change,) = [
        row
        for row in await _rows(bot, AuditLog, subject_id=person.id)
        if row.action == "role.changed"
    ]
    assert change.actor_person_id == person.id
    assert change.reason.startswith("service_user/cancelled -> peer_worker/onboarding: invite ")


async def test_the_configuration_is_the_source_of_truth_for_bootstrap_coordinators(
    database, start_bot
) -> None:
    url, _ = database
    first = await start_bot(make_config(url, coordinators={"telegram_ids": [COORDINATOR_ID, 8801]}))
    extra = first.user(8801)
    assert "coordinator" in (await extra.send("/start"))[-1].text
    await first.application.shutdown()
    second = await start_bot(make_config(url))  # 8801 taken out of the configuration
    deleted = second.api.methods("deleteMyCommands")
    assert [c.params["scope"]["chat_id"] for c in deleted] == [8801]  # no stale menu
    extra = second.user(8801)
    assert "isn't available to you" in (await extra.send("/dashboard"))[-1].text
    rows = await _rows(second, AuditLog, action="coordinator.removed")
    assert rows and rows[-1].reason == "no longer in coordinators.telegram_ids"
    assert rows[-1].actor_person_id is None  # the configuration, not a person


async def test_the_note_on_a_workers_invite_is_erased_with_them(bot: Harness) -> None:
    casey = bot.user(COORDINATOR_ID)
    await casey.send("/invite for Jo Smith")
    code = INVITE_LINK.search(casey.last().text).group(1)
    jo = bot.user(8901)
    await jo.send(f"/start {code}")
    await jo.send("/delete")
    await jo.tap("Yes, delete my data")
    (invite,) = await _rows(bot, Invite)
    assert invite.used_at is not None and invite.note is None


@pytest.mark.parametrize("invite_role", ["peer_worker", "coordinator"])
async def test_someone_who_said_not_now_leaves_the_waitlist_when_they_change_role(
    bot: Harness, invite_role: str
) -> None:
    casey = bot.user(COORDINATOR_ID)
    await onboard_worker(bot, casey, 9001, "Robin")
    sam = await onboard_service_user(bot, 9002)
    await casey.tap("Offer only Robin")
    await sam.tap("Not now")
    assert await _rows(bot, WaitlistEntry)  # not now keeps their place, for later
    code = await new_invite(casey) if invite_role == "peer_worker" else None
    code = code or await _coordinator_invite(casey)
    await sam.send(f"/start {code}")
    assert await _rows(bot, WaitlistEntry) == []
    assert all(p.status not in ("review", "offered") for p in await _rows(bot, Proposal))
    replies = await casey.send("/waitlist")
    assert all("went wrong" not in r.text for r in replies)


async def test_a_worker_being_offered_to_someone_cannot_become_a_coordinator(
    bot: Harness,
) -> None:
    casey = bot.user(COORDINATOR_ID)
    robin = await onboard_worker(bot, casey, 9101, "Robin")
    sam = await onboard_service_user(bot, 9102)
    await casey.tap("Offer only Robin")  # Sam is choosing: Robin is on offer
    replies = await robin.send(f"/start {await _coordinator_invite(casey)}")
    assert "one role at a time" in replies[-1].text
    assert not await _is_coordinator(bot, robin)
    replies = await sam.tap("Choose Robin")
    assert "would like you as their peer worker" in robin.last().text  # still his to answer


async def test_revoking_an_old_invite_does_not_stop_a_worker_who_joined_again_with_a_new_one(
    bot: Harness,
) -> None:
    casey = bot.user(COORDINATOR_ID)
    alex = bot.user(9201)
    await build_worker_profile(alex, await new_invite(casey))
    await alex.tap("Send for approval")
    await casey.tap("Don't approve")
    await casey.send("Not yet")
    await alex.send(f"/start {await new_invite(casey)}")  # a new start
    replies = await casey.send("/invites")
    old = min(await _rows(bot, Invite), key=lambda row: row.id)
    await casey.tap(f"Revoke invite {old.id}", message=replies[-1])
    assert (await _person(bot, alex)).status == "onboarding"
    assert "withdrawn by a coordinator" not in alex.last().text


async def test_a_hand_matchs_typed_reason_goes_when_the_person_is_erased(bot: Harness) -> None:
    casey = bot.user(COORDINATOR_ID)
    mo = await onboard_worker(bot, casey, 9301, "Mo")
    sam = await onboard_service_user(bot, 9302)
    sam_id, mo_id = (await _person(bot, sam)).id, (await _person(bot, mo)).id
    await casey.send(f"/match U{sam_id} W{mo_id} Sam asked for Mo by name at group")
    manual = [row for row in await _rows(bot, AuditLog) if row.action == "match.manual"]
    assert manual and "by name" in manual[0].reason
    await sam.send("/delete")
    await sam.tap("Yes, delete my data")
    manual = [row for row in await _rows(bot, AuditLog) if row.action == "match.manual"]
    assert manual and manual[0].reason is None  # the action stays, the words go
