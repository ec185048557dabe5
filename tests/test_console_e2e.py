"""The coordinator console: /dashboard, /people, /relationships, cards, actions and /audit.

A programme is seeded with known numbers straight into the database; the console must show
exactly those numbers, and exactly the right rows on every page of every list.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.db import session_factory, transaction
from bot.models import (
    AuditLog,
    Checkin,
    CheckinPlan,
    Exclusion,
    PeerWorkerProfile,
    PendingInput,
    Person,
    Proposal,
    Relationship,
    SafetyFlag,
    WaitlistEntry,
)
from tests.conftest import COORDINATOR_ID
from tests.harness import Harness, Sent
from tests.test_matching_workflow_e2e import onboard_service_user, onboard_worker
from tests.test_onboarding_e2e import _person, _rows
from tests.test_relay_e2e import matched_pair

_telegram_ids = itertools.count(700_000)


@dataclass
class Programme:
    """What was seeded, by name, so tests can say what they expect."""

    ids: dict[str, int] = field(default_factory=dict)
    waiting: list[int] = field(default_factory=list)  # longest wait first
    telegram_ids: list[int] = field(default_factory=list)
    coordinator: int = 0

    def __getitem__(self, name: str) -> int:
        return self.ids[name]


async def seed(bot: Harness, clock) -> Programme:
    """Three approved workers (Ana 3/4, Ben 2/2 full, Cleo 1/2 not taking new matches), one
    pending and one still writing a profile; twelve people waiting (1-12 days), two choosing,
    one whose worker has been asked, five matched (four active, one paused), one ended, one
    not now, one onboarding, one who stopped; check-ins and safety flags chosen so each
    console definition has cases on both sides of its line."""
    now = clock.now
    seeded = Programme()
    sessions = session_factory(bot.application.bot_data["engine"])
    async with transaction(sessions) as session:

        async def person(name: str, role: str | None, status: str | None, **extra) -> Person:
            row = Person(
                telegram_id=next(_telegram_ids),
                role=role,
                status=status,
                created_at=now - timedelta(days=60),
                updated_at=now - timedelta(days=30),
                **extra,
            )
            session.add(row)
            await session.flush()
            seeded.ids[name] = row.id
            seeded.telegram_ids.append(row.telegram_id)
            return row

        async def worker(name: str, status: str, cap: int, taking: bool = True) -> Person:
            row = await person(name, "peer_worker", status)
            session.add(
                PeerWorkerProfile(
                    person_id=row.id,
                    display_name=name,
                    bio="Here to listen.",
                    is_consumer=True,
                    is_carer=False,
                    timezone="Australia/Brisbane",
                    max_caseload=cap,
                    taking_new_matches=taking,
                    submitted_at=now - timedelta(days=40),
                    updated_at=now - timedelta(days=40),
                )
            )
            return row

        async def relationship(name: str, user: str, worker_name: str, status: str, **extra):
            row = Relationship(
                service_user_id=seeded[user],
                peer_worker_id=seeded[worker_name],
                status=status,
                created_at=now - timedelta(days=50),
                updated_at=now - timedelta(days=50),
                **extra,
            )
            session.add(row)
            await session.flush()
            seeded.ids[name] = row.id
            return row

        def started(days_left: int) -> dict:
            return {
                "started_at": now - timedelta(days=45),
                "planned_end_at": now + timedelta(days=days_left),
            }

        def plan(name: str, **extra) -> None:
            values = {"cadence": "weekly", "timezone": "Australia/Brisbane", **extra}
            session.add(CheckinPlan(relationship_id=seeded[name], **values))

        def checkin(name: str, days_ago: float, status: str, score: int | None = None) -> None:
            due = now - timedelta(days=days_ago)
            answered = due + timedelta(hours=1) if status == "answered" else None
            session.add(
                Checkin(
                    relationship_id=seeded[name],
                    due_at=due,
                    status=status,
                    score=score,
                    answered_at=answered,
                )
            )

        def flag(about: str, age: timedelta, *, on: str | None = None, **extra) -> SafetyFlag:
            row = SafetyFlag(
                kind=extra.pop("kind", "risk"),
                about_person_id=seeded[about],
                relationship_id=seeded[on] if on else None,
                source="relay",
                category="suicide",
                raised_at=now - age,
                **extra,
            )
            session.add(row)
            return row

        await worker("Ana", "approved", cap=4)
        await worker("Ben", "approved", cap=2)
        await worker("Cleo", "approved", cap=2, taking=False)
        await worker("Dee", "pending_approval", cap=3)
        await person("Eve", "peer_worker", "onboarding")

        for days in range(12, 0, -1):  # the longest wait first
            waiting = await person(f"waiting{days}", "service_user", "waiting")
            seeded.waiting.append(waiting.id)
            session.add(WaitlistEntry(service_user_id=waiting.id, since=now - timedelta(days=days)))
        for name in ("choosing1", "choosing2"):
            chooser = await person(name, "service_user", "offered")
            session.add(WaitlistEntry(service_user_id=chooser.id, since=now - timedelta(days=20)))
            session.add(
                Proposal(
                    service_user_id=chooser.id,
                    status="offered",
                    source="auto",
                    offered_worker_ids=[seeded["Ana"]],
                    created_at=now - timedelta(days=1),
                )
            )
        session.add(
            Proposal(
                service_user_id=seeded["waiting3"],
                status="review",
                source="auto",
                created_at=now - timedelta(hours=2),
            )
        )
        # waiting5 was declined by Ben once: history on their card.
        await relationship(
            "declined",
            "waiting5",
            "Ben",
            "declined",
            ended_at=now - timedelta(days=6),
            end_reason="capacity",
        )
        session.add(
            Exclusion(
                service_user_id=seeded["waiting5"],
                peer_worker_id=seeded["Ben"],
                reason="declined",
                created_at=now - timedelta(days=6),
            )
        )
        entry = await session.get(WaitlistEntry, seeded["waiting5"])
        entry.declines = 1
        entry.blocking = {"availability": 2}
        session.add(entry)

        await person("asking", "service_user", "requested")
        await relationship("requested", "asking", "Ana", "requested")
        for name in ("userA1", "userA2", "userB1", "userB2", "userC1"):
            await person(name, "service_user", "matched")
        await relationship("RA1", "userA1", "Ana", "active", **started(10))  # ends soon
        await relationship("RA2", "userA2", "Ana", "active", **started(13))  # ends soon
        await relationship("RB1", "userB1", "Ben", "active", **started(20))
        await relationship(
            "RB2",
            "userB2",
            "Ben",
            "paused",
            paused_at=now - timedelta(days=3),
            review_at=now + timedelta(days=11),
            **started(5),  # paused: not "ending soon" (the end moves on when it resumes)
        )
        await relationship("RC1", "userC1", "Cleo", "active", **started(30))
        await person("done", "service_user", "ended")
        await relationship(
            "completed",
            "done",
            "Cleo",
            "completed",
            started_at=now - timedelta(days=100),
            ended_at=now - timedelta(days=16),
            end_reason="planned end",
        )
        await person("notnow", "service_user", "not_now")
        await person("newcomer", "service_user", "onboarding")
        await person("stopped", "service_user", "cancelled")
        await person("gone", "service_user", "erased")

        # Check-ins. Overdue: RA1 (the last one missed), RB1 (sent, unanswered past the two
        # days), RC1 (its next check-in is 7h late going out, grace is 6h). Not overdue: RA2
        # (its plan is paused by the service user, and its check-in is within the two days),
        # RB2 (the relationship is paused).
        plan("RA1", missed_in_row=1, next_due_at=now + timedelta(days=1))
        for days_ago, status, score in (
            (28, "answered", 3),
            (21, "answered", 2),
            (14, "answered", 4),
            (7, "missed", None),
        ):
            checkin("RA1", days_ago, status, score)
        plan("RA2", paused=True, missed_in_row=2, next_due_at=now - timedelta(days=3))
        checkin("RA2", 1, "sent")
        plan("RB1", next_due_at=now + timedelta(days=4))
        checkin("RB1", 3, "sent")
        plan("RC1", next_due_at=now - timedelta(hours=7))
        plan("RB2", missed_in_row=3, next_due_at=now - timedelta(days=2))

        # Safety flags: three open (30 min unacknowledged; 3h acknowledged; 2 days
        # unacknowledged), one resolved.
        flag("userA2", timedelta(minutes=30), on="RA2")
        flag("asking", timedelta(hours=3), kind="concern", acknowledged_at=now)
        flag("Ben", timedelta(days=2), on="RB2", kind="report")
        flag(
            "userA1",
            timedelta(days=9),
            on="RA1",
            acknowledged_at=now - timedelta(days=9),
            resolved_at=now - timedelta(days=8),
            resolution="talked it through",
        )
        await session.flush()
        flags = (await session.exec(select(SafetyFlag))).all()
        seeded.ids.update({f"flag_{row.about_person_id}": row.id for row in flags})
        coordinator = (
            await session.exec(select(Person).where(Person.telegram_id == COORDINATOR_ID))
        ).one()
        seeded.coordinator = coordinator.id
    return seeded


def line_with(message: Sent, start: str) -> str:
    (line,) = [row for row in message.text.splitlines() if row.startswith(start)]
    return line


def callback(message: Sent, data: str) -> bool:
    return any(button.get("callback_data") == data for button in message.buttons)


def refs(message: Sent, letter: str) -> list[int]:
    """The rows of a list, in order: the number in the reference that starts each line."""
    return [
        int(found.group(1))
        for row in message.text.splitlines()
        if (found := re.match(rf"^(?:\w+ \()?{letter}(\d+)\b", row))
    ]


async def test_the_dashboard_shows_the_seeded_programme_exactly(bot: Harness, clock) -> None:
    seeded = await seed(bot, clock)
    casey = bot.user(COORDINATOR_ID)
    (dashboard,) = await casey.send("/dashboard")

    assert line_with(dashboard, "⏳") == "⏳ Waiting for a peer: 12 (longest 12 days)"
    assert line_with(dashboard, "📝") == "📝 Proposals to review: 1"
    assert line_with(dashboard, "📨") == "📨 Offers awaiting an answer: 2 choosing, 1 worker asked"
    assert line_with(dashboard, "🤝") == "🤝 Active: 4 · paused: 1"
    assert line_with(dashboard, "🏁") == "🏁 Ending within two weeks: 2"
    assert line_with(dashboard, "⏰") == "⏰ Overdue check-ins: 3"
    assert line_with(dashboard, "🧭").startswith("🧭 Good fit? Service users: 0 going well")
    assert line_with(dashboard, "⚠️") == (
        "⚠️ Open safety flags: 3 (2 older than 1h, 1 older than 24h; 2 not acknowledged)"
    )
    assert line_with(dashboard, "🪪") == "🪪 Peer workers waiting for approval: 1"
    caseloads = dashboard.text.split("Caseloads")[1].splitlines()[1:]
    assert caseloads == [
        f"Ana (W{seeded['Ana']}): 3/4 · 2 more held by proposals · full",  # two offers hold her
        f"Ben (W{seeded['Ben']}): 2/2 · full",
        f"Cleo (W{seeded['Cleo']}): 1/2 · not taking new matches",
    ]
    # Buttons into each list, the safety queue and every other coordinator view.
    for data in (
        "cn|pl|waiting|0",
        "cn|pl|offered|0",
        "cn|rl|requested|0",
        "cn|rl|active|0",
        "cn|rl|paused|0",
        "cn|rl|ending|0",
        "cn|rl|overdue|0",
        "cn|rl|flagged|0",
        "sf|list|0",
        "cn|pl|workers|0",
        "cn|go|pending",
        "cn|go|waitlist",
        "cn|go|invites",
        "cn|go|coords",
        "cn|go|wellbeing",
        "cn|go|export",
        "cn|au|0",
    ):
        assert callback(dashboard, data), data
    assert not any(str(tid) in dashboard.text for tid in seeded.telegram_ids)

    # Every other coordinator view opens from it, as a new message with its own buttons.
    for data, expected in (
        ("cn|go|pending", "1 profile waiting for approval"),
        ("cn|go|waitlist", "Waiting for a peer: 12"),  # the same people as ⏳ above
        ("cn|go|invites", "no open invites"),
        ("cn|go|invite", "one-time invite"),
        ("cn|go|coords", "Coordinators"),
        ("cn|go|wellbeing", "wellbeing"),
        ("cn|go|export", "/export"),
    ):
        replies = await casey.press(data, message=dashboard)
        assert any(expected in m.text for m in replies), (data, [m.text for m in replies])
    waitlist = (await casey.press("cn|go|waitlist", message=dashboard))[-1]
    assert callback(waitlist, "cn|go|matchall")
    await casey.press("cn|au|0", message=dashboard)
    assert "Coordinator actions" in bot.api.messages[dashboard.message_id].text
    await casey.tap("Dashboard", message=bot.api.messages[dashboard.message_id])
    assert "at a glance" in bot.api.messages[dashboard.message_id].text


async def test_the_dashboard_counts_closed_relationships_by_the_services_month(
    bot: Harness, clock
) -> None:
    """Completed and ended early, this month and all time, where 'this month' starts at
    midnight on the 1st in the service's time zone (Brisbane, UTC+10): an ending on
    28 Feb 15:00 UTC is 1 March there."""
    seeded = await seed(bot, clock)  # now: 2 Mar 09:00 UTC; one completed on 14 Feb
    now = clock.now
    sessions = session_factory(bot.application.bot_data["engine"])
    closings = {
        "completed_1_march": ("completed", datetime(2026, 2, 28, 15, 0, tzinfo=UTC)),
        "early_28_feb": ("ended_early", datetime(2026, 2, 28, 13, 0, tzinfo=UTC)),
        "early_yesterday": ("ended_early", now - timedelta(days=1)),
        "early_last_year": ("ended_early", datetime(2025, 3, 1, 0, 0, tzinfo=UTC)),
    }
    async with transaction(sessions) as session:
        for name, (status, ended) in closings.items():
            user = Person(
                telegram_id=next(_telegram_ids),
                role="service_user",
                status="ended",
                created_at=now - timedelta(days=400),
                updated_at=ended,
            )
            session.add(user)
            await session.flush()
            row = Relationship(
                service_user_id=user.id,
                peer_worker_id=seeded["Ana"],
                status=status,
                created_at=ended - timedelta(days=60),
                updated_at=ended,
                started_at=ended - timedelta(days=59),
                ended_at=ended,
            )
            session.add(row)
            await session.flush()
            seeded.ids[name] = row.id
    casey = bot.user(COORDINATOR_ID)
    (dashboard,) = await casey.send("/dashboard")
    assert line_with(dashboard, "✅") == (
        "✅ Closed this month: 1 completed, 1 ended early · all time: 2 completed, 3 ended early"
    )
    assert callback(dashboard, "cn|rl|ended|0")
    await casey.tap("Closed (5)", message=dashboard)
    page = bot.api.messages[dashboard.message_id]
    assert "Relationships — Closed: 5 · page 1/1" in page.text
    assert refs(page, "R") == [  # the most recent ending first
        seeded[name]
        for name in (
            "early_yesterday",
            "completed_1_march",
            "early_28_feb",
            "completed",
            "early_last_year",
        )
    ]
    assert "ended early" in line_with(page, f"R{seeded['early_yesterday']} ")
    assert "completed" in line_with(page, f"R{seeded['completed']} ")
    assert (await casey.send("/relationships closed"))[-1].text == page.text


async def test_each_list_shows_exactly_the_right_rows_across_pages(bot: Harness, clock) -> None:
    seeded = await seed(bot, clock)
    casey = bot.user(COORDINATOR_ID)
    (dashboard,) = await casey.send("/dashboard")

    # Waiting: twelve, longest first, ten on the first page and two on the second, all in
    # the same message (edited in place).
    await casey.tap("Waiting (12)", message=dashboard)
    page = bot.api.messages[dashboard.message_id]
    assert "People — Waiting: 12 · page 1/2" in page.text
    assert refs(page, "U") == seeded.waiting[:10]
    assert "waiting 12 days" in page.text.splitlines()[2]
    assert callback(page, f"cn|p|{seeded.waiting[0]}|pl.waiting.0")
    assert not any(b["text"].startswith("◀") for b in page.buttons)
    await casey.tap("Next", message=page)
    page = bot.api.messages[dashboard.message_id]
    assert "page 2/2" in page.text and refs(page, "U") == seeded.waiting[10:]
    assert not any(b["text"].startswith("Next") for b in page.buttons)
    await casey.tap("Previous", message=page)
    assert refs(bot.api.messages[dashboard.message_id], "U") == seeded.waiting[:10]

    expected_people = {
        "offered": ["choosing1", "choosing2", "asking"],
        "matched": ["userA1", "userA2", "userB1", "userB2", "userC1"],
        "notnow": ["notnow"],
        "ended": ["done"],
        "onboarding": ["Eve", "newcomer"],
        "workers": ["Ana", "Ben", "Cleo"],
        "pending": ["Dee"],
        "stopped": ["stopped", "gone"],
    }
    for name, who in expected_people.items():
        replies = await casey.send(f"/people {name}")
        letter = "W" if name in ("workers", "pending") else "[UW]"
        listed = [
            int(found.group(1))
            for row in replies[-1].text.splitlines()
            if (found := re.match(rf"^(?:\w+ \()?{letter}(\d+)\b", row))
        ]
        assert sorted(listed) == sorted(seeded[w] for w in who), name
        assert f": {len(who)} · page 1/1" in replies[-1].text
    workers = (await casey.send("/people peer workers"))[-1]
    assert f"Cleo (W{seeded['Cleo']}) — approved, caseload 1/2 · not taking new matches" in (
        workers.text
    )

    expected_relationships = {
        "open": ["requested", "RA1", "RA2", "RB1", "RB2", "RC1"],
        "active": ["RA1", "RA2", "RB1", "RC1"],
        "paused": ["RB2"],
        "ending": ["RA1", "RA2"],
        "overdue": ["RA1", "RB1", "RC1"],
        "flagged": ["requested", "RA2", "RB2"],
        "requested": ["requested"],
        "ended": ["completed"],
    }
    for name, which in expected_relationships.items():
        replies = await casey.send(f"/relationships {name}")
        assert sorted(refs(replies[-1], "R")) == sorted(seeded[r] for r in which), name
    ending = (await casey.send("/relationships ending_soon"))[-1]
    assert refs(ending, "R") == [seeded["RA1"], seeded["RA2"]]  # soonest first
    overdue = (await casey.send("/relationships overdue"))[-1]
    ra1 = [row for row in overdue.text.splitlines() if row.startswith(f"R{seeded['RA1']} ")]
    assert ra1 and "check-ins overdue" in ra1[0]
    replies = await casey.send("/relationships sideways")
    assert "Usage: /relationships" in replies[-1].text
    replies = await casey.send(f"/relationships R{seeded['RB2']}")
    assert f"R{seeded['RB2']} — U{seeded['userB2']} with Ben" in replies[-1].text
    replies = await casey.send(f"/people U{seeded['notnow']}")
    assert f"U{seeded['notnow']} — service user" in replies[-1].text
    assert "Status: not now since" in replies[-1].text

    # The filter buttons switch lists in the same message.
    listing = (await casey.send("/relationships"))[-1]
    await casey.tap("Paused", message=listing)
    assert refs(bot.api.messages[listing.message_id], "R") == [seeded["RB2"]]


async def test_cards_show_status_history_checkins_and_flags(bot: Harness, clock) -> None:
    seeded = await seed(bot, clock)
    casey = bot.user(COORDINATOR_ID)
    listing = (await casey.send("/people waiting"))[-1]

    # Someone waiting who was declined once.
    await casey.press(f"cn|p|{seeded['waiting5']}|pl.waiting.0", message=listing)
    card = bot.api.messages[listing.message_id]
    assert f"U{seeded['waiting5']} — service user" in card.text
    assert "Status: waiting since" in card.text
    assert "requests declined or expired: 1" in card.text
    assert "Why nobody fits: availability ×2" in card.text
    assert (
        f"R{seeded['declined']} U{seeded['waiting5']} with Ben (W{seeded['Ben']}) — declined"
        in (card.text)
    )
    assert f"Not proposed again: W{seeded['Ben']} (declined)" in card.text
    assert "Check-ins: none yet." in card.text
    assert {"🔎 Look for peers now", "🤝 Match by hand…"} <= set(card.button_labels)
    replies = await casey.tap("Look for peers now", message=card)
    assert f"Nobody fits U{seeded['waiting5']} right now" in replies[-1].text
    await casey.tap("Back", message=card)
    assert "People — Waiting" in bot.api.messages[listing.message_id].text

    # A matched service user's check-in trend and a resolved flag.
    replies = await casey.send("/relationships active")
    await casey.press(f"cn|r|{seeded['RA1']}|rl.active.0", message=replies[-1])
    card = bot.api.messages[replies[-1].message_id]
    assert f"R{seeded['RA1']} — U{seeded['userA1']} with Ana (W{seeded['Ana']})" in card.text
    assert "Check-ins: 3 → 2 → 4 · answered 3, missed 1, awaiting 0 · ⏰ check-ins overdue" in (
        card.text
    )
    assert "Safety flags: 0 open, 1 resolved" in card.text
    assert {"⏸ Pause 2w", "➕ Extend 4w", "⏹ Close now…"} <= set(card.button_labels)
    assert "▶️ Resume…" not in card.button_labels
    await casey.press(f"cn|p|{seeded['userA1']}|r.{seeded['RA1']}", message=card)
    card = bot.api.messages[replies[-1].message_id]
    assert "Status: matched since" in card.text
    assert f"R{seeded['RA1']} U{seeded['userA1']} with Ana" in card.text
    assert "Check-ins: 3 → 2 → 4 · answered 3, missed 1, awaiting 0" in card.text

    # An open flag links into the safety queue; a paused relationship offers resume.
    replies = await casey.send("/relationships flagged")
    await casey.press(f"cn|r|{seeded['RB2']}|rl.flagged.0", message=replies[-1])
    card = bot.api.messages[replies[-1].message_id]
    assert "Status: paused" in card.text and "Safety flags: 1 open, 0 resolved" in card.text
    flag_id = seeded[f"flag_{seeded['Ben']}"]
    assert callback(card, f"sf|open|{flag_id}")
    assert "▶️ Resume…" in card.button_labels and "⏸ Pause 2w" not in card.button_labels

    # A worker: caseload, their history, reports about them.
    await casey.tap("Ben", message=card)
    card = bot.api.messages[replies[-1].message_id]
    assert f"Ben (W{seeded['Ben']}) — peer worker" in card.text
    assert "Caseload: 2/2" in card.text
    assert "Requests they declined or let expire: 1" in card.text
    for name in ("declined", "RB1", "RB2"):
        assert f"R{seeded[name]} " in card.text
    assert "Safety flags: 1 open, 0 resolved" in card.text
    assert "🪪 Their profile" in card.button_labels

    # A pending worker can be approved from their card (the existing review buttons).
    replies = await casey.send("/people pending")
    await casey.press(f"cn|p|{seeded['Dee']}|pl.pending.0", message=replies[-1])
    card = bot.api.messages[replies[-1].message_id]
    assert "Their profile" in card.text and "Here to listen." in card.text
    assert callback(card, f"adm|approve|{seeded['Dee']}")
    assert callback(card, f"adm|reject|{seeded['Dee']}")
    await casey.tap("Approve", message=card)
    (dee,) = await _rows(bot, Person, id=seeded["Dee"])
    assert dee.status == "approved"
    # Cards never show a Telegram id.
    seen = " ".join(m.text for m in bot.api.sent_to(COORDINATOR_ID))
    assert not any(str(tid) in seen for tid in seeded.telegram_ids)


async def test_pause_resume_and_close_from_the_card_are_audited(bot: Harness, clock) -> None:
    robin, sam = await matched_pair(bot, 5801, 5851)
    casey = bot.user(COORDINATOR_ID)
    (relationship,) = await _rows(bot, Relationship)
    ref = f"R{relationship.id}"

    (dashboard,) = await casey.send("/dashboard")
    await casey.tap("Active (1)", message=dashboard)
    await casey.press(f"cn|r|{relationship.id}|rl.active.0", message=dashboard)
    card = bot.api.messages[dashboard.message_id]
    assert f"{ref} — U" in card.text

    replies = await casey.tap("Pause 2w", message=card)
    assert f"Pausing {ref}; the review is in 2 weeks" in replies[-1].text
    replies = await casey.send("hospital stay")
    assert f"Done: {ref} is paused" in replies[-1].text
    (relationship,) = await _rows(bot, Relationship)
    assert relationship.status == "paused"
    assert relationship.review_at == clock.now + timedelta(weeks=2)
    assert "paused for now" in sam.last().text and "paused" in robin.last().text
    (paused,) = await _rows(bot, AuditLog, action="relationship.paused")
    coordinator = await _person(bot, casey)
    assert (paused.actor_person_id, paused.reason) == (coordinator.id, "hospital stay")
    assert await _rows(bot, PendingInput) == []

    # A stale button (pause again) is refused and the card shows where it stands now.
    await casey.tap("Open", message=replies[-1])
    card = bot.api.messages[replies[-1].message_id]
    await casey.press(f"cn|ra|{relationship.id}|pause|2", message=card)
    assert "isn't possible in its current state" in casey.toasts()[-1]
    assert "Status: paused" in bot.api.messages[card.message_id].text
    assert await _rows(bot, PendingInput) == []

    clock.advance(days=3)
    await casey.tap("Resume", message=card)
    replies = await casey.send("back home")
    (relationship,) = await _rows(bot, Relationship)
    assert relationship.status == "active"

    # The state changes between the button and the reason: nothing is done twice.
    await casey.tap("Open", message=replies[-1])
    await casey.tap("Pause 1w", message=bot.api.messages[replies[-1].message_id])
    await casey.send(f"/close {ref} worker leaving the service")
    replies = await casey.send("the reason for a pause")
    assert "changed meanwhile, so nothing was done" in replies[-1].text
    (relationship,) = await _rows(bot, Relationship)
    assert relationship.status == "ended_early"
    assert [e.reason for e in await _rows(bot, Exclusion)] == ["closed"]

    replies = await casey.send("/audit")
    lines = replies[-1].text.splitlines()
    assert f"relationship: ended early · {ref} — worker leaving the service" in lines[2]
    assert any(f"relationship: paused · {ref} — hospital stay" in line for line in lines)
    assert any(f"relationship: active · {ref} — back home" in line for line in lines)
    assert f"#{coordinator.id}" in lines[2]
    # Not the service user's or worker's own actions: only coordinators'.
    assert not any("relationship: requested" in line for line in lines)


async def test_audit_pages_newest_first(bot: Harness, clock) -> None:
    seeded = await seed(bot, clock)
    sessions = session_factory(bot.application.bot_data["engine"])
    async with transaction(sessions) as session:
        for minutes in range(12):
            session.add(
                AuditLog(
                    at=clock.now - timedelta(minutes=minutes),
                    actor_person_id=seeded.coordinator,
                    action="relationship.extended",
                    subject_type="relationship",
                    subject_id=seeded["RA1"],
                    reason=f"reason {minutes}",
                )
            )
        session.add(  # the system and other people are not coordinator actions
            AuditLog(at=clock.now, actor_person_id=None, action="x.y", subject_type="person")
        )
        session.add(
            AuditLog(
                at=clock.now,
                actor_person_id=seeded["Ana"],
                action="peer_worker.paused_new_matches",
                subject_type="person",
                subject_id=seeded["Ana"],
            )
        )
    casey = bot.user(COORDINATOR_ID)
    page = (await casey.send("/audit"))[-1]
    coordinator_rows = [
        r for r in await _rows(bot, AuditLog) if r.actor_person_id == seeded.coordinator
    ]
    total = len(coordinator_rows)
    assert f"Coordinator actions: {total} · page 1/{-(-total // 10)}" in page.text
    reasons = re.findall(r"reason (\d+)", page.text)
    assert reasons == [str(n) for n in range(10)]
    assert "paused new matches" not in page.text and "x: y" not in page.text
    await casey.tap("Next", message=page)
    assert re.findall(r"reason (\d+)", bot.api.messages[page.message_id].text)[:2] == ["10", "11"]


async def test_a_waiting_service_user_is_matched_by_hand_from_their_card(bot: Harness) -> None:
    casey = bot.user(COORDINATOR_ID)
    await onboard_worker(bot, casey, 5811, "Robin", caseload="3")
    sam = await onboard_service_user(bot, 5861)  # a proposal now waits for review
    user = await _person(bot, sam)
    listing = (await casey.send("/people waiting"))[-1]
    await casey.tap(f"U{user.id}", message=listing)
    card = bot.api.messages[listing.message_id]
    assert "📝 Review the proposal" in card.button_labels
    assert "🔎 Look for peers now" not in card.button_labels  # one proposal at a time
    replies = await casey.tap("Review the proposal", message=card)
    assert "Proposal #" in replies[-1].text

    await casey.tap("Match by hand", message=card)
    picker = bot.api.messages[listing.message_id]
    assert "Robin (W" in " ".join(picker.button_labels)
    replies = await casey.tap("Robin", message=picker)
    assert "Send the reason for this match" in replies[-1].text
    replies = await casey.send("knows the area well")
    assert "Offered" in replies[-1].text
    assert "Choose Robin" in sam.last().button_labels
    (manual,) = await _rows(bot, AuditLog, action="match.manual")
    assert manual.reason == "knows the area well"
    assert (await _person(bot, sam)).status == "offered"


async def test_a_workers_last_place_held_by_the_persons_own_card_is_theirs_to_match_by_hand(
    bot: Harness,
) -> None:
    """Robin has one place, and Sam's own proposal holds it: a hand match of Sam replaces
    that proposal, so Robin is offered in the picker, without a broken rule."""
    casey = bot.user(COORDINATOR_ID)
    await onboard_worker(bot, casey, 5812, "Robin", caseload="1")
    sam = await onboard_service_user(bot, 5862)  # a proposal holds Robin's one place
    kim = await onboard_service_user(bot, 5863)  # nobody left for Kim
    listing = (await casey.send("/people waiting"))[-1]
    await casey.tap(f"U{(await _person(bot, kim)).id}", message=listing)
    await casey.tap("Match by hand", message=bot.api.messages[listing.message_id])
    assert "No peer worker has room" in bot.api.messages[listing.message_id].text

    listing = (await casey.send("/people waiting"))[-1]
    await casey.tap(f"U{(await _person(bot, sam)).id}", message=listing)
    await casey.tap("Match by hand", message=bot.api.messages[listing.message_id])
    picker = bot.api.messages[listing.message_id]
    assert "Robin (W" in " ".join(picker.button_labels)
    await casey.tap("Robin", message=picker)
    replies = await casey.send("the same as proposed, sooner")
    assert "Offered" in replies[-1].text
    assert "Choose Robin" in sam.last().button_labels


async def test_non_coordinators_and_forged_callbacks_are_refused(bot: Harness, clock) -> None:
    robin, sam = await matched_pair(bot, 5821, 5871)
    (relationship,) = await _rows(bot, Relationship)
    for outsider in (sam, robin):
        replies = await outsider.send("/dashboard")
        assert "isn't available to you" in replies[-1].text
        replies = await outsider.send("/relationships")
        assert "isn't available to you" in replies[-1].text
        await outsider.press(f"cn|r|{relationship.id}|", message=outsider.last())
        await outsider.press(f"cn|ra|{relationship.id}|close|0", message=outsider.last())
        assert outsider.toasts()[-1] == "Sorry, that isn't available to you."
        assert all(f"R{relationship.id} —" not in m.text for m in bot.api.sent_to(outsider.id))
    assert await _rows(bot, PendingInput) == []
    # Someone typing text that looks like a reason is not taken as one.
    await sam.send("please close it")
    (relationship,) = await _rows(bot, Relationship)
    assert relationship.status == "active"

    casey = bot.user(COORDINATOR_ID)
    (dashboard,) = await casey.send("/dashboard")
    for forged, toast in (
        ("cn|r|999999|", "isn't there any more"),
        ("cn|p|999999|", "isn't there any more"),
        (f"cn|ra|{relationship.id}|pause|3", "isn't possible"),  # not a preset
        (f"cn|ra|{relationship.id}|resume|0", "isn't possible"),  # it is not paused
        (f"cn|pa|{(await _person(bot, sam)).id}|propose", "isn't possible"),  # matched
        ("cn|pl|everyone|0", "earlier message"),
        ("cn|r|12345678901234|", "earlier message"),
        ("cn|nonsense", "earlier message"),
    ):
        await casey.press(forged, message=dashboard)
        assert toast in casey.toasts()[-1], forged
    assert await _rows(bot, PendingInput) == []
    (relationship,) = await _rows(bot, Relationship)
    assert relationship.status == "active"
