"""Every button the bot makes, as a typed action, and the one codec for its callback data.

A tap comes back as at most 64 bytes of text. Each action is a small frozen dataclass whose
``layout`` says how its fields are written, e.g. ``CheckinScore(12, 3)`` packs to
``ci|12|score|3``. ``decode`` is the only place callback data is parsed: it accepts exactly
the layouts below with fields of the right type (ids that fit the database, strings of safe
characters, one of a fixed set of words) and returns ``None`` for anything else, so a forged,
corrupted or outdated tap never reaches a handler. Handlers are registered per action class
(``bot.tg.taps``).

The layouts are the callback data the bot has always sent, so buttons already in people's
chats keep working across an upgrade.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import string
import typing
from typing import ClassVar, Literal, Self, dataclass_transform

LIMIT = 64  # bytes: Telegram's limit on callback data
LARGEST_ID = 2**31 - 1  # every number in a button is a database id, a page or a small count
# A text field holds a word, a key or a time zone ("mon:evening", "pl.x.2", "Etc/GMT+10").
_SAFE = string.ascii_letters + string.digits + "_.:-/+"
_FIELD = re.compile(r"\{(\w+)\}")

_BY_HEAD: dict[str, list[type[Action]]] = {}
_LAYOUTS: dict[str, type[Action]] = {}


@dataclass_transform(frozen_default=True)
class Action:
    """One thing a button asks for. Subclasses give ``layout`` and typed fields."""

    layout: ClassVar[str]
    _pattern: ClassVar[re.Pattern[str]]
    _readers: ClassVar[dict[str, typing.Callable[[str], object]]]

    def __init_subclass__(cls, layout: str, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        dataclasses.dataclass(frozen=True)(cls)
        cls.layout = layout
        hints = typing.get_type_hints(cls)
        names = _FIELD.findall(layout)
        fields = [f.name for f in dataclasses.fields(cls)]
        if sorted(names) != sorted(fields):
            raise TypeError(f"{cls.__name__}: layout {layout!r} must name each field once")
        if layout in _LAYOUTS:
            raise TypeError(f"{cls.__name__} and {_LAYOUTS[layout].__name__} share {layout!r}")
        defaults = {f.name for f in dataclasses.fields(cls) if f.default is not dataclasses.MISSING}
        pattern, readers, last = "", {}, 0
        for found in _FIELD.finditer(layout):
            name = found.group(1)
            regex, readers[name] = _field(cls.__name__, name, hints[name])
            literal = re.escape(layout[last : found.start()])
            if found.end() == len(layout) and name in defaults and literal.endswith(r"\|"):
                # A last field with a default may be left off, separator and all.
                pattern += f"{literal[:-2]}(?:\\|(?P<{name}>{regex}))?"
            else:
                pattern += f"{literal}(?P<{name}>{regex})"
            last = found.end()
        cls._pattern = re.compile(pattern + re.escape(layout[last:]))
        cls._readers = readers
        _LAYOUTS[layout] = cls
        _BY_HEAD.setdefault(layout.split("|", 1)[0], []).append(cls)

    @classmethod
    def head(cls) -> str:
        """The readable prefix before the first ``|`` (``ci``), shared by related actions."""
        return cls.layout.split("|", 1)[0]

    def pack(self) -> str:
        values = {}
        for name, read in self._readers.items():
            text = str(getattr(self, name))
            if read(text) is None:
                raise ValueError(f"{type(self).__name__}.{name} cannot be packed: {text!r}")
            values[name] = text
        data = self.layout.format(**values)
        if len(data.encode()) > LIMIT:
            raise ValueError(f"{type(self).__name__} packs to more than {LIMIT} bytes")
        return data

    @classmethod
    def unpack(cls, data: str) -> Self | None:
        found = cls._pattern.fullmatch(data)
        if found is None:
            return None
        values = {
            name: read(found.group(name))
            for name, read in cls._readers.items()
            if found.group(name) is not None
        }
        if any(value is None for value in values.values()):
            return None
        return cls(**values)


@functools.lru_cache(maxsize=1024)
def decode(data: str | None) -> Action | None:
    """The action a tap asks for, or None for data that none of our buttons could carry.

    One tap is decoded by the forgery guard, by each registered handler's pattern until one
    matches, and by ``tapped``: the cache makes that one parse (actions are immutable)."""
    if not data or len(data.encode()) > LIMIT or not data.isascii():
        return None
    for cls in _BY_HEAD.get(data.split("|", 1)[0], ()):
        action = cls.unpack(data)
        if action is not None:
            return action
    return None


def retired(data: str | None) -> bool:
    """Data no action decodes but one of our buttons could once have carried (short ASCII,
    numbers that fit): a button from an older version, not a forgery."""
    if not data or not data.isascii() or len(data.encode()) > LIMIT:
        return False
    return all(int(number) <= LARGEST_ID for number in re.findall(r"\d+", data))


def actions() -> list[type[Action]]:
    return list(_LAYOUTS.values())


def _read_int(text: str) -> int | None:
    return int(text) if text.isdigit() and int(text) <= LARGEST_ID else None


def _read_text(text: str) -> str | None:
    return text if len(text) <= LIMIT and all(c in _SAFE for c in text) else None


def _field(owner: str, name: str, hint: object) -> tuple[str, typing.Callable[[str], object]]:
    if hint is int:
        return r"\d{1,10}", _read_int
    if hint is str:
        return r"[^|]*", _read_text
    if typing.get_origin(hint) is Literal:
        words = typing.get_args(hint)
        return "|".join(
            re.escape(word) for word in words
        ), lambda text: text if text in words else None
    raise TypeError(f"{owner}.{name}: a field is an int, a str or a Literal of words")


YesNo = Literal["yes", "no"]
OnOff = Literal["on", "off"]


# -- forms (onboarding, a worker's profile, editing a profile) ------------------------------


class FormTap(Action, layout="f|{step}|{verb}|{value}"):
    step: str
    verb: Literal["next", "pick", "toggle", "done", "skip", "clear", "back", "edit", "confirm"]
    value: str = ""


# -- coordinators: workers, invites, coordinators --------------------------------------------


class ApproveWorker(Action, layout="adm|approve|{worker_id}"):
    worker_id: int


class AskRejectReason(Action, layout="adm|reject|{worker_id}"):
    worker_id: int


class RejectWithoutReason(Action, layout="adm|rejectnow|{worker_id}"):
    worker_id: int


class RevokeInvite(Action, layout="adm|revoke|{invite_id}"):
    invite_id: int


class RemoveCoordinator(Action, layout="adm|rmcoord|{person_id}"):
    person_id: int


class InviteCoordinator(Action, layout="adm|addcoord|0"):
    pass


# -- peer workers ----------------------------------------------------------------------------


class EditWorkerProfile(Action, layout="pw|edit|"):
    pass


class TakeNewMatches(Action, layout="pw|taking|{switch}"):
    switch: OnOff


class WorkerWellbeingChecks(Action, layout="pw|wellbeing|{switch}"):
    switch: OnOff


class WellbeingScore(Action, layout="wb|{checkin_id}|score|{score}"):
    checkin_id: int
    score: int


class WellbeingTalk(Action, layout="wb|{checkin_id}|talk|"):
    checkin_id: int


# -- offers, requests and proposals ----------------------------------------------------------


class ChooseWorker(Action, layout="off|{proposal_id}|choose|{worker_id}"):
    proposal_id: int
    worker_id: int


class NoneOfThese(Action, layout="off|{proposal_id}|none|"):
    proposal_id: int


class NotNow(Action, layout="off|{proposal_id}|notnow|"):
    proposal_id: int


class FindMeAPeer(Action, layout="off|0|resume|"):
    pass


class Rematch(Action, layout="rm|{answer}"):
    answer: YesNo


class AcceptRequest(Action, layout="req|{relationship_id}|accept|"):
    relationship_id: int


class DeclineRequest(Action, layout="req|{relationship_id}|decline|"):
    relationship_id: int


class DeclineReason(Action, layout="req|{relationship_id}|why|{reason}"):
    relationship_id: int
    reason: Literal["capacity", "fit", "other"]


class OfferAllProposed(Action, layout="prop|{proposal_id}|all|"):
    proposal_id: int


class OfferOneProposed(Action, layout="prop|{proposal_id}|w|{worker_id}"):
    proposal_id: int
    worker_id: int


class HoldProposal(Action, layout="prop|{proposal_id}|hold|"):
    proposal_id: int


class OfferEveryCard(Action, layout="prop|{first}|every|{last}"):
    """Approve every card of one batch at once (proposal ids ``first`` to ``last``, still in
    review): each offers its match and alternatives."""

    first: int
    last: int


class BatchPage(Action, layout="prop|{first}|page|{last}|{page}"):
    """A page of a batch's review view (its cards: proposal ids ``first`` to ``last``)."""

    first: int
    last: int
    page: int


class OpenCard(Action, layout="prop|{proposal_id}|open|"):
    """One card of a batch's review view, in full: offer it, offer another worker with a
    place instead (a swap), or hold it."""

    proposal_id: int


class ConfirmManualMatch(Action, layout="mm|{service_user_id}|{answer}|{worker_id}"):
    service_user_id: int
    answer: YesNo
    worker_id: int


# -- relationships: the relay, ending, pausing -----------------------------------------------


class RelayTo(Action, layout="rl|for|{relationship_id}|{message_id}"):
    """Which of a worker's relationships a message they wrote is for."""

    relationship_id: int
    message_id: int


class SendHeldMessage(Action, layout="bd|{relationship_id}|send|{message_id}"):
    """A message held back for its contact details: its writer sends it anyway."""

    relationship_id: int
    message_id: int


class ChangeHeldMessage(Action, layout="bd|0|change|"):
    pass


class FitAnswer(Action, layout="fit|{relationship_id}|{answer}"):
    """ "Is this a good fit?", answered privately by either side."""

    relationship_id: int
    answer: Literal["good", "unsure", "other", "not_fit"]


class FitTalk(Action, layout="fit|{relationship_id}|talk|{answer}"):
    relationship_id: int
    answer: YesNo


class RelayFromLabel(Action, layout="rl|who|0|"):
    pass


class AskPauseLength(Action, layout="rl|pause|{relationship_id}|"):
    relationship_id: int


class PauseFor(Action, layout="rl|pausefor|{relationship_id}|{weeks}"):
    relationship_id: int
    weeks: int


class AskEndReason(Action, layout="rl|endwhich|{relationship_id}|"):
    relationship_id: int


class EndRelationship(Action, layout="rl|end|{relationship_id}|{reason}"):
    relationship_id: int
    reason: str


class KeepRelationship(Action, layout="rl|keep|0|"):
    pass


# -- check-ins -------------------------------------------------------------------------------


class CheckinCadence(Action, layout="cp|{relationship_id}|cadence|{cadence}"):
    relationship_id: int
    cadence: str


class CheckinDay(Action, layout="cp|{relationship_id}|day|{day}"):
    relationship_id: int
    day: int


class CheckinTime(Action, layout="cp|{relationship_id}|time|{clock}"):
    relationship_id: int
    clock: str  # "0930"


class CheckinPlanChange(Action, layout="cp|{relationship_id}|{change}|"):
    relationship_id: int
    change: Literal["change", "pause", "resume"]


class CheckinScore(Action, layout="ci|{checkin_id}|score|{score}"):
    checkin_id: int
    score: int


class CheckinReachOut(Action, layout="ci|{checkin_id}|reach|{answer}"):
    checkin_id: int
    answer: YesNo


class CheckinSkipNote(Action, layout="ci|{checkin_id}|skipnote|"):
    checkin_id: int


# -- endings: the closure checklist, more time, the closing survey ---------------------------


class ChecklistItem(Action, layout="ck|{relationship_id}|{item}"):
    relationship_id: int
    item: str


class AskExtension(Action, layout="ex|{relationship_id}"):
    relationship_id: int


class SurveyRating(Action, layout="sv|{relationship_id}|rate|{score}"):
    relationship_id: int
    score: int


class SurveyRecommend(Action, layout="sv|{relationship_id}|recommend|{answer}"):
    relationship_id: int
    answer: YesNo


class SurveyOutcome(Action, layout="sv|{relationship_id}|o{question}|{score}"):
    relationship_id: int
    question: int
    score: int


class SurveyNoComment(Action, layout="sv|{relationship_id}|nocomment|"):
    relationship_id: int


# -- safety ----------------------------------------------------------------------------------


class FlagsPage(Action, layout="sf|list|{page}"):
    page: int


class OpenFlag(Action, layout="sf|open|{flag_id}"):
    flag_id: int


class AcknowledgeFlag(Action, layout="sf|ack|{flag_id}"):
    flag_id: int


class ResolveFlag(Action, layout="sf|resolve|{flag_id}"):
    flag_id: int


class AskEndAndExclude(Action, layout="sf|endx|{flag_id}"):
    flag_id: int


class EndAndExclude(Action, layout="sf|endxok|{flag_id}"):
    flag_id: int


class ConcernFor(Action, layout="sr|cfor|{relationship_id}|"):
    relationship_id: int


class ReportFor(Action, layout="sr|rfor|{relationship_id}|"):
    relationship_id: int


class ReportReason(Action, layout="sr|rwhy|{relationship_id}|{reason}"):
    relationship_id: int
    reason: str


class CancelReport(Action, layout="sr|no|0|"):
    pass


class ReportWithoutNote(Action, layout="sr|nonote|0|"):
    pass


# -- my safety plan ------------------------------------------------------------------------


class SafetyPlanTap(Action, layout="sp|{verb}|{step}"):
    verb: Literal[
        "start",
        "edit",
        "skip",
        "stop",
        "editmenu",
        "share",
        "unshare",
        "delete",
        "deleteyes",
        "keep",
    ]
    step: str = ""


# -- supervision -------------------------------------------------------------------------------


class SupervisionTap(Action, layout="spv|{verb}|{subject}|{value}"):
    """Recording a session (subject: the worker), a worker's topic, their reflections."""

    verb: Literal[
        "record",
        "when",
        "toggle",
        "done",
        "skip",
        "next",
        "topic",
        "share",
        "unshare",
        "reflect",
        "notnow",
    ]
    subject: int
    value: str = ""


# -- privacy ---------------------------------------------------------------------------------


class ConsentTap(Action, layout="pv|{verb}|{kind}|{record_id}"):
    """Ask to withdraw or give a consent, then confirm or keep it as it is."""

    verb: Literal["ask", "giveask", "withdraw", "give", "keep"]
    kind: str
    record_id: int


class ConfirmDelete(Action, layout="pv|{answer}|0|{person_id}"):
    answer: Literal["delete", "nodelete"]
    person_id: int


# -- languages -----------------------------------------------------------------------------


class ChooseLanguage(Action, layout="lang|{code}"):
    code: str


class ShowLanguages(Action, layout="langs"):
    pass


# -- the coordinators' console ---------------------------------------------------------------


class Dashboard(Action, layout="cn|dash"):
    pass


class PeoplePage(Action, layout="cn|pl|{name}|{page}"):
    name: str
    page: int


class RelationshipsPage(Action, layout="cn|rl|{name}|{page}"):
    name: str
    page: int


class AuditTrailPage(Action, layout="cn|au|{page}"):
    page: int


class OpenPerson(Action, layout="cn|p|{person_id}|{back}"):
    person_id: int
    back: str = ""


class OpenRelationship(Action, layout="cn|r|{relationship_id}|{back}"):
    relationship_id: int
    back: str = ""


class RelationshipAction(Action, layout="cn|ra|{relationship_id}|{action}|{weeks}"):
    relationship_id: int
    action: Literal["pause", "resume", "extend", "close"]
    weeks: int = 0


class PersonAction(Action, layout="cn|pa|{person_id}|{action}|{back}"):
    person_id: int
    action: str
    back: str = ""


class MatchWithWorker(Action, layout="cn|mw|{service_user_id}|{worker_id}"):
    service_user_id: int
    worker_id: int


class ConsoleView(Action, layout="cn|go|{view}"):
    view: Literal[
        "pending", "waitlist", "matchall", "invites", "invite", "coords", "wellbeing", "export"
    ]
