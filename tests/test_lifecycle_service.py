"""The state machine, directly (no Telegram): lifecycle's transition functions against a real
database, parametrized over its tables so that a new status or move is covered at once.

Every allowed move succeeds, is audited as the code audits it (check-ins are not), and cannot
be made twice in a row; every move not in a table is refused and changes nothing; and a person
crosses from one role to another only through ``change_role``.

Migrating a database is most of what a test here costs, so the database tests take one per
table (or per question) and make each move a subtest on rows of its own, in a transaction
of its own: a failure still names the move.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from bot import lifecycle
from bot.db import transaction
from bot.deps import Deps
from bot.lifecycle import (
    CheckinStatus,
    PeerWorkerStatus,
    ProposalStatus,
    RelationshipStatus,
    ServiceUserStatus,
    TransitionNotAllowed,
)
from bot.models import AuditLog, Checkin, Person, Proposal, Relationship, Role
from tests import factories
from tests.factories import ROLE_STATUSES, START, TABLES

LATER = START + timedelta(hours=1)
ROLES = [role.value for role in ROLE_STATUSES]
MODELS = {"relationship": Relationship, "proposal": Proposal, "checkin": Checkin}
NOT_AUDITED = {"checkin"}  # many and routine; their rows say when each was answered


def moves(table: str, *, allowed: bool) -> list[tuple[str | None, str]]:
    """(current, new) for every move the table allows, or every one it does not."""
    statuses, table_moves = TABLES[table]
    return [
        (current, new)
        for current in (None, *statuses)
        for new in statuses
        if (new in table_moves.get(current, set())) == allowed
    ]


def _first_statuses(role: str) -> set[str]:
    return TABLES[role][1][None]


@pytest.fixture
async def deps(database, clock) -> Deps:
    return await factories.deps_for(database, clock)


async def _row_at(session, table: str, status: str | None):
    """A row of ``table`` at ``status``; at None, a new one not yet given its first status."""
    if table in ROLES and status is None:
        return await factories.person(session)
    if table == Role.SERVICE_USER:
        return await factories.service_user(session, status=status)
    if table == Role.PEER_WORKER:
        return await factories.peer_worker(session, status=status)
    if table == "checkin":
        relationship = await factories.relationship(session)
        if status is None:
            return Checkin(relationship_id=relationship.id, due_at=START)
        return await factories.checkin(session, relationship, status=status)
    if status is not None:
        return await getattr(factories, table)(session, status=status)
    user = await factories.service_user(session)
    if table == "proposal":
        return Proposal(service_user_id=user.id, source="auto", created_at=START)
    worker = await factories.peer_worker(session)
    return Relationship(
        service_user_id=user.id, peer_worker_id=worker.id, created_at=START, updated_at=START
    )


async def _move(session, table: str, row, new: str, *, actor_id: int | None, reason: str | None):
    kw = {"at": LATER, "actor_id": actor_id, "reason": reason}
    if table in ROLES:
        await lifecycle.transition(session, row, new, role=Role(table), **kw)
    else:
        await getattr(lifecycle, f"transition_{table}")(session, row, new, **kw)
    if session is not None:
        await session.flush()


async def _audit_count(session) -> int:
    return (await session.exec(select(func.count()).select_from(AuditLog))).one()


async def _last_audit(session) -> AuditLog:
    return (await session.exec(select(AuditLog).order_by(AuditLog.id.desc()))).first()


# -- every allowed move ------------------------------------------------------------------------


def test_every_table_is_covered_and_its_moves_are_real_moves() -> None:
    """A new role needs its statuses here; no table lets a row 'move' to where it is."""
    assert set(ROLE_STATUSES) == set(Role)
    for table, (statuses, table_moves) in TABLES.items():
        assert set().union(*table_moves.values()) <= set(statuses), table
        assert all(current not in table_moves[current] for current in table_moves), table
        for status in statuses:  # every status is reachable, so the factories can build it
            assert factories.path(table, status)[-1] == status


@pytest.mark.parametrize("table", list(TABLES))
async def test_every_allowed_move_succeeds_is_audited_and_cannot_be_repeated(
    deps: Deps, subtests, table: str
) -> None:
    for current, new in moves(table, allowed=True):
        with subtests.test(move=f"{table}: {current} -> {new}"):
            await _allowed_move(deps, table, current, new)


async def _allowed_move(deps: Deps, table: str, current: str | None, new: str) -> None:
    async with transaction(deps.sessions) as session:
        actor = await factories.coordinator(session)
        row = await _row_at(session, table, current)
        started, audited = getattr(row, "started_at", None), await _audit_count(session)
        await _move(session, table, row, new, actor_id=actor.id, reason="because")
        assert row.status == new
        if table in NOT_AUDITED:
            assert await _audit_count(session) == audited
        else:
            assert await _audit_count(session) == audited + 1
            entry = await _last_audit(session)
            subject_type = "person" if table in ROLES else table
            assert (entry.action, entry.subject_type, entry.subject_id) == (
                f"{table}.{new}",
                subject_type,
                row.id,
            )
            assert (entry.actor_person_id, entry.at, entry.reason) == (actor.id, LATER, "because")
        if table == "relationship":
            _assert_relationship_dates(row, new, started)
        if table == "checkin":  # only an answer says when it was answered
            assert row.answered_at == (LATER if new == CheckinStatus.ANSWERED else None)

        # The same move again is not a move: refused, and nothing more is written.
        with pytest.raises(TransitionNotAllowed):
            await _move(session, table, row, new, actor_id=actor.id, reason="again")
        assert row.status == new
        assert await _audit_count(session) == audited + (table not in NOT_AUDITED)
        model, row_id = MODELS.get(table, Person), row.id

    async with deps.sessions() as session:
        stored = await session.get(model, row_id)
        assert stored.status == new
        if table in ROLES:
            assert (stored.role, stored.updated_at) == (table, LATER)


def _assert_relationship_dates(row: Relationship, new: str, started) -> None:
    """Active records when it started (once); an ending records when and why; a request or
    a pause ends nothing."""
    assert row.updated_at == LATER
    if new == RelationshipStatus.ACTIVE:
        assert row.started_at == (started or LATER)
    if new in lifecycle.OPEN_RELATIONSHIP:
        assert (row.ended_at, row.end_reason) == (None, None)
    else:
        assert (row.ended_at, row.end_reason) == (LATER, "because")


# -- every move not in a table -----------------------------------------------------------------


def _bare(table: str, status: str | None):
    """A row in memory only: a refused move must not need (or touch) the database."""
    if table in ROLES:
        role = table if status is not None else None
        return Person(
            id=1, telegram_id=1, role=role, status=status, created_at=START, updated_at=START
        )
    if table == "relationship":
        return Relationship(
            id=1,
            service_user_id=1,
            peer_worker_id=2,
            status=status,
            created_at=START,
            updated_at=START,
        )
    if table == "proposal":
        return Proposal(id=1, service_user_id=1, source="auto", status=status, created_at=START)
    return Checkin(id=1, relationship_id=1, due_at=START, status=status)


@pytest.mark.parametrize(
    ("table", "current", "new"),
    [
        pytest.param(table, current, new, id=f"{table}:{current}->{new}")
        for table in TABLES
        for current, new in moves(table, allowed=False)
    ],
)
async def test_a_move_not_in_the_table_is_refused_and_changes_nothing(
    table: str, current: str | None, new: str
) -> None:
    row = _bare(table, current)
    before = row.model_dump()
    with pytest.raises(TransitionNotAllowed, match=f"{current} -> {new}"):
        await _move(None, table, row, new, actor_id=None, reason="no")
    assert row.model_dump() == before


REFUSED_SAMPLE = [
    (Role.SERVICE_USER, ServiceUserStatus.MATCHED, ServiceUserStatus.OFFERED),
    (Role.SERVICE_USER, ServiceUserStatus.ERASED, ServiceUserStatus.ONBOARDING),  # erased is last
    (Role.PEER_WORKER, PeerWorkerStatus.APPROVED, PeerWorkerStatus.PENDING_APPROVAL),
    ("relationship", RelationshipStatus.EXPIRED, RelationshipStatus.ACTIVE),  # a late accept
    ("relationship", RelationshipStatus.COMPLETED, RelationshipStatus.PAUSED),
    ("proposal", ProposalStatus.HELD, ProposalStatus.OFFERED),  # held is final
    ("checkin", CheckinStatus.SKIPPED, CheckinStatus.SENT),  # never sent late
]


async def test_a_refused_move_leaves_the_stored_row_and_the_audit_as_they_were(
    deps: Deps, subtests
) -> None:
    for table, current, new in REFUSED_SAMPLE:
        with subtests.test(move=f"{table}: {current} -> {new}"):
            assert (current, new) in moves(table, allowed=False)
            async with transaction(deps.sessions) as session:
                row = await _row_at(session, table, current)
                model, row_id = MODELS.get(table, Person), row.id
                audited = await _audit_count(session)
            async with transaction(deps.sessions) as session:
                row = await session.get(model, row_id)
                with pytest.raises(TransitionNotAllowed):
                    await _move(session, table, row, new, actor_id=None, reason="no")
                assert row.status == current
                assert await _audit_count(session) == audited
            async with deps.sessions() as session:
                stored = await session.get(model, row_id)
                assert stored.status == current
                assert getattr(stored, "updated_at", START) == START


# -- roles: change_role is the only way across ----------------------------------------------


async def test_a_transition_never_takes_someone_into_another_role(deps: Deps, subtests) -> None:
    for role in ROLES:
        for other in set(ROLES) - {role}:
            with subtests.test(role=role, other=other):
                await _stays_in_role(deps, role, other)


async def _stays_in_role(deps: Deps, role: str, other: str) -> None:
    async with transaction(deps.sessions) as session:
        builder = factories.service_user if role == Role.SERVICE_USER else factories.peer_worker
        row = await builder(session)
        status, audited = row.status, await _audit_count(session)
        for first in _first_statuses(other):
            with pytest.raises(TransitionNotAllowed, match=f"is a {role}, not a {other}"):
                await lifecycle.transition(
                    session, row, first, at=LATER, actor_id=None, role=Role(other)
                )
        # Nor does a status only the other role has, asked for without naming a role.
        for other_status in set(ROLE_STATUSES[Role(other)]) - set(ROLE_STATUSES[Role(role)]):
            with pytest.raises(TransitionNotAllowed):
                await lifecycle.transition(session, row, other_status, at=LATER, actor_id=None)
        assert (row.role, row.status) == (role, status)
        assert await _audit_count(session) == audited


async def test_someone_with_no_role_needs_one_named(deps: Deps) -> None:
    async with transaction(deps.sessions) as session:
        row = await factories.coordinator(session)  # a coordinator's role is their row
        with pytest.raises(TransitionNotAllowed, match="has no role"):
            await lifecycle.transition(
                session, row, ServiceUserStatus.ONBOARDING, at=LATER, actor_id=None
            )
        assert (row.role, row.status) == (None, None)


CROSSINGS = [
    (old, old_status, new, first)
    for old, old_status in (
        (Role.SERVICE_USER, ServiceUserStatus.ENDED),
        (Role.PEER_WORKER, PeerWorkerStatus.REJECTED),
        (None, None),  # a stranger, or a former coordinator
    )
    for new in [*ROLES, None]  # None: to coordinator (their Coordinator row is the role)
    if new != old
    for first in (sorted(_first_statuses(new)) if new else [None])
]


async def test_change_role_crosses_roles_audited_and_the_new_table_applies(
    deps: Deps, subtests
) -> None:
    for old_role, old_status, role, status in CROSSINGS:
        with subtests.test(change=f"{old_role}/{old_status} -> {role}/{status}"):
            await _crossing(deps, old_role, old_status, role, status)


async def _crossing(deps: Deps, old_role, old_status, role, status) -> None:
    async with transaction(deps.sessions) as session:
        actor = await factories.coordinator(session)
        if old_role is None:
            row = await factories.person(session)
        elif old_role == Role.SERVICE_USER:
            row = await factories.service_user(session, status=old_status)
        else:
            row = await factories.peer_worker(session, status=old_status)
        new_role = Role(role) if role else None
        await lifecycle.change_role(
            session, row, new_role, status, at=LATER, actor_id=actor.id, why="asked"
        )
        assert (row.role, row.status, row.updated_at) == (role, status, LATER)
        entry = await _last_audit(session)
        before = f"{old_role}/{old_status}" if old_role else "no role"
        after = f"{role}/{status}" if role else "no role"
        assert (entry.action, entry.subject_id, entry.actor_person_id, entry.reason) == (
            "role.changed",
            row.id,
            actor.id,
            f"{before} -> {after}: asked",
        )
        if role is None:
            return
        # From here the new role's own table applies, and the old role is out of reach.
        if old_role is not None:
            with pytest.raises(TransitionNotAllowed, match=f"is a {role}, not a {old_role}"):
                await lifecycle.transition(
                    session,
                    row,
                    min(_first_statuses(old_role)),
                    at=LATER,
                    actor_id=None,
                    role=Role(old_role),
                )
        onward = min(TABLES[role][1][status] - {lifecycle.ERASED})
        await lifecycle.transition(session, row, onward, at=LATER, actor_id=actor.id)
        assert (row.role, row.status) == (role, onward)


async def test_change_role_starts_a_role_only_at_its_first_status(deps: Deps, subtests) -> None:
    for role in ROLES:
        for status in sorted(set(ROLE_STATUSES[Role(role)]) - _first_statuses(role)):
            with subtests.test(start=f"{role}/{status}"):
                async with transaction(deps.sessions) as session:
                    row = await factories.person(session)
                    audited = await _audit_count(session)
                    with pytest.raises(TransitionNotAllowed, match=f"cannot start as {status}"):
                        await lifecycle.change_role(
                            session, row, Role(role), status, at=LATER, actor_id=None, why="skip"
                        )
                    assert (row.role, row.status) == (None, None)
                    assert await _audit_count(session) == audited


async def test_someone_with_no_role_is_erased_audited(deps: Deps) -> None:
    """mark_erased: the last status anyone reaches, a former coordinator (no role) too."""
    async with transaction(deps.sessions) as session:
        row = await factories.person(session)
        await lifecycle.mark_erased(session, row, at=LATER, actor_id=None, reason="retention")
        assert (row.role, row.status) == (None, lifecycle.ERASED)
        entry = await _last_audit(session)
        assert (entry.action, entry.subject_id, entry.reason) == (
            "person.erased",
            row.id,
            "retention",
        )
