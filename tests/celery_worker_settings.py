"""Settings of a Celery worker started by tests/celery_worker.py: the test settings, not eager,
e-mail written to files in COURSEKIT_TEST_MAIL_DIR (the test process reads them)."""

import os

from config.settings_test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
EMAIL_BACKEND = "tests.mail_backends.SlowFileBackend"
EMAIL_FILE_PATH = os.environ.get("COURSEKIT_TEST_MAIL_DIR", str(VAR_DIR / "test-mail"))  # noqa: F405
