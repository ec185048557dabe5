"""Service-user onboarding, end to end through the real Application."""

from __future__ import annotations

from sqlmodel import select

from bot.db import session_factory
from bot.models import (
    AvailabilitySlot,
    ConsentRecord,
    FormDraft,
    Person,
    PersonLanguage,
    PersonLivedExperience,
    Preference,
    ServiceUserProfile,
)
from tests.harness import Harness, TelegramUser


async def _rows(harness: Harness, model, **where):
    sessions = session_factory(harness.application.bot_data["engine"])
    async with sessions() as session:
        statement = select(model)
        for name, value in where.items():
            statement = statement.where(getattr(model, name) == value)
        return list((await session.exec(statement)).all())


async def _person(harness: Harness, user: TelegramUser) -> Person:
    (person,) = await _rows(harness, Person, telegram_id=user.id)
    return person


async def through_the_consents(user: TelegramUser) -> None:
    """From /start to the question of what their peer worker may call them."""
    await user.send("/start")
    await user.tap("Continue")
    await user.tap("I understand")
    await user.tap("Yes, that's OK")  # matching
    await user.tap("Yes, that's OK")  # contact
    await user.tap("Yes, you may")  # evaluation


async def from_the_languages(user: TelegramUser) -> None:
    """From the languages they speak to the summary (not yet confirmed)."""
    await user.tap("English")
    await user.tap("Arabic")
    await user.tap("Done")
    await user.tap("Important to me")
    await user.tap("Woman")
    await user.tap("Done")
    await user.tap("Nice to have")
    await user.tap("No preference")  # age
    await user.tap("Done")
    await user.tap("No preference")  # community
    await user.tap("Done")
    await user.tap("Australia/Brisbane")
    await user.tap("Tue eve")
    await user.tap("Thu eve")
    await user.tap("Done")
    await user.send("Getting out of the house more")


async def complete_onboarding(
    user: TelegramUser, name: str | None = None, coordinators_see_name: bool = False
) -> None:
    """The happy path a service user walks, from /start to the summary (not yet confirmed).
    With ``name``, they tell us what their peer worker may call them; otherwise they skip."""
    await through_the_consents(user)
    if name is None:
        await user.tap("Skip")  # what their peer worker may call them
    else:
        await user.send(name)
        await user.tap("Yes, coordinators" if coordinators_see_name else "only my peer worker")
    await user.tap("My own mental health")
    await user.tap("Psychosis")
    await user.tap("A hospital admission")
    await user.tap("Done")
    await from_the_languages(user)


async def test_service_user_completes_onboarding_and_waits(bot: Harness) -> None:
    sam = bot.user(1001)
    await complete_onboarding(sam)
    summary = sam.last()
    assert "Here's what you've told us" in summary.text
    assert "Psychosis, A hospital admission" in summary.text
    assert "Tue evening, Thu evening" in summary.text
    assert "Getting out of the house more" in summary.text
    assert "English, Arabic (important to me)" in summary.text

    replies = await sam.tap("confirm")
    assert "waiting for a peer" in replies[0].text
    assert "on our waitlist" in replies[-1].text  # no peer workers exist yet: said honestly

    person = await _person(bot, sam)
    assert (person.role, person.status) == ("service_user", "waiting")
    (profile,) = await _rows(bot, ServiceUserProfile, person_id=person.id)
    assert profile.perspective == "consumer"
    assert profile.timezone == "Australia/Brisbane"
    assert profile.goal == "Getting out of the house more"
    areas = {row.area_key for row in await _rows(bot, PersonLivedExperience, person_id=person.id)}
    assert areas == {"psychosis", "hospital"}
    languages = {row.language for row in await _rows(bot, PersonLanguage, person_id=person.id)}
    assert languages == {"en", "ar"}
    preferences = {
        row.attribute: (row.choices, row.weight)
        for row in await _rows(bot, Preference, person_id=person.id)
    }
    assert preferences["language"] == (["en", "ar"], "important")
    assert preferences["gender"] == (["woman"], "nice")
    assert preferences["age_band"] == ([], "none")
    slots = await _rows(bot, AvailabilitySlot, person_id=person.id)
    assert sorted((s.weekday, s.start_minute, s.end_minute) for s in slots) == [
        (1, 17 * 60, 21 * 60),
        (3, 17 * 60, 21 * 60),
    ]
    consents = {(c.kind, c.agreed) for c in await _rows(bot, ConsentRecord, person_id=person.id)}
    assert consents == {("matching", True), ("contact", True), ("evaluation", True)}
    assert await _rows(bot, FormDraft, person_id=person.id) == []

    replies = await sam.send("/start")
    assert "waiting for a peer" in replies[-1].text


async def test_restart_mid_onboarding_loses_nothing(bot: Harness, start_bot) -> None:
    sam = bot.user(1002)
    await sam.send("/start")
    await sam.tap("Continue")
    await sam.tap("I understand")
    await sam.tap("Yes, that's OK")
    await sam.tap("Yes, that's OK")
    await sam.tap("No, please don't")
    await sam.tap("Skip")  # no name for their peer
    await sam.tap("Supporting someone close")
    await sam.tap("Caring for a young person")
    areas_message = sam.last()

    restarted = await start_bot(api=bot.api)  # a new Application on the same database
    sam = restarted.user(1002)
    # The toggle made before the restart is still there, and the old message still works.
    replies = await sam.tap("Done", message=areas_message)
    assert "Which languages" in replies[-1].text
    replies = await sam.send("/start")
    assert "carry on where you left off" in replies[0].text
    assert "Which languages" in replies[-1].text
    person = await _person(restarted, sam)
    (draft,) = await _rows(restarted, FormDraft, person_id=person.id)
    assert draft.answers["areas"] == ["carer_young"]
    assert draft.answers["perspective"] == "carer"


async def test_declining_a_required_consent_stores_only_the_refusal(bot: Harness) -> None:
    sam = bot.user(1003)
    await sam.send("/start")
    await sam.tap("Continue")
    await sam.tap("I understand")
    replies = await sam.tap("No thanks")
    assert "only that you said no" in replies[-1].text
    assert "/start" in replies[-1].text
    person = await _person(bot, sam)
    assert person.status == "declined_consent"
    consents = await _rows(bot, ConsentRecord, person_id=person.id)
    assert [(c.kind, c.agreed) for c in consents] == [("matching", False)]
    assert await _rows(bot, FormDraft, person_id=person.id) == []
    assert await _rows(bot, ServiceUserProfile, person_id=person.id) == []
    # They can come back.
    replies = await sam.send("/start")
    assert "not a crisis service" in replies[-1].text


async def test_wrong_input_gets_a_gentle_reprompt(bot: Harness) -> None:
    sam = bot.user(1004)
    await sam.send("/start")
    replies = await sam.send("hello?")
    assert "choose with the buttons" in replies[-1].text
    assert replies[-1].button_labels == ["Continue"]
    replies = await sam.send_photo()
    assert "buttons" in replies[0].text
    await sam.tap("Continue")
    await sam.tap("I understand")
    await sam.tap("Yes, that's OK")
    await sam.tap("Yes, that's OK")
    await sam.tap("Yes, you may")
    await sam.tap("Skip")  # no name for their peer
    await sam.tap("My own")
    replies = await sam.tap("Done")  # nothing chosen yet
    assert "at least one" in replies[-1].text
    await sam.tap("rather not say")
    await sam.tap("Done")
    await sam.tap("English")
    await sam.tap("Done")
    await sam.tap("Doesn't matter")
    for _ in range(3):
        await sam.tap("No preference")
        await sam.tap("Done")
    replies = await sam.send("Not/AZone")
    assert "couldn't recognise that time zone" in replies[-1].text
    replies = await sam.send("europe/london")
    assert "When in the week" in replies[-1].text
    replies = await sam.tap("Done")
    assert "at least one time" in replies[-1].text
    await sam.tap("Sat am")
    await sam.tap("Done")
    replies = await sam.send("x" * 1000)
    assert "a little long (1000 characters)" in replies[-1].text
    replies = await sam.tap("Skip")
    assert "Here's what you've told us" in replies[-1].text
    assert "Europe/London" in replies[-1].text
    assert "rather not say" in replies[-1].text


async def test_back_and_edit_from_summary(bot: Harness) -> None:
    sam = bot.user(1005)
    await complete_onboarding(sam)
    await sam.tap("Edit: availability")
    replies = await sam.tap("Back")  # back from the first step of a section -> the summary
    assert "Here's what you've told us" in replies[-1].text
    await sam.tap("Edit: availability")
    await sam.tap("Australia/Perth")
    await sam.tap("Sun pm")
    replies = await sam.tap("Done")
    summary = replies[-1].text
    assert "Here's what you've told us" in summary
    assert "Sun afternoon" in summary and "Australia/Perth" in summary
    # Back goes one step at a time inside a section.
    await sam.tap("Edit: preferences")
    replies = await sam.tap("Done")
    assert "How much does it matter" in replies[-1].text
    replies = await sam.tap("Back")
    assert "Which languages" in replies[-1].text
    await sam.send("/cancel")
    replies = await sam.send("/start")
    assert "carry on" not in replies[0].text


async def test_stale_buttons_are_answered(bot: Harness) -> None:
    sam = bot.user(1006)
    await sam.send("/start")
    welcome = sam.last()
    (old_continue,) = [button["callback_data"] for button in welcome.buttons]
    await sam.tap("Continue")
    replies = await sam.press(old_continue, message=welcome)  # the same button again
    assert "earlier message" in sam.toasts()[-1]
    assert "Limits of confidentiality" in replies[-1].text
    replies = await sam.press("f|nonsense|pick|x")
    assert replies and "Limits of confidentiality" in replies[-1].text
    replies = await sam.press("zz|what")
    assert "earlier message" in sam.toasts()[-1]


async def test_cancel_discards_answers_and_help_now_works_mid_flow(bot: Harness) -> None:
    sam = bot.user(1007)
    await sam.send("/start")
    await sam.tap("Continue")
    replies = await sam.send("/help_now")
    assert "13 11 14" in replies[-1].text
    replies = await sam.tap("I understand")  # the flow is undisturbed
    assert "Consent 1 of 3" in replies[-1].text
    replies = await sam.send("/cancel")
    assert "discarded" in replies[-1].text
    person = await _person(bot, sam)
    assert person.status == "cancelled"
    assert await _rows(bot, FormDraft, person_id=person.id) == []
    replies = await sam.send("/start")
    assert "not a crisis service" in replies[-1].text


async def test_unknown_command_and_stray_text(bot: Harness) -> None:
    sam = bot.user(1008)
    replies = await sam.send("/frobnicate")
    assert "don't know that command" in replies[-1].text
    replies = await sam.send("/help")
    assert "/profile" in replies[-1].text and "/invite" not in replies[-1].text
    replies = await sam.send("/privacy")
    assert "What we hold" in replies[-1].text


async def test_editing_perspective_can_go_back_to_the_summary(bot: Harness) -> None:
    sam = bot.user(1009)
    await complete_onboarding(sam)
    replies = await sam.tap("Edit: experience")
    assert "Which fits you best" in replies[-1].text
    replies = await sam.tap("Back")
    assert "Here's what you've told us" in replies[-1].text
    # Changing perspective asks again about the experiences that fit it.
    await sam.tap("Edit: experience")
    await sam.tap("Supporting someone close")
    replies = await sam.tap("Done")
    assert "at least one" in replies[-1].text  # the consumer areas no longer apply
    await sam.tap("Caring for someone with psychosis")
    replies = await sam.tap("Done")
    assert "Caring for someone with psychosis" in replies[-1].text
    assert "Psychosis," not in replies[-1].text


async def test_confirm_asks_again_when_an_answer_no_longer_fits(bot: Harness) -> None:
    sam = bot.user(1010)
    await complete_onboarding(sam)
    await sam.tap("Edit: experience")
    await sam.tap("Supporting someone close")
    await sam.tap("Back")  # areas -> perspective
    replies = await sam.tap("Back")  # perspective -> summary
    assert "Here's what you've told us" in replies[-1].text
    replies = await sam.tap("confirm")
    assert "needs another look" in replies[-1].text
    assert "What experiences would you value" in replies[-1].text
    await sam.tap("Caring for a young person")
    await sam.tap("Done")
    replies = await sam.tap("confirm")
    assert "waiting for a peer" in replies[0].text
    person = await _person(bot, sam)
    areas = {row.area_key for row in await _rows(bot, PersonLivedExperience, person_id=person.id)}
    assert areas == {"carer_young"}


async def test_profile_edits_are_saved_without_asking_the_consents_again(bot: Harness) -> None:
    sam = bot.user(1011)
    await complete_onboarding(sam)
    await sam.tap("confirm")
    await sam.send("/profile")
    await sam.tap("Edit: what I'm moving toward")
    await sam.send("Going back to study")
    replies = await sam.tap("confirm")
    # It used to answer "One answer needs another look" with Consent 1 of 3: no edit saved.
    assert [m.text for m in replies] == ["Saved — your profile is up to date."]
    (profile,) = await _rows(bot, ServiceUserProfile, person_id=(await _person(bot, sam)).id)
    assert profile.goal == "Going back to study"
    consents = await _rows(bot, ConsentRecord, person_id=profile.person_id)
    assert len(consents) == 3  # nothing recorded again


async def test_an_update_handled_again_after_a_crash_is_not_applied_twice(
    bot: Harness, monkeypatch
) -> None:
    """bot/pipeline/ handles an update again when a crash came between its handling and its
    mark: the same update id, delivered twice, moves a form on once."""
    import itertools

    from tests import harness as harness_module

    def deliver_twice(update_id: int) -> None:
        monkeypatch.setattr(
            harness_module,
            "_UPDATE_IDS",
            itertools.chain([update_id, update_id], itertools.count(update_id + 1)),
        )

    sam = bot.user(1002)
    await through_the_consents(sam)
    deliver_twice(900_000)
    await sam.send("Jo")
    await sam.send("Jo")  # the same update again: the step after the name is shown again,
    # not taken as an answer to it (which would be "please use the buttons")
    assert sam.last().text.startswith("May the peer support coordinators see this name")
    await sam.tap("only my peer worker")
    await sam.tap("My own mental health")
    deliver_twice(900_100)
    await sam.tap("Psychosis")
    await sam.tap("Psychosis")  # the same tap again: still chosen, not chosen and unchosen
    await sam.tap("Done")
    await from_the_languages(sam)

    summary = sam.last().text
    assert "Here's what you've told us" in summary, summary
    assert "Psychosis" in summary, summary
    assert "Jo" in summary, summary
