"""Offers in the chat: service users choose, workers answer, coordinators review and match."""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot import pending as pending_input
from bot import people, scheduler
from bot.db import transaction
from bot.lifecycle import ServiceUserStatus
from bot.models import PendingInput, Person, Proposal, Role, WaitlistEntry
from bot.notify import Button, Reply, Response, respond
from bot.offers import service as offers
from bot.offers import wording
from bot.texts import t
from bot.tg.context import deps_of
from bot.tg.filters import PRIVATE
from bot.tg.guards import coordinator_only

MANUAL_MATCH = "manual_match"
_REF = re.compile(r"^[UuWw]?(\d{1,9})$")


def _parts(data: str) -> tuple[str, str, str]:
    _, first, verb, arg = (data.split("|") + ["", "", ""])[:4]
    return first, verb, arg


async def _service_user(session, update: Update) -> Person | None:
    person = await people.find(session, update.effective_user.id)
    return person if person is not None and person.role == Role.SERVICE_USER else None


# -- service users ---------------------------------------------------------------------------


async def offer_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``off|<proposal>|choose|<worker>``, ``…|none|``, ``…|notnow|``, ``off|0|resume|``."""
    deps = deps_of(context)
    first, verb, arg = _parts(update.callback_query.data)
    async with transaction(deps.sessions) as session:
        person = await _service_user(session, update)
        replies, notices = [Reply(t("offer_stale"))], []
        if person is not None and first.isdigit():
            proposal_id = int(first)
            if verb == "choose" and arg.isdigit():
                replies, notices = await offers.choose(deps, session, person, proposal_id, int(arg))
            elif verb == "none":
                replies, notices = await offers.none_suitable(deps, session, person, proposal_id)
            elif verb == "notnow":
                replies = await offers.not_now(deps, session, person, proposal_id)
            elif verb == "resume":
                replies, notices = await offers.resume(deps, session, person)
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
            proposal = await offers.open_proposal(session, person.id)
            if person.status == ServiceUserStatus.OFFERED and proposal is not None:
                replies.append(await wording.offer_card(deps, session, proposal))
    await respond(update, context, Response(replies=replies))


async def rematch(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/rematch: ask for a different peer, no reason needed (with a confirmation)."""
    deps = deps_of(context)
    async with transaction(deps.sessions) as session:
        person = await _service_user(session, update)
        relationship = await offers.open_relationship(session, person.id) if person else None
        ended = person is not None and person.status == ServiceUserStatus.ENDED
    if relationship is None and not ended:
        reply = Reply(t("rematch_nothing"))
    else:
        reply = Reply(
            t("rematch_confirm"),
            (
                (Button(t("btn_rematch_yes"), "rm|yes"),),
                (Button(t("btn_rematch_no"), "rm|no"),),
            ),
        )
    await respond(update, context, Response(replies=[reply]))


async def rematch_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    deps = deps_of(context)
    answer = update.callback_query.data.removeprefix("rm|")
    replies, notices = [Reply(t("rematch_kept"))], []
    if answer == "yes":
        async with transaction(deps.sessions) as session:
            person = await _service_user(session, update)
            if person is not None:
                replies, notices = await offers.rematch(deps, session, person)
    await respond(update, context, Response(close_tapped=True, replies=replies, notices=notices))


# -- peer workers ------------------------------------------------------------------------------


async def request_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``req|<relationship>|accept|``, ``…|decline|``, ``…|why|<code>``: only the asked worker."""
    deps = deps_of(context)
    first, verb, arg = _parts(update.callback_query.data)
    replies, notices, toast = [Reply(t("request_stale"))], [], None
    async with transaction(deps.sessions) as session:
        worker = await people.find(session, update.effective_user.id)
        if worker is not None and worker.role == Role.PEER_WORKER and first.isdigit():
            relationship_id = int(first)
            if verb == "accept":
                replies, notices = await offers.accept(deps, session, worker, relationship_id)
            elif verb == "decline":
                replies, notices = await offers.decline(deps, session, worker, relationship_id)
            elif verb == "why" and arg in ("capacity", "fit", "other"):
                saved = await offers.record_decline_reason(
                    deps, session, worker, relationship_id, arg
                )
                replies, toast = [], t("decline_reason_saved" if saved else "request_stale")
    await respond(
        update,
        context,
        Response(close_tapped=True, replies=replies, notices=notices, toast=toast),
    )


# -- coordinators ------------------------------------------------------------------------------


@coordinator_only
async def waitlist(deps, session, coordinator: Person, update, context) -> Response:
    return Response(replies=[await offers.waitlist(deps, session)])


@coordinator_only
async def match_all(deps, session, coordinator: Person, update, context) -> Response:
    return Response(replies=await offers.match_all(deps, session, coordinator))


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
    problem, broken = await offers.check_manual_match(deps, session, user_id, worker_id)
    if problem:
        return Response(replies=[Reply(t(problem))])
    if broken is None:
        notices = await offers.manual_match(
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
                    (Button(t("btn_match_anyway"), f"mm|{user_id}|yes|{worker_id}"),),
                    (Button(t("btn_cancel"), f"mm|{user_id}|no|{worker_id}"),),
                ),
            )
        ]
    )


@coordinator_only
async def coordinator_button(deps, session, coordinator: Person, update, context) -> Response:
    """``prop|<proposal>|all|``, ``prop|<proposal>|w|<worker>``, ``prop|<proposal>|hold|``;
    ``mm|<user>|yes|<worker>`` confirms a match that breaks a hard constraint."""
    data = update.callback_query.data
    first, verb, arg = _parts(data)
    if not first.isdigit():
        return Response(toast=t("stale_button_toast"), close_tapped=True)
    if data.startswith("prop|"):
        choice = {"all": "all", "hold": "hold", "w": arg}.get(verb, "")
        key, notices = await offers.review_proposal(deps, session, coordinator, int(first), choice)
        proposal = await session.get(Proposal, int(first))
        ref = wording.person_ref(proposal.service_user_id) if proposal else ""
        return Response(close_tapped=True, chosen=t(key, ref=ref), notices=notices)
    pending = await session.get(PendingInput, coordinator.id)
    valid = (
        pending is not None
        and pending.kind == MANUAL_MATCH
        and pending.subject_id == int(first)
        and str(pending.payload.get("worker_id")) == arg
    )
    if not valid:
        return Response(toast=t("stale_button_toast"), close_tapped=True)
    await session.delete(pending)
    if verb != "yes":
        return Response(close_tapped=True, chosen=t("coord_input_cancelled"))
    problem, broken = await offers.check_manual_match(deps, session, int(first), int(arg))
    if problem:
        return Response(close_tapped=True, replies=[Reply(t(problem))])
    notices = await offers.manual_match(
        deps, session, coordinator, int(first), int(arg), pending.payload["reason"], broken
    )
    return Response(close_tapped=True, chosen=t("coord_match_offered"), notices=notices)


COORDINATOR_COMMANDS = {"waitlist": waitlist, "match": match, "match_all": match_all}


def register(application: Application) -> None:
    scheduler.register(application, scheduler.Turn.MATCHING, offers.sweep)
    application.add_handler(CommandHandler("status", status, filters=PRIVATE))
    application.add_handler(CommandHandler("rematch", rematch, filters=PRIVATE))
    for name, handler in COORDINATOR_COMMANDS.items():
        application.add_handler(CommandHandler(name, handler, filters=PRIVATE))
    application.add_handler(CallbackQueryHandler(offer_button, pattern=r"^off\|"))
    application.add_handler(CallbackQueryHandler(rematch_button, pattern=r"^rm\|"))
    application.add_handler(CallbackQueryHandler(request_button, pattern=r"^req\|"))
    application.add_handler(CallbackQueryHandler(coordinator_button, pattern=r"^(prop|mm)\|"))
