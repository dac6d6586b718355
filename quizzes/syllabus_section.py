"""The `quiz_bank` section of the syllabus file: a term's quizzes, by session date, reusable.

    quiz_bank:
      - date: 2021-01-14            # the session (a class day of the calendar)
        title: Gradient descent
        self_assessment: false      # optional; by default the term's first quiz is one when
                                    # the policy says `first_is_self_assessment: true`
        duration_minutes: 10        # optional; defaults from the `quizzes:` policy
        opens: "09:35"              # optional: a time on that date, or a date and time
        questions:
          - kind: single             # single | multiple | numeric | text
            prompt: "The condition number of $A$ is..."
            points: 1
            choices:
              - {text: "$\\lambda_{max}/\\lambda_{min}$", correct: true}
              - {text: "$\\lambda_{min}/\\lambda_{max}$"}
          - {kind: numeric, prompt: "...", answer: 4, tolerance: 0.01}
          - {kind: single, pool: step, prompt: "...", choices: [...]}   # one of the pool
          - {kind: single, pool: step, prompt: "...", choices: [...]}   # per student
          - kind: numeric                                  # parameters drawn per student
            prompt: "$a \\times b$ = ?"
            parameters: {a: {min: 2, max: 9}, b: {min: 0.5, max: 2, step: 0.5}}
            formula: a * b
            tolerance: 0.01
        shuffle_questions: true     # optional: question and choice order per student
        shuffle_choices: true
        release: manual             # optional: auto (at close, default) or manual
        regrade_days: 7             # optional: days after the release to ask for a regrade

Applying is idempotent: a quiz is matched by (session, title), questions by their order, choices
by their order, so student answers keep pointing at the same rows; only what differs is written,
and attempts are regraded only when a question changed. The dump writes every value that is not
the policy's default, so a dumped bank loads back to the same quizzes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from datetime import timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, ProtectedError
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, RootModel, field_validator, model_validator

from course import rules as course_rules
from course.models import Course, Session
from course.selectors import course_policy
from course.syllabus.hooks import Watched
from course.syllabus.parsing import SyllabusError
from course.syllabus.schema import ClockTime

from . import rules, services
from .models import Choice, Question, Quiz
from .policy import QuizPolicy


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChoiceSpec(_Strict):
    text: Annotated[str, Field(min_length=1, max_length=500)]
    correct: bool = False


class QuestionSpec(_Strict):
    kind: Literal["single", "multiple", "numeric", "text"] = "single"
    prompt: Annotated[str, Field(min_length=1)]
    points: Annotated[Decimal, Field(ge=0)] = Decimal(1)
    choices: list[ChoiceSpec] = []
    answer: Decimal | None = None
    tolerance: Annotated[Decimal, Field(ge=0)] = Decimal(0)
    explanation: str = ""
    # Questions of a quiz with the same pool name fill one slot: each student draws one.
    pool: Annotated[str, Field(max_length=50)] = ""
    # Numeric questions: {a: {min: 1, max: 9, step: 1}}, written $a$ in the prompt...
    parameters: dict[str, Any] = {}
    # ... and the answer as a formula of them (evaluated safely, never with eval).
    formula: Annotated[str, Field(max_length=300)] = ""

    @field_validator("parameters")
    @classmethod
    def _ranges(cls, value: dict[str, Any]) -> dict[str, Any]:
        try:
            return rules.parameters_as_json(rules.parse_parameters(value))
        except rules.VariantError as exc:
            raise ValueError(exc.message) from exc

    @model_validator(mode="after")
    def _formula(self) -> QuestionSpec:
        if self.formula:
            if self.kind != "numeric":
                raise ValueError(_("formula: only a numeric question has a formula"))
            if self.answer is not None:
                raise ValueError(_("formula: give either answer or formula, not both"))
            try:
                rules.check_formula(self.formula, rules.parse_parameters(self.parameters))
            except rules.VariantError as exc:
                # The file's key is `formula` (the admin's field is answer_formula).
                where = "formula" if exc.where == "answer_formula" else exc.where
                raise ValueError(exc.message_at(where)) from exc
        elif self.parameters and self.kind == "numeric" and self.answer is None:
            raise ValueError(_("formula: a numeric question with parameters needs a formula"))
        return self

    @model_validator(mode="after")
    def _consistent(self) -> QuestionSpec:
        if self.kind in ("single", "multiple"):
            if len(self.choices) < 2:
                raise ValueError(_("a choice question needs at least two choices"))
            n_correct = sum(c.correct for c in self.choices)
            if self.kind == "single" and n_correct != 1:
                raise ValueError(_("a single-choice question needs exactly one correct choice"))
        elif self.choices:
            raise ValueError(_("a %(kind)s question has no choices") % {"kind": self.kind})
        if self.kind == "numeric" and self.answer is None and not self.formula:
            raise ValueError(_("a numeric question needs an answer (or a formula)"))
        return self


class QuizSpec(_Strict):
    date: dt.date
    title: Annotated[str, Field(min_length=1, max_length=200)]
    # None: the term's first quiz is the self-assessment when the policy says so.
    self_assessment: bool | None = None
    duration_minutes: Annotated[int | None, Field(ge=1, le=240)] = None
    # Local time on `date` (or a local date and time); default: session start + policy offset.
    opens: dt.datetime | ClockTime | None = None
    window_minutes: Annotated[int | None, Field(ge=1)] = None
    grace_seconds: Annotated[int | None, Field(ge=0, le=300)] = None
    access_code: bool | None = None
    show_answers_after_close: bool | None = None
    shuffle_questions: bool = False
    shuffle_choices: bool = False
    release: Literal["auto", "manual"] = "auto"  # results at close for everyone, or by hand
    regrade_days: Annotated[int, Field(ge=0, le=365)] = 7
    questions: Annotated[list[QuestionSpec], Field(min_length=1)]

    @model_validator(mode="after")
    def _pools(self) -> QuizSpec:
        points: dict[str, set[Decimal]] = {}
        for q in self.questions:
            if q.pool:
                points.setdefault(q.pool, set()).add(q.points)
        unequal = sorted(name for name, values in points.items() if len(values) > 1)
        if unequal:
            raise ValueError(
                _("questions: the questions of a pool must have the same points (pool %(pools)s)")
                % {"pools": ", ".join(unequal)}
            )
        return self


class QuizBank(RootModel[list[QuizSpec]]):
    model_config = ConfigDict(frozen=True)

    @model_validator(mode="after")
    def _unique(self) -> QuizBank:
        keys = [(q.date, q.title) for q in self.root]
        twice = sorted({f"{d} {t}" for d, t in keys if keys.count((d, t)) > 1})
        if twice:
            raise ValueError(_("quizzes listed twice: %(quizzes)s") % {"quizzes": ", ".join(twice)})
        return self


class QuizBankSection:
    """Registered as `quiz_bank`: a list of quizzes."""

    schema: type[BaseModel] = QuizBank

    def apply(self, course: Course, data: BaseModel) -> None:
        if not isinstance(data, QuizBank):
            raise TypeError("the quiz bank section applies a QuizBank")
        apply_bank(course, data)

    def dump(self, course: Course) -> Any:
        return dump_bank(course)


def _first_quiz(bank: QuizBank) -> QuizSpec | None:
    """The term's first quiz: the earliest date, the first listed on that day."""
    return min(bank.root, key=lambda q: q.date, default=None)


def apply_bank(course: Course, bank: QuizBank) -> list[Quiz]:
    policy = course_policy(course, QuizPolicy)
    sessions = {
        s.date: s for s in Session.objects.filter(course=course).exclude(kind=Session.Kind.NO_CLASS)
    }
    out = []
    missing = [s for s in bank.root if s.date not in sessions]
    if missing:
        raise SyllabusError(
            [
                _("quiz_bank: no class on %(date)s for the quiz %(title)s")
                % {"date": s.date, "title": repr(s.title)}
                for s in missing
            ]
        )
    first = _first_quiz(bank)
    for spec in bank.root:
        session = sessions[spec.date]
        if isinstance(spec.opens, dt.datetime):
            opens_at = course_rules.local_datetime(
                spec.opens.date(), spec.opens.time(), course.time_zone
            )
        elif spec.opens is not None:
            opens_at = course_rules.local_datetime(spec.date, spec.opens, course.time_zone)
        else:
            opens_at = session.starts_at + timedelta(minutes=policy.opens_minutes_after_start)
        window = spec.window_minutes or policy.window_minutes
        duration = spec.duration_minutes or policy.duration_minutes
        self_assessment = (
            spec.self_assessment
            if spec.self_assessment is not None
            else (policy.first_is_self_assessment and spec is first)
        )
        values = {
            "course": course,
            "is_self_assessment": self_assessment,
            "opens_at": opens_at,
            "closes_at": opens_at + timedelta(minutes=window),
            "duration_seconds": duration * 60,
            "grace_seconds": (
                policy.grace_seconds if spec.grace_seconds is None else spec.grace_seconds
            ),
            "requires_access_code": (
                policy.require_access_code if spec.access_code is None else spec.access_code
            ),
            "show_answers_after_close": (
                policy.show_answers_after_close
                if spec.show_answers_after_close is None
                else spec.show_answers_after_close
            ),
            "shuffle_questions": spec.shuffle_questions,
            "shuffle_choices": spec.shuffle_choices,
            "release_policy": spec.release,
            "regrade_window_days": spec.regrade_days,
        }
        quiz = Quiz.objects.filter(session=session, title=spec.title).first()
        if quiz is None:
            quiz = Quiz.objects.create(session=session, title=spec.title, **values)
        else:
            changed = [k for k, v in values.items() if getattr(quiz, k) != v]
            if changed:
                for k in changed:
                    setattr(quiz, k, values[k])
                quiz.save(update_fields=[*changed, "updated_at"])
        apply_questions(quiz, spec.questions)
        out.append(quiz)
    return out


def apply_questions(quiz: Quiz, specs: list[QuestionSpec]) -> None:
    """Upsert questions by order and choices by order; extra ones removed unless answered.

    Only what differs is written; the attempts are regraded when a question changed."""
    existing = {q.order: q for q in Question.objects.filter(quiz=quiz).prefetch_related("choices")}
    changed = False
    for order, spec in enumerate(specs):
        question = existing.pop(order, None)
        values = {
            "kind": spec.kind,
            "prompt": spec.prompt,
            "points": spec.points,
            "numeric_answer": spec.answer,
            "numeric_tolerance": spec.tolerance,
            "explanation": spec.explanation,
            "pool": spec.pool,
            "parameters": spec.parameters,
            "answer_formula": spec.formula,
        }
        if question is None:
            question = Question.objects.create(quiz=quiz, order=order, **values)
            choices: dict[int, Choice] = {}
            changed = True
        else:
            choices = {c.order: c for c in question.choices.all()}
            differs = [k for k, v in values.items() if getattr(question, k) != v]
            if differs:
                for k in differs:
                    setattr(question, k, values[k])
                question.save(update_fields=differs)
                changed = True
        for corder, cspec in enumerate(spec.choices):
            choice = choices.pop(corder, None)
            if choice is None:
                Choice.objects.create(
                    question=question, order=corder, text=cspec.text, is_correct=cspec.correct
                )
                changed = True
            elif (choice.text, choice.is_correct) != (cspec.text, cspec.correct):
                choice.text, choice.is_correct = cspec.text, cspec.correct
                choice.save(update_fields=["text", "is_correct"])
                changed = True
        if choices:
            Choice.objects.filter(pk__in=[c.pk for c in choices.values()]).delete()
            changed = True
    for leftover in existing.values():
        # Answered: kept (graded as before) rather than losing student work.
        with contextlib.suppress(ProtectedError), transaction.atomic():
            leftover.delete()
            changed = True
    if changed and quiz.attempts.exists():
        services.quiz_regrade(quiz_id=quiz.pk)


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def dump_bank(course: Course) -> list[dict[str, Any]]:
    policy = course_policy(course, QuizPolicy)
    tz = ZoneInfo(course.time_zone)
    out = []
    quizzes = list(
        Quiz.objects.filter(course=course)
        .exclude(session__number__gte=10_000)  # sessions kept only because work refers to them
        .select_related("session")
        .prefetch_related("questions__choices")
        .order_by("session__date", "opens_at", "pk")
    )
    first = quizzes[0] if quizzes else None
    for quiz in quizzes:
        item: dict[str, Any] = {"date": quiz.session.date, "title": quiz.title}
        implied = policy.first_is_self_assessment and quiz is first
        if quiz.is_self_assessment != implied:
            item["self_assessment"] = quiz.is_self_assessment
        item["duration_minutes"] = max(1, round(quiz.duration_seconds / 60))
        default_opens = quiz.session.starts_at + timedelta(minutes=policy.opens_minutes_after_start)
        if quiz.opens_at != default_opens:
            local = quiz.opens_at.astimezone(tz).replace(tzinfo=None)
            if local.date() == quiz.session.date:
                item["opens"] = local.strftime("%H:%M:%S" if local.second else "%H:%M")
            else:
                item["opens"] = local
        window = round((quiz.closes_at - quiz.opens_at).total_seconds() / 60)
        if window != policy.window_minutes:
            item["window_minutes"] = max(1, window)
        if quiz.grace_seconds != policy.grace_seconds:
            item["grace_seconds"] = quiz.grace_seconds
        if quiz.requires_access_code != policy.require_access_code:
            item["access_code"] = quiz.requires_access_code
        if quiz.show_answers_after_close != policy.show_answers_after_close:
            item["show_answers_after_close"] = quiz.show_answers_after_close
        if quiz.shuffle_questions:
            item["shuffle_questions"] = True
        if quiz.shuffle_choices:
            item["shuffle_choices"] = True
        if quiz.release_policy != Quiz.ReleasePolicy.AUTO:
            item["release"] = quiz.release_policy
        if quiz.regrade_window_days != 7:
            item["regrade_days"] = quiz.regrade_window_days
        questions = []
        for q in quiz.questions.all():
            qd: dict[str, Any] = {"kind": q.kind, "prompt": q.prompt}
            if q.points != 1:
                qd["points"] = _number(q.points)
            if q.kind in ("single", "multiple"):
                qd["choices"] = [
                    {"text": c.text, "correct": True} if c.is_correct else {"text": c.text}
                    for c in q.choices.all()
                ]
            if q.numeric_answer is not None:
                qd["answer"] = _number(q.numeric_answer)
            if q.numeric_tolerance:
                qd["tolerance"] = _number(q.numeric_tolerance)
            if q.explanation:
                qd["explanation"] = q.explanation
            if q.pool:
                qd["pool"] = q.pool
            if q.parameters:
                qd["parameters"] = q.parameters
            if q.answer_formula:
                qd["formula"] = q.answer_formula
            questions.append(qd)
        item["questions"] = questions
        out.append(item)
    return out


def watched_quizzes(course: Course) -> dict[str, Watched]:
    """Every quiz's window and length; a quiz with attempts needs a confirmed change."""
    tz = ZoneInfo(course.time_zone)
    out = {}
    for quiz in (
        Quiz.objects.filter(course=course)
        .select_related("session")
        .annotate(n_attempts=Count("attempts"))
        .order_by("pk")
    ):
        opens = quiz.opens_at.astimezone(tz)
        closes = quiz.closes_at.astimezone(tz)
        # Compared before and after a load in the same request: read in its language.
        state = _(
            "opens %(opens)s, start by %(closes)s, %(minutes)s min %(seconds)s s, grace %(grace)s s"
        ) % {
            "opens": f"{opens:%Y-%m-%d %H:%M}",
            "closes": f"{closes:%Y-%m-%d %H:%M}",
            "minutes": quiz.duration_seconds // 60,
            "seconds": f"{quiz.duration_seconds % 60:02d}",
            "grace": quiz.grace_seconds,
        }
        if quiz.is_self_assessment:
            state = _("%(state)s, self-assessment") % {"state": state}
        out[f"quiz:{quiz.pk}"] = Watched(
            label=_("Quiz “%(title)s” (%(date)s)")
            % {"title": quiz.title, "date": quiz.session.date},
            state=state,
            work=_("%(n)s attempts") % {"n": quiz.n_attempts} if quiz.n_attempts else "",
        )
    return out
