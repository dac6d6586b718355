"""`make run`: migrate, load the demo, then serve the site with a Celery worker and beat.

Everything it starts runs in its own process group and is stopped by Ctrl-C.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Development server: web on 127.0.0.1:8000 plus a Celery worker with its beat schedule."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument(
            "--no-demo", action="store_true", help="Do not (re)load the demo course."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database ready: " + str(settings.DATABASES["default"]["NAME"]))
        if not options["no_demo"]:
            call_command("load_demo")
        python = sys.executable
        broker = settings.CELERY_BROKER_URL.split("@")[-1]
        children = [
            subprocess.Popen(  # noqa: S603 - this project's own commands, argv built here
                [
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--beat",
                    "--loglevel=INFO",
                    "--concurrency=2",
                    "--scheduler",
                    settings.CELERY_BEAT_SCHEDULER,
                ],
                start_new_session=True,
            ),
            subprocess.Popen(  # noqa: S603 - this project's own commands, argv built here
                [python, "manage.py", "runserver", options["addr"], "--noreload"],
                start_new_session=True,
            ),
        ]
        self.stdout.write(
            self.style.SUCCESS(
                f"\nServing http://{options['addr']}/  (Celery worker and beat on {broker}). "
                "Press Ctrl-C to stop everything."
            )
        )

        def stop(*_: Any) -> None:
            for child in children:
                if child.poll() is None:
                    # The leader only: Celery then stops its own pool (warm shutdown).
                    child.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 10
            for child in children:
                try:
                    child.wait(max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    os.killpg(child.pid, signal.SIGKILL)
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGKILL)  # anything left in its group
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
            self.stderr.write("A process stopped; stopping the others.")
        except KeyboardInterrupt:
            pass
        stop()
