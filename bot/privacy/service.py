"""The rules of privacy rights: what /privacy says, /consent and /delete.

Every consent button names the record it acts on (``ConsentTap``) and every delete button the
person (``ConfirmDelete``): a tap acts only if that record is the tapping person's own and still
the one in force, so a stale or forged button changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import consents, lifecycle, people
from bot.callbacks import ConfirmDelete, ConsentTap
from bot.deps import Deps
from bot.forms import runner
from bot.lifecycle import ServiceUserStatus
from bot.models import ConsentKind, ConsentRecord, Person, Role
from bot.notify import Button, Notice, Reply, Response
from bot.privacy import erasure
from bot.relationships import leaving
from bot.texts import t
from bot.texts.fragments import crisis_lines_text, date_text, period_text

KINDS = (ConsentKind.MATCHING, ConsentKind.CONTACT, ConsentKind.EVALUATION)


def _stale() -> Response:
    return Response(toast=t("stale_button_toast"), close_tapped=True)


def _date(deps: Deps, moment: datetime) -> str:
    return date_text(deps.config, moment, weekday=False)


def span(duration: timedelta) -> str:
    """The retention period as /privacy says it: exactly, like every configured duration."""
    return period_text(duration)


def privacy_text(deps: Deps) -> Reply:
    excerpt = t("privacy_excerpt") if deps.config.safety.include_excerpt else ""
    return Reply(
        t(
            "privacy",
            service=deps.config.service.name,
            retention=span(deps.config.retention.after),
            inbox_days=span(deps.config.pipeline.keep_handled),
            outbox_days=span(deps.config.outbox.keep_sent),
            excerpt=excerpt,
        )
    )


# -- /consent --------------------------------------------------------------------------------


async def latest_records(session: AsyncSession, person_id: int) -> dict[str, ConsentRecord]:
    """The answer that counts for each kind (the latest, as ``consents.current`` reads it)."""
    rows = await session.exec(
        select(ConsentRecord)
        .where(ConsentRecord.person_id == person_id)
        .order_by(ConsentRecord.recorded_at, ConsentRecord.id)
    )
    return {record.kind: record for record in rows.all()}


def _in_force(record: ConsentRecord | None) -> bool:
    return record is not None and record.agreed and record.withdrawn_at is None


def _state(deps: Deps, record: ConsentRecord | None) -> str:
    if record is None:
        return t("consent_state_none")
    version = record.text_version
    if record.withdrawn_at is not None:
        return t(
            "consent_state_withdrawn",
            date=_date(deps, record.withdrawn_at),
            given=_date(deps, record.recorded_at),
            version=version,
        )
    key = "consent_state_given" if record.agreed else "consent_state_declined"
    return t(key, date=_date(deps, record.recorded_at), version=version)


async def overview(deps: Deps, session: AsyncSession, person: Person) -> Reply:
    latest = await latest_records(session, person.id)
    sections = [t("consent_title")]
    buttons: list[tuple[Button, ...]] = []
    for kind in KINDS:
        record = latest.get(kind)
        sections.append(
            t("consent_line", kind=t(f"consent_kind_{kind}"), state=_state(deps, record))
        )
        if _in_force(record):
            label = t(f"btn_consent_withdraw_{kind}")
            buttons.append((Button(label, ConsentTap("ask", kind, record.id)),))
        elif kind == ConsentKind.EVALUATION and record is not None:
            label = t("btn_consent_give_evaluation")
            buttons.append((Button(label, ConsentTap("giveask", kind, record.id)),))
    sections.append(t("consent_footer"))
    return Reply("\n\n".join(sections), tuple(buttons))


async def consent_home(deps: Deps, session: AsyncSession, telegram_id: int) -> Reply:
    person = await people.find(session, telegram_id)
    if person is None:
        return Reply(t("consent_none"))
    if not await latest_records(session, person.id):
        staff = person.role == Role.PEER_WORKER or await people.is_coordinator(session, person.id)
        return Reply(t("consent_staff" if staff else "consent_none"))
    return await overview(deps, session, person)


def _confirm(text: str, yes: str, verb: str, record: ConsentRecord) -> Reply:
    return Reply(
        text,
        (
            (Button(yes, ConsentTap(verb, record.kind, record.id)),),
            (Button(t("btn_consent_keep"), ConsentTap("keep", record.kind, record.id)),),
        ),
    )


async def consent_button(
    deps: Deps, session: AsyncSession, telegram_id: int, tap: ConsentTap
) -> Response:
    verb, kind = tap.verb, tap.kind
    person = await people.find(session, telegram_id)
    if person is None or kind not in KINDS:
        return _stale()
    record = (await latest_records(session, person.id)).get(kind)
    if record is None or record.id != tap.record_id:  # not theirs, or no longer the one in force
        return _stale()
    if verb == "keep":
        return Response(edit=await overview(deps, session, person))
    if verb in ("ask", "withdraw") and _in_force(record):
        if verb == "ask":
            yes = t("btn_consent_withdraw_yes")
            return Response(edit=_confirm(t(f"consent_confirm_{kind}"), yes, "withdraw", record))
        reply, notices = await withdraw(deps, session, person, record)
        edit = await overview(deps, session, person)
        return Response(edit=edit, replies=[reply], notices=notices)
    if verb in ("giveask", "give") and kind == ConsentKind.EVALUATION and not _in_force(record):
        if verb == "giveask":
            yes = t("btn_consent_give_yes")
            return Response(edit=_confirm(t("consent_give_evaluation_ask"), yes, "give", record))
        await give_evaluation(deps, session, person)
        edit = await overview(deps, session, person)
        return Response(edit=edit, replies=[Reply(t("consent_given_evaluation"))])
    return _stale()


async def withdraw(
    deps: Deps, session: AsyncSession, person: Person, record: ConsentRecord
) -> tuple[Reply, list[Notice]]:
    """Withdraw the consent in force. Matching or contact takes a service user out of
    matching and ends their peer support kindly; evaluation takes them out of exports."""
    now = deps.now()
    record.withdrawn_at = now
    session.add(record)
    await lifecycle.audit(
        session,
        at=now,
        actor_id=person.id,
        action="consent.withdrawn",
        subject_type="person",
        subject_id=person.id,
        reason=record.kind,
    )
    if record.kind == ConsentKind.EVALUATION:
        return Reply(t("consent_withdrawn_evaluation")), []
    notices: list[Notice] = []
    if person.role == Role.SERVICE_USER and person.status == ServiceUserStatus.ONBOARDING:
        await runner.discard(session, person.id)
        await lifecycle.transition(
            session,
            person,
            ServiceUserStatus.DECLINED_CONSENT,
            at=now,
            actor_id=person.id,
            reason=record.kind,
        )
    elif person.role == Role.SERVICE_USER and person.status in lifecycle.ONBOARDED:
        notices = await leaving.leave(
            deps, session, person, actor_id=person.id, reason=erasure.CONSENT_WITHDRAWN
        )
        await lifecycle.transition(
            session,
            person,
            ServiceUserStatus.CONSENT_WITHDRAWN,
            at=now,
            actor_id=person.id,
            reason=record.kind,
        )
    text = t("consent_withdrawn_required", crisis_lines=crisis_lines_text(deps.config))
    return Reply(text), notices


async def give_evaluation(deps: Deps, session: AsyncSession, person: Person) -> None:
    now = deps.now()
    consents.record_answer(session, person, ConsentKind.EVALUATION, True, now)
    await lifecycle.audit(
        session,
        at=now,
        actor_id=person.id,
        action="consent.given",
        subject_type="person",
        subject_id=person.id,
        reason=ConsentKind.EVALUATION,
    )


# -- /delete ---------------------------------------------------------------------------------


async def ask_delete(deps: Deps, session: AsyncSession, telegram_id: int) -> Reply:
    person = await people.find(session, telegram_id)
    if person is None:
        return Reply(t("delete_nothing"))
    if await people.is_coordinator(session, person.id):
        return Reply(t("delete_coordinator"))
    evaluation = await consents.has(session, person.id, ConsentKind.EVALUATION)
    kept = t("delete_kept_evaluation" if evaluation else "delete_kept_none")
    return Reply(
        t("delete_confirm", kept=kept),
        (
            (Button(t("btn_delete_yes"), ConfirmDelete("delete", person.id)),),
            (Button(t("btn_delete_no"), ConfirmDelete("nodelete", person.id)),),
        ),
    )


async def delete_button(
    deps: Deps, session: AsyncSession, telegram_id: int, tap: ConfirmDelete
) -> Response:
    person = await people.find(session, telegram_id)
    if person is None or person.id != tap.person_id:
        return _stale()
    if tap.answer == "nodelete":
        return Response(
            close_tapped=True, chosen=t("btn_delete_no"), replies=[Reply(t("delete_cancelled"))]
        )
    if await people.is_coordinator(session, person.id):
        return Response(close_tapped=True, replies=[Reply(t("delete_coordinator"))])
    notices = await erasure.erase(deps, session, person, actor_id=person.id, reason=erasure.DELETED)
    done = t(
        "delete_done",
        service=deps.config.service.name,
        crisis_lines=crisis_lines_text(deps.config),
    )
    return Response(
        close_tapped=True, chosen=t("btn_delete_yes"), replies=[Reply(done)], notices=notices
    )
