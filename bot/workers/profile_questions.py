"""The steps of a peer worker's profile, in the order they are asked."""

from __future__ import annotations

from typing import Any

from bot.config import Config
from bot.forms.engine import Flow, Kind, Option, Step, grid_summary, labels
from bot.onboarding.questions import community_options, language_options
from bot.texts import t

SHARE_NONE = "share_none"
NO_COMMUNITY = "none"


def _perspective_options(_config: Config, _answers: dict[str, Any]) -> list[Option]:
    return [
        Option("consumer", t("worker_perspective_consumer")),
        Option("carer", t("worker_perspective_carer")),
        Option("both", t("worker_perspective_both")),
    ]


def worker_area_options(config: Config, answers: dict[str, Any]) -> list[Option]:
    held = answers.get("perspectives")
    return [
        Option(area.key, area.label.said())
        for area in config.lived_experience
        if held == "both" or area.perspective in (held, "both")
    ]


def _single(name: str):
    def options(config: Config, _answers: dict[str, Any]) -> list[Option]:
        options = getattr(config.profile_options, name).items()
        return [Option(key, label.said()) for key, label in options]

    return options


gender_options = _single("genders")
age_band_options = _single("age_bands")


QUIET_HOURS = ("none", "21:00-07:00", "22:00-08:00", "20:00-08:00")


def _quiet_hours_options(_config: Config, _answers: dict[str, Any]) -> list[Option]:
    return [
        Option(value, t("quiet_hours_none") if value == "none" else value.replace("-", "–"))
        for value in QUIET_HOURS
    ]


def _caseload_options(config: Config, _answers: dict[str, Any]) -> list[Option]:
    return [Option(str(n), str(n)) for n in range(1, config.peer_workers.max_caseload + 1)]


def summarise(config: Config, answers: dict[str, Any]) -> list[tuple[str, str]]:
    areas = answers.get("areas") or []
    shared = (
        t("worker_share_none")
        if SHARE_NONE in areas
        else labels(worker_area_options(config, answers), areas)
    )
    communities = [c for c in answers.get("communities") or [] if c != NO_COMMUNITY]
    chosen_details = [
        ("language", language_options, answers.get("languages")),
        ("gender", gender_options, [answers["gender"]] if answers.get("gender") else []),
        ("age_band", age_band_options, [answers["age_band"]] if answers.get("age_band") else []),
        ("community", community_options, communities),
    ]
    details = [
        f"{t(f'pref_label_{name}')}: {labels(options(config, answers), chosen)}"
        for name, options, chosen in chosen_details
        if chosen
    ]
    perspectives = {o.value: o.label for o in _perspective_options(config, answers)}
    quiet = labels(_quiet_hours_options(config, answers), [answers.get("quiet_hours") or "none"])
    return [
        ("summary_display_name", answers.get("display_name", "")),
        ("summary_bio", answers.get("bio", "")),
        ("summary_worker_perspective", perspectives.get(answers.get("perspectives"), "")),
        ("summary_worker_areas", shared or t("summary_none")),
        ("summary_details", "\n".join(details)),
        (
            "summary_availability",
            f"{grid_summary(config, answers.get('availability'))}\n"
            f"({t('summary_timezone', zone=answers.get('timezone', ''))})\n"
            f"{t('summary_quiet_hours')}: {quiet}",
        ),
        ("summary_caseload", str(answers.get("caseload", ""))),
    ]


WORKER_FLOW = Flow(
    name="peer_worker",
    steps=(
        Step("welcome", Kind.INFO, "pw_welcome"),
        Step(
            "display_name",
            Kind.TEXT,
            "pw_display_name",
            section="about",
            can_go_back=False,
            max_length=lambda config: config.onboarding.display_name_max_length,
        ),
        Step(
            "bio",
            Kind.TEXT,
            "pw_bio",
            section="about",
            max_length=lambda config: config.onboarding.bio_max_length,
        ),
        Step(
            "perspectives",
            Kind.CHOICE,
            "pw_perspectives",
            section="experience",
            options=_perspective_options,
        ),
        Step(
            "areas",
            Kind.MULTI,
            "pw_areas",
            section="experience",
            options=worker_area_options,
            exclusive=Option(SHARE_NONE, t("worker_share_none")),
            min_choices=1,
        ),
        Step(
            "languages",
            Kind.MULTI,
            "pw_languages",
            section="details",
            options=language_options,
            min_choices=1,
        ),
        Step(
            "gender",
            Kind.CHOICE,
            "pw_gender",
            section="details",
            options=gender_options,
            optional=True,
        ),
        Step(
            "age_band",
            Kind.CHOICE,
            "pw_age_band",
            section="details",
            options=age_band_options,
            optional=True,
        ),
        Step(
            "communities",
            Kind.MULTI,
            "pw_communities",
            section="details",
            options=community_options,
            exclusive=Option(NO_COMMUNITY, t("option_none_of_these")),
        ),
        Step("timezone", Kind.TIMEZONE, "pw_timezone", section="availability"),
        Step("availability", Kind.GRID, "pw_availability", section="availability"),
        Step(
            "quiet_hours",
            Kind.CHOICE,
            "pw_quiet_hours",
            section="availability",
            options=_quiet_hours_options,
        ),
        Step(
            "caseload",
            Kind.CHOICE,
            "pw_caseload",
            section="caseload",
            options=_caseload_options,
        ),
    ),
    sections=("about", "experience", "details", "availability", "caseload"),
    summarise=summarise,
    confirm_label="btn_submit",
)
