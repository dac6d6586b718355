"""Plain dicts for the pages and the API (shapes only: no rule, no write)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from course import charts

from . import rules, selectors
from .models import Attempt, Question, Quiz
from .selectors import QuizRow


def remaining(attempt: Attempt, now: datetime) -> int:
    if attempt.submitted_at is not None:
        return 0
    return rules.remaining_seconds(now=now, deadline=attempt.deadline)


def attempt_status(attempt: Attempt | None) -> str:
    if attempt is None:
        return "none"
    return "open" if attempt.submitted_at is None else "submitted"


def quiz_summary(row: QuizRow, closed_for_everyone: datetime, now: datetime) -> dict[str, Any]:
    quiz = row.quiz
    return {
        "id": quiz.pk,
        "title": quiz.title,
        "session_date": quiz.session.date,
        "session_number": quiz.session.number,
        "is_graded": quiz.is_graded,
        "opens_at": row.terms.window.opens_at,
        "closes_at": row.terms.window.closes_at,
        "duration_seconds": quiz.duration_seconds + int(row.terms.extra.total_seconds()),
        "requires_access_code": quiz.requires_access_code,
        "state": row.state,
        "excused": row.terms.excused,
        "attempt_status": attempt_status(row.attempt),
        "results_available": selectors.results_released(row.quiz, now, closed_for_everyone),
    }


def readings(quiz: Quiz) -> list[dict[str, Any]]:
    return [
        {
            "key": r.entry.key,
            "title": r.entry.title,
            "url": r.entry.url,
            "required": r.required,
            "detail": r.detail,
        }
        for r in quiz.session.session_readings.all()
    ]


def attempt_dict(attempt: Attempt, now: datetime) -> dict[str, Any]:
    return {
        "id": attempt.pk,
        "started_at": attempt.started_at,
        "deadline": attempt.deadline,
        "submitted_at": attempt.submitted_at,
        "submitted_by_timeout": attempt.submitted_by_timeout,
        "is_open": attempt.submitted_at is None,
        "is_practice": attempt.is_practice,
        "remaining_seconds": remaining(attempt, now),
    }


def question_dict(shown: selectors.ShownQuestion) -> dict[str, Any]:
    q = shown.question
    return {
        "id": q.pk,
        "order": q.order,
        "kind": q.kind,
        "prompt": shown.prompt,
        "points": q.points,
        "choices": [{"id": c.pk, "text": c.text} for c in shown.choices],
    }


def attempt_state(
    quiz: Quiz, attempt: Attempt, now: datetime, answers: dict[int, Any] | None = None
) -> dict[str, Any]:
    """The attempt, the student's questions (from the prefetch, in their order, with their
    values) and the saved answers (1 query, none when `answers` are given)."""
    if answers is None:
        answers = selectors.answers_by_question(attempt)
    return {
        "attempt": attempt_dict(attempt, now),
        "questions": [question_dict(s) for s in selectors.shown_questions(quiz, attempt)],
        "answers": {str(qid): a.value for qid, a in answers.items()},
    }


def correct_answer(q: Question, params: dict[str, str] | None = None) -> Any:
    if q.kind == Question.Kind.SINGLE:
        return next((c.pk for c in q.choices.all() if c.is_correct), None)
    if q.kind == Question.Kind.MULTIPLE:
        return [c.pk for c in q.choices.all() if c.is_correct]
    if q.kind == Question.Kind.NUMERIC:
        expected = selectors.question_answer(q, params or {})
        return None if expected is None else format(expected.normalize(), "f")
    return None


def _regrade_dict(r: Any) -> dict[str, Any] | None:
    if r is None:
        return None
    return {
        "id": r.pk,
        "reason": r.reason,
        "created_at": r.created_at,
        "status": r.status,
        "status_label": r.get_status_display(),
        "new_points": r.new_points,
        "reply": r.reply,
        "answered_at": r.answered_at,
    }


def result(quiz: Quiz, student: Any, now: datetime) -> dict[str, Any]:
    """The student's result once released (the view checks the release)."""
    attempt = selectors.attempt_of(quiz, student)
    if attempt is not None:
        attempt = _refreshed(attempt, now)
    acc = selectors.accommodation_of(quiz, student)
    answers = selectors.answers_by_question(attempt)
    shown = selectors.shown_questions(quiz, attempt)
    requests = selectors.regrade_requests_of(attempt)
    show = quiz.show_answers_after_close
    released_at = selectors.results_released_at(quiz)
    deadline = rules.regrade_deadline(
        released_at=released_at, window_days=quiz.regrade_window_days, tz=quiz.course.time_zone
    )
    may_ask = bool(
        attempt is not None
        and attempt.submitted_at is not None
        and not attempt.is_practice
        and rules.regrade_open(released=released_at is not None, deadline=deadline, now=now)
    )
    questions = []
    for s in shown:
        q = s.question
        value = answers[q.pk].value if q.pk in answers else None
        picked = set(value) if isinstance(value, list) else {value}
        questions.append(
            {
                "id": q.pk,
                "prompt": s.prompt,
                "kind": q.kind,
                "points": q.points,
                "choices": [
                    {
                        "id": c.pk,
                        "text": c.text,
                        "is_correct": c.is_correct if show else None,
                        "picked": c.pk in picked,
                        "feedback": c.feedback if c.pk in picked else "",
                    }
                    for c in s.choices
                ],
                "parameters": s.params,
                "your_answer": value,
                "your_points": answers[q.pk].points if q.pk in answers else None,
                "correct": correct_answer(q, s.params) if show else None,
                "explanation": q.explanation if show else "",
                "regrade": _regrade_dict(requests.get(q.pk)),
                "may_ask_regrade": may_ask and q.pk not in requests,
            }
        )
    return {
        "quiz": quiz.pk,
        "is_graded": quiz.is_graded,
        "attempted": attempt is not None,
        "excused": bool(acc and acc.excused),
        "points": attempt.points if attempt else None,
        "points_possible": (
            attempt.points_possible
            if attempt is not None
            else sum((s.question.points for s in shown), 0)
        ),
        "percent": attempt.percent if attempt else None,
        "pending_manual_grading": bool(attempt and attempt.needs_manual_grading),
        "regrade_deadline": deadline if may_ask else None,
        "questions": questions,
    }


def _refreshed(attempt: Attempt, now: datetime) -> Attempt:
    from .services import attempt_refresh

    return attempt_refresh(attempt=attempt, now=now)


# --- statistics charts -----------------------------------------------------------------------


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def _round(value: float | None, places: int = 2) -> float | None:
    return None if value is None else round(value, places)


@dataclass(frozen=True)
class VariantView:
    label: str  # "3", or "3b" for the second question of a pool
    question: Question
    stats: rules.VariantStatistics
    choice_rows: list[tuple[Any, rules.ChoiceCount]]
    values: list[tuple[str, int]]
    chart: charts.Chart | None


def statistics_page(data: selectors.QuizStatisticsData) -> dict[str, Any]:
    """The charts and rows of a quiz's statistics page (``charts`` by name, for ``?csv=``)."""
    stats = data.stats
    by_slot = {s.slot: s for s in stats.slots}
    variants: list[VariantView] = []
    for position, slot in enumerate(data.slots, start=1):
        slot_stats = by_slot[slot.key]
        several = len(slot.questions) > 1
        for index, (question, vstats) in enumerate(
            zip(slot.questions, slot_stats.variants, strict=True)
        ):
            label = f"{position}{chr(ord('a') + index) if several else ''}"
            choice_rows = [(data.choices[c.choice], c) for c in vstats.choices]
            chart = None
            if choice_rows:
                chart = charts.bar_chart(
                    name=f"choices-{question.pk}",
                    title=_("Question %(n)s: who picked each choice") % {"n": label},
                    desc=_(
                        "Bars: how many picked each choice; the correct choices are marked. "
                        "The table also says how many of the upper and lower thirds of the "
                        "class picked it."
                    ),
                    categories=[f"{i + 1}" for i in range(len(choice_rows))],
                    values=[c.picked for _choice, c in choice_rows],
                    classes=["bar correct" if ch.is_correct else "bar" for ch, _c in choice_rows],
                    counts=True,
                    columns=[
                        _("Choice"),
                        _("Correct"),
                        _("Picked by"),
                        _("Upper third"),
                        _("Lower third"),
                        _("Mean score of those who picked it (%)"),
                    ],
                    rows=[
                        (
                            f"{i + 1}. {ch.text}",
                            _("yes") if ch.is_correct else _("no"),
                            c.picked,
                            c.upper,
                            c.lower,
                            _round(c.mean_percent_of_pickers, 1),
                        )
                        for i, (ch, c) in enumerate(choice_rows)
                    ],
                    legend=[
                        charts.Legend("bar correct", _("correct choice")),
                        charts.Legend("bar", _("other choice")),
                    ],
                    height=200,
                )
            variants.append(
                VariantView(
                    label, question, vstats, choice_rows, data.values.get(question.pk, []), chart
                )
            )
    bins = [f"{10 * i}–{10 * i + 10}" for i in range(rules.HISTOGRAM_BINS)]
    scores = charts.bar_chart(
        name="scores",
        title=_("Scores of the quiz"),
        desc=_("How many attempts scored in each band of 10 points, from 0 to 100%."),
        categories=bins,
        values=list(stats.histogram),
        counts=True,
        columns=[_("Score (%)"), _("Attempts")],
        rows=list(zip(bins, stats.histogram, strict=True)),
    )
    flagged = ["bar flagged" if v.stats.negative_discrimination else "bar" for v in variants]
    flag_legend = (
        [charts.Legend("bar flagged", _("negative discrimination: check the key"))]
        if "bar flagged" in flagged
        else []
    )
    question_columns = [
        _("Question"),
        _("Drew it"),
        _("Answered"),
        _("Facility (%)"),
        _("Discrimination"),
        _("Check the key"),
    ]
    question_rows = [
        (
            v.label,
            v.stats.drawn,
            v.stats.answered,
            _pct(v.stats.facility),
            _round(v.stats.discrimination),
            _("yes") if v.stats.negative_discrimination else "",
        )
        for v in variants
    ]
    facility = charts.bar_chart(
        name="facility",
        title=_("Facility of each question"),
        desc=_("The share of the points earned on each question, from 0 to 100%."),
        categories=[v.label for v in variants],
        values=[_pct(v.stats.facility) for v in variants],
        classes=flagged,
        y_max=100,
        columns=question_columns,
        rows=question_rows,
        legend=flag_legend,
    )
    discrimination = charts.bar_chart(
        name="discrimination",
        title=_("Discrimination of each question"),
        desc=_(
            "The upper third's mean score on the question minus the lower third's, from −1 to "
            "1. Below zero the weaker students did better: the key is probably wrong."
        ),
        categories=[v.label for v in variants],
        values=[_round(v.stats.discrimination) for v in variants],
        classes=flagged,
        y_min=-1,
        y_max=1,
        columns=question_columns,
        rows=question_rows,
        legend=flag_legend,
    )
    all_charts = {c.name: c for c in (scores, facility, discrimination)}
    all_charts.update({v.chart.name: v.chart for v in variants if v.chart is not None})
    return {
        "summary": stats,
        "mean": _round(stats.mean, 1),
        "median": _round(stats.median, 1),
        "alpha": _round(stats.alpha),
        "variants": variants,
        "flagged": [v for v in variants if v.stats.negative_discrimination],
        "scores_chart": scores,
        "facility_chart": facility,
        "discrimination_chart": discrimination,
        "charts": all_charts,
    }


# --- the term --------------------------------------------------------------------------------


def best_n_chart(
    *,
    name: str,
    labels: list[str],
    percents: list[float | None],
    statuses: list[str],
    counted: frozenset[str] | set[str],
    keys: list[str],
    n: int,
    class_means: list[float | None] | None = None,
    width: int = charts.WIDTH,
) -> charts.Chart:
    """One student's quizzes of the term as bars, the best N marked, a line at the lowest
    score that counted (the score a quiz must beat to count), and the class mean as dots."""
    counted_scores = [
        p if p is not None else 0.0
        for k, p, s in zip(keys, percents, statuses, strict=True)
        if k in counted and s in ("graded", "missing")
    ]
    cutoff = min(counted_scores) if counted_scores else None
    status_text = {
        "graded": _("graded"),
        "missing": _("missed (0)"),
        "excused": _("excused"),
        "pending": _("pending"),
    }
    classes = [
        "bar counted" if k in counted else ("bar missed" if s == "missing" else "bar dropped")
        for k, s in zip(keys, statuses, strict=True)
    ]
    legend = [
        charts.Legend("bar counted", _("among the best %(n)s") % {"n": n}),
        charts.Legend("bar dropped", _("dropped")),
    ]
    rules_ = []
    if cutoff is not None:
        rules_.append(charts.Rule(cutoff, _("best %(n)s cutoff") % {"n": n}, "rule cutoff"))
        legend.append(charts.Legend("rule cutoff", _("lowest score that counts")))
    if class_means is not None:
        legend.append(charts.Legend("overlay", _("class mean")))
    columns = [_("Quiz"), _("Score (%)"), _("Status"), _("Counts")]
    if class_means is not None:
        columns.append(_("Class mean (%)"))
    rows = []
    for i, (label, p, s, k) in enumerate(zip(labels, percents, statuses, keys, strict=True)):
        row: list[object] = [label, p, status_text.get(s, s), _("yes") if k in counted else ""]
        if class_means is not None:
            row.append(_round(class_means[i], 1))
        rows.append(tuple(row))
    return charts.bar_chart(
        name=name,
        title=_("Quizzes of the term"),
        desc=_(
            "One bar per graded quiz, its score from 0 to 100%%; the %(n)s best are marked and "
            "a line shows the lowest score among them."
        )
        % {"n": n},
        categories=[str(i + 1) for i in range(len(labels))],
        values=[
            p if s == "graded" else (0.0 if s == "missing" else None)
            for p, s in zip(percents, statuses, strict=True)
        ],
        classes=classes,
        y_max=100,
        rules=rules_,
        overlay=class_means or [],
        overlay_label=_("class mean"),
        columns=columns,
        rows=rows,
        legend=legend,
        width=width,
        height=220,
    )


@dataclass(frozen=True)
class TermStudentRow:
    enrolment: Any
    trajectory: rules.StudentTrajectory
    sparkline: str
    cells: SafeString  # one <td> per quiz, escaped by format_html
    average: str


def _cell_fragments() -> dict[tuple[str, bool], SafeString]:
    """The term table's cells that hold no score, escaped once per page."""
    marks = {
        "missing": ("✗", _("missed")),
        "excused": ("E", _("excused")),
        "pending": ("·", _("pending")),
    }
    return {
        (s, c): format_html(
            '<td class="num cell-{}{}"><span aria-hidden="true">{}</span>'
            '<span class="visually-hidden">{}</span></td>',
            s,
            " counted" if c else "",
            mark,
            text,
        )
        for s, (mark, text) in marks.items()
        for c in (False, True)
    }


def _term_cells(
    fragments: dict[tuple[str, bool], SafeString],
    percents: Sequence[float | None],
    statuses: Sequence[str],
    counted: Sequence[bool],
) -> SafeString:
    """The row's cells, built here rather than in the template (300 students x 18 quizzes is
    5,400 cells): the cells without a score come escaped, a score is digits only."""
    cells = []
    for p, s, c in zip(percents, statuses, counted, strict=True):
        if s == "graded" and p is not None:
            css = "num cell-graded counted" if c else "num cell-graded"
            cells.append(f'<td class="{css}">{p:.0f}</td>')
        else:
            cells.append(fragments.get((s, c), fragments[("pending", c)]))
    return mark_safe("".join(cells))  # noqa: S308 - escaped fragments and formatted numbers


def term_page(data: selectors.TermData, student_id: int | None) -> dict[str, Any]:
    """The term view's charts and rows (``charts`` by name, for ``?csv=``)."""
    term = data.term
    labels = [f"{q.title} ({q.session.date:%Y-%m-%d})" for q in data.quizzes]
    short = [str(i + 1) for i in range(len(labels))]
    keys = [q.gradebook_key for q in data.quizzes]
    means = [_round(c.mean, 1) for c in term.quizzes]
    medians = [_round(c.median, 1) for c in term.quizzes]
    rules_ = []
    if term.median_cutoff is not None:
        rules_.append(
            charts.Rule(
                term.median_cutoff,
                _("best %(n)s cutoff (median)") % {"n": data.best_n},
                "rule cutoff",
            )
        )
    trajectory = charts.line_chart(
        name="class",
        title=_("The class over the term"),
        desc=_(
            "The class's mean and median score on each graded quiz, from 0 to 100%%, and the "
            "median over the students of the lowest score among their best %(n)s."
        )
        % {"n": data.best_n},
        categories=short,
        series=[
            charts.Series(_("mean"), means, "series mean"),
            charts.Series(_("median"), medians, "series median"),
        ],
        y_max=100,
        rules=rules_,
        legend=[
            charts.Legend("series mean", _("mean")),
            charts.Legend("series median", _("median")),
            charts.Legend("rule cutoff", _("best %(n)s cutoff (median)") % {"n": data.best_n}),
        ],
        columns=[
            _("Quiz"),
            _("Mean (%)"),
            _("Median (%)"),
            _("Took it"),
            _("Missed"),
            _("Excused"),
            _("Pending"),
        ],
        rows=[
            (label, m, md, c.graded, c.missed, c.excused, c.pending)
            for label, m, md, c in zip(labels, means, medians, term.quizzes, strict=True)
        ],
    )
    class_size = len(data.students)
    participation = charts.bar_chart(
        name="participation",
        title=_("Who took each quiz"),
        desc=_(
            "One bar per graded quiz: how many students have a graded attempt; the dots are "
            "how many missed it."
        ),
        categories=short,
        values=[c.graded for c in term.quizzes],
        overlay=[c.missed for c in term.quizzes],
        overlay_label=_("missed"),
        y_max=charts.count_max(class_size),
        legend=[charts.Legend("bar", _("took it")), charts.Legend("overlay", _("missed"))],
        columns=[_("Quiz"), _("Took it"), _("Missed"), _("Excused"), _("Pending")],
        rows=[
            (label, c.graded, c.missed, c.excused, c.pending)
            for label, c in zip(labels, term.quizzes, strict=True)
        ],
        height=200,
    )
    by_student = {t.student: t for t in term.students}
    fragments = _cell_fragments()
    rows = [
        TermStudentRow(
            e,
            t,
            charts.sparkline(list(t.percents)),
            _term_cells(fragments, t.percents, t.statuses, [k in t.counted for k in keys]),
            "—" if t.average is None else number_format(round(t.average, 1), 1),
        )
        for e in data.students
        if (t := by_student.get(e.user_id)) is not None
    ]
    students_csv = charts.Table(
        name="students",
        title=_("Every student's quizzes"),
        columns=(
            _("Student"),
            _("Username"),
            *labels,
            _("Best %(n)s average") % {"n": data.best_n},
            _("Missed"),
        ),
        rows=tuple(
            (
                r.enrolment.user.get_full_name() or r.enrolment.user.username,
                r.enrolment.user.username,
                *[
                    p if s == "graded" else s
                    for p, s in zip(r.trajectory.percents, r.trajectory.statuses, strict=True)
                ],
                _round(r.trajectory.average, 2),
                r.trajectory.missed,
            )
            for r in rows
        ),
    )
    all_charts: dict[str, charts.Chart | charts.Table] = {
        c.name: c for c in (trajectory, participation, students_csv)
    }
    chosen: tuple[TermStudentRow, charts.Chart] | None = None
    if student_id is not None and student_id in by_student:
        t = by_student[student_id]
        chosen_chart = best_n_chart(
            name="student",
            labels=labels,
            percents=list(t.percents),
            statuses=list(t.statuses),
            counted=t.counted,
            keys=keys,
            n=data.best_n,
            class_means=means,
        )
        all_charts[chosen_chart.name] = chosen_chart
        chosen_row = next(r for r in rows if r.trajectory.student == student_id)
        chosen = (chosen_row, chosen_chart)
    return {
        "labels": list(zip(short, labels, strict=True)),
        "rows": rows,
        "class_chart": trajectory,
        "participation_chart": participation,
        "chosen": chosen,
        "charts": all_charts,
        "best_n": data.best_n,
        "median_cutoff": _round(term.median_cutoff, 1),
    }
