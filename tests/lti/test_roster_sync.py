"""Names and Role Provisioning: the roster follows the LMS course's membership."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from course.models import Course, Enrolment, OutboxMessage, User
from lti import services, tasks
from lti.models import LinkedCourse
from lti.protocol import ServiceError
from tests.factories import UserFactory

from .platform import INSTRUCTOR, LEARNER, TA, LtiPlatform, Member

pytestmark = pytest.mark.django_db


@pytest.fixture
def synced_setup(bound_course: Course, lms: LtiPlatform, make_member: Any) -> dict[str, Any]:
    call_command("lti_rotate_key", "--if-missing", verbosity=0)
    lms.tool_jwks = Client().get("/lti/jwks.json").json()
    people = {
        "ada": make_member(bound_course, Enrolment.Role.STUDENT, username="ada"),
        "gone": make_member(bound_course, Enrolment.Role.STUDENT, username="gone"),
        "aud": make_member(bound_course, Enrolment.Role.AUDITOR, username="aud"),
    }
    lms.enrol(lms.members["prof"])
    lms.enrol(Member("lms-ada", "ada@example.org", "Ada", "Test", LEARNER))
    lms.enrol(Member("lms-bob", "bob@example.org", "Bob", "New", LEARNER))
    lms.enrol(Member("lms-tina", "tina@example.org", "Tina", "Assistant", TA))
    return people


def role_of(course: Course, email: str) -> tuple[str, str]:
    e = Enrolment.objects.get(course=course, user__email=email)
    return e.role, e.status


def test_a_sync_adds_changes_and_drops_people_and_reports_it(
    bound_course: Course, lms: LtiPlatform, synced_setup: dict[str, Any]
) -> None:
    link = LinkedCourse.objects.get()
    assert link.memberships_url == lms.memberships_url  # given by the instructor's launch

    report = services.roster_sync(link=link, now=timezone.now())

    assert sorted(report.added) == ["bob@example.org (student)", "tina@example.org (ta)"]
    assert report.role_changed == []
    assert report.dropped == ["gone@example.org"]
    assert role_of(bound_course, "bob@example.org") == ("student", "active")
    assert role_of(bound_course, "tina@example.org") == ("ta", "active")
    assert role_of(bound_course, "ada@example.org") == ("student", "active")
    assert role_of(bound_course, "gone@example.org") == ("student", "dropped")
    assert User.objects.filter(username="gone").exists()  # dropped, never deleted
    assert role_of(bound_course, "aud@example.org") == ("auditor", "active")  # Coursekit's call
    assert User.objects.get(email="bob@example.org").lti_accounts.get().subject == "lms-bob"
    # Added, they are invited as the roster import invites (an account with no password yet).
    invited = OutboxMessage.objects.filter(channel="email", kind="invitation")
    assert sorted(invited.values_list("recipient__email", flat=True)) == [
        "bob@example.org",
        "tina@example.org",
    ]
    link.refresh_from_db()
    assert link.roster_sync_report["dropped"] == ["gone@example.org"]

    # The LMS changes: Tina becomes a learner, Bob leaves, and the token is still valid.
    lms.enrol(Member("lms-tina", "tina@example.org", "Tina", "Assistant", LEARNER))
    lms.enrol(Member("lms-bob", "bob@example.org", "Bob", "New", LEARNER), status="Inactive")
    report = tasks.roster_sync_course(link.pk)

    assert report["role_changed"] == ["tina@example.org (student)"]
    assert report["dropped"] == ["bob@example.org"]
    assert report["added"] == []
    assert role_of(bound_course, "tina@example.org") == ("student", "active")
    assert role_of(bound_course, "bob@example.org") == ("student", "dropped")
    assert lms.token_requests == 1  # the access token was cached until its expiry

    # Nothing changed: nothing to do, and nobody is invited twice.
    again = tasks.roster_sync_course(link.pk)
    assert (again["added"], again["role_changed"], again["dropped"]) == ([], [], [])
    assert invited.count() == 2


def test_a_refused_token_changes_nothing_and_is_reported(
    bound_course: Course, lms: LtiPlatform, synced_setup: dict[str, Any]
) -> None:
    lms.tool_jwks = {"keys": []}  # the platform no longer knows the tool's key
    link = LinkedCourse.objects.get()
    before = list(Enrolment.objects.values_list("user_id", "role", "status").order_by("user_id"))

    with pytest.raises(ServiceError):
        services.roster_sync(link=link, now=timezone.now())

    assert (
        list(Enrolment.objects.values_list("user_id", "role", "status").order_by("user_id"))
        == before
    )
    link.refresh_from_db()
    assert "access token" in link.roster_sync_report["error"]


def test_the_admin_button_syncs_and_says_what_changed(
    bound_course: Course, lms: LtiPlatform, synced_setup: dict[str, Any], django_user_model: Any
) -> None:
    root = UserFactory.create(superuser=True, username="root", email="root@example.org")
    client = Client()
    client.force_login(root)
    link = LinkedCourse.objects.get()

    response = client.post(
        "/admin/lti/linkedcourse/",
        {"action": "roster_sync_now", "_selected_action": [link.pk]},
        follow=True,
    )

    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert texts == ["TST101: Roster sync: 2 added, 0 role changes, 1 dropped, 0 skipped."]
    detail = client.get(f"/admin/lti/linkedcourse/{link.pk}/change/")
    assert b"gone@example.org" in detail.content


def test_the_nightly_task_queues_one_sync_per_linked_course(
    bound_course: Course, lms: LtiPlatform, synced_setup: dict[str, Any]
) -> None:
    assert tasks.roster_sync_all() == [LinkedCourse.objects.get().pk]  # eager in tests
    assert role_of(bound_course, "gone@example.org") == ("student", "dropped")


def test_the_nightly_schedule_is_in_the_beat_table(beat_schedule: None) -> None:
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="lti.roster_sync_all")
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == (
        "3",
        "30",
        "America/Montreal",
    )


def test_an_lms_instructor_on_the_roster_becomes_instructor(
    bound_course: Course, lms: LtiPlatform, synced_setup: dict[str, Any]
) -> None:
    lms.enrol(Member("lms-co", "co@example.org", "Co", "Teacher", INSTRUCTOR))
    services.roster_sync(link=LinkedCourse.objects.get(), now=timezone.now())
    assert role_of(bound_course, "co@example.org") == ("instructor", "active")


def test_the_nightly_task_forgets_login_nonces_older_than_a_day(db: Any) -> None:
    from datetime import timedelta

    from lti.models import LaunchNonce

    now = timezone.now()
    LaunchNonce.objects.create(nonce="old", issued_at=now - timedelta(days=2))
    LaunchNonce.objects.create(nonce="recent", issued_at=now - timedelta(minutes=5))
    tasks.roster_sync_all()
    assert list(LaunchNonce.objects.values_list("nonce", flat=True)) == ["recent"]


def test_the_instructor_syncs_from_the_course_lms_page_and_others_cannot(
    bound_course: Course, lms: LtiPlatform, synced_setup: dict[str, Any], make_member: Any
) -> None:
    prof = Client()
    prof.force_login(User.objects.get(username="prof"))
    assert b"never" in prof.get("/c/TST101/lms/").content

    response = prof.post("/c/TST101/lms/", follow=True)

    assert response.redirect_chain == [("/c/TST101/lms/", 302)]
    text = response.content.decode()
    assert "Roster sync: 2 added, 0 role changes, 1 dropped, 0 skipped." in text
    assert "gone@example.org" in text
    assert role_of(bound_course, "gone@example.org") == ("student", "dropped")

    for role in (Enrolment.Role.TA, Enrolment.Role.STUDENT):
        other = Client()
        other.force_login(make_member(bound_course, role))
        assert other.post("/c/TST101/lms/").status_code == 403
    assert Client().get("/c/TST101/lms/").status_code == 302  # to the login page


def test_only_the_instructor_sees_the_lms_page_in_the_navigation(
    course: Course, make_member: Any
) -> None:
    import re

    for role, shown in (
        (Enrolment.Role.INSTRUCTOR, True),
        (Enrolment.Role.TA, False),
        (Enrolment.Role.STUDENT, False),
    ):
        client = Client()
        client.force_login(make_member(course, role))
        nav = re.search(
            r'<nav class="topnav".*?</nav>', client.get("/c/TST101/").content.decode(), re.DOTALL
        )
        assert nav and ('href="/c/TST101/lms/"' in nav.group(0)) is shown, role
