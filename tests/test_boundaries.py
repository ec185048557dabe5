"""Contact details in the relay: what the check finds, in the disguises people use, and what
it must leave alone (the service's own crisis lines, dates, times, prices, ordinary talk)."""

from __future__ import annotations

import re

import pytest

from bot.relationships.boundaries import Detail, allowed_numbers, find, kinds

CRISIS = allowed_numbers(["13 11 14", "1300 22 4636", "000", "1800 55 1800"])

POSITIVE: list[tuple[str, Detail]] = [
    # phone numbers: Australian mobiles and landlines, international, disguised
    ("call me on 0412 345 678", Detail.PHONE),
    ("my number is 0412345678", Detail.PHONE),
    ("0412-345-678 any time", Detail.PHONE),
    ("text 0412.345.678", Detail.PHONE),
    ("it's 04 12 34 56 78", Detail.PHONE),
    ("0 4 1 2 3 4 5 6 7 8", Detail.PHONE),
    ("ring (07) 3123 4567 after 5", Detail.PHONE),
    ("07 3123 4567", Detail.PHONE),
    ("+61 412 345 678", Detail.PHONE),
    ("+61412345678", Detail.PHONE),
    ("+61 (0)412 345 678", Detail.PHONE),
    ("O412 345 678", Detail.PHONE),  # the letter O for zero
    ("o4l2 345 678", Detail.PHONE),  # o and l for 0 and 1
    ("０４１２ ３４５ ６７８", Detail.PHONE),  # full-width digits
    ("zero four one two three four five six seven eight", Detail.PHONE),
    ("oh four one two, three four five, six seven eight", Detail.PHONE),
    ("+44 7700 900123", Detail.PHONE),
    ("+1 (555) 123-4567", Detail.PHONE),
    ("+84 912 345 678", Detail.PHONE),
    ("+964 770 123 4567", Detail.PHONE),
    ("1300 123 456 is my work line", Detail.PHONE),
    ("13 12 34", Detail.PHONE),  # a 13 number that is not the service's
    ("call 0412 345 678 or 0498 765 432", Detail.PHONE),
    ("my mum's is 02 9876 5432", Detail.PHONE),
    ("0412/345/678", Detail.PHONE),
    ("041 234 5678", Detail.PHONE),
    # e-mail addresses, plain and disguised
    ("sam.smith@gmail.com", Detail.EMAIL),
    ("email me: sam_smith+pl@outlook.com.au", Detail.EMAIL),
    ("sam at gmail dot com", Detail.EMAIL),
    ("sam [at] gmail [dot] com", Detail.EMAIL),
    ("sam(at)gmail(dot)com", Detail.EMAIL),
    ("sam (at) yahoo (dot) com (dot) au", Detail.EMAIL),
    ("s a m @ g m a i l . c o m", Detail.EMAIL),
    ("sаm@gmаil.com", Detail.EMAIL),  # Cyrillic а
    ("sam＠gmail．com", Detail.EMAIL),  # full-width signs
    ("sam аt gmail dоt com", Detail.EMAIL),  # Cyrillic а and о in the words
    ("sam a\u200bt gmail d\u200bot com", Detail.EMAIL),  # invisible spaces
    ("＠robinpeer", Detail.HANDLE),
    ("t．me／robinpeer", Detail.LINK),
    ("SAM.SMITH@GMAIL.COM", Detail.EMAIL),
    ("robin{at}protonmail{dot}com", Detail.EMAIL),
    ("my email is robin @ icloud . com", Detail.EMAIL),
    ("robin<at>hotmail<dot>com", Detail.EMAIL),
    # Telegram handles and links
    ("add me @sammy_2000", Detail.HANDLE),
    ("I'm @robinpeer on there", Detail.HANDLE),
    ("message @ robinpeer", Detail.HANDLE),
    ("t.me/robinpeer", Detail.LINK),
    ("https://t.me/robinpeer", Detail.LINK),
    ("t . me / robinpeer", Detail.LINK),
    ("t[.]me/robinpeer", Detail.LINK),
    ("t dot me slash robinpeer", Detail.LINK),
    ("telegram.me/robinpeer", Detail.LINK),
    ("tg://resolve?domain=robinpeer", Detail.LINK),
    ("telegram.dog/robinpeer", Detail.LINK),
    # other messengers
    ("wa.me/61412345678", Detail.LINK),
    ("https://chat.whatsapp.com/AbCdEf123", Detail.LINK),
    ("m.me/sam.smith", Detail.LINK),
    ("signal.me/#p/+61412345678", Detail.LINK),
    ("instagram.com/sammy", Detail.LINK),
    ("www.facebook.com/sam.smith.77", Detail.LINK),
    ("discord.gg/abc123", Detail.LINK),
    ("snapchat.com/add/sammy", Detail.LINK),
    ("line.me/ti/p/abc", Detail.LINK),
    # street addresses
    ("I live at 12 Smith St", Detail.ADDRESS),
    ("come to 45 George Street", Detail.ADDRESS),
    ("Unit 3, 27 Boundary Road", Detail.ADDRESS),
    ("3/27 Boundary Rd.", Detail.ADDRESS),
    ("we're at 101 Old Cleveland Road", Detail.ADDRESS),
    ("8 Wattle Grove", Detail.ADDRESS),
    ("1/5 Kent Avenue", Detail.ADDRESS),
]

NEGATIVE: list[str] = [
    # the service's own numbers
    "you can call Lifeline on 13 11 14",
    "Beyond Blue 1300 22 4636 helped me",
    "if it's an emergency call 000",
    "13 11 14 any time",
    "1800 55 1800 is for young people",
    # dates and times
    "see you on 12/03/2026",
    "my appointment is 2026-03-12",
    "from 12/3 - 19/3 I'm away",
    "12.03.2026 works for me",
    "at 10:30 tomorrow",
    "between 10:30 and 11:45",
    "10:30-11:45 is my class",
    "Tuesday 3 March at 6pm",
    "on the 21st of March",
    "in 2026 I want to study",
    "I was born in 1987",
    "20/11/1987",
    # money and quantities
    "it cost $1,250,000 for the house",
    "the rent is $450 a week",
    "about 1,250,000 people",
    "AUD 12000000 budget",
    "I walked 12000 steps",
    "my score was 98 out of 100",
    "I've been clean for 365 days",
    "3 kids and 2 dogs",
    "page 4 of 12",
    "chapter 11",
    "room 204",
    "bus 333 to the city",
    "I'm 34",
    # words that look like details but are not
    "I'm at home",
    "we met at the park",
    "look at that dot on the map",
    "thanks for the chat at the library today",
    "at 7 I'll call the GP",
    "I'll be at work, dot on time",
    "my email is full of spam, ugh",
    "I don't use instagram any more",
    "facebook makes me anxious",
    "I deleted whatsapp",
    "telegram is the only app I use",
    "my phone broke",
    "the number of times I tried",
    "I live on a quiet street",
    "we walked down George Street",
    "the road was long",
    "12 steps to recovery",
    "5 things I'm grateful for",
    "1 2 3 4 breathe",
    "rate it 4/5",
    "@ the shops now",
    "I'm @ home",
    "email the GP? ok",
    "my Medicare card came",
    "Hi Robin! How are you?",
    "I felt a bit flat this week",
    "thanks, that helped a lot",
    "can we talk on Thursday evening?",
    "I went to the group at 6",
    "feeling 7/10 today",
    "covid test was negative",
    "the 2 of us went",
    "level 3 of the hospital",
    "mid-2025 things got better",
    "v2.0.1 of the app",
    "from 2019-2021 I was in and out of hospital",
    "the 2024/25 year was hard",
    "١٨٠٠ ٥٥ ١٨٠٠ helped",  # a crisis line, written in Arabic-Indic digits
]


def test_the_table_is_big_enough() -> None:
    assert len(POSITIVE) >= 60 and len(NEGATIVE) >= 60


def test_recall_on_contact_details_in_disguise() -> None:
    missed = [text for text, kind in POSITIVE if kind not in kinds(find(text, CRISIS))]
    recall = 1 - len(missed) / len(POSITIVE)
    assert recall >= 0.95, missed


def test_no_false_alarms_on_ordinary_text() -> None:
    alarms = {text: kinds(find(text, CRISIS)) for text in NEGATIVE}
    assert {text: found for text, found in alarms.items() if found} == {}


def test_the_services_own_patterns() -> None:
    patterns = (re.compile(r"\bmedicare\s*\d{4}\s*\d{5}\s*\d\b", re.IGNORECASE),)
    assert kinds(find("Medicare 2123 45670 1", CRISIS, patterns)) == [Detail.PATTERN]
    assert find("Medicare 2123 45670 1", CRISIS) != [Detail.PATTERN]


@pytest.mark.parametrize("text", ["", "   ", None])
def test_nothing_in_nothing(text) -> None:
    assert find(text, CRISIS) == []
