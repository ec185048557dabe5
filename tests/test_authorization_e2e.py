"""Who may do what: every command and every button prefix, tried by everyone in every state.

The commands and the callback-data prefixes are read off the real Application (the handlers
it registered), and the tables below must name every one of them: a new command or button
prefix fails this test until someone writes down who may use it.

The cast is brought to their states once, through the ordinary flows: a stranger who never
wrote (a new one for every try), a service user onboarding, waiting and matched; a peer
worker onboarding, pending approval, approved and rejected; the active coordinator; and a
coordinator who joined by invite and was then removed with /coordinators. Another pair, Kim
(a peer worker) and Vic (her service user), owns the records the buttons name.

Every (command or button, person) cell is one of:
- refused: a kind refusal (on coordinator surfaces, exactly "that isn't available to you"),
  no row of any table changed, nothing said to anyone else;
- allowed: it does its thing (whatever it says, never that something went wrong).
Invite links are tried too: a used one, one made by the coordinator since removed, and a new
one for a role the person may not take now never change anyone's role or use an invite up.
Cells that could move someone on run after every refusal was tried on the untouched cast.
Failing cells are collected and reported together, one line each.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel, select
from telegram.ext import CallbackQueryHandler, CommandHandler

import bot.app as composition_root
from bot.db import session_factory, transaction
from bot.models import (
    Checkin,
    ConsentRecord,
    Coordinator,
    Person,
    Proposal,
    Relationship,
    SafetyFlag,
    WorkerCheckin,
)
from bot.texts import t
from bot.tg.taps import Taps
from tests.conftest import COORDINATOR_ID
from tests.harness import Call, Harness, NoRateLimit, Sent, TelegramUser, parse_html
from tests.test_matching_workflow_e2e import onboard_service_user, onboard_worker
from tests.test_relay_e2e import matched_pair
from tests.test_workers_e2e import INVITE_LINK, build_worker_profile, new_invite

COORDINATOR = "coordinator"
CAST = (
    "stranger",
    "su_onboarding",
    "su_waiting",
    "su_matched",
    "worker_onboarding",
    "worker_pending",
    "worker_approved",
    "worker_rejected",
    COORDINATOR,
    "removed_coordinator",
)
STATES = {  # (role, status) each member of the cast is in when the cells start
    "su_onboarding": ("service_user", "onboarding"),
    "su_waiting": ("service_user", "waiting"),
    "su_matched": ("service_user", "matched"),
    "worker_onboarding": ("peer_worker", "onboarding"),
    "worker_pending": ("peer_worker", "pending_approval"),
    "worker_approved": ("peer_worker", "approved"),
    "worker_rejected": ("peer_worker", "rejected"),
    COORDINATOR: (None, None),
    "removed_coordinator": (None, None),
}

# -- the rule, written down ----------------------------------------------------------------

# Commands for the active coordinator only, each with arguments that would act if allowed
# (on Kim and Vic's relationship, or on the waiting service user).
COORDINATOR_COMMANDS: dict[str, str] = {
    "dashboard": "",
    "people": "U{vic}",
    "relationships": "R{rv}",
    "audit": "",
    "flags": "",
    "export": "",
    "waitlist": "",
    "match": "U{waiting} W{kim} knows the area well",
    "match_all": "",
    "pause": "R{rv} 2w a hospital stay",
    "resume": "R{rv} back again",
    "extend": "R{rv} 4w more time",
    "close": "R{rv} it has run its course",
    "wellbeing": "",
    "invite": "",
    "invites": "",
    "pending": "",
    "coordinators": "",
}
# Commands for everyone: whoever sends them gets an answer about themselves and nothing fails.
# /start and /cancel come last: they may move the person on (a stranger starts onboarding).
PUBLIC_COMMANDS: tuple[str, ...] = (
    "help",
    "help_now",
    "privacy",
    "profile",
    "status",
    "relationship",
    "checkins",
    "end",
    "rematch",
    "report",
    "concern",
    "mydata",
    "consent",
    "delete",
    "start",
    "cancel",
    "language",
    "safetyplan",
    "supervision",
)

# A new invite opened by someone whose role now says no (open business where they are; a
# coordinator does not also become a worker), or who holds that role already.
UNGRANTED_INVITES: dict[str, tuple[str, ...]] = {
    "peer_worker": (
        "su_waiting",
        "su_matched",
        "worker_onboarding",
        "worker_pending",
        "worker_approved",
        COORDINATOR,
    ),
    "coordinator": ("su_waiting", "su_matched", "worker_approved", COORDINATOR),
}

ONLY_COORDINATOR = frozenset({COORDINATOR})
NOBODY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Probe:
    """A well-formed button naming Kim and Vic's records (or nobody's), and who may press it."""

    data: str  # a template over the ids of the cast's records
    allowed: frozenset[str] = NOBODY


# Coordinator surfaces: everyone else gets exactly "that isn't available to you".
COORDINATOR_PREFIXES = frozenset({"adm", "prop", "mm", "sf", "cn"})
BUTTONS: dict[str, tuple[Probe, ...]] = {
    "adm": (
        Probe("adm|reject|{pending}", ONLY_COORDINATOR),  # asks the coordinator why
        Probe("adm|approve|{pending}", ONLY_COORDINATOR),
        Probe("adm|revoke|{invite}", ONLY_COORDINATOR),
        Probe("adm|addcoord|0", ONLY_COORDINATOR),
        Probe("adm|rmcoord|{casey}"),  # from the configuration: not removable here
        Probe("adm|rmcoord|{jo}"),  # removed already
    ),
    "prop": (Probe("prop|{proposal}|all|", ONLY_COORDINATOR),),
    "mm": (Probe("mm|{waiting}|yes|{kim}"),),  # nobody was asked to confirm a hand match
    "sf": (Probe("sf|open|{flag}", ONLY_COORDINATOR), Probe("sf|ack|{flag}", ONLY_COORDINATOR)),
    "cn": (
        Probe("cn|dash", ONLY_COORDINATOR),
        Probe("cn|p|{vic}|", ONLY_COORDINATOR),
        Probe("cn|r|{rv}|", ONLY_COORDINATOR),
        Probe("cn|ra|{rv}|close|0", ONLY_COORDINATOR),  # asks the coordinator why
        Probe("cn|go|invite", ONLY_COORDINATOR),
    ),
    # Everyone's own business: the records named are Kim's and Vic's, so nobody here may.
    "ex": (Probe("ex|{rv}"),),
    "cp": (Probe("cp|{rv}|pause|"), Probe("cp|{rv}|cadence|weekly")),
    "ci": (Probe("ci|{checkin}|score|2"),),
    "sv": (Probe("sv|{ended}|rate|5"),),
    "ck": (Probe("ck|{rv}|goals"),),
    "rl": (Probe("rl|end|{rv}|done"), Probe("rl|pausefor|{rv}|2"), Probe("rl|for|{rv}|1")),
    "bd": (Probe("bd|{rv}|send|1"), Probe("bd|0|change|", frozenset(CAST))),
    "fit": (Probe("fit|{rv}|good"), Probe("fit|{rv}|talk|yes")),
    # Recording a session is for coordinators; a reflection is its writer's alone.
    "spv": (Probe("spv|record|{kim}", ONLY_COORDINATOR), Probe("spv|share|1")),
    "off": (
        Probe("off|{proposal}|choose|{kim}"),
        Probe("off|{proposal}|none|"),
        Probe("off|{proposal}|notnow|"),
    ),
    "req": (Probe("req|{rv}|accept|"), Probe("req|{rv}|decline|")),
    "sr": (Probe("sr|rwhy|{rv}|unsafe"), Probe("sr|cfor|{rv}|")),
    "wb": (Probe("wb|{wcheckin}|score|3"), Probe("wb|{wcheckin}|talk|")),
    "pv": (Probe("pv|delete|0|{vic}"), Probe("pv|withdraw|matching|{vic_consent}")),
    "f": (Probe("f|summary|confirm|"),),  # confirming a form nobody here has filled in
    # Buttons that name no record act on the presser's own: allowed where that makes sense.
    "lang": (Probe("lang|en", frozenset(CAST)),),  # everyone chooses their own language
    # A safety plan is a service user's own, whatever their status.
    "sp": (Probe("sp|editmenu|", frozenset({"su_onboarding", "su_waiting", "su_matched"})),),
    "langs": (Probe("langs", frozenset(CAST)),),
    "rm": (Probe("rm|yes", frozenset({"su_matched"})),),
    "pw": (
        Probe("pw|wellbeing|off", frozenset({"worker_approved", "worker_pending"})),
        Probe("pw|taking|off", frozenset({"worker_approved"})),
    ),
}

# What a refusal says: a toast, or a reply, with one of these.
REFUSAL_KEYS = (
    "not_allowed",
    "stale_button_toast",
    "offer_stale",
    "request_stale",
    "rematch_nothing",
    "rematch_kept",
    "con_gone",
    "coord_not_removable",
    "coord_config_not_removable",
    "coord_cannot_remove_self",
    "plan_not_for_you",
)


def _plain(text: str) -> str:
    return parse_html(str(text))[0]


NOT_ALLOWED = t("not_allowed")
REFUSALS = {t(key) for key in REFUSAL_KEYS} | {_plain(t(key)) for key in REFUSAL_KEYS}


# -- reading the Application ---------------------------------------------------------------


def registered(application) -> tuple[set[str], set[str]]:
    """Every command name, and every callback-data prefix a handler claims."""
    commands, prefixes = set(), set()
    catch_all = 0
    for group in application.handlers.values():
        for handler in group:
            if isinstance(handler, CommandHandler):
                commands |= set(handler.commands)
            if isinstance(handler, CallbackQueryHandler):
                if handler.pattern is None:
                    catch_all += 1
                    continue
                assert isinstance(handler.pattern, Taps), f"not registered by action: {handler}"
                prefixes |= {action.head() for action in handler.pattern.classes}
    assert catch_all == 1, "one catch-all for buttons nobody handles"
    return commands, prefixes


# -- the cast --------------------------------------------------------------------------------


@dataclass
class Cast:
    users: dict[str, TelegramUser]
    ids: dict[str, int]  # the records the probes name
    codes: dict[str, str]  # invite links that may never grant anything again


async def _rows(bot: Harness, model, **where) -> list[Any]:
    async with session_factory(bot.application.bot_data["engine"])() as session:
        statement = select(model)
        for name, value in where.items():
            statement = statement.where(getattr(model, name) == value)
        return list((await session.exec(statement)).all())


async def _person_id(bot: Harness, user: TelegramUser) -> int:
    (person,) = await _rows(bot, Person, telegram_id=user.id)
    return person.id


def _button(user: TelegramUser, prefix: str) -> str:
    """The newest callback data in the person's chat that starts with ``prefix``."""
    for sent in reversed(user.api.sent_to(user.id)):
        for button in sent.buttons:
            data = button.get("callback_data") or ""
            if data.startswith(prefix):
                return data
    raise AssertionError(f"no {prefix}… button for {user.id}")


async def build_cast(bot: Harness, clock) -> Cast:
    casey = bot.user(COORDINATOR_ID, "Casey")
    await casey.send("/start")

    # Kim and Vic, whose records every button names.
    kim = await onboard_worker(bot, casey, 6101, "Kim", caseload="3")
    vic = await onboard_service_user(bot, 6201)
    await casey.tap("Offer only Kim")
    await vic.tap("Choose Kim")
    await kim.tap("Accept")
    await vic.send("/report")  # a safety flag about Kim, raised the ordinary way
    await vic.press(_button(vic, "sr|rwhy|"), vic.last())
    if "sr|nonote|" in str(vic.last().reply_markup):  # nothing to add to the report
        await vic.press(_button(vic, "sr|nonote|"), vic.last())

    robin, mia = await matched_pair(bot, worker_id=6102, user_id=6202)
    waiting = await onboard_service_user(bot, 6203)  # their proposal awaits a coordinator

    rejected = bot.user(6103, "Lee")
    rejected_code = await new_invite(casey)
    await build_worker_profile(rejected, rejected_code)
    await rejected.tap("Send for approval")
    await casey.tap("Don't approve")
    await casey.send("Needs to finish the training first")
    pending = bot.user(6104, "Pat")
    await build_worker_profile(pending, await new_invite(casey))
    await pending.tap("Send for approval")
    onboarding_worker = bot.user(6105, "Jay")
    await onboarding_worker.send(f"/start {await new_invite(casey)}")
    await onboarding_worker.tap("Let's start")
    await new_invite(casey)
    open_invite = int(_button(casey, "adm|revoke|").rsplit("|", 1)[1])

    onboarding_user = bot.user(6204, "Ari")
    await onboarding_user.send("/start")
    await onboarding_user.tap("Continue")

    # A coordinator added by invite, then removed with /coordinators.
    jo = bot.user(6301, "Jo")
    await casey.send("/coordinators")
    replies = await casey.tap("Invite a new coordinator")
    jo_code = INVITE_LINK.search(replies[-1].text).group(1)
    replies = await jo.send(f"/start {jo_code}")
    assert "now a coordinator" in replies[-1].text
    jo_worker_code = await fresh_invite(jo, "peer_worker")  # unused when Jo is removed
    jo_coordinator_code = await fresh_invite(jo, "coordinator")
    jo_id = await _person_id(bot, jo)
    await casey.send("/coordinators")
    await casey.tap(f"Remove coordinator #{jo_id}")
    (row,) = await _rows(bot, Coordinator, person_id=jo_id)
    assert row.active is False, "the coordinator was not removed"

    ids = {
        "casey": await _person_id(bot, casey),
        "jo": jo_id,
        "kim": await _person_id(bot, kim),
        "vic": await _person_id(bot, vic),
        "waiting": await _person_id(bot, waiting),
        "pending": await _person_id(bot, pending),
        "invite": open_invite,
    }
    (rv,) = await _rows(bot, Relationship, service_user_id=ids["vic"])
    (proposal,) = await _rows(bot, Proposal, service_user_id=ids["waiting"], status="review")
    (flag,) = await _rows(bot, SafetyFlag, about_person_id=ids["kim"])
    consents = await _rows(bot, ConsentRecord, person_id=ids["vic"], kind="matching")
    ids.update(
        rv=rv.id, proposal=proposal.id, flag=flag.id, vic_consent=max(c.id for c in consents)
    )

    # Records no flow reaches quickly: a check-in sent to Vic, Kim's own wellbeing check-in,
    # and a relationship of Kim's that has ended (its closing survey is open).
    now = clock.now
    async with transaction(session_factory(bot.application.bot_data["engine"])) as session:
        eve = Person(
            telegram_id=6299, role="service_user", status="ended", created_at=now, updated_at=now
        )
        session.add(eve)
        await session.flush()
        ended = Relationship(
            service_user_id=eve.id,
            peer_worker_id=ids["kim"],
            status="completed",
            created_at=now,
            updated_at=now,
            started_at=now,
            ended_at=now,
        )
        checkin = Checkin(relationship_id=rv.id, due_at=now, status="sent")
        wellbeing = WorkerCheckin(worker_id=ids["kim"], due_at=now)
        session.add_all([ended, checkin, wellbeing])
        await session.flush()
        ids.update(ended=ended.id, checkin=checkin.id, wcheckin=wellbeing.id)

    users = {
        "su_onboarding": onboarding_user,
        "su_waiting": waiting,
        "su_matched": mia,
        "worker_onboarding": onboarding_worker,
        "worker_pending": pending,
        "worker_approved": robin,
        "worker_rejected": rejected,
        COORDINATOR: casey,
        "removed_coordinator": jo,
    }
    for name, user in users.items():
        (person,) = await _rows(bot, Person, telegram_id=user.id)
        assert (person.role, person.status) == STATES[name], (name, person.role, person.status)
    codes = {
        "the removed coordinator's own, used": jo_code,
        "the rejected worker's own, used": rejected_code,
        "a worker invite the removed coordinator made": jo_worker_code,
        "a coordinator invite the removed coordinator made": jo_coordinator_code,
    }
    return Cast(users, ids, codes)


async def fresh_invite(coordinator: TelegramUser, role: str) -> str:
    if role == "peer_worker":
        return await new_invite(coordinator)
    replies = await coordinator.press("adm|addcoord|0", coordinator.last())
    return INVITE_LINK.search(replies[-1].text).group(1)


# -- watching one cell -------------------------------------------------------------------------


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def errors_logged() -> Iterator[_Errors]:
    handler = _Errors()
    logging.getLogger().addHandler(handler)
    try:
        yield handler
    finally:
        logging.getLogger().removeHandler(handler)


def _chat_of(call: Call) -> int | None:
    chat = call.params.get("chat_id")
    if chat is None:
        chat = (call.params.get("scope") or {}).get("chat_id")
    return int(chat) if chat is not None else None


def _shown(call: Call) -> str:
    return str(call.params.get("text") or call.params.get("caption") or "")


@dataclass
class Seen:
    """What one update did."""

    replies: list[Sent]
    toasts: list[str]
    others: list[str]  # calls addressed to someone else
    changed: list[str]  # tables whose rows changed
    failures: list[str]  # "went wrong" said, or an error logged

    @property
    def texts(self) -> list[str]:
        return [reply.text for reply in self.replies]

    def looks_refused(self) -> bool:
        if self.changed or self.others:
            return False
        toast = next((toast for toast in self.toasts if toast), None)
        if toast is not None:
            return toast in REFUSALS
        return bool(self.texts) and all(text in REFUSALS for text in self.texts)

    def summary(self) -> str:
        parts = []
        if self.toasts and any(self.toasts):
            parts.append(f"toast {[toast for toast in self.toasts if toast]!r}")
        if self.texts:
            parts.append(f"replies {[text[:70] for text in self.texts]!r}")
        if self.changed:
            parts.append(f"changed {self.changed}")
        if self.others:
            parts.append(f"sent to others {self.others}")
        return "; ".join(parts) or "no answer"


@dataclass
class Matrix:
    bot: Harness
    cast: Cast
    errors: _Errors
    failures: list[str] = field(default_factory=list)
    tried: set[tuple[str, str]] = field(default_factory=set)  # (person, command or prefix)
    _strangers: Iterator[int] = field(default_factory=lambda: itertools.count(880_001))
    writes: int = 0  # INSERT, UPDATE and DELETE statements the bot has run
    _state: dict[str, list[tuple]] | None = None

    # -- the database, table by table --

    def __post_init__(self) -> None:
        event.listen(self._engine.sync_engine, "before_cursor_execute", self._count_writes)

    def close(self) -> None:
        event.remove(self._engine.sync_engine, "before_cursor_execute", self._count_writes)

    @property
    def _engine(self):
        return self.bot.application.bot_data["engine"]

    def _count_writes(self, _connection, _cursor, statement: str, *_args: Any) -> None:
        if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            self.writes += 1

    async def dump(self, names: tuple[str, ...] | None = None) -> dict[str, list[tuple]]:
        """Every row of every table (or of the tables named), in a comparable form."""
        tables: dict[str, list[tuple]] = {}
        async with self._engine.connect() as connection:
            for table in SQLModel.metadata.sorted_tables:
                if names is not None and table.name not in names:
                    continue
                columns = [c for c in table.columns if (table.name, c.name) not in VOLATILE]
                rows = (await connection.execute(sa_select(*columns))).all()
                tables[table.name] = sorted(tuple(map(repr, row)) for row in rows)
        return tables

    async def grants(self) -> tuple[dict[str, list[tuple]], dict[int, tuple]]:
        """Who coordinates, every invite, and everyone's role and status."""
        roles = {p.telegram_id: (p.role, p.status) for p in await _rows(self.bot, Person)}
        return await self.dump(("coordinator", "invite")), roles

    # -- one person, one update --

    def person(self, name: str) -> TelegramUser:
        if name != "stranger":
            return self.cast.users[name]
        stranger = self.bot.user(next(self._strangers), "Stranger")
        # Never wrote to this bot: the message they tap is one an earlier bot sent long ago.
        old = Sent(next(self.bot.api._ids), stranger.id, "An old message")
        self.bot.api.messages[old.message_id] = old
        return stranger

    async def _do(self, user: TelegramUser, action: str) -> Seen:
        before_calls = len(self.bot.api.calls)
        before = self._state if self._state is not None else await self.dump()
        writes = self.writes
        self.errors.records.clear()
        if action.startswith("/"):
            replies = await user.send(action)
        else:
            replies = await user.press(action, user.last())
        calls = self.bot.api.calls[before_calls:]
        # Nothing written, nothing changed: the dump is taken again only after a write.
        after = await self.dump() if self.writes != writes else before
        self._state = after
        changed = [name for name in after if after[name] != before.get(name)]
        failures = [f"said {_shown(call)[:60]!r}" for call in calls if "went wrong" in _shown(call)]
        failures += [f"logged {r.getMessage()[:120]!r}" for r in self.errors.records]
        return Seen(
            replies=replies,
            toasts=[c.params.get("text") or "" for c in calls if c.method == "answerCallbackQuery"],
            others=[
                f"{c.method}→{_chat_of(c)}"
                for c in calls
                if _chat_of(c) is not None and _chat_of(c) != user.id
            ],
            changed=changed,
            failures=failures,
        )

    def _fail(self, phase: str, who: str, action: str, problem: str, seen: Seen) -> None:
        self.failures.append(f"[{phase}] {who:<20} {action:<38} {problem}: {seen.summary()}")

    def _check_answered(self, phase: str, who: str, action: str, seen: Seen) -> None:
        for failure in seen.failures:
            self._fail(phase, who, action, failure, seen)
        if action.startswith("/"):
            if not seen.replies:
                self._fail(phase, who, action, "no reply", seen)
        elif not seen.toasts:
            self._fail(phase, who, action, "tap not answered", seen)

    async def refused(self, phase: str, who: str, action: str, *, coordinator_surface: bool):
        """Refused kindly, nothing changed, nobody else told; on a coordinator surface, in
        exactly the words "that isn't available to you"."""
        seen = await self._do(self.person(who), action)
        self._check_answered(phase, who, action, seen)
        if seen.changed:
            self._fail(phase, who, action, "refusal changed the database", seen)
        if seen.others:
            self._fail(phase, who, action, "refusal told someone else", seen)
        if coordinator_surface and action.startswith("/"):
            if seen.texts != [_plain(NOT_ALLOWED)]:
                self._fail(phase, who, action, "not refused as coordinators-only", seen)
        elif coordinator_surface:
            if [toast for toast in seen.toasts if toast] != [NOT_ALLOWED] or seen.replies:
                self._fail(phase, who, action, "not refused as coordinators-only", seen)
        elif not seen.looks_refused():
            self._fail(phase, who, action, "not refused", seen)

    async def allowed(self, phase: str, who: str, action: str, *, public: bool = False):
        """It does its thing: answered, never an error, never refused as not theirs."""
        user = self.person(who)
        seen = await self._do(user, action)
        self._check_answered(phase, who, action, seen)
        if public:
            if seen.others:
                self._fail(phase, who, action, "a public command told someone else", seen)
            if who != COORDINATOR and any(_plain(t("help_coordinator")) in x for x in seen.texts):
                self._fail(phase, who, action, "coordinator help shown", seen)
        elif seen.looks_refused() or NOT_ALLOWED in seen.toasts + seen.texts:
            self._fail(phase, who, action, "refused but the rule allows it", seen)

    async def no_grant(self, phase: str, who: str, action: str, *, maker: int | None = None):
        """An invite link that may not give this person anything: nobody's role changes, no
        invite is used up, and nobody hears of it except, where a refusal says so, the
        coordinator who made the invite (``maker``)."""
        user = self.person(who)
        before = await self.grants()
        seen = await self._do(user, action)
        after = await self.grants()
        self._check_answered(phase, who, action, seen)
        if after[0] != before[0]:
            self._fail(phase, who, action, "coordinators or invites changed", seen)
        moved = {
            telegram_id: (before[1].get(telegram_id), role)
            for telegram_id, role in after[1].items()
            if before[1].get(telegram_id, (None, None)) != role
        }
        if moved:
            self._fail(phase, who, action, f"roles changed {moved}", seen)
        if [other for other in seen.others if not other.endswith(f"→{maker}")]:
            self._fail(phase, who, action, "told someone else", seen)

    async def out_of_band(self, action) -> Any:
        """Something the test does between cells (a coordinator makes a new invite)."""
        result = await action
        self._state = None  # the next cell compares with the database as it is now
        return result


VOLATILE = {("person", "last_seen_at")}  # kept for retention: every update from them moves it


def _command(name: str, ids: dict[str, int]) -> str:
    args = COORDINATOR_COMMANDS.get(name, "").format(**ids)
    return f"/{name} {args}".strip()


# -- the tests ---------------------------------------------------------------------------------


async def test_the_tables_name_every_command_and_button_prefix(bot: Harness) -> None:
    """A command or button prefix nobody wrote a rule for fails here: add it to the tables."""
    commands, prefixes = registered(bot.application)
    written = set(COORDINATOR_COMMANDS) | set(PUBLIC_COMMANDS)
    assert not set(COORDINATOR_COMMANDS) & set(PUBLIC_COMMANDS)
    assert commands - written == set(), "commands with no rule in COORDINATOR/PUBLIC_COMMANDS"
    assert written - commands == set(), "rules for commands the bot no longer has"
    assert prefixes - set(BUTTONS) == set(), "button prefixes with no probes in BUTTONS"
    assert set(BUTTONS) - prefixes == set(), "probes for prefixes the bot no longer has"
    assert set(BUTTONS) >= COORDINATOR_PREFIXES
    assert all(BUTTONS[prefix] for prefix in BUTTONS)
    for prefix, probes in BUTTONS.items():
        for probe in probes:
            assert probe.data.split("|")[0] == prefix, probe
            assert probe.allowed <= set(CAST), probe
            if prefix in COORDINATOR_PREFIXES:
                assert probe.allowed <= ONLY_COORDINATOR, probe


async def test_every_command_and_button_for_everyone_in_every_state(
    start_bot, clock, monkeypatch
) -> None:
    # Hundreds of updates: no pacing.
    monkeypatch.setattr(composition_root, "ChatPacedRateLimiter", NoRateLimit)
    harness = await start_bot()
    commands, prefixes = registered(harness.application)
    assert commands == set(COORDINATOR_COMMANDS) | set(PUBLIC_COMMANDS)
    assert prefixes == set(BUTTONS)
    probes = [(prefix, probe) for prefix in sorted(BUTTONS) for probe in BUTTONS[prefix]]

    with errors_logged() as errors:
        cast = await build_cast(harness, clock)
        assert errors.records == []
        ids = cast.ids
        matrix = Matrix(harness, cast, errors)
        refused: set[tuple[str, str]] = set()

        # 1. On the untouched cast: everything the rule refuses.
        for who in CAST:
            if who != COORDINATOR:
                for name in COORDINATOR_COMMANDS:
                    await matrix.refused(
                        "refuse", who, _command(name, ids), coordinator_surface=True
                    )
                    matrix.tried.add((who, name))
                    refused.add((who, name))
            for prefix, probe in probes:
                if who not in probe.allowed:
                    coordinator_surface = prefix in COORDINATOR_PREFIXES and who != COORDINATOR
                    data = probe.data.format(**ids)
                    await matrix.refused(
                        "refuse", who, data, coordinator_surface=coordinator_surface
                    )
                    matrix.tried.add((who, prefix))
                    refused.add((who, prefix))

        # 2. Invite links that may never grant anything again: used ones (the removed
        #    coordinator's, the rejected worker's), and the ones the removed coordinator made
        #    but nobody had used (removing them revoked those). Nor to anyone else.
        for who in CAST:
            for label, code in cast.codes.items():
                await matrix.no_grant(f"invite: {label}", who, f"/start {code}")

        #    A new invite for a role the person may not take now, or holds already: it stays
        #    unused and nothing about them changes (who is granted: tests/test_roles_e2e.py).
        casey = cast.users[COORDINATOR]
        for role, people in UNGRANTED_INVITES.items():
            for who in people:  # a new one each time: one wrongly used up hides no other
                code = await matrix.out_of_band(fresh_invite(casey, role))
                await matrix.no_grant("new invite", who, f"/start {code}", maker=casey.id)

        # 3. What the rule allows: each person's own buttons, then the public commands; the
        #    coordinator last, whose actions move other people on.
        for who in [*[w for w in CAST if w != COORDINATOR], COORDINATOR]:
            for prefix, probe in probes:
                if who in probe.allowed:
                    await matrix.allowed("allow", who, probe.data.format(**ids))
                    matrix.tried.add((who, prefix))
            if who == COORDINATOR:
                for name in COORDINATOR_COMMANDS:
                    await matrix.allowed("allow", who, _command(name, ids))
                    matrix.tried.add((who, name))
            for name in PUBLIC_COMMANDS:
                await matrix.allowed("public", who, f"/{name}", public=True)
                matrix.tried.add((who, name))
        matrix.close()

    # Every cell of the matrix was tried: each person, each command and each prefix.
    untried = {
        (who, what)
        for who in CAST
        for what in (*commands, *prefixes)
        if (who, what) not in matrix.tried
    }
    assert untried == set()
    # Above all, the removed coordinator: every coordinator command and button was refused.
    coordinator_surfaces = set(COORDINATOR_COMMANDS) | COORDINATOR_PREFIXES
    assert {("removed_coordinator", what) for what in coordinator_surfaces} <= refused
    assert not matrix.failures, f"{len(matrix.failures)} cells broke the rule:\n" + "\n".join(
        matrix.failures
    )
