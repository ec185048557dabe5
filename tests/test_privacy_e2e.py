"""Privacy rights end to end: /privacy, /mydata, /consent, /delete and the retention job."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from sqlmodel import SQLModel, text

from bot import consents
from bot.db import session_factory
from bot.models import (
    AuditLog,
    AvailabilitySlot,
    Checkin,
    CheckinPlan,
    ConsentKind,
    ConsentRecord,
    Feedback,
    FormDraft,
    OutboxMessage,
    PeerWorkerProfile,
    PendingInput,
    Person,
    PersonLanguage,
    PersonLivedExperience,
    Preference,
    Proposal,
    Reflection,
    Relationship,
    RelayedMessage,
    SafetyFlag,
    SafetyPlan,
    ServiceUserProfile,
    SupervisionSession,
    SupervisionTopic,
    WaitlistEntry,
    WorkerCheckin,
)
from bot.texts import consent_text_version
from tests.conftest import COORDINATOR_ID, make_config
from tests.harness import Harness, TelegramUser
from tests.test_checkins_e2e import first_checkin_asked
from tests.test_matching_workflow_e2e import onboard_service_user, onboard_worker, run_sweep
from tests.test_onboarding_e2e import _person, _rows
from tests.test_relay_e2e import matched_pair
from tests.test_safety_plan_e2e import SIGNS, write_plan

GOAL = "Getting out of the house more"  # what complete_onboarding shares as a goal
PREFERRED_NAME = "Zephyrine"  # what a service user may ask their peer to call them
SAM, ROBIN = 771_234_567, 661_234_567  # distinctive Telegram ids, easy to look for
KIM, LEE, DEE, WES = 772_000_001, 772_000_002, 772_000_003, 772_000_004


def _sessions(bot: Harness):
    return session_factory(bot.application.bot_data["engine"])


async def _add(bot: Harness, *rows: Any) -> None:
    async with _sessions(bot)() as session, session.begin():
        session.add_all(rows)


async def _consenting(bot: Harness, kind: ConsentKind) -> set[int]:
    async with _sessions(bot)() as session:
        return await consents.consenting(session, kind)


async def _everything(bot: Harness) -> str:
    """Every row of every table, as text: what someone reading the database would see."""
    dump = []
    async with bot.application.bot_data["engine"].connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            rows = await connection.execute(text(f'SELECT * FROM "{table.name}"'))
            dump += [f"{table.name}: {tuple(row)}" for row in rows.all()]
    return "\n".join(dump)


async def _my_data(user: TelegramUser) -> dict[str, Any]:
    replies = await user.send("/mydata")
    (sent,) = [m for m in replies if m.document]
    name, content = sent.document
    assert name == "peerlink-my-data.json"
    assert "everything we hold" in sent.text.lower()
    return json.loads(content)


async def _answer_a_checkin(bot: Harness, clock, sam: TelegramUser) -> None:
    await first_checkin_asked(bot, clock, sam)
    await sam.tap("2")
    await sam.tap("Yes please")
    await sam.send("Feeling a bit flat this week")


def _flag(about: Person, **fields: Any) -> SafetyFlag:
    return SafetyFlag(
        kind="concern",
        about_person_id=about.id,
        source="bot",
        category="worried",
        detail="Their sister told me about the flat on Elm Street",
        raised_at=datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
        **fields,
    )


# -- /privacy --------------------------------------------------------------------------------


async def test_privacy_explains_what_is_held_for_how_long_and_the_limits(
    start_bot, database
) -> None:
    url, _engine = database
    bot = await start_bot(make_config(url, retention={"after": "104w"}))
    replies = await bot.user(SAM).send("/privacy")
    (reply,) = replies
    for words in (
        "What we hold",
        "consent choices",
        "find you a suitable peer",
        "check-in scores",
        "content of the messages",
        "2 years",
        "risk to you or to someone else",
        "not a crisis service",
        "/mydata",
        "/consent",
        "/delete",
    ):
        assert words in reply.text, words


# -- /mydata ---------------------------------------------------------------------------------


async def test_mydata_for_a_matched_service_user_and_for_their_worker(bot: Harness, clock) -> None:
    robin, sam = await matched_pair(bot, ROBIN, SAM)
    await _answer_a_checkin(bot, clock, sam)
    await sam.send("Hi Robin, see you Thursday")
    sam_person, robin_person = await _person(bot, sam), await _person(bot, robin)
    await _add(bot, _flag(sam_person, resolution="Spoke to the care team on 03 9999 0000"))

    mine = await _my_data(sam)
    assert mine["person"]["telegram_user_id"] == SAM
    assert mine["person"]["reference"] == f"U{sam_person.id}"
    assert mine["person"]["status"] == "matched"
    assert mine["person"]["created_at"] == "2026-03-02T09:00:00+00:00"  # ISO 8601, UTC
    assert [(c["kind"], c["agreed"], c["in_force"]) for c in mine["consents"]] == [
        ("matching", True, True),
        ("contact", True, True),
        ("evaluation", True, True),
    ]
    assert all(c["wording_version"] and c["recorded_at"] for c in mine["consents"])
    assert mine["service_user_profile"]["goal"] == GOAL
    assert mine["service_user_profile"]["timezone"] == "Australia/Brisbane"
    assert {a["label"] for a in mine["lived_experience"]} == {"A hospital admission", "Psychosis"}
    assert len(mine["languages"]) == 2
    assert {p["attribute"] for p in mine["preferences"]} >= {"gender", "language"}
    assert [(a["weekday"], a["from"]) for a in mine["availability"]][:1] == [("Tuesday", "17:00")]
    (relationship,) = mine["relationships"]
    assert relationship["peer_worker"] == "Robin"
    assert relationship["status"] == "active"
    assert relationship["messages_you_sent"] == 1
    assert relationship["checkin_plan"]["cadence"] == "weekly"
    (checkin,) = mine["checkins"]
    assert (checkin["score"], checkin["added_a_note"]) == (2, True)
    (flag,) = mine["safety_flags"]
    assert (flag["kind"], flag["category"], flag["status"]) == ("concern", "worried", "open")
    assert "resolution" not in flag and "detail" not in flag
    actions = [entry["action"] for entry in mine["audit"]]
    assert "service_user.waiting" in actions and "relationship.active" in actions
    raw = json.dumps(mine)
    assert str(ROBIN) not in raw  # never the worker's Telegram id
    assert "Elm Street" not in raw and "9999" not in raw  # others' notes about them
    assert "see you Thursday" not in raw and "flat this week" not in raw  # never kept at all

    theirs = await _my_data(robin)
    assert theirs["person"]["telegram_user_id"] == ROBIN
    assert theirs["person"]["reference"] == f"W{robin_person.id}"
    assert theirs["consents"] == []
    assert theirs["peer_worker_profile"]["display_name"] == "Robin"
    assert theirs["peer_worker_profile"]["max_caseload"] == 3
    (relationship,) = theirs["relationships"]
    assert relationship["service_user"] == f"U{sam_person.id}"
    assert relationship["messages_you_received"] == 1
    assert theirs["checkins"] == [] and theirs["safety_flags"] == []
    raw = json.dumps(theirs)
    assert str(SAM) not in raw and GOAL not in raw  # nothing of the service user's own

    replies = await bot.user(123).send("/mydata")
    assert "don't hold anything" in replies[-1].text


# -- /consent --------------------------------------------------------------------------------


async def test_withdrawing_contact_ends_the_relationship_kindly_and_stops_offers(
    bot: Harness,
) -> None:
    robin, sam = await matched_pair(bot, ROBIN, SAM)
    replies = await sam.send("/consent")
    overview = replies[-1]
    assert "Given on 2 Mar 2026" in overview.text and consent_text_version("en") in overview.text
    assert overview.button_labels == [
        "Withdraw: matching",
        "Withdraw: contact",
        "Withdraw: evaluation",
    ]
    before = len(bot.api.sent_to(sam.id))
    await sam.tap("Withdraw: contact")
    assert "Withdraw your consent to contact?" in overview.text  # the same message, redrawn
    await sam.tap("No, keep it")
    assert "Your consents" in overview.text and await _consenting(bot, ConsentKind.CONTACT)

    await sam.tap("Withdraw: contact")
    await sam.tap("Yes, withdraw it")
    assert "Withdrawn on 2 Mar 2026" in overview.text
    assert "Withdraw: contact" not in overview.button_labels
    assert "consent is withdrawn" in sam.last().text
    # The leaving person gets their confirmation only: no closing message, no survey.
    assert [m.text for m in bot.api.sent_to(sam.id)[before:]] == [sam.last().text]

    told = robin.last().text
    assert "has decided to end" in told
    assert "consent" not in told.lower() and "withdr" not in told.lower()
    (relationship,) = await _rows(bot, Relationship)
    assert relationship.status == "ended_early"
    sam_person = await _person(bot, sam)
    assert sam_person.status == "consent_withdrawn"
    assert sam_person.id not in await _consenting(bot, ConsentKind.CONTACT)
    assert sam_person.id in await _consenting(bot, ConsentKind.MATCHING)
    (withdrawn,) = await _rows(bot, ConsentRecord, person_id=sam_person.id, kind="contact")
    assert withdrawn.withdrawn_at is not None
    audit = await _rows(bot, AuditLog, subject_id=sam_person.id, subject_type="person")
    assert ("consent.withdrawn", "contact") in [(a.action, a.reason) for a in audit]

    replies = await sam.send("Hello?")  # the relay is closed, explained kindly
    assert "withdrawn your consent" in replies[-1].text
    replies = await sam.send("/status")
    assert "/start" in replies[-1].text
    replies = await sam.send("/start")  # coming back: onboarding asks again
    assert (await _person(bot, sam)).status == "onboarding"


async def test_withdrawing_matching_withdraws_a_request_and_leaves_the_waitlist(
    bot: Harness,
) -> None:
    casey = bot.user(COORDINATOR_ID)
    robin = await onboard_worker(bot, casey, ROBIN, "Robin")
    sam = await onboard_service_user(bot, SAM)
    await casey.tap("Offer only Robin")
    await sam.tap("Choose Robin")  # Robin has been asked and has not answered yet
    sam_person = await _person(bot, sam)
    assert await _rows(bot, WaitlistEntry, service_user_id=sam_person.id)
    await sam.send("/consent")
    await sam.tap("Withdraw: matching")
    assert "come off the waitlist" in sam.last_with_buttons().text
    await sam.tap("Yes, withdraw it")
    assert (await _person(bot, sam)).status == "consent_withdrawn"
    assert await _rows(bot, WaitlistEntry, service_user_id=sam_person.id) == []
    (relationship,) = await _rows(bot, Relationship)
    assert relationship.status == "withdrawn"
    told = robin.last().text
    assert "has been withdrawn" in told and "consent" not in told.lower()

    # A worker joining later is not proposed to someone who withdrew.
    proposals = len(await _rows(bot, Proposal, service_user_id=sam_person.id))
    await onboard_worker(bot, casey, 661_000_002, "Alex")
    assert len(await _rows(bot, Proposal, service_user_id=sam_person.id)) == proposals
    assert not await _rows(bot, Proposal, status="review")


async def test_withdrawing_evaluation_removes_them_from_exports_and_it_can_be_given_again(
    bot: Harness,
) -> None:
    sam = await onboard_service_user(bot, SAM)
    sam_id = (await _person(bot, sam)).id
    assert sam_id in await _consenting(bot, ConsentKind.EVALUATION)
    await sam.send("/consent")
    await sam.tap("Withdraw: evaluation")
    assert "carries on exactly as before" in sam.last_with_buttons().text
    await sam.tap("Yes, withdraw it")
    assert "won't be used for evaluation" in sam.last().text
    assert sam_id not in await _consenting(bot, ConsentKind.EVALUATION)
    assert (await _person(bot, sam)).status == "waiting"  # nothing else changes

    await sam.tap("Give evaluation consent again")
    assert "May we use your answers" in sam.last_with_buttons().text
    await sam.tap("Yes, you may")
    assert sam_id in await _consenting(bot, ConsentKind.EVALUATION)
    records = await _rows(bot, ConsentRecord, person_id=sam_id, kind="evaluation")
    assert [(r.agreed, r.withdrawn_at is None) for r in records] == [(True, False), (True, True)]
    actions = [a.action for a in await _rows(bot, AuditLog, subject_id=sam_id)]
    assert "consent.withdrawn" in actions and "consent.given" in actions


async def test_a_peer_worker_is_told_their_data_is_held_as_staff(bot: Harness) -> None:
    robin = await onboard_worker(bot, bot.user(COORDINATOR_ID), ROBIN, "Robin")
    replies = await robin.send("/consent")
    assert "team" in replies[-1].text and "/delete" in replies[-1].text
    assert not replies[-1].buttons


async def test_forged_and_stale_privacy_buttons_are_refused(bot: Harness) -> None:
    sam = await onboard_service_user(bot, SAM)
    kim = await onboard_service_user(bot, KIM)
    sam_person = await _person(bot, sam)
    (contact,) = await _rows(bot, ConsentRecord, person_id=sam_person.id, kind="contact")
    (own,) = await kim.send("/consent")  # Kim's own message, with crafted data behind it
    toasts = len(kim.toasts())
    for forged in (
        f"pv|withdraw|contact|{contact.id}",
        f"pv|ask|contact|{contact.id}",
        f"pv|delete|0|{sam_person.id}",
        "pv|withdraw|nonsense|x",
        "pv|ask|contact|\u00b2",
        "pv|delete|0|99999999999999999999",
    ):
        await kim.press(forged, own)
    assert len(kim.toasts()) == toasts + 6
    assert all("earlier message" in toast for toast in kim.toasts()[toasts:])
    assert sam_person.id in await _consenting(bot, ConsentKind.CONTACT)
    assert (await _person(bot, sam)).erased_at is None
    assert (await _person(bot, kim)).status == "waiting"

    # Sam's own confirmation, tapped twice: the second tap finds nothing to withdraw.
    await sam.send("/consent")
    await sam.tap("Withdraw: evaluation")
    confirm = sam.last_with_buttons()
    button = confirm.buttons[0]["callback_data"]
    await sam.press(button, confirm)
    await sam.press(button, confirm)
    assert "earlier message" in sam.toasts()[-1]
    records = await _rows(bot, ConsentRecord, person_id=sam_person.id, kind="evaluation")
    assert len(records) == 1


# -- /delete ---------------------------------------------------------------------------------


async def test_delete_can_be_cancelled_then_erases_everything_personal(
    bot: Harness, clock, caplog
) -> None:
    caplog.set_level(logging.INFO)
    robin, sam = await matched_pair(bot, ROBIN, SAM)
    await _answer_a_checkin(bot, clock, sam)
    await sam.send("Hi Robin")
    sam_person = await _person(bot, sam)
    await _add(bot, _flag(sam_person))
    await write_plan(sam)  # their own safety plan: goes with everything else
    await sam.send("/profile")  # the name their peer may call them
    await sam.tap("Edit: what my peer calls me")
    await sam.send(PREFERRED_NAME)
    await sam.tap("Yes, coordinators may see it too")
    await sam.tap("confirm")
    assert (await _rows(bot, ServiceUserProfile))[0].preferred_name == PREFERRED_NAME
    await sam.send("/profile")  # leaves a form draft behind

    replies = await sam.send("/delete")
    assert "can't be undone" in replies[-1].text
    assert "Because you agreed to evaluation" in replies[-1].text
    await sam.tap("No, keep it")
    assert "Nothing has been deleted" in sam.last().text
    assert (await _person(bot, sam)).erased_at is None

    await sam.send("/delete")
    before = len(bot.api.sent_to(sam.id))
    await sam.tap("Yes, delete my data")
    assert [m.text for m in bot.api.sent_to(sam.id)[before:]] == [sam.last().text]
    assert "has been deleted" in sam.last().text and "/start" in sam.last().text
    told = robin.last().text
    assert "has decided to end" in told and "delet" not in told.lower()
    assert PREFERRED_NAME not in told  # no longer theirs to be called by

    erased = await _rows(bot, Person, id=sam_person.id)
    (erased,) = erased
    assert erased.telegram_id < 0 and erased.erased_at is not None
    assert erased.status == "erased" and erased.last_seen_at is None
    for model in (
        ServiceUserProfile,
        Preference,
        AvailabilitySlot,
        PersonLanguage,
        PersonLivedExperience,
        FormDraft,
        PendingInput,
        SafetyPlan,
    ):
        assert await _rows(bot, model, person_id=sam_person.id) == [], model
    assert await _rows(bot, WaitlistEntry) == []
    assert await _rows(bot, RelayedMessage) == []
    assert await _rows(bot, Proposal, service_user_id=sam_person.id) == []
    assert await _rows(bot, CheckinPlan) == []
    assert await _rows(bot, OutboxMessage, person_id=sam_person.id) == []
    (flag,) = await _rows(bot, SafetyFlag)
    assert flag.detail is None
    # Evaluation consent is in force: the pseudonymous figures stay.
    (relationship,) = await _rows(bot, Relationship)
    assert relationship.status == "ended_early" and relationship.messages_from_service_user == 1
    (checkin,) = await _rows(bot, Checkin)
    assert checkin.score == 2
    everything = await _everything(bot)
    for personal in (str(SAM), GOAL, PREFERRED_NAME, "Elm Street", "flat this week", SIGNS):
        assert personal not in everything, personal
    audit = await _rows(bot, AuditLog, subject_id=sam_person.id, action="service_user.erased")
    assert audit and str(SAM) not in (audit[0].reason or "")
    logged = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    assert str(SAM) not in logged and GOAL not in logged and PREFERRED_NAME not in logged

    # The same Telegram account is a stranger now: /start begins afresh, as a new person.
    replies = await sam.send("/start")
    assert "Continue" in replies[-1].button_labels
    (fresh,) = await _rows(bot, Person, telegram_id=SAM)
    assert fresh.id != sam_person.id and fresh.status == "onboarding"
    replies = await sam.send("/mydata")
    mine = json.loads(next(m for m in replies if m.document).document[1])
    assert mine["relationships"] == [] and mine["service_user_profile"] is None


async def test_without_evaluation_consent_scores_and_survey_answers_go_too(
    bot: Harness, clock
) -> None:
    robin, sam = await matched_pair(bot, ROBIN, SAM)
    await _answer_a_checkin(bot, clock, sam)
    await sam.send("/end")
    await sam.tap("rather not say")
    await sam.tap("4")
    await sam.tap("Yes")
    await sam.tap("5")
    await sam.tap("3")
    await sam.send("Robin really understood what the ward was like")
    assert len(await _rows(bot, Feedback)) == 1
    await sam.send("/consent")
    await sam.tap("Withdraw: evaluation")
    await sam.tap("Yes, withdraw it")

    replies = await sam.send("/delete")
    assert "Check-in and survey answers are removed" in replies[-1].text
    await sam.tap("Yes, delete my data")
    assert await _rows(bot, Feedback) == []
    assert await _rows(bot, Checkin) == []
    (relationship,) = await _rows(bot, Relationship)  # the bare facts stay
    assert relationship.status == "ended_early"
    everything = await _everything(bot)
    assert "ward was like" not in everything and str(SAM) not in everything
    assert "Robin" in everything  # the worker is still here: only Sam asked to go


async def test_a_worker_deleting_ends_their_relationships_and_a_coordinator_cannot(
    bot: Harness, clock
) -> None:
    casey = bot.user(COORDINATOR_ID)
    replies = await casey.send("/delete")
    assert "Another coordinator must remove you first" in replies[-1].text
    assert not replies[-1].buttons

    robin, sam = await matched_pair(bot, ROBIN, SAM)
    robin_person = await _person(bot, robin)
    await run_sweep(bot)  # schedules Robin's own weekly check-in, which he answers
    clock.now = datetime(2026, 3, 6, 5, 1, tzinfo=UTC)
    await run_sweep(bot)
    await robin.tap("4")
    theirs = await _my_data(robin)
    assert [(w["score"], w["asked_to_talk"]) for w in theirs["wellbeing_checkins"]] == [(4, False)]
    kim = await onboard_service_user(bot, KIM)  # chose Robin; he has not answered yet
    await casey.tap("Offer only Robin")
    await kim.tap("Choose Robin")
    wes = await onboard_service_user(bot, WES)  # Robin is proposed to the coordinators
    wes_id = (await _person(bot, wes)).id
    sent_at = datetime(2026, 3, 6, 6, 0, tzinfo=UTC)
    await _add(
        bot,
        *(
            OutboxMessage(
                telegram_id=COORDINATOR_ID, text=body, created_at=sent_at, sent_at=sent_at
            )
            for body in ("Flag #1: U9, worker Robin", "Wellbeing: 1 answered")
        ),
    )

    # Supervision: a session with a coordinators' note, a topic of Robin's, a reflection.
    relationship_id = (await _rows(bot, Relationship))[0].id
    await _add(
        bot,
        SupervisionSession(
            worker_id=robin_person.id,
            held_at=sent_at,
            discussed=[relationship_id],
            note="SUPERVISION-NOTE-about-Robin",
            created_at=sent_at,
        ),
        SupervisionTopic(worker_id=robin_person.id, text="TOPIC-of-Robin", added_at=sent_at),
        Reflection(
            worker_id=robin_person.id,
            relationship_id=relationship_id,
            went_well="REFLECTION-of-Robin",
            created_at=sent_at,
        ),
    )
    mine = await _my_data(robin)
    assert mine["supervision"]["topics"][0]["text"] == "TOPIC-of-Robin"
    assert mine["supervision"]["reflections"][0]["went_well"] == "REFLECTION-of-Robin"

    await robin.send("/delete")
    await robin.tap("Yes, delete my data")
    assert "has been deleted" in robin.last().text
    for model in (SupervisionSession, SupervisionTopic, Reflection):
        assert await _rows(bot, model) == [], model
    texts = [m.text for m in bot.api.sent_to(sam.id)[-2:]]
    assert "Your peer worker has had to end" in texts[0] and "how helpful" in texts[1]
    assert (await _person(bot, sam)).status == "ended"  # as any worker's early ending
    assert any("no longer available" in m.text for m in bot.api.sent_to(kim.id)[-2:])
    assert (await _person(bot, kim)).status == "waiting"  # looked for again, as after a decline
    (proposal,) = await _rows(bot, Proposal, service_user_id=wes_id)
    assert proposal.status == "superseded"  # nobody left to propose
    assert (await _person(bot, wes)).status == "waiting"
    kims = await _rows(bot, Proposal, service_user_id=(await _person(bot, kim)).id)
    assert kims and all(not c["reasons"] for p in kims for c in p.candidates)  # Robin's: gone
    (erased,) = await _rows(bot, Person, id=robin_person.id)
    assert erased.status == "erased" and erased.telegram_id < 0
    assert await _rows(bot, PeerWorkerProfile) == []
    assert await _rows(bot, WorkerCheckin) == []
    history = [m.text for m in await _rows(bot, OutboxMessage, telegram_id=COORDINATOR_ID)]
    assert "Wellbeing: 1 answered" in history  # sent messages naming Robin are gone, not all
    everything = await _everything(bot)
    assert str(ROBIN) not in everything and "Robin" not in everything
    assert "SUPERVISION-NOTE" not in everything and "REFLECTION-of" not in everything
    # Sam's own data about their (ended) peer support now names nobody.
    mine = await _my_data(sam)
    assert mine["relationships"][0]["peer_worker"] is None


# -- retention -------------------------------------------------------------------------------


async def _ended_early(bot: Harness, casey: TelegramUser, robin, telegram_id: int):
    _, user = await matched_pair(bot, user_id=telegram_id, worker=robin)
    await user.send("/end")
    await user.tap("rather not say")
    return user


async def _declined(bot: Harness, telegram_id: int) -> TelegramUser:
    dee = bot.user(telegram_id)
    await dee.send("/start")
    await dee.tap("Continue")
    await dee.tap("I understand")
    await dee.tap("No thanks")
    return dee


async def test_retention_erases_people_who_left_long_ago_and_nobody_else(
    start_bot, database, clock
) -> None:
    url, _engine = database
    bot = await start_bot(make_config(url, retention={"after": "20d"}))
    casey = bot.user(COORDINATOR_ID)
    robin = await onboard_worker(bot, casey, ROBIN, "Robin", caseload="3")
    _, sam = await matched_pair(bot, user_id=SAM, worker=robin)  # stays active
    kim = await _ended_early(bot, casey, robin, KIM)
    lee = await _ended_early(bot, casey, robin, LEE)
    dee = await _declined(bot, DEE)
    replies = await dee.send("hello")
    assert "begin again" in replies[-1].text
    wes = await onboard_service_user(bot, WES)  # proposed to coordinators, still waiting
    ids = {user: (await _person(bot, user)).id for user in (robin, sam, kim, lee, dee, wes)}

    clock.advance(days=15)
    await lee.send("/status")  # Lee came back
    clock.advance(days=6)
    await run_sweep(bot)

    async def erased() -> set[TelegramUser]:
        rows = {p.id: p for p in await _rows(bot, Person)}
        return {user for user, pid in ids.items() if rows[pid].erased_at is not None}

    assert await erased() == {kim, dee}
    (kim_row,) = await _rows(bot, Person, id=ids[kim])
    assert kim_row.telegram_id < 0 and kim_row.status == "erased"
    assert await _rows(bot, ServiceUserProfile, person_id=ids[kim]) == []
    assert await _rows(bot, ServiceUserProfile, person_id=ids[lee])  # Lee's is kept
    assert (await _person(bot, casey)).erased_at is None
    retention_notes = [m for m in bot.api.sent_to(COORDINATOR_ID) if "Retention" in m.text]
    assert len(retention_notes) == 1 and "2 people" in retention_notes[0].text
    audit = await _rows(bot, AuditLog, action="service_user.erased")
    assert {a.subject_id for a in audit} == {ids[kim], ids[dee]}
    assert all(a.actor_person_id is None for a in audit)

    await run_sweep(bot)  # idempotent: nothing more to do, nothing said twice
    assert await erased() == {kim, dee}
    assert len([m for m in bot.api.sent_to(COORDINATOR_ID) if "Retention" in m.text]) == 1

    clock.advance(days=15)  # Lee has now been away for the whole period too
    await run_sweep(bot)
    assert await erased() == {kim, dee, lee}
    # Never the active pair, someone still waiting for us, or the coordinator.
    assert {robin, sam, wes}.isdisjoint(await erased())
    assert (await _person(bot, casey)).erased_at is None
    everything = await _everything(bot)
    assert all(str(user.id) not in everything for user in (kim, lee, dee))


# -- what the review found -----------------------------------------------------------------


async def test_an_unwritten_checkin_note_never_reaches_the_worker_after_contact_ends(
    bot: Harness, clock
) -> None:
    robin, sam = await matched_pair(bot, ROBIN, SAM)
    await first_checkin_asked(bot, clock, sam)
    await sam.tap("2")
    await sam.tap("Yes please")  # the note is now awaited...
    await sam.send("/consent")
    await sam.tap("Withdraw: contact")
    await sam.tap("Yes, withdraw it")
    await sam.send("my private thoughts after leaving")
    assert all("private thoughts" not in m.text for m in bot.api.sent_to(robin.id))


async def test_mydata_never_tells_someone_they_were_reported(bot: Harness) -> None:
    casey = bot.user(COORDINATOR_ID)
    await casey.send("/start")
    robin, sam = await matched_pair(bot, ROBIN, SAM)
    await robin.send("/report")
    await robin.tap("disrespectful")
    await robin.send("/concern")
    await robin.send("Sam seemed very low today")
    sams = await _my_data(sam)
    assert "report" not in json.dumps(sams) and "concern" not in json.dumps(sams)
    robins = await _my_data(robin)  # what they raised themselves is theirs to see
    assert sorted(flag["kind"] for flag in robins["safety_flags"]) == ["concern", "report"]


async def test_erasure_removes_reasons_coordinators_typed_about_them(bot: Harness) -> None:
    casey = bot.user(COORDINATOR_ID)
    await casey.send("/start")
    robin, sam = await matched_pair(bot, ROBIN, SAM)
    (relationship,) = await _rows(bot, Relationship)
    await casey.send(f"/close R{relationship.id} Sam is moving to Elm Street next week")
    assert "Elm Street" in (await _everything(bot))
    await sam.send("/delete")
    await sam.tap("Yes, delete my data")
    assert "Elm Street" not in (await _everything(bot))
    audit = await _rows(bot, AuditLog, subject_type="relationship", subject_id=relationship.id)
    assert "relationship.ended_early" in [a.action for a in audit]  # the action stays


async def test_retention_never_erases_peer_workers_in_the_pool(start_bot, database, clock) -> None:
    url, _engine = database
    bot = await start_bot(make_config(url, retention={"after": "20d"}))
    casey = bot.user(COORDINATOR_ID)
    robin = await onboard_worker(bot, casey, ROBIN, "Robin")  # approved, never matched
    clock.advance(days=60)
    await run_sweep(bot)
    person = await _person(bot, robin)
    assert person.erased_at is None
    assert await _rows(bot, PeerWorkerProfile, person_id=person.id)
