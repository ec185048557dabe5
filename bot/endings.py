"""What a peer worker is sent when one of their relationships ends, however it ended (a
planned closure, an early ending, a rematch): the words on the ending, and the offer of a
short private reflection (bot/workers/supervision.py keeps it). Here, with the messages, so
that every capability that ends a relationship can say it."""

from __future__ import annotations

from bot.callbacks import SupervisionTap
from bot.notify import Button, Reply
from bot.texts import Markup, t


def with_reflection_offer(relationship_id: int, closing: str) -> Reply:
    return Reply(
        Markup(f"{closing}\n\n{t('sv_reflect_offer')}"),
        (
            (
                Button(t("btn_sv_reflect"), SupervisionTap("reflect", relationship_id)),
                Button(t("btn_sv_not_now"), SupervisionTap("notnow", relationship_id)),
            ),
        ),
    )
