"""Risk phrase matching: forgiving of how people in distress type, strict about the rest."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import DEFAULT_LEXICON
from bot.safety import lexicon
from bot.safety.lexicon import Lexicon, normalise

LEXICON = Lexicon.build(DEFAULT_LEXICON["en"])


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("I want to kill myself", "suicide"),
        ("I WANT TO KILL MYSELF!!!", "suicide"),
        ("kill   my-self", "suicide"),  # spacing and punctuation
        ("k1ll myself", "suicide"),  # look-alike digits
        ("i wanna diiiiie", "suicide"),  # repeated letters
        ("thinking about suicde again", "suicide"),  # one typo
        ("I’m suicidal", "suicide"),
        ("i dont want to live anymore", "suicide"),  # a pattern
        ("I don't want to wake up tomorrow", "suicide"),
        ("might just end it all tonight", "suicide"),
        ("I've been self-harming", "self_harm"),  # a common ending
        ("selfharm", "self_harm"),
        ("wantto die", "suicide"),  # joined where two words meet on the same letter
        ("I cut myself last night", "self_harm"),
        ("I'm scared I'll hurt someone", "harm_to_others"),
        ("he hits me when he drinks", "unsafe"),
        ("I want\u200b to kill myself", "suicide"),  # a zero-width space
    ],
)
def test_risk_phrases_are_found_however_they_are_typed(text: str, category: str) -> None:
    match = LEXICON.find(text)
    assert match is not None and match.category == category


@pytest.mark.parametrize(
    "text",
    [
        "I went for a walk and felt better",
        "the skill myself course was good",  # 'skill' is not 'kill'
        "my kids are driving me up the wall",
        "I could kill for a coffee",
        "",
        "    ",
        "4 5 7 1",
    ],
)
def test_ordinary_messages_raise_nothing(text: str) -> None:
    assert LEXICON.find(text) is None


def test_normalise_keeps_words_and_drops_the_rest() -> None:
    assert normalise("Don’t  K1LL\u200b me!!! 4 ever") == "dont kill me 4 ever"
    assert normalise("sooooo tired") == "soo tired"


def test_a_custom_lexicon_with_patterns() -> None:
    lexicon = Lexicon.build({"custom": ["stop eating", r"re:\bno food for \d+ days\b"]})
    assert lexicon.find("I might stop eating").category == "custom"
    assert lexicon.find("no food for 3 days now").phrase.startswith("re:")
    assert lexicon.find("I ate lunch") is None


@given(st.text(max_size=5000))
def test_any_text_is_handled(text: str) -> None:
    LEXICON.find(text)  # never raises, whatever the script or length


@given(st.text(alphabet=st.characters(categories=["Ll", "Zs", "Po"]), max_size=200))
def test_finding_a_phrase_inside_other_words_still_finds_it(padding: str) -> None:
    assert LEXICON.find(f"{padding} . I want to kill myself . {padding}") is not None


# -- the one-pass index against a plain scan, phrase by phrase ---------------------------------


# Words of the lexicon, near misses of them, and ordinary words, in any order.
_VOCABULARY = sorted(
    {word for entries in DEFAULT_LEXICON["en"].values() for e in entries for word in e.split()}
    | {"suicde", "sucide", "kil", "killing", "my", "self", "selfharm", "harmed", "die", "diie"}
    | {"i", "want", "to", "the", "walk", "coffee", "skill", "cut", "hurt", "me", "end", "all"}
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_VOCABULARY), max_size=12), st.sampled_from([" ", "-", ""]))
def test_the_index_finds_what_a_plain_scan_finds(words: list[str], glue: str) -> None:
    text = glue.join(words)
    assert LEXICON.find(text) == lexicon.scan_phrase_by_phrase(LEXICON, text)


def test_the_index_finds_what_a_plain_scan_finds_in_every_shipped_lexicon() -> None:
    for language, categories in DEFAULT_LEXICON.items():
        built = Lexicon.build(categories)
        for entries in categories.values():
            for entry in entries:
                if entry.startswith("re:"):
                    continue
                for text in (entry, entry.replace(" ", ""), f"so {entry}ing now", entry[:-1]):
                    assert built.find(text) == lexicon.scan_phrase_by_phrase(built, text), (
                        language,
                        text,
                    )
