"""The database tables. Times are stored in UTC; statuses change only through ``lifecycle``."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, String, Text, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use the injected clock (aware UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _utc_column(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class Role(StrEnum):
    SERVICE_USER = "service_user"
    PEER_WORKER = "peer_worker"


class ConsentKind(StrEnum):
    MATCHING = "matching"
    CONTACT = "contact"
    EVALUATION = "evaluation"
    # A service user lets their current peer worker read their safety plan (bot/safety/plan.py).
    SAFETY_PLAN_SHARING = "safety_plan_sharing"


class Weight(StrEnum):
    IMPORTANT = "important"
    NICE = "nice"
    NONE = "none"


class Person(SQLModel, table=True):
    """Anyone who has talked to the bot. The Telegram id never leaves this table."""

    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int = Field(sa_type=BigInteger, unique=True, index=True)
    role: str | None = Field(default=None, sa_type=String(20))
    status: str | None = Field(default=None, sa_type=String(30), index=True)
    language: str = Field(default="en", sa_type=String(8))
    reachable: bool = True
    created_at: datetime = _utc_column(nullable=False)
    updated_at: datetime = _utc_column(nullable=False)
    last_seen_at: datetime | None = _utc_column()  # last update from them (retention)
    crisis_lines_sent_at: datetime | None = _utc_column()  # after a risk phrase, at most so often
    erased_at: datetime | None = _utc_column()  # personal data erased (/delete or retention)


class Coordinator(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", unique=True)
    source: str = Field(sa_type=String(10))  # "config" or "invite"
    active: bool = True
    added_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    added_at: datetime = _utc_column(nullable=False)
    removed_at: datetime | None = _utc_column()


class LivedExperienceArea(SQLModel, table=True):
    """The service's taxonomy, kept in step with the configuration at start-up."""

    __tablename__ = "lived_experience_area"

    key: str = Field(primary_key=True, sa_type=String(24))
    label: str = Field(sa_type=String(60))
    perspective: str = Field(sa_type=String(10))  # consumer, carer or both
    active: bool = True


class PersonLivedExperience(SQLModel, table=True):
    """For a service user: areas they value in a peer. For a worker: areas they share."""

    __tablename__ = "person_lived_experience"

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    area_key: str = Field(
        foreign_key="lived_experience_area.key", primary_key=True, sa_type=String(24)
    )


class PersonLanguage(SQLModel, table=True):
    __tablename__ = "person_language"

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    language: str = Field(primary_key=True, sa_type=String(24))


class ServiceUserProfile(SQLModel, table=True):
    __tablename__ = "service_user_profile"

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    perspective: str = Field(sa_type=String(10))  # consumer or carer
    timezone: str = Field(sa_type=String(64))
    goal: str | None = Field(default=None, sa_type=Text)
    # What their matched peer worker may call them (optional; the pseudonym otherwise).
    preferred_name: str | None = Field(default=None, sa_type=String(40))
    name_visible_to_coordinators: bool = False  # only if they said so
    rematch_after: datetime | None = _utc_column()  # after a planned ending, a pause first
    # Offered a safety plan: after onboarding (1), after a low check-in (2); once each.
    safety_plan_offers: int = 0
    submitted_at: datetime = _utc_column(nullable=False)
    updated_at: datetime = _utc_column(nullable=False)


class SafetyPlan(SQLModel, table=True):
    """A service user's own safety plan (the Stanley-Brown steps), in their words. Theirs:
    shown to nobody else unless they share it with their current peer worker, never in an
    export, never in a log; in /mydata, and gone with /delete."""

    __tablename__ = "safety_plan"

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    steps: dict[str, str] = Field(default_factory=dict, sa_type=JSON)  # step -> their words
    created_at: datetime = _utc_column(nullable=False)
    updated_at: datetime = _utc_column(nullable=False)


class SupervisionSession(SQLModel, table=True):
    """A supervision session a coordinator held with a peer worker (bot/workers/supervision.py):
    which of their relationships were discussed, a note only coordinators see, the next date."""

    __tablename__ = "supervision_session"

    id: int | None = Field(default=None, primary_key=True)
    worker_id: int = Field(foreign_key="person.id", index=True)
    coordinator_id: int | None = Field(default=None, foreign_key="person.id")
    held_at: datetime = _utc_column(nullable=False)
    discussed: list[int] = Field(default_factory=list, sa_type=JSON)  # relationship ids
    note: str | None = Field(default=None, sa_type=Text)
    next_at: datetime | None = _utc_column()
    reminded_at: datetime | None = _utc_column()
    created_at: datetime = _utc_column(nullable=False)


class SupervisionTopic(SQLModel, table=True):
    """Something a peer worker wants to raise at their next supervision."""

    __tablename__ = "supervision_topic"

    id: int | None = Field(default=None, primary_key=True)
    worker_id: int = Field(foreign_key="person.id", index=True)
    text: str = Field(sa_type=Text)
    added_at: datetime = _utc_column(nullable=False)
    covered_at: datetime | None = _utc_column()  # the session that took it up


class Reflection(SQLModel, table=True):
    """A peer worker's private reflection after an ending: theirs unless they share it."""

    __tablename__ = "reflection"

    id: int | None = Field(default=None, primary_key=True)
    worker_id: int = Field(foreign_key="person.id", index=True)
    relationship_id: int = Field(foreign_key="relationship.id")
    went_well: str | None = Field(default=None, sa_type=Text)
    hard: str | None = Field(default=None, sa_type=Text)
    shared: bool = False  # with the coordinators, for supervision
    created_at: datetime = _utc_column(nullable=False)


class PeerWorkerProfile(SQLModel, table=True):
    __tablename__ = "peer_worker_profile"

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    display_name: str = Field(sa_type=String(100))
    bio: str = Field(sa_type=Text)
    is_consumer: bool
    is_carer: bool
    gender: str | None = Field(default=None, sa_type=String(24))
    age_band: str | None = Field(default=None, sa_type=String(24))
    communities: list[str] = Field(default_factory=list, sa_type=JSON)
    timezone: str = Field(sa_type=String(64))
    max_caseload: int
    quiet_hours: str | None = Field(default=None, sa_type=String(11))  # "21:00-07:00", local
    wellbeing_checkins: bool = True  # their own weekly check-in (optional)
    wellbeing_next_due_at: datetime | None = _utc_column()
    taking_new_matches: bool = True
    expired_in_row: int = 0  # requests to them that expired unanswered since they last answered
    submitted_at: datetime = _utc_column(nullable=False)
    updated_at: datetime = _utc_column(nullable=False)
    reviewed_at: datetime | None = _utc_column()
    reviewed_by_person_id: int | None = Field(default=None, foreign_key="person.id")


class Preference(SQLModel, table=True):
    """What a service user would like in a peer, with how much it matters to them."""

    __table_args__ = (UniqueConstraint("person_id", "attribute"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    attribute: str = Field(sa_type=String(20))  # language, gender, age_band, community
    choices: list[str] = Field(default_factory=list, sa_type=JSON)
    weight: str = Field(sa_type=String(10))


class AvailabilitySlot(SQLModel, table=True):
    """A weekly slot in the person's own time zone (the profile holds the zone)."""

    __tablename__ = "availability_slot"
    __table_args__ = (UniqueConstraint("person_id", "weekday", "start_minute"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    weekday: int  # 0 = Monday
    start_minute: int
    end_minute: int


class ConsentRecord(SQLModel, table=True):
    """One answer to one consent question, with the version of the text that was shown."""

    __tablename__ = "consent_record"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    kind: str = Field(sa_type=String(20))
    agreed: bool
    text_version: str = Field(sa_type=String(20))
    recorded_at: datetime = _utc_column(nullable=False)
    withdrawn_at: datetime | None = _utc_column()


class Invite(SQLModel, table=True):
    """A one-time link for a new peer worker or coordinator. Only a hash of the code is kept."""

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(sa_type=String(64), unique=True)
    role: str = Field(sa_type=String(20))  # peer_worker or coordinator
    created_by_person_id: int = Field(foreign_key="person.id")
    created_at: datetime = _utc_column(nullable=False)
    expires_at: datetime = _utc_column(nullable=False)
    used_at: datetime | None = _utc_column()
    used_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    revoked_at: datetime | None = _utc_column()
    note: str | None = Field(default=None, sa_type=String(100))  # "for Jo Smith", at /invite


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _utc_column(nullable=False, index=True)
    actor_person_id: int | None = Field(default=None, foreign_key="person.id")  # None: the system
    action: str = Field(sa_type=String(40))
    subject_type: str = Field(sa_type=String(20))
    subject_id: int | None = None
    reason: str | None = Field(default=None, sa_type=Text)


class FormDraft(SQLModel, table=True):
    """Answers so far in a multi-step form, so a restart at any step loses nothing."""

    __tablename__ = "form_draft"

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    flow: str = Field(sa_type=String(20))
    step: str = Field(sa_type=String(30))
    answers: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    editing_section: str | None = Field(default=None, sa_type=String(30))
    updated_at: datetime = _utc_column(nullable=False)
    # The last update applied to this draft: an update handled again after a crash (see
    # bot/pipeline/) is not applied twice.
    applied_update_id: int | None = Field(default=None, sa_type=BigInteger)


class PendingInput(SQLModel, table=True):
    """A coordinator has been asked for free text (e.g. a reason) about a subject."""

    __tablename__ = "pending_input"

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    kind: str = Field(sa_type=String(30))
    subject_id: int
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = _utc_column(nullable=False)


class Proposal(SQLModel, table=True):
    """Ranked candidates for one service user: reviewed by a coordinator, then offered.

    status: review (waiting for a coordinator) -> offered (the service user is choosing)
    -> chosen | none_suitable | not_now; or held / superseded.
    """

    id: int | None = Field(default=None, primary_key=True)
    service_user_id: int = Field(foreign_key="person.id", index=True)
    status: str = Field(sa_type=String(20), index=True)
    source: str = Field(sa_type=String(10))  # auto, batch or manual
    candidates: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    # The workers whose places this proposal holds while it is open: the one it would offer
    # (in review), or those offered (offered).
    offered_worker_ids: list[int] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = _utc_column(nullable=False)
    decided_at: datetime | None = _utc_column()
    decided_by_person_id: int | None = Field(default=None, foreign_key="person.id")


class Relationship(SQLModel, table=True):
    """A service user and a peer worker, from the worker being asked to the end.

    Holding a place in the worker's caseload: requested, active, paused, ending.
    """

    id: int | None = Field(default=None, primary_key=True)
    service_user_id: int = Field(foreign_key="person.id", index=True)
    peer_worker_id: int = Field(foreign_key="person.id", index=True)
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id")
    status: str = Field(sa_type=String(20), index=True)
    created_at: datetime = _utc_column(nullable=False)
    updated_at: datetime = _utc_column(nullable=False)
    respond_by: datetime | None = _utc_column(index=True)
    reminder_due_at: datetime | None = _utc_column(index=True)
    started_at: datetime | None = _utc_column()
    ended_at: datetime | None = _utc_column()
    end_reason: str | None = Field(default=None, sa_type=Text)
    # Contact figures the programme reports; the content of messages is never stored.
    first_contact_at: datetime | None = _utc_column()
    last_contact_at: datetime | None = _utc_column()
    first_contact_nudges: int = 0  # 1: the worker was nudged; 2: coordinators were told
    messages_from_service_user: int = 0
    messages_from_worker: int = 0
    # Messages with contact details (``[relay.boundaries]``): held back, then sent anyway by
    # their writer, or blocked. Counts only: what they said is never kept.
    boundary_held: int = 0
    boundary_sent_anyway: int = 0
    boundary_blocked: int = 0
    # "Is this a good fit?" (bot/relationships/fit.py): when asked, and each side's answer.
    fit_asked_at: datetime | None = _utc_column()
    fit_service_user: str | None = Field(default=None, sa_type=String(10))  # good/unsure/other
    fit_worker: str | None = Field(default=None, sa_type=String(10))  # good/unsure/not_fit
    # Planned closure: the end date set at the start, and how far the countdown has got.
    planned_end_at: datetime | None = _utc_column(index=True)
    closure_reminders_sent: int = 0
    paused_at: datetime | None = _utc_column()
    review_at: datetime | None = _utc_column()  # when a pause is to be looked at again
    checklist: list[str] = Field(default_factory=list, sa_type=JSON)  # ticked ending items


class Exclusion(SQLModel, table=True):
    """A pair never to propose again: declined or ended before, or excluded by a coordinator."""

    __table_args__ = (UniqueConstraint("service_user_id", "peer_worker_id"),)

    id: int | None = Field(default=None, primary_key=True)
    service_user_id: int = Field(foreign_key="person.id", index=True)
    peer_worker_id: int = Field(foreign_key="person.id")
    reason: str = Field(sa_type=String(30))
    created_at: datetime = _utc_column(nullable=False)
    created_by_person_id: int | None = Field(default=None, foreign_key="person.id")


class WaitlistEntry(SQLModel, table=True):
    """Someone waiting for a peer: since when, why nobody fits, whether coordinators know."""

    __tablename__ = "waitlist_entry"

    service_user_id: int = Field(foreign_key="person.id", primary_key=True)
    since: datetime = _utc_column(nullable=False)
    blocking: dict[str, int] = Field(default_factory=dict, sa_type=JSON)  # constraint -> count
    declines: int = 0
    told_waiting_at: datetime | None = _utc_column()
    alerted_at: datetime | None = _utc_column()


class RelayedMessage(SQLModel, table=True):
    """Which copy of a relayed message is which, so replies and edits land on the right one.

    Holds message ids only, never content.
    """

    __tablename__ = "relayed_message"
    __table_args__ = (
        # A reply names the copy its sender received; an edit names the sender's original.
        Index("ix_relayed_message_recipient_target", "recipient_person_id", "target_message_id"),
        Index("ix_relayed_message_sender_source", "sender_person_id", "source_message_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    relationship_id: int = Field(foreign_key="relationship.id", index=True)
    sender_person_id: int = Field(foreign_key="person.id")
    source_message_id: int = Field(sa_type=BigInteger)
    recipient_person_id: int = Field(foreign_key="person.id")
    target_message_id: int = Field(sa_type=BigInteger)
    created_at: datetime = _utc_column(nullable=False)


class Feedback(SQLModel, table=True):
    """A service user's answers to the closing survey."""

    id: int | None = Field(default=None, primary_key=True)
    relationship_id: int = Field(foreign_key="relationship.id", unique=True)
    rating: int | None = None  # 1-5
    would_recommend: bool | None = None
    outcomes: dict[str, int] = Field(default_factory=dict, sa_type=JSON)  # question no. -> 1-5
    comment: str | None = Field(default=None, sa_type=Text)  # optional, in their words
    created_at: datetime = _utc_column(nullable=False)


class CheckinPlan(SQLModel, table=True):
    """How often a service user would like a check-in, in their own local time."""

    __tablename__ = "checkin_plan"

    relationship_id: int = Field(foreign_key="relationship.id", primary_key=True)
    cadence: str = Field(sa_type=String(20))  # a key of checkins.cadences, or "none"
    weekday: int = 0
    minute: int = 18 * 60
    timezone: str = Field(sa_type=String(64))
    paused: bool = False
    next_due_at: datetime | None = _utc_column(index=True)
    missed_in_row: int = 0


class Checkin(SQLModel, table=True):
    """One check-in sent (or skipped after downtime), and how it was answered."""

    id: int | None = Field(default=None, primary_key=True)
    relationship_id: int = Field(foreign_key="relationship.id", index=True)
    due_at: datetime = _utc_column(nullable=False)
    status: str = Field(sa_type=String(12), index=True)  # sent, answered, missed, skipped
    score: int | None = None
    reach_out: bool | None = None
    had_note: bool = False  # the note itself goes to the worker and is not kept
    answered_at: datetime | None = _utc_column()
    nudged: bool = False


class OutboxMessage(SQLModel, table=True):
    """A message the bot will send (a scheduled one, or a notice queued by a sweep). Written in
    the same transaction that claims the due item; sent by bot/pipeline/sending.py, which
    claims a chat's oldest unsent row with a lease (``claimed_by``, ``claimed_until``) like the
    inbox, so that any number of processes never send one row twice and one chat's messages go
    in order. Once sent, the text is emptied and the row is kept for ``outbox.keep_sent``. Only
    the bot's own texts go here, never relayed content."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_queue", "sent_at", "failed", "telegram_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int = Field(sa_type=BigInteger)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    text: str = Field(sa_type=Text)
    buttons: list[list[dict[str, str | None]]] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = _utc_column(nullable=False)
    sent_at: datetime | None = _utc_column(index=True)
    failed: bool = False
    # Safety's messages (escalations) are sent before everything else that waits.
    urgent: bool = False
    attempts: int = 0  # sends that failed for a passing reason (network, Telegram busy)
    claimed_by: str | None = Field(default=None, sa_type=String(60))
    # While claimed: the lease's end. Unclaimed: when a row that failed for a passing reason
    # may be tried again.
    claimed_until: datetime | None = _utc_column()


class SweepLeader(SQLModel, table=True):
    """Which process runs the scheduler's sweeps (one at a time, bot/scheduler.py), until when,
    and when the sweeps last ran, whichever process ran them."""

    __tablename__ = "sweep_leader"

    name: str = Field(sa_type=String(20), primary_key=True)
    holder: str | None = Field(default=None, sa_type=String(60))
    held_until: datetime | None = _utc_column()
    last_sweep_at: datetime | None = _utc_column()


class WaitlistRefresh(SQLModel, table=True):
    """A look at the whole waitlist asked for, when places changed in a programme too large to
    decide on the spot: the next sweep takes it (``matchmaking.refresh_if_asked``)."""

    __tablename__ = "waitlist_refresh"

    name: str = Field(sa_type=String(20), primary_key=True)
    due_at: datetime | None = _utc_column()


class WorkerCheckin(SQLModel, table=True):
    """A peer worker's own weekly check-in. Coordinators see these only in aggregate, unless
    the worker asks to talk."""

    __tablename__ = "worker_checkin"

    id: int | None = Field(default=None, primary_key=True)
    worker_id: int = Field(foreign_key="person.id", index=True)
    due_at: datetime = _utc_column(nullable=False, index=True)
    score: int | None = None
    wants_contact: bool = False
    answered_at: datetime | None = _utc_column()


class FlagKind(StrEnum):
    RISK = "risk"  # a risk phrase in something a service user sent
    CONCERN = "concern"  # a worker is worried about their service user
    REPORT = "report"  # one side of a relationship reported the other


class SafetyFlag(SQLModel, table=True):
    """One item in the coordinators' safety queue: raised, acknowledged, escalated, resolved.

    ``detail`` holds words someone wrote (a report's reason, a concern, or an excerpt when
    ``safety.include_excerpt`` is on); it is erased with the person's personal data.
    """

    __tablename__ = "safety_flag"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_type=String(10))
    about_person_id: int = Field(foreign_key="person.id", index=True)
    raised_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    relationship_id: int | None = Field(default=None, foreign_key="relationship.id")
    source: str = Field(sa_type=String(20))  # onboarding, bot, relay, checkin_note, …
    category: str = Field(sa_type=String(40))  # lexicon category or report reason
    detail: str | None = Field(default=None, sa_type=Text)
    raised_at: datetime = _utc_column(nullable=False, index=True)
    acknowledged_at: datetime | None = _utc_column()
    acknowledged_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    escalated_at: datetime | None = _utc_column()
    escalations: int = 0
    resolved_at: datetime | None = _utc_column(index=True)
    resolved_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    resolution: str | None = Field(default=None, sa_type=Text)


class InboxUpdate(SQLModel, table=True):
    """An update from Telegram, stored before Telegram is told it arrived (bot/pipeline/).

    ``chat_id`` orders the work: one chat's updates are handled one after another, in
    ``update_id`` order. ``payload`` (the raw update, message text included) is cleared the
    moment the update is handled; the row itself stays for ``inbox.keep_handled`` so that a
    redelivered update is recognised and not handled twice.
    """

    __tablename__ = "inbox_update"
    __table_args__ = (Index("ix_inbox_update_pending", "handled_at", "chat_id", "update_id"),)

    update_id: int = Field(
        sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    chat_id: int = Field(sa_type=BigInteger)
    kind: str = Field(sa_type=String(20))
    payload: str | None = Field(default=None, sa_type=Text)
    received_at: datetime = _utc_column(nullable=False)
    handled_at: datetime | None = _utc_column()
    outcome: str | None = Field(default=None, sa_type=String(20))  # see pipeline.inbox.Outcome
    attempts: int = 0
    claimed_by: str | None = Field(default=None, sa_type=String(60))
    claimed_until: datetime | None = _utc_column()
