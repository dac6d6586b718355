"""The in-app list (unread count, mark read), the preferences page, permissions, query counts."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from course import texts
from course.notifications import register_reminder_source, services, unregister_reminder_source
from course.notifications.models import Notification, NotificationPreference, OutboxMessage
from tests.present import present
from tests.reading import page_in

from .notification_sources import late_work, only_course_sources  # noqa: F401

pytestmark = pytest.mark.django_db
NB = "\u00a0"


def _notify(course, user, n: int, start: int = 0, *, as_data: bool = False) -> None:
    """Rows as the dispatcher makes them; without `as_data`, as rows made before it kept Texts."""
    kept = texts.Text(gettext_noop("Scribe notes due in 48 hours")) if as_data else None
    Notification.objects.bulk_create(
        Notification(
            recipient=user,
            course=course,
            kind="announcement",
            item_key=f"test:{i}",
            subject=f"TST101: message {i}",
            body="Hello",
            subject_text=None if kept is None else texts.to_json(kept),
            body_text=None if kept is None else texts.to_json(kept),
            url=f"/c/{course.code}/",
        )
        for i in range(start, start + n)
    )


def _page(client, language: str) -> str:
    return page_in(client, "/c/TST101/notifications/", language)


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
    _notify(course, ada, size, start=size, as_data=True)  # these read the course's prefix
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


SHOWN = {
    "en": ("TST101: Scribe notes due in 48 hours", "2 days late: 5% penalty"),
    "fr": (
        "TST101: Notes de scribe à remettre dans 48 heures",
        f"2 jours de retard{NB}: pénalité de 5{NB}%",
    ),
}


@pytest.mark.parametrize(("preferred", "now_reads"), [("fr", "en"), ("en", "fr")])
def test_a_reminder_reads_in_the_language_its_reader_uses_now(
    client, course, make_member, preferred, now_reads
):
    ada = make_member(course, "student", "ada")
    ada.preferred_language = preferred
    ada.save(update_fields=["preferred_language"])
    register_reminder_source("test.late", late_work)
    try:
        services.dispatch_due(now=timezone.now(), courses=[course])
    finally:
        unregister_reminder_source("test.late")
    # The e-mail is sent once: it stays in the language preferred when it was made.
    [email] = OutboxMessage.objects.filter(recipient=ada, channel="email")
    assert email.subject == SHOWN[preferred][0] and email.body.startswith(SHOWN[preferred][1])
    client.force_login(ada)
    assert all(words in _page(client, preferred) for words in SHOWN[preferred])
    # The reader switches: their preference and their browser's language.
    ada.preferred_language = now_reads
    ada.save(update_fields=["preferred_language"])
    page = _page(client, now_reads)
    assert all(words in page for words in SHOWN[now_reads])
    assert not any(words in page for words in SHOWN[preferred])


def test_a_row_kept_as_strings_reads_as_it_was_written(client, course, make_member):
    """Rows from before the sentences were kept as data, and the instructor's announcements."""
    ada = make_member(course, "student", "ada")
    _notify(course, ada, 1)
    client.force_login(ada)
    for language in ("en", "fr"):
        page = _page(client, language)
        assert "TST101: message 0" in page and "Hello" in page
