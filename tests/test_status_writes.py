"""Every status column is written by bot/lifecycle.py alone, through tables of allowed moves.

The scan reads bot/ as Python syntax trees, so a status written through a tuple unpacking, a
constructor keyword, ``setattr`` or an ``UPDATE … SET status`` is found as well as a plain
assignment. The transition tables are tested directly, against a real database (no Telegram).
"""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import SQLModel, select

import bot.models
from bot import lifecycle
from bot.db import session_factory, transaction
from bot.lifecycle import (
    CHECKIN_TRANSITIONS,
    PROPOSAL_TRANSITIONS,
    CheckinStatus,
    ProposalStatus,
    RelationshipStatus,
    TransitionNotAllowed,
)
from bot.models import AuditLog, Checkin, Person, Proposal, Relationship

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"
LIFECYCLE = BOT / "lifecycle.py"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

# The tables with a status column, read from the models so a new one is covered at once.
STATUS_MODELS = {
    mapper.class_.__name__
    for mapper in SQLModel._sa_registry.mappers
    if "status" in mapper.columns and mapper.class_.__module__ == bot.models.__name__
}


# -- the scan -----------------------------------------------------------------------------------


def _targets(node: ast.expr):
    if isinstance(node, ast.Tuple | ast.List):
        for element in node.elts:
            yield from _targets(element)
    elif isinstance(node, ast.Starred):
        yield from _targets(node.value)
    else:
        yield node


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _is_status(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value == "status"


def status_writes(source: str) -> list[tuple[int, str]]:
    """(line, what) for each write of a status outside the state machine in ``source``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign):
            targets = [t for target in node.targets for t in _targets(target)]
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = list(_targets(node.target))
        else:
            targets = []
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr == "status":
                found.append((target.lineno, f"assigns {ast.unparse(target)}"))
        if not isinstance(node, ast.Call):
            continue
        name = _called_name(node)
        keywords = {k.arg for k in node.keywords if k.arg}
        if name in STATUS_MODELS and "status" in keywords:
            found.append((node.lineno, f"constructs {name}(status=…)"))
        elif name == "values" and (
            "status" in keywords
            or any(isinstance(a, ast.Dict) and any(map(_is_status, a.keys)) for a in node.args)
        ):
            found.append((node.lineno, "UPDATE/INSERT … values(status=…)"))
        elif name == "setattr" and len(node.args) >= 2 and _is_status(node.args[1]):
            found.append((node.lineno, "setattr(…, 'status', …)"))
    return sorted(found)


def test_the_status_models_are_the_four_with_a_lifecycle() -> None:
    assert {"Person", "Proposal", "Relationship", "Checkin"} == STATUS_MODELS


def test_no_status_is_written_outside_lifecycle() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in sorted(BOT.rglob("*.py"))
        if path != LIFECYCLE
        for line, what in status_writes(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "status written outside bot/lifecycle.py:\n" + "\n".join(offenders)


def test_the_scan_finds_every_shape_of_status_write() -> None:
    source = "\n".join(
        [
            "proposal.status = OFFERED",  # 1: the plain assignment
            "checkin.score, checkin.status, checkin.answered_at = 3, 'answered', now",  # 2
            "a = b.status = 'x'",  # 3: chained
            "person.status += ''",  # 4
            "Relationship(service_user_id=1, status='')",  # 5: a constructor keyword
            "models.Checkin(relationship_id=1, status='sent')",  # 6
            "update(Proposal).values(status='superseded')",  # 7
            "update(Proposal).values({'status': 'held'})",  # 8
            "setattr(person, 'status', 'waiting')",  # 9
            # Not writes: reading, comparing, a text parameter, another column.
            "if proposal.status == OFFERED: pass",
            "t('relay_no_peer', status=sender.status)",
            "status = person.status",
            "Relationship(service_user_id=1).end_reason = 'x'",
            "select(Proposal).where(Proposal.status.in_(OPEN))",
        ]
    )
    assert [line for line, _ in status_writes(source)] == [1, 2, 3, 4, 5, 6, 7, 8, 9]


def test_the_scan_catches_what_the_old_code_did() -> None:
    """The writes this change moved into lifecycle, as they were written before it."""
    old = (
        "checkin.score, checkin.status, checkin.answered_at = int(value), 'answered', now\n"
        "checkin = Checkin(relationship_id=1, due_at=due, status='skipped' if late else 'sent')\n"
        "relationship = Relationship(service_user_id=1, peer_worker_id=2, status='')\n"
        "proposal.status = offers.SUPERSEDED\n"
    )
    assert len(status_writes(old)) == 4


# -- the tables, pure -----------------------------------------------------------------------


def test_every_status_in_the_tables_is_a_known_one() -> None:
    for table, known in (
        (PROPOSAL_TRANSITIONS, set(ProposalStatus)),
        (CHECKIN_TRANSITIONS, set(CheckinStatus)),
    ):
        statuses = {s for s in table if s is not None} | set().union(*table.values())
        assert statuses <= known
        # Every status a row can reach, and nothing but creation starts from None.
        assert set().union(*table.values()) == known


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (None, ProposalStatus.OFFERED),  # a new proposal is reviewed first
        (ProposalStatus.REVIEW, ProposalStatus.CHOSEN),  # choosing needs an offer
        (ProposalStatus.REVIEW, ProposalStatus.NOT_NOW),
        (ProposalStatus.HELD, ProposalStatus.OFFERED),  # held is final
        (ProposalStatus.CHOSEN, ProposalStatus.SUPERSEDED),
        (ProposalStatus.SUPERSEDED, ProposalStatus.REVIEW),
        (ProposalStatus.OFFERED, ProposalStatus.REVIEW),
    ],
)
async def test_a_proposal_move_not_in_the_table_is_refused(current, new) -> None:
    proposal = Proposal(id=7, service_user_id=1, source="auto", created_at=NOW, status=current)
    with pytest.raises(TransitionNotAllowed, match=f"proposal 7: {current} -> {new}"):
        await lifecycle.transition_proposal(None, proposal, new, at=NOW, actor_id=None)
    assert proposal.status == current


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (None, CheckinStatus.ANSWERED),
        (None, CheckinStatus.MISSED),
        (CheckinStatus.SKIPPED, CheckinStatus.SENT),  # a skipped one is never sent late
        (CheckinStatus.SKIPPED, CheckinStatus.ANSWERED),
        (CheckinStatus.ANSWERED, CheckinStatus.MISSED),  # an answer is never taken back
        (CheckinStatus.ANSWERED, CheckinStatus.ANSWERED),
        (CheckinStatus.MISSED, CheckinStatus.SENT),
    ],
)
async def test_a_checkin_move_not_in_the_table_is_refused(current, new) -> None:
    checkin = Checkin(id=9, relationship_id=1, due_at=NOW, status=current)
    with pytest.raises(TransitionNotAllowed, match=f"check-in 9: {current} -> {new}"):
        await lifecycle.transition_checkin(None, checkin, new, at=NOW, actor_id=None)
    assert checkin.status == current
    assert checkin.answered_at is None


# -- the tables, against the database ----------------------------------------------------------


async def _pair(session) -> tuple[Person, Relationship]:
    user = Person(telegram_id=1, role="service_user", created_at=NOW, updated_at=NOW)
    worker = Person(telegram_id=2, role="peer_worker", created_at=NOW, updated_at=NOW)
    session.add_all([user, worker])
    await session.flush()
    relationship = Relationship(
        service_user_id=user.id, peer_worker_id=worker.id, created_at=NOW, updated_at=NOW
    )
    await lifecycle.transition_relationship(
        session, relationship, RelationshipStatus.ACTIVE, at=NOW, actor_id=None
    )
    return user, relationship


async def test_a_proposal_is_created_and_moved_through_its_table_audited(database) -> None:
    _url, engine = database
    sessions = session_factory(engine)
    async with transaction(sessions) as session:
        user, _relationship = await _pair(session)
        proposal = Proposal(service_user_id=user.id, source="manual", created_at=NOW)
        await lifecycle.transition_proposal(
            session, proposal, ProposalStatus.REVIEW, at=NOW, actor_id=None
        )
        assert proposal.id is not None  # flushed, so its audit row names it
        await lifecycle.transition_proposal(
            session, proposal, ProposalStatus.OFFERED, at=NOW, actor_id=user.id
        )
        await lifecycle.transition_proposal(
            session, proposal, ProposalStatus.NONE_SUITABLE, at=NOW, actor_id=user.id, reason="full"
        )
        with pytest.raises(TransitionNotAllowed):
            await lifecycle.transition_proposal(
                session, proposal, ProposalStatus.OFFERED, at=NOW, actor_id=user.id
            )
        proposal_id = proposal.id
    async with transaction(sessions) as session:
        stored = await session.get(Proposal, proposal_id)
        assert stored.status == ProposalStatus.NONE_SUITABLE
        audit = (
            await session.exec(
                select(AuditLog).where(AuditLog.subject_type == "proposal").order_by(AuditLog.id)
            )
        ).all()
        assert [(a.action, a.subject_id, a.reason) for a in audit] == [
            ("proposal.review", proposal_id, None),
            ("proposal.offered", proposal_id, None),
            ("proposal.none_suitable", proposal_id, "full"),
        ]


async def test_a_checkin_is_created_and_moved_through_its_table_not_audited(database) -> None:
    _url, engine = database
    sessions = session_factory(engine)
    answered_at = NOW + timedelta(hours=30)
    async with transaction(sessions) as session:
        user, relationship = await _pair(session)
        checkin = Checkin(relationship_id=relationship.id, due_at=NOW)
        await lifecycle.transition_checkin(
            session, checkin, CheckinStatus.SENT, at=NOW, actor_id=None
        )
        await lifecycle.transition_checkin(
            session, checkin, CheckinStatus.MISSED, at=NOW + timedelta(days=1), actor_id=None
        )
        assert checkin.answered_at is None
        await lifecycle.transition_checkin(  # a late answer still counts
            session, checkin, CheckinStatus.ANSWERED, at=answered_at, actor_id=user.id
        )
        with pytest.raises(TransitionNotAllowed):
            await lifecycle.transition_checkin(
                session, checkin, CheckinStatus.MISSED, at=answered_at, actor_id=None
            )
        await session.flush()
        checkin_id = checkin.id
    async with transaction(sessions) as session:
        stored = await session.get(Checkin, checkin_id)
        assert stored.status == CheckinStatus.ANSWERED
        assert stored.answered_at == answered_at
        actions = (await session.exec(select(AuditLog.action))).all()
        assert actions == ["relationship.active"]  # the pair's start; check-ins are not audited
