"""The rules of the safety net: screening for risk, the flag queue, escalation, concerns and
reports.

A flag is raised at once and every coordinator is told; it stays open until a coordinator
resolves it with a note. Unacknowledged flags are sent again after ``safety.ack_within``, to
the coordinators and the escalation contacts. Every step is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import crisis, lifecycle, people
from bot import pending as pending_input
from bot.callbacks import (
    AcknowledgeFlag,
    AskEndAndExclude,
    CancelReport,
    ConcernFor,
    EndAndExclude,
    FlagsPage,
    OpenFlag,
    ReportFor,
    ReportReason,
    ReportWithoutNote,
    ResolveFlag,
)
from bot.config import Config
from bot.deps import Deps
from bot.forms import runner
from bot.lifecycle import RelationshipStatus
from bot.models import (
    FlagKind,
    PeerWorkerProfile,
    PendingInput,
    Person,
    Relationship,
    Role,
    SafetyFlag,
)
from bot.notify import Button, Notice, Reply, Response, notice_to, rendered_in, saying, saying_count
from bot.offers.wording import worker_name
from bot.relationships import access, checkins, closure, relay
from bot.safety import plan
from bot.safety.lexicon import Lexicon, Match
from bot.texts import current_language, has_text, t, tn
from bot.texts.fragments import crisis_lines_text, date_text, elapsed_text, person_ref, worker_ref

FLAG_RESOLUTION = "flag_resolution"  # PendingInput kinds: a coordinator's note,
CONCERN = "concern"  # a worker's concern,
REPORT_NOTE = "report_note"  # what a reporter adds
PENDING_KINDS = (FLAG_RESOLUTION, CONCERN, REPORT_NOTE)

REPORT_REASONS = ("disrespect", "boundaries", "unsafe", "no_show", "other")
OPEN_STATUSES = (RelationshipStatus.ACTIVE, RelationshipStatus.PAUSED)
MAX_ESCALATIONS = 3  # then the flag waits in /flags and on the dashboard, without more pings
PAGE_SIZE = 8
DETAIL_LIMIT = 1000
ANSWER_WITHIN = timedelta(minutes=15)
SAFETY_PLAN_SOURCE = "safety_plan"  # a risk phrase in the words of someone's own plan
EXCERPT_LIMIT = 300

_lexicons: dict[int, tuple[Config, dict[str, Lexicon]]] = {}


def lexicon(config: Config, language: str) -> Lexicon:
    """The compiled lexicon for a language (the service's language when it has none)."""
    cached = _lexicons.get(id(config))
    if cached is None or cached[0] is not config:
        compiled = {lang: Lexicon.build(cats) for lang, cats in config.safety.lexicon.items()}
        cached = _lexicons[id(config)] = (config, compiled)
    compiled = cached[1]
    return compiled.get(language) or compiled.get(config.service.language) or Lexicon((), ())


def found_in(config: Config, language: str, text: str | None) -> Match | None:
    """Screening: the person's language's lexicon, then English's and the service default's
    (people mix languages, and English words turn up in any of them)."""
    if not text or not text.strip():
        return None
    for each in dict.fromkeys((language, "en", config.service.language)):
        if each in config.safety.lexicon:
            match = lexicon(config, each).find(text)
            if match is not None:
                return match
    return None


def might_be_at_risk(config: Config, text: str | None) -> bool:
    """Whether the lexicon of a language the service speaks (or English's) finds a phrase:
    when none does (nearly always), the message needs no screening by person, and so no
    database."""
    if not text or not text.strip():
        return False
    spoken = dict.fromkeys(("en", *config.service.languages))
    return any(
        lexicon(config, language).find(text)
        for language in spoken
        if language in config.safety.lexicon
    )


@dataclass
class Screening:
    """What a risk phrase set in motion: the sender's crisis lines, coordinators' flags, and a
    word for the worker (sent after the message itself reaches them)."""

    flag_id: int
    replies: list[Reply] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    worker_notices: list[Notice] = field(default_factory=list)


async def open_relationship(session: AsyncSession, person: Person) -> Relationship | None:
    """A service user's current relationship (active or paused), if any."""
    rows = await session.exec(
        select(Relationship)
        .where(Relationship.service_user_id == person.id, Relationship.status.in_(OPEN_STATUSES))
        .order_by(Relationship.id.desc())
    )
    return rows.first()


async def _source(session: AsyncSession, person: Person | None, pending_kind: str | None) -> str:
    """Where the words were going, for the flag: coordinators read it as context."""
    if pending_kind is not None:
        return {
            checkins.NOTE: "checkin_note",
            closure.SURVEY_COMMENT: "survey",
            plan.PENDING: SAFETY_PLAN_SOURCE,
        }.get(pending_kind, "reply")
    if person is None:
        return "bot"
    if await runner.load(session, person.id) is not None:
        return "onboarding"
    relationship = await open_relationship(session, person)
    if relationship is not None and relationship.status == RelationshipStatus.ACTIVE:
        return "relay"
    return "bot"


async def screen(
    deps: Deps,
    session: AsyncSession,
    telegram_id: int,
    text: str,
    pending_kind: str | None = None,
    source: str | None = None,
    crisis_lines_sent: bool = False,
    edit_of: int | None = None,
) -> Screening | None:
    """Check something a service user (or someone not yet onboarded) wrote for risk.
    ``crisis_lines_sent``: they went out from memory already (the database was away).
    ``edit_of``: the text is their edit of this message of theirs."""
    if not might_be_at_risk(deps.config, text):
        return None
    person = await people.find(session, telegram_id)
    match = found_in(deps.config, person.language if person else current_language(), text)
    if match is None:
        return None
    if person is None:
        person = await people.find_or_create(session, telegram_id, deps.now())
    if person.role == Role.PEER_WORKER or await people.is_coordinator(session, person.id):
        return None  # staff are not screened; they can raise a concern with /concern
    now = deps.now()
    relationship = await open_relationship(session, person)
    source = source or await _source(session, person, pending_kind)
    repeat = (
        await session.exec(
            select(SafetyFlag).where(
                SafetyFlag.kind == FlagKind.RISK,
                SafetyFlag.about_person_id == person.id,
                SafetyFlag.category == match.category,
                SafetyFlag.resolved_at.is_(None),
                SafetyFlag.acknowledged_at.is_(None),
            )
        )
    ).first()
    # Never the words of someone's own safety plan: the flag says only that it was there.
    # An edit is quoted only if it is of a relayed message: it could be of an answer to a
    # plan step, or to anything else that went no further than the bot.
    quoted = deps.config.safety.include_excerpt and source != SAFETY_PLAN_SOURCE
    if quoted and edit_of is not None:
        quoted = (await session.exec(relay.sent_original(person.id, edit_of))).first() is not None
    excerpt = " ".join(text.split())[:EXCERPT_LIMIT] if quoted else None
    if repeat is not None and now - (repeat.escalated_at or repeat.raised_at) < (
        deps.config.safety.ack_within
    ):
        # Coordinators were alerted moments ago: no second alert; escalation follows it up.
        flag = repeat
        await _audit(session, now, person.id, "flag.repeated", flag, match.category)
        screening = Screening(flag.id)
    elif repeat is not None:
        # Still nobody has acknowledged, and they are writing again: alert everyone again
        # and start the escalation over, however many times it has been sent before.
        flag = repeat
        flag.escalations, flag.escalated_at = 0, now
        session.add(flag)
        await _audit(session, now, person.id, "flag.repeated", flag, match.category)
        screening = Screening(
            flag.id,
            notices=await _to_coordinators(deps, session, flag, "safety_flag_repeated")
            + await _to_escalation_contacts(deps, session, flag, "safety_flag_repeated"),
        )
    else:
        flag = SafetyFlag(
            kind=FlagKind.RISK,
            about_person_id=person.id,
            relationship_id=relationship.id if relationship else None,
            source=source,
            category=match.category,
            detail=excerpt,
            raised_at=now,
        )
        session.add(flag)
        await session.flush()
        await _audit(session, now, None, "flag.raised", flag, match.category)
        screening = Screening(
            flag.id, notices=await _to_coordinators(deps, session, flag, "safety_flag_new")
        )
    last = person.crisis_lines_sent_at
    if crisis_lines_sent or last is None or now - last >= deps.config.safety.crisis_lines_every:
        person.crisis_lines_sent_at = now
        session.add(person)
        if not crisis_lines_sent:
            own = await plan.first_aid(session, person)
            screening.replies.append(crisis.crisis_lines(deps.config, own))
    if (
        repeat is None
        and relationship is not None
        and relationship.status == RelationshipStatus.ACTIVE
        and source in ("relay", "checkin_note")
    ):
        worker = await session.get(Person, relationship.peer_worker_id)
        name = await worker_name(session, person.id)
        screening.worker_notices.append(
            await notice_to(worker, saying("safety_worker_told", ref=name))
        )
    return screening


# -- what coordinators see ---------------------------------------------------------------------


async def _audit(
    session: AsyncSession,
    at: datetime,
    actor_id: int | None,
    action: str,
    flag: SafetyFlag,
    reason: str | None = None,
) -> None:
    await lifecycle.audit(
        session,
        at=at,
        actor_id=actor_id,
        action=action,
        subject_type="safety_flag",
        subject_id=flag.id,
        reason=reason,
    )


def _local(deps: Deps, moment: datetime) -> str:
    return date_text(deps.config, moment, year=False, time=True)


async def _worker_label(session: AsyncSession, worker_id: int | None) -> str:
    if worker_id is None:
        return t("safety_no_worker")
    profile = await session.get(PeerWorkerProfile, worker_id)
    name = profile.display_name if profile else ""
    return f"{worker_ref(worker_id)} {name}".strip()


async def flag_card(deps: Deps, session: AsyncSession, flag: SafetyFlag, heading: str) -> Reply:
    """One flag as coordinators see it, with the actions open to them now."""
    about = await session.get(Person, flag.about_person_id)
    relationship = (
        await session.get(Relationship, flag.relationship_id) if flag.relationship_id else None
    )
    if about.role == Role.PEER_WORKER:
        who = await _worker_label(session, about.id)
        other = person_ref(relationship.service_user_id) if relationship else t("safety_none")
    else:
        who = person_ref(about.id)
        other = await _worker_label(session, relationship.peer_worker_id if relationship else None)
    lines = [
        t(heading, id=flag.id, kind=t(f"safety_kind_{flag.kind}")),
        t("safety_card_who", who=who, other=other),
        t("safety_card_when", when=_local(deps, flag.raised_at)),
        t(
            "safety_card_what",
            category=t(f"safety_category_{flag.category}")
            if _known_category(flag.category)
            else flag.category,
            source=t(f"safety_source_{flag.source}"),
        ),
    ]
    if flag.raised_by_person_id and flag.raised_by_person_id != flag.about_person_id:
        raiser = await session.get(Person, flag.raised_by_person_id)
        by = (
            await _worker_label(session, raiser.id)
            if raiser.role == Role.PEER_WORKER
            else person_ref(raiser.id)
        )
        lines.append(t("safety_card_raised_by", who=by))
    if flag.detail:
        lines.append(t("safety_card_detail", detail=flag.detail))
    if flag.acknowledged_at:
        lines.append(
            t(
                "safety_card_acknowledged",
                who=_coordinator_ref(flag.acknowledged_by_person_id),
                when=_local(deps, flag.acknowledged_at),
            )
        )
    elif flag.escalations:
        lines.append(tn("safety_card_escalated", flag.escalations))
    if flag.resolved_at:
        lines.append(
            t(
                "safety_card_resolved",
                who=_coordinator_ref(flag.resolved_by_person_id),
                when=_local(deps, flag.resolved_at),
                note=flag.resolution or "—",
            )
        )
    return Reply("\n".join(lines), _flag_buttons(flag, relationship))


def _known_category(category: str) -> bool:
    return has_text(f"safety_category_{category}")


def _coordinator_ref(person_id: int | None) -> str:
    return t("safety_coordinator_ref", id=person_id) if person_id else t("safety_system")


def _flag_buttons(
    flag: SafetyFlag, relationship: Relationship | None
) -> tuple[tuple[Button, ...], ...]:
    if flag.resolved_at:
        return ()
    rows: list[tuple[Button, ...]] = []
    if not flag.acknowledged_at:
        rows.append((Button(t("btn_flag_acknowledge"), AcknowledgeFlag(flag.id)),))
    rows.append((Button(t("btn_flag_resolve"), ResolveFlag(flag.id)),))
    if (
        flag.kind == FlagKind.REPORT
        and relationship is not None
        and relationship.status in OPEN_STATUSES
    ):
        rows.append((Button(t("btn_flag_end_exclude"), AskEndAndExclude(flag.id)),))
    return tuple(rows)


async def _to_coordinators(
    deps: Deps, session: AsyncSession, flag: SafetyFlag, heading: str
) -> list[Notice]:
    return await people.coordinator_notices(
        session, partial(flag_card, deps, session, flag, heading)
    )


# -- escalation ---------------------------------------------------------------------------------


async def sweep(deps: Deps, session: AsyncSession) -> list[Notice]:
    """Send again every flag nobody has acknowledged within ``safety.ack_within``."""
    now = deps.now()
    wait = deps.config.safety.ack_within
    unacknowledged = (
        await session.exec(
            select(SafetyFlag)
            .where(
                SafetyFlag.acknowledged_at.is_(None),
                SafetyFlag.resolved_at.is_(None),
                SafetyFlag.escalations < MAX_ESCALATIONS,
            )
            .order_by(SafetyFlag.raised_at)
            .with_for_update(skip_locked=True)
        )
    ).all()
    notices: list[Notice] = []
    for flag in unacknowledged:
        if (flag.escalated_at or flag.raised_at) + wait > now:
            continue
        flag.escalations += 1
        flag.escalated_at = now
        session.add(flag)
        await _audit(session, now, None, "flag.escalated", flag, f"escalation {flag.escalations}")
        notices += await _to_coordinators(deps, session, flag, "safety_flag_escalated")
        notices += await _to_escalation_contacts(deps, session, flag, "safety_flag_escalated")
    return notices


async def _to_escalation_contacts(
    deps: Deps, session: AsyncSession, flag: SafetyFlag, heading: str
) -> list[Notice]:
    """The flag without buttons (acknowledging is for coordinators), with a word on why."""

    async def text() -> Reply:
        card = await flag_card(deps, session, flag, heading)
        return Reply(f"{card.text}\n\n{t('safety_escalation_contact_footer')}")

    notices = []
    for telegram_id in deps.config.safety.escalation_contacts:
        contact = await people.find(session, telegram_id)
        language = contact.language if contact else deps.config.service.language
        said = await rendered_in(language, text)
        notices.append(
            Notice(telegram_id, said, contact.id if contact else None, language=language)
        )
    return notices


# -- acting on a flag ----------------------------------------------------------------------------


async def _flag(session: AsyncSession, flag_id: int) -> SafetyFlag | None:
    return await session.get(SafetyFlag, flag_id)


async def show(deps: Deps, session: AsyncSession, flag_id: int) -> Response:
    flag = await _flag(session, flag_id)
    if flag is None:
        return Response(toast=t("safety_flag_missing"))
    return Response(replies=[await flag_card(deps, session, flag, "safety_flag_title")])


async def acknowledge(
    deps: Deps, session: AsyncSession, coordinator: Person, flag_id: int
) -> Response:
    flag = await _flag(session, flag_id)
    if flag is None or flag.resolved_at:
        return Response(toast=t("safety_flag_closed"), close_tapped=True)
    if flag.acknowledged_at:
        card = await flag_card(deps, session, flag, "safety_flag_title")
        return Response(toast=t("safety_already_acknowledged"), edit=card)
    now = deps.now()
    flag.acknowledged_at, flag.acknowledged_by_person_id = now, coordinator.id
    session.add(flag)
    await _audit(session, now, coordinator.id, "flag.acknowledged", flag)

    def said() -> Reply:
        return Reply(t("safety_acknowledged_by", id=flag.id, who=_coordinator_ref(coordinator.id)))

    others = [
        await notice_to(p, said)
        for p in await people.coordinator_people(session)
        if p.id != coordinator.id
    ]
    return Response(
        toast=t("safety_acknowledged_toast"),
        edit=await flag_card(deps, session, flag, "safety_flag_title"),
        notices=others,
    )


async def ask_resolution(
    deps: Deps, session: AsyncSession, coordinator: Person, flag_id: int
) -> Response:
    flag = await _flag(session, flag_id)
    if flag is None or flag.resolved_at:
        return Response(toast=t("safety_flag_closed"), close_tapped=True)
    await pending_input.ask(session, coordinator.id, FLAG_RESOLUTION, flag.id, deps.now())
    return Response(replies=[Reply(t("safety_resolve_prompt", id=flag.id))])


async def resolve(
    deps: Deps, session: AsyncSession, coordinator: Person, flag_id: int, note: str
) -> Response:
    flag = await _flag(session, flag_id)
    if flag is None or flag.resolved_at:
        return Response(replies=[Reply(t("safety_flag_closed"))])
    now = deps.now()
    if not flag.acknowledged_at:
        flag.acknowledged_at, flag.acknowledged_by_person_id = now, coordinator.id
        await _audit(session, now, coordinator.id, "flag.acknowledged", flag)
    flag.resolved_at, flag.resolved_by_person_id = now, coordinator.id
    flag.resolution = " ".join(note.split())[:DETAIL_LIMIT]
    session.add(flag)
    await _audit(session, now, coordinator.id, "flag.resolved", flag, flag.resolution)
    return Response(replies=[await flag_card(deps, session, flag, "safety_flag_title")])


def confirm_end_exclude(flag_id: int) -> Reply:
    return Reply(
        t("safety_end_exclude_confirm"),
        (
            (Button(t("btn_flag_end_exclude_yes"), EndAndExclude(flag_id)),),
            (Button(t("btn_flag_keep"), OpenFlag(flag_id)),),
        ),
    )


async def end_and_exclude(
    deps: Deps, session: AsyncSession, coordinator: Person, flag_id: int
) -> Response:
    """After a report: end the relationship kindly, never propose the pair again, and close
    the flag — all audited."""
    flag = await _flag(session, flag_id)
    relationship = (
        await session.get(Relationship, flag.relationship_id)
        if flag and flag.relationship_id
        else None
    )
    if (
        flag is None
        or flag.kind != FlagKind.REPORT
        or flag.resolved_at
        or relationship is None
        or relationship.status not in OPEN_STATUSES
    ):
        return Response(toast=t("safety_flag_closed"), close_tapped=True)
    reason = t("safety_end_exclude_reason", id=flag.id)
    notices = await closure.close_and_exclude(
        deps, session, coordinator, relationship, reason, "reported"
    )
    resolved = await resolve(deps, session, coordinator, flag.id, reason)
    return Response(close_tapped=True, replies=resolved.replies, notices=notices)


async def open_flags(session: AsyncSession) -> list[SafetyFlag]:
    rows = await session.exec(
        select(SafetyFlag)
        .where(SafetyFlag.resolved_at.is_(None))
        .order_by(SafetyFlag.raised_at, SafetyFlag.id)
    )
    return list(rows.all())


async def flags_page(deps: Deps, session: AsyncSession, page: int) -> Reply:
    """Open flags, oldest first, a page at a time."""
    flags = await open_flags(session)
    if not flags:
        return Reply(t("safety_flags_none"))
    pages = (len(flags) + PAGE_SIZE - 1) // PAGE_SIZE
    page = max(0, min(page, pages - 1))
    now = deps.now()
    shown = flags[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    lines = [t("safety_flags_title", count=len(flags), page=page + 1, pages=pages)]
    buttons: list[tuple[Button, ...]] = []
    for flag in shown:
        state = t("safety_state_acknowledged") if flag.acknowledged_at else t("safety_state_new")
        about = await session.get(Person, flag.about_person_id)
        who = worker_ref(about.id) if about.role == Role.PEER_WORKER else person_ref(about.id)
        lines.append(
            t(
                "safety_flags_line",
                id=flag.id,
                kind=t(f"safety_kind_{flag.kind}"),
                who=who,
                age=elapsed_text(now - flag.raised_at),
                state=state,
            )
        )
        buttons.append((Button(t("btn_flag_open", id=flag.id, who=who), OpenFlag(flag.id)),))
    nav = []
    if page > 0:
        nav.append(Button(t("btn_flags_back"), FlagsPage(page - 1)))
    if page < pages - 1:
        nav.append(Button(t("btn_flags_next"), FlagsPage(page + 1)))
    if nav:
        buttons.append(tuple(nav))
    return Reply("\n".join(lines), tuple(buttons))


# -- concerns and reports (the people in a relationship) -----------------------------------------


def answer_expired(pending: PendingInput, now: datetime) -> bool:
    """A report note or concern not written within a few minutes is not coming: the next
    message is probably for their peer, not for the coordinators."""
    return pending.kind in (CONCERN, REPORT_NOTE) and now - pending.created_at > ANSWER_WITHIN


async def _choose_relationship(
    session: AsyncSession,
    relationships: list[Relationship],
    action: type[ConcernFor | ReportFor],
    prompt: str,
) -> Reply:
    """For a worker: which of the people they support (named as their worker sees them)."""
    return Reply(
        t(prompt),
        tuple(
            [
                (Button(await worker_name(session, r.service_user_id), action(r.id)),)
                for r in relationships
            ]
        ),
    )


async def start_concern(deps: Deps, session: AsyncSession, telegram_id: int) -> Reply:
    """/concern: a worker raises a worry about someone they support."""
    person = await people.find(session, telegram_id)
    if person is None or person.role != Role.PEER_WORKER:
        return Reply(t("safety_concern_workers_only"))
    relationships = await relay.relationships_of(session, person, OPEN_STATUSES)
    if not relationships:
        return Reply(t("safety_concern_nobody"))
    if len(relationships) > 1:
        return await _choose_relationship(
            session, relationships, ConcernFor, "safety_concern_which"
        )
    return await ask_concern(deps, session, telegram_id, relationships[0].id)


async def ask_concern(
    deps: Deps, session: AsyncSession, telegram_id: int, relationship_id: int
) -> Reply:
    owned = await access.own(
        session, telegram_id, relationship_id, access.PEER_WORKER, OPEN_STATUSES
    )
    if owned is None:
        return Reply(t("request_stale"))
    worker, relationship = owned
    await pending_input.ask(session, worker.id, CONCERN, relationship.id, deps.now())
    ref = await worker_name(session, relationship.service_user_id)
    return Reply(t("safety_concern_prompt", ref=ref))


async def raise_concern(
    deps: Deps, session: AsyncSession, worker: Person, relationship_id: int, text: str
) -> Response:
    owned = await access.own(
        session, worker.telegram_id, relationship_id, access.PEER_WORKER, OPEN_STATUSES
    )
    if owned is None:
        return Response(replies=[Reply(t("request_stale"))])
    _, relationship = owned
    now = deps.now()
    flag = SafetyFlag(
        kind=FlagKind.CONCERN,
        about_person_id=relationship.service_user_id,
        raised_by_person_id=worker.id,
        relationship_id=relationship.id,
        source="concern",
        category="worker_concern",
        detail=" ".join(text.split())[:DETAIL_LIMIT],
        raised_at=now,
    )
    session.add(flag)
    await session.flush()
    await _audit(session, now, worker.id, "flag.raised", flag, "worker_concern")
    return Response(
        replies=[
            Reply(
                t(
                    "safety_concern_thanks",
                    id=flag.id,
                    crisis_lines=crisis_lines_text(deps.config),
                    emergency=deps.config.service.emergency_number,
                )
            )
        ],
        notices=await _to_coordinators(deps, session, flag, "safety_flag_new"),
    )


async def start_report(deps: Deps, session: AsyncSession, telegram_id: int) -> Reply:
    """/report: either side reports the other, privately, to the coordinators."""
    person = await people.find(session, telegram_id)
    relationships = await relay.relationships_of(session, person, OPEN_STATUSES) if person else []
    if not relationships:
        return Reply(t("safety_report_nobody"))
    if person.role == Role.PEER_WORKER and len(relationships) > 1:
        return await _choose_relationship(session, relationships, ReportFor, "safety_report_which")
    return report_reasons(relationships[0].id)


def report_reasons(relationship_id: int) -> Reply:
    rows = tuple(
        (Button(t(f"btn_report_{reason}"), ReportReason(relationship_id, reason)),)
        for reason in REPORT_REASONS
    )
    return Reply(
        t("safety_report_reasons"), (*rows, (Button(t("btn_report_cancel"), CancelReport()),))
    )


async def report(
    deps: Deps, session: AsyncSession, telegram_id: int, relationship_id: int, reason: str
) -> Response:
    """The report goes to coordinators at once; the other side is not told."""
    owned = await access.own(session, telegram_id, relationship_id, access.EITHER, OPEN_STATUSES)
    if owned is None or reason not in REPORT_REASONS:
        return Response(toast=t("request_stale"), close_tapped=True)
    reporter, relationship = owned
    about_id = (
        relationship.peer_worker_id
        if reporter.id == relationship.service_user_id
        else relationship.service_user_id
    )
    now = deps.now()
    flag = SafetyFlag(
        kind=FlagKind.REPORT,
        about_person_id=about_id,
        raised_by_person_id=reporter.id,
        relationship_id=relationship.id,
        source="report",
        category=f"report_{reason}",
        raised_at=now,
    )
    session.add(flag)
    await session.flush()
    await _audit(session, now, reporter.id, "flag.raised", flag, flag.category)
    await pending_input.ask(session, reporter.id, REPORT_NOTE, flag.id, deps.now())
    notices = await _to_coordinators(deps, session, flag, "safety_flag_new")
    notices += await _repeated_reports(deps, session, about_id)
    return Response(
        close_tapped=True,
        chosen=t(f"btn_report_{reason}"),
        replies=[
            Reply(
                t("safety_report_add_note"),
                ((Button(t("btn_report_no_note"), ReportWithoutNote()),),),
            )
        ],
        notices=notices,
    )


async def _repeated_reports(deps: Deps, session: AsyncSession, about_id: int) -> list[Notice]:
    """Coordinators hear when one worker has been reported again and again."""
    about = await session.get(Person, about_id)
    if about.role != Role.PEER_WORKER:
        return []
    count = (  # people who reported them: one person reporting twice is one voice
        await session.exec(
            select(func.count(func.distinct(SafetyFlag.raised_by_person_id))).where(
                SafetyFlag.kind == FlagKind.REPORT, SafetyFlag.about_person_id == about_id
            )
        )
    ).one()
    if count < deps.config.safety.reports_before_alert:
        return []
    who = await _worker_label(session, about_id)
    return await people.coordinator_notices(
        session, saying_count("safety_repeated_reports", count, who=who)
    )


async def add_report_note(
    deps: Deps, session: AsyncSession, reporter: Person, flag_id: int, text: str | None
) -> Response:
    """What the reporter adds (or that they add nothing) reaches the coordinators too."""
    pending = await session.get(PendingInput, reporter.id)
    if pending is not None and pending.kind == REPORT_NOTE:
        await session.delete(pending)
    flag = await _flag(session, flag_id)
    if flag is None or flag.raised_by_person_id != reporter.id or flag.kind != FlagKind.REPORT:
        return Response(replies=[Reply(t("request_stale"))])
    notices: list[Notice] = []
    if text and text.strip() and not flag.detail:
        flag.detail = " ".join(text.split())[:DETAIL_LIMIT]
        session.add(flag)
        notices = await _to_coordinators(deps, session, flag, "safety_flag_note_added")
    return Response(
        replies=[Reply(t("safety_report_thanks", crisis_lines=crisis_lines_text(deps.config)))],
        notices=notices,
    )
