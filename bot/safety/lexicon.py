"""Finding risk phrases in what someone wrote. Pure: no I/O, no configuration objects.

People in distress do not type carefully, so matching is forgiving: case, punctuation,
spacing, apostrophes, repeated letters ("diiie") and look-alike digits inside words ("k1ll")
are normalised away, a word may take a common ending ("harming"), and a word of five
letters or more may carry one typo ("suicde").
A phrase starting with ``re:`` is a regular expression over the normalised text. False
alarms cost a coordinator a minute; a missed flag can cost far more.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

_LOOKALIKES = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a"})
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_APOSTROPHES = re.compile(r"['\u2019\u2018`´]")
_NOT_WORD = re.compile(r"[^\w@]+")
_LONG_RUNS = re.compile(r"(.)\1{2,}")
_RUNS = re.compile(r"(.)\1+")
_TYPO_MIN_LENGTH = 5


def _unlook(token: str) -> str:
    """Digits stand in for letters only inside words: "k1ll" is "kill", "4" stays 4."""
    if any(ch.isalpha() for ch in token):
        return token.translate(_LOOKALIKES)
    return token


def normalise(text: str) -> str:
    """Lower case, single spaces, no punctuation or apostrophes, runs of 3+ letters as two."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).casefold()
    text = _APOSTROPHES.sub("", text)
    tokens = [_unlook(token) for token in _NOT_WORD.sub(" ", text).split()]
    return _LONG_RUNS.sub(r"\1\1", " ".join(tokens).replace("_", " ")).strip()


def _squeeze(word: str) -> str:
    return _RUNS.sub(r"\1", word)


def _one_edit_apart(a: str, b: str) -> bool:
    """At most one insertion, deletion, substitution or swap of neighbours."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diffs) == 1:
            return True
        i = diffs[0]
        return len(diffs) == 2 and diffs[1] == i + 1 and a[i] == b[i + 1] and a[i + 1] == b[i]
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(shorter) and shorter[i] == longer[i]:
        i += 1
    return shorter[i:] == longer[i + 1 :]


_ENDINGS = ("s", "es", "d", "ed", "ing", "er")  # "harming", "cuts": the same risk


def _word_matches(expected: str, written: str) -> bool:
    if expected == written:
        return True
    if len(expected) >= 3 and written.startswith(expected) and written[len(expected) :] in _ENDINGS:
        return True
    return len(expected) >= _TYPO_MIN_LENGTH and _one_edit_apart(expected, written)


def _contains(words: list[str], expected: tuple[str, ...], memo: dict) -> bool:
    """The phrase's words in a row, or the same letters split or joined differently
    ("my-self", "selfharm")."""

    def same(want: str, got: str) -> bool:
        key = (want, got)
        if key not in memo:
            memo[key] = _word_matches(want, got)
        return memo[key]

    span = len(expected)
    first = expected[0]
    for start in range(len(words) - span + 1):
        if same(first, words[start]) and all(
            same(want, got)
            for want, got in zip(expected[1:], words[start + 1 : start + span], strict=True)
        ):
            return True
    joined = "".join(expected)
    for width in (span - 1, span + 1):
        if width < 1:
            continue
        for start in range(len(words) - width + 1):
            if joined.startswith(words[start]) and "".join(words[start : start + width]) == joined:
                return True
    return False


@dataclass(frozen=True)
class Match:
    category: str
    phrase: str


@dataclass(frozen=True)
class Lexicon:
    """Compiled phrases: category -> list of word sequences, and category -> patterns."""

    phrases: tuple[tuple[str, tuple[str, ...], str], ...]  # (category, squeezed words, phrase)
    patterns: tuple[tuple[str, re.Pattern[str], str], ...]

    @classmethod
    def build(cls, categories: Mapping[str, Sequence[str]]) -> Lexicon:
        phrases, patterns = [], []
        for category, entries in categories.items():
            for entry in entries:
                if entry.startswith("re:"):
                    patterns.append((category, re.compile(entry[3:]), entry))
                else:
                    words = tuple(_squeeze(word) for word in normalise(entry).split())
                    if words:
                        phrases.append((category, words, entry))
        return cls(tuple(phrases), tuple(patterns))

    def find(self, text: str) -> Match | None:
        """The first risk phrase in ``text``, or None."""
        normalised = normalise(text)
        if not normalised:
            return None
        words = [_squeeze(word) for word in normalised.split()]
        memo: dict[tuple[str, str], bool] = {}
        for category, expected, phrase in self.phrases:
            if _contains(words, expected, memo):
                return Match(category, phrase)
        for category, pattern, phrase in self.patterns:
            if pattern.search(normalised):
                return Match(category, phrase)
        return None
