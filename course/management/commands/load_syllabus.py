from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from course.syllabus.parsing import SyllabusError
from course.syllabus.services import SyllabusNeedsConfirmation, load_syllabus_file


class Command(BaseCommand):
    help = (
        "Load (or update in place) a course from its syllabus YAML file. Refused whole if invalid."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--shift-weeks", type=int, default=0, help="Move every date of the file by N weeks."
        )
        parser.add_argument(
            "--preview",
            action="store_true",
            help="Say what loading would change, and change nothing.",
        )
        parser.add_argument(
            "--confirm",
            action="store_true",
            help="Apply changes to quizzes with attempts and deadlines with submissions.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = load_syllabus_file(
                options["file"],
                shift_weeks=options["shift_weeks"],
                confirm=options["confirm"],
                preview=options["preview"],
            )
        except FileNotFoundError as exc:
            raise CommandError(f"No such file: {options['file']}") from exc
        except SyllabusNeedsConfirmation as exc:
            raise CommandError(
                "The syllabus was not applied; nothing changed. It would change work that "
                "students have done (run again with --confirm to apply):\n  "
                + "\n  ".join(exc.problems)
            ) from exc
        except SyllabusError as exc:
            raise CommandError(
                "The syllabus was refused; nothing changed:\n  " + "\n  ".join(exc.problems)
            ) from exc
        for note in report.notes:
            self.stdout.write(self.style.WARNING(f"Note: {note}"))
        for change in report.changes:
            self.stdout.write(f"  {change}")
        if not report.applied:
            self.stdout.write(
                f"Preview only, nothing changed: {len(report.changes)} change(s) "
                f"({len(report.changes_needing_confirmation)} to work students have done)."
            )
            return
        if not report.created and not report.changes:
            self.stdout.write(self.style.SUCCESS(f"{report.course.code}: nothing changed."))
            return
        verb = "created" if report.created else "updated"
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.course.code} {verb}: {report.sessions_created} sessions created, "
                f"{report.sessions_updated} updated, {report.sessions_kept_cancelled} kept as cancelled."
            )
        )
