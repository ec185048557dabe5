"""Finding personal contact details in what someone is about to relay. Pure: no I/O.

Peer support stays inside the service's channels: no phone numbers, e-mail addresses,
Telegram handles or links, other messengers' links or street addresses pass between a service
user and their peer worker unless the sender chooses to (``[relay.boundaries]`` says what
happens). People who mean to share a number often disguise it ("0 4 1 2...", "name at gmail
dot com", "t . me / name", look-alike letters), so the text is normalised first; the
service's own crisis lines, dates, times and prices are not contact details.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Detail(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    HANDLE = "handle"
    LINK = "link"
    ADDRESS = "address"
    PATTERN = "pattern"  # one of the service's own patterns
    CONTACT = "contact"  # a contact card (found by the relay, not in text)
    LOCATION = "location"  # a location or a place


@dataclass(frozen=True)
class Found:
    kind: Detail
    at: int  # where in the normalised text (for tests; never logged)


# Letters from other scripts that look like Latin ones, and Latin letters written for digits
# inside numbers.
_LOOKALIKES = str.maketrans(
    {
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
        "ј": "j", "ѕ": "s", "ԁ": "d", "ɡ": "g", "һ": "h", "ӏ": "l", "ο": "o", "α": "a",
        "ε": "e", "ι": "i", "κ": "k", "ν": "v", "τ": "t", "υ": "u", "ρ": "p",
    }
)  # fmt: skip
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u2066\u2067\u2068\u2069"))
_DIGIT_WORDS = {
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_SPELLED = re.compile(
    r"\b(?:(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)[\s,.-]*){6,}", re.IGNORECASE
)


def normalise(text: str) -> str:
    """Look-alike characters as the Latin letters and digits they imitate, invisible
    characters out, digits spelled as words ("oh four one two...") as digits."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).translate(_LOOKALIKES)
    return _SPELLED.sub(
        lambda m: " ".join(_DIGIT_WORDS[w.lower()] for w in re.findall(r"[a-zA-Z]+", m.group())),
        text,
    )


# -- e-mail addresses ----------------------------------------------------------------------------

_TLDS = r"com|net|org|edu|gov|info|io|co|me|au|uk|nz|vn|us|ca|de|fr|biz|app|dev"
# name@host.com, with a space either side of "@" or "." ("robin @ icloud . com").
_EMAIL = re.compile(
    r"[a-z0-9][a-z0-9._%+-]*\s?@\s?[a-z0-9-]+(?:\s?\.\s?[a-z0-9-]+)*\s?\.\s?[a-z]{2,}\b",
    re.IGNORECASE,
)
# ... and spelled out: "sam at gmail dot com", "sam [at] gmail (dot) com": the ending must
# be a real one, or "look at that dot on the map" would be an address.
_AT = r"(?:\s*[\[\(\{<]\s*(?:at|@)\s*[\]\)\}>]\s*|\s+at\s+)"
_DOT = r"(?:\s?\.\s?|\s*[\[\(\{<]\s*(?:dot|\.)\s*[\]\)\}>]\s*|\s+dot\s+)"
_SPELLED_EMAIL = re.compile(
    rf"[a-z0-9][a-z0-9._%+-]*{_AT}[a-z0-9-]+(?:{_DOT}(?:{_TLDS}))+\b", re.IGNORECASE
)
# Spaced out letter by letter: "s a m @ g m a i l . c o m".
_SPACED = re.compile(r"(?:(?<![\w@.])[\w@.]\s){4,}[\w@.](?![\w@.])")

# -- handles and links ---------------------------------------------------------------------------

_HANDLE = re.compile(r"(?<![\w@.])@\s?([a-z][a-z0-9_]{4,31})\b", re.IGNORECASE)
_SLASH = r"(?:/|\s*/\s*|\s+slash\s+)"
_MESSENGERS = (
    r"t|telegram|telegram\.dog|wa|m|signal|line|discord|kik|viber|snapchat|instagram|facebook|fb"
    r"|messenger|whatsapp|chat\.whatsapp|tiktok|twitter|x|threads|skype|wechat|weixin|qq"
)
_LINK = re.compile(
    rf"\b(?:{_MESSENGERS}){_DOT}(?:me|com|gg|org|net|dog|chat|qq\.com|me/\S+)\b"
    rf"(?:{_SLASH}\S+)?|\btg://\S+|\bdiscord{_DOT}gg\b|\bsignal{_DOT}group\b",
    re.IGNORECASE,
)
_URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE)
_ANY_MESSENGER_URL = re.compile(
    rf"(?:^|[/.]|//)(?:{_MESSENGERS})\.(?:me|com|gg|org|net|dog)\b", re.IGNORECASE
)

# -- street addresses ----------------------------------------------------------------------------

_STREET_WORDS = (
    r"street|st|road|rd|avenue|ave|av|drive|dr|lane|ln|court|ct|crescent|cres|place|pl|parade"
    r"|pde|terrace|tce|highway|hwy|boulevard|blvd|way|close|cl|grove|gr|circuit|cct|esplanade"
    r"|square|sq"
)
_ADDRESS = re.compile(
    rf"\b(?:(?i:unit|apt|flat)\s*\d+[a-z]?\s*[,/]?\s*)?\d{{1,5}}[a-z]?(?:\s*[/-]\s*\d{{1,5}})?"
    rf"\s+(?:[A-Z][a-z]+\s+){{1,3}}(?i:{_STREET_WORDS})\b\.?",
)

# -- phone numbers -------------------------------------------------------------------------------

# A run of digits with the separators people put in phone numbers, and the letters O and l/I
# standing in for 0 and 1 inside it.
_NUMBER_RUN = re.compile(r"\+?\(?[\dOoIl](?:[\d\s().\-/OoIl]*\d)?")
_DATE = re.compile(r"^\s*(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}[/.-]\d{1,2}[/.-]\d{1,2})\s*$")
_DATE_RANGE = re.compile(
    r"^\s*\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?\s*-\s*\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?\s*$"
)
_YEARS = re.compile(r"^\s*(?:19|20)\d{2}\s*[-/]\s*(?:(?:19|20)\d{2}|\d{2})\s*$")  # 2019-2021
_GROUPED_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_CURRENCY = re.compile(r"[$€£¥₫]\s*$|\b(?:aud|usd|vnd|eur)\s*$", re.IGNORECASE)
_SHORT_SERVICE = re.compile(r"^\s*1[38]\s?\d{2}\s?\d{2}\s*$")  # "13 11 14": Australia's 13 numbers
_MIN_DIGITS, _MAX_DIGITS = 8, 15


def _digits(text: str) -> str:
    """The digits of a run, as 0-9 whatever the script ("١٣" is 13), O and l read as 0 and 1."""
    run = text.replace("O", "0").replace("o", "0").translate(_ONES)
    return "".join(str(unicodedata.digit(ch)) for ch in run if ch.isdigit())


_ONES = str.maketrans({"l": "1", "I": "1"})


def _is_phone(run: str, before: str, allowed: frozenset[str]) -> bool:
    if not re.search(r"\d", run) or ":" in run:
        return False
    if _DATE.match(run) or _DATE_RANGE.match(run) or _YEARS.match(run):
        return False
    if _CURRENCY.search(before):
        return False
    if _GROUPED_THOUSANDS.fullmatch(run.strip()):
        return False
    digits = _digits(run)
    if digits in allowed or any(digits.endswith(a) and len(a) >= 6 for a in allowed):
        return False
    letters = sum(ch in "OoIl" for ch in run)
    if letters and letters * 3 > len(digits):  # a word, not a number in disguise
        return False
    if _SHORT_SERVICE.match(run):
        return True
    return _MIN_DIGITS <= len(digits) <= _MAX_DIGITS


# Every detail found below has one of these; a message with none is passed at once.
_MIGHT_HAVE = re.compile(
    r"[\d@./:]|\b(?:at|dot|slash|zero|oh|one|two|three|four|five|six|seven|eight|nine)\b",
    re.IGNORECASE,
)


def allowed_numbers(numbers: Iterable[str]) -> frozenset[str]:
    """The service's own numbers (its crisis lines, the emergency number), as digits."""
    return frozenset(d for d in (_digits(n) for n in numbers) if d)


def find(
    text: str | None,
    allowed: frozenset[str] = frozenset(),
    patterns: tuple[re.Pattern[str], ...] = (),
) -> list[Found]:
    """The contact details in ``text``: at most one finding per place, in text order."""
    if not text:
        return []
    plain = normalise(text)
    if not patterns and not _MIGHT_HAVE.search(plain):  # most messages: no digit, "@", "."
        return []
    found: list[Found] = []
    taken: list[tuple[int, int]] = []

    def add(kind: Detail, match: re.Match[str]) -> None:
        start, end = match.span()
        if any(start < t_end and t_start < end for t_start, t_end in taken):
            return
        taken.append((start, end))
        found.append(Found(kind, start))

    for pattern in patterns:
        for match in pattern.finditer(plain):
            add(Detail.PATTERN, match)
    for match in (*_EMAIL.finditer(plain), *_SPELLED_EMAIL.finditer(plain)):
        add(Detail.EMAIL, match)
    for match in _LINK.finditer(plain):
        add(Detail.LINK, match)
    for match in _URL.finditer(plain):
        if _ANY_MESSENGER_URL.search(match.group()):
            add(Detail.LINK, match)
    for match in _HANDLE.finditer(plain):
        add(Detail.HANDLE, match)
    for match in _ADDRESS.finditer(plain):
        add(Detail.ADDRESS, match)
    for match in _NUMBER_RUN.finditer(plain):
        if _is_phone(match.group(), plain[max(0, match.start() - 5) : match.start()], allowed):
            add(Detail.PHONE, match)
    # Spelled out a letter at a time, an address or handle shows once the spaces go.
    for match in _SPACED.finditer(plain):
        squeezed = match.group().replace(" ", "")
        if _EMAIL.search(squeezed):
            add(Detail.EMAIL, match)
        elif _LINK.search(squeezed):
            add(Detail.LINK, match)
    return sorted(found, key=lambda f: f.at)


def kinds(found: list[Found]) -> list[Detail]:
    """The kinds found, each once, in the order they first appear."""
    return list(dict.fromkeys(f.kind for f in found))
