"""Finding risk phrases in what someone wrote. Pure: no I/O, no configuration objects.

People in distress do not type carefully, so matching is forgiving: case, punctuation,
spacing, apostrophes, Arabic's vowel marks and letter variants, repeated letters ("diiie")
and look-alike digits inside words ("k1ll") are normalised away, a word may take a common ending
("harming"), and a word of five letters or more may carry one typo ("suicde").
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
_LOOKALIKE_TOKEN = re.compile(r"\S*[013457@]\S*")  # a word with something to un-look
_TYPO_MIN_LENGTH = 5


def _unlook(token: str) -> str:
    """Digits stand in for letters only inside words: "k1ll" is "kill", "4" stays 4."""
    if any(ch.isalpha() for ch in token):
        return token.translate(_LOOKALIKES)
    return token


# Arabic is mostly written without its vowel marks, with its variant letters (alef with
# hamza, final ya, ta marbuta) and elongation used freely: one form for each. (Vietnamese
# keeps its marks: without them, different words meet, "từ từ" and "tự tử"; the list gives
# the unmarked forms that are unambiguous.)
_ARABIC_FORMS = str.maketrans(
    {
        **dict.fromkeys(range(0x064B, 0x0660)),  # harakat
        0x0670: None,  # superscript alef
        0x0640: None,  # tatweel
        **{ord(a): "ا" for a in "أإآٱ"},
        ord("ى"): "ي",
        ord("ة"): "ه",
    }
)


def normalise(text: str) -> str:
    """Lower case, single spaces, no punctuation or apostrophes, Arabic in one form, runs of
    3+ letters as two."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).casefold()
    text = text.translate(_ARABIC_FORMS)
    text = _APOSTROPHES.sub("", text)
    text = " ".join(_NOT_WORD.sub(" ", text).split())
    text = _LOOKALIKE_TOKEN.sub(lambda token: _unlook(token.group()), text)
    return _LONG_RUNS.sub(r"\1\1", text.replace("_", " ")).strip()


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


@dataclass(frozen=True)
class Match:
    category: str
    phrase: str


def _deletions(word: str) -> set[str]:
    """The word and every way to drop one letter from it: two words one edit apart share one
    of these (a few words further apart do too, so a shared one is checked)."""
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}


@dataclass(frozen=True)
class Lexicon:
    """The phrases indexed for one pass over a message.

    Each word a phrase may be written as is looked up once per distinct word of the message:
    exactly, without a common ending, or (five letters or more) through the words one letter
    shorter, whose shared variants are then checked for one edit. A phrase is found where its
    words follow each other, or where its letters are split or joined differently across one
    word more or fewer ("my self", "selfharm"). When several phrases are found, the first in
    the lexicon's order is the one reported, as a plain scan phrase by phrase would.
    """

    phrases: tuple[tuple[str, tuple[str, ...], str], ...]  # (category, squeezed words, phrase)
    patterns: tuple[tuple[str, re.Pattern[str], str], ...]
    _exact: dict[str, set[str]]  # a written form -> the phrase words it is (itself, +ending)
    _near: dict[str, set[str]]  # a one-letter-shorter form -> phrase words of 5+ letters
    _starts: dict[str, list[tuple[int, tuple[str, ...]]]]  # first word -> (index, words)
    _joined: dict[str, list[tuple[int, int]]]  # letters joined -> (index, words in phrase)
    _joined_prefixes: frozenset[str]
    _longest: int  # the most words a joined form may span

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
        exact: dict[str, set[str]] = {}
        near: dict[str, set[str]] = {}
        starts: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        joined: dict[str, list[tuple[int, int]]] = {}
        for index, (_category, words, _entry) in enumerate(phrases):
            starts.setdefault(words[0], []).append((index, words))
            # Squeezed as a whole: "want to" written "wantto" reads "wanto".
            joined.setdefault(_squeeze("".join(words)), []).append((index, len(words)))
            for word in words:
                exact.setdefault(word, set()).add(word)
                if len(word) >= 3:
                    for ending in _ENDINGS:
                        exact.setdefault(word + ending, set()).add(word)
                if len(word) >= _TYPO_MIN_LENGTH:
                    for variant in _deletions(word):
                        near.setdefault(variant, set()).add(word)
        prefixes = frozenset(text[:n] for text in joined for n in range(1, len(text) + 1))
        longest = max((len(words) + 1 for _c, words, _e in phrases), default=0)
        return cls(tuple(phrases), tuple(patterns), exact, near, starts, joined, prefixes, longest)

    def _phrase_words(self, written: str) -> set[str]:
        """The phrase words this written word counts as."""
        found = set(self._exact.get(written, ()))
        for variant in _deletions(written):
            for word in self._near.get(variant, ()):
                if word not in found and _one_edit_apart(word, written):
                    found.add(word)
        return found

    def _found(self, words: list[str]) -> set[int]:
        """Every phrase (by index) found in the message's words."""
        means = {written: self._phrase_words(written) for written in set(words)}
        found: set[int] = set()
        for start, written in enumerate(words):
            for word in means[written]:
                for index, expected in self._starts.get(word, ()):
                    following = words[start + 1 : start + len(expected)]
                    if len(following) == len(expected) - 1 and all(
                        want in means[got]
                        for want, got in zip(expected[1:], following, strict=True)
                    ):
                        found.add(index)
            letters = ""
            for width in range(1, self._longest + 1):
                if start + width > len(words):
                    break
                # Squeezed as a whole, as the joined forms are ("want"+"to" reads "wanto");
                # each word is squeezed already, so only where two meet can letters repeat.
                word = words[start + width - 1]
                letters += word[1:] if letters and letters[-1] == word[0] else word
                if letters not in self._joined_prefixes:
                    break
                for index, span in self._joined.get(letters, ()):
                    if width in (span - 1, span + 1):
                        found.add(index)
        return found

    def find(self, text: str) -> Match | None:
        """The first risk phrase in ``text`` (in the lexicon's order), or None."""
        normalised = normalise(text)
        if not normalised:
            return None
        found = self._found(_squeeze(normalised).split())
        if found:
            category, _words, phrase = self.phrases[min(found)]
            return Match(category, phrase)
        for category, pattern, phrase in self.patterns:
            if pattern.search(normalised):
                return Match(category, phrase)
        return None


# -- the plain definition ---------------------------------------------------------------------


def _plain_word_matches(expected: str, written: str) -> bool:
    if expected == written:
        return True
    ending = written[len(expected) :]
    if len(expected) >= 3 and written.startswith(expected) and ending in _ENDINGS:
        return True
    return len(expected) >= _TYPO_MIN_LENGTH and _one_edit_apart(expected, written)


def _plain_contains(words: list[str], expected: tuple[str, ...]) -> bool:
    span = len(expected)
    for start in range(len(words) - span + 1):
        written = words[start : start + span]
        if all(_plain_word_matches(w, g) for w, g in zip(expected, written, strict=True)):
            return True
    joined = _squeeze("".join(expected))
    for width in (span - 1, span + 1):
        for start in range(len(words) - width + 1) if width >= 1 else ():
            if _squeeze("".join(words[start : start + width])) == joined:
                return True
    return False


def scan_phrase_by_phrase(lex: Lexicon, text: str) -> Match | None:
    """The plain definition of ``Lexicon.find``: every phrase tried in turn over the whole
    message. The index must agree with it (tests/test_safety_lexicon.py), and bench/screening.py
    measures the index against it."""
    normalised = normalise(text)
    if not normalised:
        return None
    words = [_squeeze(word) for word in normalised.split()]
    for category, expected, phrase in lex.phrases:
        if _plain_contains(words, expected):
            return Match(category, phrase)
    for category, pattern, phrase in lex.patterns:
        if pattern.search(normalised):
            return Match(category, phrase)
    return None
