"""What the relay does with a message that carries contact details (``[relay.boundaries]``):
send it, hold it back (its writer is told kindly why and may send it anyway or change it; a
peer worker is reminded of the policy), or block it. Only counts are kept, per relationship:
what was held, what its writer sent anyway, what was blocked; never the words.

Finding the details is ``boundaries``; this is the policy around it.
"""

from __future__ import annotations

import re
from typing import Any

from babel.lists import format_list
from sqlalchemy import bindparam, update
from telegram import Message, MessageEntity

from bot.callbacks import ChangeHeldMessage, SendHeldMessage
from bot.config import Config
from bot.db import Statements
from bot.deps import Deps
from bot.models import Relationship
from bot.notify import Button, Reply
from bot.relationships import boundaries
from bot.relationships.boundaries import Detail
from bot.relationships.relay import Delivery
from bot.texts import current_language, t
from bot.texts.fragments import locale_of

HELD, SENT_ANYWAY, BLOCKED = "held", "sent_anyway", "blocked"


_looked_for: dict[int, tuple[Config, frozenset[str], tuple[re.Pattern[str], ...]]] = {}


def _look_for(config: Config) -> tuple[frozenset[str], tuple[re.Pattern[str], ...]]:
    """The service's own numbers (never contact details) and its own patterns, worked out
    once for each configuration."""
    known = _looked_for.get(id(config))
    if known is None or known[0] is not config:
        service = config.service
        numbers = [line.phone for line in service.crisis_lines] + [service.emergency_number]
        patterns = tuple(re.compile(p, re.IGNORECASE) for p in config.relay.boundaries.patterns)
        known = _looked_for[id(config)] = (config, boundaries.allowed_numbers(numbers), patterns)
    return known[1], known[2]


def details_in(config: Config, message: Message | None, text: str | None = None) -> list[Detail]:
    """The kinds of contact detail in a message: in its text or caption (or ``text``, an
    edit's), and a contact card or location it carries."""
    allowed, patterns = _look_for(config)
    written = text if text is not None else (message.text or message.caption if message else None)
    entities = (message.entities or message.caption_entities or ()) if message else ()
    # A link hidden under words ("message me here") is copied with the message.
    hidden = [entity.url for entity in entities if entity.url]
    if hidden:
        written = "\n".join([written or "", *hidden])
    found = boundaries.kinds(boundaries.find(written, allowed, patterns))
    if any(entity.type == MessageEntity.TEXT_MENTION for entity in entities):
        found.append(Detail.HANDLE)  # someone's account, named by a tap
    if message is not None and message.contact is not None:
        found.append(Detail.CONTACT)
    if message is not None and (message.location is not None or message.venue is not None):
        found.append(Detail.LOCATION)
    return found


def _policy(config: Config, from_service_user: bool) -> str:
    rules = config.relay.boundaries
    return rules.from_service_user if from_service_user else rules.from_peer_worker


def _what(found: list[Detail]) -> str:
    """'a phone number and an e-mail address', in the language spoken now."""
    words = [t(f"boundary_{kind}") for kind in dict.fromkeys(found)]
    return format_list(words, locale=locale_of(current_language()))


def held_back(
    deps: Deps, delivery: Delivery, message_id: int, found: list[Detail]
) -> tuple[Reply, str] | None:
    """What its writer is told, and the count it adds, when a message is not sent as it is;
    None: it goes."""
    rule = _policy(deps.config, delivery.from_service_user)
    if not found or rule == "allow":
        return None
    side = "user" if delivery.from_service_user else "worker"
    what = _what(found)
    if rule == "block":
        return Reply(t(f"relay_blocked_{side}", what=what)), BLOCKED
    buttons = (
        (
            Button(
                t("btn_boundary_send_anyway"),
                SendHeldMessage(delivery.relationship_id, message_id),
            ),
            Button(t("btn_boundary_change"), ChangeHeldMessage()),
        ),
    )
    return Reply(t(f"relay_held_{side}", what=what), buttons), HELD


def choosing_held_back(config: Config, found: list[Detail]) -> Reply | None:
    """A worker's message with contact details, when they support several people and did
    not say for whom: not offered to be sent by a tap (nor by a reply, under ``block``)."""
    rule = _policy(config, from_service_user=False)
    if not found or rule == "allow":
        return None
    if rule == "block":
        return Reply(t("relay_blocked_worker", what=_what(found)))
    return Reply(t("relay_held_worker_choose", what=_what(found)))


def note_held_back(config: Config, found: list[Detail]) -> Reply | None:
    """A check-in note goes to the worker too: with contact details (and a rule other than
    allow for service users), it is not passed on; written as a message to the worker, the
    usual choice is theirs."""
    if not found or _policy(config, from_service_user=True) == "allow":
        return None
    return Reply(t("checkin_note_held", what=_what(found)))


def blocked(config: Config, delivery: Delivery) -> bool:
    """Whether messages with contact details may not go at all in this direction: a "send
    it anyway" tap (forged, or from before the rule changed) sends nothing then."""
    return _policy(config, delivery.from_service_user) == "block"


def edit_held_back(config: Config, from_service_user: bool, found: list[Detail]) -> Reply | None:
    """An edit that would bring contact details across is not carried over (there is no
    "send it anyway" for an edit: they may send it as a new message)."""
    if not found or _policy(config, from_service_user) == "allow":
        return None
    return Reply(t("relay_edit_held", what=_what(found)))


def _counting(column: Any) -> Any:
    return (
        update(Relationship)
        .where(Relationship.id == bindparam("relationship_id"))
        .values({column: column + 1})
    )


_COUNTS = {
    HELD: _counting(Relationship.boundary_held),
    SENT_ANYWAY: _counting(Relationship.boundary_sent_anyway),
    BLOCKED: _counting(Relationship.boundary_blocked),
}


async def count(statements: Statements, relationship_id: int, outcome: str) -> None:
    await statements.run(_COUNTS[outcome], {"relationship_id": relationship_id})
