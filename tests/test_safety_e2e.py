"""The safety net, end to end: risk phrases, flags, escalation, concerns, reports, forged
callbacks and the flood limit."""

from __future__ import annotations

from sqlmodel import select

from bot.db import session_factory
from bot.models import AuditLog, Exclusion, Person, Relationship, SafetyFlag
from tests.conftest import COORDINATOR_ID, make_config
from tests.harness import Harness, TelegramUser
from tests.test_matching_workflow_e2e import onboard_service_user, onboard_worker, run_sweep
from tests.test_relay_e2e import matched_pair

CONTACT_ID = 7777  # an escalation contact (e.g. the duty clinician), not a coordinator


async def _rows(bot: Harness, model, *where):
    async with session_factory(bot.application.bot_data["engine"])() as session:
        return list((await session.exec(select(model).where(*where))).all())


async def _person(bot: Harness, user: TelegramUser) -> Person:
    (person,) = await _rows(bot, Person, Person.telegram_id == user.id)
    return person


async def _audit_actions(bot: Harness, flag_id: int) -> list[str]:
    rows = await _rows(bot, AuditLog, AuditLog.subject_type == "safety_flag")
    return [row.action for row in rows if row.subject_id == flag_id]


def _texts(sent) -> str:
    return "\n".join(message.text for message in sent)


async def test_a_risk_phrase_mid_onboarding_sends_crisis_lines_and_flags_coordinators(
    bot: Harness,
) -> None:
    casey = bot.user(COORDINATOR_ID, "Casey")
    await casey.send("/start")
    sam = bot.user(6001)
    await sam.send("/start")
    await sam.tap("Continue")
    replies = await sam.send("honestly I want to KILL MY-SELF tonight!!")

    assert "not a crisis service" in replies[0].text
    assert "13 11 14" in replies[0].text  # the configured crisis lines, first
    assert len(replies) >= 2  # then the onboarding carries on, nothing lost
    person = await _person(bot, sam)
    (flag,) = await _rows(bot, SafetyFlag)
    assert (flag.kind, flag.about_person_id, flag.source, flag.category) == (
        "risk",
        person.id,
        "onboarding",
        "suicide",
    )
    assert flag.detail is None  # include_excerpt is off by default
    alert = casey.last()
    assert f"U{person.id}" in alert.text and "suicide risk" in alert.text
    assert "while signing up" in alert.text
    assert "KILL" not in alert.text.upper().replace("SKILL", "")  # no excerpt
    assert "Acknowledge" in alert.button_labels
    assert await _audit_actions(bot, flag.id) == ["flag.raised"]

    # An ordinary message raises nothing.
    await sam.send("I like walking by the river")
    assert len(await _rows(bot, SafetyFlag)) == 1


async def test_a_relayed_risk_message_is_delivered_and_its_worker_told(start_bot, database) -> None:
    url, _ = database
    bot = await start_bot(make_config(url, safety={"include_excerpt": True}))
    casey = bot.user(COORDINATOR_ID, "Casey")
    await casey.send("/start")
    robin, sam = await matched_pair(bot)

    replies = await sam.send("some days I wanna diiie, sorry")
    assert "not a crisis service" in _texts(replies)
    worker_sees = [m.text for m in bot.api.sent_to(robin.id)[-2:]]
    assert worker_sees[0] == "some days I wanna diiie, sorry"  # still delivered
    assert "raised a safety flag" in worker_sees[1]
    (flag,) = await _rows(bot, SafetyFlag)
    assert flag.source == "relay" and flag.relationship_id is not None
    assert "wanna diiie" in casey.last().text  # the excerpt, because the setting says so
    assert "W" in casey.last().text and "Robin" in casey.last().text

    # Again within the hour: delivered, no second set of crisis lines, no second alert.
    coordinator_messages = len(bot.api.sent_to(COORDINATOR_ID))
    replies = await sam.send("i still want to die")
    assert "not a crisis service" not in _texts(replies)
    assert len(bot.api.sent_to(COORDINATOR_ID)) == coordinator_messages
    assert len(await _rows(bot, SafetyFlag)) == 1
    assert bot.api.sent_to(robin.id)[-1].text == "i still want to die"


async def test_a_worker_is_not_screened_but_can_raise_a_concern(bot: Harness) -> None:
    casey = bot.user(COORDINATOR_ID, "Casey")
    await casey.send("/start")
    robin, sam = await matched_pair(bot)
    await robin.send("if I were you I would not say 'kill myself' to anyone else")
    assert await _rows(bot, SafetyFlag) == []

    prompt = await robin.send("/concern")
    person = await _person(bot, sam)
    assert f"U{person.id}" in prompt[0].text
    thanks = await robin.send("Sam mentioned not eating for days and sounded very flat.")
    assert "Concern #" in thanks[0].text
    (flag,) = await _rows(bot, SafetyFlag)
    assert (flag.kind, flag.about_person_id, flag.category) == (
        "concern",
        person.id,
        "worker_concern",
    )
    assert "not eating" in casey.last().text  # a concern is written for coordinators
    assert all("not eating" not in m.text for m in bot.api.sent_to(sam.id))


async def test_an_unacknowledged_flag_escalates_then_is_acknowledged_and_resolved(
    start_bot, database, clock
) -> None:
    url, _ = database
    bot = await start_bot(
        make_config(url, safety={"ack_within": "30m", "escalation_contacts": [CONTACT_ID]})
    )
    casey = bot.user(COORDINATOR_ID, "Casey")
    await casey.send("/start")
    sam = bot.user(6002)
    await sam.send("/start")
    await sam.send("I have been self harming again")
    (flag,) = await _rows(bot, SafetyFlag)

    clock.advance(minutes=29)
    await run_sweep(bot)
    assert bot.api.sent_to(CONTACT_ID) == []

    clock.advance(minutes=2)
    await run_sweep(bot)
    assert "Still not acknowledged" in casey.last().text
    (to_contact,) = bot.api.sent_to(CONTACT_ID)
    assert "escalation contact" in to_contact.text and to_contact.buttons == []
    await run_sweep(bot)  # not again until another ack_within has passed
    assert len(bot.api.sent_to(CONTACT_ID)) == 1

    await casey.tap("Acknowledge")
    assert "Acknowledged" in casey.toasts()[-1]
    clock.advance(hours=2)
    await run_sweep(bot)
    assert len(bot.api.sent_to(CONTACT_ID)) == 1  # acknowledged: no more escalation

    listing = await casey.send("/flags")
    assert "Open safety flags: 1" in listing[0].text and "acknowledged" in listing[0].text
    await casey.tap(f"#{flag.id}")
    await casey.tap("Resolve")
    resolved = await casey.send("Called Sam; safety plan in place with their GP.")
    assert "Resolved by" in resolved[0].text
    (flag,) = await _rows(bot, SafetyFlag)
    assert flag.resolved_at is not None and flag.escalations == 1
    assert flag.resolution == "Called Sam; safety plan in place with their GP."
    assert await _audit_actions(bot, flag.id) == [
        "flag.raised",
        "flag.escalated",
        "flag.acknowledged",
        "flag.resolved",
    ]
    assert "No open safety flags" in (await casey.send("/flags"))[0].text


async def test_a_report_ends_the_relationship_and_excludes_the_pair(bot: Harness) -> None:
    casey = bot.user(COORDINATOR_ID, "Casey")
    await casey.send("/start")
    robin, sam = await matched_pair(bot)

    reasons = await sam.send("/report")
    assert "other person is not told" in reasons[0].text
    await sam.tap("crossed a boundary")
    assert "Report" in casey.last().text and "crossed a boundary" in casey.last().text
    await sam.send("They asked to meet me at their house.")
    assert "the reporter added a note" in casey.last().text
    assert "meet me at their house" in casey.last().text
    assert all("report" not in m.text.lower() for m in bot.api.sent_to(robin.id))

    await casey.tap("End the relationship")
    await casey.tap("Yes, end it")
    (relationship,) = await _rows(bot, Relationship)
    assert relationship.status == "ended_early"
    (exclusion,) = await _rows(bot, Exclusion)
    assert (exclusion.service_user_id, exclusion.peer_worker_id, exclusion.reason) == (
        relationship.service_user_id,
        relationship.peer_worker_id,
        "reported",
    )
    (flag,) = await _rows(bot, SafetyFlag)
    assert flag.resolved_at is not None
    assert "report" not in bot.api.sent_to(robin.id)[-1].text.lower()  # told, without details


async def test_repeated_reports_about_one_worker_alert_coordinators(bot: Harness) -> None:
    casey = bot.user(COORDINATOR_ID, "Casey")
    await casey.send("/start")
    robin = await onboard_worker(bot, casey, 6101, "Robin", caseload="3")
    robin, sam = await matched_pair(bot, user_id=6201, worker=robin)
    robin, alex = await matched_pair(bot, user_id=6202, worker=robin)
    await sam.send("/report")
    await sam.tap("didn't turn up")
    assert all("has now been reported" not in m.text for m in bot.api.sent_to(COORDINATOR_ID))
    await alex.send("/report")
    await alex.tap("disrespectful")
    assert any("reported by 2 people" in m.text for m in bot.api.sent_to(COORDINATOR_ID))
    # A worker with several people chooses whom the report is about.
    which = await robin.send("/report")
    assert len(which[0].buttons) == 2


async def test_forged_callbacks_are_refused(bot: Harness) -> None:
    casey = bot.user(COORDINATOR_ID, "Casey")
    await casey.send("/start")
    robin, sam = await matched_pair(bot)
    stranger = await onboard_service_user(bot, 6301)
    await sam.send("I keep thinking about suicide")
    (flag,) = await _rows(bot, SafetyFlag)
    (relationship,) = await _rows(bot, Relationship)

    for forged in (f"sf|ack|{flag.id}", f"sf|resolve|{flag.id}", f"sf|endxok|{flag.id}"):
        await stranger.press(forged, casey.last())
        assert "isn't available" in stranger.toasts()[-1]
    await robin.press(f"sf|ack|{flag.id}", casey.last())
    assert "isn't available" in robin.toasts()[-1]
    (flag,) = await _rows(bot, SafetyFlag)
    assert flag.acknowledged_at is None and flag.resolved_at is None

    # Someone outside the relationship cannot report on it or raise a concern about it.
    await stranger.press(f"sr|rwhy|{relationship.id}|unsafe", sam.last())
    await stranger.press(f"sr|cfor|{relationship.id}|", sam.last())
    assert len(await _rows(bot, SafetyFlag)) == 1
    await stranger.press("sr|rwhy|notanumber|unsafe", sam.last())
    await casey.press("sf|ack|999999", casey.last())
    assert "already resolved" in casey.toasts()[-1]
    (relationship,) = await _rows(bot, Relationship)
    assert relationship.status == "active"


async def test_a_person_flooding_the_bot_is_slowed_and_nobody_else_is(
    start_bot, database, clock
) -> None:
    url, _ = database
    bot = await start_bot(make_config(url, flood={"updates_per_minute": 10}))
    flooder, other = bot.user(6401), bot.user(6402)
    replies = []
    for n in range(25):
        replies += await flooder.send(f"/help {n}")
        if n % 5 == 0:
            assert len(await other.send("/help")) == 1  # never slowed by someone else
    slow = [m for m in replies if "sending messages very quickly" in m.text]
    assert len(slow) == 1
    assert len(replies) == 11  # ten answers, then one "slow down", then quiet
    clock.advance(seconds=61)
    assert len(await flooder.send("/help")) == 1  # a minute later, back to normal


async def test_help_now_answers_however_fast_someone_writes(start_bot, database) -> None:
    url, _ = database
    bot = await start_bot(make_config(url, flood={"updates_per_minute": 5}))
    sam = bot.user(6403)
    for n in range(8):
        await sam.send(f"/help {n}")  # over the limit: a "slow down", then quiet
    replies = await sam.send("/help_now")
    assert len(replies) == 1 and "13 11 14" in replies[0].text


async def test_risk_words_after_a_command_or_while_flooding_are_still_screened(
    start_bot, database
) -> None:
    url, _ = database
    bot = await start_bot(make_config(url, flood={"updates_per_minute": 5}))
    casey = bot.user(COORDINATOR_ID, "Casey")
    await casey.send("/start")
    sam, alex = bot.user(6501), bot.user(6502)
    replies = await sam.send("/help I want to kill myself")
    assert "not a crisis service" in _texts(replies)
    for n in range(6):
        await alex.send(f"/help {n}")
    replies = await alex.send("sorry, I am going to hurt myself")  # over the limit
    assert "not a crisis service" in _texts(replies)
    flags = await _rows(bot, SafetyFlag)
    assert sorted(flag.source for flag in flags) == ["command", "flooded"]


async def test_a_new_risk_message_on_a_flag_nobody_acknowledged_alerts_again(
    start_bot, database, clock
) -> None:
    url, _ = database
    bot = await start_bot(make_config(url, safety={"escalation_contacts": [CONTACT_ID]}))
    casey = bot.user(COORDINATOR_ID, "Casey")
    await casey.send("/start")
    sam = bot.user(6601)
    await sam.send("/start")
    await sam.send("I keep thinking about suicide")
    for _ in range(4):  # escalated up to the cap, then quiet
        clock.advance(minutes=31)
        await run_sweep(bot)
    (flag,) = await _rows(bot, SafetyFlag)
    assert flag.escalations == 3
    contact_messages = len(bot.api.sent_to(CONTACT_ID))
    clock.advance(hours=3)
    await sam.send("I am going to kill myself tonight")
    assert "written something worrying again" in casey.last().text
    assert len(bot.api.sent_to(CONTACT_ID)) == contact_messages + 1
    clock.advance(minutes=31)
    await run_sweep(bot)  # and the escalation starts over
    (flag,) = await _rows(bot, SafetyFlag)
    assert flag.escalations == 1


async def test_an_unwritten_report_note_lapses_and_the_survey_still_works(
    bot: Harness, clock
) -> None:
    casey = bot.user(COORDINATOR_ID, "Casey")
    await casey.send("/start")
    robin, sam = await matched_pair(bot)
    await sam.send("/report")
    await sam.tap("didn't turn up")
    clock.advance(minutes=16)
    await sam.send("Hi Robin, are we still on for Tuesday?")
    assert robin_got(bot, robin, "Hi Robin, are we still on for Tuesday?")
    (flag,) = await _rows(bot, SafetyFlag)
    assert flag.detail is None

    # A second report, its note unwritten, then the coordinator ends the relationship: the
    # closing survey runs to its end (its comment question replaces the waiting note).
    await sam.send("/report")
    await sam.tap("crossed a boundary")
    await casey.tap("End the relationship")
    await casey.tap("Yes, end it")
    await sam.tap("5")
    await sam.tap("Yes")
    for _ in range(2):  # the outcome questions in the example configuration
        await sam.tap("4")
    await sam.send("Thank you for the support.")
    assert all("went wrong" not in m.text for m in bot.api.sent_to(sam.id))


def robin_got(bot: Harness, robin: TelegramUser, text: str) -> bool:
    return any(m.text == text for m in bot.api.sent_to(robin.id))
