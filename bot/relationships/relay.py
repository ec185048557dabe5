"""The private relay between a matched pair: who a message goes to, and what is kept.

Messages go across as copies (``notify.Copy``: no "forwarded from", so neither side sees the
other's account); this module decides the recipient and keeps only message ids and contact
counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, bindparam, exists, func, insert, update
from sqlalchemy.orm import aliased
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from bot import people
from bot.callbacks import (
    AskEndReason,
    AskPauseLength,
    EndRelationship,
    KeepRelationship,
    RelayFromLabel,
    RelayTo,
)
from bot.db import Statements
from bot.deps import Deps
from bot.lifecycle import PeerWorkerStatus, RelationshipStatus, ServiceUserStatus
from bot.models import (
    CheckinPlan,
    FormDraft,
    PeerWorkerProfile,
    PendingInput,
    Person,
    Relationship,
    RelayedMessage,
    Role,
    ServiceUserProfile,
    UTCDateTime,
)
from bot.notify import Button, Copy, Notice, Reply
from bot.offers.wording import name_for_worker, worker_name
from bot.people import Sender
from bot.relationships import access, closure
from bot.texts import t, tn
from bot.texts.fragments import date_text


@dataclass(frozen=True)
class Delivery:
    """Where one message goes."""

    relationship_id: int
    sender_person_id: int
    recipient_person_id: int
    recipient_telegram_id: int
    recipient_language: str
    reply_to_message_id: int | None
    sender_label: str | None  # shown on the copy a worker receives: which person it's from
    silent: bool = False  # the recipient is in their quiet hours: deliver without a sound
    from_service_user: bool = True


async def relationships_of(
    session: AsyncSession, person: Person, statuses: tuple[str, ...]
) -> list[Relationship]:
    """This person's relationships (on whichever side they are) in ``statuses``, oldest first."""
    column = (
        Relationship.peer_worker_id
        if person.role == Role.PEER_WORKER
        else Relationship.service_user_id
    )
    rows = await session.exec(
        select(Relationship)
        .where(column == person.id, Relationship.status.in_(statuses))
        .order_by(Relationship.started_at, Relationship.id)
    )
    return list(rows.all())


async def active_relationships(session: AsyncSession, person: Person) -> list[Relationship]:
    """This person's active relationships, oldest first: not paused ones, nor requests."""
    return await relationships_of(session, person, (RelationshipStatus.ACTIVE,))


def in_quiet_hours(quiet_hours: str | None, timezone: str | None, now: datetime) -> bool:
    """Is it within a worker's quiet hours ("21:00-07:00"), in their own time zone?"""
    if not quiet_hours or not timezone:
        return False
    start, end = (time.fromisoformat(part) for part in quiet_hours.split("-"))
    local = now.astimezone(ZoneInfo(timezone)).time()
    return (start <= local or local < end) if start > end else (start <= local < end)


# Replies and edits look a message up by the ids Telegram gives us, once per update and
# one update at a time: each look-up must be an index probe, never a scan of every message
# ever relayed (tests/test_relay_indexes.py checks the plans, bench/relay_lookups.py the cost).


def _copy_received(recipient_id: Any, target_message_id: Any) -> tuple[Any, ...]:
    """Where-clauses: the message whose copy ``recipient_id`` received as
    ``target_message_id`` (index ix_relayed_message_recipient_target)."""
    return (
        RelayedMessage.recipient_person_id == recipient_id,
        RelayedMessage.target_message_id == target_message_id,
    )


def _original_sent(sender_id: Any, source_message_id: Any) -> tuple[Any, ...]:
    """Where-clauses: the message ``sender_id`` sent as ``source_message_id``, and where its
    copy went (index ix_relayed_message_sender_source)."""
    return (
        RelayedMessage.sender_person_id == sender_id,
        RelayedMessage.source_message_id == source_message_id,
    )


def sent_original(sender_id: int, source_message_id: int) -> SelectOfScalar[RelayedMessage]:
    return select(RelayedMessage).where(*_original_sent(sender_id, source_message_id))


# A reply's look-ups, in plain columns, built once: (relationship, the other message id) of
# the message whose copy ``person_id`` received as ``message_id``, or of the one they sent as
# it. A message id names one message in one chat, so each finds one row at most.
_PERSON, _MESSAGE = bindparam("person_id"), bindparam("message_id")
ORIGINAL_OF_COPY = select(RelayedMessage.relationship_id, RelayedMessage.source_message_id).where(
    *_copy_received(_PERSON, _MESSAGE)
)
COPY_OF_ORIGINAL = select(RelayedMessage.relationship_id, RelayedMessage.target_message_id).where(
    *_original_sent(_PERSON, _MESSAGE)
)


async def _look_up(
    statements: Statements, statement: Select, person_id: int, message_id: int
) -> tuple[int, int] | None:
    """(relationship, the other message id), or None."""
    rows = await statements.rows(statement, {"person_id": person_id, "message_id": message_id})
    return (rows[0][0], rows[0][1]) if rows else None


@dataclass(frozen=True)
class Leg:
    """One of the sender's active relationships, with what a delivery needs of the other side."""

    relationship_id: int
    service_user_id: int
    peer_worker_id: int
    recipient_telegram_id: int
    recipient_language: str
    quiet_hours: str | None  # the worker's
    timezone: str | None  # the worker's
    preferred_name: str | None  # the service user's, as their worker sees it
    already_relayed: bool  # this very message went across before (handled again after a crash)


def _not_by_index(relationships: Any) -> Any:
    """A relationship's status, as an expression no index serves: without planner statistics
    (the bot never gathers SQLite's) the status index looked as good as the person's own,
    and took every active relationship to find one person's."""
    return relationships.status.concat("")


def _arrival_statement() -> Select:
    """The statement behind ``arrival``: the person who wrote (``people.Visit``'s columns),
    then one row for each of their active relationships, on whichever side they are (``Leg``'s
    columns), or one row of empty ones if they have none."""
    # The relationships where they are the service user, and those where they are the
    # worker, joined apart: each through its own index (joined as one "either side", SQLite
    # reads every active relationship). A person is only ever on one side, so one of the two
    # is always empty.
    as_user, as_worker = aliased(Relationship), aliased(Relationship)

    def either(column: str) -> Any:
        return func.coalesce(getattr(as_user, column), getattr(as_worker, column))

    other = aliased(Person)
    # Whether this very message went across before, to whichever relationship: by the
    # (sender, message id) index alone, however many messages a relationship has had.
    already_relayed = (
        exists()
        .where(
            RelayedMessage.sender_person_id == Person.id,
            RelayedMessage.source_message_id == bindparam("message_id"),
        )
        .label("already_relayed")
    )
    active = RelationshipStatus.ACTIVE
    return (
        select(
            Person.id,
            Person.role,
            Person.status,
            PendingInput.kind,
            FormDraft.person_id,
            either("id"),
            either("service_user_id"),
            either("peer_worker_id"),
            other.telegram_id,
            other.language,
            PeerWorkerProfile.quiet_hours,
            PeerWorkerProfile.timezone,
            ServiceUserProfile.preferred_name,
            already_relayed,
        )
        .outerjoin(PendingInput, PendingInput.person_id == Person.id)
        .outerjoin(FormDraft, FormDraft.person_id == Person.id)
        .outerjoin(
            as_user, (as_user.service_user_id == Person.id) & (_not_by_index(as_user) == active)
        )
        .outerjoin(
            as_worker,
            (as_worker.peer_worker_id == Person.id) & (_not_by_index(as_worker) == active),
        )
        .outerjoin(
            other, other.id == func.coalesce(as_user.peer_worker_id, as_worker.service_user_id)
        )
        .outerjoin(PeerWorkerProfile, PeerWorkerProfile.person_id == either("peer_worker_id"))
        .outerjoin(ServiceUserProfile, ServiceUserProfile.person_id == either("service_user_id"))
        .where(Person.telegram_id == bindparam("telegram_id"))
        .order_by(either("started_at"), either("id"))
    )


ARRIVAL = _arrival_statement()


@dataclass(frozen=True)
class Arrival:
    """What handling a message from someone starts from: who they are, what we were waiting
    for from them, and their active relationships (for the relay)."""

    visit: people.Visit
    legs: list[Leg]


async def arrival(statements: Statements, telegram_id: int, message_id: int) -> Arrival:
    """One statement, on every message (and for the relay's every decision): as one read
    instead of two, a fifth of what handling a relayed message costs on PostgreSQL."""
    rows = await statements.rows(ARRIVAL, {"telegram_id": telegram_id, "message_id": message_id})
    if not rows:
        return Arrival(people.Visit(None), [])
    person_id, role, status, pending_kind, draft_of = rows[0][:5]
    visit = people.Visit(Sender(person_id, role, status), pending_kind, draft_of is not None)
    legs = [Leg(*row[5:-1], already_relayed=bool(row[-1])) for row in rows if row[5] is not None]
    return Arrival(visit, legs)


async def _delivery(
    statements: Statements, sender: Sender, leg: Leg, reply_to: int | None, now: datetime
) -> Delivery:
    to_worker = sender.id == leg.service_user_id
    target_reply = None
    if reply_to is not None:
        # The sender replied to a copy we delivered to them: reply to its original.
        original = await _look_up(statements, ORIGINAL_OF_COPY, sender.id, reply_to)
        if original is not None and original[0] == leg.relationship_id:
            target_reply = original[1]
        elif original is None:
            # They replied to their own message: point at our copy of it.
            own = await _look_up(statements, COPY_OF_ORIGINAL, sender.id, reply_to)
            if own is not None and own[0] == leg.relationship_id:
                target_reply = own[1]
    return Delivery(
        from_service_user=to_worker,
        silent=to_worker and in_quiet_hours(leg.quiet_hours, leg.timezone, now),
        relationship_id=leg.relationship_id,
        sender_person_id=sender.id,
        recipient_person_id=leg.peer_worker_id if to_worker else leg.service_user_id,
        recipient_telegram_id=leg.recipient_telegram_id,
        recipient_language=leg.recipient_language,
        reply_to_message_id=target_reply,
        sender_label=name_for_worker(leg.preferred_name, sender.id) if to_worker else None,
    )


async def _relationship_of_reply(
    statements: Statements, worker_id: int, reply_to: int
) -> int | None:
    mapped = await _look_up(statements, ORIGINAL_OF_COPY, worker_id, reply_to)
    if mapped is None:
        mapped = await _look_up(statements, COPY_OF_ORIGINAL, worker_id, reply_to)
    return mapped[0] if mapped else None


@dataclass(frozen=True)
class AlreadyRelayed:
    """This message reached the other side before (its update is being handled again)."""


async def route(
    deps: Deps,
    statements: Statements,
    telegram_id: int,
    message_id: int,
    reply_to: int | None,
    read: Arrival | None = None,
) -> Delivery | Reply | AlreadyRelayed | None:
    """Where a message from this person goes, or what to tell them instead. ``read``: who
    wrote and their active relationships, when the caller has read them already.

    None: they are not someone the relay serves (not onboarded), so the caller's
    usual fallback applies.
    """
    read = read or await arrival(statements, telegram_id, message_id)
    sender, legs = read.visit.sender, read.legs
    if sender is None or sender.role is None:
        return None
    if any(leg.already_relayed for leg in legs):
        return AlreadyRelayed()
    if sender.role == Role.SERVICE_USER:
        if not legs:
            if sender.status in (ServiceUserStatus.ONBOARDING, ServiceUserStatus.CANCELLED):
                return None
            return Reply(t("relay_no_peer", status=t(f"relay_status_{sender.status}")))
        return await _delivery(statements, sender, legs[0], reply_to, deps.now())
    if sender.status != PeerWorkerStatus.APPROVED:
        return None
    if not legs:
        return Reply(t("relay_worker_nobody"))
    if reply_to is not None:
        replied = await _relationship_of_reply(statements, sender.id, reply_to)
        for leg in legs:
            if leg.relationship_id == replied:
                return await _delivery(statements, sender, leg, reply_to, deps.now())
    if len(legs) == 1:
        return await _delivery(statements, sender, legs[0], reply_to, deps.now())
    # Several people and no reply to follow: ask rather than guess, quoting the message (a
    # tap is only taken for the message its question quotes: ``handlers.button``).
    return Reply(
        t("relay_who_is_this_for"),
        tuple(
            (
                Button(
                    name_for_worker(leg.preferred_name, leg.service_user_id),
                    RelayTo(leg.relationship_id, message_id),
                ),
            )
            for leg in legs
        ),
        quoting=message_id,
    )


async def route_chosen(
    deps: Deps,
    statements: Statements,
    telegram_id: int,
    relationship_id: int,
    message_id: int,
    workers_only: bool = True,
) -> Delivery | None:
    """The worker answered "who is this for?" (or, ``workers_only`` False, either side sends
    a held-back message anyway): None if that is not an active relationship of theirs, or the
    message went across already (a second tap)."""
    read = await arrival(statements, telegram_id, message_id)
    sender, legs = read.visit.sender, read.legs
    if sender is None or (workers_only and sender.role != Role.PEER_WORKER):
        return None
    if any(leg.already_relayed for leg in legs):  # a tap on another name went first
        return None
    for leg in legs:
        if leg.relationship_id == relationship_id:
            return await _delivery(statements, sender, leg, None, deps.now())
    return None


def _counted(counter: Any) -> Any:
    """The contact figures after one more message, as one statement (right whatever another
    process counts meanwhile), built once for each side."""
    now = bindparam("now", type_=UTCDateTime())
    return (
        update(Relationship)
        .where(Relationship.id == bindparam("relationship_id"))
        .values(
            {
                counter: counter + 1,
                Relationship.first_contact_at: func.coalesce(Relationship.first_contact_at, now),
                Relationship.last_contact_at: now,
            }
        )
    )


# Its values come as parameters: no object to flush.
_RECORD = insert(RelayedMessage).values(
    relationship_id=bindparam("relationship_id"),
    sender_person_id=bindparam("sender_person_id"),
    source_message_id=bindparam("source_message_id"),
    recipient_person_id=bindparam("recipient_person_id"),
    target_message_id=bindparam("target_message_id"),
    created_at=bindparam("now", type_=UTCDateTime()),
)
_FROM_SERVICE_USER = _counted(Relationship.messages_from_service_user)
_FROM_WORKER = _counted(Relationship.messages_from_worker)


def _recorded_and_counted(counter: Any) -> Any:
    """PostgreSQL's form of the two: one statement (a data-modifying WITH), so that it needs
    no transaction around it."""
    recorded = _RECORD.returning(RelayedMessage.relationship_id).cte("recorded")
    counted = _counted(counter)
    return counted.where(Relationship.id.in_(select(recorded.c.relationship_id)))


_ONE_STATEMENT = {
    True: _recorded_and_counted(Relationship.messages_from_service_user),
    False: _recorded_and_counted(Relationship.messages_from_worker),
}


async def delivered(
    deps: Deps, statements: Statements, delivery: Delivery, source_id: int, target_id: int
) -> None:
    """Keep the pair of message ids and the contact figures (never the content), both or
    neither: on PostgreSQL in one statement, on SQLite (which has no data-modifying WITH) in
    the caller's transaction."""
    values = {
        "relationship_id": delivery.relationship_id,
        "sender_person_id": delivery.sender_person_id,
        "source_message_id": source_id,
        "recipient_person_id": delivery.recipient_person_id,
        "target_message_id": target_id,
        "now": deps.now(),
    }
    if statements.postgresql:
        await statements.run(_ONE_STATEMENT[delivery.from_service_user], values)
        return
    await statements.run(_RECORD, values)
    counted = _FROM_SERVICE_USER if delivery.from_service_user else _FROM_WORKER
    await statements.run(
        counted, {"relationship_id": delivery.relationship_id, "now": values["now"]}
    )


async def copy_of(
    session: AsyncSession, telegram_id: int, source_message_id: int
) -> tuple[int, int, int, str, bool] | None:
    """(recipient chat, their copy's message id, recipient, their language, whether the
    writer is the service user) for an edited message, if it was relayed."""
    sender = await people.find(session, telegram_id)
    if sender is None:
        return None
    mapped = (await session.exec(sent_original(sender.id, source_message_id))).first()
    if mapped is None:
        return None
    relationship = await session.get(Relationship, mapped.relationship_id)
    if relationship.status != RelationshipStatus.ACTIVE:
        return None
    recipient = await session.get(Person, mapped.recipient_person_id)
    from_service_user = sender.id == relationship.service_user_id
    return (
        recipient.telegram_id,
        mapped.target_message_id,
        recipient.id,
        recipient.language,
        from_service_user,
    )


def copy_notice(delivery: Delivery, from_chat_id: int, message_id: int) -> Notice:
    """The copy of one message for the other side; its sender hears if it cannot get there."""
    label = None
    if delivery.sender_label:  # a worker always sees who a message is from
        label = Button(
            t("relay_from", delivery.recipient_language, ref=delivery.sender_label),
            RelayFromLabel(),
        )
    copy = Copy(from_chat_id, message_id, delivery.reply_to_message_id, label, delivery.silent)
    return Notice(
        delivery.recipient_telegram_id,
        copy,
        delivery.recipient_person_id,
        sender_telegram_id=from_chat_id,
        language=delivery.recipient_language,
    )


# -- /relationship and /end ----------------------------------------------------------------------


async def overview(deps: Deps, session: AsyncSession, telegram_id: int) -> list[Reply]:
    person = await people.find(session, telegram_id)
    if person is None or person.role is None:
        return [Reply(t("relationship_none"))]
    relationships = await active_relationships(session, person)
    if not relationships:
        return [Reply(t("relationship_none"))]
    lines = []
    for r in relationships:
        since = r.started_at.astimezone(deps.config.tz)
        if person.role == Role.SERVICE_USER:
            worker = await session.get(PeerWorkerProfile, r.peer_worker_id)
            who = worker.display_name
        else:
            who = await worker_name(session, r.service_user_id)
        ends = r.planned_end_at.astimezone(deps.config.tz) if r.planned_end_at else None
        plan = await session.get(CheckinPlan, r.id)
        due = plan.next_due_at if plan and not plan.paused else None
        lines.append(
            t(
                "relationship_line",
                who=who,
                since=date_text(deps.config, since, weekday=False),
                ends=date_text(deps.config, ends, weekday=False) if ends else "—",
                checkin=date_text(deps.config, due, year=False, time=True) if due else "—",
                messages=tn(
                    "relationship_messages", r.messages_from_service_user + r.messages_from_worker
                ),
            )
        )
    buttons = ()
    if person.role == Role.PEER_WORKER:  # e.g. a hospital stay: a worker can pause
        buttons = tuple(
            [
                (
                    Button(
                        t("btn_pause_with", ref=await worker_name(session, r.service_user_id)),
                        AskPauseLength(r.id),
                    ),
                )
                for r in relationships
            ]
        )
    return [Reply("\n".join([t("relationship_title"), *lines]), buttons)]


END_REASONS = ("done", "fit", "unsaid")


def end_reasons(relationship_id: int) -> Reply:
    """The confirmation, with an optional reason in the same tap ("I'd rather not say")."""
    rows = tuple(
        (Button(t(f"btn_end_{code}"), EndRelationship(relationship_id, code)),)
        for code in END_REASONS
    )
    return Reply(t("end_confirm"), (*rows, (Button(t("btn_end_keep"), KeepRelationship()),)))


async def ask_end(deps: Deps, session: AsyncSession, telegram_id: int) -> Reply:
    person = await people.find(session, telegram_id)
    relationships = await active_relationships(session, person) if person else []
    if not relationships:
        return Reply(t("relationship_none"))
    if len(relationships) == 1:
        return end_reasons(relationships[0].id)
    buttons = tuple(
        [
            (
                Button(
                    t("btn_end_with", ref=await worker_name(session, r.service_user_id)),
                    AskEndReason(r.id),
                ),
            )
            for r in relationships
        ]
    )
    return Reply(t("end_which"), (*buttons, (Button(t("btn_end_keep"), KeepRelationship()),)))


async def end_early(
    deps: Deps, session: AsyncSession, telegram_id: int, relationship_id: int, reason: str
) -> tuple[list[Reply], list[Notice]]:
    """Either side ends the relationship early; the other is told kindly, the place freed."""
    owned = await access.own(session, telegram_id, relationship_id, access.EITHER)
    if owned is None:
        return [Reply(t("request_stale"))], []
    person, relationship = owned
    ended_by = "service_user" if person.id == relationship.service_user_id else "peer_worker"
    notices = await closure.close(
        deps,
        session,
        relationship,
        ended_by=ended_by,
        actor_id=person.id,
        reason=f"/end by {ended_by}: {reason if reason in END_REASONS else 'unsaid'}",
    )
    return [], notices
