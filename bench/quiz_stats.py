"""Benchmark of the quiz statistics on PostgreSQL: a quiz's statistics page with 300 attempts
and the term view of 300 students x 18 quizzes, as the admin renders them.

    .venv/bin/python bench/quiz_stats.py        (or `make bench`)

Builds two courses (100 and 300 students), each with 18 quizzes of 5 questions (two single
choice with 4 choices, one multiple choice, one numeric, one text graded by hand), one
submitted attempt per student and quiz (about 5% missed, none of the timed quiz) with its
answers, inserted with bulk_create into the quizzes app's tables. Times the two admin pages through Django's test client (the whole
middleware chain; DEBUG off, config.settings: the real password hasher, the static manifest)
and counts their SQL queries at both sizes (they must not grow with the class). Prints one
JSON line.

Environment: BENCH_QUIZ_STATS_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/ck_bench_quiz_stats); a scratch COURSEKIT_VAR_DIR where
collectstatic runs every time (bench/_database.py).
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import _database as bench  # bench/, the script's own folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB_URL = os.environ.get(
    "BENCH_QUIZ_STATS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ck_bench_quiz_stats"
)
bench.configure(database_url=DB_URL, var_dir="ck_bench_quiz_stats_var")

SYLLABUS = """
course:
  code: {code}
  title: Quiz statistics benchmark
  term: Winter 2021
  seat_capacity: 2000
calendar:
  term_start: 2021-01-11
  term_end: 2021-04-16
  meetings:
    - {{day: wednesday, start: "09:30", end: "11:10"}}
    - {{day: thursday, start: "09:00", end: "10:40"}}
grading:
  components:
    - {{key: quizzes, label: Daily quizzes, weight: 30, source: quizzes}}
    - {{key: midterm, label: Midterm, weight: 70, source: exam}}
"""
QUIZZES = 18
RUNS = 7


def build_course(code: str, n: int, rng: random.Random) -> tuple[Any, Any]:
    """The course and its first graded quiz."""
    from course.models import Session
    from quizzes.models import Answer, Attempt, Choice, Question

    course, users = bench.seed_course(SYLLABUS.format(code=code), n)
    sessions = list(Session.objects.filter(course=course).order_by("starts_at")[: QUIZZES + 1])
    quizzes = bench.seed_quizzes(course, sessions, first_number=0, self_assessment_first=True)
    kinds = ["single", "single", "multiple", "numeric", "text"]
    questions = Question.objects.bulk_create(
        [
            Question(
                quiz=q,
                order=j,
                kind=kind,
                prompt=f"Question {j} of {q.title}: is $x^{j}$ convex?",
                numeric_answer=Decimal(4) if kind == "numeric" else None,
            )
            for q in quizzes
            for j, kind in enumerate(kinds)
        ]
    )
    choices = Choice.objects.bulk_create(
        [
            Choice(question=qu, order=k, text=f"choice {k}", is_correct=k == 0)
            for qu in questions
            if qu.kind in ("single", "multiple")
            for k in range(4)
        ]
    )
    choices_of: dict[int, list[int]] = {}
    for c in choices:
        choices_of.setdefault(c.question_id, []).append(c.pk)
    by_quiz: dict[int, list[Any]] = {}
    for qu in questions:
        by_quiz.setdefault(qu.quiz_id, []).append(qu)
    attempts = []
    for q in quizzes:
        for u in users:
            if q is not quizzes[1] and rng.random() < 0.05:
                continue  # missed (the quiz whose statistics are timed has every attempt)
            attempts.append(bench.submitted_attempt(q, u, points_possible=Decimal(5)))
    attempts = Attempt.objects.bulk_create(attempts, batch_size=5000)
    answers = []
    for a in attempts:
        earned = Decimal(0)
        for qu in by_quiz[a.quiz_id]:
            right = rng.random() < 0.7
            if qu.kind == "single":
                ids = choices_of[qu.pk]
                value: Any = ids[0] if right else rng.choice(ids[1:])
            elif qu.kind == "multiple":
                ids = choices_of[qu.pk]
                value = [ids[0]] if right else [ids[1], ids[2]]
            elif qu.kind == "numeric":
                value = "4" if right else str(rng.randint(5, 9))
            else:
                value = "because the gradient is Lipschitz"
            points = Decimal(1) if right else Decimal(0)
            earned += points
            answers.append(
                Answer(attempt=a, question=qu, value=value, saved_at=a.started_at, points=points)
            )
        a.points = earned
        a.percent = earned * 20
    Answer.objects.bulk_create(answers, batch_size=10000)
    Attempt.objects.bulk_update(attempts, ["points", "percent"], batch_size=5000)
    return course, quizzes[1]


def timed_get(client: Any, url: str) -> tuple[list[float], list[float], int, int]:
    """Wall-clock times, this process's CPU times, the query count and the page's size."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, cpu = [], []
    for _ in range(RUNS):
        started, started_cpu = time.perf_counter(), time.process_time()
        resp = client.get(url, secure=True)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        assert resp.status_code == 200, (url, resp.status_code)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url, secure=True)
    return times, cpu, len(ctx.captured_queries), len(resp.content)


def main() -> None:
    bench.ensure_database(DB_URL)
    bench.setup_django()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    bench.empty_tables()
    rng = random.Random(6085)
    results: dict[str, object] = {"bench": "quiz_stats"}
    root = get_user_model().objects.create_superuser("bench-stats-root", "root@example.org", "!")
    client = Client()
    client.force_login(root)
    for n in (100, 300):
        course, quiz = build_course(f"BENCHQS{n}", n, rng)
        stats = reverse("admin:quizzes_quiz_stats", args=[quiz.pk])
        term = reverse("admin:quizzes_quiz_term", args=[course.pk])
        for name, url in (("stats", stats), ("term", term)):
            client.get(url, secure=True)  # warm up
            times, cpu, queries, size = timed_get(client, url)
            results[f"{name}_queries_{n}"] = queries
            if n == 300:
                results[f"{name}_page_s"] = round(min(times), 3)
                results[f"{name}_page_s_runs"] = [round(t, 3) for t in times]
                # CPU of this Python process only (not PostgreSQL's, nor waiting for a CPU).
                results[f"{name}_page_python_cpu_s"] = round(min(cpu), 3)
                results[f"{name}_page_bytes"] = size
        if n == 300:
            results["stats_attempts"] = quiz.attempts.count()
            results["term_students_x_quizzes"] = f"{n} x {QUIZZES}"
    results["load_average_1m"] = round(os.getloadavg()[0], 2)
    results["target_s"] = 0.5
    print(json.dumps(results))


if __name__ == "__main__":
    main()
