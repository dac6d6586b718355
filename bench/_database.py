"""What the benchmarks share: the environment they run Django in, their PostgreSQL databases
(each benchmark works in a database of its own), Django's set-up and a seeded course.

A benchmark script calls `configure(...)` before Django is imported, then `setup_django()`.
"""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse


def configure(
    *, database_url: str, var_dir: str, settings_module: str = "config.settings", **env: str
) -> None:
    """The environment of a deployment, in this process and the ones it starts: DEBUG off,
    `settings_module` (the real password hasher, the static manifest), PostgreSQL at
    `database_url`, a scratch COURSEKIT_VAR_DIR named `var_dir` in the temporary folder
    (unless set); `env` sets further variables (and may replace these)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost")
    os.environ.setdefault("COURSEKIT_VAR_DIR", str(Path(tempfile.gettempdir()) / var_dir))
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "0")
    os.environ.update(env)


def setup_django() -> None:
    """Django set up on the bench's database: migrated, and the static files collected every
    time. A scratch folder is reused from run to run: a manifest left by an earlier run lacks
    the static files added since, and a page naming one fails ("Missing staticfiles manifest
    entry"); collectstatic copies only what changed, then writes the whole manifest again."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)


def empty_tables() -> None:
    """Start from empty tables in the bench's own database (TRUNCATE ignores PROTECT on
    purpose): every course and every person, and all that hangs on them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE course_course, course_user RESTART IDENTITY CASCADE")


def seed_course(syllabus: str, n: int) -> tuple[Any, list[Any]]:
    """The course of a syllabus file and its `n` students (active, with a student number),
    made with bulk_create: (course, users)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from course.models import Enrolment
    from course.syllabus.services import load_syllabus_text

    User = get_user_model()
    course = load_syllabus_text(syllabus).course
    code = course.code.lower()
    users = User.objects.bulk_create(
        [
            User(
                username=f"{code}-{i:05d}",
                email=f"{code}-{i:05d}@example.org",
                first_name=f"First{i}",
                last_name=f"Last{i:05d}",
                password="!",
            )
            for i in range(n)
        ],
        batch_size=1000,
    )
    requested = timezone.now()
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                course=course,
                user=u,
                role=Enrolment.Role.STUDENT,
                status=Enrolment.Status.ACTIVE,
                student_id=f"{i:08d}",
                requested_at=requested,
            )
            for i, u in enumerate(users)
        ],
        batch_size=1000,
    )
    return course, users


def seed_quizzes(
    course: Any, sessions: list[Any], *, first_number: int = 1, self_assessment_first: bool = False
) -> list[Any]:
    """One quiz per session, "Quiz <first_number>" onwards: open 15 minutes from the session's
    start, 10 minutes to answer; the first a self-assessment when `self_assessment_first`."""
    from quizzes.models import Quiz

    return Quiz.objects.bulk_create(
        [
            Quiz(
                course=course,
                session=s,
                title=f"Quiz {first_number + i}",
                is_self_assessment=self_assessment_first and i == 0,
                opens_at=s.starts_at,
                closes_at=s.starts_at + timedelta(minutes=15),
                duration_seconds=600,
            )
            for i, s in enumerate(sessions)
        ]
    )


def submitted_attempt(quiz: Any, student: Any, **scores: Any) -> Any:
    """An attempt (not saved) started a minute after the quiz opened and submitted 8 minutes
    later; `scores` are its points, points_possible and percent."""
    from quizzes.models import Attempt

    return Attempt(
        quiz=quiz,
        student=student,
        started_at=quiz.opens_at + timedelta(minutes=1),
        deadline=quiz.opens_at + timedelta(minutes=11),
        submitted_at=quiz.opens_at + timedelta(minutes=9),
        **scores,
    )


def _admin_connection(url: str) -> Any:
    import psycopg2

    conn = psycopg2.connect(urlparse(url)._replace(path="/postgres").geturl())
    conn.autocommit = True
    return conn


def ensure_database(url: str) -> None:
    """Create the database named by `url` if it does not exist."""
    from psycopg2 import sql

    name = urlparse(url).path.lstrip("/")
    conn = _admin_connection(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cur.fetchone() is None:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()


def recreate_database(url: str) -> None:
    """Drop (closing its connections) and create the database named by `url`: an empty one."""
    from psycopg2 import sql

    name = urlparse(url).path.lstrip("/")
    conn = _admin_connection(url)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
            )
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()
