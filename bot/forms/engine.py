"""A small engine for step-by-step forms driven by buttons (onboarding, profiles).

A flow is a list of steps. The answers so far live in a ``FormDraft`` row, so a person can
stop, the bot can restart, and the form carries on at the same step. This module is pure:
it turns (flow, draft, action) into a new draft state and an ``Outcome``; ``bot.forms.runner``
loads and saves the draft and shows the person the step it is at.

A form button carries its step (``FormTap``). Carrying the step lets a tap on
a button from an older message be recognised as stale instead of being applied to the wrong
question.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.callbacks import FormTap
from bot.config import Config
from bot.notify import Button, Reply
from bot.texts import Markup, escape, has_text, t

SUMMARY = "summary"


class Kind(StrEnum):
    INFO = "info"  # a message with a Continue button
    CHOICE = "choice"  # pick one
    MULTI = "multi"  # toggle several, then Done
    TEXT = "text"  # type a short answer
    TIMEZONE = "timezone"  # pick a zone or type an IANA name
    GRID = "grid"  # weekly availability: day x part of day
    SUMMARY = "summary"  # review with an Edit button per section, then confirm


@dataclass(frozen=True)
class Option:
    value: str
    label: str


Options = Callable[[Config, dict[str, Any]], list[Option]]


def _always(_answers: dict[str, Any]) -> bool:
    return True


@dataclass(frozen=True)
class Step:
    key: str
    kind: Kind
    prompt: str  # text key in the catalog
    section: str | None = None  # the summary section that edits this step
    options: Options | None = None
    exclusive: Option | None = None  # MULTI: an answer like "prefer not to say"
    min_choices: int = 0
    max_length: Callable[[Config], int] | None = None
    optional: bool = False  # offers Skip
    applies: Callable[[dict[str, Any]], bool] = _always
    can_go_back: bool = True
    prompt_params: Callable[[Config], dict[str, Any]] | None = None
    # TEXT: a check of the typed text before it is tidied; returns a problem text key or None.
    check: Callable[[str], str | None] | None = None
    # TEXT, optional: a button (this text key) that takes an answer already given away again.
    clear_label: str | None = None


@dataclass(frozen=True)
class Flow:
    name: str
    steps: tuple[Step, ...]
    sections: tuple[str, ...]  # summary sections, in order
    summarise: Callable[[Config, dict[str, Any]], list[tuple[str, str]]]
    confirm_label: str = "btn_confirm"
    # The summary's "Edit: …" label of a section, where it is not ``section_<section>``.
    section_labels: dict[str, str] = field(default_factory=dict)

    def section_label(self, section: str) -> str:
        return self.section_labels.get(section, f"section_{section}")

    def step(self, key: str) -> Step:
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)

    @property
    def first(self) -> Step:
        return self.steps[0]


@dataclass
class Draft:
    """The mutable state of one person's form, mirrored from the ``FormDraft`` row."""

    step: str
    answers: dict[str, Any] = field(default_factory=dict)
    editing_section: str | None = None


class Result(StrEnum):
    UPDATED = "updated"  # same step, redraw the message in place
    MOVED = "moved"  # went to another step: send its screen
    INVALID = "invalid"  # the input was not accepted: say why, show the step again
    STALE = "stale"  # a button from an earlier message
    CONFIRMED = "confirmed"  # the summary was confirmed


@dataclass(frozen=True)
class Outcome:
    result: Result
    problem: str | None = None  # text key explaining an INVALID input
    chosen: str | None = None  # label of what was chosen, to echo under the old message


# -- moving between steps ----------------------------------------------------------------


def _applicable(flow: Flow, answers: dict[str, Any], config: Config) -> list[Step]:
    return [
        step
        for step in flow.steps
        if step.applies(answers) and (step.options is None or step.options(config, answers))
    ]


def _next_key(flow: Flow, draft: Draft, config: Config) -> str:
    steps = _applicable(flow, draft.answers, config)
    keys = [step.key for step in steps]
    index = keys.index(draft.step) if draft.step in keys else -1
    for step in steps[index + 1 :]:
        if draft.editing_section and step.section != draft.editing_section:
            break
        return step.key
    draft.editing_section = None
    return SUMMARY


def _previous_key(flow: Flow, draft: Draft, config: Config) -> str | None:
    steps = _applicable(flow, draft.answers, config)
    keys = [step.key for step in steps]
    if draft.step == SUMMARY:
        return keys[-1] if keys else None
    index = keys.index(draft.step) if draft.step in keys else 0
    first_of_section = index == 0 or steps[index - 1].section != draft.editing_section
    if draft.editing_section and (first_of_section or not steps[index].can_go_back):
        draft.editing_section = None  # Back from an edited section returns to the summary
        return SUMMARY
    if index == 0 or not steps[index].can_go_back:
        return None
    return steps[index - 1].key


def advance(flow: Flow, draft: Draft, config: Config) -> Outcome:
    draft.step = _next_key(flow, draft, config)
    return Outcome(Result.MOVED)


def start_edit(flow: Flow, draft: Draft, section: str, config: Config) -> Outcome:
    for step in _applicable(flow, draft.answers, config):
        if step.section == section:
            draft.step = step.key
            draft.editing_section = section
            return Outcome(Result.MOVED)
    return Outcome(Result.STALE)


# -- input --------------------------------------------------------------------------------


def _option_values(step: Step, config: Config, answers: dict[str, Any]) -> dict[str, str]:
    values = {option.value: option.label for option in step.options(config, answers)}
    if step.exclusive:
        values[step.exclusive.value] = step.exclusive.label
    return values


def handle_button(flow: Flow, draft: Draft, tap: FormTap, config: Config) -> Outcome:
    """Apply a tap on a form button."""
    step_key, verb, arg = tap.step, tap.verb, tap.value
    if step_key != draft.step:
        return Outcome(Result.STALE)
    if verb == "back":
        previous = _previous_key(flow, draft, config)
        if previous is None:
            return Outcome(Result.STALE)
        draft.step = previous
        return Outcome(Result.MOVED)
    if step_key == SUMMARY:
        if verb == "edit" and arg in flow.sections:
            return start_edit(flow, draft, arg, config)
        if verb == "confirm":
            unsettled = first_unsettled(flow, draft.answers, config)
            if unsettled is None:
                return Outcome(Result.CONFIRMED)
            # e.g. a changed perspective left experiences that no longer fit: ask again.
            draft.step, draft.editing_section = unsettled.key, unsettled.section
            return Outcome(Result.INVALID, problem="form_check_again")
        return Outcome(Result.STALE)

    step = flow.step(step_key)
    answers = draft.answers
    if verb == "next" and step.kind == Kind.INFO:
        return advance(flow, draft, config)
    if verb == "clear" and step.clear_label and step.optional:
        answers[step.key] = None
        return advance(flow, draft, config)
    if verb == "skip" and (step.optional or step.key in answers):
        if step.optional and step.key not in answers:
            answers[step.key] = None
        return advance(flow, draft, config)
    if verb == "pick" and step.kind in (Kind.CHOICE, Kind.TIMEZONE):
        values = (
            _option_values(step, config, answers)
            if step.kind == Kind.CHOICE
            else {option.value: option.label for option in timezone_options(config)}
        )
        if arg not in values:
            return Outcome(Result.STALE)
        answers[step.key] = arg
        advance(flow, draft, config)
        return Outcome(Result.MOVED, chosen=values[arg])
    if verb == "toggle" and step.kind == Kind.MULTI:
        values = _option_values(step, config, answers)
        if arg not in values:
            return Outcome(Result.STALE)
        chosen = list(answers.get(step.key) or [])
        if arg in chosen:
            chosen.remove(arg)
        elif step.exclusive and arg == step.exclusive.value:
            chosen = [arg]
        else:
            chosen = [
                value for value in chosen if not step.exclusive or value != step.exclusive.value
            ]
            chosen.append(arg)
        answers[step.key] = [value for value in values if value in chosen]
        return Outcome(Result.UPDATED)
    if verb == "toggle" and step.kind == Kind.GRID:
        if arg not in grid_cells(config):
            return Outcome(Result.STALE)
        chosen = set(answers.get(step.key) or [])
        chosen.symmetric_difference_update({arg})
        answers[step.key] = [cell for cell in grid_cells(config) if cell in chosen]
        return Outcome(Result.UPDATED)
    if verb == "done" and step.kind in (Kind.MULTI, Kind.GRID):
        valid = (
            _option_values(step, config, answers)
            if step.kind == Kind.MULTI
            else dict.fromkeys(grid_cells(config), "")
        )
        chosen = [value for value in answers.get(step.key) or [] if value in valid]
        if len(chosen) < max(step.min_choices, 1 if step.kind == Kind.GRID else 0):
            return Outcome(Result.INVALID, problem=f"{step.prompt}_too_few")
        answers[step.key] = chosen
        advance(flow, draft, config)
        if step.kind == Kind.GRID:
            return Outcome(Result.MOVED, chosen=grid_summary(config, chosen))
        return Outcome(Result.MOVED, chosen=", ".join(valid[value] for value in chosen) or None)
    return Outcome(Result.STALE)


def _settled(step: Step, answer: Any, config: Config, answers: dict[str, Any]) -> bool:
    if step.kind == Kind.INFO:
        return True
    if answer is None:
        return step.optional
    if step.kind == Kind.CHOICE:
        return answer in _option_values(step, config, answers)
    if step.kind == Kind.MULTI:
        valid = _option_values(step, config, answers)
        return all(value in valid for value in answer) and len(answer) >= step.min_choices
    if step.kind == Kind.GRID:
        return bool(answer) and all(cell in grid_cells(config) for cell in answer)
    return bool(answer)


def first_unsettled(flow: Flow, answers: dict[str, Any], config: Config) -> Step | None:
    """The first step whose answer is missing or no longer valid, if any."""
    for step in _applicable(flow, answers, config):
        if not _settled(step, answers.get(step.key), config, answers):
            return step
    return None


def handle_text(flow: Flow, draft: Draft, text: str, config: Config) -> Outcome:
    """Apply typed text: the answer to a text step, a typed time zone, or a gentle re-prompt."""
    if draft.step == SUMMARY:
        return Outcome(Result.INVALID, problem="form_use_buttons")
    step = flow.step(draft.step)
    if step.kind == Kind.TEXT:
        problem = step.check(text) if step.check else None
        if problem:
            return Outcome(Result.INVALID, problem=problem)
        value = " ".join(text.split())
        limit = step.max_length(config) if step.max_length else 200
        if not value:
            return Outcome(Result.INVALID, problem="form_text_empty")
        if len(value) > limit:
            return Outcome(Result.INVALID, problem="form_text_too_long")
        draft.answers[step.key] = value
        return advance(flow, draft, config)
    if step.kind == Kind.TIMEZONE:
        zone = _match_timezone(text.strip())
        if zone is None:
            return Outcome(Result.INVALID, problem="form_timezone_unknown")
        draft.answers[step.key] = zone
        advance(flow, draft, config)
        return Outcome(Result.MOVED, chosen=zone)
    return Outcome(Result.INVALID, problem="form_use_buttons")


def _match_timezone(text: str) -> str | None:
    candidate = text.replace(" ", "_")
    if "/" not in candidate or len(candidate) > 64:
        return None
    try:
        ZoneInfo(candidate)
    except (ZoneInfoNotFoundError, ValueError):
        # People type "australia/brisbane": try the usual capitalisation.
        candidate = "/".join(part[:1].upper() + part[1:] for part in candidate.split("/"))
        try:
            ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError):
            return None
    return candidate


# -- shared option lists ----------------------------------------------------------------


def timezone_options(config: Config) -> list[Option]:
    zones = [config.service.timezone] + [
        zone for zone in config.service.timezone_choices if zone != config.service.timezone
    ]
    return [Option(zone, zone.replace("_", " ")) for zone in zones]


def grid_cells(config: Config) -> list[str]:
    return [f"{day}:{part}" for day in range(7) for part in config.availability.parts]


def weight_options(_config: Config, _answers: dict[str, Any]) -> list[Option]:
    return [
        Option("important", t("weight_important")),
        Option("nice", t("weight_nice")),
        Option("none", t("weight_none")),
    ]


def labels(options: Sequence[Option], values: Sequence[str] | None) -> str:
    by_value = {option.value: option.label for option in options}
    return ", ".join(by_value.get(value, value) for value in values or [])


def part_label(config: Config, part: str, short: bool = False) -> str:
    """A part of the day's name: as the configuration names it (``[availability.labels]``,
    per language), else the catalog's, else its key."""
    configured = config.availability.labels.get(part)
    if configured is not None:
        return configured.said()
    key = f"part_short_{part}" if short else f"part_{part}"
    return t(key) if has_text(key) else part.replace("_", " ").capitalize()


def cell_label(config: Config, cell: str, short: bool = False) -> str:
    """'Tue eve', 'Tue evening': a day and a part of it, in the language's order."""
    day, _, part = cell.partition(":")
    named = part_label(config, part, short)
    return t("grid_cell", day=t(f"day_short_{day}"), part=named if short else named.lower())


def grid_summary(config: Config, cells: Sequence[str] | None) -> str:
    """'Mon morning, Mon evening, Tue afternoon' in the order of the week."""
    return ", ".join(cell_label(config, cell) for cell in cells or [])


# -- rendering --------------------------------------------------------------------------


def render(flow: Flow, draft: Draft, config: Config) -> Reply:
    """The message for the draft's current step: its question and its buttons."""
    if draft.step == SUMMARY:
        return _render_summary(flow, draft, config)
    step = flow.step(draft.step)
    params = step.prompt_params(config) if step.prompt_params else {}
    text = t(step.prompt, **params)
    answers = draft.answers
    rows: list[list[Button]] = []
    if step.kind == Kind.INFO:
        rows.append([Button(t(f"{step.prompt}_continue"), FormTap(step.key, "next"))])
    elif step.kind == Kind.CHOICE:
        current = answers.get(step.key)
        for option in step.options(config, answers):
            mark = "• " if option.value == current else ""
            rows.append([Button(mark + option.label, FormTap(step.key, "pick", option.value))])
    elif step.kind == Kind.TIMEZONE:
        rows.extend(
            [Button(option.label, FormTap(step.key, "pick", option.value))]
            for option in timezone_options(config)
        )
    elif step.kind == Kind.MULTI:
        chosen = answers.get(step.key) or []
        options = list(step.options(config, answers))
        if step.exclusive:
            options.append(step.exclusive)
        for option in options:
            mark = "✅ " if option.value in chosen else "▫️ "
            rows.append([Button(mark + option.label, FormTap(step.key, "toggle", option.value))])
        rows.append([Button(t("btn_done"), FormTap(step.key, "done"))])
    elif step.kind == Kind.GRID:
        chosen = set(answers.get(step.key) or [])
        for day in range(7):
            rows.append(
                [
                    Button(
                        ("✅ " if f"{day}:{part}" in chosen else "")
                        + cell_label(config, f"{day}:{part}", short=True),
                        FormTap(step.key, "toggle", f"{day}:{part}"),
                    )
                    for part in config.availability.parts
                ]
            )
        rows.append([Button(t("btn_done"), FormTap(step.key, "done"))])
    elif step.kind == Kind.TEXT:
        limit = step.max_length(config) if step.max_length else 200
        text = Markup(f"{text}\n\n{t('form_text_limit', limit=limit)}")
        if answers.get(step.key):
            text = Markup(f"{text}\n\n{t('form_text_current', value=answers[step.key])}")
            rows.append([Button(t("btn_keep"), FormTap(step.key, "skip"))])
            if step.clear_label and step.optional:
                rows.append([Button(t(step.clear_label), FormTap(step.key, "clear"))])
    if step.optional and step.kind != Kind.INFO and not answers.get(step.key):
        rows.append([Button(t("btn_skip"), FormTap(step.key, "skip"))])
    if _previous_key(flow, Draft(draft.step, answers, draft.editing_section), config):
        rows.append([Button(t("btn_back"), FormTap(step.key, "back"))])
    return Reply(text, tuple(tuple(row) for row in rows))


def _render_summary(flow: Flow, draft: Draft, config: Config) -> Reply:
    lines = [t(f"{flow.name}_summary_title")]
    for title, value in flow.summarise(config, draft.answers):
        lines.append(f"\n<b>{t(title)}</b>\n{escape(value)}")
    rows = [
        [
            Button(
                t("btn_edit", section=t(flow.section_label(section))),
                FormTap(SUMMARY, "edit", section),
            )
        ]
        for section in flow.sections
    ]
    rows.append([Button(t(flow.confirm_label), FormTap(SUMMARY, "confirm"))])
    return Reply(Markup("\n".join(lines)), tuple(tuple(row) for row in rows))
