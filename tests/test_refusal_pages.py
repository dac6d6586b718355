"""A refused page under /c/<code>/ keeps the course's navigation, on every app's pages, and the
admin's pages ask for the site's icon by its own address (no /favicon.ico 404)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.test_permission_matrix import LAST, POSTED, _kwargs, _routes, world

pytestmark = pytest.mark.django_db

__all__ = ["world"]


@pytest.mark.parametrize(
    "role", ["auditor", "waitlisted", "student", "other", "ta", "instructor", "ta_b", "ins_b"]
)
def test_every_refused_course_page_keeps_the_course_navigation(
    world: dict[str, Any], role: str
) -> None:
    client = Client()
    client.force_login(world["people"][role])
    refused = []
    lost = []
    for name, _route, params in _routes():
        if "code" not in params or name in LAST or name in POSTED or name.startswith("api_"):
            continue
        url = reverse(name, kwargs=_kwargs(name, params, world))
        response = client.get(url)
        if response.status_code != 403:
            continue
        refused.append(name)
        nav = re.search(r'<nav class="topnav".*?</nav>', response.content.decode(), re.DOTALL)
        if nav is None or f'class="course-code">{world["a"].code}<' not in nav.group(0):
            lost.append(f"{name} {url}")
    assert refused, "no page refused this visitor"
    assert lost == []


def test_admin_pages_name_the_site_icon(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["people"]["instructor"])
    for url in (reverse("admin:index"), reverse("admin:quizzes_quiz_changelist")):
        html = client.get(url).content.decode()
        icon = re.search(r'<link rel="icon" href="([^"]+)"', html)
        assert icon is not None, url
        assert client.get(icon.group(1)).status_code == 200
