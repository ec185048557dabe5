"""The one codec for button data: every action packs within Telegram's 64 bytes and decodes back
to itself, nothing else decodes, every action has a handler, and nothing in ``bot/`` writes or
parses callback data by hand."""

from __future__ import annotations

import ast
import dataclasses
import itertools
import typing
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram.ext import CallbackQueryHandler

from bot import callbacks
from bot.callbacks import (
    LARGEST_ID,
    CheckinScore,
    ConfirmManualMatch,
    FormTap,
    OpenPerson,
    PersonAction,
    RelationshipAction,
)
from bot.tg.taps import Taps

BOT = Path(__file__).resolve().parent.parent / "bot"


def _samples(hint: object) -> list[object]:
    if hint is int:
        return [0, 7, LARGEST_ID]
    if hint is str:
        return ["", "a_b.c:1", "Etc/GMT+10"]
    return list(typing.get_args(hint))


def _instances(cls: type[callbacks.Action]) -> list[callbacks.Action]:
    hints = typing.get_type_hints(cls)
    fields = [f.name for f in dataclasses.fields(cls)]
    choices = [_samples(hints[name]) for name in fields]
    return [cls(**dict(zip(fields, values, strict=True))) for values in itertools.product(*choices)]


@pytest.mark.parametrize("cls", callbacks.actions(), ids=lambda cls: cls.__name__)
def test_every_action_round_trips_within_64_bytes(cls: type[callbacks.Action]) -> None:
    for action in _instances(cls):
        data = action.pack()
        assert len(data.encode()) <= callbacks.LIMIT
        assert data.startswith(cls.head() + "|") or data == cls.head()
        assert callbacks.decode(data) == action, data  # and no other action claims it


def test_the_layouts_are_what_buttons_already_in_chats_carry() -> None:
    """Upgrading must not turn the buttons people already have into stale ones."""
    assert CheckinScore(12, 3).pack() == "ci|12|score|3"
    assert FormTap("timezone", "pick", "Australia/Brisbane").pack() == (
        "f|timezone|pick|Australia/Brisbane"
    )
    assert ConfirmManualMatch(4, "yes", 9).pack() == "mm|4|yes|9"
    assert RelationshipAction(5, "close").pack() == "cn|ra|5|close|0"
    assert OpenPerson(3, "pl.waiting.0").pack() == "cn|p|3|pl.waiting.0"


def test_a_last_field_with_a_default_may_be_left_off() -> None:
    assert callbacks.decode("cn|pa|3|propose") == PersonAction(3, "propose")
    assert callbacks.decode("cn|p|5") == OpenPerson(5)
    assert callbacks.decode("f|intro|next") == FormTap("intro", "next")


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "ci",
        "ci|12|score",
        "ci|12|score|3|4",  # a field too many
        "ci|x|score|3",  # a word where a number goes
        "ci|-1|score|3",
        f"ci|{LARGEST_ID + 1}|score|3",  # does not fit the database's integers
        "ci|12345678901|score|3",
        "ci|12|grade|3",  # no such action
        "mm|4|maybe|9",  # not one of the words
        "rm|Yes",
        "zz|1",  # no such prefix
        "ci|1²|score|3",  # not ASCII
        "f|step|pick|" + "a" * 60,  # over 64 bytes
        "f|step|pick|a b",  # a character no field holds
        "cn|go|everything",
    ],
)
def test_malformed_or_foreign_data_decodes_to_nothing(data: str | None) -> None:
    assert callbacks.decode(data) is None


@given(st.text(max_size=80))
def test_decoding_never_raises_and_what_decodes_packs_back(data: str) -> None:
    action = callbacks.decode(data)
    if action is not None:
        assert callbacks.decode(action.pack()) == action


def test_packing_refuses_what_could_not_come_back() -> None:
    with pytest.raises(ValueError):
        FormTap("step", "pick", "a|b").pack()
    with pytest.raises(ValueError):
        FormTap("step", "pick", "x" * 70).pack()
    with pytest.raises(ValueError):
        CheckinScore(-1, 3).pack()


def test_two_actions_cannot_share_a_layout() -> None:
    with pytest.raises(TypeError):

        class Again(callbacks.Action, layout="ci|{checkin_id}|score|{score}"):
            checkin_id: int
            score: int


async def test_every_action_has_exactly_one_handler(bot) -> None:
    claimed: list[type[callbacks.Action]] = []
    for group in bot.application.handlers.values():
        for handler in group:
            if isinstance(handler, CallbackQueryHandler) and isinstance(handler.pattern, Taps):
                claimed += handler.pattern.classes
    assert sorted(c.__name__ for c in claimed) == sorted(c.__name__ for c in callbacks.actions())


def _string_constants(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append((node.lineno, node.value))
        if isinstance(node, ast.JoinedStr):  # f"ci|{id}|…": the literal parts
            found += [
                (node.lineno, part.value)
                for part in node.values
                if isinstance(part, ast.Constant) and isinstance(part.value, str)
            ]
    return found


def test_no_callback_data_is_written_or_parsed_by_hand_outside_the_codec() -> None:
    heads = {cls.head() for cls in callbacks.actions()}
    offences = []
    for path in sorted(BOT.rglob("*.py")):
        if path.name == "callbacks.py" and path.parent == BOT:
            continue
        source = path.read_text()
        tree = ast.parse(source)
        for line, value in _string_constants(tree):
            if value == "|" or any(value.startswith(f"{head}|") for head in heads):
                offences.append(f"{path.relative_to(BOT.parent)}:{line}: {value!r}")
        if ".callback_query.data" in source and path.parent.name != "tg":
            offences.append(f"{path.relative_to(BOT.parent)}: reads callback_query.data")
    assert offences == []
