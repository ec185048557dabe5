"""Plurals: no text says "day(s)", and the helper picks the right form."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.offers.wording import duration_text, period_text
from bot.privacy.service import span
from bot.texts import has_text, plural_form, tn
from bot.texts.en import TEXTS


def test_no_catalog_text_hedges_its_plural() -> None:
    hedged = {key: text for key, text in TEXTS.items() if "(s)" in text}
    assert hedged == {}


def test_every_plural_text_has_both_forms() -> None:
    singular = [key for key in TEXTS if key.endswith("_one")]
    assert len(singular) >= 15
    for key in singular:
        assert has_text(key.removesuffix("_one") + "_other"), key


@pytest.mark.parametrize(
    ("count", "form"), [(0, "other"), (1, "one"), (2, "other"), (11, "other"), (21, "other")]
)
def test_the_helper_picks_the_form_and_passes_the_count(count: int, form: str) -> None:
    assert plural_form(count) == form
    expected = {"one": f"{count} day", "other": f"{count} days"}[form]
    assert tn("duration_days", count) == expected


def test_the_helper_passes_other_parameters_and_escapes_them() -> None:
    assert tn("coord_match_all_title", 1, unassigned="<2>") == (
        "<b>Batch matching</b>: 1 proposal, &lt;2&gt; still without a fit. Review it below."
    )
    assert "3 proposals" in tn("coord_match_all_title", 3, unassigned=0)


def test_durations_read_naturally() -> None:
    assert duration_text(timedelta(days=1, hours=5)) == "1 day"
    assert duration_text(timedelta(days=12)) == "12 days"
    assert duration_text(timedelta(hours=1, minutes=59)) == "1 hour"
    assert duration_text(timedelta(minutes=20)) == "less than an hour"
    # A configured length is said exactly: an offer timeout of 30 minutes is not "up to less
    # than an hour", and 36 hours is not "1 day".
    assert period_text(timedelta(minutes=30)) == "30 minutes"
    assert period_text(timedelta(minutes=1)) == "1 minute"
    assert period_text(timedelta(hours=36)) == "36 hours"
    assert period_text(timedelta(days=3)) == "3 days"
    assert period_text(timedelta(weeks=1)) == "1 week"
    assert span(timedelta(days=730)) == "730 days" and span(timedelta(weeks=52 * 2)) == "2 years"
    assert span(timedelta(hours=1)) == "1 hour"
