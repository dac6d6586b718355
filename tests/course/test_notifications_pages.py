"""The in-app list (unread count, mark read), the preferences page, permissions, query counts."""

from __future__ import annotations

import pytest
from django.utils import translation

from course.notifications.models import Notification, NotificationPreference
from tests.present import present

pytestmark = pytest.mark.django_db


def _notify(course, user, n: int, start: int = 0) -> None:
    Notification.objects.bulk_create(
        Notification(
            recipient=user,
            course=course,
            kind="announcement",
            item_key=f"test:{i}",
            subject=f"TST101: message {i}",
            body="Hello",
            url=f"/c/{course.code}/",
        )
        for i in range(start, start + n)
    )


def test_anonymous_is_sent_to_login_and_strangers_are_refused(client, course, make_member):
    for url in ("/c/TST101/notifications/", "/c/TST101/notifications/settings/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    other = make_member(course, "student", "x")
    from course.models import Enrolment

    Enrolment.objects.filter(user=other).update(status="dropped")
    client.force_login(other)
    assert client.get("/c/TST101/notifications/").status_code == 403
    assert client.post("/c/TST101/notifications/read/").status_code == 403


def test_list_shows_the_unread_count_and_marks_read(client, course, make_member):
    ada = make_member(course, "student", "ada")
    other = make_member(course, "student", "bob")
    _notify(course, ada, 3)
    _notify(course, other, 2, start=10)
    client.force_login(ada)
    page = client.get("/c/TST101/notifications/").content.decode()
    assert 'data-unread="3"' in page
    assert "message 0" in page and "message 10" not in page
    assert 'class="nav-notifications"' in page
    first = present(Notification.objects.filter(recipient=ada).order_by("pk").first())
    response = client.post("/c/TST101/notifications/read/", {"id": first.pk})
    assert response.status_code == 302
    assert 'data-unread="2"' in client.get("/c/TST101/notifications/").content.decode()
    # Someone else's notification id marks nothing.
    theirs = present(Notification.objects.filter(recipient=other).first())
    client.post("/c/TST101/notifications/read/", {"id": theirs.pk})
    theirs.refresh_from_db()
    assert theirs.read_at is None
    client.post("/c/TST101/notifications/read/")
    assert not Notification.objects.filter(recipient=ada, read_at__isnull=True).exists()


def test_mark_read_with_a_bad_id_is_a_400_naming_the_field(client, course, make_member):
    client.force_login(make_member(course, "student", "ada"))
    response = client.post("/c/TST101/notifications/read/", {"id": "abc"})
    assert response.status_code == 400 and b"id" in response.content


@pytest.mark.parametrize("size", [5, 60])
def test_list_query_count_does_not_grow(
    client, course, make_member, size, django_assert_max_num_queries
):
    ada = make_member(course, "student", "ada")
    _notify(course, ada, size)
    client.force_login(ada)
    with django_assert_max_num_queries(12):
        assert client.get("/c/TST101/notifications/").status_code == 200


def test_preferences_turn_a_kind_off(client, course, make_member):
    ada = make_member(course, "student", "ada")
    client.force_login(ada)
    page = client.get("/c/TST101/notifications/settings/").content.decode()
    assert 'value="scribe_due_48h"' in page and 'value="staff_digest"' not in page
    keep = ["announcement", "quiz_today"]
    response = client.post("/c/TST101/notifications/settings/", {"enabled": keep})
    assert response.status_code == 302
    off = set(
        NotificationPreference.objects.filter(user=ada, enabled=False).values_list(
            "kind", flat=True
        )
    )
    assert "scribe_due_48h" in off and "announcement" not in off
    page = client.get("/c/TST101/notifications/settings/").content.decode()
    assert 'value="scribe_due_48h">' in page  # unchecked now
    assert 'value="announcement" checked' in page


def test_auditors_only_see_schedule_and_announcement_kinds(client, course, make_member):
    client.force_login(make_member(course, "auditor", "audrey"))
    page = client.get("/c/TST101/notifications/settings/").content.decode()
    assert 'value="announcement"' in page and 'value="quiz_today"' in page
    assert 'value="scribe_due_48h"' not in page and 'value="grade_released"' not in page


def test_staff_see_the_digest_kind(client, course, make_member):
    client.force_login(make_member(course, "ta", "tina"))
    page = client.get("/c/TST101/notifications/settings/").content.decode()
    assert 'value="staff_digest"' in page


def test_pages_in_french(client, course, make_member):
    ada = make_member(course, "student", "ada")
    _notify(course, ada, 2)
    client.force_login(ada)
    try:
        page = client.get("/c/TST101/notifications/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    finally:
        translation.activate("en")  # LocaleMiddleware leaves French active in this thread
    assert "Tout marquer comme lu" in page and "2 non lues" in page
