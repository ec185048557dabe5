"""Each person hears the bot in their own language, from the first /start to the closing
survey: onboarding, an offer, a check-in a sweep sends, a risk phrase and its crisis lines,
the closure. The buttons are pressed by their data, which means the same in every language;
what is asserted is that every text reached the person in theirs."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape

import pytest

from bot.models import Relationship
from bot.texts import template, translations
from bot.texts.en import TEXTS
from tests.conftest import COORDINATOR_ID, make_config
from tests.harness import Harness, Sent, TelegramUser
from tests.test_matching_workflow_e2e import onboard_worker, run_sweep
from tests.test_onboarding_e2e import _person, _rows

SPOKEN = ["en", "vi", "ar"]
RISK = {"vi": "toi muon chet", "ar": "أريد أن أموت"}  # (Vietnamese typed without its marks)
GOAL = {"vi": "Ra ngoài nhiều hơn", "ar": "أن أخرج من البيت أكثر"}
OWN_NAME = {"vi": "Tiếng Việt", "ar": "العربية"}


def opening(key: str, language: str, count: int = 1, shortest: int = 8) -> str:
    """The longest run of a text's own words in a language (between its parameters), as
    Telegram shows them (no tags)."""
    if f"{key}_one" in TEXTS:
        english = TEXTS[f"{key}_one"], TEXTS[f"{key}_other"]
        form = translations(language).npgettext(key, *english, count)
    else:
        form = template(key, language)
    words = max((_plain(part).strip() for part in re.split(r"{\w+}", form)), key=len)
    words = max(words.split("\n"), key=len).strip()
    assert len(words) >= shortest, (key, words)
    if language != "en":
        assert words not in _plain(TEXTS.get(key) or TEXTS[f"{key}_one"]), key
    return words[:40]


def _plain(html: str) -> str:
    return unescape(re.sub(r"<[^>]*>?", "", html))


def said(
    sent: list[Sent] | Sent, key: str, language: str, count: int = 1, shortest: int = 8
) -> Sent:
    """The message among ``sent`` that says ``key`` in ``language``."""
    messages = sent if isinstance(sent, list) else [sent]
    words = opening(key, language, count, shortest)
    found = [m for m in messages if words in m.text]
    assert found, (key, language, [m.text[:80] for m in messages])
    return found[-1]


async def press(user: TelegramUser, pattern: str) -> list[Sent]:
    """Press the button of the last message with buttons whose data matches ``pattern``."""
    message = user.last_with_buttons()
    for button in message.buttons:
        if re.fullmatch(pattern, button.get("callback_data") or ""):
            return await user.press(button["callback_data"], message)
    raise AssertionError(
        f"no button {pattern} in {[b.get('callback_data') for b in message.buttons]}"
    )


ONBOARDING = [
    r"f\|welcome\|next\|",
    r"f\|privacy\|next\|",
    r"f\|consent_matching\|pick\|yes",
    r"f\|consent_contact\|pick\|yes",
    r"f\|consent_evaluation\|pick\|yes",
    r"f\|preferred_name\|skip\|",
    r"f\|perspective\|pick\|consumer",
    r"f\|areas\|toggle\|hospital",
    r"f\|areas\|done\|",
    r"f\|language\|toggle\|en",
    r"f\|language\|done\|",
    r"f\|language_weight\|pick\|important",
    r"f\|gender\|toggle\|no_preference",
    r"f\|gender\|done\|",
    r"f\|age_band\|toggle\|no_preference",
    r"f\|age_band\|done\|",
    r"f\|community\|toggle\|no_preference",
    r"f\|community\|done\|",
    r"f\|timezone\|pick\|Australia/Brisbane",
    r"f\|availability\|toggle\|1:evening",
    r"f\|availability\|toggle\|3:evening",
    r"f\|availability\|done\|",
]


@pytest.mark.parametrize("language", ["vi", "ar"])
async def test_the_whole_journey_in_the_persons_own_language(
    start_bot, database, clock, language: str
) -> None:
    url, _engine = database
    config = make_config(url, service={"languages": SPOKEN})
    bot: Harness = await start_bot(config)
    casey = bot.user(COORDINATOR_ID, "Casey")
    robin = await onboard_worker(bot, casey, 4001, "Robin", caseload="3")

    # Onboarding: their Telegram app's language is preselected, every other is offered.
    linh = bot.user(4101, "Linh", language_code=language)
    first = await linh.send("/start")
    picker = said(first, "language_choose", language)
    assert f"✓ {OWN_NAME[language]}" in picker.button_labels and "English" in picker.button_labels
    said(first, "su_welcome", language)
    for step in ONBOARDING:
        replies = await press(linh, step)
        if step.startswith(r"f\|consent_matching"):
            said(replies, "su_consent_contact", language)
    await linh.send(GOAL[language])
    said(await press(linh, r"f\|summary\|confirm\|"), "su_waiting", language)
    assert (await _person(bot, linh)).language == language

    # An offer, made by a coordinator who works in English: it reaches them in theirs.
    assert "Proposal #" in casey.last().text
    await casey.tap("Offer only Robin")
    said(linh.last(), "offer_intro", language)
    await press(linh, r"off\|\d+\|choose\|\d+")
    assert "would like you as their peer worker" in robin.last().text  # Robin: English
    await robin.tap("Accept")
    said(bot.api.sent_to(linh.id), "request_accepted_user", language)
    said(linh.last(), "checkin_ask_cadence", language)
    await press(linh, r"cp\|\d+\|cadence\|weekly")
    await press(linh, r"cp\|\d+\|day\|1")
    await press(linh, r"cp\|\d+\|time\|1800")

    # The coordinator now works in a third language: what reaches them is in theirs, what
    # reaches Linh in hers (neither the coordinator's nor the service's default).
    other = next(code for code in ("vi", "ar") if code != language)
    await casey.send("/language")
    picker = casey.last_with_buttons()
    await casey.press(f"lang|{other}", picker)
    said(picker, "language_set", other)

    # A risk phrase in her language: the crisis lines, in it, before anything else; the
    # flag reaches the coordinator in theirs.
    replies = await linh.send(RISK[language])
    crisis = said(replies, "safety_crisis_lines", language)
    assert "13 11 14" in crisis.text  # the configured line
    flag = casey.last()
    said(flag, "safety_card_when", other, shortest=4)
    assert "Raised:" not in flag.text

    # A check-in the sweep queues.
    clock.now = datetime(2026, 3, 3, 8, 1, tzinfo=UTC)  # Tuesday 18:00 in Brisbane
    await run_sweep(bot)
    said(linh.last(), "checkin_question", language)
    await press(linh, r"ci\|\d+\|score\|4")
    said(linh.last(), "checkin_reach_out", language)

    # The end: closed by the coordinator; the kind words and the survey in Linh's language.
    (relationship,) = await _rows(bot, Relationship)
    await casey.send(f"/close R{relationship.id} moving away")
    replies = bot.api.sent_to(linh.id)
    closing = said(replies, "closing_user_coordinator", language)
    assert "13 11 14" in closing.text
    said(replies, "survey_rating", language)
    said(await press(linh, r"sv\|\d+\|rate\|5"), "survey_recommend", language)


async def test_choosing_another_language_shows_the_same_step_again_in_it(start_bot, database):
    url, _engine = database
    bot: Harness = await start_bot(make_config(url, service={"languages": SPOKEN}))
    sam = bot.user(4201, "Sam", language_code="en-AU")
    first = await sam.send("/start")
    picker = said(first, "language_choose", "en")
    assert "✓ English" in picker.button_labels
    await press(sam, r"f\|welcome\|next\|")  # on to the privacy step, in English
    replies = await sam.press("lang|vi", picker)
    said(picker, "language_set", "vi")  # the picker, answered in place
    said(replies, "su_privacy", "vi")  # where they were, now in Vietnamese
    said(await press(sam, r"f\|privacy\|next\|"), "su_consent_matching", "vi")
    # /profile offers the change too, and /help lists /language, in their language
    line = said(await sam.send("/profile"), "language_current", "vi")
    assert line.button_labels == ["🌐 Đổi ngôn ngữ"]
    assert "✓ Tiếng Việt" in (await sam.press("langs", line))[-1].button_labels
    said(await sam.send("/help"), "help_intro", "vi")
    assert "/language" in sam.last().text


async def test_one_language_asks_nobody_to_choose(bot: Harness) -> None:
    replies = await bot.user(4301, "Jo", language_code="vi").send("/start")
    assert not any("language" in m.text.lower() for m in replies)
    said(replies, "su_welcome", "en")  # the service speaks English only
