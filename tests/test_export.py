"""The evaluation export: only consenting people, nothing identifying, figures that add up.

A programme with known figures is seeded straight into the database (times chosen by hand),
then exported with /export; every figure in summary.md is checked against the numbers worked
out below from the seed. A second test drives a real conversation through the bot and checks
that what was said never reaches the export.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.db import session_factory, transaction
from bot.evaluation.pseudonyms import Pseudonymiser
from bot.models import (
    AuditLog,
    Checkin,
    ConsentRecord,
    Feedback,
    PeerWorkerProfile,
    Person,
    PersonLanguage,
    Relationship,
    ServiceUserProfile,
)
from tests.conftest import COORDINATOR_ID, make_config
from tests.harness import Harness, Sent
from tests.test_onboarding_e2e import _person, _rows
from tests.test_relay_e2e import matched_pair

KEY = "export-test-key-7f3a9c2e5b"
OTHER_KEY = "a-different-key-0042-xyz"
ZONE = "Australia/Brisbane"  # UTC+10 all year: 09:00 UTC is 19:00 the same day there


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@dataclass
class Seeded:
    """Internal ids by label (U1…, W1…, R1…), and every identifying string in the seed."""

    ids: dict[str, int] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)


# label: (telegram id, evaluation consent, status, perspective, onboarded, languages, goal)
SERVICE_USERS = {
    "U1": (811000101, "agreed", "ended", "consumer", at(1, 5), ["en", "ar"], "GOAL-walk-river"),
    "U2": (811000102, "agreed", "matched", "carer", at(1, 5), ["en"], "GOAL-sleep-better"),
    "U3": (811000103, "agreed", "waiting", "consumer", at(1, 20), ["en"], None),
    # Erased: no profile any more; onboarding known only from the audit log.
    "U4": (811000104, "agreed", "ended", None, at(1, 6), [], None),
    "U5": (811000105, "declined", "ended", "consumer", at(1, 4), ["en"], "GOAL-five"),
    "U6": (811000106, "withdrawn", "matched", "consumer", at(1, 4), ["en"], "GOAL-six"),
    "U7": (811000107, "agreed", "onboarding", None, None, [], None),  # never finished
}
# label: (telegram id, display name, consumer, carer)
WORKERS = {
    "W1": (822000201, "Robin Quillfeather", True, True),
    "W2": (822000202, "Alex Marrowby", False, True),
    "W3": (822000203, "Jo Penhallow", True, False),  # only with people who did not consent
    "W4": (822000204, "Sam Tregarthen", True, False),
}
# label: user, worker, status, created, started, first contact, planned end, ended,
#        who ended (label or None for the system), messages from user / from worker
RELATIONSHIPS = {
    "R1": ("U1", "W4", "declined", at(1, 6), None, None, None, at(1, 7), "W4", 0, 0),
    "R2": (
        "U1",
        "W1",
        "completed",
        at(1, 7),
        at(1, 8),
        at(1, 9, 21),
        at(2, 26),
        at(2, 26),
        None,
        12,
        9,
    ),
    "R3": ("U2", "W1", "expired", at(1, 10), None, None, None, at(1, 13), None, 0, 0),
    "R4": (
        "U2",
        "W2",
        "ended_early",
        at(1, 13),
        at(1, 15),
        at(1, 15, 21),
        at(4, 9),
        at(2, 1),
        "U2",
        5,
        4,
    ),
    "R5": ("U4", "W2", "ended_early", at(1, 11), at(1, 12), None, at(4, 6), at(1, 20), "C", 0, 0),
    "R8": ("U2", "W1", "active", at(2, 9), at(2, 10), at(2, 12), at(5, 5), None, None, 3, 2),
    "R6": ("U5", "W3", "ended_early", at(1, 7), at(1, 8), at(1, 9), at(4, 2), at(2, 1), "W3", 7, 7),
    "R7": ("U6", "W3", "active", at(1, 19), at(1, 20), at(1, 21), at(4, 14), None, None, 4, 4),
}
# relationship: (due, status, score)
CHECKINS = {
    "R2": [
        (at(1, 12), "answered", 4),
        (at(1, 19), "answered", 3),
        (at(1, 26), "answered", 5),
        (at(2, 2), "missed", None),
        (at(2, 9), "skipped", None),
    ],
    "R4": [(at(1, 19), "answered", 2), (at(1, 26), "missed", None)],
    "R8": [(at(2, 16), "answered", 4), (at(2, 23), "missed", None), (at(3, 2, 8), "sent", None)],
    # Not exported: would change the figures if they leaked in.
    "R6": [(at(1, 12), "answered", 1), (at(1, 19), "missed", None)],
    "R7": [(at(1, 26), "answered", 1)],
}
# relationship: (rating, would recommend, outcomes, comment)
FEEDBACK = {
    "R2": (5, True, {"0": 4, "1": 5}, "COMMENT-it-helped-to-talk"),
    "R4": (2, False, {"0": 2}, None),
    "R6": (1, False, {"0": 1, "1": 1}, "COMMENT-not-exported"),
}
END_REASON_SECRET = "REASON-coordinator-free-text"

# Worked out by hand from the seed above.
EXPECTED_SUMMARY_ROWS = [
    "| People (service users who agreed to evaluation) | 4 |",
    "| Peer workers in their relationships | 3 |",
    # U1 3.0 days (5 Jan -> 8 Jan), U2 10.0 (5 -> 15 Jan), U4 6.0 (6 -> 12 Jan); U3 waits.
    "| Median wait to match | 6.0 days (3 matched; 1 not matched yet) |",
    # R2 1.5 days, R4 0.5, R8 2.0; R5 never had contact.
    "| Median time to first contact | 1.5 days (3 relationships; 1 without contact yet) |",
    # answered: R2 3 + R4 1 + R8 1 = 5; missed: 1 + 1 + 1 = 3; skipped and pending left out.
    "| Check-in response rate | 62.5% (5 answered of 8) |",
    "| Requests declined by peer workers | 1 |",
    "| Requests that expired unanswered | 1 |",
    "| Requests withdrawn by the service user | 0 |",
    # U1 (R1, R2) and U2 (R3, R4, R8); only U2 had two that became active (R4, R8).
    "| Service users with more than one relationship | 2 (1 with more than one that became "
    "active) |",
    "| Relationships completed (reached their planned end) | 1 |",
    "| Relationships ended early | 2 |",
    "| Relationships still open | 1 |",
    "| Closing surveys | 2 (mean rating 3.5 of 5; 1 of 2 would recommend) |",
]
EXPECTED_TREND_ROWS = [
    "| 2026-01-12 | 4.0 | 1 |",
    "| 2026-01-19 | 2.5 | 2 |",
    "| 2026-01-26 | 5.0 | 1 |",
    "| 2026-02-16 | 4.0 | 1 |",
]
EXPORTED_USERS = ("U1", "U2", "U3", "U4")
EXPORTED_WORKERS = ("W1", "W2", "W4")
EXPORTED_RELATIONSHIPS = ("R1", "R2", "R3", "R4", "R5", "R8")


async def seed_programme(engine: AsyncEngine) -> Seeded:
    seeded = Seeded(secrets=[END_REASON_SECRET])
    created = at(1, 1)
    async with transaction(session_factory(engine)) as session:

        async def person(label: str, telegram_id: int, role: str | None, status: str | None):
            row = Person(
                telegram_id=telegram_id,
                role=role,
                status=status,
                created_at=created,
                updated_at=created,
            )
            session.add(row)
            await session.flush()
            seeded.ids[label] = row.id
            return row

        coordinator = await person("C", COORDINATOR_ID, None, None)
        for label, (telegram_id, name, consumer, carer) in WORKERS.items():
            worker = await person(label, telegram_id, "peer_worker", "approved")
            bio = f"BIO-of-{label}"
            session.add(
                PeerWorkerProfile(
                    person_id=worker.id,
                    display_name=name,
                    bio=bio,
                    is_consumer=consumer,
                    is_carer=carer,
                    gender="woman",
                    timezone=ZONE,
                    max_caseload=4,
                    submitted_at=created,
                    updated_at=created,
                )
            )
            seeded.secrets += [str(telegram_id), name, bio]

        for label, (
            telegram_id,
            consent,
            status,
            perspective,
            onboarded,
            languages,
            goal,
        ) in SERVICE_USERS.items():
            user = await person(label, telegram_id, "service_user", status)
            seeded.secrets.append(str(telegram_id))
            if goal:
                seeded.secrets.append(goal)
            if perspective:
                seeded.secrets.append(f"NAME-of-{label}")
            session.add(
                ConsentRecord(
                    person_id=user.id,
                    kind="evaluation",
                    agreed=consent != "declined",
                    text_version="v1",
                    recorded_at=at(1, 4, 8),
                    withdrawn_at=at(2, 20) if consent == "withdrawn" else None,
                )
            )
            if perspective:
                session.add(
                    ServiceUserProfile(
                        person_id=user.id,
                        perspective=perspective,
                        timezone=ZONE,
                        goal=goal,
                        # What their peer may call them, coordinators allowed: never exported.
                        preferred_name=f"NAME-of-{label}",
                        name_visible_to_coordinators=True,
                        submitted_at=onboarded,
                        updated_at=at(2, 1),  # an edit later: the wait counts from submission
                    )
                )
                session.add_all(PersonLanguage(person_id=user.id, language=x) for x in languages)
            if onboarded:
                session.add(
                    AuditLog(
                        at=onboarded,
                        actor_person_id=user.id,
                        action="service_user.waiting",
                        subject_type="person",
                        subject_id=user.id,
                    )
                )
            if label == "U4":
                user.erased_at = at(2, 25)
        await session.flush()

        for label, row in RELATIONSHIPS.items():
            (user, worker, status, requested, started, contact, planned, ended, by) = row[:9]
            relationship = Relationship(
                service_user_id=seeded.ids[user],
                peer_worker_id=seeded.ids[worker],
                status=status,
                created_at=requested,
                updated_at=ended or requested,
                started_at=started,
                first_contact_at=contact,
                last_contact_at=contact,
                planned_end_at=planned,
                ended_at=ended,
                end_reason=END_REASON_SECRET if ended else None,
                messages_from_service_user=row[9],
                messages_from_worker=row[10],
            )
            if label == "R2":  # "is this a good fit?", answered by both
                relationship.fit_service_user, relationship.fit_worker = "good", "unsure"
            session.add(relationship)
            await session.flush()
            seeded.ids[label] = relationship.id
            if ended:
                session.add(
                    AuditLog(
                        at=ended,
                        actor_person_id=seeded.ids[by] if by else None,
                        action=f"relationship.{status}",
                        subject_type="relationship",
                        subject_id=relationship.id,
                        reason=END_REASON_SECRET,
                    )
                )
        for label, checkins in CHECKINS.items():
            for due, status, score in checkins:
                session.add(
                    Checkin(
                        relationship_id=seeded.ids[label],
                        due_at=due,
                        status=status,
                        score=score,
                        had_note=True,
                        answered_at=due if status == "answered" else None,
                    )
                )
        for label, (rating, recommend, outcomes, comment) in FEEDBACK.items():
            session.add(
                Feedback(
                    relationship_id=seeded.ids[label],
                    rating=rating,
                    would_recommend=recommend,
                    outcomes=outcomes,
                    comment=comment,
                    created_at=at(2, 27),
                )
            )
            if comment:
                seeded.secrets.append(comment)
        assert coordinator.id is not None
    return seeded


# -- reading an export --------------------------------------------------------------------


def read_csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def unzip(document: tuple[str, bytes]) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(document[1])) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def assert_nothing_identifying(blobs: dict[str, bytes], secrets: list[str]) -> None:
    for name, content in blobs.items():
        for secret in secrets:
            assert secret.encode() not in content, f"{secret!r} found in {name}"
            assert secret.lower().encode() not in content.lower(), f"{secret!r} found in {name}"


async def export_as_coordinator(bot: Harness) -> tuple[Sent, dict[str, bytes]]:
    coordinator = bot.user(COORDINATOR_ID, "Casey")
    before = len(bot.api.methods("sendDocument"))
    replies = await coordinator.send("/export")
    assert len(bot.api.methods("sendDocument")) == before + 1
    (sent,) = [m for m in replies if m.document is not None]
    return sent, unzip(sent.document)


def check_exported_programme(
    files: dict[str, bytes], seeded: Seeded, pseudonyms: Pseudonymiser
) -> None:
    """Every file of an export of the seeded programme, against the seed."""
    person = {label: pseudonyms.person(seeded.ids[label]) for label in seeded.ids}
    rel = {label: pseudonyms.relationship(seeded.ids[label]) for label in RELATIONSHIPS}
    assert set(files) == {
        "people.csv",
        "relationships.csv",
        "checkins.csv",
        "feedback.csv",
        "summary.md",
        "waiting_time.png",
        "checkin_trend.png",
    }

    people = {row["pseudonym"]: row for row in read_csv(files["people.csv"])}
    assert set(people) == {person[x] for x in EXPORTED_USERS}
    assert all(re.fullmatch(r"P-[0-9a-f]{16}", pseudonym) for pseudonym in people)
    assert people[person["U1"]] == {
        "pseudonym": person["U1"],
        "role": "service_user",
        "perspective": "consumer",
        "joined_month": "2026-01",
        "languages": "ar;en",
    }
    assert people[person["U2"]]["perspective"] == "carer"
    assert people[person["U4"]]["joined_month"] == "2026-01"  # from the audit log
    assert people[person["U4"]]["perspective"] == ""  # erased with the profile
    # Peer workers gave no evaluation consent: no rows of their own, only a pseudonym in
    # the relationships they are part of.
    assert all(person[label] not in people for label in EXPORTED_WORKERS)
    assert {row["role"] for row in people.values()} == {"service_user"}

    relationships = {row["relationship"]: row for row in read_csv(files["relationships.csv"])}
    assert set(relationships) == {rel[x] for x in EXPORTED_RELATIONSHIPS}
    assert relationships[rel["R2"]] == {
        "relationship": rel["R2"],
        "service_user": person["U1"],
        "peer_worker": person["W1"],
        "requested": "2026-01-07",
        "matched": "2026-01-08",
        "first_contact": "2026-01-10",  # 21:00 UTC on the 9th is the 10th in Brisbane
        "planned_end": "2026-02-26",
        "ended": "2026-02-26",
        "status": "completed",
        "ended_by": "system",
        "messages_from_service_user": "12",
        "messages_from_peer_worker": "9",
        "fit_service_user": "good",
        "fit_peer_worker": "unsure",
    }
    ended_by = {label: relationships[rel[label]]["ended_by"] for label in EXPORTED_RELATIONSHIPS}
    assert ended_by == {
        "R1": "peer_worker",
        "R2": "system",
        "R3": "system",
        "R4": "service_user",
        "R5": "coordinator",
        "R8": "",
    }
    assert relationships[rel["R1"]]["matched"] == ""
    assert relationships[rel["R8"]]["ended"] == ""

    checkins = read_csv(files["checkins.csv"])
    assert sorted(
        (row["relationship"], row["due_date"], row["status"], row["score"]) for row in checkins
    ) == sorted(
        (
            rel[label],
            due.date().isoformat(),
            "pending" if status == "sent" else status,
            "" if score is None else str(score),
        )
        for label in ("R2", "R4", "R8")
        for due, status, score in CHECKINS[label]
    )

    feedback = {row["relationship"]: row for row in read_csv(files["feedback.csv"])}
    assert feedback == {
        rel["R2"]: {
            "relationship": rel["R2"],
            "rating": "5",
            "would_recommend": "yes",
            "outcome_1": "4",
            "outcome_2": "5",
        },
        rel["R4"]: {
            "relationship": rel["R4"],
            "rating": "2",
            "would_recommend": "no",
            "outcome_1": "2",
            "outcome_2": "",
        },
    }

    summary = files["summary.md"].decode("utf-8")
    for line in EXPECTED_SUMMARY_ROWS + EXPECTED_TREND_ROWS:
        assert line in summary.splitlines(), f"{line!r} not in summary.md:\n{summary}"
    assert "I feel less alone." in summary  # the outcome questions, numbered as in the CSV
    for chart in ("waiting_time.png", "checkin_trend.png"):
        assert files[chart].startswith(b"\x89PNG\r\n\x1a\n")

    assert_nothing_identifying(files, [*seeded.secrets, KEY])


# -- tests --------------------------------------------------------------------------------


async def test_export_holds_only_the_consenting_cohort_and_its_figures(
    start_bot, database, clock
) -> None:
    url, engine = database
    seeded = await seed_programme(engine)
    bot = await start_bot(make_config(url, evaluation={"pseudonym_key": KEY}))

    sent, files = await export_as_coordinator(bot)

    assert sent.chat_id == COORDINATOR_ID
    assert sent.document[0] == "peerlink-evaluation-2026-03-02.zip"
    assert "4 people" in sent.text and "pseudonymised" in sent.text
    check_exported_programme(files, seeded, Pseudonymiser(KEY))
    assert_nothing_identifying(
        {"the zip": sent.document[1], "caption": sent.text.encode()}, [*seeded.secrets, KEY]
    )
    assert all(b"NAME-of-" not in content for content in files.values())  # preferred names
    (audit,) = await _rows(bot, AuditLog, action="export")
    assert audit.actor_person_id == seeded.ids["C"]
    assert audit.reason == "4 people, via /export"

    # Stable across exports; unlinkable under another key.
    _, again = await export_as_coordinator(bot)
    for name in ("people.csv", "relationships.csv", "checkins.csv", "feedback.csv"):
        assert again[name] == files[name]
    other = await start_bot(make_config(url, evaluation={"pseudonym_key": OTHER_KEY}))
    _, rekeyed = await export_as_coordinator(other)
    check_exported_programme(rekeyed, seeded, Pseudonymiser(OTHER_KEY))
    first = {row["pseudonym"] for row in read_csv(files["people.csv"])}
    second = {row["pseudonym"] for row in read_csv(rekeyed["people.csv"])}
    assert len(second) == len(first) == 4 and not first & second
    assert rekeyed["summary.md"] == files["summary.md"]


async def test_export_is_for_coordinators_only(start_bot, database) -> None:
    url, engine = database
    seeded = await seed_programme(engine)
    bot = await start_bot(make_config(url, evaluation={"pseudonym_key": KEY}))

    for telegram_id in (SERVICE_USERS["U1"][0], WORKERS["W1"][0], 899000999):
        replies = await bot.user(telegram_id).send("/export")
        assert [m.text for m in replies] == ["Sorry, that isn't available to you."]
    assert bot.api.methods("sendDocument") == []
    assert await _rows(bot, AuditLog, action="export") == []
    assert seeded.ids["U1"]


async def test_export_refuses_without_a_usable_key(start_bot, database) -> None:
    url, _engine = database
    for key in ("", "too-short-key"):
        bot = await start_bot(make_config(url, evaluation={"pseudonym_key": key}))
        replies = await bot.user(COORDINATOR_ID).send("/export")
        (reply,) = replies
        assert "pseudonym_key" in reply.text and "PEERLINK_PSEUDONYM_KEY" in reply.text
        assert bot.api.methods("sendDocument") == []
    assert await _rows(bot, AuditLog, action="export") == []


async def test_a_real_conversation_reaches_the_export_as_counts_only(start_bot, database) -> None:
    url, _engine = database
    bot = await start_bot(make_config(url, evaluation={"pseudonym_key": KEY}))
    robin, sam = await matched_pair(bot, 5601, 5701)
    await sam.send("SAYING-my-private-worries")
    await sam.send("SAYING-more-about-home")
    await robin.send("SAYING-thanks-for-sharing")

    sent, files = await export_as_coordinator(bot)

    pseudonyms = Pseudonymiser(KEY)
    sam_id = (await _person(bot, sam)).id
    people = {row["pseudonym"]: row["role"] for row in read_csv(files["people.csv"])}
    assert people == {pseudonyms.person(sam_id): "service_user"}
    (relationship,) = read_csv(files["relationships.csv"])
    (row,) = await _rows(bot, Relationship)
    assert relationship["relationship"] == pseudonyms.relationship(row.id)
    assert relationship["status"] == "active"
    assert relationship["matched"] == relationship["first_contact"] == "2026-03-02"
    assert (
        relationship["messages_from_service_user"],
        relationship["messages_from_peer_worker"],
    ) == ("2", "1")
    summary = files["summary.md"].decode()
    assert "| Median wait to match | 0.0 days (1 matched; 0 not matched yet) |" in summary
    assert (
        "| Median time to first contact | 0.0 days (1 relationship; 0 without contact yet) |"
        in (summary)
    )
    (profile,) = await _rows(bot, ServiceUserProfile, person_id=sam_id)
    secrets = ["SAYING", str(sam.id), str(robin.id), "Robin", profile.goal, KEY]
    assert_nothing_identifying({**files, "the zip": sent.document[1]}, secrets)
    assert (await _rows(bot, ConsentRecord, person_id=sam_id, kind="evaluation"))[0].agreed


async def test_withdrawing_evaluation_consent_removes_someone_from_the_next_export(
    start_bot, database, clock
) -> None:
    url, engine = database
    seeded = await seed_programme(engine)
    bot = await start_bot(make_config(url, evaluation={"pseudonym_key": KEY}))
    _, before = await export_as_coordinator(bot)

    async with transaction(session_factory(engine)) as session:
        (record,) = (
            await session.exec(
                select(ConsentRecord).where(ConsentRecord.person_id == seeded.ids["U2"])
            )
        ).all()
        record.withdrawn_at = clock()
        session.add(record)
    _, after = await export_as_coordinator(bot)

    u2 = Pseudonymiser(KEY).person(seeded.ids["U2"])
    assert u2 in before["people.csv"].decode() and u2 in before["relationships.csv"].decode()
    for name, content in after.items():
        assert u2.encode() not in content, name
    people = {row["pseudonym"] for row in read_csv(after["people.csv"])}
    assert len(people) == 3  # U1, U3 and U4
    assert "| People (service users who agreed to evaluation) | 3 |" in after["summary.md"].decode()
