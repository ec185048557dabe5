"""Scoring, hard constraints, top-K candidates and the optimal batch assignment.

An ``OfferPool`` turns the workers into arrays once; a service user's needs are then scored
against every worker at once with numpy. Scores are integers, so totals are exact and the
same input always gives the same answer. Everything is pure: no database, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from matching.availability import CELL_MINUTES, CELLS_PER_WEEK, cells, common_slots
from matching.model import (
    Assignment,
    Candidate,
    Constraint,
    Need,
    Offer,
    Preference,
    Ranking,
    Reason,
    Weight,
    Weights,
    every_place_open,
)

# The order in which hard constraints are reported: the first one broken is the reason.
CONSTRAINT_ORDER = (
    Constraint.UNAVAILABLE,
    Constraint.EXCLUDED,
    Constraint.PERSPECTIVE,
    Constraint.LANGUAGE,
    Constraint.AVAILABILITY,
    Constraint.GENDER,
    Constraint.AGE_BAND,
    Constraint.COMMUNITY,
)
SMALL_BATCH = 8  # up to this many needs, overlap is counted without a matrix product
RANK_BLOCK = 256  # people evaluated together by ``rank_all``: (256 × workers) arrays at most
SCORE_SCALE = 10  # points per weight unit: a component of 1.0 with weight 40 scores 400
LIGHTER_CASELOAD = 0.75  # a load component at or above this is worth mentioning


def _index(values: Iterable[str]) -> dict[str, int]:
    return {value: i for i, value in enumerate(sorted(set(values)))}


def _multi_hot(rows: Sequence[Iterable[str]], vocabulary: dict[str, int]) -> np.ndarray:
    matrix = np.zeros((len(rows), max(len(vocabulary), 1)), dtype=np.float64)
    for i, values in enumerate(rows):
        for value in values:
            if value in vocabulary:
                matrix[i, vocabulary[value]] = 1.0
    return matrix


@dataclass
class Evaluation:
    """Every need against every offer: shape (needs, offers)."""

    feasible: np.ndarray
    first_broken: np.ndarray  # index into CONSTRAINT_ORDER, or -1
    score: np.ndarray  # int64; meaningful where feasible
    overlap: np.ndarray  # minutes per week
    components: dict[str, np.ndarray]


class OfferPool:
    """The workers as arrays, built once and reused for many needs."""

    def __init__(self, offers: Sequence[Offer], weights: Weights, week_start: date) -> None:
        self.offers = tuple(sorted(offers, key=lambda offer: offer.id))
        self.weights = weights
        self.week_start = week_start
        self.position = {offer.id: i for i, offer in enumerate(self.offers)}
        offers = self.offers
        self._areas = _index(area for offer in offers for area in offer.areas)
        self._languages = _index(lang for offer in offers for lang in offer.languages)
        self._genders = _index(offer.gender for offer in offers if offer.gender)
        self._age_bands = _index(offer.age_band for offer in offers if offer.age_band)
        self._communities = _index(c for offer in offers for c in offer.communities)
        self.area_matrix = _multi_hot([o.areas for o in offers], self._areas)
        self.language_matrix = _multi_hot([o.languages for o in offers], self._languages)
        self.gender_matrix = _multi_hot(
            [[o.gender] if o.gender else [] for o in offers], self._genders
        )
        self.age_matrix = _multi_hot(
            [[o.age_band] if o.age_band else [] for o in offers], self._age_bands
        )
        self.community_matrix = _multi_hot([o.communities for o in offers], self._communities)
        self.cell_grid = np.array(
            [cells(o.availability, week_start) for o in offers], dtype=bool
        ).reshape(len(offers), CELLS_PER_WEEK)
        self.cells = self.cell_grid.astype(np.float32)
        self.consumer = np.array([o.consumer for o in offers], dtype=bool)
        self.carer = np.array([o.carer for o in offers], dtype=bool)
        # Places left, lowered by ``take`` as places are handed out from this pool.
        self.places = np.array(
            [max(o.capacity_left, 0) if o.active else 0 for o in offers], dtype=np.int64
        )
        self.open = self.places > 0
        self._every_place_open: OfferPool | None = None
        self.load = np.array(
            [1.0 - min(o.caseload, o.max_caseload) / max(o.max_caseload, 1) for o in offers]
        )

    def with_every_place_open(self) -> OfferPool:
        """This pool's workers as if each had a place free and took new matches (built once):
        who does not fit them is kept out by the constraints, not by capacity."""
        if self._every_place_open is None:
            opened = every_place_open(self.offers)
            self._every_place_open = OfferPool(opened, self.weights, self.week_start)
        return self._every_place_open

    def take(self, offer_id: int) -> None:
        """One of this worker's places has been handed out (held by an offer or a request):
        later rankings and solves from this pool see one fewer."""
        j = self.position.get(offer_id)
        if j is not None and self.places[j] > 0:
            self.places[j] -= 1
            self.open[j] = self.places[j] > 0

    def has_place(self, offer_id: int) -> bool:
        return self.places_left(offer_id) > 0

    def places_left(self, offer_id: int) -> int:
        j = self.position.get(offer_id)
        return 0 if j is None else int(self.places[j])

    # -- scoring -----------------------------------------------------------------------------

    def _ids_mask(self, needs: Sequence[Need], attribute: str) -> np.ndarray:
        mask = np.zeros((len(needs), len(self.offers)), dtype=bool)
        for i, need in enumerate(needs):
            for offer_id in getattr(need, attribute):
                if offer_id in self.position:
                    mask[i, self.position[offer_id]] = True
        return mask

    def _preference(
        self, needs: Sequence[Need], name: str, vocabulary: dict[str, int], matrix: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(met, important, nice) for one preference: met is (needs, offers)."""
        preferences: list[Preference] = [getattr(need, name) for need in needs]
        wanted = _multi_hot([p.choices for p in preferences], vocabulary)
        met = (wanted @ matrix.T) > 0
        important = np.array(
            [p.weight == Weight.IMPORTANT and bool(p.choices) for p in preferences]
        )
        nice = np.array([p.weight == Weight.NICE and bool(p.choices) for p in preferences])
        return met, important, nice

    def evaluate(self, needs: Sequence[Need]) -> Evaluation:
        n_offers = len(self.offers)
        shape = (len(needs), n_offers)
        if not needs or not n_offers:
            empty = np.zeros(shape)
            return Evaluation(
                empty.astype(bool),
                empty.astype(np.int8) - 1,
                empty.astype(np.int64),
                empty.astype(np.int64),
                {},
            )
        weights = self.weights
        need_grid = np.array([cells(n.availability, self.week_start) for n in needs])
        if len(needs) <= SMALL_BATCH:
            # One or a few people (ranking): plain boolean work, no BLAS threads to wait on.
            overlap = np.stack([(self.cell_grid & row).sum(axis=1) for row in need_grid])
        else:
            overlap = need_grid.astype(np.float32) @ self.cells.T
        overlap = overlap.astype(np.int64) * CELL_MINUTES
        need_minutes = need_grid.sum(axis=1).astype(np.int64) * CELL_MINUTES
        carer = np.array([n.perspective == "carer" for n in needs])
        perspective_ok = np.where(carer[:, None], self.carer[None, :], self.consumer[None, :])
        language_ok = (
            _multi_hot([n.languages for n in needs], self._languages) @ self.language_matrix.T
        ) > 0
        excluded = self._ids_mask(needs, "excluded")
        preferences = {
            Constraint.GENDER: self._preference(needs, "gender", self._genders, self.gender_matrix),
            Constraint.AGE_BAND: self._preference(
                needs, "age_band", self._age_bands, self.age_matrix
            ),
            Constraint.COMMUNITY: self._preference(
                needs, "community", self._communities, self.community_matrix
            ),
        }
        broken = {
            Constraint.UNAVAILABLE: np.broadcast_to(~self.open[None, :], shape),
            Constraint.EXCLUDED: excluded,
            Constraint.PERSPECTIVE: ~perspective_ok,
            Constraint.LANGUAGE: ~language_ok,
            Constraint.AVAILABILITY: overlap < weights.min_overlap_minutes,
        }
        for constraint, (met, important, _nice) in preferences.items():
            broken[constraint] = important[:, None] & ~met
        first_broken = np.full(shape, -1, dtype=np.int8)
        for position in reversed(range(len(CONSTRAINT_ORDER))):
            first_broken[broken[CONSTRAINT_ORDER[position]]] = position
        feasible = first_broken < 0

        wanted_areas = _multi_hot([n.areas for n in needs], self._areas)
        asked = np.array([len(n.areas) for n in needs], dtype=np.float64)
        experience = (wanted_areas @ self.area_matrix.T) / np.maximum(asked, 1.0)[:, None]
        availability = np.minimum(overlap / np.maximum(need_minutes, 1)[:, None], 1.0)
        nice_met = sum(met & nice[:, None] for met, _important, nice in preferences.values())
        nice_count = sum(nice.astype(np.float64) for _met, _important, nice in preferences.values())
        preference_score = nice_met / np.maximum(nice_count, 1.0)[:, None]
        load = np.broadcast_to(self.load[None, :], shape)
        continuity = self._ids_mask(needs, "reconnect_with").astype(np.float64)
        components = {
            "lived_experience": experience,
            "availability": availability,
            "preferences": preference_score,
            "load": load,
            "continuity": continuity,
        }
        points = sum(getattr(weights, name) * value for name, value in components.items())
        # +1: every feasible pair is worth something, so the batch never leaves a
        # service user waiting when a worker could take them.
        score = np.rint(points * SCORE_SCALE).astype(np.int64) + 1
        return Evaluation(feasible, first_broken, score, overlap, components)

    # -- one service user ----------------------------------------------------------------------

    def rank(self, need: Need, limit: int = 5) -> Ranking:
        """The best ``limit`` workers for one service user, with reasons, and who was ruled out."""
        evaluation = self.evaluate([need])
        feasible = np.flatnonzero(evaluation.feasible[0])
        scores = evaluation.score[0]
        ids = np.array([offer.id for offer in self.offers])
        order = feasible[np.lexsort((ids[feasible], -scores[feasible]))][:limit]
        candidates = tuple(self._candidate(need, evaluation, int(j)) for j in order)
        ruled_out = {
            self.offers[j].id: CONSTRAINT_ORDER[evaluation.first_broken[0, j]]
            for j in np.flatnonzero(~evaluation.feasible[0])
        }
        return Ranking(candidates, ruled_out)

    def rank_all(self, needs: Sequence[Need], limit: int = 5) -> list[Ranking]:
        """``rank`` for each of many people, evaluated together a block at a time: a whole
        waitlist's rankings in the time of a few of ``rank``'s, each the same as its own."""
        rankings: list[Ranking] = []
        ids = np.array([offer.id for offer in self.offers])
        for start in range(0, len(needs), RANK_BLOCK):
            block = needs[start : start + RANK_BLOCK]
            evaluation = self.evaluate(block)
            for i, need in enumerate(block):
                feasible = np.flatnonzero(evaluation.feasible[i])
                scores = evaluation.score[i]
                order = feasible[np.lexsort((ids[feasible], -scores[feasible]))][:limit]
                candidates = tuple(self._candidate(need, evaluation, int(j), i) for j in order)
                ruled = np.flatnonzero(~evaluation.feasible[i])
                ruled_out = dict(
                    zip(
                        ids[ruled].tolist(),
                        (CONSTRAINT_ORDER[k] for k in evaluation.first_broken[i, ruled]),
                        strict=True,
                    )
                )
                rankings.append(Ranking(candidates, ruled_out))
        return rankings

    def _candidate(self, need: Need, evaluation: Evaluation, j: int, i: int = 0) -> Candidate:
        """Worker ``j`` for ``need``, row ``i`` of the evaluation."""
        offer = self.offers[j]
        components = {name: round(float(v[i, j]), 4) for name, v in evaluation.components.items()}
        return Candidate(
            offer_id=offer.id,
            score=int(evaluation.score[i, j]),
            components=components,
            reasons=tuple(self._reasons(need, offer, j, components)),
            overlap_minutes=int(evaluation.overlap[i, j]),
        )

    def _reasons(
        self, need: Need, offer: Offer, j: int, components: dict[str, float]
    ) -> list[Reason]:
        reasons = []
        shared = sorted(need.areas & offer.areas)  # offer.areas holds only what they share
        if shared:
            reasons.append(Reason("shared_experience", tuple(shared)))
        together = common_slots(need.availability, self.cell_grid[j], self.week_start)
        if together:
            reasons.append(
                Reason(
                    "common_times",
                    tuple(f"{s.weekday}:{s.start_minute}:{s.end_minute}" for s in together),
                )
            )
        languages = sorted(need.languages & offer.languages)
        if languages:
            reasons.append(Reason("language", tuple(languages)))
        for name, value in (
            ("gender", {offer.gender} if offer.gender else set()),
            ("age_band", {offer.age_band} if offer.age_band else set()),
            ("community", set(offer.communities)),
        ):
            preference: Preference = getattr(need, name)
            if preference.weight != Weight.NONE and preference.choices & value:
                reasons.append(Reason(name, tuple(sorted(preference.choices & value))))
        if offer.id in need.reconnect_with:
            reasons.append(Reason("continuity"))
        if components["load"] >= LIGHTER_CASELOAD:
            reasons.append(Reason("lighter_caseload"))
        return reasons

    # -- the whole waitlist --------------------------------------------------------------------

    def assign(self, needs: Sequence[Need], first: Sequence[int] = ()) -> Assignment:
        """An assignment of the waitlist with the greatest total score, within capacity.
        ``first``: need ids, the longest-waiting first; of the assignments with the greatest
        total, the one that leaves the people earliest in it waiting least."""
        return self._solve(needs, explain=False, first=first).assignment

    def assign_explained(self, needs: Sequence[Need], first: Sequence[int] = ()) -> Batch:
        """``assign``, and each pair's worker described as ``rank`` would (score, reasons)."""
        return self._solve(needs, explain=True, first=first)

    def _solve(self, needs: Sequence[Need], explain: bool, first: Sequence[int] = ()) -> Batch:
        """Solved as a minimum-cost perfect matching on a sparse bipartite graph: each worker is
        repeated once per free place, and each service user has a private "stay waiting" node,
        so a perfect matching always exists and waiting costs as much as a pair worth 0.

        With ``first``, every cost is scaled by more than the sum of all the tie-breaks, and
        waiting costs a little more the earlier someone is in ``first``: the total score stays
        the greatest possible, and only among equal totals does the order decide.
        """
        needs = sorted(needs, key=lambda need: need.id)
        if not needs:
            return Batch(Assignment((), ()), {})
        present = {need.id for need in needs}
        order = {need_id: i for i, need_id in enumerate(i for i in first if i in present)}
        n = len(needs)
        scale = n * n + 1 if order else 1
        tie_breaks = np.array([n - order.get(need.id, n) for need in needs], dtype=np.float64)
        evaluation = self.evaluate(needs)
        rows, cols = np.nonzero(evaluation.feasible)
        if rows.size == 0:
            return Batch(Assignment((), tuple(need.id for need in needs)), {})
        places = np.minimum(self.places, len(needs))
        first_place = np.concatenate(([0], np.cumsum(places)[:-1]))
        scores = evaluation.score[rows, cols]
        ceiling = int(scores.max()) + 1
        copies = places[cols]
        edge_rows = np.repeat(rows, copies)
        edge_cols = np.repeat(first_place[cols], copies) + _ranges(copies)
        edge_costs = np.repeat((ceiling - scores) * scale, copies).astype(np.float64)
        n_places = int(places.sum())
        waiting = np.arange(len(needs))
        waiting_costs = float(ceiling * scale) + (tie_breaks if order else 0.0)
        graph = csr_matrix(
            (
                np.concatenate([edge_costs, np.broadcast_to(waiting_costs, len(needs))]),
                (
                    np.concatenate([edge_rows, waiting]),
                    np.concatenate([edge_cols, n_places + waiting]),
                ),
            ),
            shape=(len(needs), n_places + len(needs)),
        )
        matched_rows, matched_cols = min_weight_full_bipartite_matching(graph)
        owner = np.repeat(np.arange(len(self.offers)), places)
        pairs, unassigned, candidates = [], [], {}
        for i, place in zip(matched_rows, matched_cols, strict=True):
            if place < n_places:
                j = int(owner[place])
                pairs.append((needs[i].id, self.offers[j].id, int(evaluation.score[i, j])))
                if explain:
                    candidates[needs[i].id] = self._candidate(needs[i], evaluation, j, int(i))
            else:
                unassigned.append(needs[i].id)
        return Batch(Assignment(tuple(sorted(pairs)), tuple(sorted(unassigned))), candidates)

    def assign_greedy(self, needs: Sequence[Need]) -> Assignment:
        """Best pair first: a baseline to compare the optimal assignment with."""
        needs = sorted(needs, key=lambda need: need.id)
        evaluation = self.evaluate(needs)
        rows, cols = np.nonzero(evaluation.feasible)
        order = np.lexsort((cols, rows, -evaluation.score[rows, cols]))
        left = [int(places) for places in self.places]
        taken: set[int] = set()
        pairs = []
        for k in order:
            i, j = int(rows[k]), int(cols[k])
            if i not in taken and left[j] > 0:
                taken.add(i)
                left[j] -= 1
                pairs.append((needs[i].id, self.offers[j].id, int(evaluation.score[i, j])))
        unassigned = tuple(need.id for i, need in enumerate(needs) if i not in taken)
        return Assignment(tuple(sorted(pairs)), unassigned)


@dataclass(frozen=True)
class Batch:
    """The best assignment of a waitlist and, when explained, each assigned service user's
    worker as a candidate (by service user id)."""

    assignment: Assignment
    candidates: dict[int, Candidate]

    def rows(self) -> list[tuple[int, int | None, int, Candidate | None]]:
        """One row per person: (service user, worker or None, score, candidate or None); a
        plain list, which another process can hand back in pieces."""
        paired = [
            (user, worker, score, self.candidates.get(user))
            for user, worker, score in self.assignment.pairs
        ]
        return paired + [(user, None, 0, None) for user in self.assignment.unassigned]

    @classmethod
    def from_rows(cls, rows: Sequence[tuple[int, int | None, int, Candidate | None]]) -> Batch:
        pairs = tuple(
            sorted((user, worker, score) for user, worker, score, _ in rows if worker is not None)
        )
        unassigned = tuple(sorted(user for user, worker, _score, _ in rows if worker is None))
        candidates = {user: candidate for user, _w, _s, candidate in rows if candidate}
        return cls(Assignment(pairs, unassigned), candidates)


def solve_waitlist(
    needs: Sequence[Need],
    offers: Sequence[Offer],
    weights: Weights,
    week_start: date,
    first: Sequence[int] = (),
) -> Batch:
    """The whole batch in one call, from plain data to plain data: what a worker process
    runs, so that a large waitlist never holds up the bot's event loop."""
    return OfferPool(offers, weights, week_start).assign_explained(needs, first)


def solve_waitlist_rows(
    needs: Sequence[Need],
    offers: Sequence[Offer],
    weights: Weights,
    week_start: date,
    first: Sequence[int] = (),
) -> list[tuple[int, int | None, int, Candidate | None]]:
    """``solve_waitlist`` as ``Batch.rows``: what a worker process runs."""
    return solve_waitlist(needs, offers, weights, week_start, first).rows()


def _ranges(lengths: np.ndarray) -> np.ndarray:
    """[0..n0), [0..n1), … concatenated: the place number of each copy of an edge."""
    if lengths.size == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(lengths)
    return np.arange(ends[-1]) - np.repeat(ends - lengths, lengths)


def rank(
    need: Need, offers: Sequence[Offer], weights: Weights, week_start: date, limit: int = 5
) -> Ranking:
    return OfferPool(offers, weights, week_start).rank(need, limit)


def assign(
    needs: Sequence[Need], offers: Sequence[Offer], weights: Weights, week_start: date
) -> Assignment:
    return OfferPool(offers, weights, week_start).assign(needs)
