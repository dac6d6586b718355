"""The `quiz_bank` section of the syllabus file: a term's quizzes, by session date, reusable.

    quiz_bank:
      - date: 2021-01-14            # the session (a class day of the calendar)
        title: Gradient descent
        self_assessment: false
        duration_minutes: 10        # optional; defaults from the `quizzes:` policy
        questions:
          - kind: single             # single | multiple | numeric | text
            prompt: "The condition number of $A$ is..."
            points: 1
            choices:
              - {text: "$\\lambda_{max}/\\lambda_{min}$", correct: true}
              - {text: "$\\lambda_{min}/\\lambda_{max}$"}
          - {kind: numeric, prompt: "...", answer: 4, tolerance: 0.01}

Applying is idempotent: a quiz is matched by (session, title), questions by their order, choices
by their order, so student answers keep pointing at the same rows. Attempts are regraded.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from datetime import timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db.models import ProtectedError
from pydantic import BaseModel, ConfigDict, Field, RootModel, model_validator

from course import rules as course_rules
from course.models import Course, Session
from course.selectors import course_policies
from course.syllabus import SyllabusError

from . import services
from .models import Choice, Question, Quiz


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

    @model_validator(mode="after")
    def _consistent(self) -> QuestionSpec:
        if self.kind in ("single", "multiple"):
            if len(self.choices) < 2:
                raise ValueError("a choice question needs at least two choices")
            n_correct = sum(c.correct for c in self.choices)
            if self.kind == "single" and n_correct != 1:
                raise ValueError("a single-choice question needs exactly one correct choice")
        elif self.choices:
            raise ValueError(f"a {self.kind} question has no choices")
        if self.kind == "numeric" and self.answer is None:
            raise ValueError("a numeric question needs an answer")
        return self


class QuizSpec(_Strict):
    date: dt.date
    title: Annotated[str, Field(min_length=1, max_length=200)]
    self_assessment: bool = False
    duration_minutes: Annotated[int | None, Field(ge=1, le=240)] = None
    opens: dt.time | None = None  # local time; default: session start + policy offset
    window_minutes: Annotated[int | None, Field(ge=1)] = None
    access_code: bool | None = None
    questions: Annotated[list[QuestionSpec], Field(min_length=1)]


class QuizBank(RootModel[list[QuizSpec]]):
    model_config = ConfigDict(frozen=True)

    @model_validator(mode="after")
    def _unique(self) -> QuizBank:
        keys = [(q.date, q.title) for q in self.root]
        twice = sorted({f"{d} {t}" for d, t in keys if keys.count((d, t)) > 1})
        if twice:
            raise ValueError(f"quizzes listed twice: {', '.join(twice)}")
        return self


class QuizBankSection:
    """Registered as `quiz_bank`: a list of quizzes."""

    schema: type[BaseModel] = QuizBank

    def apply(self, course: Course, data: BaseModel) -> None:
        assert isinstance(data, QuizBank)
        apply_bank(course, data)

    def dump(self, course: Course) -> Any:
        return dump_bank(course)


def apply_bank(course: Course, bank: QuizBank) -> list[Quiz]:
    policy = course_policies(course).quizzes
    sessions = {
        s.date: s for s in Session.objects.filter(course=course).exclude(kind=Session.Kind.NO_CLASS)
    }
    out = []
    missing = [s for s in bank.root if s.date not in sessions]
    if missing:
        raise SyllabusError(
            [f"quiz_bank: no class on {s.date} for the quiz {s.title!r}" for s in missing]
        )
    for spec in bank.root:
        session = sessions[spec.date]
        if spec.opens is not None:
            opens_at = course_rules.local_datetime(spec.date, spec.opens, course.time_zone)
        else:
            opens_at = session.starts_at + timedelta(minutes=policy.opens_minutes_after_start)
        window = spec.window_minutes or policy.window_minutes
        duration = spec.duration_minutes or policy.duration_minutes
        quiz, _ = Quiz.objects.update_or_create(
            session=session,
            title=spec.title,
            defaults={
                "course": course,
                "is_self_assessment": spec.self_assessment,
                "opens_at": opens_at,
                "closes_at": opens_at + timedelta(minutes=window),
                "duration_seconds": duration * 60,
                "grace_seconds": policy.grace_seconds,
                "requires_access_code": (
                    policy.require_access_code if spec.access_code is None else spec.access_code
                ),
                "show_answers_after_close": policy.show_answers_after_close,
            },
        )
        apply_questions(quiz, spec.questions)
        out.append(quiz)
    return out


def apply_questions(quiz: Quiz, specs: list[QuestionSpec]) -> None:
    """Upsert questions by order and choices by order; extra ones removed unless answered."""
    existing = {q.order: q for q in Question.objects.filter(quiz=quiz)}
    for order, spec in enumerate(specs):
        question = existing.pop(order, None) or Question(quiz=quiz, order=order)
        question.kind = spec.kind
        question.prompt = spec.prompt
        question.points = spec.points
        question.numeric_answer = spec.answer
        question.numeric_tolerance = spec.tolerance
        question.explanation = spec.explanation
        question.save()
        choices = {c.order: c for c in Choice.objects.filter(question=question)}
        for corder, cspec in enumerate(spec.choices):
            choice = choices.pop(corder, None) or Choice(question=question, order=corder)
            choice.text = cspec.text
            choice.is_correct = cspec.correct
            choice.save()
        Choice.objects.filter(pk__in=[c.pk for c in choices.values()]).delete()
    for leftover in existing.values():
        # Answered: kept (graded as before) rather than losing student work.
        with contextlib.suppress(ProtectedError):
            leftover.delete()
    if quiz.attempts.exists():
        services.quiz_regrade(quiz_id=quiz.pk)


def dump_bank(course: Course) -> list[dict[str, Any]]:
    out = []
    quizzes = (
        Quiz.objects.filter(course=course)
        .select_related("session")
        .prefetch_related("questions__choices")
        .order_by("opens_at", "pk")
    )
    for quiz in quizzes:
        item: dict[str, Any] = {"date": quiz.session.date, "title": quiz.title}
        if quiz.is_self_assessment:
            item["self_assessment"] = True
        item["duration_minutes"] = max(1, round(quiz.duration_seconds / 60))
        questions = []
        for q in quiz.questions.all():
            qd: dict[str, Any] = {"kind": q.kind, "prompt": q.prompt}
            if q.points != 1:
                qd["points"] = float(q.points)
            if q.kind in ("single", "multiple"):
                qd["choices"] = [
                    {"text": c.text, "correct": True} if c.is_correct else {"text": c.text}
                    for c in q.choices.all()
                ]
            if q.kind == "numeric" and q.numeric_answer is not None:
                qd["answer"] = float(q.numeric_answer)
                if q.numeric_tolerance:
                    qd["tolerance"] = float(q.numeric_tolerance)
            if q.explanation:
                qd["explanation"] = q.explanation
            questions.append(qd)
        item["questions"] = questions
        out.append(item)
    return out
