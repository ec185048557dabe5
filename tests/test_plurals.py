"""Plurals: no text says "day(s)", and the helper picks the right form."""

from __future__ import annotations

import re
import string
from datetime import timedelta

import pytest

from bot.admin.service import INVITE_NOTE_LIMIT
from bot.config import OnboardingConfig
from bot.onboarding.questions import NAME_MAX_LENGTH
from bot.privacy.service import span
from bot.safety.plan import STEP_LIMIT
from bot.texts import has_text, plural_form, t, tn
from bot.texts.en import TEXTS
from bot.texts.fragments import elapsed_text, period_text


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
    expected = {"one": "1 person", "other": f"{count} people"}[form]
    assert tn("export_people", count) == expected


def test_the_helper_passes_other_parameters_and_escapes_them() -> None:
    assert tn("coord_match_all_title", 1, unassigned="<2>") == (
        "<b>Batch matching</b>: 1 proposal, &lt;2&gt; still without a fit. Open it to offer it, "
        "swap its worker or hold it."
    )
    assert "3 proposals" in tn("coord_match_all_title", 3, unassigned=0)


def test_durations_read_naturally() -> None:
    assert elapsed_text(timedelta(days=1, hours=5)) == "1 day"
    assert elapsed_text(timedelta(days=12)) == "12 days"
    assert elapsed_text(timedelta(hours=1, minutes=59)) == "1 hour"
    # Elapsed time is rounded down in its largest unit, and never "0 days" for hours.
    assert elapsed_text(timedelta(hours=2, minutes=5)) == "2 hours"
    assert elapsed_text(timedelta(minutes=20)) == "20 minutes"
    assert elapsed_text(timedelta(seconds=61)) == "1 minute"
    assert elapsed_text(timedelta(seconds=59)) == "less than a minute"
    # A configured length is said exactly: an offer timeout of 30 minutes is not "up to less
    # than an hour", and 36 hours is not "1 day".
    assert period_text(timedelta(minutes=30)) == "30 minutes"
    assert period_text(timedelta(minutes=1)) == "1 minute"
    assert period_text(timedelta(seconds=90)) == "90 seconds"  # not "1 minute"
    assert period_text(timedelta(seconds=1)) == "1 second"
    assert period_text(timedelta(weeks=52)) == "1 year"
    assert period_text(timedelta(hours=36)) == "36 hours"
    assert period_text(timedelta(days=3)) == "3 days"
    assert period_text(timedelta(weeks=1)) == "1 week"
    assert span(timedelta(days=730)) == "730 days" and span(timedelta(weeks=52 * 2)) == "2 years"
    assert span(timedelta(hours=1)) == "1 hour"
    assert span(timedelta(seconds=90)) == "90 seconds"


# Numbers that are never 1: what fills them, and the bound that keeps them above 1.
NEVER_ONE = {
    "form_text_limit": "a text step's limit",
    "form_text_too_long": "a length over a text step's limit",
    "coord_invite_note_too_long": "INVITE_NOTE_LIMIT",
    "plan_too_long": "a safety plan step's STEP_LIMIT",
}
# A placeholder filled with 1 may be a person's reference followed by a verb ("U1 has").
_VERBS = {"has", "is", "was", "stays", "looks", "says", "ends"}
_ONE_PLURAL = re.compile(r"(?<![\w#/.,])1(?:</b>)?\)? (people|[a-z-]+s)\b")


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _one_plurals(text: str) -> list[str]:
    return [m.group(0) for m in _ONE_PLURAL.finditer(text) if m.group(1) not in _VERBS]


def test_no_text_says_one_with_a_plural_noun() -> None:
    """Every text, with every placeholder 1 (a count of one, and ids and amounts of one), as
    the bot would send it: a text with a number has _one / _other forms chosen by ``tn``, so
    nothing reads "1 times", "1 people" or "last 1 check-ins"."""
    found = {}
    for key, template in TEXTS.items():
        if key.endswith("_other") or key in NEVER_ONE:
            continue  # an _other form is chosen only for a count that is not 1
        text = t(key, **{name: 1 for name in _placeholders(template)})
        if _one_plurals(text):
            found[key] = _one_plurals(text)
    assert found == {}
    # The numbers left out are bounded above 1.
    bounds = [
        field.metadata
        for name, field in OnboardingConfig.model_fields.items()
        if name.endswith("_max_length")
    ]
    assert all(any(getattr(m, "ge", 0) >= 2 for m in meta) for meta in bounds) and bounds
    assert NAME_MAX_LENGTH > 1 and INVITE_NOTE_LIMIT > 1 and STEP_LIMIT > 1


def test_the_check_finds_a_plural_after_one() -> None:
    assert _one_plurals("declined or expired 1 times") == ["1 times"]
    assert _one_plurals("the data of <b>1</b> people") == ["1</b> people"]
    assert _one_plurals("U1 has been waiting 1 day; #1 is open") == []


PLURAL_KEYS = [
    ("coord_repeated_declines", {"ref": "U3"}, "1 time.", "2 times."),
    ("checkin_missed_worker", {"ref": "U3"}, "their last check-in.", "last 2 check-ins"),
    ("checkin_missed_coordinator", {"ref": "U3"}, "their last check-in.", "2 check-ins in a"),
    ("coord_retention_done", {"after": "2 years"}, "of 1 person has", "of 2 people have"),
    ("export_caption", {"service": "S", "inside": ""}, ": 1 person who", ": 2 people who"),
    ("export_people", {}, "1 person", "2 people"),
    ("safety_repeated_reports", {"who": "W3"}, "by 1 person.", "by 2 people."),
    ("wellbeing_question", {"caseload": 1}, "1 of up to 1 person.", "1 of up to 2 people."),
    (
        "coord_wellbeing",
        dict.fromkeys(("sent", "answered", "average", "low", "talk"), 0),
        "last week<",
        "last 2 weeks<",
    ),
]


@pytest.mark.parametrize(("key", "params", "one", "two"), PLURAL_KEYS)
def test_texts_about_a_count_read_right_for_one_and_two(
    key: str, params: dict[str, object], one: str, two: str
) -> None:
    assert one in tn(key, 1, **params)
    assert two in tn(key, 2, **params)
