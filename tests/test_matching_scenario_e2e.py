"""Issue 13's scenario at its size, through the real conversations: 40 service users with
varied experience, perspectives, preferences, time zones and weeks; 8 workers with caps 2-5
(26 places); the coordinator processing the waitlist with /match_all and one "offer all",
then offering each new card as it comes; every user taking the first worker listed; one
worker declining once and one never answering.

It checks what the issue measured going wrong: nobody hears "that peer worker has just become
unavailable"; no responsive worker is left with a free place while someone who fits them
waits; the pairs reached are at least 0.98 of the best the engine finds for the same answers;
the worker who never answers is paused and the coordinators told."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

import matching
from bot.db import session_factory, transaction
from bot.models import PeerWorkerProfile, Person, Relationship
from bot.offers import mapping
from tests.conftest import COORDINATOR_ID
from tests.harness import Harness, Sent, TelegramUser
from tests.test_matching_workflow_e2e import onboard_worker, run_sweep
from tests.test_onboarding_e2e import _rows, through_the_consents

JUST_FILLED = "has just become unavailable"
CONSUMER_AREAS = (
    "Psychosis",
    "A hospital admission",
    "Self-harm",
    "Eating difficulties",
    "Alcohol or drug use",
    "Trauma",
    "Depression or bipolar",
)
CARER_AREAS = (
    "Caring for someone with psychosis",
    "Caring for a young person",
    "Caring for someone through a mental health crisis",
    "Alcohol or drug use",
)
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
PARTS = ("am", "pm", "eve")
ZONES = ("Australia/Brisbane", "Australia/Sydney", "Australia/Perth")


@dataclass(frozen=True)
class Worker:
    telegram_id: int
    name: str
    perspective: str
    areas: tuple[str, ...]
    gender: str
    times: tuple[str, ...]
    caseload: str
    timezone: str = "Australia/Brisbane"
    languages: tuple[str, ...] = ("English",)


WORKERS = (
    Worker(
        6001, "Robin", "(consumer)", ("Psychosis", "A hospital admission"), "Woman",
        ("Mon eve", "Tue eve", "Wed eve", "Thu eve", "Fri eve"), "5",
    ),
    Worker(
        6002, "Alex", "(consumer)", ("Depression or bipolar", "Self-harm"), "Man",
        ("Tue am", "Wed am", "Thu am", "Sat am"), "4", "Australia/Sydney",
    ),
    Worker(
        6003, "Kim", "(consumer)", ("Trauma", "Eating difficulties"), "Non-binary",
        ("Mon pm", "Wed pm", "Fri pm", "Sat pm"), "4", "Australia/Perth",
    ),
    Worker(
        6004, "Jo", "(carer)", ("Caring for someone with psychosis", "Caring for a young person"),
        "Woman", ("Tue eve", "Thu eve", "Sat am"), "3",
    ),
    Worker(
        6005, "Lee", "(carer)",
        ("Alcohol or drug use", "Caring for someone through a mental health crisis"), "Man",
        ("Mon am", "Wed eve", "Sun pm"), "3",
    ),
    Worker(
        6006, "Sasha", "(consumer)", ("Psychosis", "Depression or bipolar", "Alcohol or drug use"),
        "Woman", ("Mon eve", "Wed eve", "Fri eve", "Sun am"), "3",
        languages=("English", "Vietnamese"),
    ),
    Worker(6007, "Ari", "(consumer)", ("Self-harm", "Trauma"), "Woman", ("Tue pm", "Thu pm"), "2"),
    Worker(
        6008, "Nic", "(consumer)", ("A hospital admission", "Eating difficulties"), "Man",
        ("Mon am", "Tue am", "Wed am"), "2",
    ),
)  # fmt: skip
DECLINES_ONCE, NEVER_ANSWERS = "Ari", "Nic"


@dataclass(frozen=True)
class ServiceUser:
    telegram_id: int
    carer: bool
    areas: tuple[str, ...]
    languages: tuple[str, ...]
    gender: str | None
    gender_weight: str
    timezone: str
    times: tuple[str, ...]


def population(count: int = 40, seed: int = 13) -> list[ServiceUser]:
    """People as varied as the issue's: a quarter carers; one or two areas; a few who speak
    Vietnamese as well, and say so matters; half with a gender in mind, some of them firmly;
    three zones; two to four parts of the week."""
    rng = random.Random(seed)
    people = []
    for n in range(count):
        carer = n % 4 == 3
        areas = tuple(rng.sample(CARER_AREAS if carer else CONSUMER_AREAS, rng.choice((1, 2))))
        languages = ("English", "Vietnamese") if n % 9 == 4 else ("English",)
        gender = rng.choice((None, None, "Woman", "Man"))
        weight = "Important to me" if gender and rng.random() < 0.3 else "Nice to have"
        zone = rng.choice(ZONES[:1] * 4 + ZONES[1:])
        times = tuple(
            f"{day} {part}"
            for day, part in rng.sample(
                [(d, p) for d in DAYS for p in PARTS], rng.choice((2, 3, 4))
            )
        )
        people.append(ServiceUser(7000 + n, carer, areas, languages, gender, weight, zone, times))
    return people


async def onboard(bot: Harness, who: ServiceUser) -> TelegramUser:
    user = bot.user(who.telegram_id, "Sam")
    await through_the_consents(user)
    await user.tap("Skip")  # what their peer worker may call them
    await user.tap("(carer)" if who.carer else "My own mental health")
    for area in who.areas:
        await user.tap(area, exact=True)
    await user.tap("Done")
    for language in who.languages:
        await user.tap(language, exact=True)
    await user.tap("Done")
    await user.tap("Important to me" if len(who.languages) > 1 else "Doesn't matter")
    if who.gender:
        await user.tap(who.gender, exact=True)
        await user.tap("Done")
        await user.tap(who.gender_weight)
    else:
        await user.tap("No preference")
        await user.tap("Done")
    for _preference in ("age", "community"):
        await user.tap("No preference")
        await user.tap("Done")
    await user.tap(who.timezone.replace("_", " "), exact=True)
    for cell in who.times:
        await user.tap(cell, exact=True)
    await user.tap("Done")
    await user.send("Feeling less alone with it")
    await user.tap("confirm")
    return user


class Programme:
    """Everyone's side of the scenario: each message with a button is acted on once."""

    def __init__(self, bot: Harness, coordinator: TelegramUser, workers: dict[str, TelegramUser]):
        self.bot, self.coordinator, self.workers = bot, coordinator, workers
        self.done: set[int] = set()  # message ids acted on
        self.declined = False

    def _open(self, user: TelegramUser, label: str) -> list[Sent]:
        return [
            message
            for message in self.bot.api.sent_to(user.id)
            if message.message_id not in self.done
            and any(label in button for button in message.button_labels)
        ]

    async def _tap(self, user: TelegramUser, message: Sent, label: str) -> None:
        self.done.add(message.message_id)
        (first,) = [button for button in message.button_labels if label in button][:1]
        await user.tap(first, message=message, exact=True)

    async def step(self, users: list[TelegramUser]) -> bool:
        """One round: the coordinator offers new cards, people choose, workers answer. False
        when nobody had anything to do."""
        acted = False
        for card in self._open(self.coordinator, "Offer "):
            # The card's best match and its alternatives ("Offer the top 3"), or its one
            # candidate ("Offer only Robin").
            labels = card.button_labels
            top = next((label for label in labels if label.startswith("Offer the top")), None)
            await self._tap(self.coordinator, card, top or "Offer only")
            acted = True
        for user in users:
            for offer in self._open(user, "Choose "):
                await self._tap(user, offer, "Choose ")  # the first worker listed
                acted = True
        for name, worker in self.workers.items():
            if name == NEVER_ANSWERS:
                continue
            for request in self._open(worker, "Accept"):
                if name == DECLINES_ONCE and not self.declined:
                    self.declined = True
                    await self._tap(worker, request, "Decline")
                    await worker.tap("capacity")
                else:
                    await self._tap(worker, request, "Accept")
                acted = True
        return acted


async def _programme_state(bot: Harness):
    """The needs of everyone who onboarded and the workers' offers with every place open,
    as the engine sees them now (declines are exclusions by now)."""
    deps = bot.application.bot_data["deps"]
    sessions = session_factory(bot.application.bot_data["engine"])
    async with transaction(sessions) as session:
        users = list(
            await session.exec(Person.__table__.select().where(Person.role == "service_user"))
        )
        needs = await mapping.needs(session, [row.id for row in users])
        offers = await mapping.offers(session)
    return deps, needs, offers


async def test_forty_people_eight_workers_one_decision(bot: Harness, clock) -> None:
    casey = bot.user(COORDINATOR_ID, "Casey")
    workers = {}
    for worker in WORKERS:
        workers[worker.name] = await onboard_worker(
            bot,
            casey,
            worker.telegram_id,
            worker.name,
            times=worker.times,
            areas=worker.areas,
            perspective=worker.perspective,
            caseload=worker.caseload,
            gender=worker.gender,
            timezone=worker.timezone,
            languages=worker.languages,
        )
    users = [await onboard(bot, who) for who in population()]

    # The whole waitlist in two inputs (at most 1 + the number of people): /match_all, then
    # "offer all"; everyone the batch found a worker for is offered a choice at once.
    replies = await casey.send("/match_all")
    offer_all = next(label for label in replies[0].button_labels if label.startswith("Offer all"))
    await casey.tap(offer_all, message=replies[0], exact=True)
    batch = int(offer_all.rsplit(" ", 1)[-1])
    offered = [user for user in users if any("Choose " in b for b in user.last().button_labels)]
    assert len(offered) == batch >= 20
    programme = Programme(bot, casey, workers)
    programme.done |= {m.message_id for m in bot.api.sent_to(casey.id)}  # cards the batch replaced

    expiries = 0
    for _round in range(30):
        if await programme.step(users):
            continue
        if expiries == 2:
            break  # nothing left to answer, and nothing more to expire
        clock.advance(days=3.1)  # the unanswered requests expire
        await run_sweep(bot)
        expiries += 1
    else:
        raise AssertionError("the programme never settled")

    # Nobody was told a worker had "just become unavailable".
    told = [m.text for user in users for m in bot.api.sent_to(user.id)]
    assert sum(JUST_FILLED in text for text in told) == 0

    # The worker who never answered is paused, and the coordinators were told.
    nic = (await _rows(bot, Person, telegram_id=workers[NEVER_ANSWERS].id))[0]
    (profile,) = await _rows(bot, PeerWorkerProfile, person_id=nic.id)
    assert not profile.taking_new_matches
    alerts = [m.text for m in bot.api.sent_to(casey.id) if "requests in a row expire" in m.text]
    assert len(alerts) == 1
    assert programme.declined

    deps, needs, offers = await _programme_state(bot)
    weights = mapping.weights(deps.config)
    week = matching.monday_of(deps.now().astimezone(deps.config.tz).date())
    active = [r for r in await _rows(bot, Relationship) if r.status == "active"]
    by_need = {need.id: need for need in needs}
    by_offer = {offer.id: offer for offer in offers}

    # No responsive worker with a free place while someone who fits them waits.
    waiting = [need for need in needs if need.id not in {r.service_user_id for r in active}]
    pool = matching.OfferPool(offers, weights, week)
    for need in waiting:
        assert pool.rank(need, 1).candidates == (), f"{need.id} waits while a place fits them"

    # The pairs reached score at least 0.98 of the best the engine finds for the same answers
    # (the declined pair excluded, the worker who never answered left out).
    def score(service_user_id: int, worker_id: int) -> int:
        alone = matching.OfferPool(matching.every_place_open([by_offer[worker_id]]), weights, week)
        (candidate,) = alone.rank(by_need[service_user_id], 1).candidates
        return candidate.score

    achieved = sum(score(r.service_user_id, r.peer_worker_id) for r in active)
    responsive = [
        replace(offer, capacity_left=offer.max_caseload, active=True)
        for offer in offers
        if offer.id != nic.id
    ]
    best = matching.solve_waitlist(needs, responsive, weights, week).assignment
    assert len(active) == len(best.pairs)  # as many pairs as the best
    assert achieved >= 0.98 * best.total, (achieved, best.total, len(active), len(best.pairs))
