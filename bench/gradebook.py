"""Benchmark of the gradebook on PostgreSQL: recompute time, query counts, the admin page.

    .venv/bin/python bench/gradebook.py        (or `make bench`)

Builds three courses (10, 200 and 1,000 students). Inputs: 18 quizzes per course with one
attempt per student and quiz inserted with bulk_create into the quizzes app's own tables (when
that app's models exist), exam scores (early exam, midterm) and participation in grading's own
tables; scribing, presentations and the project are read through their apps' real
`gradebook_items` functions (their queries are counted) but hold no rows, so they are pending.
Prints one JSON line.

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/ck_bench_grades);
DEBUG off; a scratch COURSEKIT_VAR_DIR where collectstatic runs every time (the admin page
needs the static manifest, as in production; bench/_database.py).
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import _database as bench  # bench/, the script's own folder

if TYPE_CHECKING:
    from course.models import Course

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ck_bench_grades")
bench.configure(database_url=DB_URL, var_dir="ck_bench_grades_var")

SYLLABUS = """
course:
  code: {code}
  title: Gradebook benchmark
  term: Winter 2021
  seat_capacity: 2000
calendar:
  term_start: 2021-01-11
  term_end: 2021-04-16
  meetings:
    - {{day: wednesday, start: "09:30", end: "11:10"}}
    - {{day: thursday, start: "09:00", end: "10:40"}}
  breaks:
    - {{name: Reading week, first: 2021-03-01, last: 2021-03-05}}
grading:
  components:
    - {{key: participation, label: Participation, weight: 5, source: participation}}
    - {{key: scribing, label: Scribing, weight: 10, source: scribing}}
    - {{key: quizzes, label: Daily quizzes, weight: 15, source: quizzes}}
    - {{key: early_exam, label: Early in-class exam, weight: 5, source: exam}}
    - {{key: midterm, label: Midterm, weight: 15, source: exam}}
    - {{key: presentations, label: Paper presentations, weight: 15, source: presentations}}
    - {{key: project, label: Research project, weight: 35, source: project}}
  rounding_decimals: 2
  letter_scale:
    - {{letter: A+, min_percent: 90}}
    - {{letter: A, min_percent: 85}}
    - {{letter: A-, min_percent: 80}}
    - {{letter: B+, min_percent: 77}}
    - {{letter: B, min_percent: 73}}
    - {{letter: B-, min_percent: 70}}
    - {{letter: C+, min_percent: 65}}
    - {{letter: C, min_percent: 60}}
    - {{letter: C-, min_percent: 57}}
    - {{letter: D+, min_percent: 54}}
    - {{letter: D, min_percent: 50}}
    - {{letter: E, min_percent: 35}}
    - {{letter: F, min_percent: 0}}
"""


def build_course(code: str, n: int, rng: random.Random) -> tuple[Course, int]:
    from django.apps import apps

    from course.models import Session
    from grading.models import ExamScore, ParticipationScore

    course, users = bench.seed_course(SYLLABUS.format(code=code), n)
    ExamScore.objects.bulk_create(
        [
            ExamScore(
                course=course,
                component_key=key,
                student=u,
                score=Decimal(rng.randint(0, out_of * 4)) / 4,
                out_of=Decimal(out_of),
            )
            for u in users
            for key, out_of in (("early_exam", 20), ("midterm", 50))
        ],
        batch_size=2000,
    )
    ParticipationScore.objects.bulk_create(
        [
            ParticipationScore(course=course, student=u, percent=Decimal(rng.randint(50, 100)))
            for u in users
        ],
        batch_size=2000,
    )
    quiz_rows = 0
    if apps.is_installed("quizzes"):
        from quizzes.models import Attempt

        sessions = list(
            Session.objects.filter(course=course, kind="lecture").order_by("starts_at")[:18]
        )
        quizzes = bench.seed_quizzes(course, sessions)
        attempts = []
        for q in quizzes:
            for u in users:
                if rng.random() < 0.05:
                    continue  # missed
                pct = Decimal(rng.randint(0, 100))
                attempts.append(
                    bench.submitted_attempt(
                        q, u, points=pct / 10, points_possible=Decimal(10), percent=pct
                    )
                )
        Attempt.objects.bulk_create(attempts, batch_size=5000)
        quiz_rows = len(attempts)
    return course, quiz_rows


def count_queries(course: Course, now: datetime) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from grading import services

    with CaptureQueriesContext(connection) as ctx:
        services.gradebook_recompute(course=course, now=now)
    return len(ctx.captured_queries)


def main() -> None:
    bench.ensure_database(DB_URL)
    bench.setup_django()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from grading import services

    bench.empty_tables()
    rng = random.Random(6085)
    now = timezone.make_aware(datetime(2021, 4, 20, 12, 0))  # term over: everything settled
    results: dict[str, object] = {"bench": "gradebook"}
    courses: dict[int, Course] = {}
    quiz_rows = 0
    for n in (10, 200, 1000):
        course, rows = build_course(f"BENCHGB{n}", n, rng)
        courses[n] = course
        quiz_rows = rows
    for n, course in courses.items():
        services.gradebook_recompute(course=course, now=now)  # warm up
        results[f"queries_{n}"] = count_queries(course, now)
    big = courses[1000]
    from django.db.models import F

    from grading import selectors
    from grading.models import ExamScore
    from quizzes.scores import gradebook_items as quiz_gradebook_items

    def change_every_student() -> None:
        # Worst case: every student's inputs change, so every stored row is rewritten.
        ExamScore.objects.filter(course=big, component_key="midterm").update(
            score=F("out_of") - F("score")
        )

    timings, cpu = [], []
    for _ in range(3):
        change_every_student()
        started, started_cpu = time.perf_counter(), time.process_time()
        services.gradebook_recompute(course=big, now=now)
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    results["students"] = 1000
    results["recompute_s"] = round(min(timings), 3)
    results["recompute_s_runs"] = [round(t, 3) for t in timings]
    # CPU of this Python process only (excludes PostgreSQL's time and waiting for a busy CPU).
    results["recompute_python_cpu_s"] = round(min(cpu), 3)
    results["load_average_1m"] = round(os.getloadavg()[0], 2)
    started = time.perf_counter()
    services.gradebook_recompute(course=big, now=now)
    results["recompute_unchanged_inputs_s"] = round(time.perf_counter() - started, 3)
    # Where the time goes (one run each). The quizzes' grade source, called as the loader
    # calls it (grading.selectors.PROVIDERS["quizzes"], with the loader's `now`).
    assert selectors.item_provider("quizzes") is quiz_gradebook_items
    started = time.perf_counter()
    quiz_gradebook_items(big, now=now)
    results["quizzes_gradebook_items_s"] = round(time.perf_counter() - started, 3)
    started = time.perf_counter()
    inputs = selectors.load_gradebook_inputs(big, now)
    results["load_inputs_s"] = round(time.perf_counter() - started, 3)
    started = time.perf_counter()
    selectors.compute_all(inputs)
    results["compute_s"] = round(time.perf_counter() - started, 3)

    User = get_user_model()
    root, _ = User.objects.get_or_create(
        username="bench-gradebook-root", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(root)
    url = reverse("admin:grading_gradebook", args=[big.pk])
    page_times = []
    for _ in range(3):
        started = time.perf_counter()
        resp = client.get(url, secure=True)
        page_times.append(time.perf_counter() - started)
        assert resp.status_code == 200, resp.status_code
    results["admin_page_s"] = round(min(page_times), 3)
    results["admin_page_s_runs"] = [round(t, 3) for t in page_times]
    results["admin_page_bytes"] = len(resp.content)
    results["quiz_attempt_rows_1000"] = quiz_rows
    results["inputs"] = (
        "quizzes: quizzes app tables (18 quizzes, ~95% attempted); exams+participation: grading "
        "tables; scribing/presentations/project: their real selectors, no rows (pending)"
    )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
