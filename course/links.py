"""Links that people set (syllabus, admin, students): only web addresses.

A ``javascript:`` or ``data:`` link stored once is rendered for every student, so the scheme is
checked where a link comes in (models, forms, the syllabus schema) and again where one goes
out (``{{ url|web_link }}`` in templates), for rows stored before the check existed. No link
field of the course holds an e-mail address, so none takes ``mailto:``.

API
---
``link_problem(value) -> str | None``
    Pure rule: why ``value`` is not an acceptable link (in the active language, for the
    syllabus messages), or None.
``validate_web_link``
    The Django validator (models, forms, DRF serializers built from models).
``WebLink``
    The same rule as a pydantic string type for the syllabus schema ("" means no link).
``web_link_or_empty(value) -> str``
    The link itself when acceptable, else "": what a template may put in an ``href``.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pydantic import AfterValidator

WEB_SCHEMES = ("http", "https")
_URL = URLValidator(schemes=list(WEB_SCHEMES))
_NOT_IN_LINKS = {"Cc", "Cf", "Cs", "Zs", "Zl", "Zp"}


def link_problem(value: str) -> str | None:
    """None when ``value`` is an http:// or https:// address."""
    text = str(value)
    # Spaces, control characters and invisible format characters (a right-to-left override
    # makes a link read as another address) have no place in a link.
    if any(ord(c) <= 32 or unicodedata.category(c) in _NOT_IN_LINKS for c in text):
        return gettext("a link may not contain spaces, control or invisible formatting characters")
    try:
        scheme = urlsplit(text).scheme.lower()
    except ValueError:
        return gettext("not a valid web address")
    if scheme not in WEB_SCHEMES:
        return gettext("a link must start with http:// or https://")
    try:
        _URL(text)
    except ValidationError:
        return gettext("not a valid web address")
    return None


@deconstructible
class WebLinkValidator:
    """Refuses anything but http(s) links (URLField alone also takes ftp:, and forms and the
    syllabus loader write without it)."""

    message = _("Enter a web address starting with http:// or https://.")
    code = "invalid_link"

    def __call__(self, value: str) -> None:
        if link_problem(value) is not None:
            raise ValidationError(self.message, code=self.code, params={"value": value})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WebLinkValidator)

    def __hash__(self) -> int:
        return hash(WebLinkValidator)


validate_web_link = WebLinkValidator()


def _schema_check(value: str) -> str:
    if value == "":
        return value
    problem = link_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


WebLink = Annotated[str, AfterValidator(_schema_check)]


def web_link_or_empty(value: object) -> str:
    text = "" if value is None else str(value)
    if not text or link_problem(text) is not None:
        return ""
    return text
