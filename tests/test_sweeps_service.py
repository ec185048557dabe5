"""Each registered sweep, directly through its service function (no Telegram): a real
database, the fake clock, and rows built by ``tests.factories``.

A sweep claims what is due by changing the row that made it due, in the transaction it runs
in (as ``bot.scheduler`` runs it), and returns the notices to send; so a second sweep at the
same moment finds nothing and says nothing. Each test checks the rows and the notices: who
hears, and in what words.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.db import transaction
from bot.deps import Deps
from bot.lifecycle import (
    CheckinStatus,
    PeerWorkerStatus,
    ProposalStatus,
    RelationshipStatus,
    ServiceUserStatus,
)
from bot.models import (
    AuditLog,
    Checkin,
    CheckinPlan,
    Exclusion,
    PeerWorkerProfile,
    Person,
    Proposal,
    Relationship,
    SafetyFlag,
    ServiceUserProfile,
    WaitlistEntry,
    WorkerCheckin,
)
from bot.notify import Notice
from bot.offers import service as offers
from bot.privacy import erasure, retention
from bot.relationships import checkins, closure
from bot.safety import service as safety
from bot.workers import wellbeing_checkins
from tests import factories
from tests.conftest import COORDINATOR_ID

CONTACT_ID = 7777  # an escalation contact (the duty clinician), not a coordinator


async def run(deps: Deps, sweeper) -> list[Notice]:
    """One sweep in its own transaction, as the scheduler runs it."""
    async with transaction(deps.sessions) as session:
        return await sweeper(deps, session)


def said(notices: list[Notice]) -> list[tuple[int, str]]:
    """(recipient's Telegram id, text) for each notice, in order."""
    return [(notice.telegram_id, notice.reply.text) for notice in notices]


def labels(notice: Notice) -> list[str]:
    return [button.label for row in notice.reply.buttons for button in row]


async def get(deps: Deps, model, key):
    async with deps.sessions() as session:
        return await session.get(model, key)


async def rows(deps: Deps, model, *where) -> list:
    async with deps.sessions() as session:
        return list((await session.exec(select(model).where(*where))).all())


@pytest.fixture
async def deps(database, clock) -> Deps:
    return await factories.deps_for(database, clock)


def test_the_factories_start_where_the_clock_does(clock) -> None:
    assert clock.now == factories.START  # rows built without ``at`` are built "now"


# -- safety: escalation of flags nobody acknowledged ---------------------------------------------


async def test_an_unacknowledged_flag_escalates_after_ack_within_once(database, clock) -> None:
    deps = await factories.deps_for(database, clock, safety={"escalation_contacts": [CONTACT_ID]})
    async with transaction(deps.sessions) as session:
        flag = await factories.safety_flag(session, at=clock.now)

    clock.advance(minutes=29)  # ack_within is 30 minutes
    assert await run(deps, safety.sweep) == []
    assert (await get(deps, SafetyFlag, flag.id)).escalations == 0

    clock.advance(minutes=2)
    notices = await run(deps, safety.sweep)
    assert [n.telegram_id for n in notices] == [COORDINATOR_ID, CONTACT_ID]
    to_coordinator, to_contact = notices
    assert f"Still not acknowledged: Risk flag #{flag.id}" in to_coordinator.reply.text
    assert "Acknowledge" in labels(to_coordinator)
    assert "escalation contact" in to_contact.reply.text and labels(to_contact) == []
    stored = await get(deps, SafetyFlag, flag.id)
    assert (stored.escalations, stored.escalated_at) == (1, clock.now)
    (audit,) = await rows(deps, AuditLog, AuditLog.action == "flag.escalated")
    assert (audit.subject_id, audit.actor_person_id, audit.reason) == (
        flag.id,
        None,
        "escalation 1",
    )

    assert await run(deps, safety.sweep) == []  # claimed: not again at the same moment
    clock.advance(minutes=29)
    assert await run(deps, safety.sweep) == []  # nor before another ack_within has passed
    clock.advance(minutes=2)
    assert [n.telegram_id for n in await run(deps, safety.sweep)] == [COORDINATOR_ID, CONTACT_ID]
    assert (await get(deps, SafetyFlag, flag.id)).escalations == 2


async def test_escalation_stops_after_three_sends_and_skips_handled_flags(
    deps: Deps, clock
) -> None:
    async with transaction(deps.sessions) as session:
        open_flag = await factories.safety_flag(session, at=clock.now)
        acknowledged = await factories.safety_flag(session, at=clock.now, acknowledged_at=clock.now)
        resolved = await factories.safety_flag(
            session, at=clock.now, resolved_at=clock.now, resolution="spoke with them"
        )
    sent = []
    for _ in range(4):
        clock.advance(minutes=31)
        sent.append(said(await run(deps, safety.sweep)))
    assert [len(notices) for notices in sent] == [1, 1, 1, 0]  # the coordinator, three times
    assert all(f"#{open_flag.id}" in text for notices in sent for _, text in notices)
    assert (await get(deps, SafetyFlag, open_flag.id)).escalations == 3
    for handled in (acknowledged, resolved):
        assert (await get(deps, SafetyFlag, handled.id)).escalations == 0


# -- matching: requests to workers, reminders, long waits ---------------------------------------


async def test_a_request_past_its_deadline_expires_and_both_sides_hear(deps: Deps, clock) -> None:
    async with transaction(deps.sessions) as session:
        request = await factories.relationship(
            session, status=RelationshipStatus.REQUESTED, at=clock.now
        )
        user = await session.get(Person, request.service_user_id)
        worker = await session.get(Person, request.peer_worker_id)

    clock.advance(days=3, minutes=1)  # offer_timeout is 3 days (its reminder is due too)
    notices = said(await run(deps, offers.sweep))
    assert [telegram_id for telegram_id, _ in notices] == [
        worker.telegram_id,
        user.telegram_id,
        user.telegram_id,
    ]
    assert "A request to you has expired" in notices[0][1]
    assert "haven't heard back from the peer worker" in notices[1][1]
    assert "on our waitlist" in notices[2][1]  # the worker is excluded now; nobody else fits
    stored = await get(deps, Relationship, request.id)
    assert (stored.status, stored.ended_at) == (RelationshipStatus.EXPIRED, clock.now)
    assert (await get(deps, Person, user.id)).status == ServiceUserStatus.WAITING
    (exclusion,) = await rows(deps, Exclusion)
    assert (exclusion.service_user_id, exclusion.peer_worker_id, exclusion.reason) == (
        user.id,
        worker.id,
        "expired",
    )
    assert (await get(deps, WaitlistEntry, user.id)).declines == 1

    assert await run(deps, offers.sweep) == []


async def test_a_request_is_reminded_half_way_once(deps: Deps, clock) -> None:
    async with transaction(deps.sessions) as session:
        request = await factories.relationship(
            session, status=RelationshipStatus.REQUESTED, at=clock.now
        )
        worker = await session.get(Person, request.peer_worker_id)

    clock.advance(days=1)
    assert await run(deps, offers.sweep) == []
    clock.advance(days=0.6)  # past half of the 3 days
    (reminder,) = await run(deps, offers.sweep)
    assert reminder.telegram_id == worker.telegram_id
    assert f"Reminder:</b> U{request.service_user_id} is waiting" in reminder.reply.text
    assert labels(reminder) == ["Accept", "Decline"]
    stored = await get(deps, Relationship, request.id)
    assert (stored.status, stored.reminder_due_at) == (RelationshipStatus.REQUESTED, None)

    assert await run(deps, offers.sweep) == []


async def test_an_offer_the_service_user_leaves_unanswered_does_not_expire(
    deps: Deps, clock
) -> None:
    """What the sweep does, not what one might expect: only a worker's request has a
    deadline; peers offered to a service user stay offered until they choose."""
    async with transaction(deps.sessions) as session:
        worker = await factories.peer_worker(session, at=clock.now)
        offer = await factories.proposal(
            session, status=ProposalStatus.OFFERED, workers=[worker], at=clock.now
        )

    clock.advance(days=4)  # past offer_timeout, short of max_wait
    assert await run(deps, offers.sweep) == []
    assert (await get(deps, Proposal, offer.id)).status == ProposalStatus.OFFERED
    person = await get(deps, Person, offer.service_user_id)
    assert person.status == ServiceUserStatus.OFFERED


async def test_a_long_wait_alerts_the_coordinators_once(deps: Deps, clock) -> None:
    async with transaction(deps.sessions) as session:
        user = await factories.service_user(session, at=clock.now)

    clock.advance(days=13)
    assert await run(deps, offers.sweep) == []
    clock.advance(days=2)  # max_wait is 14 days
    ((to, text),) = said(await run(deps, offers.sweep))
    assert to == COORDINATOR_ID and f"U{user.id} has been waiting 15 days for a peer" in text
    assert (await get(deps, WaitlistEntry, user.id)).alerted_at == clock.now

    assert await run(deps, offers.sweep) == []


# -- endings: reminders, the planned end, pause reviews -----------------------------------------


async def test_a_relationship_past_its_planned_end_is_completed_once(deps: Deps, clock) -> None:
    async with transaction(deps.sessions) as session:
        pair = await factories.relationship(session, at=clock.now)  # ends 12 weeks on
        user = await session.get(Person, pair.service_user_id)
        worker = await session.get(Person, pair.peer_worker_id)

    clock.advance(weeks=12, hours=1)
    notices = said(await run(deps, closure.sweep))
    assert [telegram_id for telegram_id, _ in notices] == [
        user.telegram_id,
        user.telegram_id,
        worker.telegram_id,
    ]
    assert "come to its planned end" in notices[0][1] and "Recovery College" in notices[0][1]
    assert "13 11 14" in notices[0][1]  # the crisis lines
    assert "how helpful was your peer support" in notices[1][1]  # the survey
    assert f"Your relationship with U{user.id} has reached its planned end" in notices[2][1]
    stored = await get(deps, Relationship, pair.id)
    assert (stored.status, stored.ended_at, stored.end_reason) == (
        RelationshipStatus.COMPLETED,
        clock.now,
        "planned end",
    )
    assert (await get(deps, Person, user.id)).status == ServiceUserStatus.ENDED
    profile = await get(deps, ServiceUserProfile, user.id)
    assert profile.rematch_after == clock.now + timedelta(weeks=2)  # the rematch cooldown

    assert await run(deps, closure.sweep) == []


async def test_closure_reminders_count_down_once_each_latest_only_after_downtime(
    deps: Deps, clock
) -> None:
    async with transaction(deps.sessions) as session:
        pair = await factories.relationship(session, at=clock.now)
        user = await session.get(Person, pair.service_user_id)
        worker = await session.get(Person, pair.peer_worker_id)

    clock.advance(weeks=8, hours=1)  # the first lead: four weeks before the end
    to_user, to_worker = await run(deps, closure.sweep)
    assert to_user.telegram_id == user.telegram_id and "gentle reminder" in to_user.reply.text
    assert labels(to_user) == ["Ask for more time"]
    assert to_worker.telegram_id == worker.telegram_id
    assert "ending checklist" in to_worker.reply.text and len(labels(to_worker)) == 5
    assert (await get(deps, Relationship, pair.id)).closure_reminders_sent == 1
    assert await run(deps, closure.sweep) == []

    clock.advance(weeks=3, days=1)  # down across the two- and one-week leads: one pair only
    assert [n.telegram_id for n in await run(deps, closure.sweep)] == [
        user.telegram_id,
        worker.telegram_id,
    ]
    stored = await get(deps, Relationship, pair.id)
    assert (stored.status, stored.closure_reminders_sent) == (RelationshipStatus.ACTIVE, 3)
    assert await run(deps, closure.sweep) == []


async def test_a_pause_due_for_review_asks_the_coordinators_once(deps: Deps, clock) -> None:
    async with transaction(deps.sessions) as session:
        paused = await factories.relationship(
            session, status=RelationshipStatus.PAUSED, at=clock.now
        )  # to be reviewed a week on

    clock.advance(days=6)
    assert await run(deps, closure.sweep) == []
    clock.advance(days=1, minutes=1)
    assert said(await run(deps, closure.sweep)) == [
        (
            COORDINATOR_ID,
            f"R{paused.id} has been paused until today: time to review it (/resume or /close).",
        )
    ]
    stored = await get(deps, Relationship, paused.id)
    assert (stored.status, stored.review_at) == (RelationshipStatus.PAUSED, None)

    assert await run(deps, closure.sweep) == []


# -- check-ins: sending, the missed ladder, downtime, first contact ----------------------------

TUESDAY_6PM = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)  # 18:00 in Brisbane; the clock is Monday


async def _checking_in(session, clock, **plan) -> tuple[Relationship, Person]:
    """An active pair who have been in touch, with a weekly plan due Tuesday 18:00."""
    pair = await factories.relationship(session, at=clock.now, first_contact_at=clock.now)
    await factories.checkin_plan(session, pair, **{"next_due_at": TUESDAY_6PM, **plan})
    return pair, await session.get(Person, pair.service_user_id)


async def test_a_due_checkin_is_sent_once(deps: Deps, clock) -> None:
    async with transaction(deps.sessions) as session:
        pair, user = await _checking_in(session, clock)

    clock.now = TUESDAY_6PM - timedelta(minutes=1)
    assert await run(deps, checkins.sweep) == []
    clock.now = TUESDAY_6PM + timedelta(minutes=1)
    (question,) = await run(deps, checkins.sweep)
    assert question.telegram_id == user.telegram_id
    assert "A quick check-in" in question.reply.text
    assert labels(question) == ["1", "2", "3", "4", "5"]
    (sent,) = await rows(deps, Checkin)
    assert (sent.relationship_id, sent.status, sent.due_at) == (
        pair.id,
        CheckinStatus.SENT,
        TUESDAY_6PM,
    )
    plan = await get(deps, CheckinPlan, pair.id)
    assert plan.next_due_at == TUESDAY_6PM + timedelta(weeks=1)

    assert await run(deps, checkins.sweep) == []  # the same moment: nothing twice
    assert len(await rows(deps, Checkin)) == 1


async def test_unanswered_checkins_are_missed_and_climb_the_ladder(deps: Deps, clock) -> None:
    """answer_within is 2 days; the nudge, the worker and the coordinators come after 1, 2
    and 3 missed in a row (each pair below has missed one fewer before)."""
    async with transaction(deps.sessions) as session:
        pairs = []
        for missed_before in (0, 1, 2):
            pair, user = await _checking_in(
                session, clock, missed_in_row=missed_before, next_due_at=None
            )
            await factories.checkin(session, pair, due_at=clock.now)
            pairs.append((pair, user, await session.get(Person, pair.peer_worker_id)))

    clock.advance(days=1)
    assert await run(deps, checkins.sweep) == []
    clock.advance(days=1)
    notices = said(await run(deps, checkins.sweep))
    (_, first, _), (_, _, second_worker), (third, _, _) = pairs
    assert len(notices) == 3
    assert notices[0][0] == first.telegram_id and "gentle nudge" in notices[0][1]
    assert notices[1][0] == second_worker.telegram_id
    assert f"U{pairs[1][0].service_user_id} hasn't answered their last 2 check-ins" in notices[1][1]
    assert notices[2] == (
        COORDINATOR_ID,
        f"U{third.service_user_id} hasn't answered 3 check-ins in a row. Silence alone isn't a "
        "crisis, but their peer worker may need support.",
    )
    assert [c.status for c in await rows(deps, Checkin)] == [CheckinStatus.MISSED] * 3
    plans = {plan.relationship_id: plan.missed_in_row for plan in await rows(deps, CheckinPlan)}
    assert [plans[pair.id] for pair, _, _ in pairs] == [1, 2, 3]

    assert await run(deps, checkins.sweep) == []


async def test_a_checkin_due_during_downtime_is_skipped_not_sent(deps: Deps, clock) -> None:
    async with transaction(deps.sessions) as session:
        pair, _user = await _checking_in(session, clock)

    clock.now = TUESDAY_6PM + timedelta(hours=12)  # more than grace (6 hours) late
    assert await run(deps, checkins.sweep) == []
    (skipped,) = await rows(deps, Checkin)
    assert (skipped.status, skipped.due_at) == (CheckinStatus.SKIPPED, TUESDAY_6PM)
    assert (await get(deps, CheckinPlan, pair.id)).next_due_at == TUESDAY_6PM + timedelta(weeks=1)


async def test_no_checkin_for_a_paused_plan_or_a_pair_not_active(deps: Deps, clock) -> None:
    async with transaction(deps.sessions) as session:
        await _checking_in(session, clock, paused=True)
        for status in (RelationshipStatus.PAUSED, RelationshipStatus.COMPLETED):
            pair = await factories.relationship(session, status=status, at=clock.now)
            await factories.checkin_plan(session, pair, next_due_at=TUESDAY_6PM)

    clock.now = TUESDAY_6PM + timedelta(minutes=1)
    assert await run(deps, checkins.sweep) == []
    assert await rows(deps, Checkin) == []


async def test_a_checkin_left_unanswered_when_the_pair_ends_is_missed_without_nudges(
    deps: Deps, clock
) -> None:
    """Peer support has ended: the check-in is missed, but nobody is nudged about it."""
    async with transaction(deps.sessions) as session:
        pair, user = await _checking_in(session, clock, next_due_at=None)
        await factories.checkin(session, pair, due_at=clock.now)
    async with transaction(deps.sessions) as session:
        ending = await session.get(Relationship, pair.id)
        await closure.close(deps, session, ending, ended_by="coordinator", reason="moved away")

    clock.advance(days=2)
    assert await run(deps, checkins.sweep) == []
    assert (await get(deps, Relationship, pair.id)).status == RelationshipStatus.ENDED_EARLY
    assert [c.status for c in await rows(deps, Checkin)] == [CheckinStatus.MISSED]


async def test_an_erased_service_users_unanswered_checkin_holds_back_nobody_else(
    deps: Deps, clock
) -> None:
    """Erasure deletes the plan but keeps the check-ins of someone with evaluation consent;
    the sweep once raised on them and, rolled back each time, sent nobody's check-ins."""
    async with transaction(deps.sessions) as session:
        left, leaving = await _checking_in(session, clock, next_due_at=None)
        await factories.checkin(session, left, due_at=clock.now)  # never answered
        due = clock.now + timedelta(days=2)  # when theirs is two days unanswered
        _other, other = await _checking_in(session, clock, next_due_at=due)
    async with transaction(deps.sessions) as session:
        leaving = await session.get(Person, leaving.id)
        await erasure.erase(deps, session, leaving, actor_id=leaving.id, reason=erasure.DELETED)
    assert [c.status for c in await rows(deps, Checkin)] == [CheckinStatus.SENT]  # kept
    assert await get(deps, CheckinPlan, left.id) is None  # its plan is not

    clock.now = due + timedelta(minutes=1)  # and the other pair's check-in is due
    notices = await run(deps, checkins.sweep)
    assert [n.telegram_id for n in notices] == [other.telegram_id]


async def test_no_first_contact_nudges_the_worker_then_the_coordinators(deps: Deps, clock) -> None:
    async with transaction(deps.sessions) as session:
        pair = await factories.relationship(session, at=clock.now)  # nothing exchanged yet
        worker = await session.get(Person, pair.peer_worker_id)

    clock.advance(days=3, hours=1)  # first_contact_within is 3 days
    assert said(await run(deps, checkins.sweep)) == [
        (
            worker.telegram_id,
            f"You haven't been in touch with U{pair.service_user_id} yet. A first contact soon "
            "makes a real difference — send a message here to say hello.",
        )
    ]
    assert await run(deps, checkins.sweep) == []
    clock.advance(days=3)  # twice as long
    ((to, text),) = said(await run(deps, checkins.sweep))
    assert to == COORDINATOR_ID
    assert f"U{pair.service_user_id} and their peer worker W{worker.id} haven't been" in text
    assert (await get(deps, Relationship, pair.id)).first_contact_nudges == 2
    assert await run(deps, checkins.sweep) == []


# -- peer workers' own weekly check-in --------------------------------------------------------

FRIDAY_3PM = datetime(2026, 3, 6, 5, 0, tzinfo=UTC)  # worker_checkins: Friday 15:00, Brisbane


async def test_a_new_worker_is_scheduled_then_asked_once_a_week(deps: Deps, clock) -> None:
    async with transaction(deps.sessions) as session:
        worker = await factories.peer_worker(session, at=clock.now)

    assert await run(deps, wellbeing_checkins.sweep) == []  # newly approved: the first is scheduled
    assert (await get(deps, PeerWorkerProfile, worker.id)).wellbeing_next_due_at == FRIDAY_3PM

    clock.now = FRIDAY_3PM + timedelta(minutes=1)
    (question,) = await run(deps, wellbeing_checkins.sweep)
    assert question.telegram_id == worker.telegram_id
    assert "Your weekly check-in" in question.reply.text
    assert "supporting 0 of up to 2 people" in question.reply.text
    assert labels(question) == ["1", "2", "3", "4", "5", "I'd like to talk with a coordinator"]
    (asked,) = await rows(deps, WorkerCheckin)
    assert (asked.worker_id, asked.due_at, asked.score) == (worker.id, clock.now, None)
    profile = await get(deps, PeerWorkerProfile, worker.id)
    assert profile.wellbeing_next_due_at == FRIDAY_3PM + timedelta(weeks=1)

    assert await run(deps, wellbeing_checkins.sweep) == []
    assert len(await rows(deps, WorkerCheckin)) == 1


async def test_wellbeing_asks_nobody_late_off_or_not_approved(database, clock) -> None:
    deps = await factories.deps_for(database, clock)
    async with transaction(deps.sessions) as session:
        late = await factories.peer_worker(session, wellbeing_next_due_at=FRIDAY_3PM)
        off = await factories.peer_worker(
            session, wellbeing_checkins=False, wellbeing_next_due_at=FRIDAY_3PM
        )
        pending = await factories.peer_worker(
            session, status=PeerWorkerStatus.PENDING_APPROVAL, wellbeing_next_due_at=FRIDAY_3PM
        )

    clock.now = FRIDAY_3PM + timedelta(hours=7)  # the bot was down: more than grace late
    disabled = await factories.deps_for(database, clock, worker_checkins={"enabled": False})
    assert (
        await run(disabled, wellbeing_checkins.sweep) == []
    )  # turned off for the service: untouched
    assert (await get(deps, PeerWorkerProfile, late.id)).wellbeing_next_due_at == FRIDAY_3PM

    assert await run(deps, wellbeing_checkins.sweep) == []
    assert await rows(deps, WorkerCheckin) == []
    due = {p.person_id: p.wellbeing_next_due_at for p in await rows(deps, PeerWorkerProfile)}
    assert due == {
        late.id: FRIDAY_3PM + timedelta(weeks=1),  # skipped, and the next one scheduled
        off.id: FRIDAY_3PM,
        pending.id: FRIDAY_3PM,
    }


# -- retention -------------------------------------------------------------------------------


async def test_retention_erases_who_left_long_ago_and_nobody_else_once(database, clock) -> None:
    deps = await factories.deps_for(database, clock, retention={"after": "20d"})
    async with transaction(deps.sessions) as session:
        ended = await factories.relationship(
            session, status=RelationshipStatus.COMPLETED, at=clock.now
        )
        left = await session.get(Person, ended.service_user_id)
        declined = await factories.service_user(session, status=ServiceUserStatus.DECLINED_CONSENT)
        back = await factories.service_user(
            session, status=ServiceUserStatus.ENDED, last_seen_at=clock.now + timedelta(days=15)
        )
        waiting = await factories.service_user(session)
        invited = await factories.coordinator(session)
    kept = {ended.peer_worker_id, back.id, waiting.id, invited.id}

    clock.advance(days=21)
    notices = said(await run(deps, retention.sweep))
    assert [to for to, _ in notices] == [COORDINATOR_ID, invited.telegram_id]
    assert all("personal data of 2 people have been erased" in text for _, text in notices)
    people = {p.id: p for p in await rows(deps, Person)}
    for gone in (left, declined):
        erased = people[gone.id]
        assert (erased.status, erased.erased_at, erased.telegram_id) == (
            "erased",
            clock.now,
            -gone.id,
        )
    assert await get(deps, ServiceUserProfile, left.id) is None
    assert all(people[i].erased_at is None for i in kept)
    assert all(p.erased_at is None for p in people.values() if p.telegram_id == COORDINATOR_ID)
    audit = await rows(deps, AuditLog, AuditLog.action == "service_user.erased")
    assert {(a.subject_id, a.actor_person_id) for a in audit} == {
        (left.id, None),
        (declined.id, None),
    }

    assert await run(deps, retention.sweep) == []  # nothing more, and nothing said twice

    clock.advance(days=15)  # the one who came back has now been away the whole period too
    ((to, text), _) = said(await run(deps, retention.sweep))
    assert to == COORDINATOR_ID and "personal data of 1 person has been erased" in text
    assert (await get(deps, Person, back.id)).erased_at == clock.now
    people = {p.id: p for p in await rows(deps, Person)}
    assert all(people[i].erased_at is None for i in kept - {back.id})
