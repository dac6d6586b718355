"""E-mail backends for tests that run a real worker in another process (locmem is per process)."""

from __future__ import annotations

import os
import time
from typing import Any

from django.core.mail.backends.filebased import EmailBackend as FileBackend


class SlowFileBackend(FileBackend):
    """The file backend (one file per connection), slowed by COURSEKIT_TEST_MAIL_DELAY seconds
    before writing, so that a test can kill the worker in the middle of a batch, and by
    COURSEKIT_TEST_MAIL_DELAY_AFTER seconds after writing (the mail server has accepted the
    message, the worker has not recorded it yet)."""

    def send_messages(self, email_messages: Any) -> int:
        delay = float(os.environ.get("COURSEKIT_TEST_MAIL_DELAY", "0") or 0)
        if delay:
            time.sleep(delay)
        sent = super().send_messages(email_messages)
        after = float(os.environ.get("COURSEKIT_TEST_MAIL_DELAY_AFTER", "0") or 0)
        if after:
            time.sleep(after)
        return sent
