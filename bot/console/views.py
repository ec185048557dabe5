"""How the console reads: figures, lists, cards and the audit trail -> texts and buttons.

The buttons are the console's actions in ``bot.callbacks``, every one re-checked on the server
by the handlers. A card's ``back`` names where it was opened from (``pl.waiting.0``,
``rl.paused.1``, ``p.12``, ``r.5``), so its Back button returns there.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import datetime

from bot.callbacks import (
    Action,
    ApproveWorker,
    AskRejectReason,
    AuditTrailPage,
    ConsoleView,
    Dashboard,
    FlagsPage,
    MatchWithWorker,
    OpenFlag,
    OpenPerson,
    OpenRelationship,
    PeoplePage,
    PersonAction,
    RelationshipAction,
    RelationshipsPage,
)
from bot.console import actions
from bot.console.service import (
    CASELOAD_LINES,
    PEOPLE_FILTERS,
    RELATIONSHIP_FILTERS,
    AuditPage,
    Caseload,
    CheckinTrend,
    Figures,
    FlagSummary,
    Page,
    PersonCard,
    PersonRow,
    RelationshipCard,
    RelationshipRow,
)
from bot.deps import Deps
from bot.lifecycle import PeerWorkerStatus, RelationshipStatus, ServiceUserStatus
from bot.models import AuditLog, Relationship, Role, SafetyFlag
from bot.notify import Button, Reply
from bot.offers import matchmaking
from bot.offers.wording import blocking_text
from bot.relationships import checkins, coordinator_actions
from bot.texts import Markup, has_text, t, tn
from bot.texts.fragments import date_text, elapsed_text, person_ref, worker_ref

BUTTONS_PER_ROW = 5
FLAG_BUTTONS = 5
HISTORY_LINES = 15
AUDIT_REASON_SHOWN = 200  # ten entries must fit in one message
_BACK = re.compile(r"^(?:(pl|rl)\.([a-z]{1,12})\.(\d{1,4})|(p|r)\.(\d{1,9})|au\.(\d{1,4}))$")


def _date(deps: Deps, moment: datetime | None) -> str:
    return date_text(deps.config, moment, weekday=False) if moment else "—"


def _stamp(deps: Deps, moment: datetime) -> str:
    return date_text(deps.config, moment, weekday=False, year=False, time=True)


def _rows(buttons: list[Button], per_row: int = BUTTONS_PER_ROW) -> list[tuple[Button, ...]]:
    return [tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


def home_button() -> Button:
    return Button(t("btn_con_dashboard"), Dashboard())


def valid_back(token: str) -> bool:
    found = _BACK.match(token)
    if not found:
        return False
    kind, name = found.group(1), found.group(2)
    if kind == "pl":
        return name in PEOPLE_FILTERS
    if kind == "rl":
        return name in RELATIONSHIP_FILTERS
    return True


def list_page_action(kind: str, name: str, page: int) -> Action:
    return PeoplePage(name, page) if kind == "pl" else RelationshipsPage(name, page)


def _back_action(token: str) -> Action | None:
    if not valid_back(token):
        return None
    kind, _, rest = token.partition(".")
    if kind in ("pl", "rl"):
        name, _, page = rest.partition(".")
        return list_page_action(kind, name, int(page))
    if kind == "au":
        return AuditTrailPage(int(rest))
    return OpenPerson(int(rest)) if kind == "p" else OpenRelationship(int(rest))


def _footer(back: str) -> tuple[Button, ...]:
    action = _back_action(back)
    home = home_button()
    return (Button(t("btn_con_back"), action), home) if action else (home,)


# -- the dashboard --------------------------------------------------------------------------


def _caseload_line(caseload: Caseload) -> str:
    notes = []
    if caseload.held:
        notes.append(tn("con_caseload_held", caseload.held))
    if caseload.full:
        notes.append(t("con_caseload_full"))
    if not caseload.taking_new:
        notes.append(t("con_caseload_not_taking"))
    if not caseload.reachable:
        notes.append(t("con_unreachable_short"))
    return t(
        "con_caseload_line",
        name=caseload.name,
        ref=worker_ref(caseload.worker_id),
        open=caseload.open,
        cap=caseload.cap,
        notes=Markup("".join(f" · {note}" for note in notes)),
    )


def dashboard(deps: Deps, figures: Figures) -> Reply:
    f = figures
    longest = t("con_longest", wait=elapsed_text(f.longest_wait)) if f.longest_wait else ""
    lines = [
        t("con_dash_title", service=deps.config.service.name, when=_stamp(deps, f.at)),
        "",
        t("con_dash_waiting", count=f.waiting, longest=longest),
        t("con_dash_review", count=f.to_review),
        t("con_dash_offers", choosing=f.choosing, asked=tn("dash_workers_asked", f.workers_asked)),
        t("con_dash_relationships", active=f.active, paused=f.paused),
        t("con_dash_ending", count=f.ending_soon),
        t(
            "dash_closed",
            completed_month=f.completed[0],
            early_month=f.ended_early[0],
            completed_total=f.completed[1],
            early_total=f.ended_early[1],
        ),
        t("con_dash_overdue", count=f.overdue),
        t(
            "con_dash_flags",
            count=f.flags_open,
            hour=f.flags_over_hour,
            day=f.flags_over_day,
            unacked=f.flags_unacknowledged,
        ),
        t("con_dash_pending", count=f.pending_workers),
        t("con_dash_supervision", count=f.supervision_overdue),
        t(
            "con_dash_fit",
            user_good=f.fit_service_users.get("good", 0),
            user_unsure=f.fit_service_users.get("unsure", 0) + f.fit_service_users.get("talk", 0),
            user_other=f.fit_service_users.get("other", 0),
            worker_good=f.fit_workers.get("good", 0),
            worker_unsure=f.fit_workers.get("unsure", 0) + f.fit_workers.get("talk", 0),
            worker_not_fit=f.fit_workers.get("not_fit", 0),
        ),
        "",
        t("con_dash_caseloads"),
    ]
    lines += [_caseload_line(c) for c in f.caseloads[:CASELOAD_LINES]]
    if len(f.caseloads) > CASELOAD_LINES:
        lines.append(t("con_dash_more_workers", count=len(f.caseloads) - CASELOAD_LINES))
    if not f.caseloads:
        lines.append(t("con_dash_no_workers"))
    buttons = (
        (
            Button(t("btn_con_waiting", n=f.waiting), PeoplePage("waiting", 0)),
            Button(t("btn_con_choosing", n=f.choosing), PeoplePage("offered", 0)),
            Button(t("btn_con_asked", n=f.workers_asked), RelationshipsPage("requested", 0)),
        ),
        (
            Button(t("btn_con_active", n=f.active), RelationshipsPage("active", 0)),
            Button(t("btn_con_paused", n=f.paused), RelationshipsPage("paused", 0)),
            Button(t("btn_con_ending", n=f.ending_soon), RelationshipsPage("ending", 0)),
            Button(
                t("dash_btn_closed", n=f.completed[1] + f.ended_early[1]),
                RelationshipsPage("ended", 0),
            ),
        ),
        (
            Button(t("btn_con_overdue", n=f.overdue), RelationshipsPage("overdue", 0)),
            Button(t("btn_con_flags", n=f.flags_open), FlagsPage(0)),
            Button(t("btn_con_flagged"), RelationshipsPage("flagged", 0)),
        ),
        (
            Button(t("btn_con_people"), PeoplePage("matched", 0)),
            Button(t("btn_con_workers"), PeoplePage("workers", 0)),
            Button(t("btn_con_pending", n=f.pending_workers), ConsoleView("pending")),
        ),
        (
            Button(t("btn_con_waitlist"), ConsoleView("waitlist")),
            Button(t("btn_con_invites"), ConsoleView("invites")),
            Button(t("btn_con_coordinators"), ConsoleView("coords")),
        ),
        (
            Button(t("btn_con_wellbeing"), ConsoleView("wellbeing")),
            Button(t("btn_con_export"), ConsoleView("export")),
            Button(t("btn_con_audit"), AuditTrailPage(0)),
        ),
        (Button(t("btn_con_refresh"), Dashboard()),),
    )
    return Reply(Markup("\n".join(lines)), buttons)


# -- lists ----------------------------------------------------------------------------------


def status_label(role: str | None, status: str | None) -> str:
    if not (role and status):
        return t("con_status_none")
    key = f"con_status_{role}_{status}"
    return t(key) if has_text(key) else status


def person_name(row_role: str | None, person_id: int, name: str | None) -> str:
    if row_role == Role.PEER_WORKER:
        ref = worker_ref(person_id)
        return f"{name} ({ref})" if name else ref
    return person_ref(person_id)


def _person_line(deps: Deps, row: PersonRow) -> str:
    person = row.person
    name = person_name(person.role, person.id, row.worker.display_name if row.worker else None)
    status = status_label(person.role, person.status)
    if (
        person.role == Role.PEER_WORKER
        and row.worker is not None
        and person.status == PeerWorkerStatus.APPROVED
    ):
        detail = t("con_row_caseload", open=row.caseload, cap=row.worker.max_caseload)
        if not row.worker.taking_new_matches:
            detail += f" · {t('con_caseload_not_taking')}"
    elif person.status == ServiceUserStatus.WAITING and row.since is not None:
        status, detail = t("con_row_waited", wait=elapsed_text(deps.now() - row.since)), ""
    else:
        detail = t("con_row_since", date=_date(deps, row.since))
    unreachable = f" · {t('con_unreachable_short')}" if not person.reachable else ""
    return t(
        "con_person_line",
        name=name,
        status=status,
        detail=Markup(detail),
        notes=Markup(unreachable),
    )


def relationship_line(deps: Deps, row: RelationshipRow, with_user: bool = True) -> str:
    r = row.relationship
    notes = []
    if row.flagged:
        notes.append(t("con_flagged_short"))
    if row.overdue:
        notes.append(t("con_overdue_short"))
    return t(
        "con_relationship_line",
        ref=f"R{r.id}",
        user=person_ref(r.service_user_id),
        worker=person_name(Role.PEER_WORKER, r.peer_worker_id, row.worker_name),
        status=t(f"con_rel_status_{r.status}"),
        dates=Markup(_relationship_dates(deps, r)),
        notes=Markup("".join(f" · {n}" for n in notes)),
    )


def _relationship_dates(deps: Deps, r: Relationship) -> str:
    if r.status == RelationshipStatus.REQUESTED:
        return t("con_dates_asked", asked=_date(deps, r.created_at))
    if r.status in (RelationshipStatus.ACTIVE, RelationshipStatus.PAUSED):
        return t(
            "con_dates_running",
            started=_date(deps, r.started_at),
            ends=_date(deps, r.planned_end_at),
        )
    if r.started_at is None:  # declined, expired, withdrawn
        return t("con_dates_asked", asked=_date(deps, r.created_at))
    return t("con_dates_ended", started=_date(deps, r.started_at), ended=_date(deps, r.ended_at))


def _filter_buttons(kind: str, current: str, names) -> list[tuple[Button, ...]]:
    buttons = [
        Button(
            ("• " if name == current else "") + t(f"con_filter_{kind}_{name}"),
            list_page_action(kind, name, 0),
        )
        for name in names
    ]
    return _rows(buttons, 3)


def _nav(page_action: Callable[[int], Action], number: int, pages: int) -> tuple[Button, ...]:
    nav = []
    if number > 0:
        nav.append(Button(t("btn_con_previous"), page_action(number - 1)))
    if number < pages - 1:
        nav.append(Button(t("btn_con_next"), page_action(number + 1)))
    return tuple(nav)


def list_page(deps: Deps, page: Page) -> Reply:
    kind, name = page.kind, page.filter
    title = t(
        f"con_{kind}_title",
        filter=t(f"con_filter_{kind}_{name}"),
        total=page.total,
        page=page.number + 1,
        pages=page.pages,
    )
    back = f"{kind}.{name}.{page.number}"
    if kind == "pl":
        lines = [_person_line(deps, row) for row in page.rows]
        opens = [
            Button(
                person_ref(row.person.id)
                if row.person.role != Role.PEER_WORKER
                else worker_ref(row.person.id),
                OpenPerson(row.person.id, back),
            )
            for row in page.rows
        ]
        filters = PEOPLE_FILTERS
    else:
        lines = [relationship_line(deps, row) for row in page.rows]
        opens = [
            Button(f"R{row.relationship.id}", OpenRelationship(row.relationship.id, back))
            for row in page.rows
        ]
        filters = RELATIONSHIP_FILTERS
    body = "\n".join(lines) if lines else t("con_list_empty")
    buttons = _rows(opens)
    nav = _nav(functools.partial(list_page_action, kind, name), page.number, page.pages)
    if nav:
        buttons.append(nav)
    buttons += _filter_buttons(kind, name, filters)
    buttons.append((home_button(),))
    return Reply(Markup(f"{title}\n\n{body}"), tuple(buttons))


def usage(kind: str) -> Reply:
    names = PEOPLE_FILTERS if kind == "pl" else RELATIONSHIP_FILTERS
    return Reply(t(f"con_{kind}_usage", filters=", ".join(names)))


# -- cards ----------------------------------------------------------------------------------


def _trend(trend: CheckinTrend) -> str:
    if not (trend.answered or trend.missed or trend.awaiting):
        return t("con_checkins_none")
    scores = " → ".join(str(s) for s in trend.scores) if trend.scores else "—"
    return t(
        "con_checkins",
        scores=scores,
        answered=trend.answered,
        missed=trend.missed,
        awaiting=trend.awaiting,
    )


def _flag_lines(deps: Deps, flags: FlagSummary) -> str:
    return t("con_flags", open=len(flags.open), resolved=flags.resolved)


def _flag_kind(kind: str) -> str:
    key = f"con_flag_kind_{kind}"
    return t(key) if has_text(key) else kind


def _flag_buttons(deps: Deps, flags: list[SafetyFlag]) -> list[tuple[Button, ...]]:
    buttons = [
        Button(
            t(
                "btn_con_flag",
                id=flag.id,
                kind=_flag_kind(flag.kind),
                age=elapsed_text(deps.now() - flag.raised_at),
            ),
            OpenFlag(flag.id),
        )
        for flag in flags[:FLAG_BUTTONS]
    ]
    return _rows(buttons, 1)


def person_card(deps: Deps, card: PersonCard, back: str) -> Reply:
    person = card.person
    lines = []
    if person.role == Role.SERVICE_USER:
        lines.append(t("con_card_user_title", ref=card.name or person_ref(person.id)))
    else:
        name = card.worker.display_name if card.worker else ""
        lines.append(
            t(
                "con_card_worker_title",
                name=name or worker_ref(person.id),
                ref=worker_ref(person.id),
            )
        )
    lines.append(
        t(
            "con_card_status",
            status=status_label(person.role, person.status),
            since=_date(deps, card.since),
            ago=elapsed_text(deps.now() - card.since),
        )
    )
    if not person.reachable:
        lines.append(t("con_card_unreachable"))
    if person.erased_at is not None:
        lines.append(t("con_card_erased", date=_date(deps, person.erased_at)))
    if person.role == Role.SERVICE_USER:
        lines += _user_lines(deps, card)
    else:
        lines += _worker_lines(deps, card)
    lines.append("")
    lines.append(t("con_card_relationships"))
    if len(card.relationships) > HISTORY_LINES:
        lines.append(t("con_card_earlier", count=len(card.relationships) - HISTORY_LINES))
    if card.relationships:
        lines += [relationship_line(deps, row) for row in card.relationships[-HISTORY_LINES:]]
    else:
        lines.append(t("con_card_no_relationships"))
    if person.role == Role.SERVICE_USER:
        lines.append("")
        lines.append(_trend(card.trend))
    lines.append(_flag_lines(deps, card.flags))
    if card.profile:
        lines += ["", t("con_card_profile", profile=Markup(card.profile))]
    buttons = _rows(
        [
            Button(
                f"R{row.relationship.id}", OpenRelationship(row.relationship.id, f"p.{person.id}")
            )
            for row in card.relationships[-10:]
        ]
    )
    buttons += _flag_buttons(deps, card.flags.open)
    buttons += _person_action_buttons(card, back)
    buttons.append(_footer(back))
    return Reply(Markup("\n".join(lines)), tuple(buttons))


def _user_lines(deps: Deps, card: PersonCard) -> list[str]:
    lines = []
    if card.entry is not None:
        lines.append(
            t(
                "con_card_waitlist",
                since=_date(deps, card.entry.since),
                declines=card.entry.declines,
            )
        )
        if card.entry.blocking:
            lines.append(t("con_card_blocking", why=blocking_text(card.entry.blocking)))
    if card.proposal is not None:
        offered = ", ".join(worker_ref(i) for i in card.proposal.offered_worker_ids)
        in_review = card.proposal.status == matchmaking.REVIEW
        key = "con_card_proposal_review" if in_review else "con_card_proposal_offered"
        lines.append(t(key, id=card.proposal.id, workers=offered))
    declined = [
        row
        for row in card.relationships
        if row.relationship.status in (RelationshipStatus.DECLINED, RelationshipStatus.EXPIRED)
    ]
    if declined and card.entry is None:  # while waiting, the waitlist line counts them
        lines.append(t("con_card_declined", count=len(declined)))
    if card.exclusions:
        excluded = ", ".join(
            t("con_exclusion", ref=worker_ref(e.peer_worker_id), reason=e.reason.replace("_", " "))
            for e in card.exclusions[-HISTORY_LINES:]
        )
        lines.append(t("con_card_exclusions", list=Markup(excluded)))
    return lines


def _worker_lines(deps: Deps, card: PersonCard) -> list[str]:
    lines = []
    if card.worker is not None and card.person.status == PeerWorkerStatus.APPROVED:
        notes = "" if card.worker.taking_new_matches else f" · {t('con_caseload_not_taking')}"
        lines.append(
            t(
                "con_card_caseload",
                open=card.caseload,
                cap=card.worker.max_caseload,
                notes=Markup(notes),
            )
        )
    lines.append(t("con_card_worker_declined", count=card.declined_by_worker))
    return lines


def _person_action_buttons(card: PersonCard, back: str) -> list[tuple[Button, ...]]:
    person = card.person
    rows: list[tuple[Button, ...]] = []
    if person.role == Role.PEER_WORKER and person.status == PeerWorkerStatus.PENDING_APPROVAL:
        rows.append(
            (
                Button(t("btn_approve"), ApproveWorker(person.id)),
                Button(t("btn_reject"), AskRejectReason(person.id)),
            )
        )
    has_open = card.proposal is not None
    in_review = has_open and card.proposal.status == matchmaking.REVIEW
    for action in actions.person_actions(person, has_open, in_review, card.worker is not None):
        tap = PersonAction(person.id, action, back)
        rows.append((Button(t(f"btn_con_person_{action}"), tap),))
    return rows


def relationship_card(deps: Deps, card: RelationshipCard, back: str) -> Reply:
    row = card.row
    r = row.relationship
    worker = person_name(Role.PEER_WORKER, r.peer_worker_id, row.worker_name)
    lines = [
        t("con_card_rel_title", ref=f"R{r.id}", user=person_ref(r.service_user_id), worker=worker),
        t("con_card_rel_status", status=t(f"con_rel_status_{r.status}")),
        t(
            "con_card_rel_dates",
            asked=_date(deps, r.created_at),
            started=_date(deps, r.started_at),
            ends=_date(deps, r.planned_end_at),
        ),
    ]
    if r.status == RelationshipStatus.PAUSED:
        lines.append(
            t(
                "con_card_rel_paused",
                since=_date(deps, r.paused_at),
                review=_date(deps, r.review_at),
            )
        )
    if r.ended_at is not None:
        reason = r.end_reason.replace("_", " ") if r.end_reason else "—"
        lines.append(t("con_card_rel_ended", date=_date(deps, r.ended_at), reason=reason))
    if r.started_at is not None:
        lines.append(
            t(
                "con_card_rel_contact",
                first=_date(deps, r.first_contact_at),
                last=_date(deps, r.last_contact_at),
                user=r.messages_from_service_user,
                worker=r.messages_from_worker,
            )
        )
    if r.fit_asked_at is not None:
        lines.append(
            t(
                "con_card_rel_fit",
                user=t(f"fit_said_{r.fit_service_user}") if r.fit_service_user else "—",
                worker=t(f"fit_said_{r.fit_worker}") if r.fit_worker else "—",
            )
        )
    if r.boundary_held or r.boundary_blocked:
        lines.append(
            t(
                "con_card_rel_boundaries",
                held=r.boundary_held,
                sent=r.boundary_sent_anyway,
                blocked=r.boundary_blocked,
            )
        )
    if card.plan is not None:
        lines.append(t("con_card_rel_plan", plan=checkins.describe(deps, card.plan)))
    trend = _trend(card.trend)
    if row.overdue:
        trend += f" · {t('con_overdue_short')}"
    lines += [trend, _flag_lines(deps, card.flags)]
    buttons = _relationship_action_buttons(r)
    buttons += _flag_buttons(deps, card.flags.open)
    buttons.append(
        (
            Button(person_ref(r.service_user_id), OpenPerson(r.service_user_id, f"r.{r.id}")),
            Button(worker, OpenPerson(r.peer_worker_id, f"r.{r.id}")),
        )
    )
    buttons.append(_footer(back))
    return Reply(Markup("\n".join(lines)), tuple(buttons))


def _weeks_row(r: Relationship, action: str, weeks: tuple[int, ...]) -> tuple[Button, ...]:
    """One button for each number of weeks the action (pause, extend) can take."""
    return tuple(
        Button(t(f"btn_con_{action}", n=w), RelationshipAction(r.id, action, w)) for w in weeks
    )


def _relationship_action_buttons(r: Relationship) -> list[tuple[Button, ...]]:
    rows: list[tuple[Button, ...]] = []
    allowed = coordinator_actions.actions_for(r)
    if "pause" in allowed:
        rows.append(_weeks_row(r, "pause", coordinator_actions.PAUSE_WEEKS))
    if "resume" in allowed:
        rows.append((Button(t("btn_con_resume"), RelationshipAction(r.id, "resume")),))
    if "extend" in allowed:
        rows.append(_weeks_row(r, "extend", coordinator_actions.EXTEND_WEEKS))
    if "close" in allowed:
        rows.append((Button(t("btn_con_close"), RelationshipAction(r.id, "close")),))
    return rows


def reason_prompt(relationship: Relationship, action: str, weeks: int) -> Reply:
    return Reply(t(f"con_ask_{action}", ref=f"R{relationship.id}", weeks=tn("pause_weeks", weeks)))


def outcome_reply(outcome: actions.Outcome) -> Reply:
    buttons: tuple[tuple[Button, ...], ...] = ()
    if outcome.relationship_id is not None:
        ref = f"R{outcome.relationship_id}"
        buttons = (
            (Button(t("btn_con_open", ref=ref), OpenRelationship(outcome.relationship_id)),),
        )
    elif outcome.person_id is not None:
        ref = person_ref(outcome.person_id)
        buttons = ((Button(t("btn_con_open", ref=ref), OpenPerson(outcome.person_id)),),)
    return Reply(t(outcome.key, **outcome.params), buttons)


def worker_picker(deps: Deps, person_id: int, workers: list[Caseload]) -> Reply:
    ref = person_ref(person_id)
    if not workers:
        return Reply(
            t("con_match_nobody_free", ref=ref),
            (_footer(f"p.{person_id}"),),
        )
    buttons = [
        (
            Button(
                t(
                    "btn_con_match_worker",
                    name=w.name,
                    ref=worker_ref(w.worker_id),
                    open=w.open,
                    cap=w.cap,
                ),
                MatchWithWorker(person_id, w.worker_id),
            ),
        )
        for w in workers[:20]
    ]
    buttons.append(_footer(f"p.{person_id}"))
    return Reply(t("con_match_pick", ref=ref), tuple(buttons))


def match_prompt(person_id: int, worker_id: int) -> Reply:
    return Reply(t("con_ask_match", ref=person_ref(person_id), worker=worker_ref(worker_id)))


# -- the audit trail ------------------------------------------------------------------------


def _subject(entry: AuditLog, roles: dict[int, str | None]) -> str:
    if entry.subject_id is None:
        return entry.subject_type.replace("_", " ")
    if entry.subject_type == "relationship":
        return f"R{entry.subject_id}"
    if entry.subject_type == "person":
        role = roles.get(entry.subject_id)
        if role == Role.SERVICE_USER:
            return person_ref(entry.subject_id)
        if role == Role.PEER_WORKER:
            return worker_ref(entry.subject_id)
        return f"#{entry.subject_id}"
    return f"{entry.subject_type.replace('_', ' ')} #{entry.subject_id}"


def _clip(text: str, limit: int = AUDIT_REASON_SHOWN) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def audit(deps: Deps, page: AuditPage) -> Reply:
    title = t("con_audit_title", total=page.total, page=page.number + 1, pages=page.pages)
    lines = []
    for entry in page.rows:
        reason = t("con_audit_reason", reason=_clip(entry.reason)) if entry.reason else ""
        lines.append(
            t(
                "con_audit_line",
                when=_stamp(deps, entry.at),
                actor=entry.actor_person_id,
                action=entry.action.replace(".", ": ").replace("_", " "),
                subject=_subject(entry, page.roles),
                reason=reason,
            )
        )
    body = "\n".join(lines) if lines else t("con_audit_empty")
    buttons = []
    nav = _nav(AuditTrailPage, page.number, page.pages)
    if nav:
        buttons.append(nav)
    buttons.append((home_button(),))
    return Reply(Markup(f"{title}\n\n{body}"), tuple(buttons))


def export_hint() -> Reply:
    return Reply(t("con_export_hint"))
