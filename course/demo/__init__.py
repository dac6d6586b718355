"""The demo course (IFT 6085, Winter 2021) and its people, placed around today's date (and
labelled by those dates)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction

from course import rules, services
from course.models import Course, Enrolment
from course.syllabus.services import LoadReport, load_syllabus_text

DEMO_SYLLABUS = Path(__file__).with_name("ift6085-winter2021.yaml")
DEMO_PASSWORD = "ift6085-demo"  # noqa: S105 - printed on purpose: these are demo accounts
TARGET_WEEK = 7  # mid-term: past quizzes to grade, presentations and milestones ahead


@dataclass(frozen=True)
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    role: str
    student_id: str = ""


DEMO_PEOPLE = [
    DemoPerson("instructor", "Ioannis", "Mitliagkas", Enrolment.Role.INSTRUCTOR),
    DemoPerson("ta", "Tara", "Assistant", Enrolment.Role.TA),
    *[
        DemoPerson(u, f, last, Enrolment.Role.STUDENT, f"2098{i:04d}")
        for i, (u, f, last) in enumerate(
            [
                ("ada", "Ada", "Lovelace"),
                ("alan", "Alan", "Turing"),
                ("grace", "Grace", "Hopper"),
                ("kurt", "Kurt", "Gödel"),
                ("emmy", "Emmy", "Noether"),
                ("john", "John", "von Neumann"),
                ("sofia", "Sofia", "Kovalevskaya"),
                ("claude", "Claude", "Shannon"),
                ("marie", "Marie", "Curie"),
                ("andrey", "Andrey", "Kolmogorov"),
                ("katherine", "Katherine", "Johnson"),
                ("leonhard", "Leonhard", "Euler"),
            ],
            start=1,
        )
    ],
    DemoPerson("auditor", "Audrey", "Auditor", Enrolment.Role.AUDITOR),
    DemoPerson("auditor2", "Aubin", "Listener", Enrolment.Role.AUDITOR),
]

# Apps add their demo content (past quizzes, scribe slots...) here from AppConfig.ready().
DemoHook = Callable[[Course, datetime], None]
_hooks: dict[str, DemoHook] = {}


def register_demo_hook(name: str, hook: DemoHook) -> None:
    _hooks[name] = hook


def demo_term_label(start: date, end: date) -> str:
    """The demo's term by its real dates, e.g. "2026-10-12 – 2027-01-22": stored once and read
    in either language, so in numbers rather than in one language's month names."""
    return f"{start.isoformat()} – {end.isoformat()}"


def demo_shift_weeks(today: date) -> int:
    from course.syllabus.yaml_file import read_yaml

    start = read_yaml(DEMO_SYLLABUS.read_text(encoding="utf-8"))[0]["calendar"]["term_start"]
    return rules.weeks_to_shift(start, today, target_week=TARGET_WEEK)


def load_demo(*, now: datetime) -> tuple[LoadReport, list[DemoPerson]]:
    """Idempotent: the same day gives the same course; people keep their accounts."""
    User = get_user_model()
    today = now.date()
    with transaction.atomic():
        # Confirmed: the demo term is moved on purpose, its past work with it.
        report = load_syllabus_text(
            DEMO_SYLLABUS.read_text(encoding="utf-8"),
            shift_weeks=demo_shift_weeks(today),
            confirm=True,
        )
        course = report.course
        # Its dates are moved around today: "Winter 2021" would name a term it is not.
        course.term = demo_term_label(course.term_start, course.term_end)
        course.save(update_fields=["term"])
        # Everyone asked to join on the term's first day, a minute apart (a fixed order, so
        # the first auditor gets the free seat and the second waits).
        joined = datetime.combine(course.term_start, time(8, 0), tzinfo=ZoneInfo(course.time_zone))
        for i, person in enumerate(DEMO_PEOPLE):
            user, created = User.objects.get_or_create(
                username=person.username,
                defaults={
                    "first_name": person.first_name,
                    "last_name": person.last_name,
                    "email": f"{person.username}@example.umontreal.ca",
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
            if person.role == Enrolment.Role.INSTRUCTOR:
                user.is_staff = user.is_superuser = True
            user.save()
            services.enrolment_set(
                course=course,
                user=user,
                role=person.role,
                student_id=person.student_id,
                now=joined + timedelta(minutes=i),
            )
        for hook in _hooks.values():
            hook(course, now)
    return report, DEMO_PEOPLE
