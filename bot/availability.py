"""Between the tap grid (day x part of day) and stored weekly slots in local minutes."""

from __future__ import annotations

from collections.abc import Iterable

from bot.config import Config


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def part_ranges(config: Config) -> dict[str, tuple[int, int]]:
    return {
        name: (_minutes(span.split("-")[0]), _minutes(span.split("-")[1]))
        for name, span in config.availability.parts.items()
    }


def cells_to_slots(config: Config, cells: Iterable[str]) -> list[tuple[int, int, int]]:
    """'2:evening' -> (2, 1020, 1260): weekday, start and end minute in local time."""
    ranges = part_ranges(config)
    slots = []
    for cell in cells:
        day, _, part = cell.partition(":")
        if part in ranges and day.isdigit() and 0 <= int(day) <= 6:
            slots.append((int(day), *ranges[part]))
    return sorted(set(slots))


def slots_to_cells(config: Config, slots: Iterable[tuple[int, int, int]]) -> list[str]:
    by_range = {span: name for name, span in part_ranges(config).items()}
    found = {
        f"{day}:{by_range[(start, end)]}" for day, start, end in slots if (start, end) in by_range
    }
    return [
        f"{day}:{part}"
        for day in range(7)
        for part in config.availability.parts
        if f"{day}:{part}" in found
    ]
