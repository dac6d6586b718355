"""Exam-score CSV imports with numbers the column cannot hold, NUL characters or unreadable
lines are reported by line and field; nothing is stored and nothing answers 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grading import services
from grading.models import ExamScore
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("student,score,out_of\nada,1e5,1e5\n", "score"),
        ("student,score,out_of\nada,10,1e5\n", "out_of"),
        ("student,score,out_of\nada,12.345,20\n", "score"),
        ("student,score,note\nada,10,a\x00b\n", "note"),
        ("student,score\nada\x00,10\n", "student"),
        ("student,score\nada,1\x000\n", "score"),
        ("student,score,note\nada,10," + "n" * 301 + "\n", "note"),
    ],
)
def test_a_bad_cell_is_reported_and_nothing_stored(
    course: Any, make_member: Any, text: str, field: str
) -> None:
    make_member(course, "student", username="ada")
    report = services.exam_scores_import_csv(course=course, text=text, component_key="midterm")
    assert report.applied == 0
    assert [(e.line, e.field) for e in report.errors] == [(2, field)]
    assert not ExamScore.objects.exists()


def test_a_line_csv_cannot_read_is_reported(course: Any, make_member: Any) -> None:
    make_member(course, "student", username="ada")
    text = 'student,score,note\nada,10,"' + "x" * 200_000 + '"\n'
    report = services.exam_scores_import_csv(course=course, text=text, component_key="midterm")
    assert report.applied == 0 and report.errors[0].field == "file"
    assert not ExamScore.objects.exists()


@pytest.mark.parametrize(
    "content",
    [
        b"student,score,out_of\nada,1e5,1e5\n",
        b"student,score,note\nada,10,a\x00b\n",
        b"student\x00,score\nada,10\n",
    ],
)
def test_the_admin_import_page_shows_the_error(
    client: Any, course: Any, make_member: Any, content: bytes
) -> None:
    make_member(course, "student", username="ada")
    client.force_login(
        UserFactory.create(superuser=True, username="root", email="root@example.org")
    )
    url = reverse("admin:grading_exam_import", args=[course.pk])
    resp = client.post(
        url, {"component_key": "midterm", "file": SimpleUploadedFile("s.csv", content)}
    )
    assert resp.status_code == 200
    assert "Nothing was imported" in resp.content.decode()
    assert not ExamScore.objects.exists()
