"""The development log (DEBUG on) prints a refused request once, as one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import django
django.setup()
from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.test import RequestFactory
request = RequestFactory().get("/c/TST101/quizzes/")
for exc in (PermissionDenied(), ValueError("boom")):
    try:
        raise exc
    except Exception as caught:
        response_for_exception(request, caught)
"""


def _dev_log() -> str:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "1",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DJANGO_LOG_LEVEL", None)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stderr + done.stdout


def test_permission_denied_is_logged_once_without_a_traceback() -> None:
    log = _dev_log()
    assert log.count("Forbidden (Permission denied): /c/TST101/quizzes/") == 1, log
    # The server error that follows still has its traceback, once.
    assert log.count("Internal Server Error: /c/TST101/quizzes/") == 1, log
    assert log.count("Traceback (most recent call last)") == 1, log
    assert "ValueError: boom" in log
