"""Finding people by their Telegram id, and who is a coordinator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import Coordinator, PendingInput, Person
from bot.notify import Notice, Render, Reply, rendered_in
from bot.texts import current_language


async def find(session: AsyncSession, telegram_id: int) -> Person | None:
    result = await session.exec(select(Person).where(Person.telegram_id == telegram_id))
    return result.first()


@dataclass(frozen=True)
class Sender:
    """Someone who wrote, as far as deciding where their message goes needs."""

    id: int
    role: str | None
    status: str | None


@dataclass(frozen=True)
class Visit:
    """Who wrote, and what we were waiting for from them: an answer we asked for (its kind),
    or a form in progress. Read at the start of handling a message (``relay.arrival``)."""

    sender: Sender | None
    pending_kind: str | None = None
    in_a_form: bool = False


async def questioned(session: AsyncSession, telegram_id: int) -> tuple[Person, PendingInput] | None:
    """The person and the question we asked them, if we are waiting for an answer."""
    row = (
        await session.exec(
            select(Person, PendingInput)
            .join(PendingInput, PendingInput.person_id == Person.id)
            .where(Person.telegram_id == telegram_id)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def find_or_create(session: AsyncSession, telegram_id: int, now: datetime) -> Person:
    person = await find(session, telegram_id)
    if person is None:
        # In the language they are being spoken to in: their Telegram app's, if we speak it.
        language = current_language()
        person = Person(telegram_id=telegram_id, language=language, created_at=now, updated_at=now)
        session.add(person)
        await session.flush()
    return person


SEEN_PRECISION = timedelta(minutes=10)  # last_seen_at serves retention: no write per update


class SeenRecently:
    """Who this process has marked seen lately, so that an update does not read the person
    only to find nothing to write. ``forget`` someone the moment a send finds them
    unreachable, so that their next message marks them reachable again."""

    WINDOW = timedelta(minutes=5)  # well inside SEEN_PRECISION

    def __init__(self) -> None:
        self._at: dict[int, datetime] = {}

    def recently(self, telegram_id: int, now: datetime) -> bool:
        at = self._at.get(telegram_id)
        return at is not None and timedelta(0) <= now - at < self.WINDOW

    def note(self, telegram_id: int, now: datetime) -> None:
        if len(self._at) > 10_000:
            self._at = {key: at for key, at in self._at.items() if now - at < self.WINDOW}
        self._at[telegram_id] = now

    def forget(self, telegram_id: int) -> None:
        self._at.pop(telegram_id, None)


async def mark_seen(session: AsyncSession, telegram_id: int, now: datetime) -> Person | None:
    """We heard from someone: they can be reached (they may have unblocked the bot), and
    they have come back (retention counts from their last visit). None: nobody by that id."""
    person = await find(session, telegram_id)
    if person is None:
        return None
    if not person.reachable:
        person.reachable = True
        person.updated_at = now
        session.add(person)
    if person.last_seen_at is None or now - person.last_seen_at >= SEEN_PRECISION:
        person.last_seen_at = now
        session.add(person)
    return person


async def is_coordinator(session: AsyncSession, person_id: int | None) -> bool:
    if person_id is None:
        return False
    result = await session.exec(
        select(Coordinator.id).where(Coordinator.person_id == person_id, Coordinator.active)
    )
    return result.first() is not None


async def active_coordinator(session: AsyncSession, telegram_id: int) -> Person | None:
    """The person with this Telegram id, if they coordinate now."""
    person = await find(session, telegram_id)
    if person is not None and await is_coordinator(session, person.id):
        return person
    return None


async def coordinator_people(session: AsyncSession) -> list[Person]:
    result = await session.exec(
        select(Person)
        .join(Coordinator, Coordinator.person_id == Person.id)
        .where(Coordinator.active)
        .order_by(Person.id)
    )
    return list(result.all())


async def former_coordinator_people(session: AsyncSession) -> list[Person]:
    """Coordinators no longer active (removed, or taken out of the configuration)."""
    result = await session.exec(
        select(Person)
        .join(Coordinator, Coordinator.person_id == Person.id)
        .where(Coordinator.active.is_(False), Person.erased_at.is_(None))
        .order_by(Person.id)
    )
    return list(result.all())


async def coordinator_notices(session: AsyncSession, render: Render) -> list[Notice]:
    """The same message for every active coordinator, each in their own language (``render``
    is called once for each language, with it in force)."""
    said: dict[str, Reply] = {}
    notices = []
    for person in await coordinator_people(session):
        if person.language not in said:
            said[person.language] = await rendered_in(person.language, render)
        said_in = said[person.language]
        notices.append(Notice(person.telegram_id, said_in, person.id, language=person.language))
    return notices


async def mark_unreachable(session: AsyncSession, person_id: int, now: datetime) -> bool:
    """Record that Telegram says someone cannot be reached (they blocked the bot, or their
    chat or account is gone); True if this is news. ``outbox.person_unreachable`` is the
    policy around it: every path that finds out goes through that."""
    person = await session.get(Person, person_id)
    if person is None or not person.reachable:
        return False
    person.reachable = False
    person.updated_at = now
    session.add(person)
    return True
