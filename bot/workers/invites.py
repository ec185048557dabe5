"""One-time invite links for new peer workers and coordinators.

Only a SHA-256 of each code is stored, so a copy of the database holds no usable link.
A code is bound to the first person who opens it; nobody else can use it after that.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import lifecycle
from bot.deps import Deps
from bot.models import Invite, Person, Role

COORDINATOR_ROLE = "coordinator"


class InviteProblem(StrEnum):
    INVALID = "invite_invalid"
    EXPIRED = "invite_expired"
    USED = "invite_used"
    REVOKED = "invite_revoked"


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


async def create(deps: Deps, session: AsyncSession, creator: Person, role: str) -> CreatedInvite:
    now = deps.now()
    code = secrets.token_urlsafe(18)  # 24 characters, within Telegram's 64 for /start payloads
    invite = Invite(
        code_hash=_hash(code),
        role=role,
        created_by_person_id=creator.id,
        created_at=now,
        expires_at=now + deps.config.invites.valid_for,
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


async def open_invites(deps: Deps, session: AsyncSession) -> list[Invite]:
    result = await session.exec(
        select(Invite)
        .where(
            Invite.used_at.is_(None),
            Invite.revoked_at.is_(None),
            Invite.expires_at > deps.now(),
        )
        .order_by(Invite.created_at)
    )
    return list(result.all())


async def revoke(deps: Deps, session: AsyncSession, actor: Person, invite_id: int) -> bool:
    invite = await session.get(Invite, invite_id)
    if invite is None or invite.used_at or invite.revoked_at:
        return False
    invite.revoked_at = deps.now()
    session.add(invite)
    await lifecycle.audit(
        session,
        at=deps.now(),
        actor_id=actor.id,
        action="invite.revoked",
        subject_type="invite",
        subject_id=invite.id,
    )
    return True


async def claim(
    deps: Deps, session: AsyncSession, person: Person, code: str
) -> Invite | InviteProblem:
    """Bind an invite to the person opening it, or say why it can't be used."""
    result = await session.exec(select(Invite).where(Invite.code_hash == _hash(code)))
    invite = result.first()
    now = deps.now()
    if invite is None:
        return InviteProblem.INVALID
    if invite.revoked_at:
        return InviteProblem.REVOKED
    if invite.used_at:
        return invite if invite.used_by_person_id == person.id else InviteProblem.USED
    if invite.expires_at <= now:
        return InviteProblem.EXPIRED
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
    return invite


def is_worker_invite(invite: Invite) -> bool:
    return invite.role == Role.PEER_WORKER
