"""The chart geometry (pure) and its one template: shapes inside the plot, the scale honest,
the text alternative and the CSV link present, labels escaped."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from course import charts


def _bars(
    values: list[float | None],
    *,
    y_max: float | None = None,
    y_min: float = 0.0,
    rules: tuple[charts.Rule, ...] = (),
    counts: bool = False,
) -> charts.Chart:
    return charts.bar_chart(
        name="t",
        title="T",
        desc="D",
        categories=[str(i) for i in range(len(values))],
        values=values,
        columns=["c", "v"],
        rows=[(str(i), v) for i, v in enumerate(values)],
        y_max=y_max,
        y_min=y_min,
        rules=rules,
        counts=counts,
    )


@given(st.lists(st.one_of(st.none(), st.floats(0, 1000)), min_size=1, max_size=40))
def test_bars_stay_inside_the_plot_and_keep_their_order(values: list[float | None]) -> None:
    chart = _bars(values)
    for bar in chart.bars:
        assert chart.plot_left <= bar.x and bar.x + bar.width <= chart.plot_right + 0.5
        assert chart.plot_top - 0.1 <= bar.y and bar.y + bar.height <= chart.plot_bottom + 0.1
    drawn = list(chart.bars)
    assert len(drawn) == sum(1 for v in values if v is not None)
    # A larger value is never drawn shorter.
    for a in drawn:
        for b in drawn:
            if a.value is not None and b.value is not None and a.value > b.value:
                assert a.height >= b.height - 0.1


def test_the_scale_is_linear_from_zero() -> None:
    chart = _bars([50, 100], y_max=100)
    half, full = chart.bars
    assert half.height == pytest.approx(full.height / 2, abs=0.1)
    assert full.y == pytest.approx(chart.plot_top)
    assert [t.text for t in chart.y_ticks] == ["0", "25", "50", "75", "100"]


def test_negative_values_hang_below_a_zero_line() -> None:
    chart = _bars([-0.5, 1.0], y_min=-1, y_max=1)
    negative, positive = chart.bars
    zero = next(r for r in chart.rules if r.css == "zero")
    assert negative.y == pytest.approx(zero.y) and positive.y + positive.height == pytest.approx(
        zero.y
    )
    assert negative.height == pytest.approx(positive.height / 2, abs=0.1)


def test_a_reference_line_sits_at_its_value() -> None:
    chart = _bars([10, 20], y_max=100, rules=(charts.Rule(25, "cutoff", "rule cutoff"),))
    (rule,) = chart.rules
    assert rule.y == pytest.approx(chart.plot_bottom - (chart.plot_bottom - chart.plot_top) / 4)


@pytest.mark.parametrize(
    ("value", "expected"), [(0, 1), (1, 1), (3, 5), (7, 10), (11, 20), (240, 250), (260, 500)]
)
def test_nice_max(value: float, expected: float) -> None:
    assert charts.nice_max(value) == expected


@given(st.lists(st.floats(-50, 150), max_size=60), st.integers(1, 12))
def test_bin_counts_keep_every_value(values: list[float], bins: int) -> None:
    counts = charts.bin_counts(values, lower=0, upper=100, bins=bins)
    assert len(counts) == bins and sum(counts) == len(values)


def test_bin_counts_put_the_upper_bound_in_the_last_bin() -> None:
    assert charts.bin_counts([0, 9.99, 10, 100], lower=0, upper=100, bins=10) == [
        2,
        1,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        1,
    ]


def test_progress_bars_fill_no_more_than_their_track() -> None:
    chart = charts.progress_bars(
        name="p",
        title="T",
        desc="D",
        items=[charts.Progress("a", 12.0, 15.0), charts.Progress("b", None, 35.0)],
        columns=["c"],
        rows=[("a",), ("b",)],
    )
    a, b = chart.bars
    assert a.fill_width == pytest.approx(a.track_width * 12 / 15, abs=0.1)
    assert b.fill_width == 0 and b.track_width == pytest.approx(a.track_width * 35 / 15, abs=0.2)


def test_sparkline_skips_missing_values() -> None:
    assert charts.sparkline([0, None, 100], width=100, height=10) == "0.0,10.0 100.0,0.0"


def test_line_chart_draws_one_polyline_per_series() -> None:
    chart = charts.line_chart(
        name="l",
        title="T",
        desc="D",
        categories=["1", "2", "3"],
        series=[charts.Series("mean", [10, None, 30], "series mean")],
        columns=["q"],
        rows=[("1",)],
        y_max=100,
    )
    (line,) = chart.lines
    assert len(line.marks) == 2 and line.points.count(",") == 2


def test_the_template_is_accessible_and_escapes_labels() -> None:
    chart = charts.bar_chart(
        name="scores",
        title="Scores <b>",
        desc="How many & when",
        categories=["<script>"],
        values=[3],
        columns=["Band", "Attempts"],
        rows=[("<script>", 3)],
    )
    request = RequestFactory().get("/page/", {"assume": "80"})
    html = Template("{% load charts %}{% chart chart %}").render(
        Context({"chart": chart, "request": request})
    )
    assert 'role="img"' in html and 'aria-labelledby="chart-scores-title chart-scores-desc"' in html
    assert '<title id="chart-scores-title">Scores &lt;b&gt;</title>' in html
    assert '<desc id="chart-scores-desc">How many &amp; when</desc>' in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="?assume=80&amp;csv=scores"' in html  # the page's own query kept
    assert "<table>" in html and '<th scope="row">&lt;script&gt;</th>' in html


def test_the_scale_reads_in_the_readers_language() -> None:
    from django.utils import translation

    chart = _bars([-0.5, 1.0], y_min=-1, y_max=1)
    template = Template("{% load charts %}{% chart chart %}")
    with translation.override("fr"):
        french = template.render(Context({"chart": chart}))
    english = template.render(Context({"chart": chart}))
    assert ">-0,5</text>" in french and ">-0.5</text>" in english
    # The geometry itself is never localised (SVG wants a dot).
    import re

    coordinates = re.findall(r' (?:x|y|width|height)="([^"]*)"', french)
    assert coordinates and all("," not in c for c in coordinates)


@pytest.mark.parametrize(("highest", "top"), [(0, 4), (3, 4), (5, 8), (9, 12), (286, 288)])
def test_a_scale_of_counts_steps_by_whole_numbers(highest: int, top: int) -> None:
    chart = _bars([highest], counts=True)
    assert [t.value for t in chart.y_ticks][-1] == top
    assert all(t.value is not None and t.value == int(t.value) for t in chart.y_ticks)
