"""Settings of a Celery worker started by tests/celery_worker.py: the test settings, not eager,
e-mail written to files in COURSEKIT_TEST_MAIL_DIR (the test process reads them)."""

import os

from config.settings_test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
EMAIL_BACKEND = "tests.mail_backends.SlowFileBackend"
EMAIL_FILE_PATH = os.environ.get("COURSEKIT_TEST_MAIL_DIR", str(VAR_DIR / "test-mail"))  # noqa: F405

# COURSEKIT_TEST_SLOW_TASK="<task name>:<seconds>": that task waits so long before it runs (its
# message taken and not yet acknowledged), so that a test can kill the worker in the middle.
_slow = os.environ.get("COURSEKIT_TEST_SLOW_TASK", "")
if _slow:
    import time as _time

    from celery.signals import task_prerun as _task_prerun

    _slow_name, _, _slow_seconds = _slow.rpartition(":")

    @_task_prerun.connect(weak=False)
    def _slow_down(sender: object = None, **_kwargs: object) -> None:
        if getattr(sender, "name", "") == _slow_name:
            _time.sleep(float(_slow_seconds))
