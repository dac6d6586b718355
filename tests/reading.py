"""`page_in(client, url, language)`: a page as a person whose browser is set to `language` reads it."""

from __future__ import annotations

import html
from typing import Any

from django.utils import translation


def page_in(client: Any, url: str, language: str) -> str:
    """The page's text (HTML entities read back: "d'exposé", not "d&#x27;exposé"), asserted 200."""
    try:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    finally:
        translation.activate("en")  # LocaleMiddleware leaves the language active in this thread
    assert response.status_code == 200
    return html.unescape(response.content.decode())
