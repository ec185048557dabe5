"""Offers in the chat: service users choose, workers answer, coordinators review and match."""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from bot import pending as pending_input
from bot import people, scheduler
from bot.callbacks import (
    BatchPage,
    ChooseWorker,
    ConfirmManualMatch,
    FindMeAPeer,
    HoldProposal,
    NoneOfThese,
    NotNow,
    OfferAllProposed,
    OfferEveryCard,
    OfferOneProposed,
    OpenCard,
    Rematch,
)
from bot.db import transaction
from bot.lifecycle import ServiceUserStatus
from bot.models import PendingInput, Person, Proposal, Role, WaitlistEntry
from bot.notify import AfterCommit, Button, Reply, Response, respond
from bot.offers import manual, matchmaking, service, wording
from bot.texts import t, tn
from bot.texts.fragments import person_ref
from bot.tg.context import deps_of
from bot.tg.filters import PRIVATE
from bot.tg.guards import coordinator_only
from bot.tg.taps import on_tap, tapped

MANUAL_MATCH = "manual_match"
_REF = re.compile(r"^[UuWw]?(\d{1,9})$")


async def _service_user(session, update: Update) -> Person | None:
    person = await people.find(session, update.effective_user.id)
    return person if person is not None and person.role == Role.SERVICE_USER else None


# -- service users ---------------------------------------------------------------------------


async def offer_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A service user answers the offer card (or asks to be looked for again)."""
    deps = deps_of(context)
    async with transaction(deps.sessions) as session:
        person = await _service_user(session, update)
        replies, notices = [Reply(t("offer_stale"))], []
        match tapped(update) if person is not None else None:
            case ChooseWorker(proposal_id, worker_id):
                replies, notices = await service.choose(
                    deps, session, person, proposal_id, worker_id
                )
            case NoneOfThese(proposal_id):
                replies, notices = await service.none_suitable(deps, session, person, proposal_id)
            case NotNow(proposal_id):
                replies, notices = await service.not_now(deps, session, person, proposal_id)
            case FindMeAPeer():
                replies, notices = await service.resume(deps, session, person)
    await respond(update, context, Response(close_tapped=True, replies=replies, notices=notices))


async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/status: an honest word on where someone is."""
    deps = deps_of(context)
    async with transaction(deps.sessions) as session:
        person = await _service_user(session, update)
        if person is None or person.status in (
            ServiceUserStatus.ONBOARDING,
            ServiceUserStatus.CANCELLED,
            ServiceUserStatus.DECLINED_CONSENT,
        ):
            replies = [Reply(t("status_none"))]
        else:
            entry = await session.get(WaitlistEntry, person.id)
            replies = [Reply(wording.status_text(deps, person, entry))]
            if person.status == ServiceUserStatus.NOT_NOW:
                replies = [wording.not_now_reply()]
            proposal = await matchmaking.open_proposal(session, person.id)
            if person.status == ServiceUserStatus.OFFERED and proposal is not None:
                replies.append(await wording.offer_card(deps, session, proposal))
    await respond(update, context, Response(replies=replies))


async def rematch(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/rematch: ask for a different peer, no reason needed (with a confirmation)."""
    deps = deps_of(context)
    async with transaction(deps.sessions) as session:
        person = await _service_user(session, update)
        relationship = await matchmaking.open_relationship(session, person.id) if person else None
        ended = person is not None and person.status == ServiceUserStatus.ENDED
    if relationship is None and not ended:
        reply = Reply(t("rematch_nothing"))
    else:
        reply = Reply(
            t("rematch_confirm"),
            (
                (Button(t("btn_rematch_yes"), Rematch("yes")),),
                (Button(t("btn_rematch_no"), Rematch("no")),),
            ),
        )
    await respond(update, context, Response(replies=[reply]))


async def rematch_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    deps = deps_of(context)
    replies, notices = [Reply(t("rematch_kept"))], []
    if tapped(update) == Rematch("yes"):
        async with transaction(deps.sessions) as session:
            person = await _service_user(session, update)
            if person is not None:
                replies, notices = await service.rematch(deps, session, person)
    await respond(update, context, Response(close_tapped=True, replies=replies, notices=notices))


# -- coordinators ------------------------------------------------------------------------------


@coordinator_only
async def waitlist(deps, session, coordinator: Person, update, context) -> Response:
    return Response(replies=[await manual.waitlist(deps, session)])


@coordinator_only
async def match_all(deps, session, coordinator: Person, update, context) -> Response | AfterCommit:
    return await manual.match_all(deps, session, coordinator)


def _ref(text: str) -> int | None:
    found = _REF.match(text)
    return int(found.group(1)) if found else None


@coordinator_only
async def match(deps, session, coordinator: Person, update, context) -> Response:
    """/match U12 W7 reason… — offer one worker to one service user by hand."""
    args = context.args or []
    user_id = _ref(args[0]) if args else None
    worker_id = _ref(args[1]) if len(args) > 1 else None
    reason = " ".join(args[2:]).strip()[:300]
    if user_id is None or worker_id is None or not reason:
        return Response(replies=[Reply(t("coord_match_usage"))])
    problem, broken = await manual.check_manual_match(deps, session, user_id, worker_id)
    if problem:
        return Response(replies=[Reply(t(problem))])
    if broken is None:
        notices = await manual.manual_match(
            deps, session, coordinator, user_id, worker_id, reason, None
        )
        return Response(replies=[Reply(t("coord_match_offered"))], notices=notices)
    payload = {"worker_id": worker_id, "reason": reason, "broken": str(broken)}
    await pending_input.ask(session, coordinator.id, MANUAL_MATCH, user_id, deps.now(), payload)
    return Response(
        replies=[
            Reply(
                t("coord_match_warning", constraint=t(f"constraint_{broken}")),
                (
                    (Button(t("btn_match_anyway"), ConfirmManualMatch(user_id, "yes", worker_id)),),
                    (Button(t("btn_cancel"), ConfirmManualMatch(user_id, "no", worker_id)),),
                ),
            )
        ]
    )


@coordinator_only
async def proposal_button(deps, session, coordinator: Person, update, context) -> Response:
    """A coordinator's choice on a proposal card: offer them all, offer one, or hold it."""
    match tapped(update):
        case OfferAllProposed(proposal_id):
            choice = "all"
        case HoldProposal(proposal_id):
            choice = "hold"
        case OfferOneProposed(proposal_id, worker_id):
            choice = str(worker_id)
    key, notices = await matchmaking.review_proposal(
        deps, session, coordinator, proposal_id, choice
    )
    proposal = await session.get(Proposal, proposal_id)
    ref = person_ref(proposal.service_user_id) if proposal else ""
    return Response(close_tapped=True, chosen=t(key, ref=ref), notices=notices)


@coordinator_only
async def every_card_button(deps, session, coordinator: Person, update, context) -> Response:
    """Offer every card in review, as if "offer" were tapped on each."""
    batch: OfferEveryCard = tapped(update)
    offered, notices = await matchmaking.offer_every_card(
        deps, session, coordinator, batch.first, batch.last
    )
    return Response(
        close_tapped=True, chosen=tn("coord_every_card_offered", offered), notices=notices
    )


@coordinator_only
async def batch_button(deps, session, coordinator: Person, update, context) -> Response:
    """A batch's review view: another page of it, or one of its cards opened in full."""
    match tapped(update):
        case BatchPage(first, last, page):
            cards = await matchmaking.batch_cards(session, first, last)
            if not cards:
                return Response(edit=Reply(t("coord_batch_all_decided")))
            head = tn("coord_batch_pending_title", len(cards))
            view = await wording.batch_view(deps, session, head, cards, first, last, page)
            return Response(edit=view)
        case OpenCard(proposal_id):
            card = await matchmaking.open_card(deps, session, proposal_id)
            if card is None:
                return Response(toast=t("proposal_already_decided", ref=""))
            return Response(replies=[card])


@coordinator_only
async def manual_match_button(deps, session, coordinator: Person, update, context) -> Response:
    """Match anyway (or not) when a hand match breaks a hard constraint."""
    tap: ConfirmManualMatch = tapped(update)
    user_id, worker_id = tap.service_user_id, tap.worker_id
    pending = await session.get(PendingInput, coordinator.id)
    valid = (
        pending is not None
        and pending.kind == MANUAL_MATCH
        and pending.subject_id == user_id
        and pending.payload.get("worker_id") == worker_id
    )
    if not valid:
        return Response(toast=t("stale_button_toast"), close_tapped=True)
    await session.delete(pending)
    if tap.answer != "yes":
        return Response(close_tapped=True, chosen=t("coord_input_cancelled"))
    problem, broken = await manual.check_manual_match(deps, session, user_id, worker_id)
    if problem:
        return Response(close_tapped=True, replies=[Reply(t(problem))])
    notices = await manual.manual_match(
        deps, session, coordinator, user_id, worker_id, pending.payload["reason"], broken
    )
    return Response(close_tapped=True, chosen=t("coord_match_offered"), notices=notices)


COORDINATOR_COMMANDS = {"waitlist": waitlist, "match": match, "match_all": match_all}


def register(application: Application) -> None:
    scheduler.register(application, scheduler.Turn.MATCHING, service.sweep)
    scheduler.register_step(application, matchmaking.refresh_if_asked)
    application.add_handler(CommandHandler("status", status, filters=PRIVATE))
    application.add_handler(CommandHandler("rematch", rematch, filters=PRIVATE))
    for name, handler in COORDINATOR_COMMANDS.items():
        application.add_handler(CommandHandler(name, handler, filters=PRIVATE))
    on_tap(application, offer_button, ChooseWorker, NoneOfThese, NotNow, FindMeAPeer)
    on_tap(application, rematch_button, Rematch)
    on_tap(application, proposal_button, OfferAllProposed, OfferOneProposed, HoldProposal)
    on_tap(application, every_card_button, OfferEveryCard)
    on_tap(application, batch_button, BatchPage, OpenCard)
    on_tap(application, manual_match_button, ConfirmManualMatch)
