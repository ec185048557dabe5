"""How proposals, offers and requests read: engine results and rows -> texts and buttons."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

import matching
from bot.availability import slots_to_cells
from bot.callbacks import (
    AcceptRequest,
    BatchPage,
    ChooseWorker,
    DeclineReason,
    DeclineRequest,
    FindMeAPeer,
    HoldProposal,
    NoneOfThese,
    NotNow,
    OfferAllProposed,
    OfferEveryCard,
    OfferOneProposed,
    OpenCard,
)
from bot.config import MatchingWeights, Words
from bot.deps import Deps
from bot.forms.engine import grid_summary
from bot.models import (
    PeerWorkerProfile,
    Person,
    Proposal,
    Relationship,
    ServiceUserProfile,
    WaitlistEntry,
)
from bot.notify import Button, Reply
from bot.offers import mapping
from bot.texts import Markup, has_text, t, tn
from bot.texts.fragments import date_text, elapsed_text, period_text, person_ref, worker_ref
from matching import Candidate, Need, Reason, Weight, monday_of

__all__ = ["t", "tn"]


def name_for_worker(profile_or_name: ServiceUserProfile | str | None, person_id: int) -> str:
    """How a service user is named to the peer worker they asked for or are matched with: the
    name they would like to be called, with the pseudonym ("Sam (U3)"), or the pseudonym."""
    name = (
        profile_or_name.preferred_name
        if isinstance(profile_or_name, ServiceUserProfile)
        else profile_or_name
    )
    return f"{name} ({person_ref(person_id)})" if name else person_ref(person_id)


def name_for_coordinator(profile: ServiceUserProfile | None, person_id: int) -> str:
    """Coordinators see that name only if the person said they may; the pseudonym otherwise."""
    if profile is not None and profile.name_visible_to_coordinators:
        return name_for_worker(profile, person_id)
    return person_ref(person_id)


async def worker_name(session: AsyncSession, person_id: int) -> str:
    """``name_for_worker`` for a service user by id (a person erased has only the pseudonym)."""
    return name_for_worker(await session.get(ServiceUserProfile, person_id), person_id)


async def coordinator_name(session: AsyncSession, person_id: int) -> str:
    return name_for_coordinator(await session.get(ServiceUserProfile, person_id), person_id)


def blocking_text(blocking: dict[str, int]) -> str:
    if not blocking:
        return t("blocking_none")
    parts = sorted(blocking.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{t(f'constraint_{name}')} ×{count}" for name, count in parts)


def candidate_record(candidate: Candidate) -> dict[str, Any]:
    return {
        "worker_id": candidate.offer_id,
        "score": candidate.score,
        "components": candidate.components,
        "reasons": [[reason.code, list(reason.values)] for reason in candidate.reasons],
    }


def _times(deps: Deps, slots: list[tuple[int, int, int]]) -> str:
    cells_ = slots_to_cells(deps.config, slots)
    return grid_summary(deps.config, cells_) if cells_ else ""


def _area_labels(deps: Deps, keys: list[str]) -> str:
    """Labels in the taxonomy's own order (the order people chose them from)."""
    wanted = set(keys)
    areas = deps.config.lived_experience
    return ", ".join(area.label.said() for area in areas if area.key in wanted)


def _label(options: dict[str, Words], key: str) -> str:
    """An option's label in the language spoken now (an option no longer configured: its key)."""
    label = options.get(key)
    return label.said() if label is not None else key


def reason_lines(deps: Deps, reasons: list[Reason], for_coordinator: bool = False) -> list[str]:
    """Plain-language reasons: to the service user in the second person ("you both"), to
    coordinators in the third ("both"). Only what the worker chose to share is ever in them."""

    def said(key: str, **params: object) -> str:
        for_them = f"{key}_coord"
        return t(for_them if for_coordinator and has_text(for_them) else key, **params)

    options = deps.config.profile_options
    primary_language = next(iter(options.languages))
    lines = []
    for reason in reasons:
        values = list(reason.values)
        if reason.code == "shared_experience":
            lines.append(said("reason_shared_experience", areas=_area_labels(deps, values)))
        elif reason.code == "common_times":
            slots = [tuple(int(x) for x in value.split(":")) for value in values]
            times = _times(deps, slots)
            if times:
                lines.append(said("reason_common_times", times=times))
        elif reason.code == "language":
            others = [_label(options.languages, v) for v in values if v != primary_language]
            if others:
                lines.append(said("reason_language", languages=", ".join(others)))
        elif reason.code in ("gender", "age_band", "community"):
            table = {"gender": options.genders, "age_band": options.age_bands}.get(
                reason.code, options.communities
            )
            labels = ", ".join(_label(table, v) for v in values)
            lines.append(said(f"reason_{reason.code}", value=labels))
        elif reason.code == "continuity":
            lines.append(said("reason_continuity"))
        elif reason.code == "lighter_caseload" and for_coordinator:
            lines.append(said("reason_lighter_caseload"))
    return lines


def _stored_reasons(record: dict[str, Any]) -> list[Reason]:
    return [Reason(code, tuple(values)) for code, values in record.get("reasons", [])]


# -- fit: a candidate's score in terms a coordinator can judge ---------------------------------

FIT_CRITERIA = ("lived_experience", "availability", "preferences", "load", "continuity")
FIT_BANDS = ((75, "strong"), (50, "good"), (0, "partial"))  # percent of the best possible
_PREFERENCES = ("gender", "age_band", "community")


def fit_criteria(weights: MatchingWeights, need: Need) -> dict[str, int]:
    """The points each criterion can give this service user (``matching.engine`` scores every
    component from 0 to 1, times its weight). A criterion that cannot score for them is left
    out, so 100% is the best any worker could be for them: shared experience when they asked
    for none, nice-to-haves when they set none, continuity with nobody to reconnect with.
    Important preferences are never points: they rule workers out (every candidate meets them).
    """
    applies = {
        "lived_experience": bool(need.areas),
        "availability": True,
        "preferences": any(
            getattr(need, name).weight == Weight.NICE and getattr(need, name).choices
            for name in _PREFERENCES
        ),
        "load": True,
        "continuity": bool(need.reconnect_with),
    }
    return {
        name: getattr(weights, name)
        for name in FIT_CRITERIA
        if applies[name] and getattr(weights, name) > 0
    }


def _earned(components: dict[str, float], name: str, weight: int) -> float:
    return weight * min(max(float(components.get(name) or 0.0), 0.0), 1.0)


def fit_percent(components: dict[str, float] | None, criteria: dict[str, int]) -> int | None:
    """Whole percent of the best possible (rounded down: only a perfect fit says 100%);
    None for a pair a coordinator made by hand (nothing was scored)."""
    best = sum(criteria.values())
    if not components or not best:
        return None
    earned = sum(_earned(components, name, weight) for name, weight in criteria.items())
    return int(100 * earned / best + 1e-9)


def fit_band(percent: int) -> str:
    return next(band for floor, band in FIT_BANDS if percent >= floor)


def fit_text(percents: list[int | None], index: int) -> str:
    """ "fit 82% (strong)", and which other candidate has the same fit, if one does."""
    percent = percents[index]
    if percent is None:
        return t("fit_unscored")
    band = t(f"fit_band_{fit_band(percent)}")
    same = [rank for rank, other in enumerate(percents, start=1) if other == percent]
    others = [rank for rank in same if rank != index + 1]
    if not others:
        return t("fit_value", percent=percent, band=band)
    return t(
        "fit_value_tied", percent=percent, band=band, others=", ".join(f"#{r}" for r in others)
    )


def fit_points(components: dict[str, float] | None, criteria: dict[str, int], need: Need) -> str:
    """Each criterion's points out of its most, and the important preferences it meets."""
    if not components:
        return ""
    parts = [
        t(f"fit_{name}", points=round(_earned(components, name, weight)), most=weight)
        for name, weight in criteria.items()
    ]
    important = [
        t(f"constraint_{name}")
        for name in _PREFERENCES
        if getattr(need, name).weight == Weight.IMPORTANT and getattr(need, name).choices
    ]
    if important:
        parts.append(t("fit_important", which=", ".join(important)))
    return Markup(" · ".join(parts))


async def proposal_card(
    deps: Deps,
    session: AsyncSession,
    proposal: Proposal,
    entry: WaitlistEntry,
    need: Need | None = None,
) -> Reply:
    """For coordinators: what the person asked for, and ranked candidates with reasons and
    score components. ``need``: the person's, when the caller has read it already."""
    waited = elapsed_text(deps.now() - entry.since)
    lines = [
        t(
            "coord_proposal_title",
            id=proposal.id,
            ref=await coordinator_name(session, proposal.service_user_id),
            waited=waited,
        )
    ]
    buttons: list[tuple[Button, ...]] = []
    need = need or (await mapping.needs(session, [proposal.service_user_id]))[0]
    lines.append(asked_for(deps, need))
    criteria = fit_criteria(deps.config.matching.weights, need)
    percents = [fit_percent(record.get("components"), criteria) for record in proposal.candidates]
    elsewhere = await mapping.proposed_elsewhere(
        session, [record["worker_id"] for record in proposal.candidates], proposal.id
    )
    for rank, record in enumerate(proposal.candidates, start=1):
        profile = await session.get(PeerWorkerProfile, record["worker_id"])
        reasons = "; ".join(reason_lines(deps, _stored_reasons(record), for_coordinator=True))
        lines.append(
            t(
                "coord_proposal_candidate",
                rank=rank,
                name=profile.display_name,
                ref=worker_ref(record["worker_id"]),
                fit=fit_text(percents, rank - 1),
                reasons=reasons or t("reason_none"),
                points=fit_points(record.get("components"), criteria, need),
            )
        )
        if also := elsewhere.get(record["worker_id"]):
            refs = ", ".join(person_ref(person_id) for person_id in sorted(also))
            lines[-1] += "\n" + t("coord_candidate_also", refs=refs)
        buttons.append(
            (
                Button(
                    t("btn_offer_only", name=profile.display_name),
                    OfferOneProposed(proposal.id, record["worker_id"]),
                ),
            )
        )
    if entry.blocking:
        lines.append(t("coord_proposal_ruled_out", why=blocking_text(entry.blocking)))
    if len(proposal.candidates) > 1:
        count = min(len(proposal.candidates), deps.config.matching.offer_count)
        buttons.insert(0, (Button(tn("btn_offer_top", count), OfferAllProposed(proposal.id)),))
    buttons.append((Button(t("btn_hold"), HoldProposal(proposal.id)),))
    return Reply(Markup("\n\n".join(lines)), tuple(buttons))


def asked_for(deps: Deps, need: Need) -> str:
    """What the person asked for, for coordinators judging a card: perspective, experience,
    languages, each preference with how much it matters, and when they are free in their own
    time zone."""
    options = deps.config.profile_options
    parts = [
        t(f"asked_perspective_{need.perspective}"),
        t("asked_experience", areas=_area_labels(deps, list(need.areas)) or t("asked_none")),
        t(
            "asked_languages",
            languages=", ".join(
                label.said() for code, label in options.languages.items() if code in need.languages
            ),
        ),
    ]
    tables = {
        "gender": options.genders,
        "age_band": options.age_bands,
        "community": options.communities,
    }
    for name, table in tables.items():
        preference = getattr(need, name)
        if preference.choices and preference.weight != Weight.NONE:
            values = ", ".join(
                label.said() for v, label in table.items() if v in preference.choices
            )
            parts.append(
                t(f"asked_{name}", value=values, weight=t(f"asked_weight_{preference.weight}"))
            )
    slots = [(s.weekday, s.start_minute, s.end_minute) for s in need.availability.slots]
    parts.append(
        t(
            "asked_times",
            times=_times(deps, slots) or t("asked_none"),
            zone=need.availability.timezone,
        )
    )
    return t("asked_for", parts=Markup(" · ").join(parts))


async def offer_card(deps: Deps, session: AsyncSession, proposal: Proposal) -> Reply:
    """For the service user: who they could choose, in their words, and the way out."""
    records = {record["worker_id"]: record for record in proposal.candidates}
    sections = [tn("offer_intro", len(proposal.offered_worker_ids))]
    buttons: list[tuple[Button, ...]] = []
    for worker_id in proposal.offered_worker_ids:
        profile = await session.get(PeerWorkerProfile, worker_id)
        record = records.get(worker_id) or {}
        reasons = _stored_reasons(record) or await _fresh_reasons(
            deps, session, proposal, worker_id
        )
        lines = "\n".join(f"• {line}" for line in reason_lines(deps, reasons))
        sections.append(
            t("offer_worker", name=profile.display_name, bio=profile.bio)
            + (Markup(f"\n{lines}") if lines else "")
        )
        buttons.append(
            (
                Button(
                    t("btn_choose", name=profile.display_name),
                    ChooseWorker(proposal.id, worker_id),
                ),
            )
        )
    buttons.append((Button(t("btn_not_now"), NotNow(proposal.id)),))
    buttons.append((Button(t("btn_none_of_these"), NoneOfThese(proposal.id)),))
    return Reply(Markup("\n\n".join(sections)), tuple(buttons))


async def _fresh_reasons(
    deps: Deps, session: AsyncSession, proposal: Proposal, worker_id: int
) -> list[Reason]:
    """Reasons for a pair a coordinator made by hand (the engine did not rank it)."""
    need = (await mapping.needs(session, [proposal.service_user_id]))[0]
    offer = next(o for o in await mapping.offers(session) if o.id == worker_id)
    week = monday_of(deps.now().astimezone(deps.config.tz).date())
    reasons = []
    shared = sorted(need.areas & offer.areas)
    if shared:
        reasons.append(Reason("shared_experience", tuple(shared)))
    together = matching.common_slots(
        need.availability, matching.cells(offer.availability, week), week
    )
    if together:
        reasons.append(
            Reason(
                "common_times",
                tuple(f"{s.weekday}:{s.start_minute}:{s.end_minute}" for s in together),
            )
        )
    return reasons


async def request_card(
    deps: Deps, session: AsyncSession, relationship: Relationship, reminder: bool = False
) -> Reply:
    """For the worker: a non-identifying summary of who would like their support."""
    profile = await session.get(ServiceUserProfile, relationship.service_user_id)
    need = (await mapping.needs(session, [relationship.service_user_id]))[0]
    offers = {o.id: o for o in await mapping.offers(session)}
    offer = offers.get(relationship.peer_worker_id)
    week = monday_of(deps.now().astimezone(deps.config.tz).date())
    shared = sorted(need.areas & offer.areas) if offer else []
    times = ""
    if offer is not None:
        theirs = matching.common_slots(
            offer.availability, matching.cells(need.availability, week), week
        )
        times = _times(deps, [(s.weekday, s.start_minute, s.end_minute) for s in theirs])
    # In the worker's own time zone, named: they may live far from the service.
    worker_zone = ZoneInfo(offer.availability.timezone) if offer else deps.config.tz
    respond_by = relationship.respond_by.astimezone(worker_zone)
    lines = [
        # Only the worker they are matched with learns their name: not yet, while asked.
        t("request_reminder" if reminder else "request_intro", ref=person_ref(profile.person_id)),
        t("request_perspective", perspective=t(f"perspective_{profile.perspective}")),
    ]
    if shared:
        lines.append(t("request_shared", areas=_area_labels(deps, shared)))
    if times:
        lines.append(t("request_times", times=times))
    if profile.goal:
        lines.append(t("request_goal", goal=profile.goal))
    lines.append(
        t(
            "request_respond_by",
            when=date_text(deps.config, respond_by, worker_zone, year=False, time=True),
            zone=str(worker_zone),
        )
    )
    return Reply(
        Markup("\n".join(lines)),
        (
            (
                Button(t("btn_accept"), AcceptRequest(relationship.id)),
                Button(t("btn_decline"), DeclineRequest(relationship.id)),
            ),
        ),
    )


def request_sent(deps: Deps, name: str) -> str:
    timeout = deps.config.matching.offer_timeout
    return t("offer_request_sent", name=name, within=period_text(timeout))


def not_now_reply() -> Reply:
    return Reply(t("offer_not_now"), ((Button(t("btn_find_me_a_peer"), FindMeAPeer()),),))


# The one of a person's own choices to mention first, when several keep everyone out.
_WIDEN_FIRST = ("availability", "language", "gender", "age_band", "community")


def nobody_fits_reply(blocking: dict) -> Reply:
    """Nobody would fit even with every place free: said kindly, with what would widen
    their options (the choice that rules out most workers), never pressed."""
    counts = {str(constraint): count for constraint, count in blocking.items()}
    widest = max(_WIDEN_FIRST, key=lambda name: (counts.get(name, 0), -_WIDEN_FIRST.index(name)))
    hint = widest if widest in ("availability", "language") else "preference"
    return Reply(t(f"offer_nobody_fits_{hint}"))


BATCH_PAGE = 8  # cards listed in one page of a batch's review view


async def batch_view(
    deps: Deps,
    session: AsyncSession,
    head: str,
    cards: list[Proposal],
    first: int,
    last: int,
    page: int = 0,
) -> Reply:
    """One message for a batch of cards in review (proposal ids ``first`` to ``last``): a line
    each, who and their match and the fit, a page at a time; "offer all" at the top, and each
    card a button that opens it in full (to offer it, swap its worker, or hold it)."""
    if not cards:
        return Reply(Markup(f"{head}\n\n{t('coord_batch_all_decided')}"))
    pages = (len(cards) + BATCH_PAGE - 1) // BATCH_PAGE
    page = min(max(page, 0), pages - 1)
    shown = cards[page * BATCH_PAGE : (page + 1) * BATCH_PAGE]
    needs = {n.id: n for n in await mapping.needs(session, [c.service_user_id for c in shown])}
    lines, buttons = (
        [],
        [(Button(tn("btn_offer_every_card", len(cards)), OfferEveryCard(first, last)),)],
    )
    for card in shown:
        record = card.candidates[0]
        need = needs.get(card.service_user_id)
        criteria = fit_criteria(deps.config.matching.weights, need) if need else {}
        profile = await session.get(PeerWorkerProfile, record["worker_id"])
        lines.append(
            t(
                "coord_batch_line",
                id=card.id,
                ref=await coordinator_name(session, card.service_user_id),
                name=profile.display_name,
                fit=fit_text([fit_percent(record.get("components"), criteria)], 0),
            )
        )
        buttons.append(
            (Button(t("btn_open_card", id=card.id, name=profile.display_name), OpenCard(card.id)),)
        )
    if pages > 1:
        lines.append(t("coord_batch_page", page=page + 1, pages=pages))
        buttons.append(
            tuple(
                Button(t(label), BatchPage(first, last, to))
                for label, to in (("btn_page_earlier", page - 1), ("btn_page_later", page + 1))
                if 0 <= to < pages
            )
        )
    return Reply(Markup("\n\n".join([head, "\n".join(lines)])), tuple(buttons))


def match_all_head(proposed: int, unassigned: int) -> str:
    return tn("coord_match_all_title", proposed, unassigned=unassigned)


def offer_lapsed_reply(days: int) -> Reply:
    """An offer left unanswered: its places went back; one tap asks again."""
    return Reply(tn("offer_lapsed", days), ((Button(t("btn_find_me_a_peer"), FindMeAPeer()),),))


def decline_reason_prompt(relationship_id: int) -> Reply:
    return Reply(
        t("request_declined_worker"),
        tuple(
            (Button(t(f"decline_reason_{code}"), DeclineReason(relationship_id, code)),)
            for code in ("capacity", "fit", "other")
        ),
    )


def status_text(deps: Deps, person: Person, entry: WaitlistEntry | None) -> str:
    waited = elapsed_text(deps.now() - entry.since) if entry else ""
    return t(f"status_{person.status}", waited=waited)
