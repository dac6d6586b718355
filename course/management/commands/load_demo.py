from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from course.demo import DEMO_PASSWORD, load_demo
from course.models import Enrolment


class Command(BaseCommand):
    help = "Load the demo course (IFT 6085, Winter 2021) around today's date, with demo accounts."

    def handle(self, *args: Any, **options: Any) -> None:
        report, people = load_demo(now=timezone.now())
        course = report.course
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo course {course.code} ready: term {course.term_start:%Y-%m-%d} to "
                f"{course.term_end:%Y-%m-%d} (dates moved to put today in week 7)."
            )
        )
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for p in people:
            self.stdout.write(
                f"  {p.username:<10} {Enrolment.Role(p.role).label!s:<20} {p.first_name} {p.last_name}"
            )
