"""The console's commands and buttons: /dashboard, /people, /relationships, /audit.

Every one runs through ``coordinator_only`` (an active coordinator, checked on the server),
and every button re-reads the record it names and re-checks what is allowed in its state now.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass

from telegram.ext import Application, CommandHandler

from bot.admin import service as admin
from bot.callbacks import (
    AuditTrailPage,
    ConsoleView,
    Dashboard,
    MatchWithWorker,
    OpenPerson,
    OpenRelationship,
    PeoplePage,
    PersonAction,
    RelationshipAction,
    RelationshipsPage,
)
from bot.console import actions, reasons, service, views
from bot.console.service import PEOPLE_FILTERS, RELATIONSHIP_FILTERS
from bot.models import Person, Role, WaitlistEntry
from bot.notify import Button, Reply, Response
from bot.offers import manual, matchmaking, wording
from bot.texts import t
from bot.tg import answers
from bot.tg.filters import PRIVATE
from bot.tg.guards import coordinator_only
from bot.tg.taps import on_tap, tapped
from bot.workers import service as workers
from bot.workers import wellbeing_checkins

_PAGE = re.compile(r"^[0-9]{1,4}$")
MAX_PAGE = 9999


def _stale() -> Response:
    return Response(toast=t("stale_button_toast"), close_tapped=True)


def _gone() -> Response:
    return Response(toast=t("con_gone"))


def _filter_and_page(args: list[str], choices, default: str) -> tuple[str | None, int]:
    """``/people waiting 2`` -> ("waiting", 1); no filter -> the default."""
    page = 0
    if args and _PAGE.match(args[-1]):
        page = max(int(args[-1]) - 1, 0)
        args = args[:-1]
    if not args:
        return default, page
    return service.filter_name(" ".join(args), choices), page


# -- commands -------------------------------------------------------------------------------


@coordinator_only
async def dashboard(deps, session, coordinator: Person, update, context) -> Response:
    return Response(replies=[views.dashboard(deps, await service.figures(deps, session))])


_PERSON_REF = re.compile(r"^[UuWw]([0-9]{1,9})$")
_RELATIONSHIP_REF = re.compile(r"^[Rr]([0-9]{1,9})$")


def _ref(args: list[str], pattern: re.Pattern) -> int | None:
    found = pattern.match(args[0]) if len(args) == 1 else None
    return int(found.group(1)) if found else None


@dataclass(frozen=True)
class _Listing:
    """What a list command needs: /people or /relationships."""

    kind: str  # the views' name for the list: "pl" or "rl"
    ref: re.Pattern  # one argument naming one record: U12, R5
    card: Callable[..., Awaitable[Reply | None]]  # (deps, session, id, back)
    filters: Collection[str]  # the filter names it takes
    default: str  # the filter when none is given
    page: Callable[..., Awaitable[service.Page]]  # (deps, session, filter, page number)


async def _list_or_card(deps, session, args: list[str], listing: _Listing) -> Response:
    """One record's card if the only argument names it; else a page of the filtered list."""
    record_id = _ref(args, listing.ref)
    if record_id is not None:
        card = await listing.card(deps, session, record_id, "")
        return Response(replies=[card or Reply(t("con_gone"))])
    name, page = _filter_and_page(args, listing.filters, listing.default)
    if name is None:
        return Response(replies=[views.usage(listing.kind)])
    found = await listing.page(deps, session, name, page)
    return Response(replies=[views.list_page(deps, found)])


@coordinator_only
async def people_command(deps, session, coordinator: Person, update, context) -> Response:
    """/people [filter] [page], or /people U12 for one card."""
    return await _list_or_card(deps, session, list(context.args or []), _PEOPLE)


@coordinator_only
async def relationships_command(deps, session, coordinator: Person, update, context) -> Response:
    """/relationships [filter] [page], or /relationships R5 for one card."""
    return await _list_or_card(deps, session, list(context.args or []), _RELATIONSHIPS)


@coordinator_only
async def audit_command(deps, session, coordinator: Person, update, context) -> Response:
    args = list(context.args or [])
    page = int(args[0]) - 1 if args and _PAGE.match(args[0]) else 0
    return Response(replies=[views.audit(deps, await service.audit_page(deps, session, page))])


# -- buttons --------------------------------------------------------------------------------


async def _person_card(deps, session, person_id: int, back: str) -> Reply | None:
    card = await service.person_card(deps, session, person_id)
    return views.person_card(deps, card, back) if card else None


async def _relationship_card(deps, session, relationship_id: int, back: str) -> Reply | None:
    card = await service.relationship_card(deps, session, relationship_id)
    return views.relationship_card(deps, card, back) if card else None


_PEOPLE = _Listing("pl", _PERSON_REF, _person_card, PEOPLE_FILTERS, "waiting", service.people_page)
_RELATIONSHIPS = _Listing(
    "rl",
    _RELATIONSHIP_REF,
    _relationship_card,
    RELATIONSHIP_FILTERS,
    "open",
    service.relationships_page,
)


def _refused(card: Reply | None) -> Response:
    """The action is not allowed in the record's state now: say so, show where it stands."""
    if card is None:
        return _gone()
    return Response(toast=t("con_action_not_allowed"), edit=card)


async def _relationship_action(deps, session, coordinator, tap: RelationshipAction) -> Response:
    relationship = await actions.ask_reason(
        deps, session, coordinator, tap.relationship_id, tap.action, tap.weeks
    )
    if relationship is None:
        return _refused(await _relationship_card(deps, session, tap.relationship_id, ""))
    return Response(replies=[views.reason_prompt(relationship, tap.action, tap.weeks)])


async def _person_action(deps, session, coordinator, tap: PersonAction) -> Response:
    person_id, action = tap.person_id, tap.action
    if action not in actions.PERSON_ACTIONS:
        return _stale()
    back = tap.back if views.valid_back(tap.back) else ""
    person = await actions.allowed_person_action(session, person_id, action)
    if person is None:
        return _refused(await _person_card(deps, session, person_id, back))
    if action == "propose":
        outcome = await actions.propose(deps, session, coordinator, person_id)
        if outcome is None:
            return _refused(await _person_card(deps, session, person_id, back))
        return Response(
            replies=[views.outcome_reply(outcome)],
            notices=outcome.notices,
            edit=await _person_card(deps, session, person_id, back),
        )
    if action == "proposal":
        proposal = await matchmaking.open_proposal(session, person_id)
        entry = await session.get(WaitlistEntry, person_id)
        if entry is None:
            return _gone()
        return Response(replies=[await wording.proposal_card(deps, session, proposal, entry)])
    if action == "match":
        workers_free = await service.workers_with_room(session, person_id)
        return Response(edit=views.worker_picker(deps, person_id, workers_free))
    return Response(replies=[Reply(await workers.profile_card(deps, session, person_id))])


async def _match_worker(deps, session, coordinator, tap: MatchWithWorker) -> Response:
    person_id, worker_id = tap.service_user_id, tap.worker_id
    person = await actions.ask_match_reason(deps, session, coordinator, person_id, worker_id)
    if person is None:
        return _refused(await _person_card(deps, session, person_id, ""))
    return Response(replies=[views.match_prompt(person_id, worker_id)])


async def _view(deps, session, coordinator, view: str) -> Response:
    """The other coordinator views, each as a new message (they carry their own buttons)."""
    if view == "pending":
        return Response(replies=await admin.pending_workers(deps, session))
    if view == "waitlist":
        waitlist = await manual.waitlist(deps, session)
        more = ((Button(t("btn_con_match_all"), ConsoleView("matchall")),),)
        return Response(replies=[Reply(waitlist.text, waitlist.buttons + more)])
    if view == "matchall":
        return await manual.match_all(deps, session, coordinator)
    if view == "invites":
        invites = await admin.list_invites(deps, session)
        more = ((Button(t("btn_con_invite"), ConsoleView("invite")),),)
        return Response(replies=[Reply(invites.text, invites.buttons + more)])
    if view == "invite":
        return Response(
            replies=[await admin.create_invite(deps, session, coordinator, Role.PEER_WORKER)]
        )
    if view == "coords":
        return Response(replies=[await admin.list_coordinators(deps, session, coordinator)])
    if view == "wellbeing":
        return Response(replies=[await wellbeing_checkins.summary(deps, session)])
    return Response(replies=[views.export_hint()])


BUTTONS = (
    Dashboard,
    PeoplePage,
    RelationshipsPage,
    AuditTrailPage,
    OpenPerson,
    OpenRelationship,
    RelationshipAction,
    PersonAction,
    MatchWithWorker,
    ConsoleView,
)


@coordinator_only
async def button(deps, session, coordinator: Person, update, context) -> Response:
    match tapped(update):
        case Dashboard():
            return Response(edit=views.dashboard(deps, await service.figures(deps, session)))
        case PeoplePage(name, page) if name in PEOPLE_FILTERS and page <= MAX_PAGE:
            found = await service.people_page(deps, session, name, page)
            return Response(edit=views.list_page(deps, found))
        case RelationshipsPage(name, page) if name in RELATIONSHIP_FILTERS and page <= MAX_PAGE:
            found = await service.relationships_page(deps, session, name, page)
            return Response(edit=views.list_page(deps, found))
        case AuditTrailPage(page) if page <= MAX_PAGE:
            found = await service.audit_page(deps, session, page)
            return Response(edit=views.audit(deps, found))
        case OpenPerson(person_id, back):
            back = back if views.valid_back(back) else ""
            card = await _person_card(deps, session, person_id, back)
            return Response(edit=card) if card else _gone()
        case OpenRelationship(relationship_id, back):
            back = back if views.valid_back(back) else ""
            card = await _relationship_card(deps, session, relationship_id, back)
            return Response(edit=card) if card else _gone()
        case RelationshipAction() as tap:
            return await _relationship_action(deps, session, coordinator, tap)
        case PersonAction() as tap:
            return await _person_action(deps, session, coordinator, tap)
        case MatchWithWorker() as tap:
            return await _match_worker(deps, session, coordinator, tap)
        case ConsoleView(view):
            return await _view(deps, session, coordinator, view)
    return _stale()


COMMANDS = {
    "dashboard": dashboard,
    "people": people_command,
    "relationships": relationships_command,
    "audit": audit_command,
}


async def reason_answer(update, context, person, pending, text, screening) -> bool:
    await reasons.on_text(update, context, text)
    return True


def register(application: Application) -> None:
    answers.register(application, reasons.KINDS, reason_answer)
    for name, handler in COMMANDS.items():
        application.add_handler(CommandHandler(name, handler, filters=PRIVATE))
    on_tap(application, button, *BUTTONS)
