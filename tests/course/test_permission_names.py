"""The permissions a superuser picks for a group or an account read in the reader's language:
Django stores their names in English at migrate time, the admin names them again."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from course.global_admin import permission_label
from quizzes.models import Quiz
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client: Any) -> Any:
    client.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("route", ["admin:auth_group_add", "admin:course_user_change"])
def test_a_french_superuser_reads_the_permissions_in_french(
    superuser_client: Any, route: str
) -> None:
    args = [] if route.endswith("_add") else [UserFactory.create().pk]
    page = superuser_client.get(reverse(route, args=args), HTTP_ACCEPT_LANGUAGE="fr")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Quiz quotidiens | quiz | Peut ajouter «\xa0quiz\xa0»" in html
    assert "Can add" not in html
    assert "Can view" not in html


def test_an_english_reader_reads_djangos_own_words(superuser_client: Any) -> None:
    html = superuser_client.get(reverse("admin:auth_group_add")).content.decode()
    assert "Daily quizzes | quiz | Can add quiz" in html


def test_a_permission_a_model_declares_keeps_its_name() -> None:
    own = Permission.objects.create(
        codename="publish_quiz",
        name="Can publish a quiz early",
        content_type=ContentType.objects.get_for_model(Quiz),
    )
    assert permission_label(own) == "Daily quizzes | quiz | Can publish a quiz early"
