"""Charts of the grades (shapes only: no rule, no write): a student's breakdown, and the
distributions of the gradebook's final grades and components."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from course import charts
from quizzes.presenters import best_n_chart

from . import rules

BINS = 10
PAGE_WIDTH = 420  # the student's page: drawn narrower, so a phone shrinks the text less


def _float(value: Decimal | str | None) -> float | None:
    return None if value is None else float(value)


def grade_charts(
    grade: rules.StudentGrade, specs: list[rules.ComponentSpec], best_n: int
) -> dict[str, charts.Chart | charts.ProgressChart]:
    """The contribution of each component towards the final grade, and the term's quizzes
    with the best N marked (when the course has a quiz component)."""
    items = []
    rows = []
    for c in grade.components:
        excused = c.status == "excused"
        capacity = float(c.effective_weight if not excused else 0)
        contribution = _float(c.shown_contribution)
        items.append(
            charts.Progress(
                str(c.label),
                contribution,
                capacity,
                "bar pending" if contribution is None else "bar",
            )
        )
        rows.append(
            (
                c.label,
                float(c.weight),
                round(capacity, 2),
                None if c.percent is None else round(float(c.percent), 2),
                contribution,
                _("excused") if excused else (_("pending") if c.percent is None else ""),
            )
        )
    total = _float(grade.contributions_total)
    total_label = (
        _("Final grade")
        if grade.final_percent is not None and not grade.final_overridden
        else _("Earned so far")
    )
    items.append(charts.Progress(total_label, total, 100.0, "bar total"))
    rows.append((total_label, 100.0, 100.0, None, total, ""))
    out: dict[str, charts.Chart | charts.ProgressChart] = {
        "components": charts.progress_bars(
            name="components",
            title=_("What each component gives towards the final grade"),
            desc=_(
                "One bar per component: its length is the component's weight, the filled part "
                "the points it gives to the final grade out of 100; the last bar is the total."
            ),
            items=items,
            columns=[
                _("Component"),
                _("Weight"),
                _("Weight after rescaling"),
                _("Score (%)"),
                _("Contribution (points out of 100)"),
                _("Status"),
            ],
            rows=rows,
            width=PAGE_WIDTH,
            label_width=150,
        )
    }
    quiz_keys = {s.key for s in specs if s.source == "quizzes"}
    quiz = next((c for c in grade.components if c.key in quiz_keys), None)
    if quiz is not None and quiz.items:
        out["quizzes"] = best_n_chart(
            name="quizzes",
            labels=[str(i.label) for i in quiz.items],
            percents=[_float(i.percent) for i in quiz.items],
            statuses=[str(i.status) for i in quiz.items],
            counted=set(quiz.counted),
            keys=[i.key for i in quiz.items],
            n=best_n,
            width=PAGE_WIDTH,
        )
    return out


def _histogram(name: str, title: str, values: list[float], what: str) -> charts.Chart:
    counts = charts.bin_counts(values, lower=0, upper=100, bins=BINS)
    bands = [f"{10 * i}–{10 * i + 10}" for i in range(BINS)]
    return charts.bar_chart(
        name=name,
        title=title,
        desc=_("How many students have %(what)s in each band of 10 points, from 0 to 100%%.")
        % {"what": what},
        categories=bands,
        values=counts,
        counts=True,
        columns=[_("Band (%)"), _("Students")],
        rows=list(zip(bands, counts, strict=True)),
        height=200,
    )


def gradebook_charts(
    rows: list[dict[str, Any]], specs: list[rules.ComponentSpec], letters: list[str]
) -> dict[str, charts.Chart]:
    """Distributions over the class: the final grade (or the grade so far while work is
    pending), the letters, and each component's score."""
    finals = [
        float(r["final"] if r["final"] is not None else r["so_far"])
        for r in rows
        if r["final"] is not None or r["so_far"] is not None
    ]
    complete = all(r["final"] is not None for r in rows)
    out = {
        "final": _histogram(
            "final",
            _("Final grades") if complete else _("Grades so far"),
            finals,
            _("a final grade") if complete else _("a grade so far"),
        )
    }
    counts = dict.fromkeys(letters, 0)
    for r in rows:
        letter = r["letter"] or r["so_far_letter"]
        if letter in counts:
            counts[letter] += 1
    out["letters"] = charts.bar_chart(
        name="letters",
        title=_("Letters"),
        desc=_("How many students have each letter (so far, while work is pending)."),
        categories=list(counts),
        values=list(counts.values()),
        counts=True,
        columns=[_("Letter"), _("Students")],
        rows=list(counts.items()),
        height=200,
    )
    for spec in specs:
        values = [
            float(p)
            for r in rows
            if (p := r["components"].get(spec.key, {}).get("percent")) is not None
        ]
        out[f"component-{spec.key}"] = _histogram(
            f"component-{spec.key}",
            spec.label,
            values,
            _("a score in %(component)s") % {"component": spec.label},
        )
    return out
