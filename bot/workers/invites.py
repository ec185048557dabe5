"""One-time invite links for new peer workers and coordinators.

Only a SHA-256 of each code is stored, so a copy of the database holds no usable link.
A code is bound to the first person who opens it; nobody else can use it after that, and
what it grants is decided by ``bot.roles``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import lifecycle
from bot.deps import Deps
from bot.models import Invite, Person


class InviteProblem(StrEnum):
    INVALID = "invite_invalid"
    EXPIRED = "invite_expired"
    USED = "invite_used"
    REVOKED = "invite_revoked"
    ROLE_ENDED = "invite_role_ended"  # theirs, but the role it gave has been taken away


@dataclass(frozen=True)
class CreatedInvite:
    invite: Invite
    code: str

    def link(self, bot_username: str) -> str:
        return f"https://t.me/{bot_username}?start={self.code}"


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def looks_like_code(text: str) -> bool:
    return 16 <= len(text) <= 64 and all(c.isalnum() or c in "-_" for c in text)


async def create(
    deps: Deps, session: AsyncSession, creator: Person, role: str, note: str | None = None
) -> CreatedInvite:
    now = deps.now()
    code = secrets.token_urlsafe(18)  # 24 characters, within Telegram's 64 for /start payloads
    invite = Invite(
        code_hash=_hash(code),
        role=role,
        created_by_person_id=creator.id,
        created_at=now,
        expires_at=now + deps.config.invites.valid_for,
        note=note,
    )
    session.add(invite)
    await session.flush()
    await lifecycle.audit(
        session,
        at=now,
        actor_id=creator.id,
        action=f"invite.created.{role}",
        subject_type="invite",
        subject_id=invite.id,
    )
    return CreatedInvite(invite, code)


async def recent_invites(deps: Deps, session: AsyncSession, limit: int) -> list[Invite]:
    """Newest first: invites still open, and used ones nobody has revoked (a coordinator can
    still take those back, however long ago they were used)."""
    result = await session.exec(
        select(Invite)
        .where(
            Invite.revoked_at.is_(None),
            or_(Invite.used_at.is_not(None), Invite.expires_at > deps.now()),
        )
        .order_by(Invite.created_at.desc(), Invite.id.desc())
        .limit(limit)
    )
    return list(result.all())


async def find(session: AsyncSession, code: str) -> Invite | None:
    result = await session.exec(select(Invite).where(Invite.code_hash == _hash(code)))
    return result.first()


def problem(invite: Invite | None, person: Person, now: datetime) -> InviteProblem | None:
    """Why this link cannot grant anything to this person now, if it cannot. A link already
    used by this very person is not a problem here: whether it still shows them where they
    are is for the role rules to say."""
    if invite is None:
        return InviteProblem.INVALID
    if invite.revoked_at:
        return InviteProblem.REVOKED
    if invite.used_at:
        return None if invite.used_by_person_id == person.id else InviteProblem.USED
    if invite.expires_at <= now:
        return InviteProblem.EXPIRED
    return None


async def mark_used(deps: Deps, session: AsyncSession, invite: Invite, person: Person) -> None:
    now = deps.now()
    invite.used_at = now
    invite.used_by_person_id = person.id
    session.add(invite)
    await lifecycle.audit(
        session,
        at=now,
        actor_id=person.id,
        action=f"invite.used.{invite.role}",
        subject_type="invite",
        subject_id=invite.id,
    )


async def _withdraw(
    session: AsyncSession, invite: Invite, at: datetime, actor_id: int | None, why: str | None
) -> None:
    invite.revoked_at = at
    session.add(invite)
    await lifecycle.audit(
        session,
        at=at,
        actor_id=actor_id,
        action="invite.revoked",
        subject_type="invite",
        subject_id=invite.id,
        reason=why,
    )


async def revoke(deps: Deps, session: AsyncSession, actor: Person, invite_id: int) -> Invite | None:
    """Withdraw an invite, used or not; None if it is gone or already withdrawn."""
    invite = await session.get(Invite, invite_id)
    if invite is None or invite.revoked_at:
        return None
    await _withdraw(session, invite, deps.now(), actor.id, None)
    return invite


async def revoke_unused_made_by(
    deps: Deps, session: AsyncSession, creator_id: int, actor_id: int | None
) -> int:
    """Withdraw every invite this person made that nobody has used; how many there were."""
    unused = await session.exec(
        select(Invite).where(
            Invite.created_by_person_id == creator_id,
            Invite.used_at.is_(None),
            Invite.revoked_at.is_(None),
        )
    )
    rows = list(unused.all())
    for invite in rows:
        await _withdraw(
            session, invite, deps.now(), actor_id, "its creator is no longer a coordinator"
        )
    return len(rows)


async def used_by(session: AsyncSession, person_id: int, role: str) -> Invite | None:
    """The latest invite of this role that this person used."""
    result = await session.exec(
        select(Invite)
        .where(Invite.used_by_person_id == person_id, Invite.role == role)
        .order_by(Invite.used_at.desc(), Invite.id.desc())
    )
    return result.first()
