"""The pure matching engine: hard constraints, soft scores, reasons and the batch assignment.

Unit tests pin each rule on a small hand-built case; property tests (hypothesis) check the
rules on many small random instances against independent re-implementations written here:
the hard constraints, a brute-force optimal assignment and scipy's ``linear_sum_assignment``.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from matching import (
    CONSTRAINT_ORDER,
    Assignment,
    Availability,
    Constraint,
    Need,
    Offer,
    OfferPool,
    Preference,
    Ranking,
    WeeklySlot,
    Weight,
    Weights,
    assign,
    engine,
    overlap_minutes,
    rank,
    solve_waitlist,
)
from matching.engine import SMALL_BATCH

WEEK = date(2024, 7, 1)  # a Monday
WEIGHTS = Weights()

# -- hand-built cases ---------------------------------------------------------------------------


def hours(weekday: int, start: int, end: int) -> WeeklySlot:
    return WeeklySlot(weekday, start * 60, end * 60)


def utc(*slots: WeeklySlot) -> Availability:
    return Availability("UTC", slots)


# Monday and Wednesday 09:00-12:00 UTC: 360 minutes a week.
NEED_TIMES = utc(hours(0, 9, 12), hours(2, 9, 12))


def make_need(**changes: object) -> Need:
    base = Need(
        id=1,
        perspective="consumer",
        areas=frozenset({"psychosis", "trauma"}),
        languages=frozenset({"en"}),
        availability=NEED_TIMES,
    )
    return dataclasses.replace(base, **changes)


def make_offer(**changes: object) -> Offer:
    base = Offer(
        id=10,
        consumer=True,
        carer=False,
        areas=frozenset({"psychosis"}),
        languages=frozenset({"en"}),
        availability=NEED_TIMES,
        capacity_left=2,
        caseload=0,
        max_caseload=4,
        gender="woman",
        age_band="26-40",
        communities=frozenset({"lgbtiq"}),
    )
    return dataclasses.replace(base, **changes)


def important(*choices: str) -> Preference:
    return Preference(frozenset(choices), Weight.IMPORTANT)


def nice(*choices: str) -> Preference:
    return Preference(frozenset(choices), Weight.NICE)


def candidate_ids(ranking: Ranking) -> list[int]:
    return [candidate.offer_id for candidate in ranking.candidates]


def score_of(need: Need, offer: Offer, weights: Weights = WEIGHTS) -> int:
    (candidate,) = rank(need, [offer], weights, WEEK).candidates
    return candidate.score


def reasons_by_code(need: Need, offer: Offer) -> dict[str, tuple[str, ...]]:
    (candidate,) = rank(need, [offer], WEIGHTS, WEEK).candidates
    codes = [reason.code for reason in candidate.reasons]
    assert len(codes) == len(set(codes)), codes
    return {reason.code: reason.values for reason in candidate.reasons}


def test_the_base_pair_is_feasible() -> None:
    ranking = rank(make_need(), [make_offer()], WEIGHTS, WEEK)
    assert candidate_ids(ranking) == [10]
    assert ranking.ruled_out == {}
    assert assign([make_need()], [make_offer()], WEIGHTS, WEEK).pairs[0][:2] == (1, 10)


# -- hard constraints, one at a time -------------------------------------------------------------

Change = Callable[[Need, Offer], tuple[Need, Offer]]


def change_offer(**changes: object) -> Change:
    return lambda need, offer: (need, dataclasses.replace(offer, **changes))


def change_need(**changes: object) -> Change:
    return lambda need, offer: (dataclasses.replace(need, **changes), offer)


def carer_need_consumer_worker(need: Need, offer: Offer) -> tuple[Need, Offer]:
    return dataclasses.replace(need, perspective="carer"), offer


def exclude_the_worker(need: Need, offer: Offer) -> tuple[Need, Offer]:
    return dataclasses.replace(need, excluded=frozenset({offer.id, 999})), offer


RAISED = Weights(min_overlap_minutes=181)

# (case, change to the base pair, constraint expected, weights)
SINGLE_BREAKS: list[tuple[str, Change, Constraint, Weights]] = [
    ("inactive", change_offer(active=False), Constraint.UNAVAILABLE, WEIGHTS),
    ("no_capacity", change_offer(capacity_left=0), Constraint.UNAVAILABLE, WEIGHTS),
    ("excluded", exclude_the_worker, Constraint.EXCLUDED, WEIGHTS),
    ("carer_need_consumer_worker", carer_need_consumer_worker, Constraint.PERSPECTIVE, WEIGHTS),
    (
        "consumer_need_carer_worker",
        change_offer(consumer=False, carer=True),
        Constraint.PERSPECTIVE,
        WEIGHTS,
    ),
    (
        "no_shared_language",
        change_offer(languages=frozenset({"fr", "es"})),
        Constraint.LANGUAGE,
        WEIGHTS,
    ),
    (
        "no_overlap",
        change_offer(availability=utc(hours(1, 9, 12))),
        Constraint.AVAILABILITY,
        WEIGHTS,
    ),
    (
        # 11:15-13:00 against 09:00-12:00 on Monday: 45 minutes, under the 60 needed.
        "overlap_45_minutes",
        change_offer(availability=utc(WeeklySlot(0, 11 * 60 + 15, 13 * 60))),
        Constraint.AVAILABILITY,
        WEIGHTS,
    ),
    (
        # Monday 09:00-12:00 only: 180 minutes, under a raised minimum of 181.
        "min_overlap_raised",
        change_offer(availability=utc(hours(0, 9, 12))),
        Constraint.AVAILABILITY,
        RAISED,
    ),
    ("gender_important_unmet", change_need(gender=important("man")), Constraint.GENDER, WEIGHTS),
    (
        "gender_important_worker_did_not_say",
        lambda need, offer: (
            dataclasses.replace(need, gender=important("man")),
            dataclasses.replace(offer, gender=None),
        ),
        Constraint.GENDER,
        WEIGHTS,
    ),
    (
        "age_band_important_unmet",
        change_need(age_band=important("41+")),
        Constraint.AGE_BAND,
        WEIGHTS,
    ),
    (
        "community_important_unmet",
        change_need(community=important("first_nations")),
        Constraint.COMMUNITY,
        WEIGHTS,
    ),
    (
        "community_important_worker_has_none",
        lambda need, offer: (
            dataclasses.replace(need, community=important("lgbtiq")),
            dataclasses.replace(offer, communities=frozenset()),
        ),
        Constraint.COMMUNITY,
        WEIGHTS,
    ),
]


@pytest.mark.parametrize(
    ("change", "constraint", "weights"),
    [
        pytest.param(change, constraint, weights, id=name)
        for name, change, constraint, weights in SINGLE_BREAKS
    ],
)
def test_each_hard_constraint_rules_the_worker_out(
    change: Change, constraint: Constraint, weights: Weights
) -> None:
    need, offer = change(make_need(), make_offer())
    # Another worker who fits every variant, so the rule is what removes this one.
    fine = make_offer(
        id=20,
        carer=True,
        gender="man",
        age_band="41+",
        communities=frozenset({"first_nations", "lgbtiq"}),
    )
    ranking = rank(need, [offer, fine], weights, WEEK)
    assert ranking.ruled_out == {offer.id: constraint}
    assert candidate_ids(ranking) == [20]
    assert ranking.ruled_out_counts() == {constraint: 1}
    # Alone, it is not assigned either: the service user waits.
    assert assign([need], [offer], weights, WEEK) == Assignment((), (need.id,))
    assert assign([need], [offer, fine], weights, WEEK).pairs[0][:2] == (need.id, 20)


def test_a_worker_with_both_perspectives_fits_consumers_and_carers() -> None:
    both = make_offer(consumer=True, carer=True)
    for perspective in ("consumer", "carer"):
        ranking = rank(make_need(perspective=perspective), [both], WEIGHTS, WEEK)
        assert candidate_ids(ranking) == [both.id], perspective


def test_a_carer_is_matched_with_a_carer_worker() -> None:
    carer = make_offer(consumer=False, carer=True)
    assert candidate_ids(rank(make_need(perspective="carer"), [carer], WEIGHTS, WEEK)) == [10]


def test_exactly_the_minimum_overlap_is_enough() -> None:
    # 11:00-13:00 against 09:00-12:00 on Monday: 60 minutes, exactly the minimum.
    offer = make_offer(availability=utc(hours(0, 11, 13)))
    ranking = rank(make_need(), [offer], WEIGHTS, WEEK)
    assert [c.overlap_minutes for c in ranking.candidates] == [60]
    strict = rank(make_need(), [offer], Weights(min_overlap_minutes=61), WEEK)
    assert strict.ruled_out == {10: Constraint.AVAILABILITY}


def test_any_one_important_choice_is_enough() -> None:
    need = make_need(gender=important("man", "woman"), community=important("migrant", "lgbtiq"))
    assert candidate_ids(rank(need, [make_offer()], WEIGHTS, WEEK)) == [10]


@pytest.mark.parametrize("weight", [Weight.NICE, Weight.NONE])
def test_unmet_preferences_that_are_not_important_do_not_rule_out(weight: Weight) -> None:
    need = make_need(
        gender=Preference(frozenset({"man"}), weight),
        age_band=Preference(frozenset({"41+"}), weight),
        community=Preference(frozenset({"migrant"}), weight),
    )
    assert candidate_ids(rank(need, [make_offer()], WEIGHTS, WEEK)) == [10]


def test_excluding_a_worker_who_is_not_in_the_pool_changes_nothing() -> None:
    need = make_need(excluded=frozenset({77}))
    assert candidate_ids(rank(need, [make_offer()], WEIGHTS, WEEK)) == [10]


BREAK_FOR: dict[Constraint, Change] = {
    Constraint.UNAVAILABLE: change_offer(active=False),
    Constraint.EXCLUDED: exclude_the_worker,
    Constraint.PERSPECTIVE: change_offer(consumer=False, carer=True),
    Constraint.LANGUAGE: change_offer(languages=frozenset({"fr"})),
    Constraint.AVAILABILITY: change_offer(availability=utc(hours(4, 9, 12))),
    Constraint.GENDER: change_need(gender=important("man")),
    Constraint.AGE_BAND: change_need(age_band=important("18-25")),
    Constraint.COMMUNITY: change_need(community=important("migrant")),
}


def test_the_documented_constraint_order() -> None:
    assert CONSTRAINT_ORDER == (
        Constraint.UNAVAILABLE,
        Constraint.EXCLUDED,
        Constraint.PERSPECTIVE,
        Constraint.LANGUAGE,
        Constraint.AVAILABILITY,
        Constraint.GENDER,
        Constraint.AGE_BAND,
        Constraint.COMMUNITY,
    )
    assert set(BREAK_FOR) == set(Constraint)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(a, b, id=f"{a}-{b}")
        for a, b in itertools.combinations(CONSTRAINT_ORDER, 2)  # a comes before b
    ],
)
def test_the_first_broken_constraint_is_reported(first: Constraint, second: Constraint) -> None:
    need, offer = make_need(), make_offer()
    need, offer = BREAK_FOR[second](need, offer)
    need, offer = BREAK_FOR[first](need, offer)
    assert rank(need, [offer], WEIGHTS, WEEK).ruled_out == {offer.id: first}


def test_a_worker_breaking_everything_is_reported_as_unavailable() -> None:
    need, offer = make_need(), make_offer()
    for change in BREAK_FOR.values():
        need, offer = change(need, offer)
    assert rank(need, [offer], WEIGHTS, WEEK).ruled_out == {offer.id: Constraint.UNAVAILABLE}


# -- soft score ----------------------------------------------------------------------------------


def ranked(need: Need, offers: Sequence[Offer], limit: int = 5) -> list[tuple[int, int]]:
    return [(c.offer_id, c.score) for c in rank(need, offers, WEIGHTS, WEEK, limit).candidates]


def assert_strictly_better_first(order: list[tuple[int, int]], expected_ids: list[int]) -> None:
    assert [offer_id for offer_id, _ in order] == expected_ids
    scores = [score for _, score in order]
    assert all(a > b for a, b in itertools.pairwise(scores)), order


def test_more_shared_lived_experience_scores_higher() -> None:
    # Ids run against the expected order, so only the score can put them in it.
    offers = [
        make_offer(id=1, areas=frozenset()),
        make_offer(id=2, areas=frozenset({"trauma", "eating"})),  # one of the two asked for
        make_offer(id=3, areas=frozenset({"trauma", "psychosis"})),  # both
    ]
    assert_strictly_better_first(ranked(make_need(), offers), [3, 2, 1])


def test_more_availability_overlap_scores_higher() -> None:
    offers = [
        make_offer(id=1, availability=utc(hours(0, 9, 10))),  # 60 of the 360 minutes
        make_offer(id=2, availability=utc(hours(0, 9, 12))),  # 180
        make_offer(id=3, availability=utc(hours(0, 8, 13), hours(2, 9, 12))),  # 360
    ]
    order = ranked(make_need(), offers)
    assert_strictly_better_first(order, [3, 2, 1])
    overlaps = [c.overlap_minutes for c in rank(make_need(), offers, WEIGHTS, WEEK).candidates]
    assert overlaps == [360, 180, 60]


def test_more_availability_than_the_service_user_has_is_not_worth_more() -> None:
    exact = make_offer(id=1)
    wider = make_offer(id=2, availability=utc(hours(0, 6, 18), hours(2, 6, 18)))
    assert score_of(make_need(), exact) == score_of(make_need(), wider)


def test_nice_preferences_met_score_higher() -> None:
    need = make_need(gender=nice("woman"), age_band=nice("26-40"), community=nice("lgbtiq"))
    offers = [
        make_offer(id=1, gender="man", age_band="41+", communities=frozenset()),  # none met
        make_offer(id=2, gender="man", age_band="26-40", communities=frozenset()),  # one
        make_offer(id=3, gender="woman", age_band="26-40", communities=frozenset()),  # two
        make_offer(id=4),  # all three
    ]
    assert_strictly_better_first(ranked(need, offers), [4, 3, 2, 1])


def test_preferences_that_do_not_matter_do_not_score() -> None:
    need = make_need(gender=Preference(frozenset({"woman"}), Weight.NONE))
    assert score_of(need, make_offer(gender="woman")) == score_of(need, make_offer(gender="man"))


def test_a_lighter_caseload_scores_higher() -> None:
    offers = [
        make_offer(id=1, caseload=4, max_caseload=4),
        make_offer(id=2, caseload=2, max_caseload=4),
        make_offer(id=3, caseload=0, max_caseload=4),
    ]
    assert_strictly_better_first(ranked(make_need(), offers), [3, 2, 1])


def test_reconnecting_with_a_former_worker_scores_higher() -> None:
    need = make_need(reconnect_with=frozenset({2}))
    assert_strictly_better_first(ranked(need, [make_offer(id=1), make_offer(id=2)]), [2, 1])


def test_equal_scores_are_ordered_by_offer_id_and_limit_is_respected() -> None:
    offers = [make_offer(id=offer_id) for offer_id in (70, 30, 50, 10, 60, 20, 40)]
    order = ranked(make_need(), offers, limit=7)
    assert len({score for _, score in order}) == 1
    assert [offer_id for offer_id, _ in order] == [10, 20, 30, 40, 50, 60, 70]
    assert [offer_id for offer_id, _ in ranked(make_need(), offers, limit=3)] == [10, 20, 30]
    assert len(rank(make_need(), offers, WEIGHTS, WEEK).candidates) == 5  # the default
    assert ranked(make_need(), offers, limit=0) == []


def test_the_limit_keeps_the_best_not_the_first() -> None:
    offers = [make_offer(id=i, caseload=4 - i, max_caseload=4) for i in range(5)]
    assert [offer_id for offer_id, _ in ranked(make_need(), offers, limit=2)] == [4, 3]


def test_candidate_reports_its_overlap_and_components() -> None:
    offer = make_offer(availability=utc(hours(0, 10, 12)))
    (candidate,) = rank(make_need(), [offer], WEIGHTS, WEEK).candidates
    assert candidate.overlap_minutes == 120
    assert candidate.components["lived_experience"] == pytest.approx(0.5)
    # Components are rounded to 4 places.
    assert candidate.components["availability"] == pytest.approx(120 / 360, abs=1e-4)
    assert candidate.components["load"] == pytest.approx(1.0)
    assert candidate.components["continuity"] == 0


def test_scores_are_integers_and_every_feasible_pair_is_worth_something() -> None:
    zero = Weights(0, 0, 0, 0, 0, min_overlap_minutes=60)
    (candidate,) = rank(make_need(), [make_offer(areas=frozenset())], zero, WEEK).candidates
    assert isinstance(candidate.score, int)
    assert candidate.score > 0
    # With nothing in common but the hard constraints, the batch still makes the match.
    result = assign([make_need()], [make_offer(areas=frozenset())], zero, WEEK)
    assert [pair[:2] for pair in result.pairs] == [(1, 10)]


# -- reasons -------------------------------------------------------------------------------------


def test_reasons_for_a_good_match() -> None:
    need = make_need(
        areas=frozenset({"psychosis", "trauma", "eating"}),
        languages=frozenset({"en", "vi"}),
        availability=utc(hours(0, 9, 12), hours(2, 9, 12), hours(4, 18, 20)),
        gender=nice("woman", "nonbinary"),
        age_band=important("26-40"),
        community=nice("lgbtiq", "migrant"),
        reconnect_with=frozenset({10}),
    )
    offer = make_offer(
        areas=frozenset({"psychosis", "trauma", "self_harm"}),
        languages=frozenset({"vi", "en", "fr"}),
        availability=utc(hours(0, 11, 14), hours(2, 9, 12)),
        caseload=1,
        max_caseload=4,
    )
    assert reasons_by_code(need, offer) == {
        "shared_experience": ("psychosis", "trauma"),
        "common_times": ("0:540:720", "2:540:720"),  # not Friday evening: no overlap then
        "language": ("en", "vi"),
        "gender": ("woman",),
        "age_band": ("26-40",),
        "community": ("lgbtiq",),
        "continuity": (),
        "lighter_caseload": (),  # load 0.75
    }


def test_no_reasons_are_invented() -> None:
    need = make_need(areas=frozenset({"eating"}), reconnect_with=frozenset({99}))
    offer = make_offer(areas=frozenset({"psychosis"}), caseload=2, max_caseload=4)  # load 0.5
    reasons = reasons_by_code(need, offer)
    for code in ("shared_experience", "gender", "age_band", "community", "continuity"):
        assert code not in reasons
    assert "lighter_caseload" not in reasons


def test_shared_experience_only_names_what_both_sides_shared() -> None:
    # The worker shared psychosis and trauma; the service user asked about trauma and eating.
    need = make_need(areas=frozenset({"trauma", "eating"}))
    offer = make_offer(areas=frozenset({"psychosis", "trauma"}))
    assert reasons_by_code(need, offer)["shared_experience"] == ("trauma",)


def test_common_times_are_in_the_service_users_local_time() -> None:
    # Brisbane (UTC+10) Monday 17:00-21:00 is Monday 07:00-11:00 UTC; London in July (BST,
    # UTC+1) Monday 08:00-12:00 is 07:00-11:00 UTC too. The reason quotes Brisbane time.
    need = make_need(
        availability=Availability(
            "Australia/Brisbane", (hours(0, 17, 21), hours(3, 17, 21), hours(5, 8, 9))
        )
    )
    offer = make_offer(availability=Availability("Europe/London", (hours(0, 8, 12),)))
    reasons = reasons_by_code(need, offer)
    assert reasons["common_times"] == ("0:1020:1260",)


def test_lighter_caseload_is_mentioned_from_a_quarter_full_down() -> None:
    assert "lighter_caseload" in reasons_by_code(make_need(), make_offer(caseload=1))
    assert "lighter_caseload" not in reasons_by_code(make_need(), make_offer(caseload=2))


# -- the batch assignment, by hand ---------------------------------------------------------------


def test_assign_prefers_the_total_over_the_first_choice() -> None:
    # Need 1 fits both workers and slightly prefers worker 10; need 2 fits only worker 10.
    # The greedy baseline gives 10 to need 1 and leaves need 2 waiting; the optimum does not.
    need_1 = make_need(id=1, areas=frozenset({"psychosis"}))
    need_2 = make_need(id=2, areas=frozenset({"psychosis"}), languages=frozenset({"es"}))
    worker_10 = make_offer(id=10, capacity_left=1, languages=frozenset({"en", "es"}))
    worker_20 = make_offer(id=20, capacity_left=1, areas=frozenset())
    pool = OfferPool([worker_10, worker_20], WEIGHTS, WEEK)
    best = pool.assign([need_2, need_1])
    assert [pair[:2] for pair in best.pairs] == [(1, 20), (2, 10)]
    assert best.unassigned == ()
    greedy = pool.assign_greedy([need_1, need_2])
    assert [pair[:2] for pair in greedy.pairs] == [(1, 10)]
    assert greedy.unassigned == (2,)
    assert greedy.total < best.total


def test_assign_fills_capacity_and_leaves_the_rest_waiting() -> None:
    needs = [make_need(id=i) for i in (3, 1, 2)]
    result = assign(needs, [make_offer(capacity_left=2)], WEIGHTS, WEEK)
    assert len(result.pairs) == 2
    assert [pair[0] for pair in result.pairs] == sorted(pair[0] for pair in result.pairs)
    assert len(result.unassigned) == 1
    assert {pair[0] for pair in result.pairs} | set(result.unassigned) == {1, 2, 3}


def test_assign_with_nobody_waiting() -> None:
    assert assign([], [make_offer()], WEIGHTS, WEEK) == Assignment((), ())


def test_an_explained_batch_describes_each_pair_as_rank_does() -> None:
    needs = [make_need(id=1), make_need(id=2, areas=frozenset({"trauma"})), make_need(id=3)]
    offers = [
        make_offer(id=10, capacity_left=1),
        make_offer(id=20, capacity_left=1, areas=frozenset({"trauma"}), caseload=3),
    ]
    batch = solve_waitlist(needs, offers, WEIGHTS, WEEK)
    pool = OfferPool(offers, WEIGHTS, WEEK)
    assert batch.assignment == pool.assign(needs)
    assert set(batch.candidates) == {need for need, _worker, _score in batch.assignment.pairs}
    for need_id, worker_id, score in batch.assignment.pairs:
        need = next(n for n in needs if n.id == need_id)
        ranked = next(c for c in pool.rank(need, limit=10).candidates if c.offer_id == worker_id)
        assert batch.candidates[need_id] == ranked and ranked.score == score


def test_an_empty_pool_proposes_nobody() -> None:
    assert rank(make_need(), [], WEIGHTS, WEEK) == Ranking((), {})
    assert assign([make_need()], [], WEIGHTS, WEEK) == Assignment((), (1,))
    assert OfferPool([], WEIGHTS, WEEK).assign_greedy([make_need()]) == Assignment((), (1,))


def test_a_worker_over_capacity_is_simply_full() -> None:
    # A caseload cap lowered below the current caseload leaves a negative capacity.
    over = make_offer(id=10, capacity_left=-1)
    fine = make_offer(id=20, capacity_left=1)
    assert rank(make_need(), [over, fine], WEIGHTS, WEEK).ruled_out == {10: Constraint.UNAVAILABLE}
    result = assign([make_need(id=1), make_need(id=2)], [over, fine], WEIGHTS, WEEK)
    assert [pair[:2] for pair in result.pairs] in ([(1, 20)], [(2, 20)])
    assert len(result.unassigned) == 1


# -- property tests ------------------------------------------------------------------------------

# UTC is the most common, so that the other zones mostly meet it and sometimes each other.
ZONES = ("UTC", "Europe/London") * 4 + ("Asia/Kathmandu", "Australia/Brisbane")
AREAS = ("psychosis", "trauma", "self_harm", "eating")
LANGUAGES = ("en", "es", "vi")
GENDERS = ("woman", "man", "nonbinary")
AGE_BANDS = ("18-25", "26-40", "41+")
COMMUNITIES = ("lgbtiq", "migrant", "first_nations")
# Winter, the week London's clocks go forward (Sunday 31 March), and summer.
WEEKS = (date(2024, 1, 8), date(2024, 3, 25), date(2024, 7, 1))
PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# The strategies lean towards pairs that fit, so that most instances have several feasible
# pairs and capacity to compete for; each hard constraint still fails often enough.
slots = st.builds(
    lambda weekday, start, length: WeeklySlot(weekday, start * 60, (start + length) * 60),
    st.sampled_from((0, 0, 1)),  # mostly Monday, daytime hours: overlaps are common
    st.integers(8, 14),
    st.integers(2, 6),
)
availabilities = st.builds(
    Availability,
    st.sampled_from(ZONES),
    st.lists(slots, min_size=1, max_size=3).map(tuple),
)


def subsets(values: Sequence[str], min_size: int = 0) -> st.SearchStrategy[frozenset[str]]:
    return st.frozensets(st.sampled_from(values), min_size=min_size, max_size=len(values))


def preferences(values: Sequence[str]) -> st.SearchStrategy[Preference]:
    weight = st.sampled_from((Weight.NONE, Weight.NICE, Weight.NICE, Weight.NONE, Weight.IMPORTANT))
    return st.builds(Preference, subsets(values), weight)


area_sets = subsets(AREAS)
# Mostly English plus something, sometimes only another language.
language_sets = st.builds(
    lambda english, others: others | {"en"} if english else others | {"es"},
    st.sampled_from((True, True, True, False)),
    subsets(LANGUAGES),
)
# (consumer, carer): most workers offer both perspectives.
perspectives = st.sampled_from(((True, True),) * 4 + ((True, False), (False, True)))
offers_without_id = st.fixed_dictionaries(
    {
        "areas": area_sets,
        "languages": language_sets,
        "availability": availabilities,
        "capacity_left": st.sampled_from((1, 1, 2, 1, 3, 0)),
        "caseload": st.integers(0, 5),
        "max_caseload": st.integers(0, 4),
        "gender": st.none() | st.sampled_from(GENDERS),
        "age_band": st.none() | st.sampled_from(AGE_BANDS),
        "communities": subsets(COMMUNITIES),
        "active": st.sampled_from((True,) * 7 + (False,)),
    }
)
needs_without_id = st.fixed_dictionaries(
    {
        "perspective": st.sampled_from(("consumer", "consumer", "carer")),
        "areas": area_sets,
        "languages": language_sets,
        "availability": availabilities,
        "gender": preferences(GENDERS),
        "age_band": preferences(AGE_BANDS),
        "community": preferences(COMMUNITIES),
    }
)
weights = st.builds(
    Weights,
    lived_experience=st.integers(0, 40),
    availability=st.integers(0, 25),
    preferences=st.integers(0, 20),
    load=st.integers(0, 10),
    continuity=st.integers(0, 30),
    min_overlap_minutes=st.sampled_from((0, 60, 120)),
)
ids = st.integers(1, 12)


@st.composite
def instances(draw: st.DrawFn) -> tuple[list[Need], list[Offer], Weights, date]:
    # Empty waitlists and pools are unit-tested above; here there is something to match.
    offer_ids = draw(st.lists(ids, min_size=1, max_size=4, unique=True))
    need_ids = draw(st.lists(ids, min_size=2, max_size=6, unique=True))
    # Excluded / reconnect ids: mostly workers in the pool, sometimes one who is not.
    worker_id_sets = st.sampled_from([frozenset()] * 3 + [frozenset({i}) for i in [*offer_ids, 99]])
    offers = [
        Offer(id=offer_id, consumer=consumer, carer=carer, **draw(offers_without_id))
        for offer_id in offer_ids
        for consumer, carer in [draw(perspectives)]
    ]
    needs = [
        Need(
            id=need_id,
            excluded=draw(worker_id_sets),
            reconnect_with=draw(worker_id_sets),
            **draw(needs_without_id),
        )
        for need_id in need_ids
    ]
    return needs, offers, draw(weights), draw(st.sampled_from(WEEKS))


# An independent statement of the hard constraints, in the documented order.


def _preference_unmet(preference: Preference, offered: frozenset[str]) -> bool:
    # An "important" preference with no choices asks for nothing, so it cannot be unmet.
    return (
        preference.weight == Weight.IMPORTANT
        and bool(preference.choices)
        and not (preference.choices & offered)
    )


def broken_constraints(need: Need, offer: Offer, weights: Weights, week: date) -> list[Constraint]:
    fits_perspective = offer.carer if need.perspective == "carer" else offer.consumer
    overlap = overlap_minutes(need.availability, offer.availability, week)
    checks = [
        (Constraint.UNAVAILABLE, not offer.active or offer.capacity_left <= 0),
        (Constraint.EXCLUDED, offer.id in need.excluded),
        (Constraint.PERSPECTIVE, not fits_perspective),
        (Constraint.LANGUAGE, not (need.languages & offer.languages)),
        (Constraint.AVAILABILITY, overlap < weights.min_overlap_minutes),
        (
            Constraint.GENDER,
            _preference_unmet(need.gender, frozenset({offer.gender} - {None})),
        ),
        (
            Constraint.AGE_BAND,
            _preference_unmet(need.age_band, frozenset({offer.age_band} - {None})),
        ),
        (Constraint.COMMUNITY, _preference_unmet(need.community, offer.communities)),
    ]
    return [constraint for constraint, broken in checks if broken]


def feasible(need: Need, offer: Offer, weights: Weights, week: date) -> bool:
    return not broken_constraints(need, offer, weights, week)


class Scored:
    """Scores from ``OfferPool.evaluate``, feasibility from the independent checks above."""

    def __init__(self, needs: Sequence[Need], offers: Sequence[Offer], weights: Weights, week):
        self.needs = sorted(needs, key=lambda need: need.id)
        self.offers = sorted(offers, key=lambda offer: offer.id)
        pool = OfferPool(offers, weights, week)
        evaluation = pool.evaluate(self.needs)
        self.score = {
            (need.id, offer.id): int(evaluation.score[i, pool.position[offer.id]])
            for i, need in enumerate(self.needs)
            for offer in self.offers
        }
        self.ok = {
            (need.id, offer.id): feasible(need, offer, weights, week)
            for need in self.needs
            for offer in self.offers
        }
        self.capacity = {offer.id: max(offer.capacity_left, 0) for offer in self.offers}


def brute_force_total(scored: Scored) -> int:
    """Try every assignment of each need to a feasible worker with room, or to nobody."""
    left = dict(scored.capacity)
    best = 0

    def place(index: int, total: int) -> None:
        nonlocal best
        if index == len(scored.needs):
            best = max(best, total)
            return
        need = scored.needs[index]
        place(index + 1, total)  # stays waiting
        for offer in scored.offers:
            if scored.ok[need.id, offer.id] and left[offer.id] > 0:
                left[offer.id] -= 1
                place(index + 1, total + scored.score[need.id, offer.id])
                left[offer.id] += 1

    place(0, 0)
    return best


def linear_sum_total(scored: Scored) -> int:
    """scipy's Hungarian solver on the score matrix with each worker repeated per free place."""
    if not scored.needs:
        return 0
    columns = [offer for offer in scored.offers for _ in range(scored.capacity[offer.id])]
    forbidden = -(10**9)
    matrix = np.zeros((len(scored.needs), len(columns) + len(scored.needs)), dtype=np.int64)
    for i, need in enumerate(scored.needs):
        for k, offer in enumerate(columns):
            key = (need.id, offer.id)
            matrix[i, k] = scored.score[key] if scored.ok[key] else forbidden
    # The last len(needs) columns are "stays waiting", worth 0; every need gets a column.
    rows, cols = linear_sum_assignment(matrix, maximize=True)
    assert (matrix[rows, cols] > forbidden).all()
    return int(matrix[rows, cols].sum())


def check_assignment(result: Assignment, scored: Scored) -> None:
    """Every pair feasible, scored as evaluate says, within capacity; every need accounted for."""
    need_ids = [pair[0] for pair in result.pairs]
    assert need_ids == sorted(need_ids)
    assert len(set(need_ids)) == len(need_ids)
    assert sorted(need_ids + list(result.unassigned)) == sorted(n.id for n in scored.needs)
    for need_id, offer_id, score in result.pairs:
        assert scored.ok[need_id, offer_id], (need_id, offer_id)
        assert score == scored.score[need_id, offer_id]
    used = Counter(offer_id for _, offer_id, _ in result.pairs)
    for offer_id, count in used.items():
        assert count <= scored.capacity[offer_id]


@PROPERTY
@given(instances())
def test_property_assign_never_exceeds_capacity(instance) -> None:
    needs, offers, weights, week = instance
    result = assign(needs, offers, weights, week)
    capacity = {offer.id: offer.capacity_left for offer in offers}
    active = {offer.id: offer.active for offer in offers}
    used = Counter(offer_id for _, offer_id, _ in result.pairs)
    for offer_id, count in used.items():
        assert active[offer_id]
        assert count <= capacity[offer_id]
    assert len(result.pairs) <= sum(capacity.values())


@PROPERTY
@given(instances())
def test_property_assign_never_breaks_a_hard_constraint(instance) -> None:
    needs, offers, weights, week = instance
    by_need = {need.id: need for need in needs}
    by_offer = {offer.id: offer for offer in offers}
    for need_id, offer_id, _ in assign(needs, offers, weights, week).pairs:
        assert feasible(by_need[need_id], by_offer[offer_id], weights, week)
    for need_id, offer_id, _ in OfferPool(offers, weights, week).assign_greedy(needs).pairs:
        assert feasible(by_need[need_id], by_offer[offer_id], weights, week)


@PROPERTY
@given(instances(), st.integers(0, 5), st.integers(1, 4))
def test_property_ranking_everyone_together_is_ranking_each_alone(
    instance, limit: int, block: int
) -> None:
    needs, offers, weights, week = instance
    pool = OfferPool(offers, weights, week)
    with patch.object(engine, "RANK_BLOCK", block):  # several blocks, and a short last one
        together = pool.rank_all(needs, limit)
    assert together == [pool.rank(need, limit) for need in needs]


@PROPERTY
@given(instances(), st.integers(0, 5))
def test_property_rank_never_breaks_a_hard_constraint(instance, limit: int) -> None:
    needs, offers, weights, week = instance
    pool = OfferPool(offers, weights, week)
    by_offer = {offer.id: offer for offer in offers}
    for need in needs:
        everyone = pool.rank(need, limit=len(offers))
        expected_out = {
            offer.id: broken[0]
            for offer in offers
            if (broken := broken_constraints(need, offer, weights, week))
        }
        assert everyone.ruled_out == expected_out
        assert set(candidate_ids(everyone)) == set(by_offer) - set(expected_out)
        assert not set(candidate_ids(everyone)) & need.excluded

        # The limited ranking is the top of the full one: score descending, then offer id.
        top = pool.rank(need, limit=limit)
        keys = [(-c.score, c.offer_id) for c in everyone.candidates]
        assert keys == sorted(keys)
        assert top.candidates == everyone.candidates[:limit]
        assert top.ruled_out == everyone.ruled_out

        for candidate in everyone.candidates:
            offer = by_offer[candidate.offer_id]
            assert candidate.overlap_minutes == overlap_minutes(
                need.availability, offer.availability, week
            )
            check_reasons(need, offer, candidate.reasons, week)


def check_reasons(need: Need, offer: Offer, reasons, week: date) -> None:
    """Reasons name only what both sides put forward: never a worker's unshared details."""
    zone = need.availability.timezone
    # common_times: exactly the service user's own slots that meet the worker's at all.
    meeting = {
        f"{s.weekday}:{s.start_minute}:{s.end_minute}"
        for s in need.availability.slots
        if overlap_minutes(Availability(zone, (s,)), offer.availability, week) > 0
    }
    assert any(r.code == "common_times" for r in reasons) == bool(meeting)
    offered = {
        "gender": {offer.gender} - {None},
        "age_band": {offer.age_band} - {None},
        "community": set(offer.communities),
    }
    for reason in reasons:
        values = set(reason.values)
        if reason.code == "shared_experience":
            assert values and values <= offer.areas and values <= need.areas
        elif reason.code == "common_times":
            assert values == meeting
        elif reason.code == "language":
            assert values <= offer.languages & need.languages
        elif reason.code in offered:
            preference: Preference = getattr(need, reason.code)
            assert values and values <= preference.choices & offered[reason.code]
        elif reason.code == "continuity":
            assert offer.id in need.reconnect_with
        else:
            assert reason.code == "lighter_caseload", reason


@PROPERTY
@given(instances())
def test_property_assign_is_optimal(instance) -> None:
    needs, offers, weights, week = instance
    scored = Scored(needs, offers, weights, week)
    result = assign(needs, offers, weights, week)
    check_assignment(result, scored)
    best = brute_force_total(scored)
    assert result.total == best
    assert linear_sum_total(scored) == best


@PROPERTY
@given(instances(), st.data())
def test_property_same_input_same_output(instance, data: st.DataObject) -> None:
    needs, offers, weights, week = instance
    first = assign(needs, offers, weights, week)
    assert assign(needs, offers, weights, week) == first
    shuffled_needs = data.draw(st.permutations(needs))
    shuffled_offers = data.draw(st.permutations(offers))
    assert assign(shuffled_needs, shuffled_offers, weights, week) == first
    pool, shuffled_pool = (
        OfferPool(offers, weights, week),
        OfferPool(shuffled_offers, weights, week),
    )
    assert shuffled_pool.assign_greedy(shuffled_needs) == pool.assign_greedy(needs)
    for need in needs:
        assert rank(need, shuffled_offers, weights, week) == rank(need, offers, weights, week)


@PROPERTY
@given(instances(), st.data())
def test_property_more_capacity_never_lowers_the_total(instance, data: st.DataObject) -> None:
    needs, offers, weights, week = instance
    grow = data.draw(st.sampled_from([offer.id for offer in offers]))
    extra = data.draw(st.integers(1, 2))
    more = [
        dataclasses.replace(offer, capacity_left=offer.capacity_left + extra)
        if offer.id == grow
        else offer
        for offer in offers
    ]
    before = assign(needs, offers, weights, week)
    after = assign(needs, more, weights, week)
    assert after.total >= before.total
    assert after.total == brute_force_total(Scored(needs, more, weights, week))


@PROPERTY
@given(instances())
def test_property_greedy_is_never_better_than_optimal(instance) -> None:
    needs, offers, weights, week = instance
    scored = Scored(needs, offers, weights, week)
    greedy = OfferPool(offers, weights, week).assign_greedy(needs)
    check_assignment(greedy, scored)
    assert greedy.total <= assign(needs, offers, weights, week).total


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.lists(needs_without_id, min_size=7, max_size=8))
def test_property_a_big_batch_scores_like_one_at_a_time(instance, extra: list[dict]) -> None:
    # 9 to 14 needs: more than engine.SMALL_BATCH (8), so evaluate takes its matrix-product
    # path. It must agree with evaluating each need alone, and the assignment must still be
    # optimal (checked with linear_sum_assignment: brute force is too slow at this size).
    needs, offers, weights, week = instance
    first_new = max(need.id for need in needs) + 1
    needs = needs + [Need(id=first_new + k, **fields) for k, fields in enumerate(extra)]
    assert len(needs) > SMALL_BATCH
    pool = OfferPool(offers, weights, week)
    batch = pool.evaluate(needs)
    for i, need in enumerate(needs):
        alone = pool.evaluate([need])
        assert (batch.feasible[i] == alone.feasible[0]).all()
        assert (batch.first_broken[i] == alone.first_broken[0]).all()
        assert (batch.overlap[i] == alone.overlap[0]).all()
        assert (batch.score[i][alone.feasible[0]] == alone.score[0][alone.feasible[0]]).all()
    scored = Scored(needs, offers, weights, week)
    result = pool.assign(needs)
    check_assignment(result, scored)
    assert result.total == linear_sum_total(scored)


def test_places_taken_from_a_pool_count_in_later_rankings_and_solves() -> None:
    """A pool reused for several people in turn sees the places it has handed out."""
    pool = OfferPool([make_offer(id=10, capacity_left=2), make_offer(id=20)], WEIGHTS, WEEK)
    assert pool.has_place(10) and set(candidate_ids(pool.rank(make_need()))) == {10, 20}
    pool.take(10)
    assert pool.has_place(10)
    pool.take(10)
    assert not pool.has_place(10)
    ranking = pool.rank(make_need())
    assert candidate_ids(ranking) == [20]
    assert ranking.ruled_out == {10: Constraint.UNAVAILABLE}
    pool.take(10)  # nothing left to take: stays at none
    needs = [make_need(id=1), make_need(id=2), make_need(id=3)]
    assert [pair[1] for pair in pool.assign(needs).pairs] == [20, 20]
    assert not pool.has_place(99)  # not a worker of this pool


def test_among_equally_good_assignments_the_longest_waiting_are_matched() -> None:
    """Three people alike, two places: which two is decided by who waited longest, and the
    order never costs a point of total fit."""
    pool = OfferPool([make_offer(id=10, capacity_left=2)], WEIGHTS, WEEK)
    needs = [make_need(id=1), make_need(id=2), make_need(id=3)]
    for first in ([3, 1, 2], [2, 3, 1], [1, 2, 3]):
        matched = pool.assign(needs, first=first)
        assert sorted(pair[0] for pair in matched.pairs) == sorted(first[:2])
        assert matched.unassigned == (first[2],)
    # A better total still wins over the order: the one who fits best is matched.
    fits_best = make_need(id=3, areas=frozenset({"psychosis"}))
    poorer = [make_need(id=1, areas=frozenset({"trauma"})), fits_best]
    single = OfferPool([make_offer(id=10, capacity_left=1)], WEIGHTS, WEEK)
    assert [pair[0] for pair in single.assign(poorer, first=[1, 3]).pairs] == [3]
    # Ids in the order with no need in the batch change nothing.
    crowded = [*range(100, 1100), 3, 1]
    assert [pair[0] for pair in single.assign(poorer, first=crowded).pairs] == [3]


def test_with_every_place_open_a_ranking_tells_own_choices_from_capacity() -> None:
    from matching import every_place_open

    full = make_offer(id=10, capacity_left=0, max_caseload=2)
    paused = make_offer(id=20, active=False)
    ranking = rank(make_need(), every_place_open([full, paused]), WEIGHTS, WEEK)
    assert candidate_ids(ranking) == [10, 20] and ranking.own_choices_blocking() == {}
    # Only on Sunday mornings, and a woman peer marked important: no worker fits at all.
    sunday = make_need(availability=utc(hours(6, 8, 10)), gender=important("man"))
    blocked = rank(sunday, every_place_open([full, paused]), WEIGHTS, WEEK)
    assert blocked.own_choices_blocking() == {Constraint.AVAILABILITY: 2}
    unavailable = rank(sunday, [full, paused], WEIGHTS, WEEK)
    assert unavailable.own_choices_blocking() == {}  # capacity comes first without it
