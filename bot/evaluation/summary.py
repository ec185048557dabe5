"""The figures programmes report, computed over the consenting cohort, and ``summary.md``.

The summary is a report file rather than a chat message, so its wording lives here.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from bot.evaluation.dataset import Cohort
from bot.lifecycle import OPEN_RELATIONSHIP, RelationshipStatus

DAY_SECONDS = 86400.0


@dataclass(frozen=True)
class WeekTrend:
    week: date  # the Monday it starts on, in the service's time zone
    mean_score: float
    answers: int


@dataclass(frozen=True)
class Figures:
    people: int
    workers: int
    wait_days: list[float]  # per matched person: onboarding finished -> first active
    not_matched: int  # finished onboarding, no relationship has become active yet
    wait_unknown: int  # matched, but when onboarding finished is no longer known
    first_contact_days: list[float]  # per relationship that started and has had contact
    started_without_contact: int
    answered: int
    missed: int
    skipped: int
    pending: int
    declined: int
    expired: int
    withdrawn: int
    more_than_one: int  # service users with more than one relationship (requests included)
    rematched: int  # service users with more than one relationship that became active
    completed: int
    ended_early: int
    still_open: int
    trend: list[WeekTrend]
    surveys: int
    ratings: list[int]
    recommend_yes: int
    recommend_answered: int

    @property
    def median_wait(self) -> float | None:
        return statistics.median(self.wait_days) if self.wait_days else None

    @property
    def median_first_contact(self) -> float | None:
        return statistics.median(self.first_contact_days) if self.first_contact_days else None

    @property
    def response_rate(self) -> float | None:
        asked = self.answered + self.missed
        return self.answered / asked if asked else None


def _days(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / DAY_SECONDS


def compute(cohort: Cohort, zone: tzinfo) -> Figures:
    by_user = defaultdict(list)
    for relationship in cohort.relationships:
        by_user[relationship.service_user_id].append(relationship)

    wait_days, not_matched, wait_unknown = [], 0, 0
    for user in cohort.service_users:
        starts = [r.started_at for r in by_user[user.person_id] if r.started_at]
        if not starts:
            not_matched += 1
        elif user.onboarded_at is None:
            wait_unknown += 1
        else:
            wait_days.append(_days(min(starts), user.onboarded_at))

    started = [r for r in cohort.relationships if r.started_at]
    first_contact_days = [
        _days(r.first_contact_at, r.started_at) for r in started if r.first_contact_at
    ]
    statuses = [r.status for r in cohort.relationships]
    checkin_statuses = [c.status for c in cohort.checkins]

    scores: dict[date, list[int]] = defaultdict(list)
    for checkin in cohort.checkins:
        if checkin.status == "answered" and checkin.score is not None:
            day = checkin.due_at.astimezone(zone).date()
            scores[day - timedelta(days=day.weekday())].append(checkin.score)
    trend = [
        WeekTrend(week, statistics.fmean(values), len(values))
        for week, values in sorted(scores.items())
    ]
    recommend = [f.would_recommend for f in cohort.feedback if f.would_recommend is not None]
    return Figures(
        people=len(cohort.service_users),
        workers=len(cohort.workers),
        wait_days=wait_days,
        not_matched=not_matched,
        wait_unknown=wait_unknown,
        first_contact_days=first_contact_days,
        started_without_contact=len(started) - len(first_contact_days),
        answered=checkin_statuses.count("answered"),
        missed=checkin_statuses.count("missed"),
        skipped=checkin_statuses.count("skipped"),
        pending=checkin_statuses.count("sent"),
        declined=statuses.count(RelationshipStatus.DECLINED),
        expired=statuses.count(RelationshipStatus.EXPIRED),
        withdrawn=statuses.count(RelationshipStatus.WITHDRAWN),
        more_than_one=sum(1 for rows in by_user.values() if len(rows) > 1),
        rematched=sum(1 for rows in by_user.values() if sum(bool(r.started_at) for r in rows) > 1),
        completed=statuses.count(RelationshipStatus.COMPLETED),
        ended_early=statuses.count(RelationshipStatus.ENDED_EARLY),
        still_open=sum(1 for status in statuses if status in OPEN_RELATIONSHIP),
        trend=trend,
        surveys=len(cohort.feedback),
        ratings=[f.rating for f in cohort.feedback if f.rating is not None],
        recommend_yes=sum(recommend),
        recommend_answered=len(recommend),
    )


def _in_days(value: float | None) -> str:
    return "no data yet" if value is None else f"{value:.1f} days"


def _relationships(count: int) -> str:
    return f"{count} relationship" if count == 1 else f"{count} relationships"


def _percent(value: float | None) -> str:
    return "no data yet" if value is None else f"{value * 100:.1f}%"


def markdown(
    figures: Figures,
    *,
    service: str,
    generated_on: date,
    timezone: str,
    outcome_questions: list[str],
    charts: list[str],
) -> str:
    f = figures
    mean_rating = (
        f"mean rating {statistics.fmean(f.ratings):.1f} of 5" if f.ratings else "no ratings yet"
    )
    unknown_start = (
        f"; so are {f.wait_unknown} matched {'person' if f.wait_unknown == 1 else 'people'} "
        "whose onboarding time is no longer known"
        if f.wait_unknown
        else ""
    )
    rows = [
        ("People (service users who agreed to evaluation)", str(f.people)),
        ("Peer workers in their relationships", str(f.workers)),
        (
            "Median wait to match",
            f"{_in_days(f.median_wait)} ({len(f.wait_days)} matched; "
            f"{f.not_matched} not matched yet)",
        ),
        (
            "Median time to first contact",
            f"{_in_days(f.median_first_contact)} ({_relationships(len(f.first_contact_days))}; "
            f"{f.started_without_contact} without contact yet)",
        ),
        (
            "Check-in response rate",
            f"{_percent(f.response_rate)} ({f.answered} answered of {f.answered + f.missed})",
        ),
        ("Requests declined by peer workers", str(f.declined)),
        ("Requests that expired unanswered", str(f.expired)),
        ("Requests withdrawn by the service user", str(f.withdrawn)),
        (
            "Service users with more than one relationship",
            f"{f.more_than_one} ({f.rematched} with more than one that became active)",
        ),
        ("Relationships completed (reached their planned end)", str(f.completed)),
        ("Relationships ended early", str(f.ended_early)),
        ("Relationships still open", str(f.still_open)),
        (
            "Closing surveys",
            f"{f.surveys} ({mean_rating}; "
            f"{f.recommend_yes} of {f.recommend_answered} would recommend)",
        ),
    ]
    lines = [
        f"# Evaluation summary: {service}",
        "",
        f"Generated on {generated_on.isoformat()} (dates in {timezone}). Pseudonymised: people "
        "and relationships appear only as keyed ids (P-…, R-…); no names, Telegram ids, goals, "
        "comments or message content. Only service users whose evaluation consent is in force "
        "are included, with their relationships, check-ins and feedback. Still confidential: "
        "keep it in the service's secure storage.",
        "",
        "| Figure | Value |",
        "| --- | --- |",
        *(f"| {label} | {value} |" for label, value in rows),
        "",
        "## How each figure is computed",
        "",
        "- **Wait to match**: for each person, from the moment they finished onboarding (their "
        "profile's first submission; for someone whose profile has been erased, their first "
        "move to the waitlist in the audit log) to the moment their first relationship became "
        f"active (the peer worker accepted). People not matched yet are left out of the median"
        f"{unknown_start}.",
        "- **Time to first contact**: for each relationship that became active, from then to "
        "the first message either side sent through the bot.",
        "- **Check-in response rate**: answered check-ins divided by answered plus missed "
        f"ones. Skipped check-ins ({f.skipped}, e.g. during downtime) and ones still awaiting "
        f"an answer ({f.pending}) are not counted.",
        "- **Declines and re-matches**: requests a peer worker declined or let expire; service "
        "users with more than one relationship, counting requests that did not go ahead, and "
        "of those the ones who had more than one active peer over time.",
        "- **Completed vs early endings**: completed relationships reached their planned end; "
        "early endings were ended by either side or a coordinator before it.",
        "- Medians are in days with one decimal; dates in the CSV files are to the day.",
        "",
        "## Check-in trend (mean score, 1–5, per week)",
        "",
    ]
    if f.trend:
        lines += ["| Week starting | Mean score | Answers |", "| --- | --- | --- |"]
        lines += [f"| {w.week.isoformat()} | {w.mean_score:.1f} | {w.answers} |" for w in f.trend]
    else:
        lines.append("No check-ins answered yet.")
    lines += ["", "## Files", ""]
    lines += [
        "- `people.csv`: the service users who agreed to evaluation: pseudonym, role, "
        "perspective, the month they joined and their languages. Peer workers give no "
        "evaluation consent, so they appear only as a pseudonym in `relationships.csv`.",
        "- `relationships.csv`: requested, matched, first contact, planned and actual end "
        "(dates), status, who ended it, message counts each way (never content), and each "
        'side\'s early answer to "is this a good fit?".',
        "- `checkins.csv`: due date, status (answered, missed, skipped or pending) and score.",
        "- `feedback.csv`: rating, would recommend, and each outcome answer (no comments).",
        *(f"- `{name}`" for name in charts),
    ]
    if outcome_questions:
        lines += ["", "## Outcome questions (1 disagree – 5 agree)", ""]
        lines += [f"{n}. {question}" for n, question in enumerate(outcome_questions, start=1)]
    return "\n".join(lines) + "\n"
