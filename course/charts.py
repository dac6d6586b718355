"""Charts as server-rendered SVG: the geometry, pure (plain values in, shapes out).

Every chart of the site is built here and drawn by one template
(``templates/charts/chart.html``, through ``{% chart %}`` of ``course/templatetags/charts.py``),
so the statistics of a quiz, the term view, the gradebook and a student's grade page look and
read alike. A chart carries its own numbers (``columns``/``rows``): the template shows them as
a table (the text alternative) and the page offers them as CSV (``?csv=<name>``).

Titles, descriptions and labels are passed in already translated: this module formats no
number for people (templates do, in the reader's language) and knows no app above it.

API
---
``bar_chart(...)``
    Vertical bars on a 0..``y_max`` scale, optional reference lines (``Rule``) and points
    drawn over the bars (``overlay``). ``None`` draws nothing for a category (no data).
``line_chart(...)``
    Series of values over the same categories, each a polyline with its points.
``progress_bars(...)``
    Horizontal bars, each filling ``value`` of a track ``capacity`` long, on one scale: the
    contributions of a grade's components towards 100.
``bin_counts(values, lower, upper, bins)``
    How many values fall in each of ``bins`` equal bins; the last bin includes ``upper``.
``sparkline(values, width, height, y_max)``
    The ``points`` of a small polyline; a missing value breaks nothing (it is skipped).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

WIDTH = 640
HEIGHT = 260
MARGIN_LEFT = 44
MARGIN_RIGHT = 12
MARGIN_TOP = 12
MARGIN_BOTTOM = 48


@dataclass(frozen=True)
class Tick:
    position: float  # x or y in SVG units
    text: str
    value: float | None = None  # a number, shown in the reader's language by the template

    @property
    def places(self) -> int:
        """The decimals the number needs (0.25 -> 2, 62.5 -> 1, 50 -> 0)."""
        if self.value is None:
            return 0
        shown = f"{round(self.value, 2):g}"
        return len(shown.split(".")[1]) if "." in shown else 0


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    label: str
    value: float | None


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    css: str
    label: str
    value: float


@dataclass(frozen=True)
class Rule:
    """A horizontal reference line at `value` (e.g. the best-N cutoff)."""

    value: float
    label: str
    css: str = "rule"


@dataclass(frozen=True)
class DrawnRule:
    y: float
    x1: float
    x2: float
    label: str
    css: str
    value: float

    @property
    def label_y(self) -> float:
        return self.y - 4


@dataclass(frozen=True)
class Line:
    points: str  # the polyline's `points` attribute
    css: str
    label: str
    marks: tuple[Point, ...] = ()


@dataclass(frozen=True)
class Legend:
    css: str
    label: str


@dataclass(frozen=True)
class Chart:
    """Everything the template draws, and the numbers behind it."""

    name: str  # a slug: the element ids and the ``?csv=`` parameter
    kind: str  # "bars", "lines" or "progress"
    title: str
    desc: str
    width: int
    height: int
    plot_left: float
    plot_top: float
    plot_right: float
    plot_bottom: float
    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    bars: tuple[Bar, ...] = ()
    points: tuple[Point, ...] = ()
    lines: tuple[Line, ...] = ()
    rules: tuple[DrawnRule, ...] = ()
    y_ticks: tuple[Tick, ...] = ()
    x_labels: tuple[Tick, ...] = ()
    legend: tuple[Legend, ...] = ()
    empty: bool = False

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def tick_x(self) -> float:
        return self.plot_left - 6

    @property
    def x_label_y(self) -> float:
        return self.plot_bottom + 14


@dataclass(frozen=True)
class Table:
    """Numbers offered as CSV without a chart (e.g. the class's table beside the charts)."""

    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]


@dataclass(frozen=True)
class Progress:
    """One horizontal bar: `value` filled out of a track `capacity` long."""

    label: str
    value: float | None
    capacity: float
    css: str = "bar"


@dataclass(frozen=True)
class DrawnProgress:
    label: str
    value: float | None
    capacity: float
    y: float
    track_width: float
    fill_width: float
    css: str
    label_y: float


@dataclass(frozen=True)
class ProgressChart:
    name: str
    title: str
    desc: str
    width: int
    height: int
    label_width: float
    bars: tuple[DrawnProgress, ...]
    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    x_ticks: tuple[Tick, ...] = field(default=())
    kind: str = "progress"
    empty: bool = False

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def label_x(self) -> float:
        return self.label_width - 8

    @property
    def grid_bottom(self) -> float:
        return self.height - 20

    @property
    def tick_y(self) -> float:
        return self.height - 6


def count_max(value: float, ticks: int = 4) -> float:
    """A top for a scale of counts whose `ticks` steps are whole numbers."""
    return float(ticks * max(1, math.ceil(value / ticks)))


def nice_max(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is at least `value` (>= 1)."""
    if value <= 1:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop ends at 10 * power


def _y_ticks(
    y_max: float, top: float, bottom: float, count: int = 4, y_min: float = 0.0
) -> tuple[Tick, ...]:
    ticks = []
    for i in range(count + 1):
        value = y_min + (y_max - y_min) * i / count
        text = f"{value:g}" if value == int(value) else f"{value:.1f}"
        ticks.append(Tick(round(bottom - (bottom - top) * i / count, 1), text, value))
    return tuple(ticks)


def _scale(value: float, y_max: float, top: float, bottom: float, y_min: float = 0.0) -> float:
    clamped = min(max(value, y_min), y_max)
    return round(bottom - (bottom - top) * (clamped - y_min) / (y_max - y_min), 1)


def _x_labels(categories: Sequence[str], centres: Sequence[float]) -> tuple[Tick, ...]:
    """Every label when they fit, else every k-th one (the table has them all)."""
    step = max(1, math.ceil(len(categories) / 18))
    return tuple(Tick(centres[i], categories[i]) for i in range(0, len(categories), step))


def _plot_box(width: int, height: int) -> tuple[float, float, float, float]:
    """The plot area inside the margins: left, top, right, bottom."""
    return (
        float(MARGIN_LEFT),
        float(MARGIN_TOP),
        float(width - MARGIN_RIGHT),
        float(height - MARGIN_BOTTOM),
    )


def _frame(
    *,
    kind: str,
    name: str,
    title: str,
    desc: str,
    width: int,
    height: int,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    categories: Sequence[str],
    centres: Sequence[float],
    y_max: float,
    y_min: float = 0.0,
    legend: Sequence[Legend],
    empty: bool,
    bars: tuple[Bar, ...] = (),
    points: tuple[Point, ...] = (),
    lines: tuple[Line, ...] = (),
    rules: tuple[DrawnRule, ...] = (),
) -> Chart:
    """The chart around its marks, alike for bars and lines: names, size, plot box, the
    numbers behind it, the axes (`y_min`..`y_max` up the side, the categories at `centres`
    along the bottom) and the legend."""
    left, top, right, bottom = _plot_box(width, height)
    return Chart(
        name=name,
        kind=kind,
        title=title,
        desc=desc,
        width=width,
        height=height,
        plot_left=left,
        plot_top=top,
        plot_right=right,
        plot_bottom=bottom,
        columns=tuple(columns),
        rows=tuple(tuple(r) for r in rows),
        bars=bars,
        points=points,
        lines=lines,
        rules=rules,
        y_ticks=_y_ticks(y_max, top, bottom, y_min=y_min),
        x_labels=_x_labels(categories, centres),
        legend=tuple(legend),
        empty=empty,
    )


def bar_chart(
    *,
    name: str,
    title: str,
    desc: str,
    categories: Sequence[str],
    values: Sequence[float | None],
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    classes: Sequence[str] | None = None,
    y_max: float | None = None,
    y_min: float = 0.0,
    counts: bool = False,
    rules: Sequence[Rule] = (),
    overlay: Sequence[float | None] = (),
    overlay_label: str = "",
    legend: Sequence[Legend] = (),
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Chart:
    """Bars from 0 to each value on a `y_min`..`y_max` scale (`y_min` below 0 draws negative
    values downwards from a zero line). `counts`: the values are counts, the scale's steps
    whole numbers."""
    if len(values) != len(categories):
        raise ValueError("one value per category")
    if classes is not None and len(classes) != len(categories):
        raise ValueError("one class per category")
    left, top, right, bottom = _plot_box(width, height)
    known = [v for v in values if v is not None] + [v for v in overlay if v is not None]
    known += [r.value for r in rules]
    scale_top = count_max if counts else nice_max
    top_value = y_max if y_max is not None else scale_top(max(known, default=1.0))
    if top_value <= y_min:
        raise ValueError("y_max must be above y_min")

    def scale(value: float) -> float:
        return _scale(value, top_value, top, bottom, y_min)

    zero = scale(0.0)
    n = len(categories)
    slot = (right - left) / n if n else 0.0
    gap = min(slot * 0.2, 8.0)
    bars = []
    centres = []
    for i, (category, value) in enumerate(zip(categories, values, strict=True)):
        x = left + i * slot
        centres.append(round(x + slot / 2, 1))
        if value is None:
            continue
        y = scale(value)
        bars.append(
            Bar(
                round(x + gap / 2, 1),
                min(y, zero),
                round(max(slot - gap, 1.0), 1),
                round(abs(zero - y), 1),
                classes[i] if classes is not None else "bar",
                category,
                value,
            )
        )
    points = tuple(
        Point(centres[i], scale(v), "overlay", overlay_label, v)
        for i, v in enumerate(overlay)
        if v is not None and i < n
    )
    drawn_rules = tuple(
        DrawnRule(scale(r.value), left, right, r.label, r.css, r.value) for r in rules
    )
    if y_min < 0:
        drawn_rules = (DrawnRule(zero, left, right, "", "zero", 0.0), *drawn_rules)
    return _frame(
        kind="bars",
        name=name,
        title=title,
        desc=desc,
        width=width,
        height=height,
        columns=columns,
        rows=rows,
        categories=categories,
        centres=centres,
        y_max=top_value,
        y_min=y_min,
        legend=legend,
        empty=not known,
        bars=tuple(bars),
        points=points,
        rules=drawn_rules,
    )


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]
    css: str = "series"


def line_chart(
    *,
    name: str,
    title: str,
    desc: str,
    categories: Sequence[str],
    series: Sequence[Series],
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    y_max: float | None = None,
    rules: Sequence[Rule] = (),
    legend: Sequence[Legend] = (),
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Chart:
    for s in series:
        if len(s.values) != len(categories):
            raise ValueError("one value per category in every series")
    left, top, right, bottom = _plot_box(width, height)
    known = [v for s in series for v in s.values if v is not None] + [r.value for r in rules]
    top_value = y_max if y_max is not None else nice_max(max(known, default=1.0))
    n = len(categories)
    slot = (right - left) / n if n else 0.0
    centres = [round(left + slot * (i + 0.5), 1) for i in range(n)]
    lines = []
    for s in series:
        marks = tuple(
            Point(centres[i], _scale(v, top_value, top, bottom), s.css, categories[i], v)
            for i, v in enumerate(s.values)
            if v is not None
        )
        lines.append(Line(" ".join(f"{p.x:.1f},{p.y:.1f}" for p in marks), s.css, s.label, marks))
    return _frame(
        kind="lines",
        name=name,
        title=title,
        desc=desc,
        width=width,
        height=height,
        columns=columns,
        rows=rows,
        categories=categories,
        centres=centres,
        y_max=top_value,
        legend=legend,
        empty=not known,
        lines=tuple(lines),
        rules=tuple(
            DrawnRule(_scale(r.value, top_value, top, bottom), left, right, r.label, r.css, r.value)
            for r in rules
        ),
    )


def progress_bars(
    *,
    name: str,
    title: str,
    desc: str,
    items: Sequence[Progress],
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    scale_max: float = 100.0,
    width: int = WIDTH,
    bar_height: int = 22,
    label_width: int = 200,
) -> ProgressChart:
    """One row per item: the track is `capacity` long and the fill `value`, both on a scale
    of 0..`scale_max` across the width left after the labels."""
    if scale_max <= 0:
        raise ValueError("scale_max must be positive")
    usable = width - label_width - MARGIN_RIGHT
    drawn = []
    for i, item in enumerate(items):
        y = MARGIN_TOP + i * (bar_height + 10)
        track = usable * min(max(item.capacity, 0.0), scale_max) / scale_max
        fill = (
            0.0 if item.value is None else usable * min(max(item.value, 0.0), scale_max) / scale_max
        )
        drawn.append(
            DrawnProgress(
                item.label,
                item.value,
                item.capacity,
                float(y),
                round(track, 1),
                round(min(fill, track) if item.capacity > 0 else fill, 1),
                item.css,
                y + bar_height * 0.7,
            )
        )
    height = MARGIN_TOP + len(items) * (bar_height + 10) + 24
    ticks = tuple(
        Tick(round(label_width + usable * i / 4, 1), f"{scale_max * i / 4:g}", scale_max * i / 4)
        for i in range(5)
    )
    return ProgressChart(
        name=name,
        title=title,
        desc=desc,
        width=width,
        height=height,
        label_width=float(label_width),
        bars=tuple(drawn),
        columns=tuple(columns),
        rows=tuple(tuple(r) for r in rows),
        x_ticks=ticks,
        empty=not items,
    )


def bin_counts(values: Sequence[float], *, lower: float, upper: float, bins: int) -> list[int]:
    """Counts of `values` in `bins` equal bins over [lower, upper]; the last bin includes
    `upper`, values outside the range go to the nearest end bin."""
    if bins < 1 or upper <= lower:
        raise ValueError("need at least one bin over a non-empty range")
    counts = [0] * bins
    width = (upper - lower) / bins
    for v in values:
        index = int((v - lower) // width) if v > lower else 0
        counts[min(max(index, 0), bins - 1)] += 1
    return counts


def sparkline(
    values: Sequence[float | None], *, width: int = 120, height: int = 24, y_max: float = 100.0
) -> str:
    """The `points` of a small polyline over `values` (None skipped)."""
    n = len(values)
    if n == 0 or y_max <= 0:
        return ""
    step = width / max(n - 1, 1)
    out = []
    for i, v in enumerate(values):
        if v is None:
            continue
        y = height - height * min(max(v, 0.0), y_max) / y_max
        out.append(f"{i * step:.1f},{y:.1f}")
    return " ".join(out)
