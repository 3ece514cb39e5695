"""Charts as SVG geometry: bars, axes, ticks, legend and a tooltip for every bar.

The layout is computed here and drawn as inline <svg> by one Jinja macro
(templates/overview_chart.html), so every text of a chart (domain names come from the
site's users) goes through autoescape: nothing here builds markup. Colours are classes
styled by overview.css; the CSP allows no style attributes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

WIDE, NARROW = 1000, 560  # viewBox widths: a chart across the page, and one of two
LABEL_CHARS = 30  # a row label longer than this is cut; its tooltip has it whole
MAX_AXIS_LABELS = 16
Format = Callable[[float], str]


def count(value: float) -> str:
    return f"{value:,.0f}"


@dataclass(frozen=True, slots=True)
class Series:
    name: str  # as the legend names it
    css: str  # the class that colours it
    values: Sequence[float]  # one per category


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    tip: str  # the <title>: what the bar is, with its value


@dataclass(frozen=True, slots=True)
class Text:
    x: float
    y: float
    text: str
    css: str = "tick"
    anchor: str = "middle"
    rotate: bool = False  # an axis title along the y axis
    tip: str = ""


@dataclass(frozen=True, slots=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    css: str = "grid"


@dataclass(frozen=True, slots=True)
class Key:
    x: float
    y: float
    css: str
    text: str


@dataclass(frozen=True, slots=True)
class Chart:
    id: str
    title: str
    summary: str  # the <desc>: what the chart shows, in words
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    legend: list[Key] = field(default_factory=list)
    table_head: list[str] = field(default_factory=list)  # the figures, as a table
    table_rows: list[list[str]] = field(default_factory=list)
    empty: bool = False  # nothing to draw: the page says so instead


@dataclass(frozen=True, slots=True)
class Axes:
    category: str  # what the categories are, e.g. "Day (UTC)"
    value: str  # what the values count, e.g. "Decisions"
    fmt: Format = count


def columns(
    chart_id: str, title: str, summary: str, categories: Sequence[str], series: Sequence[Series],
    axes: Axes, axis_labels: Sequence[str] | None = None, *, width: int = NARROW,
    legend: bool = False,
) -> Chart:  # fmt: skip
    """Vertical bars, one column a category, the series stacked in order from the bottom.
    `categories` name the columns in tooltips and the table; `axis_labels` under them ("" for
    none; default: the categories, thinned out)."""
    left, top, right, bottom, height = 64, 40 if legend else 16, 12, 50, 300
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    chart = _frame(chart_id, title, summary, (width, height), categories, series, totals, axes,
                   legend)  # fmt: skip
    if chart.empty:
        return chart
    ticks = nice_ticks(max(totals), least_step=1 if axes.fmt is count else 0)
    slot = plot_w / len(categories)
    for index, category in enumerate(categories):
        base: float = top + plot_h
        for one in series:
            size = one.values[index] / ticks[-1] * plot_h
            if one.values[index] > 0:
                chart.bars.append(Bar(left + index * slot + slot * 0.15, base - size, slot * 0.7,
                                      size, one.css, _tip(category, one, index, axes)))  # fmt: skip
            base -= size
        if len(categories) <= MAX_AXIS_LABELS and totals[index] > 0:
            chart.texts.append(Text(left + (index + 0.5) * slot, base - 4,
                                    axes.fmt(totals[index]), "value"))  # fmt: skip
    labels = axis_labels if axis_labels is not None else _thinned(categories)
    for index, label in enumerate(labels):
        if label:
            chart.texts.append(Text(left + (index + 0.5) * slot, top + plot_h + 16, label))
    for tick in ticks:
        y = top + plot_h - tick / ticks[-1] * plot_h
        chart.lines.append(Line(left, y, width - right, y, "axis" if tick == 0 else "grid"))
        chart.texts.append(Text(left - 6, y + 4, axes.fmt(tick), anchor="end"))
    chart.texts.append(Text(left + plot_w / 2, height - 8, axes.category, "axis-title"))
    chart.texts.append(Text(16, top + plot_h / 2, axes.value, "axis-title", rotate=True))
    return chart


def rows(
    chart_id: str, title: str, summary: str, categories: Sequence[str], series: Sequence[Series],
    axes: Axes, *, width: int = NARROW, legend: bool = False,
) -> Chart:  # fmt: skip
    """Horizontal bars, one row a category (labelled on the left), the series stacked from
    the left, the total at the end of each row."""
    left, top, right, row = 190, 40 if legend else 12, 70, 26
    height = top + row * len(categories) + 44
    plot_w, plot_bottom = width - left - right, top + row * len(categories)
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    chart = _frame(chart_id, title, summary, (width, height), categories, series, totals, axes,
                   legend)  # fmt: skip
    if chart.empty:
        return chart
    ticks = nice_ticks(max(totals), least_step=1 if axes.fmt is count else 0)
    for index, category in enumerate(categories):
        x, y = float(left), top + index * row
        for one in series:
            size = one.values[index] / ticks[-1] * plot_w
            if one.values[index] > 0:
                chart.bars.append(
                    Bar(x, y + 4, size, row - 8, one.css, _tip(category, one, index, axes))
                )
            x += size
        chart.texts.append(Text(x + 6, y + row / 2 + 4, axes.fmt(totals[index]), "value", "start"))
        chart.texts.append(Text(left - 8, y + row / 2 + 4, _cut(category), "row-label", "end",
                                tip=category))  # fmt: skip
    for tick in ticks:
        x = left + tick / ticks[-1] * plot_w
        chart.lines.append(Line(x, top, x, plot_bottom, "axis" if tick == 0 else "grid"))
        chart.texts.append(Text(x, plot_bottom + 16, axes.fmt(tick)))
    chart.texts.append(Text(left + plot_w / 2, height - 8, axes.value, "axis-title"))
    return chart


def _frame(
    chart_id: str, title: str, summary: str, size: tuple[int, int], categories: Sequence[str],
    series: Sequence[Series], totals: list[float], axes: Axes, legend: bool,
) -> Chart:  # fmt: skip
    """The chart without its plot: the legend (when asked) and the figures as a table."""
    head = [axes.category, *(s.name for s in series)]
    table = [[c, *(axes.fmt(s.values[i]) for s in series)] for i, c in enumerate(categories)]
    if len(series) > 1:
        head.append("Total")
        for line, total in zip(table, totals, strict=True):
            line.append(axes.fmt(total))
    keys, x = [], 64.0
    for one in series if legend else ():
        keys.append(Key(x, 16, one.css, one.name))
        x += 30 + 7.5 * len(one.name)
    empty = not categories or max(totals) <= 0
    return Chart(chart_id, title, summary, *size, legend=keys, table_head=head,
                 table_rows=table, empty=empty)  # fmt: skip


def _tip(category: str, series: Series, index: int, axes: Axes) -> str:
    return f"{category} · {series.name}: {axes.fmt(series.values[index])}"


def nice_ticks(highest: float, most: int = 5, least_step: float = 0) -> list[float]:
    """0 and round steps (1, 2 or 5 times a power of ten, and at least `least_step`: 1 for
    counts, which have no fractions) up to at least `highest`."""
    if highest <= 0:
        return [0.0, 1.0]
    rough = highest / most
    power = 10 ** math.floor(math.log10(rough))
    step = max(least_step, next(power * m for m in (1, 2, 5, 10) if power * m >= rough))
    return [step * n for n in range(math.ceil(highest / step - 1e-9) + 1)]


def _thinned(categories: Sequence[str]) -> list[str]:
    every = math.ceil(len(categories) / MAX_AXIS_LABELS)
    return [c if i % every == 0 else "" for i, c in enumerate(categories)]


def _cut(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
