"""Free-text answers are routed by kind through one registry that each capability fills."""

from __future__ import annotations

import pytest

from bot.admin import service as admin
from bot.console import actions
from bot.offers import handlers as offers_handlers
from bot.relationships import checkins, closure
from bot.safety import plan as safety_plan
from bot.safety import service as safety
from bot.tg import answers
from bot.workers import supervision
from tests.harness import Harness


def test_every_question_that_takes_typed_text_has_one_handler(bot: Harness) -> None:
    registered = set(bot.application.bot_data["answer_handlers"])
    asked_in_words = {
        checkins.NOTE,
        closure.SURVEY_COMMENT,
        admin.REJECT_REASON,
        safety.FLAG_RESOLUTION,
        safety.CONCERN,
        safety.REPORT_NOTE,
        actions.REASON,
        actions.MATCH_REASON,
        safety_plan.PENDING,
        *supervision.PENDING_KINDS,
    }
    assert registered == asked_in_words
    # The hand-match confirmation is answered with buttons: typed text is not taken for it.
    assert offers_handlers.MANUAL_MATCH not in registered


def test_a_kind_cannot_have_two_handlers(bot: Harness) -> None:
    async def another(*_args) -> bool:
        return True

    with pytest.raises(RuntimeError, match="two handlers"):
        answers.register(bot.application, [checkins.NOTE], another)
