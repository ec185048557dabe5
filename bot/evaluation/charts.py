"""Two small PNG charts for coordinators who would rather look than read: how long people
waited for a match, and the weekly check-in trend. Aggregates only, no ids or labels of people.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no display), so it can run in
a worker thread off the event loop. matplotlib is imported here only, when a chart is drawn.
"""

from __future__ import annotations

import io
import math
import threading

from bot.evaluation.summary import Figures

WAITING_CHART = "waiting_time.png"
TREND_CHART = "checkin_trend.png"
SIZE = (6.4, 3.6)
DPI = 80
# Figures are independent, but matplotlib does not promise thread safety (font caches): two
# coordinators exporting at once draw one after the other.
_drawing = threading.Lock()


def _figure():
    from matplotlib.figure import Figure

    figure = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    return figure, figure.add_subplot()


def _png(figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _no_data(axes, message: str) -> None:
    axes.text(0.5, 0.5, message, ha="center", va="center", transform=axes.transAxes)
    axes.set_xticks([])
    axes.set_yticks([])


def waiting_time(figures: Figures) -> bytes:
    figure, axes = _figure()
    axes.set_title("Wait from onboarding to a first active match")
    if figures.wait_days:
        longest = max(figures.wait_days)
        width = max(1, math.ceil(longest / 12))  # at most a dozen bars, whole days each
        edges = list(range(0, width * (math.floor(longest / width) + 2), width))
        axes.hist(figures.wait_days, bins=edges, color="#4a7ab5", edgecolor="white")
        median = figures.median_wait
        axes.axvline(median, color="#333333", linestyle="--", label=f"median {median:.1f} days")
        axes.legend(loc="best")
        axes.margins(y=0.2)
        axes.set_xlabel("days waited")
        axes.set_ylabel("people")
        axes.yaxis.get_major_locator().set_params(integer=True)
    else:
        _no_data(axes, "Nobody has been matched yet")
    return _png(figure)


def checkin_trend(figures: Figures) -> bytes:
    figure, axes = _figure()
    axes.set_title("Check-ins: mean score per week")
    if figures.trend:
        from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

        weeks = [week.week for week in figures.trend]
        locator = AutoDateLocator(maxticks=8)
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
        axes.plot(weeks, [week.mean_score for week in figures.trend], marker="o", color="#2e8b57")
        axes.set_ylim(0.5, 5.5)
        axes.set_yticks([1, 2, 3, 4, 5])
        axes.set_ylabel("mean score (1–5)")
        axes.set_xlabel("week starting")
    else:
        _no_data(axes, "No check-ins answered yet")
    return _png(figure)


def render(figures: Figures) -> dict[str, bytes]:
    with _drawing:
        return {WAITING_CHART: waiting_time(figures), TREND_CHART: checkin_trend(figures)}
