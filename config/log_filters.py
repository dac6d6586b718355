"""Logging filters named in settings.LOGGING."""

from __future__ import annotations

import logging


class NoTracebackBelow500(logging.Filter):
    """Keep a request refused on purpose (PermissionDenied, Http404, a bad request) to its one
    line: Django logs them with the exception attached, which prints a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
