"""Weekly availability across time zones and daylight saving.

Slots are local times in each person's own IANA zone; overlap is counted in UTC on the week
that starts on ``week_start`` (a Monday), in whole quarter-hours, wrapping around the week.
Every expected value below is worked out by hand in the comments. UTC offsets used:

    zone                 2024-01-08 week   2024-07-01 week   2024-09-30 week
    Europe/London        GMT  +0           BST  +1           BST  +1
    Australia/Brisbane   AEST +10          AEST +10          AEST +10   (no DST)
    Australia/Sydney     AEDT +11          AEST +10          AEST +10   (DST from Sun 6 Oct)
    Pacific/Auckland     NZDT +13          NZST +12          NZDT +13   (DST from Sun 29 Sep)
    Australia/Adelaide   ACDT +10:30       ACST +9:30
    Asia/Kathmandu       +5:45             +5:45                        (no DST)
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import (
    CELL_MINUTES,
    Availability,
    Constraint,
    Need,
    Offer,
    WeeklySlot,
    Weights,
    cells,
    monday_of,
    overlap_minutes,
    rank,
)

WINTER = date(2024, 1, 8)  # northern winter / southern summer
SUMMER = date(2024, 7, 1)  # northern summer / southern winter
NZ_AHEAD = date(2024, 9, 30)  # NZ moved to DST on Sun 29 Sep; Sydney moves on Sun 6 Oct
BOTH_DST = date(2024, 10, 7)  # the week after Sydney's change
BOTH_STANDARD = date(2024, 4, 8)  # both left DST on Sun 7 Apr 2024
LONDON_SPRING = date(2024, 3, 25)  # London's clocks go forward on Sun 31 Mar, 01:00 UTC
LONDON_AUTUMN = date(2024, 10, 21)  # London's clocks go back on Sun 27 Oct, 01:00 UTC

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def slot(weekday: int, start: str, end: str) -> WeeklySlot:
    """A slot from "HH:MM" to "HH:MM" local time; "24:00" is the end of the day."""

    def minutes(text: str) -> int:
        hours, mins = text.split(":")
        return int(hours) * 60 + int(mins)

    return WeeklySlot(weekday, minutes(start), minutes(end))


def free(zone: str, *slots: WeeklySlot) -> Availability:
    return Availability(zone, slots)


def utc_cells(weekday: int, start: str, end: str) -> list[int]:
    """The grid cells of a UTC window, by hand: 96 quarter-hours per day from Monday 00:00."""
    window = slot(weekday, start, end)
    first = weekday * 96 + window.start_minute // 15
    return list(range(first, weekday * 96 + window.end_minute // 15))


def grid(availability: Availability, week: date) -> list[int]:
    return np.flatnonzero(cells(availability, week)).tolist()


def both_ways(a: Availability, b: Availability, week: date) -> int:
    forward, backward = overlap_minutes(a, b, week), overlap_minutes(b, a, week)
    assert forward == backward
    return forward


# -- Brisbane evening with London morning --------------------------------------------------------

BRISBANE_EVENING = free("Australia/Brisbane", slot(MON, "17:00", "21:00"))
LONDON_MORNING = free("Europe/London", slot(MON, "08:00", "12:00"))


@pytest.mark.parametrize(
    ("week", "expected"),
    [
        # Brisbane 17:00-21:00 (+10) is 07:00-11:00 UTC, every week of the year.
        # July, BST (+1): London 08:00-12:00 is 07:00-11:00 UTC -> the full 4 h = 240.
        pytest.param(SUMMER, 240, id="london-summer-bst"),
        # January, GMT (+0): London 08:00-12:00 is 08:00-12:00 UTC -> 08:00-11:00 = 180.
        pytest.param(WINTER, 180, id="london-winter-gmt"),
    ],
)
def test_brisbane_evening_with_london_morning(week: date, expected: int) -> None:
    assert both_ways(BRISBANE_EVENING, LONDON_MORNING, week) == expected


def test_the_brisbane_evening_sits_at_the_same_utc_cells_all_year() -> None:
    for week in (WINTER, SUMMER, NZ_AHEAD):
        assert grid(BRISBANE_EVENING, week) == utc_cells(MON, "07:00", "11:00")
    # London follows its clocks: 07:00-11:00 UTC in summer, 08:00-12:00 UTC in winter.
    assert grid(LONDON_MORNING, SUMMER) == utc_cells(MON, "07:00", "11:00")
    assert grid(LONDON_MORNING, WINTER) == utc_cells(MON, "08:00", "12:00")


def test_the_daylight_saving_week_decides_whether_a_worker_is_proposed() -> None:
    # Needing all 4 hours: the London worker fits in July and not in January.
    need = Need(
        id=1,
        perspective="consumer",
        areas=frozenset(),
        languages=frozenset({"en"}),
        availability=BRISBANE_EVENING,
    )
    worker = Offer(
        id=7,
        consumer=True,
        carer=False,
        areas=frozenset(),
        languages=frozenset({"en"}),
        availability=LONDON_MORNING,
        capacity_left=1,
    )
    weights = Weights(min_overlap_minutes=240)
    summer = rank(need, [worker], weights, SUMMER)
    assert [(c.offer_id, c.overlap_minutes) for c in summer.candidates] == [(7, 240)]
    winter = rank(need, [worker], weights, WINTER)
    assert winter.candidates == ()
    assert winter.ruled_out == {7: Constraint.AVAILABILITY}


# -- Sydney with Auckland ------------------------------------------------------------------------

SYDNEY_MORNING = free("Australia/Sydney", slot(WED, "09:00", "12:00"))
AUCKLAND_LATE_MORNING = free("Pacific/Auckland", slot(WED, "11:00", "14:00"))


@pytest.mark.parametrize(
    ("week", "expected"),
    [
        # January: AEDT +11 / NZDT +13, 2 h apart. Sydney Wed 09:00-12:00 = Tue 22:00-Wed 01:00
        # UTC; Auckland Wed 11:00-14:00 = Tue 22:00-Wed 01:00 UTC -> all 3 h = 180.
        pytest.param(WINTER, 180, id="january-both-dst"),
        # July: AEST +10 / NZST +12, 2 h apart. Both Tue 23:00-Wed 02:00 UTC -> 180.
        pytest.param(SUMMER, 180, id="july-both-standard"),
        # 30 Sep-6 Oct: AEST +10 / NZDT +13, 3 h apart. Sydney Tue 23:00-Wed 02:00 UTC;
        # Auckland Tue 22:00-Wed 01:00 UTC -> 23:00-01:00 = 120.
        pytest.param(NZ_AHEAD, 120, id="nz-dst-sydney-not-yet"),
        # From 7 Oct both are on DST again (+11 / +13) -> 180.
        pytest.param(BOTH_DST, 180, id="october-both-dst"),
        # Both leave DST on the same Sunday in April (+10 / +12) -> 180.
        pytest.param(BOTH_STANDARD, 180, id="april-both-standard"),
    ],
)
def test_sydney_with_auckland(week: date, expected: int) -> None:
    assert both_ways(SYDNEY_MORNING, AUCKLAND_LATE_MORNING, week) == expected


def test_sydney_moves_in_utc_between_january_and_july() -> None:
    # The same pairing gives 180 in both, but not because nothing moved: a UTC person free
    # Tue 22:00-23:00 meets Sydney's Wed 09:00 (= Tue 22:00 UTC under AEDT) only in January.
    utc_person = free("UTC", slot(TUE, "22:00", "23:00"))
    assert overlap_minutes(SYDNEY_MORNING, utc_person, WINTER) == 60
    assert overlap_minutes(SYDNEY_MORNING, utc_person, SUMMER) == 0
    assert grid(SYDNEY_MORNING, WINTER) == utc_cells(TUE, "22:00", "24:00") + utc_cells(
        WED, "00:00", "01:00"
    )


# -- the UTC week boundary -----------------------------------------------------------------------


def test_a_monday_morning_in_brisbane_wraps_to_the_end_of_the_utc_week() -> None:
    # Brisbane Mon 08:00-11:00 (+10) is Sun 22:00-Mon 01:00 UTC: the last 2 h of the grid and
    # its first hour, as the slot recurs every week.
    brisbane = free("Australia/Brisbane", slot(MON, "08:00", "11:00"))
    assert grid(brisbane, SUMMER) == utc_cells(MON, "00:00", "01:00") + utc_cells(
        SUN, "22:00", "24:00"
    )
    # A UTC person free Sun 21:00-23:00 shares Sun 22:00-23:00 = 60.
    assert both_ways(brisbane, free("UTC", slot(SUN, "21:00", "23:00")), SUMMER) == 60
    # Mon 00:30-02:00 UTC shares Mon 00:30-01:00 = 30.
    assert both_ways(brisbane, free("UTC", slot(MON, "00:30", "02:00")), SUMMER) == 30
    # Both windows: 60 + 30 = 90. Mon 01:00-03:00 UTC: nothing (Brisbane ends at 01:00).
    both = free("UTC", slot(SUN, "21:00", "23:00"), slot(MON, "00:30", "02:00"))
    assert both_ways(brisbane, both, SUMMER) == 90
    assert both_ways(brisbane, free("UTC", slot(MON, "01:00", "03:00")), SUMMER) == 0


def test_a_sunday_evening_in_los_angeles_wraps_to_the_start_of_the_utc_week() -> None:
    # Los Angeles Sun 7 Jul 20:00-22:00 PDT (-7) is Mon 8 Jul 03:00-05:00 UTC, past the end of
    # the week: it lands on Mon 03:00-05:00 of the grid. UTC Mon 04:00-06:00 shares 60.
    los_angeles = free("America/Los_Angeles", slot(SUN, "20:00", "22:00"))
    assert grid(los_angeles, SUMMER) == utc_cells(MON, "03:00", "05:00")
    assert both_ways(los_angeles, free("UTC", slot(MON, "04:00", "06:00")), SUMMER) == 60


def test_brisbane_monday_meets_london_sunday_across_the_boundary() -> None:
    # Brisbane Mon 08:00-10:00 = Sun 22:00-24:00 UTC. London Sun 21:00-23:00: in July (BST)
    # that is 20:00-22:00 UTC -> 0; in January (GMT) 21:00-23:00 UTC -> 22:00-23:00 = 60.
    brisbane = free("Australia/Brisbane", slot(MON, "08:00", "10:00"))
    london = free("Europe/London", slot(SUN, "21:00", "23:00"))
    assert both_ways(brisbane, london, SUMMER) == 0
    assert both_ways(brisbane, london, WINTER) == 60


# -- a slot on the very day of a daylight-saving change ------------------------------------------


def test_london_night_when_the_clocks_go_forward() -> None:
    # Sun 31 Mar 2024: 01:00 GMT becomes 02:00 BST. Local 00:00-04:00 is 00:00 UTC (GMT) to
    # 03:00 UTC (04:00 BST): 3 real hours, not 4. A UTC person free Sun 00:00-06:00 shares 180.
    london = free("Europe/London", slot(SUN, "00:00", "04:00"))
    assert grid(london, LONDON_SPRING) == utc_cells(SUN, "00:00", "03:00")
    assert both_ways(london, free("UTC", slot(SUN, "00:00", "06:00")), LONDON_SPRING) == 180


def test_london_night_when_the_clocks_go_back() -> None:
    # Sun 27 Oct 2024: 02:00 BST becomes 01:00 GMT. Local 00:00-04:00 is Sat 23:00 UTC (00:00
    # BST) to Sun 04:00 UTC (04:00 GMT): 5 real hours. UTC Sat 23:00-24:00 + Sun 00:00-06:00
    # shares 60 + 240 = 300.
    london = free("Europe/London", slot(SUN, "00:00", "04:00"))
    utc_person = free("UTC", slot(SAT, "23:00", "24:00"), slot(SUN, "00:00", "06:00"))
    assert both_ways(london, utc_person, LONDON_AUTUMN) == 300
    assert len(grid(london, LONDON_AUTUMN)) * CELL_MINUTES == 300


def test_the_change_day_uses_the_new_offset_and_the_monday_the_old() -> None:
    # Same week, same local 18:00-19:00: Mon 25 Mar is GMT (18:00-19:00 UTC), Sun 31 Mar is
    # BST (17:00-18:00 UTC). A UTC person free 18:00-19:00 both days shares only Monday's: 60.
    london = free("Europe/London", slot(MON, "18:00", "19:00"), slot(SUN, "18:00", "19:00"))
    utc_person = free("UTC", slot(MON, "18:00", "19:00"), slot(SUN, "18:00", "19:00"))
    assert both_ways(london, utc_person, LONDON_SPRING) == 60
    assert grid(london, LONDON_SPRING) == utc_cells(MON, "18:00", "19:00") + utc_cells(
        SUN, "17:00", "18:00"
    )


def test_a_slot_starting_in_the_skipped_hour() -> None:
    # 01:30 does not exist on Sun 31 Mar in London; it maps forward (fold=0, the GMT offset):
    # 01:30 UTC, i.e. 02:30 BST. The end, 03:00 BST, is 02:00 UTC -> 30 minutes.
    london = free("Europe/London", slot(SUN, "01:30", "03:00"))
    assert grid(london, LONDON_SPRING) == utc_cells(SUN, "01:30", "02:00")


def test_sydney_night_when_the_clocks_go_forward() -> None:
    # Sun 6 Oct 2024, 02:00 AEST becomes 03:00 AEDT. Sydney 01:00-05:00 local is Sat 15:00 UTC
    # (01:00 AEST) to Sat 18:00 UTC (05:00 AEDT): 3 h. Auckland (NZDT +13 since 29 Sep)
    # Sun 04:00-08:00 is Sat 15:00-19:00 UTC -> shared 15:00-18:00 = 180.
    sydney = free("Australia/Sydney", slot(SUN, "01:00", "05:00"))
    auckland = free("Pacific/Auckland", slot(SUN, "04:00", "08:00"))
    assert grid(sydney, NZ_AHEAD) == utc_cells(SAT, "15:00", "18:00")
    assert both_ways(sydney, auckland, NZ_AHEAD) == 180


# -- half- and three-quarter-hour offsets --------------------------------------------------------


def test_kathmandu_is_five_hours_forty_five_ahead() -> None:
    # Kathmandu Mon 09:00-11:00 (+5:45) is Mon 03:15-05:15 UTC, in any week.
    kathmandu = free("Asia/Kathmandu", slot(MON, "09:00", "11:00"))
    for week in (WINTER, SUMMER):
        assert grid(kathmandu, week) == utc_cells(MON, "03:15", "05:15")
        # UTC 03:00-04:00 shares 03:15-04:00 = 45; UTC 05:00-06:00 shares 05:00-05:15 = 15.
        assert both_ways(kathmandu, free("UTC", slot(MON, "03:00", "04:00")), week) == 45
        assert both_ways(kathmandu, free("UTC", slot(MON, "05:00", "06:00")), week) == 15


@pytest.mark.parametrize(
    ("week", "expected"),
    [
        # July, ACST +9:30: Adelaide Mon 09:00-11:00 = Sun 23:30-Mon 01:30 UTC (wrapping);
        # Kathmandu Mon 05:00-08:00 (+5:45) = Sun 23:15-Mon 02:15 UTC -> 23:30-01:30 = 120.
        pytest.param(SUMMER, 120, id="adelaide-acst"),
        # January, ACDT +10:30: Adelaide = Sun 22:30-Mon 00:30 UTC -> 23:15-00:30 = 75.
        pytest.param(WINTER, 75, id="adelaide-acdt"),
    ],
)
def test_adelaide_with_kathmandu(week: date, expected: int) -> None:
    adelaide = free("Australia/Adelaide", slot(MON, "09:00", "11:00"))
    kathmandu = free("Asia/Kathmandu", slot(MON, "05:00", "08:00"))
    assert both_ways(adelaide, kathmandu, week) == expected


def test_adelaide_half_hour_against_utc() -> None:
    # Adelaide Mon 12:00-13:00 in July (+9:30) is 02:30-03:30 UTC; UTC 02:00-03:00 shares 30.
    adelaide = free("Australia/Adelaide", slot(MON, "12:00", "13:00"))
    assert grid(adelaide, SUMMER) == utc_cells(MON, "02:30", "03:30")
    assert both_ways(adelaide, free("UTC", slot(MON, "02:00", "03:00")), SUMMER) == 30


# -- the reference week --------------------------------------------------------------------------


def test_any_day_of_the_week_stands_for_its_monday() -> None:
    assert monday_of(date(2024, 7, 3)) == SUMMER
    assert monday_of(date(2024, 7, 7)) == SUMMER
    assert monday_of(SUMMER) == SUMMER
    for day in range(7):
        assert grid(LONDON_MORNING, SUMMER + timedelta(days=day)) == grid(LONDON_MORNING, SUMMER)
    # Sun 31 Mar (BST from 01:00 UTC) stands for the week of Mon 25 Mar, whose Monday is
    # still GMT: London Mon 08:00-12:00 is 08:00-12:00 UTC.
    assert grid(LONDON_MORNING, date(2024, 3, 31)) == utc_cells(MON, "08:00", "12:00")


def test_only_whole_quarter_hours_count() -> None:
    # 09:10-10:00 UTC covers the quarters from 09:15 only: 45 minutes.
    assert grid(free("UTC", slot(MON, "09:10", "10:00")), SUMMER) == utc_cells(
        MON, "09:15", "10:00"
    )


# -- properties: fixed-offset zones agree with a hand-made shift of the UTC slot -----------------

FIXED = {"UTC": 0, "Australia/Brisbane": 600, "Asia/Kathmandu": 345, "America/Phoenix": -420}
WEEK_MINUTES = 7 * 24 * 60


def local_slots(zone_offset: int, weekday: int, start: int, end: int) -> tuple[WeeklySlot, ...]:
    """The UTC window [start, end) on ``weekday``, as local slots, split at local midnight."""
    begin = (weekday * 1440 + start + zone_offset) % WEEK_MINUTES
    length = end - start
    pieces = []
    while length > 0:
        day, minute = divmod(begin, 1440)
        take = min(length, 1440 - minute)
        pieces.append(WeeklySlot(day, minute, minute + take))
        begin, length = (begin + take) % WEEK_MINUTES, length - take
    return tuple(pieces)


@settings(max_examples=80, deadline=None)
@given(
    zone=st.sampled_from(sorted(FIXED)),
    weekday=st.integers(0, 6),
    start_hour=st.integers(0, 23),
    hours=st.integers(1, 6),
    week=st.sampled_from([WINTER, SUMMER, NZ_AHEAD]),
)
def test_property_a_fixed_offset_zone_is_a_plain_shift(
    zone: str, weekday: int, start_hour: int, hours: int, week: date
) -> None:
    start, end = start_hour * 60, min(start_hour + hours, 24) * 60
    local = free(zone, *local_slots(FIXED[zone], weekday, start, end))
    expected = np.zeros(WEEK_MINUTES // CELL_MINUTES, dtype=bool)
    expected[weekday * 96 + start // 15 : weekday * 96 + end // 15] = True
    assert (cells(local, week) == expected).all()


@settings(max_examples=80, deadline=None)
@given(
    zones=st.lists(
        st.sampled_from(["Europe/London", "Australia/Sydney", "Pacific/Auckland", "UTC"]),
        min_size=2,
        max_size=2,
    ),
    slots=st.lists(
        st.builds(
            lambda day, hour, length: WeeklySlot(day, hour * 60, min(hour + length, 24) * 60),
            st.integers(0, 6),
            st.integers(0, 23),
            st.integers(1, 8),
        ),
        min_size=2,
        max_size=6,
    ),
    week=st.sampled_from([WINTER, SUMMER, NZ_AHEAD, LONDON_SPRING, LONDON_AUTUMN]),
)
def test_property_overlap_is_symmetric_and_bounded(
    zones: list[str], slots: list[WeeklySlot], week: date
) -> None:
    half = len(slots) // 2
    a, b = free(zones[0], *slots[:half]), free(zones[1], *slots[half:])
    shared = both_ways(a, b, week)
    assert shared % CELL_MINUTES == 0
    assert shared <= min(overlap_minutes(a, a, week), overlap_minutes(b, b, week))


# -- property: a UTC quarter-hour is free when the person's own clock is inside a slot ----------

DST_ZONES = (
    "Europe/London",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Australia/Adelaide",
    "America/Los_Angeles",
)
CHANGE_WEEKS = (
    date(2024, 3, 4),  # Los Angeles forward, Sun 10 Mar
    LONDON_SPRING,  # London forward, Sun 31 Mar
    date(2024, 4, 1),  # Sydney, Adelaide and Auckland back, Sun 7 Apr
    date(2024, 9, 23),  # Auckland forward, Sun 29 Sep
    NZ_AHEAD,  # Sydney and Adelaide forward, Sun 6 Oct
    LONDON_AUTUMN,  # London back, Sun 27 Oct
    date(2024, 10, 28),  # Los Angeles back, Sun 3 Nov
    WINTER,
    SUMMER,
)


@settings(max_examples=120, deadline=None)
@given(
    zone=st.sampled_from(DST_ZONES),
    week=st.sampled_from(CHANGE_WEEKS),
    slots=st.lists(
        st.builds(
            lambda day, hour, length: WeeklySlot(day, hour * 60, min(hour + length, 24) * 60),
            st.sampled_from((SUN, SUN, SUN, MON, TUE, WED, THU, FRI, SAT)),  # changes are Sundays
            st.integers(0, 23),
            st.integers(1, 6),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_property_a_cell_is_free_when_the_local_clock_is_in_a_slot(
    zone: str, week: date, slots: list[WeeklySlot]
) -> None:
    # The other direction from the engine's: take each UTC quarter-hour of the week, read the
    # person's wall clock at that instant, and check whether it falls in one of their slots.
    # With slots on whole hours this agrees with the engine even on the day clocks change
    # (a skipped hour has no cells; a repeated hour is free twice). Cells whose local time is
    # in the first or last hour of the local week are skipped: there the grid wraps, and a
    # clock change during the week shifts the wrapped slot by that hour.
    got = cells(free(zone, *slots), week)
    origin = datetime.combine(week, time(), tzinfo=UTC)
    compared = 0
    for k in range(len(got)):
        local = (origin + timedelta(minutes=CELL_MINUTES * k)).astimezone(ZoneInfo(zone))
        minute = local.hour * 60 + local.minute
        day = (local.date() - week).days
        if not 0 <= day < 7 or (day, minute // 60) in ((MON, 0), (SUN, 23)):
            continue
        inside = any(s.weekday == day and s.start_minute <= minute < s.end_minute for s in slots)
        assert got[k] == inside, (k, local.isoformat())
        compared += 1
    assert compared >= len(got) - 2 * 60  # at most a day's worth of cells is skipped
