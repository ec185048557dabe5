"""Every text the code asks the catalog for exists: literal keys exactly, keys built with an
f-string at least as a pattern (a typo in their fixed part finds nothing)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from bot.texts.en import TEXTS

BOT = Path(__file__).resolve().parent.parent / "bot"
CALLS = {"t": "", "tn": "_one"}  # tn(key, count) reads key_one and key_other


def _key_arguments() -> list[tuple[str, int, str, ast.expr]]:
    found = []
    for path in sorted(BOT.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in CALLS:
                found.append((str(path.relative_to(BOT.parent)), node.lineno, name, node.args[0]))
    return found


def _pattern(joined: ast.JoinedStr) -> re.Pattern[str]:
    parts = [
        re.escape(value.value) if isinstance(value, ast.Constant) else r"\w+"
        for value in joined.values
    ]
    return re.compile("".join(parts) + r"(_one|_other)?")


def test_every_literal_key_exists() -> None:
    missing = []
    for where, line, call, key in _key_arguments():
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            needed = [key.value + "_one", key.value + "_other"] if call == "tn" else [key.value]
            missing += [f"{where}:{line} {k}" for k in needed if k not in TEXTS]
    assert missing == []


def test_every_built_key_matches_some_text() -> None:
    calls = [(w, line, key) for w, line, _c, key in _key_arguments()]
    built = [(w, line, key) for w, line, key in calls if isinstance(key, ast.JoinedStr)]
    assert built, "the scan found no key built with an f-string; is it still reading bot/?"
    missing = [
        f"{where}:{line}"
        for where, line, key in built
        if not any(_pattern(key).fullmatch(text) for text in TEXTS)
    ]
    assert missing == []
