"""Private file serving, shared by the apps that take files (notes, slides, PDFs).

API
---
``private_file_response(field_file, *, download_name=None, inline=True) -> FileResponse``
    Sends a stored file. Files live under ``MEDIA_ROOT`` (store them with an ``upload_to``
    under ``private/<app>/...``); ``MEDIA_URL`` is not served, so the only way out is a view
    that checked the permission first and then calls this. The response carries
    ``Content-Security-Policy: sandbox``, so an uploaded file opened in the browser runs no
    script and has no access to the site's cookies or pages.
"""

from __future__ import annotations

import mimetypes
from pathlib import PurePosixPath
from typing import Any

from django.http import FileResponse


def private_file_response(
    field_file: Any, *, download_name: str | None = None, inline: bool = True
) -> FileResponse:
    name = download_name or PurePosixPath(field_file.name).name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if name.endswith(".tex"):
        content_type = "text/plain; charset=utf-8"
    response = FileResponse(
        field_file.open("rb"), as_attachment=not inline, filename=name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # What a student uploaded never runs as the site: no script, no form, its own origin.
    response["Content-Security-Policy"] = "sandbox"
    return response
