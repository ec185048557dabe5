"""How long screening a message for risk phrases takes, by length.

    python -m bench.screening --json

Messages of 50, 500 and 4,096 characters (Telegram's longest) are built from everyday words,
and the same lengths with a risk phrase at the very end, and each is screened with every
shipped lexicon's index (``Lexicon.find``) and, as the anchor in the same run, with the plain
definition it must agree with (``scan_phrase_by_phrase``: every phrase tried in turn). Issue 12
targets at most 2 ms for 4,096 characters (measured before it: 10-15 ms, on the event loop for
every message). Exit status 1 if the two ever disagree.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence

from bot.config import DEFAULT_LEXICON
from bot.safety.lexicon import Lexicon, scan_phrase_by_phrase

EVERYDAY_TEXT = (
    "I have been feeling a bit low this week but talking with my peer worker helps and the "
    "walk by the river was nice although work has been busy and my sister called on Sunday"
)
LENGTHS = (50, 500, 4096)
RISK = " i want to kill myself"


def _message(length: int, seed: int, ending: str = "") -> str:
    pick = random.Random(seed)
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < length - len(ending):
        words.append(pick.choice(EVERYDAY_TEXT.split()))
    return (" ".join(words)[: length - len(ending)] + ending)[:length]


def _ms(screen: Callable[[str], object], text: str, repeat: int) -> float:
    screen(text)
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        screen(text)
        times.append(time.perf_counter() - began)
    return round(statistics.median(times) * 1000, 3)


def run(repeat: int) -> dict:
    lexicons = {language: Lexicon.build(c) for language, c in DEFAULT_LEXICON.items()}
    rows, disagreements = [], 0
    for length in LENGTHS:
        for kind, ending in (("everyday", ""), ("risk at the end", RISK)):
            text = _message(length, seed=length, ending=ending)
            for language, lexicon in lexicons.items():
                disagreements += lexicon.find(text) != scan_phrase_by_phrase(lexicon, text)
                indexed = _ms(lexicon.find, text, repeat)
                plain = _ms(lambda t, lex=lexicon: scan_phrase_by_phrase(lex, t), text, repeat)
                rows.append(
                    {
                        "characters": length,
                        "message": kind,
                        "lexicon": language,
                        "indexed_ms": indexed,
                        "plain_scan_ms": plain,
                        "times_faster": round(plain / indexed, 1) if indexed else None,
                    }
                )
    return {"runs": rows, "target_ms_at_4096": 2.0, "disagreements": disagreements}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    result = run(args.repeat)
    if args.json:
        print(json.dumps(result))
    else:
        for row in result["runs"]:
            print("  ".join(f"{key}={value}" for key, value in row.items()))
    return 1 if result["disagreements"] else 0


if __name__ == "__main__":
    sys.exit(main())
