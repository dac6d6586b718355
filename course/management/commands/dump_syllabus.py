from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from course.models import Course
from course.syllabus.selectors import dump_syllabus


class Command(BaseCommand):
    help = "Write a course back out as a syllabus YAML file (to copy a term to the next one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="Course code, e.g. IFT6085")
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")

    def handle(self, *args: Any, **options: Any) -> None:
        course = Course.objects.filter(code__iexact=options["code"]).first()
        if course is None:
            raise CommandError(f"No course with code {options['code']!r}.")
        text = dump_syllabus(course)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as fh:
                fh.write(text)
            self.stdout.write(self.style.SUCCESS(f"Wrote {options['output']}"))
        else:
            self.stdout.write(text)
