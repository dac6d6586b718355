"""Scribing pages: permissions, bad input as 4xx, private files, query counts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from course.models import Enrolment
from scribing import services
from scribing.models import NotesSubmission, ScribeAssignment
from tests.factories import UserFactory

from .conftest import at, pdf_file, tex_file, zip_file

pytestmark = pytest.mark.django_db


def url(name: str, course: Any, **kw: Any) -> str:
    return reverse(name, kwargs={"code": course.code, **kw})


@pytest.fixture
def submitted(course: Any, slot1: Any, student: Any) -> NotesSubmission:
    services.scribe_slot_claim(slot=slot1, student=student, now=at(2021, 1, 1))
    return services.notes_submit(
        slot=slot1, student=student, tex=tex_file(), pdf=pdf_file(), now=at(2021, 1, 18)
    )


def test_page_permissions(client: Any, course: Any, slots: list, make_member: Any) -> None:
    page = url("scribing", course)
    assert client.get(page).status_code == 302  # login
    auditor = make_member(course, Enrolment.Role.AUDITOR)
    client.force_login(auditor)
    assert client.get(page).status_code == 403
    for role in (Enrolment.Role.STUDENT, Enrolment.Role.TA, Enrolment.Role.INSTRUCTOR):
        client.force_login(make_member(course, role))
        assert client.get(page).status_code == 200


@time_machine.travel(at(2021, 1, 5, 12), tick=False)
def test_sign_up_drop_and_unavailable(client: Any, course: Any, slots: list, student: Any) -> None:
    client.force_login(student)
    r = client.post(url("scribing_claim", course, pk=slots[2].pk), follow=True)
    assert "You scribe lecture 3" in r.content.decode()
    assert ScribeAssignment.objects.get(student=student).slot == slots[2]
    r = client.post(url("scribing_drop", course), follow=True)
    assert not ScribeAssignment.objects.filter(student=student).exists()
    r = client.post(url("scribing_unavailable", course), {"date": "2021-02-03"})
    assert r.status_code == 302
    r = client.post(url("scribing_unavailable", course), {"date": "not-a-date"})
    assert r.status_code == 400 and "date" in r.content.decode().lower()
    r = client.post(url("scribing_unavailable", course), {"date": "2022-02-03"})
    assert r.status_code == 400 and "within the term" in r.content.decode()


def test_upload_page_shows_lateness_before_and_after(
    client: Any, course: Any, slot1: Any, student: Any
) -> None:
    services.scribe_slot_claim(slot=slot1, student=student, now=at(2021, 1, 1))
    client.force_login(student)
    with time_machine.travel(at(2021, 1, 19, 12), tick=False):
        body = client.get(url("scribing", course)).content.decode()
        assert "If you submit now it will be on time." in body
        assert client.get(url("scribing_lateness", course)).json()["is_late"] is False
    with time_machine.travel(at(2021, 1, 22, 12), tick=False):
        body = client.get(url("scribing", course)).content.decode()
        assert "it will be late: 5% penalty" in body
        data = client.get(url("scribing_lateness", course)).json()
        assert data["is_late"] is True and data["penalty_percent"] == "5"
        r = client.post(url("scribing_submit", course), {"tex_file": tex_file()}, follow=True)
        assert "late: 5% penalty" in r.content.decode()
    assert NotesSubmission.objects.get().penalty_percent == 5


@pytest.mark.parametrize(
    ("files", "field_words"),
    [
        ({}, "This field is required"),
        ({"tex_file": tex_file(data=b"\x00\xff")}, "not UTF-8"),
        ({"tex_file": tex_file(), "pdf_file": pdf_file(data=b"GIF89a")}, "not a PDF"),
        ({"tex_file": tex_file(), "zip_file": zip_file({"../../x": b"1"})}, "leaves its folder"),
        ({"tex_file": tex_file(), "zip_file": zip_file({"a": b"1"}, symlink="l")}, "symbolic link"),
    ],
)
def test_bad_files_are_400_with_reason(
    client: Any, course: Any, slot1: Any, student: Any, files: dict, field_words: str
) -> None:
    services.scribe_slot_claim(slot=slot1, student=student, now=at(2021, 1, 1))
    client.force_login(student)
    r = client.post(url("scribing_submit", course), files)
    assert r.status_code == 400
    assert field_words in r.content.decode()
    assert not NotesSubmission.objects.exists()


def test_file_size_limit(client: Any, settings: Any, course: Any, slot1: Any, student: Any) -> None:
    settings.COURSEKIT_UPLOAD_MAX_BYTES = 20
    services.scribe_slot_claim(slot=slot1, student=student, now=at(2021, 1, 1))
    client.force_login(student)
    r = client.post(url("scribing_submit", course), {"tex_file": tex_file(data=b"x" * 21)})
    assert r.status_code == 400 and "the limit is" in r.content.decode()


def test_private_files(
    client: Any, course: Any, submitted: NotesSubmission, make_member: Any, student: Any
) -> None:
    pdf = url("scribing_file", course, pk=submitted.pk, kind="pdf")
    assert client.get(pdf).status_code == 302  # anonymous: login
    other = make_member(course, Enrolment.Role.STUDENT)
    auditor = make_member(course, Enrolment.Role.AUDITOR)
    ta = make_member(course, Enrolment.Role.TA)
    for user, code in ((other, 403), (auditor, 403), (ta, 200), (student, 200)):
        client.force_login(user)
        assert client.get(pdf).status_code == code, user
    client.force_login(student)
    r = client.get(url("scribing_file", course, pk=submitted.pk, kind="tex"))
    assert r.status_code == 200 and b"documentclass" in b"".join(r.streaming_content)
    assert client.get(url("scribing_file", course, pk=submitted.pk, kind="zip")).status_code == 404
    services.notes_publish(submissions=[submitted], now=at(2021, 2, 1))
    for user in (other, auditor):
        client.force_login(user)
        assert client.get(pdf).status_code == 200
    outsider = make_member(course, Enrolment.Role.STUDENT)
    outsider.enrolments.update(status=Enrolment.Status.DROPPED)
    client.force_login(outsider)
    assert client.get(pdf).status_code == 403


def test_schedule_shows_scribes_and_published_notes(
    client: Any, course: Any, submitted: NotesSubmission, make_member: Any
) -> None:
    client.force_login(make_member(course, Enrolment.Role.AUDITOR))
    body = client.get(reverse("schedule", kwargs={"code": course.code})).content.decode()
    assert "Scribes: Stud1 Test" in body
    assert "Scribed notes" not in body
    services.notes_publish(submissions=[submitted], now=at(2021, 2, 1))
    body = client.get(reverse("schedule", kwargs={"code": course.code})).content.decode()
    assert url("scribing_file", course, pk=submitted.pk, kind="pdf") in body


def test_template_download(client: Any, course: Any, student: Any) -> None:
    client.force_login(student)
    r = client.get(url("scribing_template", course))
    assert r.status_code == 200 and b"\\documentclass" in b"".join(r.streaming_content)


def test_extension_request_from_page(client: Any, course: Any, slot1: Any, student: Any) -> None:
    services.scribe_slot_claim(slot=slot1, student=student, now=at(2021, 1, 1))
    client.force_login(student)
    r = client.post(url("scribing_extension", course), {"reason": ""})
    assert r.status_code == 400 and "reason" in r.content.decode().lower()
    r = client.post(
        url("scribing_extension", course),
        {"reason": "Flu", "requested_due_at": "2021-01-27T23:59"},
        follow=True,
    )
    assert "sent to the instructor" in r.content.decode() and "Pending" in r.content.decode()


def test_graded_scores_shown(
    client: Any, course: Any, submitted: NotesSubmission, student: Any
) -> None:
    services.notes_grade(
        submission=submitted,
        raw_score=Decimal(88),
        feedback="Nice",
        graded_by=None,
        now=at(2021, 2, 1),
    )
    client.force_login(student)
    body = client.get(url("scribing", course)).content.decode()
    assert "88.00 / 100" in body and "Nice" in body and "resubmission is closed" in body


def test_admin_auto_assign_preview(client: Any, course: Any, slots: list, make_member: Any) -> None:

    for _ in range(3):
        make_member(course, Enrolment.Role.STUDENT)
    admin = UserFactory.create(superuser=True, username="boss", email="b@x.org")
    client.force_login(admin)
    page = reverse("admin:scribing_auto_assign", args=[course.pk])
    with time_machine.travel(at(2021, 1, 1), tick=False):
        r = client.get(page + "?seed=3")
        assert r.status_code == 200 and "Proposed plan" in r.content.decode()
        assert ScribeAssignment.objects.count() == 0
        r = client.post(page, {"seed": "3", "apply": "1"})
        assert r.status_code == 302 and ScribeAssignment.objects.count() == 3
    assert client.get(reverse("admin:scribing_scribeslot_changelist")).status_code == 200
    assert client.get(reverse("admin:scribing_notessubmission_changelist")).status_code == 200


def test_admin_says_slots_too_few(client: Any, course: Any, slots: list, make_member: Any) -> None:

    for _ in range(sum(s.capacity for s in slots) + 1):
        make_member(course, Enrolment.Role.STUDENT)
    client.force_login(UserFactory.create(superuser=True, username="boss", email="b@x.org"))
    with time_machine.travel(at(2021, 1, 1), tick=False):
        body = client.get(reverse("admin:scribing_auto_assign", args=[course.pk])).content.decode()
    assert "too few scribe slots: 1 seat(s) are missing, that is 1 more lecture slot" in body


def test_page_query_count(
    client: Any, course: Any, slots: list, make_member: Any, django_assert_max_num_queries: Any
) -> None:
    def add(n: int) -> None:
        for _ in range(n):
            s = make_member(course, Enrolment.Role.STUDENT, now=at(2021, 1, 1))
            free = next(x for x in slots if ScribeAssignment.objects.filter(slot=x).count() < 2)
            services.scribe_slot_claim(slot=free, student=s, now=at(2021, 1, 1))

    viewer = make_member(course, Enrolment.Role.STUDENT, now=at(2021, 1, 1))
    client.force_login(viewer)
    add(2)
    with django_assert_max_num_queries(25):
        assert client.get(url("scribing", course)).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(reverse("schedule", kwargs={"code": course.code})).status_code == 200
    add(10)
    with django_assert_max_num_queries(25):
        assert client.get(url("scribing", course)).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(reverse("schedule", kwargs={"code": course.code})).status_code == 200


def test_page_in_french(client: Any, course: Any, slots: list, student: Any) -> None:
    client.force_login(student)
    client.cookies["django_language"] = "fr"
    try:
        body = client.get(url("scribing", course), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    finally:
        translation.activate("en")  # the middleware leaves the thread's language set
    assert "Télécharger le gabarit LaTeX" in body
