"""Runs a person's form: loads the draft, applies their input, saves it, says what's next.

Capabilities register a ``FormSpec`` for each flow (onboarding, worker profile) with what to
do when a particular answer needs more than storing (a consent) and when the summary is
confirmed. The composition root registers them; this module knows none of them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import people
from bot.callbacks import FormTap
from bot.db import transaction
from bot.deps import Deps
from bot.forms import engine
from bot.forms.engine import Draft, Flow, Result
from bot.models import FormDraft, Person
from bot.notify import Reply, Response
from bot.texts import Markup, t

# (deps, session, person, draft, step key, chosen value) -> a response that ends the step's
# usual handling, or None to carry on.
PickHook = Callable[[Deps, AsyncSession, Person, Draft, str, str], Awaitable[Response | None]]
ConfirmHook = Callable[[Deps, AsyncSession, Person, Draft], Awaitable[Response]]


@dataclass(frozen=True)
class FormSpec:
    flow: Flow
    on_confirm: ConfirmHook
    on_pick: PickHook | None = None


_FORMS: dict[str, FormSpec] = {}


def register(spec: FormSpec) -> None:
    _FORMS[spec.flow.name] = spec


def spec(name: str) -> FormSpec:
    return _FORMS[name]


async def load(session: AsyncSession, person_id: int) -> FormDraft | None:
    return await session.get(FormDraft, person_id)


async def save(
    deps: Deps, session: AsyncSession, row: FormDraft, draft: Draft, update_id: int | None = None
) -> None:
    row.step = draft.step
    if update_id is not None:
        row.applied_update_id = update_id
    row.answers = dict(draft.answers)  # a new object, so the JSON column is seen as changed
    row.editing_section = draft.editing_section
    row.updated_at = deps.now()
    session.add(row)


async def discard(session: AsyncSession, person_id: int) -> bool:
    row = await load(session, person_id)
    if row is None:
        return False
    await session.delete(row)
    return True


async def start(
    deps: Deps,
    session: AsyncSession,
    person: Person,
    flow_name: str,
    *,
    answers: dict[str, Any] | None = None,
    step: str | None = None,
) -> Draft:
    """Begin (or restart) a form for a person, replacing any draft they had."""
    flow = spec(flow_name).flow
    draft = Draft(step=step or flow.first.key, answers=dict(answers or {}))
    row = await load(session, person.id)
    if row is None:
        row = FormDraft(person_id=person.id, flow=flow_name, step=draft.step)
    row.flow = flow_name
    await save(deps, session, row, draft)
    return draft


def screen(deps: Deps, flow_name: str, draft: Draft) -> Reply:
    return engine.render(spec(flow_name).flow, draft, deps.config)


async def current_screen(deps: Deps, session: AsyncSession, person_id: int) -> Reply | None:
    row = await load(session, person_id)
    if row is None:
        return None
    return screen(deps, row.flow, _draft(row))


async def screen_to_resume(
    deps: Deps, session: AsyncSession, person: Person, flow_name: str
) -> Reply:
    """The step the person's form is on; a draft lost to a crash between steps starts the
    form again."""
    current = await current_screen(deps, session, person.id)
    if current is None:
        draft = await start(deps, session, person, flow_name)
        current = screen(deps, flow_name, draft)
    return current


def _draft(row: FormDraft) -> Draft:
    return Draft(
        step=row.step, answers=dict(row.answers or {}), editing_section=row.editing_section
    )


def _stale(deps: Deps, flow_name: str, draft: Draft) -> Response:
    return Response(
        toast=t("stale_button_toast"),
        replies=[screen(deps, flow_name, draft)],
    )


def _applied_before(row: FormDraft, update_id: int | None) -> bool:
    """This update was applied already (it is being handled again after a crash). Only the
    last one can come again; ids are not compared otherwise (after a quiet week Telegram may
    start them anywhere)."""
    return update_id is not None and update_id == row.applied_update_id


async def on_button(
    deps: Deps, telegram_id: int, tap: FormTap, update_id: int | None = None
) -> Response:
    async with transaction(deps.sessions) as session:
        person = await people.find(session, telegram_id)
        row = await load(session, person.id) if person else None
        if person is None or row is None:
            return Response(toast=t("stale_button_toast"), close_tapped=True)
        form = spec(row.flow)
        draft = _draft(row)
        if _applied_before(row, update_id):
            return Response(replies=[screen(deps, row.flow, draft)])
        if form.on_pick and tap.step == draft.step and tap.verb == "pick":
            handled = await form.on_pick(deps, session, person, draft, tap.step, tap.value)
            if handled is not None:
                return handled
        outcome = engine.handle_button(form.flow, draft, tap, deps.config)
        if outcome.result == Result.STALE:
            return _stale(deps, row.flow, draft)
        if outcome.result == Result.CONFIRMED:
            return await form.on_confirm(deps, session, person, draft)
        await save(deps, session, row, draft, update_id)
        current = screen(deps, row.flow, draft)
        if outcome.result == Result.UPDATED:
            return Response(edit=current)
        if outcome.result == Result.INVALID:
            problem = t(outcome.problem)
            return Response(toast=problem, replies=[_with_problem(problem, current)])
        return Response(close_tapped=True, chosen=outcome.chosen, replies=[current])


def _with_problem(problem: str, current: Reply) -> Reply:
    """The step again, with what was wrong with the answer said first."""
    return Reply(Markup(f"{problem}\n\n{current.text}"), current.buttons)


async def on_text(
    deps: Deps, telegram_id: int, text: str, update_id: int | None = None
) -> Response | None:
    """Typed text for a person in a form; None when they have no form open."""
    async with transaction(deps.sessions) as session:
        person = await people.find(session, telegram_id)
        row = await load(session, person.id) if person else None
        if person is None or row is None:
            return None
        form = spec(row.flow)
        draft = _draft(row)
        if _applied_before(row, update_id):
            return Response(replies=[screen(deps, row.flow, draft)])
        outcome = engine.handle_text(form.flow, draft, text, deps.config)
        current = screen(deps, row.flow, draft)
        if outcome.result == Result.INVALID:
            limit_params = {}
            if outcome.problem == "form_text_too_long":
                step = form.flow.step(draft.step)
                limit_params = {"limit": step.max_length(deps.config), "length": len(text)}
            return Response(replies=[_with_problem(t(outcome.problem, **limit_params), current)])
        await save(deps, session, row, draft, update_id)
        return Response(replies=[screen(deps, row.flow, draft)])
