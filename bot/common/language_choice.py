"""Choosing a language: offered to newcomers at /start, and at any time with /language or
from /profile. What each person's language is, and how it is found: ``bot.languages``."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import people
from bot.callbacks import ChooseLanguage, ShowLanguages
from bot.config import Config
from bot.deps import Deps
from bot.forms import runner
from bot.languages import own_name
from bot.models import Person
from bot.notify import Button, Reply, Response
from bot.texts import t, use_language


def picker(config: Config, current: str) -> Reply:
    """Every language the service speaks, each by its own name; the current one ticked."""
    rows = tuple(
        (Button(("✓ " if code == current else "") + own_name(code), ChooseLanguage(code)),)
        for code in config.service.languages
    )
    return Reply(t("language_choose"), rows)


async def choose(deps: Deps, session: AsyncSession, telegram_id: int, code: str) -> Response:
    """They chose a language: from now on everything to them is in it (this reply too), and
    whatever they were in the middle of is shown again in it."""
    person = await people.find(session, telegram_id)
    if code not in deps.config.service.languages:
        return Response(toast=t("stale_button_toast"), close_tapped=True)
    if person is None:  # (a picker from before they were forgotten): start afresh
        person = await people.find_or_create(session, telegram_id, deps.now())
    person.language, person.updated_at = code, deps.now()
    session.add(person)
    use_language(code)
    response = Response(edit=Reply(t("language_set", name=own_name(code))))
    current = await runner.current_screen(deps, session, person.id)
    if current is not None:
        response.replies.append(current)
    return response


def language_line(person: Person) -> Reply:
    """Under /profile: the language they hear the bot in, and a way to change it."""
    return Reply(
        t("language_current", name=own_name(person.language)),
        ((Button(t("btn_language"), ShowLanguages()),),),
    )
