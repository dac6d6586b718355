"""Demo content for `make run`: past quizzes with graded attempts, one quiz open now.

Idempotent: quizzes are matched by (session, title), questions by order, attempts by
(quiz, student); running it twice adds nothing. Scores are seeded by names, so they are stable.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from course.models import Course, Session
from course.selectors import active_students, course_policy

from . import services
from .models import Accommodation, Answer, Attempt, Question, Quiz
from .policy import QuizPolicy
from .syllabus_section import ChoiceSpec, QuestionSpec, apply_questions

DEMO_COURSE_CODE = "IFT6085"


def _single(prompt: str, right: str, *wrong: str) -> QuestionSpec:
    return QuestionSpec(
        kind="single",
        prompt=prompt,
        choices=[ChoiceSpec(text=right, correct=True), *[ChoiceSpec(text=w) for w in wrong]],
    )


def _multiple(prompt: str, right: list[str], wrong: list[str]) -> QuestionSpec:
    return QuestionSpec(
        kind="multiple",
        prompt=prompt,
        choices=[
            *[ChoiceSpec(text=r, correct=True) for r in right],
            *[ChoiceSpec(text=w) for w in wrong],
        ],
    )


def _numeric(prompt: str, answer: str, tolerance: str = "0") -> QuestionSpec:
    return QuestionSpec(
        kind="numeric", prompt=prompt, answer=Decimal(answer), tolerance=Decimal(tolerance)
    )


def _text(prompt: str) -> QuestionSpec:
    return QuestionSpec(kind="text", prompt=prompt)


SELF_ASSESSMENT = [
    _single(
        "Let $f(x) = \\frac{1}{2} x^\\top A x$ with $A$ symmetric. What is $\\nabla f(x)$?",
        "$Ax$",
        "$A^\\top A x$",
        "$\\frac{1}{2} A$",
        "$x^\\top A$",
    ),
    _numeric("What is $\\mathbb{E}[X]$ for $X \\sim \\text{Bernoulli}(0.3)$?", "0.3", "0.001"),
    _multiple(
        "Which of these functions are convex on $\\mathbb{R}$?",
        ["$x^2$", "$e^x$", "$|x|$"],
        ["$\\sin x$", "$-x^2$"],
    ),
    _single(
        "Which statement about the eigenvalues of a symmetric positive definite matrix holds?",
        "They are all real and strictly positive",
        "They are all complex",
        "At least one of them is zero",
    ),
]

BANK: list[list[QuestionSpec]] = [
    [
        _single(
            "For an $L$-smooth convex $f$, gradient descent with step $1/L$ converges at rate",
            "$O(1/t)$",
            "$O(1/\\sqrt{t})$",
            "$O(e^{-t})$ always",
        ),
        _numeric(
            "The condition number $\\kappa = L/\\mu$ of $f(x) = x_1^2 + 4 x_2^2$ is?", "4", "0.01"
        ),
        _multiple(
            "Which quantities appear in the linear rate of GD on a strongly convex function?",
            ["$\\mu$", "$L$"],
            ["the dimension $d$", "the number of data points"],
        ),
    ],
    [
        _single(
            "Polyak's heavy-ball method adds to the gradient step a term proportional to",
            "$x_t - x_{t-1}$",
            "$\\nabla^2 f(x_t)$",
            "$x_0$",
        ),
        _numeric(
            "With optimal tuning on quadratics, momentum needs about $\\sqrt{\\kappa}$ times as "
            "many iterations as GD needs $\\kappa$. For $\\kappa = 100$, what is $\\sqrt{\\kappa}$?",
            "10",
        ),
        _text("In one sentence: why can momentum help on ill-conditioned problems?"),
        _single(
            "Accelerated methods improve the dependence on the condition number from $\\kappa$ to",
            "$\\sqrt{\\kappa}$",
            "$\\kappa^2$",
            "$\\log \\kappa$",
        ),
    ],
    [
        _single(
            "SGD with a constant step size on a strongly convex problem converges",
            "linearly to a neighbourhood of the optimum whose size grows with the variance",
            "exactly to the optimum at a linear rate",
            "never",
        ),
        _multiple(
            "Which are unbiased estimates of $\\nabla \\frac{1}{n}\\sum_i f_i(x)$?",
            ["$\\nabla f_i(x)$ for $i$ uniform", "a mini-batch average of $\\nabla f_i(x)$"],
            ["$\\nabla f_1(x)$ always", "$\\max_i \\nabla f_i(x)$"],
        ),
        _numeric("A mini-batch of size $b$ divides the gradient variance by? Take $b = 8$.", "8"),
    ],
    [
        _single(
            "In the PAC framework, the sample complexity of a finite class $\\mathcal{H}$ grows as",
            "$\\log |\\mathcal{H}|$",
            "$|\\mathcal{H}|$",
            "$|\\mathcal{H}|^2$",
        ),
        _multiple(
            "Which hold under the realizability assumption?",
            ["some $h^* \\in \\mathcal{H}$ has true risk 0", "ERM has empirical risk 0"],
            ["every $h$ has risk 0", "the data are noiseless and linearly separable"],
        ),
        _numeric(
            "Hoeffding: $P(|\\bar X - \\mu| > \\epsilon) \\le 2e^{-2n\\epsilon^2}$. "
            "For $n = 50$, $\\epsilon = 0.1$, the exponent $2n\\epsilon^2$ is?",
            "1",
            "0.001",
        ),
        _text("Name one difference between PAC and agnostic PAC learning."),
    ],
    [
        _numeric("The VC dimension of thresholds $h_a(x) = 1[x \\ge a]$ on $\\mathbb{R}$ is?", "1"),
        _numeric("The VC dimension of half-spaces in $\\mathbb{R}^d$ (with bias), $d = 2$?", "3"),
        _single(
            "The fundamental theorem of learning says a class is PAC learnable iff",
            "its VC dimension is finite",
            "it is finite",
            "it contains the Bayes classifier",
        ),
    ],
    [
        _single(
            "Zhang et al. (2017) showed that deep networks trained on random labels",
            "can reach zero training error",
            "cannot fit the training data",
            "generalize well",
        ),
        _multiple(
            "Which explicit regularizers did they find neither necessary nor sufficient?",
            ["weight decay", "dropout", "data augmentation"],
            ["early stopping on the test set"],
        ),
        _text("What does 'rethinking generalization' ask us to rethink?"),
    ],
]


def _past_lectures(course: Course, now: datetime) -> list[Session]:
    return list(
        Session.objects.filter(course=course, kind=Session.Kind.LECTURE, ends_at__lt=now).order_by(
            "starts_at"
        )
    )


def _open_session(course: Course, now: datetime) -> Session | None:
    lectures = Session.objects.filter(course=course, kind=Session.Kind.LECTURE)
    current = lectures.filter(starts_at__lte=now, ends_at__gt=now).first()
    return current or lectures.filter(starts_at__gt=now).order_by("starts_at").first()


def add_demo_quizzes(course: Course, now: datetime) -> None:
    if course.code != DEMO_COURSE_CODE:
        return
    with transaction.atomic():
        _add(course, now)


def _add(course: Course, now: datetime) -> None:
    policy = course_policy(course, QuizPolicy)
    students = [e.user for e in active_students(course)]
    past = _past_lectures(course, now)
    for i, session in enumerate(past):
        first = i == 0
        title = "Self-assessment: prerequisites" if first else f"Quiz {i}: {_short(session.topic)}"
        existing = Quiz.objects.filter(session=session).first()
        if existing is not None:  # e.g. yesterday's open quiz: keep it, one quiz per session
            title = existing.title
        quiz = _upsert_quiz(
            course,
            session,
            title,
            opens_at=session.starts_at,
            window=timedelta(minutes=policy.window_minutes),
            duration=timedelta(minutes=policy.duration_minutes if first else (5 + i % 2 * 5)),
            self_assessment=first,
            grace=policy.grace_seconds,
        )
        apply_questions(quiz, SELF_ASSESSMENT if first else BANK[(i - 1) % len(BANK)])
        latest = i == len(past) - 1
        _fill_attempts(quiz, students, grade_text=not latest)
    # A student excused from the third graded quiz (a medical note, say).
    if len(past) > 3 and students:
        third = Quiz.objects.filter(session=past[3]).first()
        if third and not Attempt.objects.filter(quiz=third, student=students[-1]).exists():
            services.accommodation_set(
                quiz=third, student=students[-1], excused=True, note="Medical note"
            )

    upcoming = _open_session(course, now)
    if upcoming is None:
        return
    quiz = _upsert_quiz(
        course,
        upcoming,
        f"Quiz on the day: {_short(upcoming.topic)}",
        opens_at=now - timedelta(minutes=3),
        window=timedelta(hours=2),
        duration=timedelta(minutes=policy.duration_minutes),
        self_assessment=False,
        grace=policy.grace_seconds,
    )
    apply_questions(quiz, BANK[len(past) % len(BANK)])
    if students:
        Accommodation.objects.get_or_create(
            quiz=quiz,
            student=students[0],
            defaults={"extra_seconds": 300, "note": "Extra time (accessibility office)"},
        )


def _short(topic: str) -> str:
    return topic.split(":")[0].split(";")[0][:60] or "reading"


def _upsert_quiz(
    course: Course,
    session: Session,
    title: str,
    *,
    opens_at: datetime,
    window: timedelta,
    duration: timedelta,
    self_assessment: bool,
    grace: int,
) -> Quiz:
    quiz, _ = Quiz.objects.update_or_create(
        session=session,
        title=title,
        defaults={
            "course": course,
            "is_self_assessment": self_assessment,
            "opens_at": opens_at,
            "closes_at": opens_at + window,
            "duration_seconds": int(duration.total_seconds()),
            "grace_seconds": grace,
        },
    )
    return quiz


def _fill_attempts(quiz: Quiz, students: list[Any], *, grade_text: bool) -> None:
    questions = list(Question.objects.filter(quiz=quiz).prefetch_related("choices"))
    have = set(Attempt.objects.filter(quiz=quiz).values_list("student_id", flat=True))
    new_answers: list[Answer] = []
    for student in students:
        if student.pk in have:
            continue
        # Demo answers, the same at every load: no secret.
        rng = random.Random(f"{quiz.title}/{student.username}")  # noqa: S311
        ability = random.Random(student.username).uniform(0.45, 0.97)  # noqa: S311
        if rng.random() < 0.12:
            continue  # missed
        started = quiz.opens_at + timedelta(seconds=rng.randint(20, 240))
        deadline = min(started + quiz.duration, quiz.closes_at)
        attempt = Attempt.objects.create(
            quiz=quiz,
            student=student,
            started_at=started,
            deadline=deadline,
            submitted_at=min(deadline, started + timedelta(seconds=rng.randint(150, 560))),
        )
        for q in questions:
            if rng.random() < 0.05:
                continue  # left blank
            right = rng.random() < ability
            new_answers.append(
                Answer(
                    attempt=attempt,
                    question=q,
                    value=_demo_value(q, right, rng),
                    saved_at=started + timedelta(seconds=30),
                    points=(q.points if right else Decimal(0))
                    if q.kind == Question.Kind.TEXT and grade_text
                    else None,
                )
            )
    Answer.objects.bulk_create(new_answers)
    services.quiz_regrade(quiz_id=quiz.pk)


def _demo_value(q: Question, right: bool, rng: random.Random) -> Any:
    choices = list(q.choices.all())
    correct = [c.pk for c in choices if c.is_correct]
    wrong = [c.pk for c in choices if not c.is_correct]
    if q.kind == Question.Kind.SINGLE:
        return correct[0] if right or not wrong else rng.choice(wrong)
    if q.kind == Question.Kind.MULTIPLE:
        if right:
            return sorted(correct)
        return sorted(set(correct[: max(1, len(correct) - 1)]) | set(wrong[:1]))
    if q.kind == Question.Kind.NUMERIC:
        answer = q.numeric_answer or Decimal(0)
        return str(answer.normalize() if right else answer + 1)
    return "It damps the oscillations along steep directions." if right else "Not sure."
