"""The engine's own input and output types, independent of any database or chat.

The bot maps its rows to these; nothing here knows where they came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum


class Weight(StrEnum):
    IMPORTANT = "important"  # a hard constraint
    NICE = "nice"  # adds to the score when met
    NONE = "none"  # ignored


class Constraint(StrEnum):
    """Why a worker cannot be proposed for a service user (a hard constraint)."""

    UNAVAILABLE = "unavailable"  # not approved, not taking new matches, or no capacity left
    EXCLUDED = "excluded"  # declined or ended before, or excluded by a coordinator
    PERSPECTIVE = "perspective"  # a carer with a carer peer, a consumer with a consumer peer
    LANGUAGE = "language"  # no shared language
    AVAILABILITY = "availability"  # too little weekly overlap
    GENDER = "gender"  # an "important" preference not met
    AGE_BAND = "age_band"
    COMMUNITY = "community"


# The constraints a person sets themselves, and could widen if they wished: not a worker's
# capacity or pause, a past decline, or consumer/carer perspective.
OWN_CHOICES = frozenset(
    {
        Constraint.LANGUAGE,
        Constraint.AVAILABILITY,
        Constraint.GENDER,
        Constraint.AGE_BAND,
        Constraint.COMMUNITY,
    }
)


@dataclass(frozen=True)
class WeeklySlot:
    """A recurring weekly window in the person's own time zone. weekday 0 = Monday."""

    weekday: int
    start_minute: int
    end_minute: int


@dataclass(frozen=True)
class Availability:
    timezone: str
    slots: tuple[WeeklySlot, ...]


@dataclass(frozen=True)
class Preference:
    choices: frozenset[str] = frozenset()
    weight: Weight = Weight.NONE


@dataclass(frozen=True)
class Need:
    """What a service user asked for."""

    id: int
    perspective: str  # "consumer" or "carer"
    areas: frozenset[str]  # lived experience they would value (may be empty)
    languages: frozenset[str]
    availability: Availability
    gender: Preference = Preference()
    age_band: Preference = Preference()
    community: Preference = Preference()
    excluded: frozenset[int] = frozenset()  # worker ids never to propose
    reconnect_with: frozenset[int] = frozenset()  # workers they asked to reconnect with


@dataclass(frozen=True)
class Offer:
    """What a peer worker offers, and how much room they have."""

    id: int
    consumer: bool
    carer: bool
    areas: frozenset[str]  # only what the worker chose to share
    languages: frozenset[str]
    availability: Availability
    capacity_left: int
    caseload: int = 0
    max_caseload: int = 1
    gender: str | None = None
    age_band: str | None = None
    communities: frozenset[str] = frozenset()
    active: bool = True  # approved and taking new matches


@dataclass(frozen=True)
class Weights:
    """How much each soft component counts; integer points keep scores exact."""

    lived_experience: int = 40
    availability: int = 25
    preferences: int = 20
    load: int = 10
    continuity: int = 30
    min_overlap_minutes: int = 60


@dataclass(frozen=True)
class Reason:
    """One plain-language reason, as data: the bot's text catalog words it.

    code: shared_experience (values: area keys), common_times (values: "weekday:start:end"
    in the service user's local time), language (values: every shared language key; the bot
    mentions only those other than the service's main language), gender / age_band /
    community (values: what matched), lighter_caseload, continuity.
    """

    code: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Candidate:
    offer_id: int
    score: int
    components: dict[str, float] = field(default_factory=dict)
    reasons: tuple[Reason, ...] = ()
    overlap_minutes: int = 0


@dataclass(frozen=True)
class Ranking:
    """Candidates for one service user, and why every other worker was ruled out."""

    candidates: tuple[Candidate, ...]
    ruled_out: dict[int, Constraint]  # offer id -> the first hard constraint it breaks

    def ruled_out_counts(self) -> dict[Constraint, int]:
        counts: dict[Constraint, int] = {}
        for constraint in self.ruled_out.values():
            counts[constraint] = counts.get(constraint, 0) + 1
        return counts

    def own_choices_blocking(self) -> dict[Constraint, int]:
        """For a ranking made with every place open (``every_place_open``): nobody fits at
        all, and how many workers each of the person's own choices rules out; empty when
        someone would fit, so that only capacity keeps them waiting."""
        if self.candidates:
            return {}
        return {c: n for c, n in self.ruled_out_counts().items() if c in OWN_CHOICES}


def every_place_open(offers: Sequence[Offer]) -> list[Offer]:
    """The workers as if each had a place free and took new matches: ranked against these,
    whoever still does not fit is kept out by the constraints, not by capacity."""
    return [
        replace(offer, capacity_left=max(offer.max_caseload, 1), active=True) for offer in offers
    ]


@dataclass(frozen=True)
class Assignment:
    pairs: tuple[tuple[int, int, int], ...]  # (need id, offer id, score), by need id
    unassigned: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(score for _, _, score in self.pairs)
