from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from course.syllabus import SyllabusError, load_syllabus_file


class Command(BaseCommand):
    help = (
        "Load (or update in place) a course from its syllabus YAML file. Refused whole if invalid."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--shift-weeks", type=int, default=0, help="Move every date of the file by N weeks."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = load_syllabus_file(options["file"], shift_weeks=options["shift_weeks"])
        except FileNotFoundError as exc:
            raise CommandError(f"No such file: {options['file']}") from exc
        except SyllabusError as exc:
            raise CommandError(
                "The syllabus was refused; nothing changed:\n  " + "\n  ".join(exc.problems)
            ) from exc
        verb = "created" if report.created else "updated"
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.course.code} {verb}: {report.sessions_created} sessions created, "
                f"{report.sessions_updated} updated, {report.sessions_kept_cancelled} kept as cancelled."
            )
        )
