"""The steps of service-user onboarding, in the order they are asked."""

from __future__ import annotations

from typing import Any

from bot.config import Config
from bot.forms.engine import Flow, Kind, Option, Step, grid_summary, labels, weight_options
from bot.texts import t
from bot.texts.fragments import crisis_lines_text

CONSENT_STEPS = {
    "consent_matching": "matching",
    "consent_contact": "contact",
    "consent_evaluation": "evaluation",
}
REQUIRED_CONSENTS = {"consent_matching", "consent_contact"}
PREFERENCES = ("language", "gender", "age_band", "community")
NO_PREFERENCE = "no_preference"
PREFER_NOT_TO_SAY = "prefer_not_to_say"
NAME = "preferred_name"
NAME_VISIBLE = "name_visible"
NAME_MAX_LENGTH = 40  # ServiceUserProfile.preferred_name holds 40
LINE_BREAKS = frozenset("\n\r\v\f\x85\u2028\u2029")


def _consent_options(_config: Config, _answers: dict[str, Any]) -> list[Option]:
    return [Option("yes", t("consent_yes")), Option("no", t("consent_no"))]


def _evaluation_options(_config: Config, _answers: dict[str, Any]) -> list[Option]:
    return [Option("yes", t("consent_evaluation_yes")), Option("no", t("consent_evaluation_no"))]


def _perspective_options(_config: Config, _answers: dict[str, Any]) -> list[Option]:
    return [Option("consumer", t("perspective_consumer")), Option("carer", t("perspective_carer"))]


def _name_visible_options(_config: Config, _answers: dict[str, Any]) -> list[Option]:
    return [Option("no", t("name_visible_no")), Option("yes", t("name_visible_yes"))]


def _has_name(answers: dict[str, Any]) -> bool:
    return bool(answers.get(NAME))


def check_name(text: str) -> str | None:
    """A name is one line; its length and emptiness are the form's usual checks."""
    return "name_no_line_breaks" if LINE_BREAKS & set(text.strip()) else None


def area_options(config: Config, answers: dict[str, Any]) -> list[Option]:
    perspective = answers.get("perspective")
    return [
        Option(area.key, area.label.said())
        for area in config.lived_experience
        if area.perspective in (perspective, "both")
    ]


def _option_list(name: str):
    def options(config: Config, _answers: dict[str, Any]) -> list[Option]:
        options = getattr(config.profile_options, name).items()
        return [Option(key, label.said()) for key, label in options]

    return options


language_options = _option_list("languages")
gender_options = _option_list("genders")
age_band_options = _option_list("age_bands")
community_options = _option_list("communities")

_PREFERENCE_OPTIONS = {
    "language": language_options,
    "gender": gender_options,
    "age_band": age_band_options,
    "community": community_options,
}


def _chose_something(key: str):
    def applies(answers: dict[str, Any]) -> bool:
        chosen = answers.get(key) or []
        return bool(chosen) and NO_PREFERENCE not in chosen

    return applies


def _service_params(config: Config) -> dict[str, Any]:
    return {"service": config.service.name, "crisis_lines": crisis_lines_text(config)}


def _preference_steps(name: str) -> list[Step]:
    no_preference = Option(NO_PREFERENCE, t("option_no_preference"))
    return [
        Step(
            name,
            Kind.MULTI,
            f"su_pref_{name}",
            section="preferences",
            options=_PREFERENCE_OPTIONS[name],
            exclusive=None if name == "language" else no_preference,
            min_choices=1,
        ),
        Step(
            f"{name}_weight",
            Kind.CHOICE,
            f"su_pref_{name}_weight",
            section="preferences",
            options=weight_options,
            applies=_chose_something(name),
        ),
    ]


def _name_summary(answers: dict[str, Any]) -> str:
    name = answers.get(NAME)
    if not name:
        return t("name_summary_none")
    if answers.get(NAME_VISIBLE) == "yes":
        return t("name_summary_coordinators_too", name=name)
    return t("name_summary_worker_only", name=name)


def summarise(config: Config, answers: dict[str, Any]) -> list[tuple[str, str]]:
    weights = {option.value: option.label for option in weight_options(config, answers)}
    areas = answers.get("areas") or []
    if PREFER_NOT_TO_SAY in areas:
        areas_text = t("option_prefer_not_to_say")
    else:
        areas_text = labels(area_options(config, answers), areas) or t("summary_none")
    preference_lines = []
    for name in PREFERENCES:
        chosen = answers.get(name) or []
        if not chosen or NO_PREFERENCE in chosen:
            continue
        weight = weights.get(answers.get(f"{name}_weight") or "none", "")
        chosen_labels = labels(_PREFERENCE_OPTIONS[name](config, answers), chosen)
        preference_lines.append(f"{t(f'pref_label_{name}')}: {chosen_labels} ({weight.lower()})")
    perspective = {o.value: o.label for o in _perspective_options(config, answers)}
    return [
        ("name_summary", _name_summary(answers)),
        ("summary_perspective", perspective.get(answers.get("perspective"), "")),
        ("summary_areas", areas_text),
        ("summary_preferences", "\n".join(preference_lines) or t("summary_no_preferences")),
        (
            "summary_availability",
            f"{grid_summary(config, answers.get('availability'))}\n"
            f"({t('summary_timezone', zone=answers.get('timezone', ''))})",
        ),
        ("summary_goal", answers.get("goal") or t("summary_not_shared")),
    ]


SERVICE_USER_FLOW = Flow(
    name="service_user",
    steps=(
        Step("welcome", Kind.INFO, "su_welcome", prompt_params=_service_params),
        Step("privacy", Kind.INFO, "su_privacy", can_go_back=False),
        Step(
            "consent_matching",
            Kind.CHOICE,
            "su_consent_matching",
            options=_consent_options,
            can_go_back=False,
        ),
        Step(
            "consent_contact",
            Kind.CHOICE,
            "su_consent_contact",
            options=_consent_options,
            can_go_back=False,
        ),
        Step(
            "consent_evaluation",
            Kind.CHOICE,
            "su_consent_evaluation",
            options=_evaluation_options,
            can_go_back=False,
        ),
        # After the consents (contact by a peer worker among them): what that peer may call
        # them. Optional; skipping keeps the pseudonym.
        Step(
            NAME,
            Kind.TEXT,
            "name_prompt",
            section="name",
            optional=True,
            max_length=lambda _config: NAME_MAX_LENGTH,
            can_go_back=False,
            check=check_name,
            clear_label="name_clear",
        ),
        Step(
            NAME_VISIBLE,
            Kind.CHOICE,
            "name_visible_prompt",
            section="name",
            options=_name_visible_options,
            applies=_has_name,
        ),
        Step(
            "perspective",
            Kind.CHOICE,
            "su_perspective",
            section="experience",
            options=_perspective_options,
        ),
        Step(
            "areas",
            Kind.MULTI,
            "su_areas",
            section="experience",
            options=area_options,
            exclusive=Option(PREFER_NOT_TO_SAY, t("option_prefer_not_to_say")),
            min_choices=1,
        ),
        *_preference_steps("language"),
        *_preference_steps("gender"),
        *_preference_steps("age_band"),
        *_preference_steps("community"),
        Step("timezone", Kind.TIMEZONE, "su_timezone", section="availability"),
        Step("availability", Kind.GRID, "su_availability", section="availability"),
        Step(
            "goal",
            Kind.TEXT,
            "su_goal",
            section="goal",
            optional=True,
            max_length=lambda config: config.onboarding.goal_max_length,
        ),
    ),
    sections=("name", "experience", "preferences", "availability", "goal"),
    summarise=summarise,
    section_labels={"name": "name_section"},
)
